/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"
#include "vmm-action-private.h"

#include <json-glib/json-glib.h>

/**
 * VmmMigrationResult:
 *
 * Where a migration left the VM: its host, pool and primary datastore, the
 * location of every disk, the actions that ran, how long it took, the guest's
 * downtime where the backend measured it, the bytes moved and the warnings.
 * A failed migration has a result too: it says where the VM is.
 *
 * Since: 1.0
 */

struct _VmmMigrationResult
{
  GObject parent_instance;

  char *vm_name;
  VmmMigrationType type;
  gboolean moved;
  const char *host; /* interned, as the names below */
  const char *pool;
  const char *datastore;
  GPtrArray *disks;
  const char **actions; /* the array is owned, the names interned */
  gint64 duration_ms;
  gint64 downtime_ms;
  guint64 bytes_moved;
  GStrv warnings;
  GStrv attempts;
};

G_DEFINE_FINAL_TYPE (VmmMigrationResult, vmm_migration_result, G_TYPE_OBJECT)

static void
vmm_migration_result_finalize (GObject *object)
{
  VmmMigrationResult *self = VMM_MIGRATION_RESULT (object);

  g_free (self->vm_name);
  g_clear_pointer (&self->disks, g_ptr_array_unref);
  g_free (self->actions);
  g_strfreev (self->warnings);
  g_strfreev (self->attempts);
  G_OBJECT_CLASS (vmm_migration_result_parent_class)->finalize (object);
}

static void
vmm_migration_result_class_init (VmmMigrationResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vmm_migration_result_finalize;
}

static void
vmm_migration_result_init (VmmMigrationResult *self)
{
  self->disks = g_ptr_array_new_with_free_func (g_object_unref);
  self->actions = g_new0 (const char *, 1);
  self->warnings = g_new0 (char *, 1);
  self->attempts = g_new0 (char *, 1);
  self->downtime_ms = -1;
}

/* Where each disk is, as the plan and the result write it in JSON. */
void
vmm_json_add_disks (JsonBuilder *b, GPtrArray *disks)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < disks->len; i++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (disks, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, vmm_disk_info_get_key (disk));
      json_builder_set_member_name (b, "datastore");
      json_builder_add_string_value (b, vmm_disk_info_get_datastore (disk));
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, vmm_disk_info_get_path (disk));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

VmmMigrationResult *
vmm_migration_result_new (const char *vm_name)
{
  VmmMigrationResult *self = g_object_new (VMM_TYPE_MIGRATION_RESULT, NULL);

  self->vm_name = g_strdup (vm_name);
  return self;
}

void
vmm_migration_result_fill (VmmMigrationResult *self, VmmMigrationContext *context, gboolean moved,
                           GPtrArray *actions_done, gint64 duration_ms)
{
  VmmVmInfo *vm = vmm_migration_context_get_vm (context);
  guint n_actions = actions_done != NULL ? actions_done->len : 0;

  self->type = vmm_migration_context_get_migration_type (context);
  self->moved = moved;
  if (moved)
    {
      GPtrArray *targets = vmm_migration_context_get_target_disks (context);

      vmm_set_name (&self->host, vmm_migration_context_get_destination_host (context));
      vmm_set_name (&self->pool, vmm_migration_context_get_destination_pool (context));
      vmm_set_name (&self->datastore, vmm_migration_context_get_destination_datastore (context));
      g_ptr_array_set_size (self->disks, 0);
      /* the run is over: its records of the disks serve the result */
      for (guint i = 0; i < targets->len; i++)
        g_ptr_array_add (self->disks, g_object_ref (g_ptr_array_index (targets, i)));
    }
  else
    {
      vmm_set_name (&self->host, vmm_migration_context_get_source_host (context));
      vmm_set_name (&self->pool, vmm_migration_context_get_source_pool (context));
      vmm_set_name (&self->datastore, vmm_migration_context_get_source_datastore (context));
      g_ptr_array_set_size (self->disks, 0);
      if (vm != NULL)
        {
          GPtrArray *disks = vmm_vm_info_get_disks (vm);

          for (guint i = 0; i < disks->len; i++)
            g_ptr_array_add (self->disks, vmm_disk_info_copy (g_ptr_array_index (disks, i)));
        }
    }
  /* an action's name, interned, outlives the action */
  g_free (self->actions);
  self->actions = g_new (const char *, n_actions + 1);
  for (guint i = 0; i < n_actions; i++)
    self->actions[i] = vmm_action_peek_interned_name (g_ptr_array_index (actions_done, i));
  self->actions[n_actions] = NULL;
  g_strfreev (self->warnings);
  self->warnings = g_strdupv ((GStrv)vmm_migration_context_get_warnings (context));
  self->duration_ms = duration_ms;
  self->downtime_ms = vmm_migration_context_get_downtime_ms (context);
  self->bytes_moved = vmm_migration_context_get_bytes_done (context);
}

void
vmm_migration_result_set_attempts (VmmMigrationResult *self, GPtrArray *attempts)
{
  GStrvBuilder *builder = g_strv_builder_new ();

  for (guint i = 0; attempts != NULL && i < attempts->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (attempts, i));
  g_strfreev (self->attempts);
  self->attempts = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
}

/**
 * vmm_migration_result_get_attempts:
 * @self: a #VmmMigrationResult
 *
 * The fallback chain: each earlier attempt that failed before the one that
 * gave this result (empty when the first attempt ended it).
 *
 * Returns: (transfer none) (array zero-terminated=1): the attempts
 *
 * Since: 1.0
 */
const char *const *
vmm_migration_result_get_attempts (VmmMigrationResult *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), NULL);
  return (const char *const *)self->attempts;
}

/**
 * vmm_migration_result_get_vm_name:
 * @self: a #VmmMigrationResult
 *
 * The VM.
 *
 * Returns: its name
 *
 * Since: 1.0
 */
const char *
vmm_migration_result_get_vm_name (VmmMigrationResult *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), NULL);
  return self->vm_name;
}

/**
 * vmm_migration_result_get_migration_type:
 * @self: a #VmmMigrationResult
 *
 * The kind of move.
 *
 * Returns: the type
 *
 * Since: 1.0
 */
VmmMigrationType
vmm_migration_result_get_migration_type (VmmMigrationResult *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), VMM_MIGRATION_TYPE_UNKNOWN);
  return self->type;
}

/**
 * vmm_migration_result_get_moved:
 * @self: a #VmmMigrationResult
 *
 * Whether the VM is at its destination (%FALSE: on the source).
 *
 * Returns: %TRUE if the VM moved
 *
 * Since: 1.0
 */
gboolean
vmm_migration_result_get_moved (VmmMigrationResult *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), FALSE);
  return self->moved;
}

/**
 * vmm_migration_result_get_host:
 * @self: a #VmmMigrationResult
 *
 * The host the VM is on now.
 *
 * Returns: (nullable): the host
 *
 * Since: 1.0
 */
const char *
vmm_migration_result_get_host (VmmMigrationResult *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), NULL);
  return self->host;
}

/**
 * vmm_migration_result_get_resource_pool:
 * @self: a #VmmMigrationResult
 *
 * The resource pool the VM is in now.
 *
 * Returns: (nullable): the pool
 *
 * Since: 1.0
 */
const char *
vmm_migration_result_get_resource_pool (VmmMigrationResult *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), NULL);
  return self->pool;
}

/**
 * vmm_migration_result_get_datastore:
 * @self: a #VmmMigrationResult
 *
 * The VM's primary datastore now.
 *
 * Returns: (nullable): the datastore
 *
 * Since: 1.0
 */
const char *
vmm_migration_result_get_datastore (VmmMigrationResult *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), NULL);
  return self->datastore;
}

/**
 * vmm_migration_result_get_disks:
 * @self: a #VmmMigrationResult
 *
 * The location of every disk now: datastore and path.
 *
 * Returns: (transfer none) (element-type VmmDiskInfo): the disks
 *
 * Since: 1.0
 */
GPtrArray *
vmm_migration_result_get_disks (VmmMigrationResult *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), NULL);
  return self->disks;
}

/**
 * vmm_migration_result_lookup_disk:
 * @self: a #VmmMigrationResult
 * @key: a disk key
 *
 * The location of one disk now.
 *
 * Returns: (transfer none) (nullable): the disk
 *
 * Since: 1.0
 */
VmmDiskInfo *
vmm_migration_result_lookup_disk (VmmMigrationResult *self, const char *key)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  for (guint i = 0; i < self->disks->len; i++)
    if (g_strcmp0 (vmm_disk_info_get_key (g_ptr_array_index (self->disks, i)), key) == 0)
      return g_ptr_array_index (self->disks, i);
  return NULL;
}

/**
 * vmm_migration_result_get_actions:
 * @self: a #VmmMigrationResult
 *
 * The actions that completed, in order.
 *
 * Returns: (transfer none) (array zero-terminated=1): the action names
 *
 * Since: 1.0
 */
const char *const *
vmm_migration_result_get_actions (VmmMigrationResult *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), NULL);
  return (const char *const *)self->actions;
}

/**
 * vmm_migration_result_get_duration_ms:
 * @self: a #VmmMigrationResult
 *
 * How long the migration ran, from its first action to its end.
 *
 * Returns: milliseconds
 *
 * Since: 1.0
 */
gint64
vmm_migration_result_get_duration_ms (VmmMigrationResult *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), 0);
  return self->duration_ms;
}

/**
 * vmm_migration_result_get_downtime_ms:
 * @self: a #VmmMigrationResult
 *
 * The guest's downtime at switch-over, as the backend reports it.
 *
 * Returns: milliseconds, or -1 when the backend cannot tell
 *
 * Since: 1.0
 */
gint64
vmm_migration_result_get_downtime_ms (VmmMigrationResult *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), -1);
  return self->downtime_ms;
}

/**
 * vmm_migration_result_get_bytes_moved:
 * @self: a #VmmMigrationResult
 *
 * The memory and disk bytes the move transferred.
 *
 * Returns: bytes
 *
 * Since: 1.0
 */
guint64
vmm_migration_result_get_bytes_moved (VmmMigrationResult *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), 0);
  return self->bytes_moved;
}

/**
 * vmm_migration_result_get_warnings:
 * @self: a #VmmMigrationResult
 *
 * The warnings the migration emitted.
 *
 * Returns: (transfer none) (array zero-terminated=1): the warnings
 *
 * Since: 1.0
 */
const char *const *
vmm_migration_result_get_warnings (VmmMigrationResult *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), NULL);
  return (const char *const *)self->warnings;
}

/**
 * vmm_migration_result_to_json:
 * @self: a #VmmMigrationResult
 *
 * The result as a JSON object, for programs.
 *
 * Returns: (transfer full): the JSON text
 *
 * Since: 1.0
 */
char *
vmm_migration_result_to_json (VmmMigrationResult *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (VMM_IS_MIGRATION_RESULT (self), NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "vm");
  json_builder_add_string_value (b, self->vm_name);
  json_builder_set_member_name (b, "migration-type");
  json_builder_add_string_value (b, vmm_migration_type_to_string (self->type));
  json_builder_set_member_name (b, "moved");
  json_builder_add_boolean_value (b, self->moved);
  json_builder_set_member_name (b, "host");
  json_builder_add_string_value (b, self->host);
  json_builder_set_member_name (b, "resource-pool");
  json_builder_add_string_value (b, self->pool);
  json_builder_set_member_name (b, "datastore");
  json_builder_add_string_value (b, self->datastore);
  json_builder_set_member_name (b, "disks");
  vmm_json_add_disks (b, self->disks);
  json_builder_set_member_name (b, "actions");
  json_builder_begin_array (b);
  for (guint i = 0; self->actions[i] != NULL; i++)
    json_builder_add_string_value (b, self->actions[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "duration-ms");
  json_builder_add_int_value (b, self->duration_ms);
  json_builder_set_member_name (b, "downtime-ms");
  json_builder_add_int_value (b, self->downtime_ms);
  json_builder_set_member_name (b, "bytes-moved");
  json_builder_add_int_value (b, (gint64)self->bytes_moved);
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; self->warnings[i] != NULL; i++)
    json_builder_add_string_value (b, self->warnings[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "attempts");
  json_builder_begin_array (b);
  for (guint i = 0; self->attempts[i] != NULL; i++)
    json_builder_add_string_value (b, self->attempts[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}
