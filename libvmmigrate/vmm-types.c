/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

static const char *const step_names[VMM_STEP_LAST] = {
  [VMM_STEP_RESERVE_DIRECTORY] = "ReserveDirectory",
  [VMM_STEP_CREATE_INVENTORY_VM] = "CreateInventoryVm",
  [VMM_STEP_CREATE_DUMMY_DISKS] = "CreateDummyVMotionDisks",
  [VMM_STEP_CREATE_DESTINATION_VM] = "CreateDestinationVM",
  [VMM_STEP_REGISTER_DESTINATION_VM] = "RegisterDestinationVm",
  [VMM_STEP_UNREGISTER_SOURCE_VM] = "UnregisterSourceVm",
  [VMM_STEP_RECONFIGURE_VM] = "ReconfigureVm",
  [VMM_STEP_RELAYOUT_SNAPSHOTS] = "RelayoutSnapshots",
  [VMM_STEP_PREPARE_SOURCE] = "PrepareSource",
  [VMM_STEP_PREPARE_DESTINATION] = "PrepareDestination",
  [VMM_STEP_INITIATE_DESTINATION] = "InitiateDestination",
  [VMM_STEP_INITIATE_SOURCE] = "InitiateSource",
  [VMM_STEP_SWITCH_HOST_AND_POOL] = "SwitchHostAndPool",
  [VMM_STEP_COMPLETE_SOURCE] = "CompleteSource",
  [VMM_STEP_COMPLETE_DESTINATION] = "CompleteDestination",
  [VMM_STEP_POWER_OFF] = "PowerOffVm",
  [VMM_STEP_POWER_ON] = "PowerOnVm",
};

/**
 * vmm_step_get_name:
 * @step: a #VmmStep
 *
 * The workflow name of a step, as the plan shows it (the names of vCenter's
 * migrate workflow: `PrepareSource`, `InitiateSource`...).
 *
 * Returns: (transfer none): the step's name, or "Unknown"
 *
 * Since: 1.0
 */
const char *
vmm_step_get_name (VmmStep step)
{
  if ((guint)step >= VMM_STEP_LAST)
    return "Unknown";
  return step_names[step];
}

/**
 * vmm_migration_type_to_string:
 * @type: a #VmmMigrationType
 *
 * A short human-readable name of a migration type.
 *
 * Returns: (transfer none): the name
 *
 * Since: 1.0
 */
const char *
vmm_migration_type_to_string (VmmMigrationType type)
{
  switch (type)
    {
    case VMM_MIGRATION_TYPE_HOT_HOST:
      return "hot host move";
    case VMM_MIGRATION_TYPE_HOT_STORAGE:
      return "hot storage move";
    case VMM_MIGRATION_TYPE_HOT_HOST_AND_STORAGE:
      return "hot host and storage move";
    case VMM_MIGRATION_TYPE_HOT_DISKS_ONLY:
      return "hot disks-only move";
    case VMM_MIGRATION_TYPE_CROSS_MANAGER:
      return "cross-manager move";
    case VMM_MIGRATION_TYPE_COLD:
      return "cold relocation";
    case VMM_MIGRATION_TYPE_POOL_ONLY:
      return "resource pool change";
    case VMM_MIGRATION_TYPE_UNKNOWN:
    default:
      return "unknown";
    }
}

/* A few recently interned names per thread, each in the slot its address
 * picks. An interned string is never freed, so a pointer equal to one seen
 * here is that interned string. */
#define N_SEEN_NAMES 64

const char *
vmm_intern (const char *value)
{
  static __thread const char *seen[N_SEEN_NAMES];
  const char *interned;
  guint slot;

  if (value == NULL)
    return NULL;
  slot = (guint)(((guintptr)value >> 4) % N_SEEN_NAMES);
  if (seen[slot] == value)
    return value;
  interned = g_intern_string (value);
  seen[slot] = interned;
  return interned;
}
