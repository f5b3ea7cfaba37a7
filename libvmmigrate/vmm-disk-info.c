/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"
#include "vmmigrate.h"

/**
 * VmmDiskInfo:
 *
 * One virtual disk of a VM as the backend reports it: its key (the name
 * a #VmmDiskLocator refers to), the datastore and path of its backing, its
 * virtual size and the space it takes, its format and the length of its
 * snapshot chain.
 *
 * A plain value object: setters do not emit notifications.
 *
 * Since: 1.0
 */

struct _VmmDiskInfo
{
  GObject parent_instance;
  const char *key;       /* interned */
  const char *datastore; /* interned */
  char *path;
  guint64 capacity;
  guint64 allocation;
  const char *format; /* interned */
  guint snapshots;
};

G_DEFINE_FINAL_TYPE (VmmDiskInfo, vmm_disk_info, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_KEY,
  N_PROPS
};

static GParamSpec *props[N_PROPS] = { NULL };

static void
vmm_disk_info_set_string (char **field, const char *value)
{
  if (*field == value)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

static void
vmm_disk_info_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VmmDiskInfo *self = VMM_DISK_INFO (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_disk_info_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VmmDiskInfo *self = VMM_DISK_INFO (object);

  switch (prop_id)
    {
    case PROP_KEY:
      vmm_set_name (&self->key, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_disk_info_finalize (GObject *object)
{
  VmmDiskInfo *self = VMM_DISK_INFO (object);

  g_free (self->path);

  G_OBJECT_CLASS (vmm_disk_info_parent_class)->finalize (object);
}

static void
vmm_disk_info_class_init (VmmDiskInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vmm_disk_info_get_property;
  object_class->set_property = vmm_disk_info_set_property;
  object_class->finalize = vmm_disk_info_finalize;

  /**
   * VmmDiskInfo:key:
   *
   * The disk's key, unique within its VM (for example `disk-0` or `vda`).
   *
   * Since: 1.0
   */
  props[PROP_KEY] = g_param_spec_string (
      "key", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
vmm_disk_info_init (VmmDiskInfo *self)
{
}

/**
 * vmm_disk_info_new:
 * @key: the disk's key
 * @datastore: (nullable): the datastore of the disk's backing
 * @path: (nullable): the path of the disk's backing
 *
 * Creates the description of a disk.
 *
 * Returns: (transfer full): a new #VmmDiskInfo
 *
 * Since: 1.0
 */
VmmDiskInfo *
vmm_disk_info_new (const char *key, const char *datastore, const char *path)
{
  VmmDiskInfo *self;

  g_return_val_if_fail (key != NULL, NULL);

  self = g_object_new (VMM_TYPE_DISK_INFO, NULL);
  self->key = vmm_intern (key);
  self->datastore = vmm_intern (datastore);
  self->path = g_strdup (path);
  return self;
}

/**
 * vmm_disk_info_copy:
 * @self: a #VmmDiskInfo
 *
 * Copies @self; changing the copy leaves @self as it is.
 *
 * Returns: (transfer full): a new #VmmDiskInfo equal to @self
 *
 * Since: 1.0
 */
VmmDiskInfo *
vmm_disk_info_copy (VmmDiskInfo *self)
{
  VmmDiskInfo *copy;

  g_return_val_if_fail (VMM_IS_DISK_INFO (self), NULL);

  copy = g_object_new (VMM_TYPE_DISK_INFO, NULL);
  copy->key = self->key;
  copy->datastore = self->datastore;
  copy->path = g_strdup (self->path);
  copy->capacity = self->capacity;
  copy->allocation = self->allocation;
  copy->format = self->format;
  copy->snapshots = self->snapshots;
  return copy;
}

/**
 * vmm_disk_info_get_key:
 * @self: a #VmmDiskInfo
 *
 * Gets the disk's key.
 *
 * Returns: the key
 *
 * Since: 1.0
 */
const char *
vmm_disk_info_get_key (VmmDiskInfo *self)
{
  g_return_val_if_fail (VMM_IS_DISK_INFO (self), NULL);
  return self->key;
}

/**
 * vmm_disk_info_get_datastore:
 * @self: a #VmmDiskInfo
 *
 * Gets the datastore of the disk's backing.
 *
 * Returns: (nullable): the datastore, or %NULL if unknown
 *
 * Since: 1.0
 */
const char *
vmm_disk_info_get_datastore (VmmDiskInfo *self)
{
  g_return_val_if_fail (VMM_IS_DISK_INFO (self), NULL);
  return self->datastore;
}

/**
 * vmm_disk_info_set_datastore:
 * @self: a #VmmDiskInfo
 * @datastore: (nullable): the datastore of the disk's backing
 *
 * Sets the datastore of the disk's backing.
 *
 * Since: 1.0
 */
void
vmm_disk_info_set_datastore (VmmDiskInfo *self, const char *datastore)
{
  g_return_if_fail (VMM_IS_DISK_INFO (self));
  vmm_set_name (&self->datastore, datastore);
}

/**
 * vmm_disk_info_get_path:
 * @self: a #VmmDiskInfo
 *
 * Gets the path of the disk's backing (a file, a volume name...).
 *
 * Returns: (nullable): the path, or %NULL if unknown
 *
 * Since: 1.0
 */
const char *
vmm_disk_info_get_path (VmmDiskInfo *self)
{
  g_return_val_if_fail (VMM_IS_DISK_INFO (self), NULL);
  return self->path;
}

/**
 * vmm_disk_info_set_path:
 * @self: a #VmmDiskInfo
 * @path: (nullable): the path of the disk's backing
 *
 * Sets the path of the disk's backing.
 *
 * Since: 1.0
 */
void
vmm_disk_info_set_path (VmmDiskInfo *self, const char *path)
{
  g_return_if_fail (VMM_IS_DISK_INFO (self));
  vmm_disk_info_set_string (&self->path, path);
}

/**
 * vmm_disk_info_get_capacity:
 * @self: a #VmmDiskInfo
 *
 * Gets the disk's virtual size, as the guest sees it.
 *
 * Returns: the capacity in bytes
 *
 * Since: 1.0
 */
guint64
vmm_disk_info_get_capacity (VmmDiskInfo *self)
{
  g_return_val_if_fail (VMM_IS_DISK_INFO (self), 0);
  return self->capacity;
}

/**
 * vmm_disk_info_set_capacity:
 * @self: a #VmmDiskInfo
 * @bytes: the capacity in bytes
 *
 * Sets the disk's virtual size.
 *
 * Since: 1.0
 */
void
vmm_disk_info_set_capacity (VmmDiskInfo *self, guint64 bytes)
{
  g_return_if_fail (VMM_IS_DISK_INFO (self));
  self->capacity = bytes;
}

/**
 * vmm_disk_info_get_allocation:
 * @self: a #VmmDiskInfo
 *
 * Gets the space the disk takes on its datastore.
 *
 * Returns: the allocation in bytes
 *
 * Since: 1.0
 */
guint64
vmm_disk_info_get_allocation (VmmDiskInfo *self)
{
  g_return_val_if_fail (VMM_IS_DISK_INFO (self), 0);
  return self->allocation;
}

/**
 * vmm_disk_info_set_allocation:
 * @self: a #VmmDiskInfo
 * @bytes: the allocation in bytes
 *
 * Sets the space the disk takes on its datastore.
 *
 * Since: 1.0
 */
void
vmm_disk_info_set_allocation (VmmDiskInfo *self, guint64 bytes)
{
  g_return_if_fail (VMM_IS_DISK_INFO (self));
  self->allocation = bytes;
}

/**
 * vmm_disk_info_get_format:
 * @self: a #VmmDiskInfo
 *
 * Gets the format of the disk's backing (`qcow2`, `raw`, `vmdk`...).
 *
 * Returns: (nullable): the format, or %NULL if unknown
 *
 * Since: 1.0
 */
const char *
vmm_disk_info_get_format (VmmDiskInfo *self)
{
  g_return_val_if_fail (VMM_IS_DISK_INFO (self), NULL);
  return self->format;
}

/**
 * vmm_disk_info_set_format:
 * @self: a #VmmDiskInfo
 * @format: (nullable): the format of the disk's backing
 *
 * Sets the format of the disk's backing.
 *
 * Since: 1.0
 */
void
vmm_disk_info_set_format (VmmDiskInfo *self, const char *format)
{
  g_return_if_fail (VMM_IS_DISK_INFO (self));
  vmm_set_name (&self->format, format);
}

/**
 * vmm_disk_info_get_snapshots:
 * @self: a #VmmDiskInfo
 *
 * Gets the number of snapshots in the disk's backing chain.
 *
 * Returns: the number of snapshots
 *
 * Since: 1.0
 */
guint
vmm_disk_info_get_snapshots (VmmDiskInfo *self)
{
  g_return_val_if_fail (VMM_IS_DISK_INFO (self), 0);
  return self->snapshots;
}

/**
 * vmm_disk_info_set_snapshots:
 * @self: a #VmmDiskInfo
 * @snapshots: the number of snapshots
 *
 * Sets the number of snapshots in the disk's backing chain.
 *
 * Since: 1.0
 */
void
vmm_disk_info_set_snapshots (VmmDiskInfo *self, guint snapshots)
{
  g_return_if_fail (VMM_IS_DISK_INFO (self));
  self->snapshots = snapshots;
}
