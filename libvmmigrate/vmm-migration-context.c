/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

/**
 * VmmMigrationContext:
 *
 * The state every action of one migration reads and writes: the spec, the VM
 * as found, the resolved source and destination, the computed migration type
 * and copy spec (the target of every disk), progress and warnings. Backends
 * receive it in every step; they may keep their own per-migration state in it
 * with vmm_migration_context_set_backend_data().
 *
 * Since: 1.0
 */

struct _VmmMigrationContext
{
  GObject parent_instance;

  VmmBackend *backend;
  VmmRelocateSpec *spec;
  char *vm_name;
  gboolean dry_run;

  VmmInventory *inventory;
  VmmVmInfo *vm;

  const char *source_host;      /* interned */
  const char *source_pool;      /* interned */
  const char *source_datastore; /* interned */
  const char *pinned_host;      /* interned */
  const char *dest_host;        /* interned */
  const char *dest_pool;        /* interned */
  const char *dest_datastore;   /* interned */

  VmmMigrationType type;
  gboolean changes_host;
  gboolean changes_primary;
  gboolean changes_disks;
  gboolean changes_pool;
  gboolean cross_manager;

  GPtrArray *target_disks;
  GHashTable *moving_disks; /* NULL when no disk changes datastore */
  GPtrArray *queue;
  GPtrArray *warnings;

  guint64 bytes_done;
  guint64 bytes_total;
  gint64 downtime_ms;
  char *veto_reason;

  const VmmContextSink *sink;
  gpointer sink_owner;

  gpointer backend_data;
  GDestroyNotify backend_data_destroy;

  GPtrArray *checks;
  GPtrArray *candidates;
  gint64 estimated_duration_ms;
  gint64 estimated_downtime_ms;
  VmmEngine *engine;        /* unowned; the migration holds it */
  GHashTable *reservations; /* unowned: name -> VmmLoad, for batch placement */
  GHashTable *excluded_hosts;
  gboolean select_host;
  gboolean cold_restart;
};

G_DEFINE_FINAL_TYPE (VmmMigrationContext, vmm_migration_context, G_TYPE_OBJECT)

static void
vmm_migration_context_finalize (GObject *object)
{
  VmmMigrationContext *self = VMM_MIGRATION_CONTEXT (object);

  if (self->backend_data_destroy != NULL)
    self->backend_data_destroy (self->backend_data);
  g_clear_object (&self->backend);
  g_clear_object (&self->spec);
  g_clear_object (&self->inventory);
  g_clear_object (&self->vm);
  g_free (self->vm_name);
  g_free (self->veto_reason);
  g_clear_pointer (&self->target_disks, g_ptr_array_unref);
  g_clear_pointer (&self->moving_disks, g_hash_table_unref);
  g_clear_pointer (&self->queue, g_ptr_array_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->checks, g_ptr_array_unref);
  g_clear_pointer (&self->candidates, g_ptr_array_unref);
  g_clear_pointer (&self->excluded_hosts, g_hash_table_unref);
  G_OBJECT_CLASS (vmm_migration_context_parent_class)->finalize (object);
}

static void
vmm_migration_context_class_init (VmmMigrationContextClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vmm_migration_context_finalize;
}

static void
vmm_migration_context_init (VmmMigrationContext *self)
{
  self->queue = g_ptr_array_new_with_free_func (g_object_unref);
  self->target_disks = g_ptr_array_new_with_free_func (g_object_unref);
  self->downtime_ms = -1;
  self->estimated_duration_ms = -1;
  self->estimated_downtime_ms = -1;
}

VmmMigrationContext *
vmm_migration_context_new (VmmBackend *backend, const char *vm_name, VmmRelocateSpec *spec,
                           gboolean dry_run)
{
  VmmMigrationContext *self = g_object_new (VMM_TYPE_MIGRATION_CONTEXT, NULL);

  self->backend = g_object_ref (backend);
  self->vm_name = g_strdup (vm_name);
  self->spec = g_object_ref (spec);
  self->dry_run = dry_run;
  return self;
}

void
vmm_migration_context_set_sink (VmmMigrationContext *self, const VmmContextSink *sink,
                                gpointer owner)
{
  self->sink = sink;
  self->sink_owner = owner;
}

void
vmm_migration_context_set_inventory (VmmMigrationContext *self, VmmInventory *inventory)
{
  g_set_object (&self->inventory, inventory);
}

void
vmm_migration_context_set_vm (VmmMigrationContext *self, VmmVmInfo *vm)
{
  g_set_object (&self->vm, vm);
  self->source_host = vmm_intern (vmm_vm_info_get_host (vm));
  self->source_pool = vmm_intern (vmm_vm_info_get_resource_pool (vm));
  self->source_datastore = vmm_intern (vmm_vm_info_get_datastore (vm));
}

void
vmm_migration_context_set_pinned_host (VmmMigrationContext *self, const char *host)
{
  self->pinned_host = vmm_intern (host);
}

const char *
vmm_migration_context_get_pinned_host (VmmMigrationContext *self)
{
  return self->pinned_host;
}

void
vmm_migration_context_set_changes (VmmMigrationContext *self, gboolean host,
                                   gboolean primary_datastore, gboolean disk_datastores,
                                   gboolean pool, gboolean cross_manager)
{
  self->changes_host = host;
  self->changes_primary = primary_datastore;
  self->changes_disks = disk_datastores;
  self->changes_pool = pool;
  self->cross_manager = cross_manager;
}

void
vmm_migration_context_set_target_disks (VmmMigrationContext *self, GPtrArray *disks)
{
  g_clear_pointer (&self->moving_disks, g_hash_table_unref);
  g_ptr_array_set_size (self->target_disks, 0);
  for (guint i = 0; i < disks->len; i++)
    {
      VmmDiskInfo *target = g_ptr_array_index (disks, i);
      VmmDiskInfo *source = self->vm != NULL
                                ? vmm_vm_info_lookup_disk (self->vm, vmm_disk_info_get_key (target))
                                : NULL;

      g_ptr_array_add (self->target_disks, g_object_ref (target));
      if (source == NULL
          || g_strcmp0 (vmm_disk_info_get_datastore (source), vmm_disk_info_get_datastore (target))
                 != 0)
        {
          if (self->moving_disks == NULL)
            self->moving_disks = g_hash_table_new (g_str_hash, g_str_equal);
          g_hash_table_add (self->moving_disks, (gpointer)vmm_disk_info_get_key (target));
        }
    }
}

GPtrArray *
vmm_migration_context_get_queue (VmmMigrationContext *self)
{
  return self->queue;
}

const char *const *
vmm_migration_context_get_warnings (VmmMigrationContext *self)
{
  static const char *const none[] = { NULL };

  /* made with the first warning */
  return self->warnings != NULL ? (const char *const *)self->warnings->pdata : none;
}

guint64
vmm_migration_context_get_bytes_done (VmmMigrationContext *self)
{
  return self->bytes_done;
}

guint64
vmm_migration_context_get_bytes_total (VmmMigrationContext *self)
{
  return self->bytes_total;
}

gint64
vmm_migration_context_get_downtime_ms (VmmMigrationContext *self)
{
  return self->downtime_ms;
}

const char *
vmm_migration_context_get_veto_reason (VmmMigrationContext *self)
{
  return self->veto_reason;
}

gboolean
vmm_migration_context_invoke_callbacks (VmmMigrationContext *self, GError **error)
{
  if (self->sink == NULL || self->sink->invoke_callbacks == NULL)
    return TRUE;
  return self->sink->invoke_callbacks (self->sink_owner, self, error);
}

/**
 * vmm_migration_context_get_spec:
 * @self: a #VmmMigrationContext
 *
 * The relocate spec the migration follows.
 *
 * Returns: (transfer none): the spec
 *
 * Since: 1.0
 */
VmmRelocateSpec *
vmm_migration_context_get_spec (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return self->spec;
}

/**
 * vmm_migration_context_get_backend:
 * @self: a #VmmMigrationContext
 *
 * The backend that moves the VM.
 *
 * Returns: (transfer none): the backend
 *
 * Since: 1.0
 */
VmmBackend *
vmm_migration_context_get_backend (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return self->backend;
}

/**
 * vmm_migration_context_get_vm_name:
 * @self: a #VmmMigrationContext
 *
 * The name of the VM that moves.
 *
 * Returns: the VM's name
 *
 * Since: 1.0
 */
const char *
vmm_migration_context_get_vm_name (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return self->vm_name;
}

/**
 * vmm_migration_context_get_vm:
 * @self: a #VmmMigrationContext
 *
 * The VM as it was found when the migration started (a snapshot: the
 * backend's live record may change as it moves).
 *
 * Returns: (transfer none) (nullable): the VM's details
 *
 * Since: 1.0
 */
VmmVmInfo *
vmm_migration_context_get_vm (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return self->vm;
}

/**
 * vmm_migration_context_get_inventory:
 * @self: a #VmmMigrationContext
 *
 * The facts the engine's checks and placement read.
 *
 * Returns: (transfer none) (nullable): the inventory
 *
 * Since: 1.0
 */
VmmInventory *
vmm_migration_context_get_inventory (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return self->inventory;
}

/**
 * vmm_migration_context_is_dry_run:
 * @self: a #VmmMigrationContext
 *
 * Whether this context only plans: actions must not touch the platform.
 *
 * Returns: %TRUE for a plan
 *
 * Since: 1.0
 */
gboolean
vmm_migration_context_is_dry_run (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), FALSE);
  return self->dry_run;
}

/**
 * vmm_migration_context_get_source_host:
 * @self: a #VmmMigrationContext
 *
 * The host the VM was on when the migration started.
 *
 * Returns: (nullable): the host
 *
 * Since: 1.0
 */
const char *
vmm_migration_context_get_source_host (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return self->source_host;
}

/**
 * vmm_migration_context_get_source_pool:
 * @self: a #VmmMigrationContext
 *
 * The resource pool the VM was in when the migration started.
 *
 * Returns: (nullable): the pool
 *
 * Since: 1.0
 */
const char *
vmm_migration_context_get_source_pool (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return self->source_pool;
}

/**
 * vmm_migration_context_get_source_datastore:
 * @self: a #VmmMigrationContext
 *
 * The VM's primary datastore when the migration started.
 *
 * Returns: (nullable): the datastore
 *
 * Since: 1.0
 */
const char *
vmm_migration_context_get_source_datastore (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return self->source_datastore;
}

/**
 * vmm_migration_context_get_destination_host:
 * @self: a #VmmMigrationContext
 *
 * The destination host, once SelectDestination chose or validated it.
 *
 * Returns: (nullable): the host
 *
 * Since: 1.0
 */
const char *
vmm_migration_context_get_destination_host (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return self->dest_host;
}

/**
 * vmm_migration_context_set_destination_host:
 * @self: a #VmmMigrationContext
 * @host: (nullable): the destination host
 *
 * Sets the destination host.
 *
 * Since: 1.0
 */
void
vmm_migration_context_set_destination_host (VmmMigrationContext *self, const char *host)
{
  g_return_if_fail (VMM_IS_MIGRATION_CONTEXT (self));
  self->dest_host = vmm_intern (host);
}

/**
 * vmm_migration_context_get_destination_pool:
 * @self: a #VmmMigrationContext
 *
 * The destination resource pool.
 *
 * Returns: (nullable): the pool
 *
 * Since: 1.0
 */
const char *
vmm_migration_context_get_destination_pool (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return self->dest_pool;
}

/**
 * vmm_migration_context_set_destination_pool:
 * @self: a #VmmMigrationContext
 * @pool: (nullable): the destination pool
 *
 * Sets the destination resource pool.
 *
 * Since: 1.0
 */
void
vmm_migration_context_set_destination_pool (VmmMigrationContext *self, const char *pool)
{
  g_return_if_fail (VMM_IS_MIGRATION_CONTEXT (self));
  self->dest_pool = vmm_intern (pool);
}

/**
 * vmm_migration_context_get_destination_datastore:
 * @self: a #VmmMigrationContext
 *
 * The destination primary datastore (where the VM's configuration lives).
 *
 * Returns: (nullable): the datastore
 *
 * Since: 1.0
 */
const char *
vmm_migration_context_get_destination_datastore (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return self->dest_datastore;
}

/**
 * vmm_migration_context_set_destination_datastore:
 * @self: a #VmmMigrationContext
 * @datastore: (nullable): the destination primary datastore
 *
 * Sets the destination primary datastore.
 *
 * Since: 1.0
 */
void
vmm_migration_context_set_destination_datastore (VmmMigrationContext *self, const char *datastore)
{
  g_return_if_fail (VMM_IS_MIGRATION_CONTEXT (self));
  self->dest_datastore = vmm_intern (datastore);
}

/**
 * vmm_migration_context_get_destination_folder:
 * @self: a #VmmMigrationContext
 *
 * The destination folder the spec names.
 *
 * Returns: (nullable): the folder
 *
 * Since: 1.0
 */
const char *
vmm_migration_context_get_destination_folder (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return vmm_relocate_spec_get_folder (self->spec);
}

/**
 * vmm_migration_context_get_migration_type:
 * @self: a #VmmMigrationContext
 *
 * The migration type ComputeSpec chose.
 *
 * Returns: the type
 *
 * Since: 1.0
 */
VmmMigrationType
vmm_migration_context_get_migration_type (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), VMM_MIGRATION_TYPE_UNKNOWN);
  return self->type;
}

/**
 * vmm_migration_context_set_migration_type:
 * @self: a #VmmMigrationContext
 * @type: the type
 *
 * Sets the migration type.
 *
 * Since: 1.0
 */
void
vmm_migration_context_set_migration_type (VmmMigrationContext *self, VmmMigrationType type)
{
  g_return_if_fail (VMM_IS_MIGRATION_CONTEXT (self));
  self->type = type;
}

/**
 * vmm_migration_context_record_recovery_data:
 * @self: a #VmmMigrationContext
 * @data: what the backend needs to put the platform right after a crash,
 *   in a form of its own (JSON, say); no secrets
 * @error: return location for a #GError
 *
 * Write-ahead for backends: call this before a step changes the platform,
 * with what vmm_backend_recover_async() will need if the engine process dies
 * before the move ends (for example the VM as it was before the move). The
 * engine writes it to its journal and returns once it is durable; when it
 * returns %FALSE the step must fail without touching anything. Without a
 * journal (or in a dry run) it does nothing and returns %TRUE.
 *
 * Returns: %TRUE when recorded (or nothing to record into)
 *
 * Since: 1.0
 */
gboolean
vmm_migration_context_record_recovery_data (VmmMigrationContext *self, const char *data,
                                            GError **error)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (self->sink == NULL || self->sink->record_recovery_data == NULL)
    return TRUE;
  return self->sink->record_recovery_data (self->sink_owner, data, error);
}

gboolean
vmm_migration_context_wants_recovery_data (VmmMigrationContext *self)
{
  /* NULL: no migration (a parser run on its own, as the fuzz targets do) */
  return self != NULL && self->sink != NULL && self->sink->wants_recovery_data != NULL
         && self->sink->wants_recovery_data (self->sink_owner);
}

/**
 * vmm_migration_context_get_cold_restart:
 * @self: a #VmmMigrationContext
 *
 * Whether this move stops a running VM, moves it cold and starts it again
 * where it lands (the cold fallback of a live move: the queue then begins
 * with %VMM_STEP_POWER_OFF and ends with %VMM_STEP_POWER_ON). The context's
 * VM still shows the power state found before the move; backends tell a cold
 * move by vmm_migration_context_get_migration_type().
 *
 * Returns: %TRUE for a cold restart
 *
 * Since: 1.0
 */
gboolean
vmm_migration_context_get_cold_restart (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), FALSE);
  return self->cold_restart;
}

void
vmm_migration_context_set_cold_restart (VmmMigrationContext *self, gboolean cold_restart)
{
  self->cold_restart = cold_restart;
}

/**
 * vmm_migration_context_changes_host:
 * @self: a #VmmMigrationContext
 *
 * Whether the VM changes host.
 *
 * Returns: %TRUE if the host changes
 *
 * Since: 1.0
 */
gboolean
vmm_migration_context_changes_host (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), FALSE);
  return self->changes_host;
}

/**
 * vmm_migration_context_changes_primary_datastore:
 * @self: a #VmmMigrationContext
 *
 * Whether the VM's primary datastore changes.
 *
 * Returns: %TRUE if it changes
 *
 * Since: 1.0
 */
gboolean
vmm_migration_context_changes_primary_datastore (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), FALSE);
  return self->changes_primary;
}

/**
 * vmm_migration_context_changes_disk_datastores:
 * @self: a #VmmMigrationContext
 *
 * Whether any disk changes datastore.
 *
 * Returns: %TRUE if a disk moves
 *
 * Since: 1.0
 */
gboolean
vmm_migration_context_changes_disk_datastores (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), FALSE);
  return self->changes_disks;
}

/**
 * vmm_migration_context_changes_pool:
 * @self: a #VmmMigrationContext
 *
 * Whether the VM's resource pool changes.
 *
 * Returns: %TRUE if it changes
 *
 * Since: 1.0
 */
gboolean
vmm_migration_context_changes_pool (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), FALSE);
  return self->changes_pool;
}

/**
 * vmm_migration_context_is_cross_manager:
 * @self: a #VmmMigrationContext
 *
 * Whether the VM moves to another manager.
 *
 * Returns: %TRUE for a cross-manager move
 *
 * Since: 1.0
 */
gboolean
vmm_migration_context_is_cross_manager (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), FALSE);
  return self->cross_manager;
}

/**
 * vmm_migration_context_get_target_disks:
 * @self: a #VmmMigrationContext
 *
 * The copy spec: where every disk of the VM ends up (datastore and path),
 * moving or not. Backends update the paths when the platform chooses them.
 *
 * Returns: (transfer none) (element-type VmmDiskInfo): the target disks
 *
 * Since: 1.0
 */
GPtrArray *
vmm_migration_context_get_target_disks (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return self->target_disks;
}

/**
 * vmm_migration_context_lookup_target_disk:
 * @self: a #VmmMigrationContext
 * @key: a disk key
 *
 * The target of one disk.
 *
 * Returns: (transfer none) (nullable): the target disk
 *
 * Since: 1.0
 */
VmmDiskInfo *
vmm_migration_context_lookup_target_disk (VmmMigrationContext *self, const char *key)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  for (guint i = 0; i < self->target_disks->len; i++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (self->target_disks, i);

      if (g_strcmp0 (vmm_disk_info_get_key (disk), key) == 0)
        return disk;
    }
  return NULL;
}

/**
 * vmm_migration_context_disk_moves:
 * @self: a #VmmMigrationContext
 * @key: a disk key
 *
 * Whether the disk changes datastore.
 *
 * Returns: %TRUE if it moves
 *
 * Since: 1.0
 */
gboolean
vmm_migration_context_disk_moves (VmmMigrationContext *self, const char *key)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  return self->moving_disks != NULL && g_hash_table_contains (self->moving_disks, key);
}

/**
 * vmm_migration_context_append_action:
 * @self: a #VmmMigrationContext
 * @action: (transfer none): the action
 *
 * Appends an action to the end of the workflow's queue (this is how
 * ComputeSpec adds the hot or cold tail).
 *
 * Since: 1.0
 */
void
vmm_migration_context_append_action (VmmMigrationContext *self, VmmAction *action)
{
  g_return_if_fail (VMM_IS_MIGRATION_CONTEXT (self));
  g_return_if_fail (VMM_IS_ACTION (action));
  g_ptr_array_add (self->queue, g_object_ref (action));
}

/**
 * vmm_migration_context_report_transfer:
 * @self: a #VmmMigrationContext
 * @bytes_done: bytes moved so far by the step in flight
 * @bytes_total: bytes the step will move (memory and disks)
 *
 * Reports the progress of a step that moves data. The migration turns it
 * into its #VmmMigration::progress signal.
 *
 * Since: 1.0
 */
void
vmm_migration_context_report_transfer (VmmMigrationContext *self, guint64 bytes_done,
                                       guint64 bytes_total)
{
  g_return_if_fail (VMM_IS_MIGRATION_CONTEXT (self));
  self->bytes_total = MAX (bytes_total, bytes_done);
  self->bytes_done = bytes_done;
  if (self->sink != NULL && self->sink->transfer != NULL)
    self->sink->transfer (self->sink_owner, self->bytes_done, self->bytes_total);
}

/**
 * vmm_migration_context_add_warning:
 * @self: a #VmmMigrationContext
 * @message: what the move may lose, or what did not go as asked
 *
 * Adds a warning to the migration (and its result) and emits
 * #VmmMigration::warning.
 *
 * Since: 1.0
 */
void
vmm_migration_context_add_warning (VmmMigrationContext *self, const char *message)
{
  g_return_if_fail (VMM_IS_MIGRATION_CONTEXT (self));
  g_return_if_fail (message != NULL);
  if (self->warnings == NULL)
    {
      self->warnings = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (self->warnings, NULL);
    }
  g_ptr_array_insert (self->warnings, (gint)self->warnings->len - 1, g_strdup (message));
  if (self->sink != NULL && self->sink->warning != NULL)
    self->sink->warning (self->sink_owner, message);
}

/**
 * vmm_migration_context_set_downtime_ms:
 * @self: a #VmmMigrationContext
 * @downtime_ms: the guest's downtime at switch-over, as the platform measured it
 *
 * Records the downtime for the result.
 *
 * Since: 1.0
 */
void
vmm_migration_context_set_downtime_ms (VmmMigrationContext *self, gint64 downtime_ms)
{
  g_return_if_fail (VMM_IS_MIGRATION_CONTEXT (self));
  self->downtime_ms = downtime_ms;
}

/**
 * vmm_migration_context_veto:
 * @self: a #VmmMigrationContext
 * @reason: why the migration must not go on
 *
 * Called from a #VmmMigration::ready or #VmmEngine::ready handler to refuse
 * the migration with a reason; the migration fails with %VMM_ERROR_VETOED
 * before anything moves.
 *
 * Since: 1.0
 */
void
vmm_migration_context_veto (VmmMigrationContext *self, const char *reason)
{
  g_return_if_fail (VMM_IS_MIGRATION_CONTEXT (self));
  g_free (self->veto_reason);
  self->veto_reason = g_strdup (reason != NULL ? reason : "vetoed");
}

/**
 * vmm_migration_context_get_backend_data:
 * @self: a #VmmMigrationContext
 *
 * The backend's own per-migration state.
 *
 * Returns: (nullable) (transfer none): the data
 *
 * Since: 1.0
 */
gpointer
vmm_migration_context_get_backend_data (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  return self->backend_data;
}

/**
 * vmm_migration_context_set_backend_data:
 * @self: a #VmmMigrationContext
 * @data: (nullable): the data
 * @destroy: (nullable): frees @data with the context
 *
 * Keeps the backend's own per-migration state (for example the platform's
 * job or task handle) with the migration.
 *
 * Since: 1.0
 */
void
vmm_migration_context_set_backend_data (VmmMigrationContext *self, gpointer data,
                                        GDestroyNotify destroy)
{
  g_return_if_fail (VMM_IS_MIGRATION_CONTEXT (self));
  if (self->backend_data_destroy != NULL)
    self->backend_data_destroy (self->backend_data);
  self->backend_data = data;
  self->backend_data_destroy = destroy;
}

/**
 * vmm_migration_context_add_check:
 * @self: a #VmmMigrationContext
 * @check: (transfer none): a precheck result
 *
 * Records a precheck result; a warning is also emitted as a warning of the
 * migration.
 *
 * Since: 1.0
 */
void
vmm_migration_context_add_check (VmmMigrationContext *self, VmmCheck *check)
{
  g_return_if_fail (VMM_IS_MIGRATION_CONTEXT (self));
  g_return_if_fail (VMM_IS_CHECK (check));
  for (guint i = 0; self->checks != NULL && i < self->checks->len; i++)
    {
      VmmCheck *old = g_ptr_array_index (self->checks, i);

      /* the run repeats the plan's checks: keep one of each */
      if (g_strcmp0 (vmm_check_get_code (old), vmm_check_get_code (check)) == 0
          && g_strcmp0 (vmm_check_get_message (old), vmm_check_get_message (check)) == 0)
        return;
    }
  g_ptr_array_add (vmm_migration_context_get_checks (self), g_object_ref (check));
  if (vmm_check_get_severity (check) == VMM_CHECK_SEVERITY_WARNING)
    {
      g_autofree char *text = vmm_check_to_string (check);
      vmm_migration_context_add_warning (self, text);
    }
}

/**
 * vmm_migration_context_get_checks:
 * @self: a #VmmMigrationContext
 *
 * The precheck results so far.
 *
 * Returns: (transfer none) (element-type VmmCheck): the checks
 *
 * Since: 1.0
 */
GPtrArray *
vmm_migration_context_get_checks (VmmMigrationContext *self)
{
  g_return_val_if_fail (VMM_IS_MIGRATION_CONTEXT (self), NULL);
  /* made on first use, like the candidates */
  if (self->checks == NULL)
    self->checks = g_ptr_array_new_with_free_func (g_object_unref);
  return self->checks;
}

GPtrArray *
vmm_migration_context_get_candidates (VmmMigrationContext *self)
{
  /* made on first use: a move to a named host has none */
  if (self->candidates == NULL)
    self->candidates = g_ptr_array_new_with_free_func (g_object_unref);
  return self->candidates;
}

void
vmm_migration_context_set_estimates (VmmMigrationContext *self, gint64 duration_ms,
                                     gint64 downtime_ms)
{
  self->estimated_duration_ms = duration_ms;
  self->estimated_downtime_ms = downtime_ms;
}

gint64
vmm_migration_context_get_estimated_duration_ms (VmmMigrationContext *self)
{
  return self->estimated_duration_ms;
}

gint64
vmm_migration_context_get_estimated_downtime_ms (VmmMigrationContext *self)
{
  return self->estimated_downtime_ms;
}

void
vmm_migration_context_set_engine (VmmMigrationContext *self, VmmEngine *engine)
{
  self->engine = engine;
}

VmmEngine *
vmm_migration_context_get_engine (VmmMigrationContext *self)
{
  return self->engine;
}

void
vmm_migration_context_exclude_host (VmmMigrationContext *self, const char *host)
{
  if (self->excluded_hosts == NULL)
    self->excluded_hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (self->excluded_hosts, g_strdup (host));
}

gboolean
vmm_migration_context_is_host_excluded (VmmMigrationContext *self, const char *host)
{
  return self->excluded_hosts != NULL && g_hash_table_contains (self->excluded_hosts, host);
}

void
vmm_migration_context_set_reservations (VmmMigrationContext *self, GHashTable *reservations)
{
  self->reservations = reservations;
}

const VmmLoad *
vmm_migration_context_get_reservation (VmmMigrationContext *self, const char *name)
{
  return self->reservations != NULL && name != NULL ? g_hash_table_lookup (self->reservations, name)
                                                    : NULL;
}

void
vmm_migration_context_set_select_host (VmmMigrationContext *self, gboolean select_host)
{
  self->select_host = select_host;
}

gboolean
vmm_migration_context_get_select_host (VmmMigrationContext *self)
{
  return self->select_host;
}
