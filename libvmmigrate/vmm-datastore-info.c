/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmmigrate.h"

/**
 * VmmDatastoreInfo:
 *
 * What a backend reports about one datastore (a vSphere datastore, a
 * libvirt storage pool, a Cinder backend...): whether it is shared between
 * hosts and which hosts mount it, whether it is online, its capacity and
 * free space, and its path.
 *
 * A plain value object: setters do not emit notifications, and strings and
 * string lists are copied.
 *
 * Since: 1.0
 */

struct _VmmDatastoreInfo
{
  GObject parent_instance;
  char *name;
  gboolean shared;
  gboolean online;
  guint64 capacity;
  guint64 free;
  char *path;
  GStrv hosts;
  GHashTable *host_set; /* the same hosts, for lookups on big clusters */
};

G_DEFINE_FINAL_TYPE (VmmDatastoreInfo, vmm_datastore_info, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *props[N_PROPS] = { NULL };

static const char *const empty_strv[] = { NULL };

static void
vmm_datastore_info_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VmmDatastoreInfo *self = VMM_DATASTORE_INFO (object);

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
vmm_datastore_info_set_property (GObject *object, guint prop_id, const GValue *value,
                                 GParamSpec *pspec)
{
  VmmDatastoreInfo *self = VMM_DATASTORE_INFO (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_free (self->name);
      self->name = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_datastore_info_finalize (GObject *object)
{
  VmmDatastoreInfo *self = VMM_DATASTORE_INFO (object);

  g_free (self->name);
  g_free (self->path);
  g_strfreev (self->hosts);
  g_clear_pointer (&self->host_set, g_hash_table_unref);

  G_OBJECT_CLASS (vmm_datastore_info_parent_class)->finalize (object);
}

static void
vmm_datastore_info_class_init (VmmDatastoreInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vmm_datastore_info_get_property;
  object_class->set_property = vmm_datastore_info_set_property;
  object_class->finalize = vmm_datastore_info_finalize;

  /**
   * VmmDatastoreInfo:name:
   *
   * The datastore's name, unique within its backend.
   *
   * Since: 1.0
   */
  props[PROP_NAME]
      = g_param_spec_string ("name", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
vmm_datastore_info_init (VmmDatastoreInfo *self)
{
  self->online = TRUE;
}

/**
 * vmm_datastore_info_new:
 * @name: the datastore's name
 *
 * Creates the description of an online, unshared datastore that no host
 * mounts yet.
 *
 * Returns: (transfer full): a new #VmmDatastoreInfo
 *
 * Since: 1.0
 */
VmmDatastoreInfo *
vmm_datastore_info_new (const char *name)
{
  VmmDatastoreInfo *self;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (VMM_TYPE_DATASTORE_INFO, NULL);
  self->name = g_strdup (name);
  return self;
}

/**
 * vmm_datastore_info_get_name:
 * @self: a #VmmDatastoreInfo
 *
 * Gets the datastore's name.
 *
 * Returns: the name
 *
 * Since: 1.0
 */
const char *
vmm_datastore_info_get_name (VmmDatastoreInfo *self)
{
  g_return_val_if_fail (VMM_IS_DATASTORE_INFO (self), NULL);
  return self->name;
}

/**
 * vmm_datastore_info_get_shared:
 * @self: a #VmmDatastoreInfo
 *
 * Gets whether several hosts mount the datastore (so a VM on it can change
 * host without moving its storage).
 *
 * Returns: %TRUE if the datastore is shared
 *
 * Since: 1.0
 */
gboolean
vmm_datastore_info_get_shared (VmmDatastoreInfo *self)
{
  g_return_val_if_fail (VMM_IS_DATASTORE_INFO (self), FALSE);
  return self->shared;
}

/**
 * vmm_datastore_info_set_shared:
 * @self: a #VmmDatastoreInfo
 * @shared: whether the datastore is shared
 *
 * Sets whether several hosts mount the datastore.
 *
 * Since: 1.0
 */
void
vmm_datastore_info_set_shared (VmmDatastoreInfo *self, gboolean shared)
{
  g_return_if_fail (VMM_IS_DATASTORE_INFO (self));
  self->shared = shared ? TRUE : FALSE;
}

/**
 * vmm_datastore_info_get_online:
 * @self: a #VmmDatastoreInfo
 *
 * Gets whether the datastore is online (reachable and accepting I/O).
 *
 * Returns: %TRUE if the datastore is online, the default
 *
 * Since: 1.0
 */
gboolean
vmm_datastore_info_get_online (VmmDatastoreInfo *self)
{
  g_return_val_if_fail (VMM_IS_DATASTORE_INFO (self), FALSE);
  return self->online;
}

/**
 * vmm_datastore_info_set_online:
 * @self: a #VmmDatastoreInfo
 * @online: whether the datastore is online
 *
 * Sets whether the datastore is online.
 *
 * Since: 1.0
 */
void
vmm_datastore_info_set_online (VmmDatastoreInfo *self, gboolean online)
{
  g_return_if_fail (VMM_IS_DATASTORE_INFO (self));
  self->online = online ? TRUE : FALSE;
}

/**
 * vmm_datastore_info_get_capacity:
 * @self: a #VmmDatastoreInfo
 *
 * Gets the datastore's size.
 *
 * Returns: the capacity in bytes
 *
 * Since: 1.0
 */
guint64
vmm_datastore_info_get_capacity (VmmDatastoreInfo *self)
{
  g_return_val_if_fail (VMM_IS_DATASTORE_INFO (self), 0);
  return self->capacity;
}

/**
 * vmm_datastore_info_set_capacity:
 * @self: a #VmmDatastoreInfo
 * @bytes: the capacity in bytes
 *
 * Sets the datastore's size.
 *
 * Since: 1.0
 */
void
vmm_datastore_info_set_capacity (VmmDatastoreInfo *self, guint64 bytes)
{
  g_return_if_fail (VMM_IS_DATASTORE_INFO (self));
  self->capacity = bytes;
}

/**
 * vmm_datastore_info_get_free:
 * @self: a #VmmDatastoreInfo
 *
 * Gets the datastore's free space.
 *
 * Returns: the free space in bytes
 *
 * Since: 1.0
 */
guint64
vmm_datastore_info_get_free (VmmDatastoreInfo *self)
{
  g_return_val_if_fail (VMM_IS_DATASTORE_INFO (self), 0);
  return self->free;
}

/**
 * vmm_datastore_info_set_free:
 * @self: a #VmmDatastoreInfo
 * @bytes: the free space in bytes
 *
 * Sets the datastore's free space.
 *
 * Since: 1.0
 */
void
vmm_datastore_info_set_free (VmmDatastoreInfo *self, guint64 bytes)
{
  g_return_if_fail (VMM_IS_DATASTORE_INFO (self));
  self->free = bytes;
}

/**
 * vmm_datastore_info_get_path:
 * @self: a #VmmDatastoreInfo
 *
 * Gets where the datastore is mounted or found (a directory, a URL...).
 *
 * Returns: (nullable): the path, or %NULL if unknown
 *
 * Since: 1.0
 */
const char *
vmm_datastore_info_get_path (VmmDatastoreInfo *self)
{
  g_return_val_if_fail (VMM_IS_DATASTORE_INFO (self), NULL);
  return self->path;
}

/**
 * vmm_datastore_info_set_path:
 * @self: a #VmmDatastoreInfo
 * @path: (nullable): the path
 *
 * Sets where the datastore is mounted or found.
 *
 * Since: 1.0
 */
void
vmm_datastore_info_set_path (VmmDatastoreInfo *self, const char *path)
{
  g_return_if_fail (VMM_IS_DATASTORE_INFO (self));
  if (self->path == path)
    return;
  g_free (self->path);
  self->path = g_strdup (path);
}

/**
 * vmm_datastore_info_get_hosts:
 * @self: a #VmmDatastoreInfo
 *
 * Gets the hosts that mount the datastore.
 *
 * Returns: (transfer none) (array zero-terminated=1): the host names, empty
 *   if no host mounts it
 *
 * Since: 1.0
 */
const char *const *
vmm_datastore_info_get_hosts (VmmDatastoreInfo *self)
{
  g_return_val_if_fail (VMM_IS_DATASTORE_INFO (self), NULL);
  return self->hosts != NULL ? (const char *const *)self->hosts : empty_strv;
}

/**
 * vmm_datastore_info_set_hosts:
 * @self: a #VmmDatastoreInfo
 * @hosts: (nullable) (array zero-terminated=1): the host names
 *
 * Sets the hosts that mount the datastore: one for a local datastore, all
 * of them for a shared one.
 *
 * Since: 1.0
 */
void
vmm_datastore_info_set_hosts (VmmDatastoreInfo *self, const char *const *hosts)
{
  g_return_if_fail (VMM_IS_DATASTORE_INFO (self));
  if ((const char *const *)self->hosts == hosts)
    return;
  g_strfreev (self->hosts);
  self->hosts = g_strdupv ((char **)hosts);
  g_clear_pointer (&self->host_set, g_hash_table_unref);
  if (self->hosts != NULL && g_strv_length (self->hosts) > 8)
    {
      self->host_set = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; self->hosts[i] != NULL; i++)
        g_hash_table_add (self->host_set, self->hosts[i]);
    }
}

/**
 * vmm_datastore_info_is_mounted_on:
 * @self: a #VmmDatastoreInfo
 * @host: a host name
 *
 * Tells whether @host mounts the datastore, that is whether @host is in its
 * host list (an exact match). A datastore with an empty host list is
 * mounted nowhere. Whether it is online is a separate question
 * (vmm_datastore_info_get_online()).
 *
 * Returns: %TRUE if @host mounts the datastore
 *
 * Since: 1.0
 */
gboolean
vmm_datastore_info_is_mounted_on (VmmDatastoreInfo *self, const char *host)
{
  g_return_val_if_fail (VMM_IS_DATASTORE_INFO (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  if (self->host_set != NULL)
    return g_hash_table_contains (self->host_set, host);
  return self->hosts != NULL && g_strv_contains ((const char *const *)self->hosts, host);
}
