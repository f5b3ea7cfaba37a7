/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vmm-private.h"

G_BEGIN_DECLS

#define VMM_TYPE_LIBVIRT_BACKEND (vmm_libvirt_backend_get_type ())
G_DECLARE_FINAL_TYPE (VmmLibvirtBackend, vmm_libvirt_backend, VMM, LIBVIRT_BACKEND, VmmBackend)

G_END_DECLS
