/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-action-private.h"

/**
 * VmmAction:
 *
 * One step of the migration workflow: a `run` and, where it changed anything,
 * an `undo` that compensates it when a later action fails. The engine's
 * built-in actions are the ones of vCenter's migrate workflow
 * (InvokePrechecks, SelectDestination, ..., CompleteDestination); an action
 * may append further actions with vmm_migration_context_append_action().
 *
 * Since: 1.0
 */

typedef struct
{
  char *name; /* owned, or interned when name_interned */
  gboolean name_interned;
  char *description;
  VmmActionPerformer performer;
  gboolean transfers_data;
  gboolean point_of_no_return;
} VmmActionPrivate;

enum
{
  PROP_0,
  PROP_NAME,
  PROP_DESCRIPTION,
  PROP_PERFORMER,
  PROP_TRANSFERS_DATA,
  PROP_POINT_OF_NO_RETURN,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_TYPE_WITH_PRIVATE (VmmAction, vmm_action, G_TYPE_OBJECT)

static void
vmm_action_finalize (GObject *object)
{
  VmmActionPrivate *priv = vmm_action_get_instance_private (VMM_ACTION (object));

  if (!priv->name_interned)
    g_free (priv->name);
  g_free (priv->description);
  G_OBJECT_CLASS (vmm_action_parent_class)->finalize (object);
}

static void
vmm_action_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VmmActionPrivate *priv = vmm_action_get_instance_private (VMM_ACTION (object));

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, priv->name);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, priv->description);
      break;
    case PROP_PERFORMER:
      g_value_set_enum (value, priv->performer);
      break;
    case PROP_TRANSFERS_DATA:
      g_value_set_boolean (value, priv->transfers_data);
      break;
    case PROP_POINT_OF_NO_RETURN:
      g_value_set_boolean (value, priv->point_of_no_return);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmm_action_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VmmActionPrivate *priv = vmm_action_get_instance_private (VMM_ACTION (object));

  switch (prop_id)
    {
    case PROP_NAME:
      if (!priv->name_interned)
        g_free (priv->name);
      priv->name = g_value_dup_string (value);
      priv->name_interned = FALSE;
      break;
    case PROP_DESCRIPTION:
      g_free (priv->description);
      priv->description = g_value_dup_string (value);
      break;
    case PROP_PERFORMER:
      priv->performer = g_value_get_enum (value);
      break;
    case PROP_TRANSFERS_DATA:
      priv->transfers_data = g_value_get_boolean (value);
      break;
    case PROP_POINT_OF_NO_RETURN:
      priv->point_of_no_return = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmm_action_class_init (VmmActionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vmm_action_finalize;
  object_class->get_property = vmm_action_get_property;
  object_class->set_property = vmm_action_set_property;

  /**
   * VmmAction:name:
   *
   * The action's workflow name, e.g. `InitiateSource`.
   *
   * Since: 1.0
   */
  props[PROP_NAME]
      = g_param_spec_string ("name", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * VmmAction:description:
   *
   * What the action does in this migration, for the plan.
   *
   * Since: 1.0
   */
  props[PROP_DESCRIPTION]
      = g_param_spec_string ("description", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  /**
   * VmmAction:performer:
   *
   * Who performs the action.
   *
   * Since: 1.0
   */
  props[PROP_PERFORMER] = g_param_spec_enum (
      "performer", NULL, NULL, VMM_TYPE_ACTION_PERFORMER, VMM_ACTION_PERFORMER_ENGINE,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * VmmAction:transfers-data:
   *
   * Whether the action moves the VM's memory or disks (it weighs more in
   * the progress fraction).
   *
   * Since: 1.0
   */
  props[PROP_TRANSFERS_DATA]
      = g_param_spec_boolean ("transfers-data", NULL, NULL, FALSE,
                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * VmmAction:point-of-no-return:
   *
   * Whether the VM is at its destination once the action completes: the
   * engine does not undo it, and later failures leave the VM there.
   *
   * Since: 1.0
   */
  props[PROP_POINT_OF_NO_RETURN]
      = g_param_spec_boolean ("point-of-no-return", NULL, NULL, FALSE,
                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
vmm_action_init (VmmAction *self)
{
}

void
vmm_action_init_fields (VmmAction *self, const char *name, VmmActionPerformer performer,
                        gboolean transfers_data, gboolean point_of_no_return)
{
  VmmActionPrivate *priv = vmm_action_get_instance_private (self);

  /* one copy of each name for all the migrations' actions */
  if (!priv->name_interned)
    g_free (priv->name);
  priv->name = (char *)vmm_intern (name);
  priv->name_interned = TRUE;
  priv->performer = performer;
  priv->transfers_data = transfers_data;
  priv->point_of_no_return = point_of_no_return;
}

/**
 * vmm_action_get_name:
 * @self: a #VmmAction
 *
 * The action's workflow name.
 *
 * Returns: the name
 *
 * Since: 1.0
 */
const char *
vmm_action_get_name (VmmAction *self)
{
  VmmActionPrivate *priv;

  g_return_val_if_fail (VMM_IS_ACTION (self), NULL);
  priv = vmm_action_get_instance_private (self);
  return priv->name != NULL ? priv->name : G_OBJECT_TYPE_NAME (self);
}

/**
 * vmm_action_get_description:
 * @self: a #VmmAction
 *
 * What the action does in this migration.
 *
 * Returns: (nullable): the description
 *
 * Since: 1.0
 */
const char *
vmm_action_get_description (VmmAction *self)
{
  VmmActionPrivate *priv;

  g_return_val_if_fail (VMM_IS_ACTION (self), NULL);
  priv = vmm_action_get_instance_private (self);
  return priv->description;
}

/**
 * vmm_action_get_performer:
 * @self: a #VmmAction
 *
 * Who performs the action.
 *
 * Returns: the performer
 *
 * Since: 1.0
 */
VmmActionPerformer
vmm_action_get_performer (VmmAction *self)
{
  VmmActionPrivate *priv;

  g_return_val_if_fail (VMM_IS_ACTION (self), VMM_ACTION_PERFORMER_ENGINE);
  priv = vmm_action_get_instance_private (self);
  return priv->performer;
}

/**
 * vmm_action_get_transfers_data:
 * @self: a #VmmAction
 *
 * Whether the action moves memory or disk data.
 *
 * Returns: %TRUE if it moves data
 *
 * Since: 1.0
 */
gboolean
vmm_action_get_transfers_data (VmmAction *self)
{
  VmmActionPrivate *priv;

  g_return_val_if_fail (VMM_IS_ACTION (self), FALSE);
  priv = vmm_action_get_instance_private (self);
  return priv->transfers_data;
}

/**
 * vmm_action_get_point_of_no_return:
 * @self: a #VmmAction
 *
 * Whether the VM is at its destination once the action completes.
 *
 * Returns: %TRUE for the switch-over action
 *
 * Since: 1.0
 */
gboolean
vmm_action_get_point_of_no_return (VmmAction *self)
{
  VmmActionPrivate *priv;

  g_return_val_if_fail (VMM_IS_ACTION (self), FALSE);
  priv = vmm_action_get_instance_private (self);
  return priv->point_of_no_return;
}

/**
 * vmm_action_has_undo:
 * @self: a #VmmAction
 *
 * Whether the action has a compensation.
 *
 * Returns: %TRUE if it can be undone
 *
 * Since: 1.0
 */
gboolean
vmm_action_has_undo (VmmAction *self)
{
  g_return_val_if_fail (VMM_IS_ACTION (self), FALSE);
  return VMM_ACTION_GET_CLASS (self)->undo_async != NULL;
}

/**
 * vmm_action_run_async:
 * @self: a #VmmAction
 * @context: the migration's context
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the action is done
 * @user_data: data for @callback
 *
 * Runs the action.
 *
 * Since: 1.0
 */
void
vmm_action_run_async (VmmAction *self, VmmMigrationContext *context, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  VmmActionClass *klass;

  g_return_if_fail (VMM_IS_ACTION (self));
  g_return_if_fail (VMM_IS_MIGRATION_CONTEXT (context));
  klass = VMM_ACTION_GET_CLASS (self);
  if (klass->run_async == NULL)
    {
      g_task_report_new_error (self, callback, user_data, vmm_action_run_async, VMM_ERROR,
                               VMM_ERROR_UNSUPPORTED, "action %s cannot run",
                               vmm_action_get_name (self));
      return;
    }
  klass->run_async (self, context, cancellable, callback, user_data);
}

/**
 * vmm_action_run_finish:
 * @self: a #VmmAction
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_action_run_async().
 *
 * Returns: %TRUE when the action succeeded
 *
 * Since: 1.0
 */
gboolean
vmm_action_run_finish (VmmAction *self, GAsyncResult *result, GError **error)
{
  VmmActionClass *klass;

  g_return_val_if_fail (VMM_IS_ACTION (self), FALSE);
  if (g_async_result_is_tagged (result, vmm_action_run_async))
    return g_task_propagate_boolean (G_TASK (result), error);
  klass = VMM_ACTION_GET_CLASS (self);
  if (klass->run_finish == NULL)
    return g_task_propagate_boolean (G_TASK (result), error);
  return klass->run_finish (self, result, error);
}

/**
 * vmm_action_undo_async:
 * @self: a #VmmAction
 * @context: the migration's context
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the compensation is done
 * @user_data: data for @callback
 *
 * Compensates the action. An action without undo succeeds at once.
 *
 * Since: 1.0
 */
void
vmm_action_undo_async (VmmAction *self, VmmMigrationContext *context, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  VmmActionClass *klass;

  g_return_if_fail (VMM_IS_ACTION (self));
  klass = VMM_ACTION_GET_CLASS (self);
  if (klass->undo_async == NULL)
    {
      g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
      g_task_set_check_cancellable (task, FALSE);

      g_task_set_source_tag (task, vmm_action_undo_async);
      g_task_return_boolean (task, TRUE);
      return;
    }
  klass->undo_async (self, context, cancellable, callback, user_data);
}

/**
 * vmm_action_undo_finish:
 * @self: a #VmmAction
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_action_undo_async().
 *
 * Returns: %TRUE when the compensation succeeded
 *
 * Since: 1.0
 */
gboolean
vmm_action_undo_finish (VmmAction *self, GAsyncResult *result, GError **error)
{
  VmmActionClass *klass;

  g_return_val_if_fail (VMM_IS_ACTION (self), FALSE);
  if (g_async_result_is_tagged (result, vmm_action_undo_async))
    return g_task_propagate_boolean (G_TASK (result), error);
  klass = VMM_ACTION_GET_CLASS (self);
  if (klass->undo_finish == NULL)
    return g_task_propagate_boolean (G_TASK (result), error);
  return klass->undo_finish (self, result, error);
}

VmmActionPerformer
vmm_action_peek_performer (VmmAction *self)
{
  return ((VmmActionPrivate *)vmm_action_get_instance_private (self))->performer;
}

gboolean
vmm_action_peek_transfers_data (VmmAction *self)
{
  return ((VmmActionPrivate *)vmm_action_get_instance_private (self))->transfers_data;
}

gboolean
vmm_action_peek_point_of_no_return (VmmAction *self)
{
  return ((VmmActionPrivate *)vmm_action_get_instance_private (self))->point_of_no_return;
}

const char *
vmm_action_peek_interned_name (VmmAction *self)
{
  VmmActionPrivate *priv = vmm_action_get_instance_private (self);

  return priv->name_interned ? priv->name : vmm_intern (priv->name);
}
