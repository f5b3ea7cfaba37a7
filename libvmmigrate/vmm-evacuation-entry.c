/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

/**
 * VmmEvacuationEntry:
 *
 * What an evacuation did with one VM: moved where, failed why (and where the
 * VM is), or skipped why.
 *
 * Since: 1.0
 */

struct _VmmEvacuationEntry
{
  GObject parent_instance;

  char *vm;
  VmmEvacuationOutcome outcome;
  char *host;
  char *message;
  VmmMigrationResult *result;
};

G_DEFINE_FINAL_TYPE (VmmEvacuationEntry, vmm_evacuation_entry, G_TYPE_OBJECT)

static void
vmm_evacuation_entry_finalize (GObject *object)
{
  VmmEvacuationEntry *self = VMM_EVACUATION_ENTRY (object);

  g_free (self->vm);
  g_free (self->host);
  g_free (self->message);
  g_clear_object (&self->result);
  G_OBJECT_CLASS (vmm_evacuation_entry_parent_class)->finalize (object);
}

static void
vmm_evacuation_entry_class_init (VmmEvacuationEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vmm_evacuation_entry_finalize;
}

static void
vmm_evacuation_entry_init (VmmEvacuationEntry *self)
{
}

VmmEvacuationEntry *
vmm_evacuation_entry_new (const char *vm, VmmEvacuationOutcome outcome, const char *host,
                          const char *message, VmmMigrationResult *result)
{
  VmmEvacuationEntry *self = g_object_new (VMM_TYPE_EVACUATION_ENTRY, NULL);

  self->vm = g_strdup (vm);
  self->outcome = outcome;
  self->host = g_strdup (host);
  self->message = g_strdup (message);
  self->result = result != NULL ? g_object_ref (result) : NULL;
  return self;
}

/**
 * vmm_evacuation_entry_get_vm_name:
 * @self: a #VmmEvacuationEntry
 *
 * The VM.
 *
 * Returns: its name
 *
 * Since: 1.0
 */
const char *
vmm_evacuation_entry_get_vm_name (VmmEvacuationEntry *self)
{
  g_return_val_if_fail (VMM_IS_EVACUATION_ENTRY (self), NULL);
  return self->vm;
}

/**
 * vmm_evacuation_entry_get_outcome:
 * @self: a #VmmEvacuationEntry
 *
 * Moved, failed or skipped.
 *
 * Returns: the outcome
 *
 * Since: 1.0
 */
VmmEvacuationOutcome
vmm_evacuation_entry_get_outcome (VmmEvacuationEntry *self)
{
  g_return_val_if_fail (VMM_IS_EVACUATION_ENTRY (self), VMM_EVACUATION_FAILED);
  return self->outcome;
}

/**
 * vmm_evacuation_entry_get_host:
 * @self: a #VmmEvacuationEntry
 *
 * Where the VM is now.
 *
 * Returns: (nullable): the host
 *
 * Since: 1.0
 */
const char *
vmm_evacuation_entry_get_host (VmmEvacuationEntry *self)
{
  g_return_val_if_fail (VMM_IS_EVACUATION_ENTRY (self), NULL);
  return self->host;
}

/**
 * vmm_evacuation_entry_get_message:
 * @self: a #VmmEvacuationEntry
 *
 * Why it failed or was skipped.
 *
 * Returns: (nullable): the message
 *
 * Since: 1.0
 */
const char *
vmm_evacuation_entry_get_message (VmmEvacuationEntry *self)
{
  g_return_val_if_fail (VMM_IS_EVACUATION_ENTRY (self), NULL);
  return self->message;
}

/**
 * vmm_evacuation_entry_get_result:
 * @self: a #VmmEvacuationEntry
 *
 * The VM's migration result, when it ran.
 *
 * Returns: (transfer none) (nullable): the result
 *
 * Since: 1.0
 */
VmmMigrationResult *
vmm_evacuation_entry_get_result (VmmEvacuationEntry *self)
{
  g_return_val_if_fail (VMM_IS_EVACUATION_ENTRY (self), NULL);
  return self->result;
}
