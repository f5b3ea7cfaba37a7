/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-types.h"
#include "vmm-version.h"

G_BEGIN_DECLS

#define VMM_TYPE_DISK_INFO (vmm_disk_info_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmDiskInfo, vmm_disk_info, VMM, DISK_INFO, GObject)

VMM_AVAILABLE_IN_ALL
VmmDiskInfo *vmm_disk_info_new (const char *key, const char *datastore, const char *path);
VMM_AVAILABLE_IN_ALL
VmmDiskInfo *vmm_disk_info_copy (VmmDiskInfo *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_disk_info_get_key (VmmDiskInfo *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_disk_info_get_datastore (VmmDiskInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_disk_info_set_datastore (VmmDiskInfo *self, const char *datastore);
VMM_AVAILABLE_IN_ALL
const char *vmm_disk_info_get_path (VmmDiskInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_disk_info_set_path (VmmDiskInfo *self, const char *path);
VMM_AVAILABLE_IN_ALL
guint64 vmm_disk_info_get_capacity (VmmDiskInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_disk_info_set_capacity (VmmDiskInfo *self, guint64 bytes);
VMM_AVAILABLE_IN_ALL
guint64 vmm_disk_info_get_allocation (VmmDiskInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_disk_info_set_allocation (VmmDiskInfo *self, guint64 bytes);
VMM_AVAILABLE_IN_ALL
const char *vmm_disk_info_get_format (VmmDiskInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_disk_info_set_format (VmmDiskInfo *self, const char *format);
VMM_AVAILABLE_IN_ALL
guint vmm_disk_info_get_snapshots (VmmDiskInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_disk_info_set_snapshots (VmmDiskInfo *self, guint snapshots);

G_END_DECLS
