/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmmigrate.h"

/**
 * VmmDiskLocator:
 *
 * Where one disk of a VM goes: the disk's key (as the backend names the
 * disk, for example `disk-0` or `vda`), the target datastore, how its
 * backing chain moves (#VmmDiskMoveType) and how its backing is transformed
 * on the way (#VmmDiskTransform).
 *
 * A #VmmRelocateSpec holds one locator per disk that goes somewhere other
 * than the spec's primary datastore.
 *
 * Since: 1.0
 */

struct _VmmDiskLocator
{
  GObject parent_instance;
  char *key;
  char *datastore;
  VmmDiskMoveType move_type;
  VmmDiskTransform transform;
};

G_DEFINE_FINAL_TYPE (VmmDiskLocator, vmm_disk_locator, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_KEY,
  PROP_DATASTORE,
  PROP_MOVE_TYPE,
  PROP_TRANSFORM,
  N_PROPS
};

static GParamSpec *props[N_PROPS] = { NULL };

static void
vmm_disk_locator_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VmmDiskLocator *self = VMM_DISK_LOCATOR (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case PROP_DATASTORE:
      g_value_set_string (value, self->datastore);
      break;
    case PROP_MOVE_TYPE:
      g_value_set_enum (value, self->move_type);
      break;
    case PROP_TRANSFORM:
      g_value_set_enum (value, self->transform);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_disk_locator_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  VmmDiskLocator *self = VMM_DISK_LOCATOR (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_free (self->key);
      self->key = g_value_dup_string (value);
      break;
    case PROP_DATASTORE:
      g_free (self->datastore);
      self->datastore = g_value_dup_string (value);
      break;
    case PROP_MOVE_TYPE:
      vmm_disk_locator_set_move_type (self, g_value_get_enum (value));
      break;
    case PROP_TRANSFORM:
      vmm_disk_locator_set_transform (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_disk_locator_finalize (GObject *object)
{
  VmmDiskLocator *self = VMM_DISK_LOCATOR (object);

  g_free (self->key);
  g_free (self->datastore);

  G_OBJECT_CLASS (vmm_disk_locator_parent_class)->finalize (object);
}

static void
vmm_disk_locator_class_init (VmmDiskLocatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vmm_disk_locator_get_property;
  object_class->set_property = vmm_disk_locator_set_property;
  object_class->finalize = vmm_disk_locator_finalize;

  /**
   * VmmDiskLocator:key:
   *
   * The key of the disk this locator moves, as the backend names it.
   *
   * Since: 1.0
   */
  props[PROP_KEY] = g_param_spec_string (
      "key", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * VmmDiskLocator:datastore:
   *
   * The datastore the disk moves to.
   *
   * Since: 1.0
   */
  props[PROP_DATASTORE]
      = g_param_spec_string ("datastore", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * VmmDiskLocator:move-type:
   *
   * How the disk's backing chain moves.
   *
   * Since: 1.0
   */
  props[PROP_MOVE_TYPE] = g_param_spec_enum (
      "move-type", NULL, NULL, VMM_TYPE_DISK_MOVE_TYPE, VMM_DISK_MOVE_TYPE_MOVE_ALL,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmmDiskLocator:transform:
   *
   * How the disk's backing is transformed while it moves.
   *
   * Since: 1.0
   */
  props[PROP_TRANSFORM] = g_param_spec_enum (
      "transform", NULL, NULL, VMM_TYPE_DISK_TRANSFORM, VMM_DISK_TRANSFORM_NONE,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
vmm_disk_locator_init (VmmDiskLocator *self)
{
  self->move_type = VMM_DISK_MOVE_TYPE_MOVE_ALL;
  self->transform = VMM_DISK_TRANSFORM_NONE;
}

/**
 * vmm_disk_locator_new:
 * @key: the key of the disk to move
 * @datastore: the datastore the disk moves to
 *
 * Creates a locator that moves the disk @key to @datastore, moving its whole
 * backing chain and keeping its format.
 *
 * Returns: (transfer full): a new #VmmDiskLocator
 *
 * Since: 1.0
 */
VmmDiskLocator *
vmm_disk_locator_new (const char *key, const char *datastore)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (datastore != NULL, NULL);

  return g_object_new (VMM_TYPE_DISK_LOCATOR, "key", key, "datastore", datastore, NULL);
}

/**
 * vmm_disk_locator_get_key:
 * @self: a #VmmDiskLocator
 *
 * Gets the key of the disk this locator moves.
 *
 * Returns: (nullable): the disk's key; %NULL only for a locator built
 *   without one, which vmm_relocate_spec_validate() rejects
 *
 * Since: 1.0
 */
const char *
vmm_disk_locator_get_key (VmmDiskLocator *self)
{
  g_return_val_if_fail (VMM_IS_DISK_LOCATOR (self), NULL);
  return self->key;
}

/**
 * vmm_disk_locator_get_datastore:
 * @self: a #VmmDiskLocator
 *
 * Gets the datastore the disk moves to.
 *
 * Returns: (nullable): the target datastore; %NULL only for a locator built
 *   without one, which vmm_relocate_spec_validate() rejects
 *
 * Since: 1.0
 */
const char *
vmm_disk_locator_get_datastore (VmmDiskLocator *self)
{
  g_return_val_if_fail (VMM_IS_DISK_LOCATOR (self), NULL);
  return self->datastore;
}

/**
 * vmm_disk_locator_get_move_type:
 * @self: a #VmmDiskLocator
 *
 * Gets how the disk's backing chain moves.
 *
 * Returns: the move type, %VMM_DISK_MOVE_TYPE_MOVE_ALL by default
 *
 * Since: 1.0
 */
VmmDiskMoveType
vmm_disk_locator_get_move_type (VmmDiskLocator *self)
{
  g_return_val_if_fail (VMM_IS_DISK_LOCATOR (self), VMM_DISK_MOVE_TYPE_MOVE_ALL);
  return self->move_type;
}

/**
 * vmm_disk_locator_set_move_type:
 * @self: a #VmmDiskLocator
 * @move_type: a #VmmDiskMoveType
 *
 * Sets how the disk's backing chain moves.
 *
 * Since: 1.0
 */
void
vmm_disk_locator_set_move_type (VmmDiskLocator *self, VmmDiskMoveType move_type)
{
  g_return_if_fail (VMM_IS_DISK_LOCATOR (self));
  g_return_if_fail ((guint)move_type <= VMM_DISK_MOVE_TYPE_CREATE_NEW_CHILD);

  if (self->move_type == move_type)
    return;
  self->move_type = move_type;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MOVE_TYPE]);
}

/**
 * vmm_disk_locator_get_transform:
 * @self: a #VmmDiskLocator
 *
 * Gets how the disk's backing is transformed while it moves.
 *
 * Returns: the transformation, %VMM_DISK_TRANSFORM_NONE by default
 *
 * Since: 1.0
 */
VmmDiskTransform
vmm_disk_locator_get_transform (VmmDiskLocator *self)
{
  g_return_val_if_fail (VMM_IS_DISK_LOCATOR (self), VMM_DISK_TRANSFORM_NONE);
  return self->transform;
}

/**
 * vmm_disk_locator_set_transform:
 * @self: a #VmmDiskLocator
 * @transform: a #VmmDiskTransform
 *
 * Sets how the disk's backing is transformed while it moves.
 *
 * Since: 1.0
 */
void
vmm_disk_locator_set_transform (VmmDiskLocator *self, VmmDiskTransform transform)
{
  g_return_if_fail (VMM_IS_DISK_LOCATOR (self));
  g_return_if_fail ((guint)transform <= VMM_DISK_TRANSFORM_RAW);

  if (self->transform == transform)
    return;
  self->transform = transform;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TRANSFORM]);
}
