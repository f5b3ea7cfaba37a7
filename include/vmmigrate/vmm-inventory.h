/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-datastore-info.h"
#include "vmm-host-info.h"
#include "vmm-vm-info.h"

G_BEGIN_DECLS

#define VMM_TYPE_INVENTORY (vmm_inventory_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmInventory, vmm_inventory, VMM, INVENTORY, GObject)

VMM_AVAILABLE_IN_ALL
VmmInventory *vmm_inventory_new (void);
VMM_AVAILABLE_IN_ALL
void vmm_inventory_add_host (VmmInventory *self, VmmHostInfo *host);
VMM_AVAILABLE_IN_ALL
void vmm_inventory_add_datastore (VmmInventory *self, VmmDatastoreInfo *datastore);
VMM_AVAILABLE_IN_ALL
void vmm_inventory_add_vm (VmmInventory *self, VmmVmInfo *vm);
VMM_AVAILABLE_IN_ALL
gboolean vmm_inventory_remove_vm (VmmInventory *self, const char *name);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_inventory_get_hosts (VmmInventory *self);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_inventory_get_datastores (VmmInventory *self);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_inventory_get_vms (VmmInventory *self);
VMM_AVAILABLE_IN_ALL
char **vmm_inventory_get_networks (VmmInventory *self);
VMM_AVAILABLE_IN_ALL
VmmHostInfo *vmm_inventory_lookup_host (VmmInventory *self, const char *name);
VMM_AVAILABLE_IN_ALL
VmmDatastoreInfo *vmm_inventory_lookup_datastore (VmmInventory *self, const char *name);
VMM_AVAILABLE_IN_ALL
VmmVmInfo *vmm_inventory_lookup_vm (VmmInventory *self, const char *name);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_inventory_get_vms_on_host (VmmInventory *self, const char *host);

G_END_DECLS
