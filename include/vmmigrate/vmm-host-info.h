/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-types.h"
#include "vmm-version.h"

G_BEGIN_DECLS

#define VMM_TYPE_HOST_INFO (vmm_host_info_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmHostInfo, vmm_host_info, VMM, HOST_INFO, GObject)

VMM_AVAILABLE_IN_ALL
VmmHostInfo *
vmm_host_info_new (const char *name);
VMM_AVAILABLE_IN_ALL
const char *
vmm_host_info_get_name (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
const char *
vmm_host_info_get_manager (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_manager (VmmHostInfo *self, const char *manager);
VMM_AVAILABLE_IN_ALL
const char *
vmm_host_info_get_datacenter (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_datacenter (VmmHostInfo *self, const char *datacenter);
VMM_AVAILABLE_IN_ALL
const char *
vmm_host_info_get_cluster (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_cluster (VmmHostInfo *self, const char *cluster);
VMM_AVAILABLE_IN_ALL
const char *
vmm_host_info_get_zone (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_zone (VmmHostInfo *self, const char *zone);
VMM_AVAILABLE_IN_ALL
const char *
vmm_host_info_get_migration_problem (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_migration_problem (VmmHostInfo *self, const char *problem);
VMM_AVAILABLE_IN_ALL
VmmHostState
vmm_host_info_get_state (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_state (VmmHostInfo *self, VmmHostState state);
VMM_AVAILABLE_IN_ALL
const char *
vmm_host_info_get_cpu_model (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_cpu_model (VmmHostInfo *self, const char *model);
VMM_AVAILABLE_IN_ALL
const char *const *
vmm_host_info_get_cpu_features (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_cpu_features (VmmHostInfo *self, const char *const *features);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_host_info_has_cpu_feature (VmmHostInfo *self, const char *feature);
VMM_AVAILABLE_IN_ALL
guint64
vmm_host_info_get_memory_mib (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_memory_mib (VmmHostInfo *self, guint64 mib);
VMM_AVAILABLE_IN_ALL
guint64
vmm_host_info_get_memory_used_mib (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_memory_used_mib (VmmHostInfo *self, guint64 mib);
VMM_AVAILABLE_IN_ALL
guint
vmm_host_info_get_vcpus (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_vcpus (VmmHostInfo *self, guint vcpus);
VMM_AVAILABLE_IN_ALL
guint
vmm_host_info_get_vcpus_used (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_vcpus_used (VmmHostInfo *self, guint vcpus);
VMM_AVAILABLE_IN_ALL
double
vmm_host_info_get_cpu_overcommit (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_cpu_overcommit (VmmHostInfo *self, double ratio);
VMM_AVAILABLE_IN_ALL
const char *const *
vmm_host_info_get_networks (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_networks (VmmHostInfo *self, const char *const *networks);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_host_info_has_network (VmmHostInfo *self, const char *network);
VMM_AVAILABLE_IN_ALL
const char *const *
vmm_host_info_get_datastores (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_datastores (VmmHostInfo *self, const char *const *datastores);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_host_info_has_datastore (VmmHostInfo *self, const char *datastore);
VMM_AVAILABLE_IN_ALL
const char *const *
vmm_host_info_get_pools (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_pools (VmmHostInfo *self, const char *const *pools);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_host_info_has_pool (VmmHostInfo *self, const char *pool);
VMM_AVAILABLE_IN_ALL
const char *
vmm_host_info_get_default_pool (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_default_pool (VmmHostInfo *self, const char *pool);
VMM_AVAILABLE_IN_ALL
const char *const *
vmm_host_info_get_metadata (VmmHostInfo *self);
VMM_AVAILABLE_IN_ALL
void
vmm_host_info_set_metadata (VmmHostInfo *self, const char *const *metadata);

G_END_DECLS
