/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmmigrate.h"

#include <stdlib.h>

/**
 * VmmInventory:
 *
 * A snapshot of what a backend manages: its hosts (#VmmHostInfo),
 * datastores (#VmmDatastoreInfo) and VMs (#VmmVmInfo), each found by name
 * in constant time and listed in the order it was first added.
 *
 * Adding an object with the name of one already there replaces it in its
 * place in the listing.
 *
 * Since: 1.0
 */

struct _VmmInventory
{
  GObject parent_instance;
  GPtrArray *hosts;          /* (element-type VmmHostInfo) */
  GHashTable *hosts_by_name; /* name → VmmHostInfo (borrowed from @hosts) */
  GPtrArray *datastores;     /* (element-type VmmDatastoreInfo) */
  GHashTable *datastores_by_name;
  GPtrArray *vms; /* (element-type VmmVmInfo) */
  GHashTable *vms_by_name;
};

G_DEFINE_FINAL_TYPE (VmmInventory, vmm_inventory, G_TYPE_OBJECT)

static void
vmm_inventory_dispose (GObject *object)
{
  VmmInventory *self = VMM_INVENTORY (object);

  g_hash_table_remove_all (self->hosts_by_name);
  g_hash_table_remove_all (self->datastores_by_name);
  g_hash_table_remove_all (self->vms_by_name);
  g_ptr_array_set_size (self->hosts, 0);
  g_ptr_array_set_size (self->datastores, 0);
  g_ptr_array_set_size (self->vms, 0);

  G_OBJECT_CLASS (vmm_inventory_parent_class)->dispose (object);
}

static void
vmm_inventory_finalize (GObject *object)
{
  VmmInventory *self = VMM_INVENTORY (object);

  g_hash_table_unref (self->hosts_by_name);
  g_hash_table_unref (self->datastores_by_name);
  g_hash_table_unref (self->vms_by_name);
  g_ptr_array_unref (self->hosts);
  g_ptr_array_unref (self->datastores);
  g_ptr_array_unref (self->vms);

  G_OBJECT_CLASS (vmm_inventory_parent_class)->finalize (object);
}

static void
vmm_inventory_class_init (VmmInventoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vmm_inventory_dispose;
  object_class->finalize = vmm_inventory_finalize;
}

static void
vmm_inventory_init (VmmInventory *self)
{
  /* the tables' keys are the names owned by the objects in the arrays */
  self->hosts = g_ptr_array_new_with_free_func (g_object_unref);
  self->hosts_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->datastores = g_ptr_array_new_with_free_func (g_object_unref);
  self->datastores_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->vms = g_ptr_array_new_with_free_func (g_object_unref);
  self->vms_by_name = g_hash_table_new (g_str_hash, g_str_equal);
}

/**
 * vmm_inventory_new:
 *
 * Creates an empty inventory.
 *
 * Returns: (transfer full): a new #VmmInventory
 *
 * Since: 1.0
 */
VmmInventory *
vmm_inventory_new (void)
{
  return g_object_new (VMM_TYPE_INVENTORY, NULL);
}

/* Adds @object under @name, or replaces the object of that name in its place. */
static void
vmm_inventory_add (GPtrArray *array, GHashTable *by_name, const char *name, GObject *object)
{
  GObject *old = g_hash_table_lookup (by_name, name);

  if (old == object)
    return;
  if (old != NULL)
    {
      guint idx = 0;
      if (!g_ptr_array_find (array, old, &idx))
        g_assert_not_reached ();
      /* the old object owns the key: re-key before dropping it */
      g_hash_table_remove (by_name, name);
      g_ptr_array_index (array, idx) = g_object_ref (object);
      g_hash_table_insert (by_name, (gpointer)name, object);
      g_object_unref (old);
      return;
    }
  g_ptr_array_add (array, g_object_ref (object));
  g_hash_table_insert (by_name, (gpointer)name, object);
}

/**
 * vmm_inventory_add_host:
 * @self: a #VmmInventory
 * @host: a #VmmHostInfo
 *
 * Adds @host, or replaces the host of the same name in its place. The
 * inventory keeps a reference to @host.
 *
 * Since: 1.0
 */
void
vmm_inventory_add_host (VmmInventory *self, VmmHostInfo *host)
{
  g_return_if_fail (VMM_IS_INVENTORY (self));
  g_return_if_fail (VMM_IS_HOST_INFO (host));

  vmm_inventory_add (self->hosts, self->hosts_by_name, vmm_host_info_get_name (host),
                     G_OBJECT (host));
}

/**
 * vmm_inventory_add_datastore:
 * @self: a #VmmInventory
 * @datastore: a #VmmDatastoreInfo
 *
 * Adds @datastore, or replaces the datastore of the same name in its place.
 * The inventory keeps a reference to @datastore.
 *
 * Since: 1.0
 */
void
vmm_inventory_add_datastore (VmmInventory *self, VmmDatastoreInfo *datastore)
{
  g_return_if_fail (VMM_IS_INVENTORY (self));
  g_return_if_fail (VMM_IS_DATASTORE_INFO (datastore));

  vmm_inventory_add (self->datastores, self->datastores_by_name,
                     vmm_datastore_info_get_name (datastore), G_OBJECT (datastore));
}

/**
 * vmm_inventory_add_vm:
 * @self: a #VmmInventory
 * @vm: a #VmmVmInfo
 *
 * Adds @vm, or replaces the VM of the same name in its place. The inventory
 * keeps a reference to @vm.
 *
 * Since: 1.0
 */
void
vmm_inventory_add_vm (VmmInventory *self, VmmVmInfo *vm)
{
  g_return_if_fail (VMM_IS_INVENTORY (self));
  g_return_if_fail (VMM_IS_VM_INFO (vm));

  vmm_inventory_add (self->vms, self->vms_by_name, vmm_vm_info_get_name (vm), G_OBJECT (vm));
}

/**
 * vmm_inventory_remove_vm:
 * @self: a #VmmInventory
 * @name: the name of a VM
 *
 * Removes the VM @name; the others keep their order.
 *
 * Returns: %TRUE if the VM was there
 *
 * Since: 1.0
 */
gboolean
vmm_inventory_remove_vm (VmmInventory *self, const char *name)
{
  VmmVmInfo *vm;

  g_return_val_if_fail (VMM_IS_INVENTORY (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  vm = g_hash_table_lookup (self->vms_by_name, name);
  if (vm == NULL)
    return FALSE;
  /* drop the key (owned by @vm) before @vm itself */
  g_hash_table_remove (self->vms_by_name, name);
  g_ptr_array_remove (self->vms, vm);
  return TRUE;
}

/**
 * vmm_inventory_get_hosts:
 * @self: a #VmmInventory
 *
 * Gets the hosts, in the order they were first added.
 *
 * Returns: (transfer none) (element-type VmmHostInfo): the hosts, owned by
 *   the inventory and valid until it changes
 *
 * Since: 1.0
 */
GPtrArray *
vmm_inventory_get_hosts (VmmInventory *self)
{
  g_return_val_if_fail (VMM_IS_INVENTORY (self), NULL);
  return self->hosts;
}

/**
 * vmm_inventory_get_datastores:
 * @self: a #VmmInventory
 *
 * Gets the datastores, in the order they were first added.
 *
 * Returns: (transfer none) (element-type VmmDatastoreInfo): the datastores,
 *   owned by the inventory and valid until it changes
 *
 * Since: 1.0
 */
GPtrArray *
vmm_inventory_get_datastores (VmmInventory *self)
{
  g_return_val_if_fail (VMM_IS_INVENTORY (self), NULL);
  return self->datastores;
}

/**
 * vmm_inventory_get_vms:
 * @self: a #VmmInventory
 *
 * Gets the VMs, in the order they were first added.
 *
 * Returns: (transfer none) (element-type VmmVmInfo): the VMs, owned by the
 *   inventory and valid until it changes
 *
 * Since: 1.0
 */
GPtrArray *
vmm_inventory_get_vms (VmmInventory *self)
{
  g_return_val_if_fail (VMM_IS_INVENTORY (self), NULL);
  return self->vms;
}

static gint
vmm_inventory_strcmp_ptr (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

/**
 * vmm_inventory_get_networks:
 * @self: a #VmmInventory
 *
 * Gets every network that some host reaches: the union of the hosts'
 * networks, without duplicates, sorted by name.
 *
 * Returns: (transfer full) (array zero-terminated=1): the network names
 *
 * Since: 1.0
 */
char **
vmm_inventory_get_networks (VmmInventory *self)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  g_return_val_if_fail (VMM_IS_INVENTORY (self), NULL);

  for (guint i = 0; i < self->hosts->len; i++)
    {
      const char *const *networks = vmm_host_info_get_networks (g_ptr_array_index (self->hosts, i));
      for (guint j = 0; networks[j] != NULL; j++)
        {
          if (g_hash_table_add (seen, (gpointer)networks[j]))
            g_ptr_array_add (names, g_strdup (networks[j]));
        }
    }
  /* terminated first, so that pdata is never NULL */
  g_ptr_array_add (names, NULL);
  qsort (names->pdata, names->len - 1, sizeof (gpointer), vmm_inventory_strcmp_ptr);
  return (char **)g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/**
 * vmm_inventory_lookup_host:
 * @self: a #VmmInventory
 * @name: a host name
 *
 * Finds the host @name.
 *
 * Returns: (transfer none) (nullable): the host, or %NULL if there is none
 *   of that name
 *
 * Since: 1.0
 */
VmmHostInfo *
vmm_inventory_lookup_host (VmmInventory *self, const char *name)
{
  g_return_val_if_fail (VMM_IS_INVENTORY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return g_hash_table_lookup (self->hosts_by_name, name);
}

/**
 * vmm_inventory_lookup_datastore:
 * @self: a #VmmInventory
 * @name: a datastore name
 *
 * Finds the datastore @name.
 *
 * Returns: (transfer none) (nullable): the datastore, or %NULL if there is
 *   none of that name
 *
 * Since: 1.0
 */
VmmDatastoreInfo *
vmm_inventory_lookup_datastore (VmmInventory *self, const char *name)
{
  g_return_val_if_fail (VMM_IS_INVENTORY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return g_hash_table_lookup (self->datastores_by_name, name);
}

/**
 * vmm_inventory_lookup_vm:
 * @self: a #VmmInventory
 * @name: a VM name
 *
 * Finds the VM @name.
 *
 * Returns: (transfer none) (nullable): the VM, or %NULL if there is none of
 *   that name
 *
 * Since: 1.0
 */
VmmVmInfo *
vmm_inventory_lookup_vm (VmmInventory *self, const char *name)
{
  g_return_val_if_fail (VMM_IS_INVENTORY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return g_hash_table_lookup (self->vms_by_name, name);
}

/**
 * vmm_inventory_get_vms_on_host:
 * @self: a #VmmInventory
 * @host: a host name
 *
 * Gets the VMs registered on @host, in inventory order.
 *
 * Returns: (transfer container) (element-type VmmVmInfo): a new array
 *   holding a reference to each VM on @host; empty if there is none
 *
 * Since: 1.0
 */
GPtrArray *
vmm_inventory_get_vms_on_host (VmmInventory *self, const char *host)
{
  GPtrArray *vms;

  g_return_val_if_fail (VMM_IS_INVENTORY (self), NULL);
  g_return_val_if_fail (host != NULL, NULL);

  vms = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->vms->len; i++)
    {
      VmmVmInfo *vm = g_ptr_array_index (self->vms, i);
      if (g_strcmp0 (vmm_vm_info_get_host (vm), host) == 0)
        g_ptr_array_add (vms, g_object_ref (vm));
    }
  return vms;
}
