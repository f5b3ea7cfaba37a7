/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-check.h"

G_BEGIN_DECLS

#define VMM_TYPE_CANDIDATE (vmm_candidate_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmCandidate, vmm_candidate, VMM, CANDIDATE, GObject)

VMM_AVAILABLE_IN_ALL
const char *vmm_candidate_get_host (VmmCandidate *self);
VMM_AVAILABLE_IN_ALL
gboolean vmm_candidate_get_suitable (VmmCandidate *self);
VMM_AVAILABLE_IN_ALL
gboolean vmm_candidate_get_requires_storage_motion (VmmCandidate *self);
VMM_AVAILABLE_IN_ALL
double vmm_candidate_get_score (VmmCandidate *self);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_candidate_get_checks (VmmCandidate *self);
VMM_AVAILABLE_IN_ALL
char *vmm_candidate_to_string (VmmCandidate *self);

G_END_DECLS
