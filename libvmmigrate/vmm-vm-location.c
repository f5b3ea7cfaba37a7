/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

/**
 * VmmVmLocation:
 *
 * Where a VM really is, as the hypervisors see it, beside what the manager's
 * record says: the hosts it is defined on, those it runs on, and where each
 * of its disks is. Seed 001's "the database claims it is not migrated" is a
 * location that is not consistent.
 *
 * Since: 1.0
 */

struct _VmmVmLocation
{
  GObject parent_instance;

  char *vm;
  char *record_host;
  GPtrArray *hosts;
  GPtrArray *running;
  GPtrArray *disks;
};

G_DEFINE_FINAL_TYPE (VmmVmLocation, vmm_vm_location, G_TYPE_OBJECT)

static void
vmm_vm_location_finalize (GObject *object)
{
  VmmVmLocation *self = VMM_VM_LOCATION (object);

  g_free (self->vm);
  g_free (self->record_host);
  g_ptr_array_unref (self->hosts);
  g_ptr_array_unref (self->running);
  g_ptr_array_unref (self->disks);
  G_OBJECT_CLASS (vmm_vm_location_parent_class)->finalize (object);
}

static void
vmm_vm_location_class_init (VmmVmLocationClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vmm_vm_location_finalize;
}

static void
vmm_vm_location_init (VmmVmLocation *self)
{
  self->hosts = g_ptr_array_new_with_free_func (g_free);
  self->running = g_ptr_array_new_with_free_func (g_free);
  self->disks = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->hosts, NULL);
  g_ptr_array_add (self->running, NULL);
}

/**
 * vmm_vm_location_new:
 * @vm: the VM's name
 * @record_host: (nullable): the host the manager's record names
 *
 * Creates a location, for backends answering a locate request.
 *
 * Returns: (transfer full): the location
 *
 * Since: 1.0
 */
VmmVmLocation *
vmm_vm_location_new (const char *vm, const char *record_host)
{
  VmmVmLocation *self = g_object_new (VMM_TYPE_VM_LOCATION, NULL);

  self->vm = g_strdup (vm);
  self->record_host = g_strdup (record_host);
  return self;
}

/**
 * vmm_vm_location_get_vm_name:
 * @self: a #VmmVmLocation
 *
 * The VM.
 *
 * Returns: its name
 *
 * Since: 1.0
 */
const char *
vmm_vm_location_get_vm_name (VmmVmLocation *self)
{
  g_return_val_if_fail (VMM_IS_VM_LOCATION (self), NULL);
  return self->vm;
}

/**
 * vmm_vm_location_get_record_host:
 * @self: a #VmmVmLocation
 *
 * The host the manager's record (cloud database, vCenter inventory) names.
 *
 * Returns: (nullable): the host
 *
 * Since: 1.0
 */
const char *
vmm_vm_location_get_record_host (VmmVmLocation *self)
{
  g_return_val_if_fail (VMM_IS_VM_LOCATION (self), NULL);
  return self->record_host;
}

/**
 * vmm_vm_location_add_host:
 * @self: a #VmmVmLocation
 * @host: a host the VM is defined on
 * @running: whether it runs there
 *
 * Records a host where a hypervisor has the VM.
 *
 * Since: 1.0
 */
void
vmm_vm_location_add_host (VmmVmLocation *self, const char *host, gboolean running)
{
  g_return_if_fail (VMM_IS_VM_LOCATION (self));
  g_return_if_fail (host != NULL);
  g_ptr_array_insert (self->hosts, (gint)self->hosts->len - 1, g_strdup (host));
  if (running)
    g_ptr_array_insert (self->running, (gint)self->running->len - 1, g_strdup (host));
}

/**
 * vmm_vm_location_get_hosts:
 * @self: a #VmmVmLocation
 *
 * Every host whose hypervisor has the VM defined.
 *
 * Returns: (transfer none) (array zero-terminated=1): the hosts
 *
 * Since: 1.0
 */
const char *const *
vmm_vm_location_get_hosts (VmmVmLocation *self)
{
  g_return_val_if_fail (VMM_IS_VM_LOCATION (self), NULL);
  return (const char *const *)self->hosts->pdata;
}

/**
 * vmm_vm_location_get_running_hosts:
 * @self: a #VmmVmLocation
 *
 * The hosts where the VM runs (more than one is a split brain).
 *
 * Returns: (transfer none) (array zero-terminated=1): the hosts
 *
 * Since: 1.0
 */
const char *const *
vmm_vm_location_get_running_hosts (VmmVmLocation *self)
{
  g_return_val_if_fail (VMM_IS_VM_LOCATION (self), NULL);
  return (const char *const *)self->running->pdata;
}

/**
 * vmm_vm_location_add_disk:
 * @self: a #VmmVmLocation
 * @disk: (transfer none): where one disk is
 *
 * Records a disk's real location.
 *
 * Since: 1.0
 */
void
vmm_vm_location_add_disk (VmmVmLocation *self, VmmDiskInfo *disk)
{
  g_return_if_fail (VMM_IS_VM_LOCATION (self));
  g_return_if_fail (VMM_IS_DISK_INFO (disk));
  g_ptr_array_add (self->disks, vmm_disk_info_copy (disk));
}

/**
 * vmm_vm_location_get_disks:
 * @self: a #VmmVmLocation
 *
 * Where each disk is.
 *
 * Returns: (transfer none) (element-type VmmDiskInfo): the disks
 *
 * Since: 1.0
 */
GPtrArray *
vmm_vm_location_get_disks (VmmVmLocation *self)
{
  g_return_val_if_fail (VMM_IS_VM_LOCATION (self), NULL);
  return self->disks;
}

/**
 * vmm_vm_location_is_consistent:
 * @self: a #VmmVmLocation
 *
 * Whether the VM is defined on exactly one host and the manager's record
 * names that host.
 *
 * Returns: %TRUE when record and hypervisors agree
 *
 * Since: 1.0
 */
gboolean
vmm_vm_location_is_consistent (VmmVmLocation *self)
{
  g_return_val_if_fail (VMM_IS_VM_LOCATION (self), FALSE);
  return self->hosts->len == 2 && self->running->len <= 2
         && g_strcmp0 (g_ptr_array_index (self->hosts, 0), self->record_host) == 0;
}

/**
 * vmm_vm_location_get_evidence:
 * @self: a #VmmVmLocation
 *
 * What the manager says and what the hypervisors say, in one sentence.
 *
 * Returns: (transfer full): the evidence
 *
 * Since: 1.0
 */
char *
vmm_vm_location_get_evidence (VmmVmLocation *self)
{
  g_autofree char *hosts = NULL;
  g_autofree char *running = NULL;

  g_return_val_if_fail (VMM_IS_VM_LOCATION (self), NULL);
  hosts = g_strjoinv (", ", (char **)self->hosts->pdata);
  running = g_strjoinv (", ", (char **)self->running->pdata);
  return g_strdup_printf (
      "the manager's record names host '%s' for VM '%s'; the hypervisors have it "
      "defined on [%s] and running on [%s]",
      self->record_host != NULL ? self->record_host : "(none)", self->vm, hosts, running);
}
