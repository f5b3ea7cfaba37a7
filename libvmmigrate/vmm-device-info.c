/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"
#include "vmmigrate.h"

/**
 * VmmDeviceInfo:
 *
 * One virtual device of a VM other than a disk: a CD/DVD drive, a NIC, a
 * floppy drive, a serial port... with what backs it (a datastore and path,
 * for example an ISO image; or a network) and whether it is connected.
 *
 * Prechecks use it to find backings the destination cannot reach, such as
 * an ISO on a datastore local to the source host.
 *
 * A plain value object: setters do not emit notifications.
 *
 * Since: 1.0
 */

struct _VmmDeviceInfo
{
  GObject parent_instance;
  const char *key; /* interned */
  VmmDeviceKind kind;
  const char *backing_datastore; /* interned */
  char *backing_path;
  const char *network; /* interned */
  gboolean connected;
};

G_DEFINE_FINAL_TYPE (VmmDeviceInfo, vmm_device_info, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_KEY,
  PROP_KIND,
  N_PROPS
};

static GParamSpec *props[N_PROPS] = { NULL };

static void
vmm_device_info_set_string (char **field, const char *value)
{
  if (*field == value)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

static void
vmm_device_info_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VmmDeviceInfo *self = VMM_DEVICE_INFO (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_device_info_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  VmmDeviceInfo *self = VMM_DEVICE_INFO (object);

  switch (prop_id)
    {
    case PROP_KEY:
      vmm_set_name (&self->key, g_value_get_string (value));
      break;
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_device_info_finalize (GObject *object)
{
  VmmDeviceInfo *self = VMM_DEVICE_INFO (object);

  g_free (self->backing_path);

  G_OBJECT_CLASS (vmm_device_info_parent_class)->finalize (object);
}

static void
vmm_device_info_class_init (VmmDeviceInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vmm_device_info_get_property;
  object_class->set_property = vmm_device_info_set_property;
  object_class->finalize = vmm_device_info_finalize;

  /**
   * VmmDeviceInfo:key:
   *
   * The device's key, unique within its VM.
   *
   * Since: 1.0
   */
  props[PROP_KEY] = g_param_spec_string (
      "key", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * VmmDeviceInfo:kind:
   *
   * The kind of device.
   *
   * Since: 1.0
   */
  props[PROP_KIND]
      = g_param_spec_enum ("kind", NULL, NULL, VMM_TYPE_DEVICE_KIND, VMM_DEVICE_KIND_OTHER,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
vmm_device_info_init (VmmDeviceInfo *self)
{
  self->kind = VMM_DEVICE_KIND_OTHER;
  self->connected = TRUE;
}

/**
 * vmm_device_info_new:
 * @key: the device's key
 * @kind: the kind of device
 *
 * Creates the description of a connected device with no backing.
 *
 * Returns: (transfer full): a new #VmmDeviceInfo
 *
 * Since: 1.0
 */
VmmDeviceInfo *
vmm_device_info_new (const char *key, VmmDeviceKind kind)
{
  VmmDeviceInfo *self;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail ((guint)kind <= VMM_DEVICE_KIND_SERIAL, NULL);

  self = g_object_new (VMM_TYPE_DEVICE_INFO, NULL);
  self->key = vmm_intern (key);
  self->kind = kind;
  return self;
}

/**
 * vmm_device_info_get_key:
 * @self: a #VmmDeviceInfo
 *
 * Gets the device's key.
 *
 * Returns: the key
 *
 * Since: 1.0
 */
const char *
vmm_device_info_get_key (VmmDeviceInfo *self)
{
  g_return_val_if_fail (VMM_IS_DEVICE_INFO (self), NULL);
  return self->key;
}

/**
 * vmm_device_info_get_kind:
 * @self: a #VmmDeviceInfo
 *
 * Gets the kind of device.
 *
 * Returns: the kind
 *
 * Since: 1.0
 */
VmmDeviceKind
vmm_device_info_get_kind (VmmDeviceInfo *self)
{
  g_return_val_if_fail (VMM_IS_DEVICE_INFO (self), VMM_DEVICE_KIND_OTHER);
  return self->kind;
}

/**
 * vmm_device_info_get_backing_datastore:
 * @self: a #VmmDeviceInfo
 *
 * Gets the datastore of the device's backing (for example the datastore
 * holding a CD drive's ISO image).
 *
 * Returns: (nullable): the datastore, or %NULL if the backing is on none
 *
 * Since: 1.0
 */
const char *
vmm_device_info_get_backing_datastore (VmmDeviceInfo *self)
{
  g_return_val_if_fail (VMM_IS_DEVICE_INFO (self), NULL);
  return self->backing_datastore;
}

/**
 * vmm_device_info_set_backing_datastore:
 * @self: a #VmmDeviceInfo
 * @datastore: (nullable): the datastore of the device's backing
 *
 * Sets the datastore of the device's backing.
 *
 * Since: 1.0
 */
void
vmm_device_info_set_backing_datastore (VmmDeviceInfo *self, const char *datastore)
{
  g_return_if_fail (VMM_IS_DEVICE_INFO (self));
  vmm_set_name (&self->backing_datastore, datastore);
}

/**
 * vmm_device_info_get_backing_path:
 * @self: a #VmmDeviceInfo
 *
 * Gets the path of the device's backing (an ISO image, a host device...).
 *
 * Returns: (nullable): the path, or %NULL if none
 *
 * Since: 1.0
 */
const char *
vmm_device_info_get_backing_path (VmmDeviceInfo *self)
{
  g_return_val_if_fail (VMM_IS_DEVICE_INFO (self), NULL);
  return self->backing_path;
}

/**
 * vmm_device_info_set_backing_path:
 * @self: a #VmmDeviceInfo
 * @path: (nullable): the path of the device's backing
 *
 * Sets the path of the device's backing.
 *
 * Since: 1.0
 */
void
vmm_device_info_set_backing_path (VmmDeviceInfo *self, const char *path)
{
  g_return_if_fail (VMM_IS_DEVICE_INFO (self));
  vmm_device_info_set_string (&self->backing_path, path);
}

/**
 * vmm_device_info_get_network:
 * @self: a #VmmDeviceInfo
 *
 * Gets the network a NIC is attached to.
 *
 * Returns: (nullable): the network, or %NULL if none
 *
 * Since: 1.0
 */
const char *
vmm_device_info_get_network (VmmDeviceInfo *self)
{
  g_return_val_if_fail (VMM_IS_DEVICE_INFO (self), NULL);
  return self->network;
}

/**
 * vmm_device_info_set_network:
 * @self: a #VmmDeviceInfo
 * @network: (nullable): the network the NIC is attached to
 *
 * Sets the network a NIC is attached to.
 *
 * Since: 1.0
 */
void
vmm_device_info_set_network (VmmDeviceInfo *self, const char *network)
{
  g_return_if_fail (VMM_IS_DEVICE_INFO (self));
  vmm_set_name (&self->network, network);
}

/**
 * vmm_device_info_get_connected:
 * @self: a #VmmDeviceInfo
 *
 * Gets whether the device is connected to its backing.
 *
 * Returns: %TRUE if connected, the default
 *
 * Since: 1.0
 */
gboolean
vmm_device_info_get_connected (VmmDeviceInfo *self)
{
  g_return_val_if_fail (VMM_IS_DEVICE_INFO (self), FALSE);
  return self->connected;
}

/**
 * vmm_device_info_set_connected:
 * @self: a #VmmDeviceInfo
 * @connected: whether the device is connected
 *
 * Sets whether the device is connected to its backing.
 *
 * Since: 1.0
 */
void
vmm_device_info_set_connected (VmmDeviceInfo *self, gboolean connected)
{
  g_return_if_fail (VMM_IS_DEVICE_INFO (self));
  self->connected = connected ? TRUE : FALSE;
}
