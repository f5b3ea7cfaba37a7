/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-disk-info.h"

G_BEGIN_DECLS

#define VMM_TYPE_MIGRATION_RESULT (vmm_migration_result_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmMigrationResult, vmm_migration_result, VMM, MIGRATION_RESULT, GObject)

VMM_AVAILABLE_IN_ALL
const char *vmm_migration_result_get_vm_name (VmmMigrationResult *self);
VMM_AVAILABLE_IN_ALL
VmmMigrationType vmm_migration_result_get_migration_type (VmmMigrationResult *self);
VMM_AVAILABLE_IN_ALL
gboolean vmm_migration_result_get_moved (VmmMigrationResult *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_migration_result_get_host (VmmMigrationResult *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_migration_result_get_resource_pool (VmmMigrationResult *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_migration_result_get_datastore (VmmMigrationResult *self);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_migration_result_get_disks (VmmMigrationResult *self);
VMM_AVAILABLE_IN_ALL
VmmDiskInfo *vmm_migration_result_lookup_disk (VmmMigrationResult *self, const char *key);
VMM_AVAILABLE_IN_ALL
const char *const *vmm_migration_result_get_actions (VmmMigrationResult *self);
VMM_AVAILABLE_IN_ALL
gint64 vmm_migration_result_get_duration_ms (VmmMigrationResult *self);
VMM_AVAILABLE_IN_ALL
gint64 vmm_migration_result_get_downtime_ms (VmmMigrationResult *self);
VMM_AVAILABLE_IN_ALL
guint64 vmm_migration_result_get_bytes_moved (VmmMigrationResult *self);
VMM_AVAILABLE_IN_ALL
const char *const *vmm_migration_result_get_warnings (VmmMigrationResult *self);
VMM_AVAILABLE_IN_ALL
const char *const *vmm_migration_result_get_attempts (VmmMigrationResult *self);
VMM_AVAILABLE_IN_ALL
char *vmm_migration_result_to_json (VmmMigrationResult *self);

G_END_DECLS
