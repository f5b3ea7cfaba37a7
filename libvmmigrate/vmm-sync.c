/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

/* The blocking wrappers: run an async call on a private main context and
 * wait for its result there. */

void
vmm_sync_begin (VmmSync *sync)
{
  sync->context = g_main_context_new ();
  sync->result = NULL;
  g_main_context_push_thread_default (sync->context);
}

void
vmm_sync_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VmmSync *sync = user_data;

  sync->result = g_object_ref (result);
  g_main_context_wakeup (sync->context);
}

GAsyncResult *
vmm_sync_wait (VmmSync *sync)
{
  while (sync->result == NULL)
    g_main_context_iteration (sync->context, TRUE);
  g_main_context_pop_thread_default (sync->context);
  g_clear_pointer (&sync->context, g_main_context_unref);
  return sync->result;
}
