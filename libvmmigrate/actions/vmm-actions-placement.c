/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-actions.h"

static const char *
transform_format (VmmDiskTransform transform, const char *format)
{
  switch (transform)
    {
    case VMM_DISK_TRANSFORM_QCOW2:
      return "qcow2";
    case VMM_DISK_TRANSFORM_RAW:
      return "raw";
    case VMM_DISK_TRANSFORM_THIN:
      return "thin";
    case VMM_DISK_TRANSFORM_THICK:
      return "thick";
    case VMM_DISK_TRANSFORM_NONE:
    default:
      return format;
    }
}

/* The copy spec: where each disk goes. A disk follows the primary datastore
 * when it changes, unless a disk locator names another target. */
void
vmm_workflow_compute_targets (VmmMigrationContext *context)
{
  VmmVmInfo *vm = vmm_migration_context_get_vm (context);
  VmmRelocateSpec *spec = vmm_migration_context_get_spec (context);
  const char *primary = vmm_relocate_spec_get_datastore (spec);
  gboolean primary_changes
      = primary != NULL && g_strcmp0 (primary, vmm_vm_info_get_datastore (vm)) != 0;
  GPtrArray *disks = vmm_vm_info_get_disks (vm);
  g_autoptr (GPtrArray) targets = g_ptr_array_new_full (disks->len, g_object_unref);

  for (guint i = 0; i < disks->len; i++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (disks, i);
      VmmDiskLocator *loc = vmm_relocate_spec_lookup_disk (spec, vmm_disk_info_get_key (disk));
      const char *ds = vmm_disk_info_get_datastore (disk);
      VmmDiskInfo *target = vmm_disk_info_copy (disk);

      if (loc != NULL)
        ds = vmm_disk_locator_get_datastore (loc);
      else if (primary_changes)
        ds = primary;
      if (g_strcmp0 (ds, vmm_disk_info_get_datastore (disk)) != 0)
        {
          g_autofree char *base = g_path_get_basename (vmm_disk_info_get_path (disk) != NULL
                                                           ? vmm_disk_info_get_path (disk)
                                                           : vmm_disk_info_get_key (disk));
          g_autofree char *path = g_strdup_printf ("%s/%s", vmm_vm_info_get_name (vm), base);

          vmm_disk_info_set_datastore (target, ds);
          vmm_disk_info_set_path (target, path);
          if (loc != NULL)
            vmm_disk_info_set_format (target,
                                      transform_format (vmm_disk_locator_get_transform (loc),
                                                        vmm_disk_info_get_format (disk)));
        }
      g_ptr_array_add (targets, target);
    }
  vmm_migration_context_set_target_disks (context, targets);
}

gboolean
vmm_workflow_resolve (VmmMigrationContext *context, GError **error)
{
  VmmVmInfo *vm = vmm_migration_context_get_vm (context);
  VmmRelocateSpec *spec = vmm_migration_context_get_spec (context);
  VmmInventory *inventory = vmm_migration_context_get_inventory (context);
  const char *host = vmm_migration_context_get_pinned_host (context);
  const char *ds = vmm_relocate_spec_get_datastore (spec);
  const char *pool = vmm_relocate_spec_get_resource_pool (spec);
  gboolean changes_host, changes_primary, changes_disks = FALSE, changes_pool, cross;
  VmmHostInfo *src = vmm_inventory_lookup_host (inventory, vmm_vm_info_get_host (vm));
  VmmHostInfo *dst;
  GPtrArray *targets;

  /* a cold move of a running VM that the spec allows to stop (fallback-cold) */
  if (vmm_relocate_spec_get_migration_type (spec) == VMM_MIGRATION_PREFERENCE_COLD
      && vmm_relocate_spec_get_fallback_cold (spec)
      && vmm_vm_info_get_power_state (vm) == VMM_POWER_STATE_RUNNING)
    vmm_migration_context_set_cold_restart (context, TRUE);
  if (host == NULL && !vmm_migration_context_get_select_host (context))
    host = vmm_relocate_spec_get_host (spec);
  changes_host = host != NULL ? g_strcmp0 (host, vmm_vm_info_get_host (vm)) != 0
                              : vmm_relocate_spec_is_empty (spec)
                                    || vmm_migration_context_get_select_host (context);
  dst = host != NULL ? vmm_inventory_lookup_host (inventory, host) : NULL;
  cross = vmm_relocate_spec_get_service_locator (spec) != NULL
          || (src != NULL && dst != NULL
              && g_strcmp0 (vmm_host_info_get_manager (src), vmm_host_info_get_manager (dst)) != 0);
  changes_primary = ds != NULL && g_strcmp0 (ds, vmm_vm_info_get_datastore (vm)) != 0;
  changes_pool = pool != NULL && g_strcmp0 (pool, vmm_vm_info_get_resource_pool (vm)) != 0;

  vmm_migration_context_set_destination_host (context,
                                              changes_host ? host : vmm_vm_info_get_host (vm));
  vmm_migration_context_set_destination_datastore (
      context, ds != NULL ? ds : vmm_vm_info_get_datastore (vm));
  vmm_migration_context_set_destination_pool (
      context, pool != NULL ? pool : vmm_vm_info_get_resource_pool (vm));
  vmm_workflow_compute_targets (context);
  targets = vmm_migration_context_get_target_disks (context);
  for (guint i = 0; i < targets->len; i++)
    if (vmm_migration_context_disk_moves (context,
                                          vmm_disk_info_get_key (g_ptr_array_index (targets, i))))
      changes_disks = TRUE;
  vmm_migration_context_set_changes (context, changes_host, changes_primary, changes_disks,
                                     changes_pool, cross);
  return TRUE;
}

VmmCandidate *
vmm_placement_evaluate (VmmMigrationContext *context, VmmHostInfo *host)
{
  g_autoptr (GPtrArray) checks = g_ptr_array_new_with_free_func (g_object_unref);
  VmmInventory *inventory = vmm_migration_context_get_inventory (context);
  VmmVmInfo *vm = vmm_migration_context_get_vm (context);
  VmmHostInfo *src
      = vmm_inventory_lookup_host (inventory, vmm_migration_context_get_source_host (context));
  VmmEngine *engine = vmm_migration_context_get_engine (context);
  gboolean motion = FALSE;
  guint64 total = vmm_host_info_get_memory_mib (host);
  guint64 used = vmm_host_info_get_memory_used_mib (host) + vmm_vm_info_get_memory_mib (vm);
  double score;

  vmm_checks_for_host (context, host, checks, &motion);
  /* weigh: free memory after placement, moves already heading there, same
   * cluster first, no storage motion preferred */
  score = total > used ? (double)(total - used) / 1024.0 : 0.0;
  if (src != NULL && vmm_host_info_get_cluster (src) != NULL
      && g_strcmp0 (vmm_host_info_get_cluster (src), vmm_host_info_get_cluster (host)) == 0)
    score += 100.0;
  if (engine != NULL)
    score -= 10.0
             * vmm_engine_count_inbound (engine, vmm_migration_context_get_backend (context),
                                         vmm_host_info_get_name (host));
  if (motion)
    score -= 1000.0;
  return vmm_candidate_new (vmm_host_info_get_name (host), checks, motion, score);
}

static gint
candidate_compare (gconstpointer a, gconstpointer b)
{
  VmmCandidate *ca = *(VmmCandidate **)a, *cb = *(VmmCandidate **)b;

  if (vmm_candidate_get_suitable (ca) != vmm_candidate_get_suitable (cb))
    return vmm_candidate_get_suitable (ca) ? -1 : 1;
  if (vmm_candidate_get_score (ca) != vmm_candidate_get_score (cb))
    return vmm_candidate_get_score (ca) > vmm_candidate_get_score (cb) ? -1 : 1;
  return g_strcmp0 (vmm_candidate_get_host (ca), vmm_candidate_get_host (cb));
}

static void
set_destination_pool (VmmMigrationContext *context, VmmHostInfo *host)
{
  VmmRelocateSpec *spec = vmm_migration_context_get_spec (context);
  VmmVmInfo *vm = vmm_migration_context_get_vm (context);
  const char *pool = vmm_relocate_spec_get_resource_pool (spec);

  if (pool == NULL)
    {
      pool = vmm_vm_info_get_resource_pool (vm);
      if (vmm_host_info_get_pools (host) != NULL && !vmm_host_info_has_pool (host, pool)
          && vmm_host_info_get_default_pool (host) != NULL)
        pool = vmm_host_info_get_default_pool (host);
    }
  vmm_migration_context_set_destination_pool (context, pool);
}

/* Every other host of the same manager, evaluated and sorted best first. */
void
vmm_placement_rank (VmmMigrationContext *context, GPtrArray *out)
{
  VmmInventory *inventory = vmm_migration_context_get_inventory (context);
  const char *source = vmm_migration_context_get_source_host (context);
  VmmHostInfo *src = vmm_inventory_lookup_host (inventory, source);
  GPtrArray *hosts = vmm_inventory_get_hosts (inventory);

  for (guint i = 0; i < hosts->len; i++)
    {
      VmmHostInfo *host = g_ptr_array_index (hosts, i);

      if (g_strcmp0 (vmm_host_info_get_name (host), source) == 0)
        continue;
      if (src != NULL
          && g_strcmp0 (vmm_host_info_get_manager (host), vmm_host_info_get_manager (src)) != 0)
        continue;
      g_ptr_array_add (out, vmm_placement_evaluate (context, host));
    }
  g_ptr_array_sort (out, candidate_compare);
}

static gboolean
select_destination (VmmMigrationContext *context, GError **error)
{
  VmmInventory *inventory = vmm_migration_context_get_inventory (context);
  VmmRelocateSpec *spec = vmm_migration_context_get_spec (context);
  const char *wanted = vmm_migration_context_get_pinned_host (context);
  GPtrArray *candidates = vmm_migration_context_get_candidates (context);
  g_autoptr (GString) reasons = g_string_new (NULL);
  gboolean all_capacity = TRUE;
  VmmCandidate *best;

  if (wanted == NULL && !vmm_migration_context_get_select_host (context))
    wanted = vmm_relocate_spec_get_host (spec);
  if (wanted != NULL)
    {
      VmmHostInfo *host = vmm_inventory_lookup_host (inventory, wanted);

      if (host == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "host: no host named '%s'", wanted);
          return FALSE;
        }
      vmm_migration_context_set_destination_host (context, wanted);
      set_destination_pool (context, host);
      return TRUE;
    }

  g_ptr_array_set_size (candidates, 0);
  vmm_placement_rank (context, candidates);
  best = candidates->len > 0 ? g_ptr_array_index (candidates, 0) : NULL;
  if (best == NULL || !vmm_candidate_get_suitable (best))
    {
      for (guint i = 0; i < candidates->len; i++)
        {
          GPtrArray *checks = vmm_candidate_get_checks (g_ptr_array_index (candidates, i));

          for (guint j = 0; j < checks->len; j++)
            {
              VmmCheck *check = g_ptr_array_index (checks, j);

              if (vmm_check_get_severity (check) != VMM_CHECK_SEVERITY_ERROR)
                continue;
              if (vmm_check_get_error_code (check) != VMM_ERROR_INSUFFICIENT_CAPACITY)
                all_capacity = FALSE;
              g_string_append_printf (reasons, "; %s", vmm_check_get_message (check));
              break;
            }
        }
      g_set_error (error, VMM_ERROR,
                   reasons->len > 0 && all_capacity ? VMM_ERROR_INSUFFICIENT_CAPACITY
                                                    : VMM_ERROR_INCOMPATIBLE,
                   "no host can take VM '%s'%s", vmm_migration_context_get_vm_name (context),
                   reasons->len > 0 ? reasons->str : ": there is no other host");
      return FALSE;
    }
  vmm_migration_context_set_destination_host (context, vmm_candidate_get_host (best));
  set_destination_pool (context,
                        vmm_inventory_lookup_host (inventory, vmm_candidate_get_host (best)));
  return TRUE;
}

VmmAction *
vmm_action_select_destination_new (void)
{
  static VmmAction *shared;

  return vmm_engine_action_shared (&shared, "SelectDestination", VMM_ACTION_PERFORMER_ENGINE,
                                   select_destination);
}

/* --- batch placement --- */

typedef struct
{
  VmmHostInfo *host;
  gint64 free_mib;
} HostSlot;

static gint
host_slot_compare (gconstpointer a, gconstpointer b)
{
  const HostSlot *ha = a, *hb = b;

  if (ha->free_mib != hb->free_mib)
    return ha->free_mib > hb->free_mib ? -1 : 1;
  return g_strcmp0 (vmm_host_info_get_name (ha->host), vmm_host_info_get_name (hb->host));
}

static VmmLoad *
load_for (GHashTable *reservations, const char *name)
{
  VmmLoad *load = g_hash_table_lookup (reservations, name);

  if (load == NULL)
    {
      load = g_new0 (VmmLoad, 1);
      g_hash_table_insert (reservations, g_strdup (name), load);
    }
  return load;
}

/* Places @vms one after another on the best suitable host, charging each
 * placement to the hosts and datastores so later ones see it: a batch never
 * overcommits. Hosts are kept sorted by free memory, so a placement usually
 * evaluates one host. */
GPtrArray *
vmm_placement_batch (VmmEngine *engine, VmmBackend *backend, VmmInventory *inventory,
                     const char *const *vms, VmmRelocateSpec *spec, GHashTable *excluded)
{
  GPtrArray *hosts = vmm_inventory_get_hosts (inventory);
  g_autoptr (GArray) slots = g_array_sized_new (FALSE, FALSE, sizeof (HostSlot), hosts->len);
  g_autoptr (GHashTable) reservations
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < hosts->len; i++)
    {
      VmmHostInfo *host = g_ptr_array_index (hosts, i);
      HostSlot slot = { host, (gint64)vmm_host_info_get_memory_mib (host)
                                  - (gint64)vmm_host_info_get_memory_used_mib (host) };

      g_array_append_val (slots, slot);
    }
  g_array_sort (slots, host_slot_compare);

  for (guint v = 0; vms[v] != NULL; v++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (VmmMigrationContext) ctx
          = vmm_engine_new_context (engine, backend, inventory, vms[v], spec, &error);
      g_autoptr (GPtrArray) first_reasons = NULL;
      VmmHostInfo *src;
      VmmVmInfo *vm;
      gboolean placed = FALSE;

      if (ctx == NULL)
        {
          g_autoptr (GPtrArray) reasons = g_ptr_array_new_with_free_func (g_object_unref);

          g_ptr_array_add (reasons,
                           vmm_check_new ("vm-not-found", VMM_CHECK_SEVERITY_ERROR,
                                          VMM_ERROR_NOT_FOUND, vms[v], error->message, NULL));
          g_ptr_array_add (out, vmm_candidate_new (NULL, reasons, FALSE, 0));
          continue;
        }
      vmm_migration_context_set_reservations (ctx, reservations);
      vm = vmm_migration_context_get_vm (ctx);
      src = vmm_inventory_lookup_host (inventory, vmm_vm_info_get_host (vm));
      for (guint i = 0; i < slots->len && !placed; i++)
        {
          HostSlot *slot = &g_array_index (slots, HostSlot, i);
          const char *name = vmm_host_info_get_name (slot->host);
          g_autoptr (GPtrArray) checks = NULL;
          gboolean suitable = TRUE;

          /* hosts are sorted by free memory: once one lacks room, all the
           * following do too */
          if (vmm_vm_info_get_power_state (vm) == VMM_POWER_STATE_RUNNING
              && slot->free_mib < (gint64)vmm_vm_info_get_memory_mib (vm))
            {
              if (first_reasons == NULL)
                {
                  g_autofree char *msg = g_strdup_printf (
                      "no host has %" G_GUINT64_FORMAT " MiB of memory free for it (the most any "
                      "host has left is %" G_GINT64_FORMAT " MiB)",
                      vmm_vm_info_get_memory_mib (vm), MAX (slot->free_mib, 0));

                  first_reasons = g_ptr_array_new_with_free_func (g_object_unref);
                  g_ptr_array_add (first_reasons,
                                   vmm_check_new ("memory-capacity", VMM_CHECK_SEVERITY_ERROR,
                                                  VMM_ERROR_INSUFFICIENT_CAPACITY, vms[v], msg,
                                                  "free memory on the hosts or move fewer VMs"));
                }
              break;
            }

          if (g_strcmp0 (name, vmm_vm_info_get_host (vm)) == 0
              || (excluded != NULL && g_hash_table_contains (excluded, name))
              || (src != NULL
                  && g_strcmp0 (vmm_host_info_get_manager (slot->host),
                                vmm_host_info_get_manager (src))
                         != 0))
            continue;
          checks = g_ptr_array_new_with_free_func (g_object_unref);
          vmm_checks_for_host (ctx, slot->host, checks, NULL);
          for (guint c = 0; c < checks->len; c++)
            if (vmm_check_get_severity (g_ptr_array_index (checks, c)) == VMM_CHECK_SEVERITY_ERROR)
              suitable = FALSE;
          if (!suitable)
            {
              if (first_reasons == NULL)
                first_reasons = g_steal_pointer (&checks);
              continue;
            }
          /* charge the placement */
          if (vmm_vm_info_get_power_state (vm) == VMM_POWER_STATE_RUNNING)
            {
              VmmLoad *load = load_for (reservations, name);

              load->memory_mib += vmm_vm_info_get_memory_mib (vm);
              load->vcpus += vmm_vm_info_get_vcpus (vm);
              slot->free_mib -= (gint64)vmm_vm_info_get_memory_mib (vm);
              /* keep the slots sorted: bubble this one down */
              for (guint j = i; j + 1 < slots->len
                                && host_slot_compare (&g_array_index (slots, HostSlot, j),
                                                      &g_array_index (slots, HostSlot, j + 1))
                                       > 0;
                   j++)
                {
                  HostSlot tmp = g_array_index (slots, HostSlot, j);

                  g_array_index (slots, HostSlot, j) = g_array_index (slots, HostSlot, j + 1);
                  g_array_index (slots, HostSlot, j + 1) = tmp;
                }
            }
          {
            GPtrArray *targets = vmm_migration_context_get_target_disks (ctx);

            for (guint d = 0; d < targets->len; d++)
              {
                VmmDiskInfo *t = g_ptr_array_index (targets, d);

                if (vmm_migration_context_disk_moves (ctx, vmm_disk_info_get_key (t)))
                  load_for (reservations, vmm_disk_info_get_datastore (t))->bytes
                      += vmm_disk_info_get_capacity (t);
              }
          }
          g_ptr_array_add (
              out, vmm_candidate_new (name, checks, FALSE, (double)slot->free_mib / 1024.0));
          placed = TRUE;
        }
      if (!placed)
        {
          g_autoptr (GPtrArray) reasons = first_reasons != NULL
                                              ? g_ptr_array_ref (first_reasons)
                                              : g_ptr_array_new_with_free_func (g_object_unref);

          if (reasons->len == 0)
            g_ptr_array_add (reasons,
                             vmm_check_new ("no-host", VMM_CHECK_SEVERITY_ERROR,
                                            VMM_ERROR_INSUFFICIENT_CAPACITY, vms[v],
                                            "there is no other host to place it on", NULL));
          g_ptr_array_add (out, vmm_candidate_new (NULL, reasons, FALSE, 0));
        }
    }
  return out;
}
