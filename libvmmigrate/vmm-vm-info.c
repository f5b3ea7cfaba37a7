/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"
#include "vmmigrate.h"

/**
 * VmmVmInfo:
 *
 * One VM as the backend reports it: its name and backend id, where it is
 * (host, resource pool, primary datastore, folder), its power state, size
 * (memory, virtual CPUs, CPU features it uses), whether it is migrating
 * now, its disks (#VmmDiskInfo) and other devices (#VmmDeviceInfo), and
 * its memory dirty rate when the backend measured it.
 *
 * A plain value object: setters do not emit notifications.
 * vmm_vm_info_copy() gives an independent snapshot.
 *
 * Since: 1.0
 */

struct _VmmVmInfo
{
  GObject parent_instance;
  char *name;
  char *id;
  const char *host;          /* interned */
  const char *resource_pool; /* interned */
  const char *datastore;     /* interned */
  const char *folder;        /* interned */
  VmmPowerState power_state;
  guint64 memory_mib;
  guint vcpus;
  GStrv cpu_features;
  gboolean migrating;
  GPtrArray *disks;   /* (element-type VmmDiskInfo) */
  GPtrArray *devices; /* (element-type VmmDeviceInfo) */
  guint64 dirty_rate;
  GStrv required_metadata;
};

G_DEFINE_FINAL_TYPE (VmmVmInfo, vmm_vm_info, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *props[N_PROPS] = { NULL };

static const char *const empty_strv[] = { NULL };

static void
vmm_vm_info_set_string (char **field, const char *value)
{
  if (*field == value)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

static void
vmm_vm_info_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VmmVmInfo *self = VMM_VM_INFO (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_vm_info_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VmmVmInfo *self = VMM_VM_INFO (object);

  switch (prop_id)
    {
    case PROP_NAME:
      vmm_vm_info_set_string (&self->name, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_vm_info_dispose (GObject *object)
{
  VmmVmInfo *self = VMM_VM_INFO (object);

  g_ptr_array_set_size (self->disks, 0);
  g_ptr_array_set_size (self->devices, 0);

  G_OBJECT_CLASS (vmm_vm_info_parent_class)->dispose (object);
}

static void
vmm_vm_info_finalize (GObject *object)
{
  VmmVmInfo *self = VMM_VM_INFO (object);

  g_free (self->name);
  g_free (self->id);
  g_strfreev (self->cpu_features);
  g_ptr_array_unref (self->disks);
  g_ptr_array_unref (self->devices);

  g_strfreev (self->required_metadata);
  G_OBJECT_CLASS (vmm_vm_info_parent_class)->finalize (object);
}

static void
vmm_vm_info_class_init (VmmVmInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vmm_vm_info_get_property;
  object_class->set_property = vmm_vm_info_set_property;
  object_class->dispose = vmm_vm_info_dispose;
  object_class->finalize = vmm_vm_info_finalize;

  /**
   * VmmVmInfo:name:
   *
   * The VM's name, unique within its backend.
   *
   * Since: 1.0
   */
  props[PROP_NAME]
      = g_param_spec_string ("name", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
vmm_vm_info_init (VmmVmInfo *self)
{
  self->power_state = VMM_POWER_STATE_OFF;
  self->disks = g_ptr_array_new_with_free_func (g_object_unref);
  self->devices = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * vmm_vm_info_new:
 * @name: the VM's name
 *
 * Creates the description of a powered-off VM with no disks or devices.
 *
 * Returns: (transfer full): a new #VmmVmInfo
 *
 * Since: 1.0
 */
VmmVmInfo *
vmm_vm_info_new (const char *name)
{
  VmmVmInfo *self;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (VMM_TYPE_VM_INFO, NULL);
  self->name = g_strdup (name);
  return self;
}

static VmmDeviceInfo *
vmm_vm_info_device_dup (VmmDeviceInfo *device)
{
  VmmDeviceInfo *copy
      = vmm_device_info_new (vmm_device_info_get_key (device), vmm_device_info_get_kind (device));

  vmm_device_info_set_backing_datastore (copy, vmm_device_info_get_backing_datastore (device));
  vmm_device_info_set_backing_path (copy, vmm_device_info_get_backing_path (device));
  vmm_device_info_set_network (copy, vmm_device_info_get_network (device));
  vmm_device_info_set_connected (copy, vmm_device_info_get_connected (device));
  return copy;
}

/**
 * vmm_vm_info_copy:
 * @self: a #VmmVmInfo
 *
 * Copies @self deeply, disks and devices included: changing the copy (or
 * one of its disks) leaves @self as it is.
 *
 * Returns: (transfer full): a new #VmmVmInfo equal to @self
 *
 * Since: 1.0
 */
VmmVmInfo *
vmm_vm_info_copy (VmmVmInfo *self)
{
  VmmVmInfo *copy;

  g_return_val_if_fail (VMM_IS_VM_INFO (self), NULL);

  copy = g_object_new (VMM_TYPE_VM_INFO, NULL);
  copy->name = g_strdup (self->name);
  copy->id = g_strdup (self->id);
  copy->host = self->host;
  copy->resource_pool = self->resource_pool;
  copy->datastore = self->datastore;
  copy->folder = self->folder;
  copy->power_state = self->power_state;
  copy->memory_mib = self->memory_mib;
  copy->vcpus = self->vcpus;
  copy->cpu_features = g_strdupv (self->cpu_features);
  copy->migrating = self->migrating;
  for (guint i = 0; i < self->disks->len; i++)
    g_ptr_array_add (copy->disks, vmm_disk_info_copy (g_ptr_array_index (self->disks, i)));
  for (guint i = 0; i < self->devices->len; i++)
    g_ptr_array_add (copy->devices, vmm_vm_info_device_dup (g_ptr_array_index (self->devices, i)));
  copy->dirty_rate = self->dirty_rate;
  copy->required_metadata = g_strdupv (self->required_metadata);
  return copy;
}

/**
 * vmm_vm_info_get_name:
 * @self: a #VmmVmInfo
 *
 * Gets the VM's name.
 *
 * Returns: the name
 *
 * Since: 1.0
 */
const char *
vmm_vm_info_get_name (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), NULL);
  return self->name;
}

/**
 * vmm_vm_info_get_id:
 * @self: a #VmmVmInfo
 *
 * Gets the backend's identifier of the VM (a UUID, a managed object
 * reference...).
 *
 * Returns: (nullable): the identifier, or %NULL if unknown
 *
 * Since: 1.0
 */
const char *
vmm_vm_info_get_id (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), NULL);
  return self->id;
}

/**
 * vmm_vm_info_set_id:
 * @self: a #VmmVmInfo
 * @id: (nullable): the backend's identifier of the VM
 *
 * Sets the backend's identifier of the VM.
 *
 * Since: 1.0
 */
void
vmm_vm_info_set_id (VmmVmInfo *self, const char *id)
{
  g_return_if_fail (VMM_IS_VM_INFO (self));
  vmm_vm_info_set_string (&self->id, id);
}

/**
 * vmm_vm_info_get_host:
 * @self: a #VmmVmInfo
 *
 * Gets the host the VM is registered on.
 *
 * Returns: (nullable): the host, or %NULL if unknown
 *
 * Since: 1.0
 */
const char *
vmm_vm_info_get_host (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), NULL);
  return self->host;
}

/**
 * vmm_vm_info_set_host:
 * @self: a #VmmVmInfo
 * @host: (nullable): the host the VM is registered on
 *
 * Sets the host the VM is registered on.
 *
 * Since: 1.0
 */
void
vmm_vm_info_set_host (VmmVmInfo *self, const char *host)
{
  g_return_if_fail (VMM_IS_VM_INFO (self));
  vmm_set_name (&self->host, host);
}

/**
 * vmm_vm_info_get_resource_pool:
 * @self: a #VmmVmInfo
 *
 * Gets the resource pool the VM is in.
 *
 * Returns: (nullable): the resource pool, or %NULL if none
 *
 * Since: 1.0
 */
const char *
vmm_vm_info_get_resource_pool (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), NULL);
  return self->resource_pool;
}

/**
 * vmm_vm_info_set_resource_pool:
 * @self: a #VmmVmInfo
 * @pool: (nullable): the resource pool the VM is in
 *
 * Sets the resource pool the VM is in.
 *
 * Since: 1.0
 */
void
vmm_vm_info_set_resource_pool (VmmVmInfo *self, const char *pool)
{
  g_return_if_fail (VMM_IS_VM_INFO (self));
  vmm_set_name (&self->resource_pool, pool);
}

/**
 * vmm_vm_info_get_datastore:
 * @self: a #VmmVmInfo
 *
 * Gets the VM's primary datastore (where its configuration is).
 *
 * Returns: (nullable): the datastore, or %NULL if unknown
 *
 * Since: 1.0
 */
const char *
vmm_vm_info_get_datastore (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), NULL);
  return self->datastore;
}

/**
 * vmm_vm_info_set_datastore:
 * @self: a #VmmVmInfo
 * @datastore: (nullable): the VM's primary datastore
 *
 * Sets the VM's primary datastore.
 *
 * Since: 1.0
 */
void
vmm_vm_info_set_datastore (VmmVmInfo *self, const char *datastore)
{
  g_return_if_fail (VMM_IS_VM_INFO (self));
  vmm_set_name (&self->datastore, datastore);
}

/**
 * vmm_vm_info_get_folder:
 * @self: a #VmmVmInfo
 *
 * Gets the inventory folder the VM is in.
 *
 * Returns: (nullable): the folder, or %NULL if none
 *
 * Since: 1.0
 */
const char *
vmm_vm_info_get_folder (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), NULL);
  return self->folder;
}

/**
 * vmm_vm_info_set_folder:
 * @self: a #VmmVmInfo
 * @folder: (nullable): the inventory folder the VM is in
 *
 * Sets the inventory folder the VM is in.
 *
 * Since: 1.0
 */
void
vmm_vm_info_set_folder (VmmVmInfo *self, const char *folder)
{
  g_return_if_fail (VMM_IS_VM_INFO (self));
  vmm_set_name (&self->folder, folder);
}

/**
 * vmm_vm_info_get_power_state:
 * @self: a #VmmVmInfo
 *
 * Gets the VM's power state.
 *
 * Returns: the power state, %VMM_POWER_STATE_OFF by default
 *
 * Since: 1.0
 */
VmmPowerState
vmm_vm_info_get_power_state (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), VMM_POWER_STATE_UNKNOWN);
  return self->power_state;
}

/**
 * vmm_vm_info_set_power_state:
 * @self: a #VmmVmInfo
 * @state: a #VmmPowerState
 *
 * Sets the VM's power state.
 *
 * Since: 1.0
 */
void
vmm_vm_info_set_power_state (VmmVmInfo *self, VmmPowerState state)
{
  g_return_if_fail (VMM_IS_VM_INFO (self));
  g_return_if_fail ((guint)state <= VMM_POWER_STATE_SUSPENDED);
  self->power_state = state;
}

/**
 * vmm_vm_info_get_memory_mib:
 * @self: a #VmmVmInfo
 *
 * Gets the VM's memory size.
 *
 * Returns: the memory in MiB
 *
 * Since: 1.0
 */
guint64
vmm_vm_info_get_memory_mib (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), 0);
  return self->memory_mib;
}

/**
 * vmm_vm_info_set_memory_mib:
 * @self: a #VmmVmInfo
 * @mib: the memory in MiB
 *
 * Sets the VM's memory size.
 *
 * Since: 1.0
 */
void
vmm_vm_info_set_memory_mib (VmmVmInfo *self, guint64 mib)
{
  g_return_if_fail (VMM_IS_VM_INFO (self));
  self->memory_mib = mib;
}

/**
 * vmm_vm_info_get_vcpus:
 * @self: a #VmmVmInfo
 *
 * Gets the VM's number of virtual CPUs.
 *
 * Returns: the number of virtual CPUs
 *
 * Since: 1.0
 */
guint
vmm_vm_info_get_vcpus (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), 0);
  return self->vcpus;
}

/**
 * vmm_vm_info_set_vcpus:
 * @self: a #VmmVmInfo
 * @vcpus: the number of virtual CPUs
 *
 * Sets the VM's number of virtual CPUs.
 *
 * Since: 1.0
 */
void
vmm_vm_info_set_vcpus (VmmVmInfo *self, guint vcpus)
{
  g_return_if_fail (VMM_IS_VM_INFO (self));
  self->vcpus = vcpus;
}

/**
 * vmm_vm_info_get_cpu_features:
 * @self: a #VmmVmInfo
 *
 * Gets the CPU feature flags the VM's guest uses, which a destination host
 * must offer for a live move.
 *
 * Returns: (transfer none) (array zero-terminated=1): the feature flags,
 *   empty if unknown
 *
 * Since: 1.0
 */
const char *const *
vmm_vm_info_get_cpu_features (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), NULL);
  return self->cpu_features != NULL ? (const char *const *)self->cpu_features : empty_strv;
}

/**
 * vmm_vm_info_set_cpu_features:
 * @self: a #VmmVmInfo
 * @features: (nullable) (array zero-terminated=1): the CPU feature flags
 *
 * Sets the CPU feature flags the VM's guest uses.
 *
 * Since: 1.0
 */
void
vmm_vm_info_set_cpu_features (VmmVmInfo *self, const char *const *features)
{
  g_return_if_fail (VMM_IS_VM_INFO (self));
  if ((const char *const *)self->cpu_features == features)
    return;
  g_strfreev (self->cpu_features);
  self->cpu_features = g_strdupv ((char **)features);
}

/**
 * vmm_vm_info_get_migrating:
 * @self: a #VmmVmInfo
 *
 * Gets whether the backend reports the VM as migrating now (by this engine
 * or anything else).
 *
 * Returns: %TRUE if the VM is migrating
 *
 * Since: 1.0
 */
gboolean
vmm_vm_info_get_migrating (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), FALSE);
  return self->migrating;
}

/**
 * vmm_vm_info_set_migrating:
 * @self: a #VmmVmInfo
 * @migrating: whether the VM is migrating
 *
 * Sets whether the VM is migrating now.
 *
 * Since: 1.0
 */
void
vmm_vm_info_set_migrating (VmmVmInfo *self, gboolean migrating)
{
  g_return_if_fail (VMM_IS_VM_INFO (self));
  self->migrating = migrating ? TRUE : FALSE;
}

/**
 * vmm_vm_info_get_disks:
 * @self: a #VmmVmInfo
 *
 * Gets the VM's disks, in the order they were added.
 *
 * Returns: (transfer none) (element-type VmmDiskInfo): the disks
 *
 * Since: 1.0
 */
GPtrArray *
vmm_vm_info_get_disks (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), NULL);
  return self->disks;
}

/**
 * vmm_vm_info_add_disk:
 * @self: a #VmmVmInfo
 * @disk: a #VmmDiskInfo
 *
 * Adds a disk to the VM. A disk with the key of a disk the VM already has
 * replaces it in its place. The VM keeps a reference to @disk.
 *
 * Since: 1.0
 */
void
vmm_vm_info_add_disk (VmmVmInfo *self, VmmDiskInfo *disk)
{
  const char *key;

  g_return_if_fail (VMM_IS_VM_INFO (self));
  g_return_if_fail (VMM_IS_DISK_INFO (disk));

  key = vmm_disk_info_get_key (disk);
  for (guint i = 0; i < self->disks->len; i++)
    {
      VmmDiskInfo *old = g_ptr_array_index (self->disks, i);
      if (g_strcmp0 (vmm_disk_info_get_key (old), key) == 0)
        {
          g_ptr_array_index (self->disks, i) = g_object_ref (disk);
          g_object_unref (old);
          return;
        }
    }
  g_ptr_array_add (self->disks, g_object_ref (disk));
}

/**
 * vmm_vm_info_lookup_disk:
 * @self: a #VmmVmInfo
 * @key: a disk key
 *
 * Finds the VM's disk @key.
 *
 * Returns: (transfer none) (nullable): the disk, or %NULL if the VM has no
 *   disk @key
 *
 * Since: 1.0
 */
VmmDiskInfo *
vmm_vm_info_lookup_disk (VmmVmInfo *self, const char *key)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < self->disks->len; i++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (self->disks, i);
      if (g_strcmp0 (vmm_disk_info_get_key (disk), key) == 0)
        return disk;
    }
  return NULL;
}

/**
 * vmm_vm_info_get_devices:
 * @self: a #VmmVmInfo
 *
 * Gets the VM's devices other than disks, in the order they were added.
 *
 * Returns: (transfer none) (element-type VmmDeviceInfo): the devices
 *
 * Since: 1.0
 */
GPtrArray *
vmm_vm_info_get_devices (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), NULL);
  return self->devices;
}

/**
 * vmm_vm_info_add_device:
 * @self: a #VmmVmInfo
 * @device: a #VmmDeviceInfo
 *
 * Adds a device to the VM. A device with the key of a device the VM
 * already has replaces it in its place. The VM keeps a reference to
 * @device.
 *
 * Since: 1.0
 */
void
vmm_vm_info_add_device (VmmVmInfo *self, VmmDeviceInfo *device)
{
  const char *key;

  g_return_if_fail (VMM_IS_VM_INFO (self));
  g_return_if_fail (VMM_IS_DEVICE_INFO (device));

  key = vmm_device_info_get_key (device);
  for (guint i = 0; i < self->devices->len; i++)
    {
      VmmDeviceInfo *old = g_ptr_array_index (self->devices, i);
      if (g_strcmp0 (vmm_device_info_get_key (old), key) == 0)
        {
          g_ptr_array_index (self->devices, i) = g_object_ref (device);
          g_object_unref (old);
          return;
        }
    }
  g_ptr_array_add (self->devices, g_object_ref (device));
}

/**
 * vmm_vm_info_get_dirty_rate:
 * @self: a #VmmVmInfo
 *
 * Gets the rate at which the guest dirties its memory, which decides
 * whether a live move converges.
 *
 * Returns: the dirty rate in bytes per second, or 0 if not measured
 *
 * Since: 1.0
 */
guint64
vmm_vm_info_get_dirty_rate (VmmVmInfo *self)
{
  g_return_val_if_fail (VMM_IS_VM_INFO (self), 0);
  return self->dirty_rate;
}

/**
 * vmm_vm_info_set_dirty_rate:
 * @self: a #VmmVmInfo
 * @bytes_per_second: the dirty rate in bytes per second, or 0 if not
 *   measured
 *
 * Sets the rate at which the guest dirties its memory.
 *
 * Since: 1.0
 */
void
vmm_vm_info_set_dirty_rate (VmmVmInfo *self, guint64 bytes_per_second)
{
  g_return_if_fail (VMM_IS_VM_INFO (self));
  self->dirty_rate = bytes_per_second;
}

/**
 * vmm_vm_info_get_storage_size:
 * @self: a #VmmVmInfo
 *
 * Gets the storage the VM's disks need: the sum of their capacities (the
 * space a fully allocated copy takes).
 *
 * Returns: the storage size in bytes
 *
 * Since: 1.0
 */
guint64
vmm_vm_info_get_storage_size (VmmVmInfo *self)
{
  guint64 total = 0;

  g_return_val_if_fail (VMM_IS_VM_INFO (self), 0);

  for (guint i = 0; i < self->disks->len; i++)
    total += vmm_disk_info_get_capacity (g_ptr_array_index (self->disks, i));
  return total;
}

/**
 * vmm_vm_info_get_required_metadata:
 * @self: a #VmmVmInfo
 *
 * Host aggregate metadata (`key=value`) the VM requires of its host, e.g.
 * from its flavor's extra specs.
 *
 * Returns: (transfer none) (array zero-terminated=1): the requirements
 *
 * Since: 1.0
 */
const char *const *
vmm_vm_info_get_required_metadata (VmmVmInfo *self)
{
  static const char *const none[] = { NULL };

  g_return_val_if_fail (VMM_IS_VM_INFO (self), NULL);
  return self->required_metadata != NULL ? (const char *const *)self->required_metadata : none;
}

/**
 * vmm_vm_info_set_required_metadata:
 * @self: a #VmmVmInfo
 * @metadata: (nullable) (array zero-terminated=1): `key=value` strings
 *
 * Sets the host aggregate metadata the VM requires.
 *
 * Since: 1.0
 */
void
vmm_vm_info_set_required_metadata (VmmVmInfo *self, const char *const *metadata)
{
  char **copy;

  g_return_if_fail (VMM_IS_VM_INFO (self));
  copy = g_strdupv ((char **)metadata);
  g_strfreev (self->required_metadata);
  self->required_metadata = copy;
}
