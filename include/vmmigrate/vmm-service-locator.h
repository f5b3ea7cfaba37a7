/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-types.h"
#include "vmm-version.h"

G_BEGIN_DECLS

#define VMM_TYPE_SERVICE_LOCATOR (vmm_service_locator_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmServiceLocator, vmm_service_locator, VMM, SERVICE_LOCATOR, GObject)

VMM_AVAILABLE_IN_ALL
VmmServiceLocator *vmm_service_locator_new (const char *url);
VMM_AVAILABLE_IN_ALL
const char *vmm_service_locator_get_url (VmmServiceLocator *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_service_locator_get_credential (VmmServiceLocator *self);
VMM_AVAILABLE_IN_ALL
void vmm_service_locator_set_credential (VmmServiceLocator *self, const char *credential);
VMM_AVAILABLE_IN_ALL
const char *vmm_service_locator_get_ssl_thumbprint (VmmServiceLocator *self);
VMM_AVAILABLE_IN_ALL
void vmm_service_locator_set_ssl_thumbprint (VmmServiceLocator *self, const char *thumbprint);

G_END_DECLS
