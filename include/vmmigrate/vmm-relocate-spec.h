/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-disk-locator.h"
#include "vmm-service-locator.h"

G_BEGIN_DECLS

#define VMM_TYPE_RELOCATE_SPEC (vmm_relocate_spec_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmRelocateSpec, vmm_relocate_spec, VMM, RELOCATE_SPEC, GObject)

VMM_AVAILABLE_IN_ALL
VmmRelocateSpec *
vmm_relocate_spec_new (void);
VMM_AVAILABLE_IN_ALL
VmmRelocateSpec *
vmm_relocate_spec_new_from_json (const char *json, GError **error);
VMM_AVAILABLE_IN_ALL
char *
vmm_relocate_spec_to_json (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_relocate_spec_validate (VmmRelocateSpec *self, GError **error);
VMM_AVAILABLE_IN_ALL
VmmRelocateSpec *
vmm_relocate_spec_copy (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_relocate_spec_is_empty (VmmRelocateSpec *self);

VMM_AVAILABLE_IN_ALL
const char *
vmm_relocate_spec_get_host (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_host (VmmRelocateSpec *self, const char *host);
VMM_AVAILABLE_IN_ALL
const char *
vmm_relocate_spec_get_resource_pool (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_resource_pool (VmmRelocateSpec *self, const char *pool);
VMM_AVAILABLE_IN_ALL
const char *
vmm_relocate_spec_get_datastore (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_datastore (VmmRelocateSpec *self, const char *datastore);
VMM_AVAILABLE_IN_ALL
const char *
vmm_relocate_spec_get_folder (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_folder (VmmRelocateSpec *self, const char *folder);
VMM_AVAILABLE_IN_ALL
VmmServiceLocator *
vmm_relocate_spec_get_service_locator (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_service_locator (VmmRelocateSpec *self, VmmServiceLocator *locator);

VMM_AVAILABLE_IN_ALL
GPtrArray *
vmm_relocate_spec_get_disks (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_add_disk (VmmRelocateSpec *self, VmmDiskLocator *disk);
VMM_AVAILABLE_IN_ALL
VmmDiskLocator *
vmm_relocate_spec_lookup_disk (VmmRelocateSpec *self, const char *key);

VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_add_network_map (VmmRelocateSpec *self, const char *old_network,
                                   const char *new_network);
VMM_AVAILABLE_IN_ALL
const char *
vmm_relocate_spec_map_network (VmmRelocateSpec *self, const char *network);
VMM_AVAILABLE_IN_ALL
GHashTable *
vmm_relocate_spec_get_network_map (VmmRelocateSpec *self);

VMM_AVAILABLE_IN_ALL
VmmPriority
vmm_relocate_spec_get_priority (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_priority (VmmRelocateSpec *self, VmmPriority priority);
VMM_AVAILABLE_IN_ALL
VmmMigrationPreference
vmm_relocate_spec_get_migration_type (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_migration_type (VmmRelocateSpec *self, VmmMigrationPreference pref);

VMM_AVAILABLE_IN_ALL
guint
vmm_relocate_spec_get_max_downtime_ms (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_max_downtime_ms (VmmRelocateSpec *self, guint ms);
VMM_AVAILABLE_IN_ALL
guint
vmm_relocate_spec_get_bandwidth_mibps (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_bandwidth_mibps (VmmRelocateSpec *self, guint mibps);
VMM_AVAILABLE_IN_ALL
guint
vmm_relocate_spec_get_completion_timeout_s (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_completion_timeout_s (VmmRelocateSpec *self, guint seconds);
VMM_AVAILABLE_IN_ALL
VmmOnTimeoutAction
vmm_relocate_spec_get_on_timeout (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_on_timeout (VmmRelocateSpec *self, VmmOnTimeoutAction action);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_relocate_spec_get_auto_converge (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_auto_converge (VmmRelocateSpec *self, gboolean enabled);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_relocate_spec_get_post_copy (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_post_copy (VmmRelocateSpec *self, gboolean enabled);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_relocate_spec_get_compression (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_compression (VmmRelocateSpec *self, gboolean enabled);
VMM_AVAILABLE_IN_ALL
guint
vmm_relocate_spec_get_parallel_connections (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_parallel_connections (VmmRelocateSpec *self, guint connections);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_relocate_spec_get_allow_storage_class_change (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_allow_storage_class_change (VmmRelocateSpec *self, gboolean enabled);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_relocate_spec_get_allow_zone_change (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_allow_zone_change (VmmRelocateSpec *self, gboolean enabled);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_relocate_spec_get_detach_unreachable_devices (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_detach_unreachable_devices (VmmRelocateSpec *self, gboolean enabled);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_relocate_spec_get_fallback_other_host (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_fallback_other_host (VmmRelocateSpec *self, gboolean enabled);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_relocate_spec_get_fallback_cold (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_fallback_cold (VmmRelocateSpec *self, gboolean enabled);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_relocate_spec_get_keep_source_disks (VmmRelocateSpec *self);
VMM_AVAILABLE_IN_ALL
void
vmm_relocate_spec_set_keep_source_disks (VmmRelocateSpec *self, gboolean enabled);

G_END_DECLS
