/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

/* Called once, when the extension point is registered. */
void
vmm_backends_ensure_builtin (void)
{
  vmm_sim_backend_register ();
#ifdef VMM_HAVE_LIBVIRT
  vmm_libvirt_backend_register ();
#endif
#ifdef VMM_HAVE_NOVA
  vmm_nova_backend_register ();
#endif
#ifdef VMM_HAVE_VSPHERE
  vmm_vsphere_backend_register ();
#endif
}
