/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-device-info.h"
#include "vmm-disk-info.h"

G_BEGIN_DECLS

#define VMM_TYPE_VM_INFO (vmm_vm_info_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmVmInfo, vmm_vm_info, VMM, VM_INFO, GObject)

VMM_AVAILABLE_IN_ALL
VmmVmInfo *vmm_vm_info_new (const char *name);
VMM_AVAILABLE_IN_ALL
VmmVmInfo *vmm_vm_info_copy (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_vm_info_get_name (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_vm_info_get_id (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_set_id (VmmVmInfo *self, const char *id);
VMM_AVAILABLE_IN_ALL
const char *vmm_vm_info_get_host (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_set_host (VmmVmInfo *self, const char *host);
VMM_AVAILABLE_IN_ALL
const char *vmm_vm_info_get_resource_pool (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_set_resource_pool (VmmVmInfo *self, const char *pool);
VMM_AVAILABLE_IN_ALL
const char *vmm_vm_info_get_datastore (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_set_datastore (VmmVmInfo *self, const char *datastore);
VMM_AVAILABLE_IN_ALL
const char *vmm_vm_info_get_folder (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_set_folder (VmmVmInfo *self, const char *folder);
VMM_AVAILABLE_IN_ALL
VmmPowerState vmm_vm_info_get_power_state (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_set_power_state (VmmVmInfo *self, VmmPowerState state);
VMM_AVAILABLE_IN_ALL
guint64 vmm_vm_info_get_memory_mib (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_set_memory_mib (VmmVmInfo *self, guint64 mib);
VMM_AVAILABLE_IN_ALL
guint vmm_vm_info_get_vcpus (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_set_vcpus (VmmVmInfo *self, guint vcpus);
VMM_AVAILABLE_IN_ALL
const char *const *vmm_vm_info_get_cpu_features (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_set_cpu_features (VmmVmInfo *self, const char *const *features);
VMM_AVAILABLE_IN_ALL
gboolean vmm_vm_info_get_migrating (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_set_migrating (VmmVmInfo *self, gboolean migrating);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_vm_info_get_disks (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_add_disk (VmmVmInfo *self, VmmDiskInfo *disk);
VMM_AVAILABLE_IN_ALL
VmmDiskInfo *vmm_vm_info_lookup_disk (VmmVmInfo *self, const char *key);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_vm_info_get_devices (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_add_device (VmmVmInfo *self, VmmDeviceInfo *device);
VMM_AVAILABLE_IN_ALL
guint64 vmm_vm_info_get_dirty_rate (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_set_dirty_rate (VmmVmInfo *self, guint64 bytes_per_second);
VMM_AVAILABLE_IN_ALL
guint64 vmm_vm_info_get_storage_size (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
const char *const *vmm_vm_info_get_required_metadata (VmmVmInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_info_set_required_metadata (VmmVmInfo *self, const char *const *metadata);

G_END_DECLS
