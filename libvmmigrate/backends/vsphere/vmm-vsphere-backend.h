/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vmm-private.h"

G_BEGIN_DECLS

#define VMM_TYPE_VSPHERE_BACKEND (vmm_vsphere_backend_get_type ())
G_DECLARE_FINAL_TYPE (VmmVsphereBackend, vmm_vsphere_backend, VMM, VSPHERE_BACKEND, VmmBackend)

guint
vmm_vsphere_backend_get_n_logins (VmmVsphereBackend *self);

G_END_DECLS
