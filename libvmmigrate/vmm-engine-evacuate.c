/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

/* Batch placement and evacuation: the engine's side of draining a host. */

/**
 * vmm_engine_place_batch:
 * @self: a #VmmEngine
 * @backend: the backend the VMs belong to
 * @inventory: the facts to place against (from vmm_backend_query_inventory())
 * @vms: (array zero-terminated=1): the VMs to place, in order
 * @spec: (nullable): the move each VM would make (storage targets and options);
 *   %NULL for plain host moves
 * @error: return location for a #GError
 *
 * Chooses a destination for many VMs at once, as an evacuation does: each
 * placement is charged to its host (memory, vCPUs) and datastores before the
 * next one is made, so the batch never overcommits a host. Hosts being
 * evacuated are never destinations. Nothing moves.
 *
 * Returns: (transfer container) (element-type VmmCandidate): one candidate
 *   per VM, in the order of @vms; a candidate whose host is %NULL means no
 *   host can take that VM, and its checks say why
 *
 * Since: 1.0
 */
GPtrArray *
vmm_engine_place_batch (VmmEngine *self, VmmBackend *backend, VmmInventory *inventory,
                        const char *const *vms, VmmRelocateSpec *spec, GError **error)
{
  g_autoptr (VmmRelocateSpec) empty = NULL;

  g_return_val_if_fail (VMM_IS_ENGINE (self), NULL);
  g_return_val_if_fail (VMM_IS_BACKEND (backend), NULL);
  g_return_val_if_fail (VMM_IS_INVENTORY (inventory), NULL);
  g_return_val_if_fail (vms != NULL, NULL);
  if (spec == NULL)
    spec = empty = vmm_relocate_spec_new ();
  else if (!vmm_relocate_spec_validate (spec, error))
    return NULL;
  return vmm_placement_batch (self, backend, inventory, vms, spec, NULL);
}

typedef struct
{
  VmmEngine *engine;
  VmmBackend *backend;
  char *host;
  VmmRelocateSpec *template;
  VmmEvacuateFlags flags;
  GHashTable *handled;
  GHashTable *cold_pending; /* running VMs no host takes live: tried cold later */
  GPtrArray *entries;
  GPtrArray *running;
  guint total;
  guint done;
  gboolean draining;
  gboolean host_empty;
} Evacuation;

static void
evacuation_free (Evacuation *ev)
{
  if (ev->draining)
    vmm_engine_set_draining (ev->engine, ev->backend, ev->host, FALSE);
  g_object_unref (ev->engine);
  g_object_unref (ev->backend);
  g_free (ev->host);
  g_object_unref (ev->template);
  g_hash_table_unref (ev->handled);
  g_hash_table_unref (ev->cold_pending);
  g_ptr_array_unref (ev->entries);
  g_ptr_array_unref (ev->running);
  g_free (ev);
}

static void
evacuation_round (GTask *task);

static void
evacuation_add (GTask *task, VmmEvacuationEntry *entry)
{
  Evacuation *ev = g_task_get_task_data (task);

  g_ptr_array_add (ev->entries, entry);
  ev->done++;
  vmm_engine_emit_evacuation_progress (ev->engine, ev->host, ev->done, ev->total);
}

static void
reenable_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Evacuation *ev = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!vmm_backend_set_host_enabled_finish (VMM_BACKEND (source), result, &error))
    g_ptr_array_add (ev->entries, vmm_evacuation_entry_new (NULL, VMM_EVACUATION_FAILED, ev->host,
                                                            error->message, NULL));
  g_task_return_pointer (task, g_ptr_array_ref (ev->entries), (GDestroyNotify)g_ptr_array_unref);
}

static void
evacuation_finish (GTask *task, VmmInventory *inventory)
{
  Evacuation *ev = g_task_get_task_data (task);
  g_autoptr (GPtrArray) left = vmm_inventory_get_vms_on_host (inventory, ev->host);
  GHashTableIter iter;
  gpointer name;

  /* VMs waiting for a cold placement that left the host meanwhile */
  g_hash_table_iter_init (&iter, ev->cold_pending);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    evacuation_add (task,
                    vmm_evacuation_entry_new (name, VMM_EVACUATION_SKIPPED, NULL,
                                              "left the host before it could be moved cold", NULL));
  g_hash_table_remove_all (ev->cold_pending);
  /* the host is empty only when it is */
  ev->host_empty = left->len == 0;
  vmm_engine_set_draining (ev->engine, ev->backend, ev->host, FALSE);
  ev->draining = FALSE;
  if (ev->flags & VMM_EVACUATE_FLAGS_REENABLE_HOST)
    {
      vmm_backend_set_host_enabled_async (ev->backend, ev->host, TRUE, NULL, NULL, reenable_cb,
                                          g_object_ref (task));
      return;
    }
  g_task_return_pointer (task, g_ptr_array_ref (ev->entries), (GDestroyNotify)g_ptr_array_unref);
}

static void
migration_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Evacuation *ev = g_task_get_task_data (task);
  VmmMigration *migration = VMM_MIGRATION (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = vmm_migration_run_finish (migration, result, &error);
  VmmMigrationResult *where = vmm_migration_get_result (migration);

  if (res != NULL)
    evacuation_add (
        task, vmm_evacuation_entry_new (vmm_migration_get_vm_name (migration), VMM_EVACUATION_MOVED,
                                        vmm_migration_result_get_host (res), NULL, res));
  else
    evacuation_add (task, vmm_evacuation_entry_new (
                              vmm_migration_get_vm_name (migration), VMM_EVACUATION_FAILED,
                              where != NULL ? vmm_migration_result_get_host (where) : ev->host,
                              error->message, where));
  g_ptr_array_remove (ev->running, migration);
  if (ev->running->len == 0)
    evacuation_round (task);
}

static void
round_inventory_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Evacuation *ev = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inventory
      = vmm_backend_query_inventory_finish (ev->backend, result, &error);
  g_autoptr (GPtrArray) on_host = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GStrvBuilder) cold_builder = g_strv_builder_new ();
  g_auto (GStrv) names = NULL;
  g_autoptr (GPtrArray) placements = NULL;
  g_autoptr (GHashTable) excluded = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (VmmRelocateSpec) cold_template = NULL;
  VmmRelocateSpec *template = ev->template;
  gboolean cold_round = FALSE;

  if (inventory == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  on_host = vmm_inventory_get_vms_on_host (inventory, ev->host);
  for (guint i = 0; i < on_host->len; i++)
    {
      VmmVmInfo *vm = g_ptr_array_index (on_host, i);
      const char *name = vmm_vm_info_get_name (vm);

      if (g_hash_table_contains (ev->cold_pending, name))
        g_strv_builder_add (cold_builder, name);
      if (g_hash_table_contains (ev->handled, name))
        continue;
      g_hash_table_add (ev->handled, g_strdup (name));
      ev->total++;
      if ((ev->flags & VMM_EVACUATE_FLAGS_SKIP_POWERED_OFF)
          && vmm_vm_info_get_power_state (vm) != VMM_POWER_STATE_RUNNING)
        {
          evacuation_add (
              task, vmm_evacuation_entry_new (name, VMM_EVACUATION_SKIPPED, ev->host,
                                              "powered off: left in place by the policy", NULL));
          continue;
        }
      g_strv_builder_add (builder, name);
    }
  names = g_strv_builder_end (builder);
  if (names[0] == NULL)
    {
      /* Only VMs no host takes live are left: with fallback-cold they are
       * placed for a cold restart now (never in the same batch as live
       * placements, whose charges the batch would not see). */
      g_auto (GStrv) cold = g_strv_builder_end (cold_builder);

      if (cold[0] != NULL)
        {
          g_strfreev (names);
          names = g_steal_pointer (&cold);
          cold_round = TRUE;
          cold_template = vmm_relocate_spec_copy (ev->template);
          vmm_relocate_spec_set_migration_type (cold_template, VMM_MIGRATION_PREFERENCE_COLD);
          template = cold_template;
        }
    }
  if (names[0] == NULL || g_task_return_error_if_cancelled (task))
    {
      if (!g_task_had_error (task))
        evacuation_finish (task, inventory);
      return;
    }

  /* every VM placed at once, each placement charged before the next */
  g_hash_table_add (excluded, ev->host);
  placements = vmm_placement_batch (ev->engine, ev->backend, inventory, (const char *const *)names,
                                    template, excluded);
  for (guint i = 0; names[i] != NULL; i++)
    {
      VmmCandidate *candidate = g_ptr_array_index (placements, i);
      g_autoptr (VmmRelocateSpec) spec = NULL;
      g_autoptr (VmmMigration) migration = NULL;

      if (vmm_candidate_get_host (candidate) == NULL)
        {
          GPtrArray *checks = vmm_candidate_get_checks (candidate);
          g_autoptr (GString) why = g_string_new ("no host can take it");

          for (guint c = 0; c < checks->len; c++)
            g_string_append_printf (why, "%s %s", c == 0 ? ":" : ";",
                                    vmm_check_get_message (g_ptr_array_index (checks, c)));
          if (!cold_round && vmm_relocate_spec_get_fallback_cold (ev->template)
              && vmm_vm_info_get_power_state (vmm_inventory_lookup_vm (inventory, names[i]))
                     == VMM_POWER_STATE_RUNNING)
            {
              /* fallback-cold: try it cold once the live moves are placed */
              g_hash_table_insert (ev->cold_pending, g_strdup (names[i]),
                                   g_string_free (g_steal_pointer (&why), FALSE));
              continue;
            }
          if (cold_round)
            {
              /* both ways refused: say why for each */
              g_autofree char *key = NULL;
              g_autofree char *live = NULL;

              g_hash_table_steal_extended (ev->cold_pending, names[i], (gpointer *)&key,
                                           (gpointer *)&live);
              g_string_prepend (why, "; cold: ");
              g_string_prepend (why, live);
              g_string_prepend (why, "live: ");
            }
          evacuation_add (task, vmm_evacuation_entry_new (names[i], VMM_EVACUATION_SKIPPED,
                                                          ev->host, why->str, NULL));
          continue;
        }
      if (cold_round)
        g_hash_table_remove (ev->cold_pending, names[i]);
      spec = vmm_relocate_spec_copy (template);
      vmm_relocate_spec_set_host (spec, vmm_candidate_get_host (candidate));
      migration = vmm_engine_create_migration (ev->engine, ev->backend, names[i], spec, &error);
      if (migration == NULL)
        {
          evacuation_add (task, vmm_evacuation_entry_new (names[i], VMM_EVACUATION_FAILED, ev->host,
                                                          error->message, NULL));
          g_clear_error (&error);
          continue;
        }
      g_ptr_array_add (ev->running, g_object_ref (migration));
      vmm_engine_emit_migration_created (ev->engine, migration);
    }
  if (ev->running->len == 0)
    {
      evacuation_round (task);
      return;
    }
  for (guint i = 0; i < ev->running->len; i++)
    vmm_migration_run_async (g_ptr_array_index (ev->running, i), g_task_get_cancellable (task),
                             migration_done_cb, g_object_ref (task));
}

static void
evacuation_round (GTask *task)
{
  Evacuation *ev = g_task_get_task_data (task);

  /* VMs that arrived while the host drained (moves already in flight towards
   * it) are picked up by the next round */
  vmm_backend_query_inventory_async (ev->backend, NULL, round_inventory_cb, g_object_ref (task));
}

static void
disable_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  if (!vmm_backend_set_host_enabled_finish (VMM_BACKEND (source), result, &error))
    {
      g_prefix_error (&error, "disabling host before the evacuation: ");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  evacuation_round (task);
}

/**
 * vmm_engine_evacuate_async:
 * @self: a #VmmEngine
 * @backend: the backend that manages the host
 * @host: the host to empty
 * @template: (nullable): options every move follows (tuning, priority,
 *   storage rules); its host is chosen per VM by batch placement
 * @flags: #VmmEvacuateFlags
 * @cancellable: (nullable): cancels the moves (each as its phase allows)
 * @callback: called when the evacuation ends
 * @user_data: data for @callback
 *
 * Moves every VM off @host: optionally disables the host first, places all
 * its VMs at once (#vmm_engine_place_batch), runs the moves under the
 * engine's concurrency limits and priorities — running VMs hot, powered-off
 * VMs cold —, goes on past individual failures, and picks up VMs that land
 * on the host while it drains. When @template allows fallback-cold, a
 * running VM that no host can take live (CPU features, a device only this
 * host reaches) is placed again once the live moves are placed, for a cold
 * restart: stopped, moved cold, started on its new host; its entry says why
 * each way was refused when neither works. While it runs, @host is never a destination,
 * for any migration of this engine. #VmmEngine::migration-created hands
 * each VM's migration to the caller for its own progress;
 * #VmmEngine::evacuation-progress reports the whole batch.
 *
 * Since: 1.0
 */
void
vmm_engine_evacuate_async (VmmEngine *self, VmmBackend *backend, const char *host,
                           VmmRelocateSpec *template, VmmEvacuateFlags flags,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  GTask *task;
  Evacuation *ev;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (VMM_IS_ENGINE (self));
  g_return_if_fail (VMM_IS_BACKEND (backend));
  g_return_if_fail (host != NULL);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vmm_engine_evacuate_async);
  g_task_set_check_cancellable (task, FALSE);
  if (template != NULL && !vmm_relocate_spec_validate (template, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  ev = g_new0 (Evacuation, 1);
  ev->engine = g_object_ref (self);
  ev->backend = g_object_ref (backend);
  ev->host = g_strdup (host);
  ev->template = template != NULL ? vmm_relocate_spec_copy (template) : vmm_relocate_spec_new ();
  vmm_relocate_spec_set_host (ev->template, NULL);
  ev->flags = flags;
  ev->handled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ev->cold_pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ev->entries = g_ptr_array_new_with_free_func (g_object_unref);
  ev->running = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, ev, (GDestroyNotify)evacuation_free);
  vmm_engine_set_draining (self, backend, host, TRUE);
  ev->draining = TRUE;
  if (flags & VMM_EVACUATE_FLAGS_DISABLE_HOST)
    {
      vmm_backend_set_host_enabled_async (backend, host, FALSE, "evacuation", cancellable,
                                          disable_cb, task);
      return;
    }
  evacuation_round (task);
  g_object_unref (task);
}

/**
 * vmm_engine_evacuate_finish:
 * @self: a #VmmEngine
 * @result: the #GAsyncResult
 * @host_empty: (out) (optional): whether no VM is left on the host
 * @error: return location for a #GError
 *
 * Finishes vmm_engine_evacuate_async(). Individual VMs that could not move
 * are not an error: their entries say why.
 *
 * Returns: (transfer container) (element-type VmmEvacuationEntry): one entry
 *   per VM, or %NULL with @error set when the evacuation could not start
 *
 * Since: 1.0
 */
GPtrArray *
vmm_engine_evacuate_finish (VmmEngine *self, GAsyncResult *result, gboolean *host_empty,
                            GError **error)
{
  Evacuation *ev;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  ev = g_task_get_task_data (G_TASK (result));
  if (host_empty != NULL)
    *host_empty = ev != NULL && ev->host_empty;
  return g_task_propagate_pointer (G_TASK (result), error);
}
