/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-types.h"
#include "vmm-version.h"

G_BEGIN_DECLS

#define VMM_TYPE_DISK_LOCATOR (vmm_disk_locator_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmDiskLocator, vmm_disk_locator, VMM, DISK_LOCATOR, GObject)

VMM_AVAILABLE_IN_ALL
VmmDiskLocator *vmm_disk_locator_new (const char *key, const char *datastore);
VMM_AVAILABLE_IN_ALL
const char *vmm_disk_locator_get_key (VmmDiskLocator *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_disk_locator_get_datastore (VmmDiskLocator *self);
VMM_AVAILABLE_IN_ALL
VmmDiskMoveType vmm_disk_locator_get_move_type (VmmDiskLocator *self);
VMM_AVAILABLE_IN_ALL
void vmm_disk_locator_set_move_type (VmmDiskLocator *self, VmmDiskMoveType move_type);
VMM_AVAILABLE_IN_ALL
VmmDiskTransform vmm_disk_locator_get_transform (VmmDiskLocator *self);
VMM_AVAILABLE_IN_ALL
void vmm_disk_locator_set_transform (VmmDiskLocator *self, VmmDiskTransform transform);

G_END_DECLS
