/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-error.h"
#include "vmm-types.h"
#include "vmm-version.h"

G_BEGIN_DECLS

/**
 * VmmCheckSeverity:
 * @VMM_CHECK_SEVERITY_ERROR: the move cannot go ahead
 * @VMM_CHECK_SEVERITY_WARNING: the move can go ahead but may lose something
 *
 * How much a precheck result matters.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_CHECK_SEVERITY_ERROR,
  VMM_CHECK_SEVERITY_WARNING,
} VmmCheckSeverity;

#define VMM_TYPE_CHECK (vmm_check_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmCheck, vmm_check, VMM, CHECK, GObject)

VMM_AVAILABLE_IN_ALL
VmmCheck *vmm_check_new (const char *code,
                         VmmCheckSeverity severity,
                         VmmError error_code,
                         const char *subject,
                         const char *message,
                         const char *remedy);
VMM_AVAILABLE_IN_ALL
const char *vmm_check_get_code (VmmCheck *self);
VMM_AVAILABLE_IN_ALL
VmmCheckSeverity vmm_check_get_severity (VmmCheck *self);
VMM_AVAILABLE_IN_ALL
VmmError vmm_check_get_error_code (VmmCheck *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_check_get_subject (VmmCheck *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_check_get_message (VmmCheck *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_check_get_remedy (VmmCheck *self);
VMM_AVAILABLE_IN_ALL
char *vmm_check_to_string (VmmCheck *self);

G_END_DECLS
