/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-actions.h"
#include "vmm-action-private.h"

/* Two private action classes carry every built-in action: VmmEngineAction
 * runs one of the engine's own functions (checks, placement, ComputeSpec);
 * VmmStepAction asks the backend to perform a workflow step and to undo it. */

#define VMM_TYPE_ENGINE_ACTION (vmm_engine_action_get_type ())
G_DECLARE_FINAL_TYPE (VmmEngineAction, vmm_engine_action, VMM, ENGINE_ACTION, VmmAction)

struct _VmmEngineAction
{
  VmmAction parent_instance;
  VmmEngineActionFunc func;
};

G_DEFINE_FINAL_TYPE (VmmEngineAction, vmm_engine_action, VMM_TYPE_ACTION)

static void
vmm_engine_action_run_async (VmmAction *action, VmmMigrationContext *context,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  VmmEngineAction *self = VMM_ENGINE_ACTION (action);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_check_cancellable (task, FALSE);
  GError *error = NULL;

  vmm_task_set_source_tag (task, vmm_engine_action_run_async);
  if (self->func (context, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
vmm_engine_action_class_init (VmmEngineActionClass *klass)
{
  VMM_ACTION_CLASS (klass)->run_async = vmm_engine_action_run_async;
}

static void
vmm_engine_action_init (VmmEngineAction *self)
{
}

/* Built-in actions hold nothing of a migration (the context is passed to
 * each run): one instance of each serves every migration of the process,
 * instead of two dozen objects per migration (its plan and its run). A
 * migration asks for about 24 of them: taking one is a load and a ref. */
G_LOCK_DEFINE_STATIC (shared_actions);
#define N_PERFORMERS 8
static VmmAction *shared_step_actions[VMM_STEP_LAST][N_PERFORMERS];

VmmAction *
vmm_engine_action_shared (VmmAction **shared, const char *name, VmmActionPerformer performer,
                          VmmEngineActionFunc func)
{
  if (g_once_init_enter (shared))
    {
      VmmEngineAction *self = g_object_new (VMM_TYPE_ENGINE_ACTION, NULL);

      vmm_action_init_fields (VMM_ACTION (self), name, performer, FALSE, FALSE);
      self->func = func;
      g_once_init_leave (shared, VMM_ACTION (self));
    }
  return g_object_ref (*shared);
}

#define VMM_TYPE_STEP_ACTION (vmm_step_action_get_type ())
G_DECLARE_FINAL_TYPE (VmmStepAction, vmm_step_action, VMM, STEP_ACTION, VmmAction)

struct _VmmStepAction
{
  VmmAction parent_instance;
  VmmStep step;
};

G_DEFINE_FINAL_TYPE (VmmStepAction, vmm_step_action, VMM_TYPE_ACTION)

static void
step_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (vmm_backend_step_finish (VMM_BACKEND (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
vmm_step_action_run_async (VmmAction *action, VmmMigrationContext *context,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  VmmStepAction *self = VMM_STEP_ACTION (action);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_check_cancellable (task, FALSE);

  vmm_task_set_source_tag (task, vmm_step_action_run_async);
  if (vmm_action_get_performer (action) != VMM_ACTION_PERFORMER_BACKEND
      || vmm_migration_context_is_dry_run (context))
    {
      /* Done by the platform inside another step, or not needed here. */
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  vmm_backend_run_step_async (vmm_migration_context_get_backend (context), self->step, context,
                              cancellable, step_done_cb, task);
}

static void
vmm_step_action_undo_async (VmmAction *action, VmmMigrationContext *context,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  VmmStepAction *self = VMM_STEP_ACTION (action);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_check_cancellable (task, FALSE);

  vmm_task_set_source_tag (task, vmm_step_action_undo_async);
  if (vmm_action_get_performer (action) != VMM_ACTION_PERFORMER_BACKEND
      || vmm_migration_context_is_dry_run (context))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  vmm_backend_undo_step_async (vmm_migration_context_get_backend (context), self->step, context,
                               cancellable, step_done_cb, task);
}

static void
vmm_step_action_class_init (VmmStepActionClass *klass)
{
  VmmActionClass *action_class = VMM_ACTION_CLASS (klass);

  action_class->run_async = vmm_step_action_run_async;
  action_class->undo_async = vmm_step_action_undo_async;
}

static void
vmm_step_action_init (VmmStepAction *self)
{
}

VmmAction *
vmm_action_step_new (VmmBackend *backend, VmmStep step)
{
  VmmStepAction *self;
  VmmActionPerformer performer;

  switch (vmm_backend_get_step_mode (backend, step))
    {
    case VMM_STEP_MODE_PLATFORM:
      performer = VMM_ACTION_PERFORMER_PLATFORM;
      break;
    case VMM_STEP_MODE_NOT_NEEDED:
      performer = VMM_ACTION_PERFORMER_NOBODY;
      break;
    case VMM_STEP_MODE_BACKEND:
    case VMM_STEP_MODE_UNSUPPORTED:
    default:
      performer = VMM_ACTION_PERFORMER_BACKEND;
      break;
    }
  g_return_val_if_fail ((guint)step < VMM_STEP_LAST && (guint)performer < N_PERFORMERS, NULL);
  self = (VmmStepAction *)g_atomic_pointer_get (&shared_step_actions[step][performer]);
  if (self != NULL)
    return g_object_ref (VMM_ACTION (self));
  G_LOCK (shared_actions);
  if (shared_step_actions[step][performer] == NULL)
    {
      self = g_object_new (VMM_TYPE_STEP_ACTION, NULL);
      vmm_action_init_fields (VMM_ACTION (self), vmm_step_get_name (step), performer,
                              step == VMM_STEP_INITIATE_SOURCE
                                  || step == VMM_STEP_CREATE_DESTINATION_VM
                                  || step == VMM_STEP_RECONFIGURE_VM,
                              step == VMM_STEP_INITIATE_SOURCE);
      self->step = step;
      g_atomic_pointer_set (&shared_step_actions[step][performer], VMM_ACTION (self));
    }
  self = g_object_ref (VMM_STEP_ACTION (shared_step_actions[step][performer]));
  G_UNLOCK (shared_actions);
  return VMM_ACTION (self);
}

gboolean
vmm_action_run_now (VmmAction *action, VmmMigrationContext *context, gboolean *ok, GError **error)
{
  if (VMM_IS_ENGINE_ACTION (action))
    {
      *ok = VMM_ENGINE_ACTION (action)->func (context, error);
      return TRUE;
    }
  if (VMM_IS_STEP_ACTION (action) && vmm_migration_context_is_dry_run (context))
    {
      *ok = TRUE;
      return TRUE;
    }
  return FALSE;
}

gboolean
vmm_action_step_get_step (VmmAction *action, VmmStep *step)
{
  if (!VMM_IS_STEP_ACTION (action))
    return FALSE;
  *step = VMM_STEP_ACTION (action)->step;
  return TRUE;
}
