/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-types.h"
#include "vmm-version.h"

G_BEGIN_DECLS

#define VMM_TYPE_DATASTORE_INFO (vmm_datastore_info_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmDatastoreInfo, vmm_datastore_info, VMM, DATASTORE_INFO, GObject)

VMM_AVAILABLE_IN_ALL
VmmDatastoreInfo *vmm_datastore_info_new (const char *name);
VMM_AVAILABLE_IN_ALL
const char *vmm_datastore_info_get_name (VmmDatastoreInfo *self);
VMM_AVAILABLE_IN_ALL
gboolean vmm_datastore_info_get_shared (VmmDatastoreInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_datastore_info_set_shared (VmmDatastoreInfo *self, gboolean shared);
VMM_AVAILABLE_IN_ALL
gboolean vmm_datastore_info_get_online (VmmDatastoreInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_datastore_info_set_online (VmmDatastoreInfo *self, gboolean online);
VMM_AVAILABLE_IN_ALL
guint64 vmm_datastore_info_get_capacity (VmmDatastoreInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_datastore_info_set_capacity (VmmDatastoreInfo *self, guint64 bytes);
VMM_AVAILABLE_IN_ALL
guint64 vmm_datastore_info_get_free (VmmDatastoreInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_datastore_info_set_free (VmmDatastoreInfo *self, guint64 bytes);
VMM_AVAILABLE_IN_ALL
const char *vmm_datastore_info_get_path (VmmDatastoreInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_datastore_info_set_path (VmmDatastoreInfo *self, const char *path);
VMM_AVAILABLE_IN_ALL
const char *const *vmm_datastore_info_get_hosts (VmmDatastoreInfo *self);
VMM_AVAILABLE_IN_ALL
void vmm_datastore_info_set_hosts (VmmDatastoreInfo *self, const char *const *hosts);
VMM_AVAILABLE_IN_ALL
gboolean vmm_datastore_info_is_mounted_on (VmmDatastoreInfo *self, const char *host);

G_END_DECLS
