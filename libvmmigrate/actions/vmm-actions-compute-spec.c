/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-actions.h"

gboolean
vmm_migration_type_is_hot (VmmMigrationType type)
{
  return type == VMM_MIGRATION_TYPE_HOT_HOST || type == VMM_MIGRATION_TYPE_HOT_STORAGE
         || type == VMM_MIGRATION_TYPE_HOT_HOST_AND_STORAGE
         || type == VMM_MIGRATION_TYPE_HOT_DISKS_ONLY;
}

static void
append_step (VmmMigrationContext *context, VmmStep step)
{
  g_autoptr (VmmAction) action
      = vmm_action_step_new (vmm_migration_context_get_backend (context), step);

  vmm_migration_context_append_action (context, action);
}

static void
append_engine (VmmMigrationContext *context, VmmAction *action)
{
  vmm_migration_context_append_action (context, action);
  g_object_unref (action);
}

/* The queue every migration starts with, as in vCenter's migrate workflow. */
void
vmm_workflow_build_initial_queue (VmmMigrationContext *context)
{
  gboolean storage = vmm_migration_context_changes_primary_datastore (context)
                     || vmm_migration_context_changes_disk_datastores (context);
  gboolean cross = vmm_migration_context_is_cross_manager (context);

  append_engine (context, vmm_action_invoke_prechecks_new ());
  if (vmm_migration_context_changes_host (context))
    append_engine (context, vmm_action_select_destination_new ());
  if (cross)
    append_engine (context, vmm_action_check_permission_new ());
  append_engine (context, vmm_action_check_compatibility_new ());
  if (storage)
    append_step (context, VMM_STEP_RESERVE_DIRECTORY);
  if (cross)
    append_step (context, VMM_STEP_CREATE_INVENTORY_VM);
  append_engine (context, vmm_action_compute_spec_new ());
  append_engine (context, vmm_action_invoke_callbacks_new ());
}

static VmmBackendCapabilities
required_capability (VmmMigrationType type)
{
  switch (type)
    {
    case VMM_MIGRATION_TYPE_HOT_HOST:
      return VMM_BACKEND_CAPABILITY_HOT_HOST;
    case VMM_MIGRATION_TYPE_HOT_STORAGE:
    case VMM_MIGRATION_TYPE_HOT_DISKS_ONLY:
      return VMM_BACKEND_CAPABILITY_HOT_STORAGE;
    case VMM_MIGRATION_TYPE_HOT_HOST_AND_STORAGE:
      return VMM_BACKEND_CAPABILITY_HOT_HOST_AND_STORAGE;
    case VMM_MIGRATION_TYPE_CROSS_MANAGER:
      return VMM_BACKEND_CAPABILITY_CROSS_MANAGER;
    case VMM_MIGRATION_TYPE_COLD:
      return VMM_BACKEND_CAPABILITY_COLD;
    case VMM_MIGRATION_TYPE_POOL_ONLY:
      return VMM_BACKEND_CAPABILITY_POOL_CHANGE;
    case VMM_MIGRATION_TYPE_UNKNOWN:
    default:
      return VMM_BACKEND_CAPABILITY_NONE;
    }
}

gboolean
vmm_workflow_check_supported (VmmMigrationContext *context, GError **error)
{
  VmmBackend *backend = vmm_migration_context_get_backend (context);
  VmmMigrationType type = vmm_migration_context_get_migration_type (context);
  VmmBackendCapabilities needed = required_capability (type);
  GPtrArray *queue = vmm_migration_context_get_queue (context);

  if ((vmm_backend_get_capabilities (backend) & needed) != needed)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED, "the %s backend cannot do a %s",
                   G_OBJECT_TYPE_NAME (backend), vmm_migration_type_to_string (type));
      return FALSE;
    }
  for (guint i = 0; i < queue->len; i++)
    {
      VmmStep step;

      if (vmm_action_step_get_step (g_ptr_array_index (queue, i), &step)
          && vmm_backend_get_step_mode (backend, step) == VMM_STEP_MODE_UNSUPPORTED)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                       "the %s backend cannot do %s, which a %s needs",
                       G_OBJECT_TYPE_NAME (backend), vmm_step_get_name (step),
                       vmm_migration_type_to_string (type));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
compute_spec (VmmMigrationContext *context, GError **error)
{
  VmmVmInfo *vm = vmm_migration_context_get_vm (context);
  gboolean running = vmm_vm_info_get_power_state (vm) == VMM_POWER_STATE_RUNNING;
  gboolean restart = running && vmm_migration_context_get_cold_restart (context);
  gboolean hot = running && !restart;
  gboolean host = vmm_migration_context_changes_host (context);
  gboolean primary = vmm_migration_context_changes_primary_datastore (context);
  gboolean disks = vmm_migration_context_changes_disk_datastores (context);
  gboolean pool = vmm_migration_context_changes_pool (context);
  gboolean cross = vmm_migration_context_is_cross_manager (context);
  gboolean folder
      = vmm_relocate_spec_get_folder (vmm_migration_context_get_spec (context)) != NULL
        && g_strcmp0 (vmm_relocate_spec_get_folder (vmm_migration_context_get_spec (context)),
                      vmm_vm_info_get_folder (vm))
               != 0;
  VmmMigrationType type;

  if (!host && !primary && !disks && !cross)
    {
      if (!pool && !folder)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                       "the spec moves nothing: VM '%s' already is on host '%s', datastore '%s'",
                       vmm_vm_info_get_name (vm), vmm_vm_info_get_host (vm),
                       vmm_vm_info_get_datastore (vm));
          return FALSE;
        }
      type = VMM_MIGRATION_TYPE_POOL_ONLY;
      append_step (context, VMM_STEP_SWITCH_HOST_AND_POOL);
      append_step (context, VMM_STEP_RECONFIGURE_VM);
      append_step (context, VMM_STEP_RELAYOUT_SNAPSHOTS);
    }
  else if (!hot)
    {
      if (restart && cross)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                       "fallback-cold: VM '%s' cannot be stopped and moved cold to another "
                       "manager; move it live or power it off first",
                       vmm_vm_info_get_name (vm));
          return FALSE;
        }
      type = cross ? VMM_MIGRATION_TYPE_CROSS_MANAGER : VMM_MIGRATION_TYPE_COLD;
      /* the cold restart: stop it on the source, move it cold, start it where it lands */
      if (restart)
        append_step (context, VMM_STEP_POWER_OFF);
      append_step (context, VMM_STEP_UNREGISTER_SOURCE_VM);
      append_step (context, VMM_STEP_SWITCH_HOST_AND_POOL);
      if (primary)
        {
          append_step (context, VMM_STEP_CREATE_DESTINATION_VM);
          append_step (context, VMM_STEP_RELAYOUT_SNAPSHOTS);
        }
      else
        {
          append_step (context, VMM_STEP_REGISTER_DESTINATION_VM);
          append_step (context, VMM_STEP_RECONFIGURE_VM);
          append_step (context, VMM_STEP_RELAYOUT_SNAPSHOTS);
        }
      if (restart)
        append_step (context, VMM_STEP_POWER_ON);
    }
  else
    {
      if (cross)
        type = VMM_MIGRATION_TYPE_CROSS_MANAGER;
      else if (host && (primary || disks))
        type = VMM_MIGRATION_TYPE_HOT_HOST_AND_STORAGE;
      else if (host)
        type = VMM_MIGRATION_TYPE_HOT_HOST;
      else if (primary)
        type = VMM_MIGRATION_TYPE_HOT_STORAGE;
      else
        type = VMM_MIGRATION_TYPE_HOT_DISKS_ONLY;
      if (primary)
        {
          append_step (context, VMM_STEP_CREATE_DUMMY_DISKS);
          append_step (context, VMM_STEP_CREATE_DESTINATION_VM);
          append_step (context, VMM_STEP_RELAYOUT_SNAPSHOTS);
        }
      append_step (context, VMM_STEP_PREPARE_SOURCE);
      append_step (context, VMM_STEP_PREPARE_DESTINATION);
      append_step (context, VMM_STEP_INITIATE_DESTINATION);
      append_step (context, VMM_STEP_INITIATE_SOURCE);
      if (!cross)
        append_step (context, VMM_STEP_SWITCH_HOST_AND_POOL);
      append_step (context, VMM_STEP_COMPLETE_SOURCE);
      append_step (context, VMM_STEP_COMPLETE_DESTINATION);
    }
  vmm_migration_context_set_migration_type (context, type);
  return vmm_workflow_check_supported (context, error);
}

VmmAction *
vmm_action_compute_spec_new (void)
{
  static VmmAction *shared;

  return vmm_engine_action_shared (&shared, "ComputeSpec", VMM_ACTION_PERFORMER_ENGINE,
                                   compute_spec);
}
