/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-action.h"
#include "vmm-migration-result.h"
#include "vmm-plan.h"

G_BEGIN_DECLS

#define VMM_TYPE_MIGRATION (vmm_migration_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (VmmMigration, vmm_migration, VMM, MIGRATION, GObject)

/**
 * VmmMigrationClass:
 * @parent_class: the parent class
 * @action_started: class handler of #VmmMigration::action-started
 * @action_finished: class handler of #VmmMigration::action-finished
 * @progress: class handler of #VmmMigration::progress
 * @warning: class handler of #VmmMigration::warning
 * @state_changed: class handler of #VmmMigration::state-changed
 * @ready: class handler of #VmmMigration::ready
 *
 * Every signal has a class handler, so a program can subclass the
 * migration to draw its progress (see vmm_engine_create_migration_with_type()).
 *
 * Since: 1.0
 */
struct _VmmMigrationClass
{
  GObjectClass parent_class;

  void (*action_started) (VmmMigration *self, VmmAction *action);
  void (*action_finished) (VmmMigration *self, VmmAction *action, const GError *error);
  void (*progress) (VmmMigration *self,
                    double fraction,
                    guint64 bytes_done,
                    guint64 bytes_total,
                    gint64 eta_ms);
  void (*warning) (VmmMigration *self, const char *message);
  void (*state_changed) (VmmMigration *self, VmmMigrationState old_state, VmmMigrationState new_state);
  gboolean (*ready) (VmmMigration *self, VmmMigrationContext *context);

  /*< private >*/
  gpointer padding[16];
};

VMM_AVAILABLE_IN_ALL
const char *vmm_migration_get_vm_name (VmmMigration *self);
VMM_AVAILABLE_IN_ALL
VmmBackend *vmm_migration_get_backend (VmmMigration *self);
VMM_AVAILABLE_IN_ALL
VmmRelocateSpec *vmm_migration_get_spec (VmmMigration *self);
VMM_AVAILABLE_IN_ALL
VmmMigrationState vmm_migration_get_state (VmmMigration *self);
VMM_AVAILABLE_IN_ALL
double vmm_migration_get_fraction (VmmMigration *self);
VMM_AVAILABLE_IN_ALL
VmmAction *vmm_migration_get_current_action (VmmMigration *self);
VMM_AVAILABLE_IN_ALL
VmmMigrationResult *vmm_migration_get_result (VmmMigration *self);
VMM_AVAILABLE_IN_ALL
VmmPlan *vmm_migration_get_plan (VmmMigration *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_migration_get_journal_id (VmmMigration *self);

VMM_AVAILABLE_IN_ALL
void vmm_migration_plan_async (VmmMigration *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
VMM_AVAILABLE_IN_ALL
VmmPlan *vmm_migration_plan_finish (VmmMigration *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
VmmPlan *vmm_migration_plan (VmmMigration *self, GCancellable *cancellable, GError **error);

VMM_AVAILABLE_IN_ALL
void vmm_migration_run_async (VmmMigration *self,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
VMM_AVAILABLE_IN_ALL
VmmMigrationResult *vmm_migration_run_finish (VmmMigration *self,
                                              GAsyncResult *result,
                                              GError **error);
VMM_AVAILABLE_IN_ALL
VmmMigrationResult *vmm_migration_run_sync (VmmMigration *self,
                                            GCancellable *cancellable,
                                            GError **error);

G_END_DECLS
