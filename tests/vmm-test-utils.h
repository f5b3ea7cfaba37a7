/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib/gstdio.h>
#include <vmmigrate.h>

/* Helpers shared by the engine's tests (header-only, static). */

static inline VmmSimBackend *
vmm_test_sim_new (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "inventory.json", NULL);
  g_autofree char *json = NULL;
  g_autoptr (GError) error = NULL;
  VmmBackend *backend;

  g_assert_true (g_file_get_contents (path, &json, NULL, &error));
  g_assert_no_error (error);
  backend = vmm_sim_backend_new_from_json (json, &error);
  g_assert_no_error (error);
  return VMM_SIM_BACKEND (backend);
}

static inline VmmRelocateSpec *
vmm_test_spec (const char *json)
{
  g_autoptr (GError) error = NULL;
  VmmRelocateSpec *spec = vmm_relocate_spec_new_from_json (json, &error);

  g_assert_no_error (error);
  return spec;
}

/* The VM is active in exactly one place, and nothing a move created is left. */
static inline void
vmm_test_assert_one_place (VmmSimBackend *sim, const char *vm, const char *host)
{
  g_auto (GStrv) places = vmm_sim_backend_locate_vm (sim, vm);
  g_auto (GStrv) leftovers = vmm_sim_backend_list_leftovers (sim);
  g_autofree char *p = g_strjoinv (" | ", places);
  g_autofree char *l = g_strjoinv (" | ", leftovers);

  if (g_strv_length (places) != 1 || g_strcmp0 (places[0], host) != 0)
    g_error ("VM %s expected only on %s, found on: %s", vm, host, p);
  if (leftovers[0] != NULL)
    g_error ("leftovers after moving %s: %s", vm, l);
}

typedef struct
{
  GAsyncResult *result;
} VmmTestWait;

static inline void
vmm_test_wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VmmTestWait *wait = user_data;

  wait->result = g_object_ref (result);
}

static inline GAsyncResult *
vmm_test_wait (VmmTestWait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return wait->result;
}
