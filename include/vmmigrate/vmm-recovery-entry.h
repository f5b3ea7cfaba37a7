/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include <glib-object.h>

#include "vmm-version.h"

G_BEGIN_DECLS

/**
 * VmmRecoveryOutcome:
 * @VMM_RECOVERY_ON_SOURCE: the move never switched over; the VM is on its
 *   source, defined there only, and nothing the move created is left
 * @VMM_RECOVERY_ON_DESTINATION: the move had switched over; the VM is on
 *   its destination only, and the manager's record agrees
 * @VMM_RECOVERY_NEEDS_ATTENTION: the facts do not allow a safe decision (the
 *   VM defined in two places, a record that disagrees with the hypervisors,
 *   steps whose leftovers cannot be undone from here); the entry's facts
 *   say what was found
 *
 * What recovery concluded for one unfinished migration.
 *
 * Since: 1.0
 */
typedef enum {
  VMM_RECOVERY_ON_SOURCE,
  VMM_RECOVERY_ON_DESTINATION,
  VMM_RECOVERY_NEEDS_ATTENTION,
} VmmRecoveryOutcome;

#define VMM_TYPE_RECOVERY_ENTRY (vmm_recovery_entry_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmRecoveryEntry, vmm_recovery_entry, VMM, RECOVERY_ENTRY, GObject)

VMM_AVAILABLE_IN_ALL
const char *vmm_recovery_entry_get_migration_id (VmmRecoveryEntry *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_recovery_entry_get_vm_name (VmmRecoveryEntry *self);
VMM_AVAILABLE_IN_ALL
VmmRecoveryOutcome vmm_recovery_entry_get_outcome (VmmRecoveryEntry *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_recovery_entry_get_host (VmmRecoveryEntry *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_recovery_entry_get_facts (VmmRecoveryEntry *self);

G_END_DECLS
