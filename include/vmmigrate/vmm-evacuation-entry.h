/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-migration-result.h"

G_BEGIN_DECLS

/**
 * VmmEvacuationOutcome:
 * @VMM_EVACUATION_MOVED: the VM left the host
 * @VMM_EVACUATION_FAILED: its migration failed; the message says why and where it is
 * @VMM_EVACUATION_SKIPPED: the engine did not try: no host can take it, or the
 *   policy excludes it; the message says why
 *
 * What happened to one VM of an evacuation.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_EVACUATION_MOVED,
  VMM_EVACUATION_FAILED,
  VMM_EVACUATION_SKIPPED,
} VmmEvacuationOutcome;

/**
 * VmmEvacuateFlags:
 * @VMM_EVACUATE_FLAGS_NONE: no flag
 * @VMM_EVACUATE_FLAGS_DISABLE_HOST: disable the host for new VMs first (needs
 *   %VMM_BACKEND_CAPABILITY_DISABLE_HOST)
 * @VMM_EVACUATE_FLAGS_REENABLE_HOST: enable the host again at the end
 * @VMM_EVACUATE_FLAGS_SKIP_POWERED_OFF: leave powered-off VMs where they are
 *
 * How an evacuation runs.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/ {
  VMM_EVACUATE_FLAGS_NONE = 0,
  VMM_EVACUATE_FLAGS_DISABLE_HOST = 1 << 0,
  VMM_EVACUATE_FLAGS_REENABLE_HOST = 1 << 1,
  VMM_EVACUATE_FLAGS_SKIP_POWERED_OFF = 1 << 2,
} VmmEvacuateFlags;

#define VMM_TYPE_EVACUATION_ENTRY (vmm_evacuation_entry_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmEvacuationEntry, vmm_evacuation_entry, VMM, EVACUATION_ENTRY, GObject)

VMM_AVAILABLE_IN_ALL
const char *vmm_evacuation_entry_get_vm_name (VmmEvacuationEntry *self);
VMM_AVAILABLE_IN_ALL
VmmEvacuationOutcome vmm_evacuation_entry_get_outcome (VmmEvacuationEntry *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_evacuation_entry_get_host (VmmEvacuationEntry *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_evacuation_entry_get_message (VmmEvacuationEntry *self);
VMM_AVAILABLE_IN_ALL
VmmMigrationResult *vmm_evacuation_entry_get_result (VmmEvacuationEntry *self);

G_END_DECLS
