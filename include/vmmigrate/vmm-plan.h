/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-action.h"
#include "vmm-candidate.h"

G_BEGIN_DECLS

#define VMM_TYPE_PLAN (vmm_plan_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmPlan, vmm_plan, VMM, PLAN, GObject)

VMM_AVAILABLE_IN_ALL
VmmMigrationType vmm_plan_get_migration_type (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_plan_get_actions (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
char **vmm_plan_get_action_names (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_plan_get_vm_name (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_plan_get_source_host (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_plan_get_destination_host (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_plan_get_destination_pool (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_plan_get_destination_datastore (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_plan_get_target_disks (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
const char *const *vmm_plan_get_warnings (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_plan_get_checks (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_plan_get_candidates (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
gboolean vmm_plan_is_feasible (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
gint64 vmm_plan_get_estimated_duration_ms (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
gint64 vmm_plan_get_estimated_downtime_ms (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
char *vmm_plan_to_string (VmmPlan *self);
VMM_AVAILABLE_IN_ALL
char *vmm_plan_to_json (VmmPlan *self);

G_END_DECLS
