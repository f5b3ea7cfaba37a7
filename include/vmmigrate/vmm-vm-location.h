/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-disk-info.h"

G_BEGIN_DECLS

#define VMM_TYPE_VM_LOCATION (vmm_vm_location_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmVmLocation, vmm_vm_location, VMM, VM_LOCATION, GObject)

VMM_AVAILABLE_IN_ALL
VmmVmLocation *vmm_vm_location_new (const char *vm, const char *record_host);
VMM_AVAILABLE_IN_ALL
const char *vmm_vm_location_get_vm_name (VmmVmLocation *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_vm_location_get_record_host (VmmVmLocation *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_location_add_host (VmmVmLocation *self, const char *host, gboolean running);
VMM_AVAILABLE_IN_ALL
const char *const *vmm_vm_location_get_hosts (VmmVmLocation *self);
VMM_AVAILABLE_IN_ALL
const char *const *vmm_vm_location_get_running_hosts (VmmVmLocation *self);
VMM_AVAILABLE_IN_ALL
void vmm_vm_location_add_disk (VmmVmLocation *self, VmmDiskInfo *disk);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_vm_location_get_disks (VmmVmLocation *self);
VMM_AVAILABLE_IN_ALL
gboolean vmm_vm_location_is_consistent (VmmVmLocation *self);
VMM_AVAILABLE_IN_ALL
char *vmm_vm_location_get_evidence (VmmVmLocation *self);

G_END_DECLS
