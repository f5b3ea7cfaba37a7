/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-types.h"
#include "vmm-version.h"

G_BEGIN_DECLS

#define VMM_TYPE_DEVICE_INFO (vmm_device_info_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmDeviceInfo, vmm_device_info, VMM, DEVICE_INFO, GObject)

VMM_AVAILABLE_IN_ALL
VmmDeviceInfo *vmm_device_info_new (const char *key, VmmDeviceKind kind);
VMM_AVAILABLE_IN_ALL
const char *vmm_device_info_get_key (VmmDeviceInfo *self);
VMM_AVAILABLE_IN_ALL
VmmDeviceKind vmm_device_info_get_kind (VmmDeviceInfo *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_device_info_get_backing_datastore (VmmDeviceInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_device_info_set_backing_datastore (VmmDeviceInfo *self, const char *datastore);
VMM_AVAILABLE_IN_ALL
const char *vmm_device_info_get_backing_path (VmmDeviceInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_device_info_set_backing_path (VmmDeviceInfo *self, const char *path);
VMM_AVAILABLE_IN_ALL
const char *vmm_device_info_get_network (VmmDeviceInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_device_info_set_network (VmmDeviceInfo *self, const char *network);
VMM_AVAILABLE_IN_ALL
gboolean vmm_device_info_get_connected (VmmDeviceInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_device_info_set_connected (VmmDeviceInfo *self, gboolean connected);

G_END_DECLS
