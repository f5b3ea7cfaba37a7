/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-backend.h"
#include "vmm-error.h"

G_BEGIN_DECLS

#define VMM_TYPE_SIM_BACKEND (vmm_sim_backend_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmSimBackend, vmm_sim_backend, VMM, SIM_BACKEND, VmmBackend)

/**
 * VmmSimFaultKind:
 * @VMM_SIM_FAULT_FAIL: the step fails with the given error
 * @VMM_SIM_FAULT_HANG: the step never finishes until it is cancelled or aborted
 * @VMM_SIM_FAULT_LOSE_DATASTORE: the destination datastore goes offline half-way
 *   through the step's copy
 * @VMM_SIM_FAULT_FAIL_UNDO: the step's undo fails
 *
 * What an injected fault does.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_SIM_FAULT_FAIL,
  VMM_SIM_FAULT_HANG,
  VMM_SIM_FAULT_LOSE_DATASTORE,
  VMM_SIM_FAULT_FAIL_UNDO,
} VmmSimFaultKind;

VMM_AVAILABLE_IN_ALL
VmmBackend *vmm_sim_backend_new_from_json (const char *json, GError **error);
VMM_AVAILABLE_IN_ALL
char *vmm_sim_backend_to_json (VmmSimBackend *self);
VMM_AVAILABLE_IN_ALL
gboolean vmm_sim_backend_save (VmmSimBackend *self, const char *path, GError **error);
VMM_AVAILABLE_IN_ALL
void vmm_sim_backend_set_timing (VmmSimBackend *self, guint step_latency_ms, guint transfer_mibps);
VMM_AVAILABLE_IN_ALL
void vmm_sim_backend_inject_fault (VmmSimBackend *self,
                                   const char *vm,
                                   VmmStep step,
                                   VmmSimFaultKind kind,
                                   VmmError code,
                                   int count);
VMM_AVAILABLE_IN_ALL
void vmm_sim_backend_clear_faults (VmmSimBackend *self);
VMM_AVAILABLE_IN_ALL
char **vmm_sim_backend_locate_vm (VmmSimBackend *self, const char *vm);
VMM_AVAILABLE_IN_ALL
char **vmm_sim_backend_list_leftovers (VmmSimBackend *self);
VMM_AVAILABLE_IN_ALL
gboolean vmm_sim_backend_set_datastore_online (VmmSimBackend *self,
                                               const char *datastore,
                                               gboolean online);
VMM_AVAILABLE_IN_ALL
guint vmm_sim_backend_get_step_count (VmmSimBackend *self);

G_END_DECLS
