/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-migration-context.h"

G_BEGIN_DECLS

/**
 * VmmActionPerformer:
 * @VMM_ACTION_PERFORMER_ENGINE: the engine does it (checks, placement, planning)
 * @VMM_ACTION_PERFORMER_BACKEND: the backend performs it on the platform
 * @VMM_ACTION_PERFORMER_PLATFORM: the platform does it inside another action's
 *   call; nothing runs for it
 * @VMM_ACTION_PERFORMER_NOBODY: the platform needs nothing for it
 * @VMM_ACTION_PERFORMER_CALLER: the caller's callbacks
 *
 * Who performs an action, as the plan shows it.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_ACTION_PERFORMER_ENGINE,
  VMM_ACTION_PERFORMER_BACKEND,
  VMM_ACTION_PERFORMER_PLATFORM,
  VMM_ACTION_PERFORMER_NOBODY,
  VMM_ACTION_PERFORMER_CALLER,
} VmmActionPerformer;

#define VMM_TYPE_ACTION (vmm_action_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (VmmAction, vmm_action, VMM, ACTION, GObject)

/**
 * VmmActionClass:
 * @parent_class: the parent class
 * @run_async: do the action
 * @run_finish: finish the action
 * @undo_async: compensate the action after a later one failed; %NULL when the
 *   action changes nothing
 * @undo_finish: finish the compensation
 *
 * An action of the migration workflow. Actions run in queue order; an action
 * may append more actions through vmm_migration_context_append_action().
 *
 * Since: 1.0
 */
struct _VmmActionClass
{
  GObjectClass parent_class;

  void (*run_async) (VmmAction *self,
                     VmmMigrationContext *context,
                     GCancellable *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer user_data);
  gboolean (*run_finish) (VmmAction *self, GAsyncResult *result, GError **error);
  void (*undo_async) (VmmAction *self,
                      VmmMigrationContext *context,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data);
  gboolean (*undo_finish) (VmmAction *self, GAsyncResult *result, GError **error);

  /*< private >*/
  gpointer padding[12];
};

VMM_AVAILABLE_IN_ALL
const char *vmm_action_get_name (VmmAction *self);
VMM_AVAILABLE_IN_ALL
VmmActionPerformer vmm_action_get_performer (VmmAction *self);
VMM_AVAILABLE_IN_ALL
gboolean vmm_action_get_transfers_data (VmmAction *self);
VMM_AVAILABLE_IN_ALL
gboolean vmm_action_get_point_of_no_return (VmmAction *self);
VMM_AVAILABLE_IN_ALL
gboolean vmm_action_has_undo (VmmAction *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_action_get_description (VmmAction *self);

VMM_AVAILABLE_IN_ALL
void vmm_action_run_async (VmmAction *self,
                           VmmMigrationContext *context,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data);
VMM_AVAILABLE_IN_ALL
gboolean vmm_action_run_finish (VmmAction *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
void vmm_action_undo_async (VmmAction *self,
                            VmmMigrationContext *context,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data);
VMM_AVAILABLE_IN_ALL
gboolean vmm_action_undo_finish (VmmAction *self, GAsyncResult *result, GError **error);

G_END_DECLS
