/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmmigrate.h"

/**
 * vmm_error_quark:
 *
 * The error domain of libvmmigrate.
 *
 * Returns: the quark of %VMM_ERROR
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (vmm - error - quark, vmm_error)
