/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-backend.h"
#include "vmm-check.h"
#include "vmm-relocate-spec.h"

G_BEGIN_DECLS

typedef struct _VmmAction VmmAction;

#define VMM_TYPE_MIGRATION_CONTEXT (vmm_migration_context_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmMigrationContext, vmm_migration_context, VMM, MIGRATION_CONTEXT, GObject)

VMM_AVAILABLE_IN_ALL
VmmRelocateSpec *
vmm_migration_context_get_spec (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
VmmBackend *
vmm_migration_context_get_backend (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
const char *
vmm_migration_context_get_vm_name (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
VmmVmInfo *
vmm_migration_context_get_vm (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
VmmInventory *
vmm_migration_context_get_inventory (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_migration_context_is_dry_run (VmmMigrationContext *self);

VMM_AVAILABLE_IN_ALL
const char *
vmm_migration_context_get_source_host (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
const char *
vmm_migration_context_get_source_pool (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
const char *
vmm_migration_context_get_source_datastore (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
const char *
vmm_migration_context_get_destination_host (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
void
vmm_migration_context_set_destination_host (VmmMigrationContext *self, const char *host);
VMM_AVAILABLE_IN_ALL
const char *
vmm_migration_context_get_destination_pool (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
void
vmm_migration_context_set_destination_pool (VmmMigrationContext *self, const char *pool);
VMM_AVAILABLE_IN_ALL
const char *
vmm_migration_context_get_destination_datastore (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
void
vmm_migration_context_set_destination_datastore (VmmMigrationContext *self, const char *datastore);
VMM_AVAILABLE_IN_ALL
const char *
vmm_migration_context_get_destination_folder (VmmMigrationContext *self);

VMM_AVAILABLE_IN_ALL
VmmMigrationType
vmm_migration_context_get_migration_type (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_migration_context_get_cold_restart (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_migration_context_record_recovery_data (VmmMigrationContext *self, const char *data,
                                            GError **error);
VMM_AVAILABLE_IN_ALL
void
vmm_migration_context_set_migration_type (VmmMigrationContext *self, VmmMigrationType type);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_migration_context_changes_host (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_migration_context_changes_primary_datastore (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_migration_context_changes_disk_datastores (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_migration_context_changes_pool (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_migration_context_is_cross_manager (VmmMigrationContext *self);

VMM_AVAILABLE_IN_ALL
GPtrArray *
vmm_migration_context_get_target_disks (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
VmmDiskInfo *
vmm_migration_context_lookup_target_disk (VmmMigrationContext *self, const char *key);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_migration_context_disk_moves (VmmMigrationContext *self, const char *key);

VMM_AVAILABLE_IN_ALL
void
vmm_migration_context_append_action (VmmMigrationContext *self, VmmAction *action);
VMM_AVAILABLE_IN_ALL
void
vmm_migration_context_report_transfer (VmmMigrationContext *self, guint64 bytes_done,
                                       guint64 bytes_total);
VMM_AVAILABLE_IN_ALL
void
vmm_migration_context_add_warning (VmmMigrationContext *self, const char *message);
VMM_AVAILABLE_IN_ALL
void
vmm_migration_context_set_downtime_ms (VmmMigrationContext *self, gint64 downtime_ms);
VMM_AVAILABLE_IN_ALL
void
vmm_migration_context_veto (VmmMigrationContext *self, const char *reason);

VMM_AVAILABLE_IN_ALL
void
vmm_migration_context_add_check (VmmMigrationContext *self, VmmCheck *check);
VMM_AVAILABLE_IN_ALL
GPtrArray *
vmm_migration_context_get_checks (VmmMigrationContext *self);

VMM_AVAILABLE_IN_ALL
gpointer
vmm_migration_context_get_backend_data (VmmMigrationContext *self);
VMM_AVAILABLE_IN_ALL
void
vmm_migration_context_set_backend_data (VmmMigrationContext *self, gpointer data,
                                        GDestroyNotify destroy);

G_END_DECLS
