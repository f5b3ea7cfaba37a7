/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-actions.h"

/* The engine's rules over the backend's facts: the same cause gives the same
 * check, with the same code, on every backend. */

static void
add_check (GPtrArray *out, const char *code, VmmCheckSeverity severity, VmmError error_code,
           const char *subject, const char *remedy, const char *format, ...) G_GNUC_PRINTF (7, 8);

static void
add_check (GPtrArray *out, const char *code, VmmCheckSeverity severity, VmmError error_code,
           const char *subject, const char *remedy, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (out, vmm_check_new (code, severity, error_code, subject, message, remedy));
}

#define ERROR VMM_CHECK_SEVERITY_ERROR
#define WARNING VMM_CHECK_SEVERITY_WARNING

gboolean
vmm_checks_apply (VmmMigrationContext *context, GPtrArray *checks, GError **error)
{
  VmmCheck *first = NULL;
  guint n_errors = 0;

  for (guint i = 0; i < checks->len; i++)
    {
      VmmCheck *check = g_ptr_array_index (checks, i);

      vmm_migration_context_add_check (context, check);
      if (vmm_check_get_severity (check) == ERROR)
        {
          if (first == NULL)
            first = check;
          n_errors++;
        }
    }
  if (first == NULL)
    return TRUE;
  if (n_errors > 1)
    g_set_error (error, VMM_ERROR, vmm_check_get_error_code (first),
                 "%s (and %u more: see the plan's checks)", vmm_check_get_message (first),
                 n_errors - 1);
  else
    g_set_error_literal (error, VMM_ERROR, vmm_check_get_error_code (first),
                         vmm_check_get_message (first));
  return FALSE;
}

static const char *
host_state_reason (VmmHostState state)
{
  switch (state)
    {
    case VMM_HOST_STATE_MAINTENANCE:
      return "is in maintenance mode";
    case VMM_HOST_STATE_DISABLED:
      return "is disabled for new VMs";
    case VMM_HOST_STATE_DOWN:
      return "is down";
    case VMM_HOST_STATE_CONNECTED:
    default:
      return NULL;
    }
}

static gboolean
is_running (VmmMigrationContext *context)
{
  return vmm_vm_info_get_power_state (vmm_migration_context_get_vm (context))
         == VMM_POWER_STATE_RUNNING;
}

/* a live move; a cold restart stops the running VM first */
static gboolean
is_hot (VmmMigrationContext *context)
{
  return is_running (context) && !vmm_migration_context_get_cold_restart (context);
}

/* What a datastore is the target of, for a check's message: made only when
 * a check is (a move that passes formats nothing). */
static const char *
target_what (VmmDiskInfo *disk, char **buf)
{
  if (disk == NULL)
    return "the VM's configuration";
  if (*buf == NULL)
    *buf = g_strdup_printf ("disk %s", vmm_disk_info_get_key (disk));
  return *buf;
}

/* Storage rules (the storage-motion spec): every target must exist, be online,
 * be reachable from @host and have room; storage the VM keeps must be
 * reachable too, or the move needs storage motion. */
static void
checks_for_storage (VmmMigrationContext *context, const char *host, GPtrArray *out,
                    gboolean *motion)
{
  VmmInventory *inventory = vmm_migration_context_get_inventory (context);
  GPtrArray *targets = vmm_migration_context_get_target_disks (context);
  const char *primary = vmm_migration_context_get_destination_datastore (context);
  const char *source_host = vmm_migration_context_get_source_host (context);
  g_autoptr (GHashTable) needed = NULL;

  for (guint i = 0; i <= targets->len; i++)
    {
      VmmDiskInfo *disk = i < targets->len ? g_ptr_array_index (targets, i) : NULL;
      const char *name = disk != NULL ? vmm_disk_info_get_datastore (disk) : primary;
      gboolean moves
          = disk != NULL ? vmm_migration_context_disk_moves (context, vmm_disk_info_get_key (disk))
                         : vmm_migration_context_changes_primary_datastore (context);
      g_autofree char *what_buf = NULL;
      g_autofree char *remedy = NULL;
      VmmDatastoreInfo *ds;

      if (name == NULL)
        continue;
      ds = vmm_inventory_lookup_datastore (inventory, name);
      if (ds == NULL)
        {
          add_check (out, "datastore-not-found", ERROR, VMM_ERROR_NOT_FOUND, name, NULL,
                     "datastore '%s' (target of %s) does not exist", name,
                     target_what (disk, &what_buf));
          continue;
        }
      if (!vmm_datastore_info_get_online (ds))
        {
          add_check (out, "datastore-offline", ERROR, VMM_ERROR_INCOMPATIBLE, name,
                     "bring it back or choose another datastore",
                     "datastore '%s' (target of %s) is offline", name,
                     target_what (disk, &what_buf));
          continue;
        }
      if (host != NULL && !vmm_datastore_info_is_mounted_on (ds, host))
        {
          remedy = g_strdup_printf ("move the storage too: name a datastore '%s' reaches", host);
          if (moves)
            add_check (out, "datastore-not-mounted", ERROR, VMM_ERROR_INCOMPATIBLE, name, remedy,
                       "datastore '%s' (target of %s) is not reachable from host '%s'", name,
                       target_what (disk, &what_buf), host);
          else if (!vmm_datastore_info_get_shared (ds))
            add_check (
                out, "local-storage-needs-motion", ERROR, VMM_ERROR_INCOMPATIBLE, name, remedy,
                "datastore '%s' (target of %s) is not reachable from host '%s': it is local "
                "to host '%s', so the move needs storage motion",
                name, target_what (disk, &what_buf), host, source_host != NULL ? source_host : "?");
          else
            add_check (out, "shared-storage-unreachable", ERROR, VMM_ERROR_INCOMPATIBLE, name,
                       remedy,
                       "datastore '%s' (target of %s) is not reachable from host '%s': the shared "
                       "storage is not mounted there, so the move needs storage motion",
                       name, target_what (disk, &what_buf), host);
          if (!moves && motion != NULL)
            *motion = TRUE;
        }
      if (disk != NULL && moves)
        {
          const VmmLoad *load = vmm_migration_context_get_reservation (context, name);
          guint64 sum;

          if (needed == NULL)
            needed = g_hash_table_new (g_str_hash, g_str_equal);
          sum = GPOINTER_TO_SIZE (g_hash_table_lookup (needed, name));

          if (sum == 0 && load != NULL)
            sum = load->bytes;

          sum += vmm_disk_info_get_capacity (disk);
          g_hash_table_insert (needed, (gpointer)name, GSIZE_TO_POINTER (sum));
          if (sum > vmm_datastore_info_get_free (ds))
            add_check (out, "datastore-capacity", ERROR, VMM_ERROR_INSUFFICIENT_CAPACITY, name,
                       "free space there or choose another datastore",
                       "datastore '%s' has %" G_GUINT64_FORMAT " MiB free; the disks moving there "
                       "need %" G_GUINT64_FORMAT " MiB",
                       name, vmm_datastore_info_get_free (ds) >> 20, sum >> 20);
        }
    }
}

void
vmm_checks_for_host (VmmMigrationContext *context, VmmHostInfo *host, GPtrArray *out,
                     gboolean *motion)
{
  VmmVmInfo *vm = vmm_migration_context_get_vm (context);
  VmmInventory *inventory = vmm_migration_context_get_inventory (context);
  VmmRelocateSpec *spec = vmm_migration_context_get_spec (context);
  VmmEngine *engine = vmm_migration_context_get_engine (context);
  const char *name = vmm_host_info_get_name (host);
  const char *reason = host_state_reason (vmm_host_info_get_state (host));
  const char *pool = vmm_relocate_spec_get_resource_pool (spec);
  const char *source = vmm_migration_context_get_source_host (context);
  VmmHostInfo *src = source != NULL ? vmm_inventory_lookup_host (inventory, source) : NULL;
  gboolean moves_host = g_strcmp0 (name, source) != 0;

  if (reason != NULL)
    add_check (out, "host-state", ERROR, VMM_ERROR_INCOMPATIBLE, name,
               "choose another host or bring this one back", "host '%s' %s", name, reason);
  if (moves_host && engine != NULL
      && vmm_engine_is_draining (engine, vmm_migration_context_get_backend (context), name))
    add_check (out, "host-draining", ERROR, VMM_ERROR_INCOMPATIBLE, name, "choose another host",
               "host '%s' is being evacuated", name);
  if (moves_host && vmm_migration_context_is_host_excluded (context, name))
    add_check (out, "host-excluded", ERROR, VMM_ERROR_INCOMPATIBLE, name, "choose another host",
               "host '%s' failed an earlier attempt of this migration", name);
  if (pool != NULL && !vmm_host_info_has_pool (host, pool))
    add_check (out, "pool-missing", ERROR, VMM_ERROR_INCOMPATIBLE, pool,
               "name a resource pool the host has, or choose another host",
               "resource pool '%s' is not available on host '%s'", pool, name);
  if (moves_host && src != NULL && vmm_host_info_get_zone (src) != NULL
      && vmm_host_info_get_zone (host) != NULL
      && g_strcmp0 (vmm_host_info_get_zone (src), vmm_host_info_get_zone (host)) != 0)
    {
      gboolean allowed = vmm_relocate_spec_get_allow_zone_change (spec);

      add_check (out, "zone-change", allowed ? WARNING : ERROR, VMM_ERROR_INCOMPATIBLE, name,
                 allowed
                     ? NULL
                     : "choose a host in the same zone, or allow a zone change (allow-zone-change)",
                 "host '%s' is in availability zone '%s'; the VM is in '%s'", name,
                 vmm_host_info_get_zone (host), vmm_host_info_get_zone (src));
    }
  if (moves_host)
    {
      const char *const *required = vmm_vm_info_get_required_metadata (vm);
      g_autoptr (GString) missing = NULL;

      for (guint i = 0; required[i] != NULL; i++)
        if (!g_strv_contains (vmm_host_info_get_metadata (host), required[i]))
          {
            if (missing == NULL)
              missing = g_string_new (NULL);
            g_string_append_printf (missing, "%s%s", missing->len > 0 ? ", " : "", required[i]);
          }
      if (missing != NULL)
        {
          gboolean allowed = vmm_relocate_spec_get_allow_zone_change (spec);

          add_check (
              out, "aggregate-metadata", allowed ? WARNING : ERROR, VMM_ERROR_INCOMPATIBLE, name,
              allowed ? NULL
                      : "choose a host in an aggregate with this metadata, or allow it "
                        "(allow-zone-change)",
              "host '%s' lacks the aggregate metadata the VM requires (%s)", name, missing->str);
        }
    }
  /* seed 003: the live-migration network between the two hosts, where the
   * backend can tell */
  if (moves_host && is_hot (context))
    {
      VmmHostInfo *ends[] = { src, host };

      for (guint e = 0; e < G_N_ELEMENTS (ends); e++)
        if (ends[e] != NULL && vmm_host_info_get_migration_problem (ends[e]) != NULL)
          add_check (out, "host-unreachable", ERROR, VMM_ERROR_INCOMPATIBLE,
                     vmm_host_info_get_name (ends[e]),
                     "fix the host's live-migration network, or let the engine move the VM cold "
                     "(fallback-cold)",
                     "a live move cannot %s host '%s': %s", e == 0 ? "leave" : "reach",
                     vmm_host_info_get_name (ends[e]),
                     vmm_host_info_get_migration_problem (ends[e]));
    }
  /* capacity for a VM that will run there: live, or started after a cold restart */
  if (moves_host && is_running (context))
    {
      const VmmLoad *load = vmm_migration_context_get_reservation (context, name);
      guint64 total = vmm_host_info_get_memory_mib (host);
      guint64 used
          = vmm_host_info_get_memory_used_mib (host) + (load != NULL ? load->memory_mib : 0);
      guint vcpus_used = vmm_host_info_get_vcpus_used (host) + (load != NULL ? load->vcpus : 0);
      guint64 free_mib = total > used ? total - used : 0;
      double vcpu_limit = vmm_host_info_get_vcpus (host) * vmm_host_info_get_cpu_overcommit (host);
      g_autoptr (GString) missing = NULL;
      const char *const *features = vmm_vm_info_get_cpu_features (vm);

      if (free_mib < vmm_vm_info_get_memory_mib (vm))
        add_check (out, "memory-capacity", ERROR, VMM_ERROR_INSUFFICIENT_CAPACITY, name,
                   "choose a host with more free memory",
                   "host '%s' has %" G_GUINT64_FORMAT
                   " MiB of memory free; the VM needs %" G_GUINT64_FORMAT " MiB",
                   name, free_mib, vmm_vm_info_get_memory_mib (vm));
      if (vmm_host_info_get_vcpus (host) > 0
          && vcpus_used + vmm_vm_info_get_vcpus (vm) > vcpu_limit)
        add_check (out, "vcpu-capacity", ERROR, VMM_ERROR_INSUFFICIENT_CAPACITY, name,
                   "choose a host with free vCPUs",
                   "host '%s' has %u of %.0f vCPUs in use (overcommit %.1f); the VM needs %u", name,
                   vcpus_used, vcpu_limit, vmm_host_info_get_cpu_overcommit (host),
                   vmm_vm_info_get_vcpus (vm));
      for (guint i = 0; features != NULL && features[i] != NULL; i++)
        if (!vmm_host_info_has_cpu_feature (host, features[i]))
          {
            if (missing == NULL)
              missing = g_string_new (NULL);
            g_string_append_printf (missing, "%s%s", missing->len > 0 ? ", " : "", features[i]);
          }
      if (missing != NULL && is_hot (context))
        add_check (out, "cpu-features", ERROR, VMM_ERROR_INCOMPATIBLE, name,
                   "choose a host with these CPU features, or move the VM cold (fallback-cold)",
                   "host '%s' lacks CPU features the running guest uses (missing features: %s)",
                   name, missing->str);
    }
  if (moves_host)
    {
      GPtrArray *devices = vmm_vm_info_get_devices (vm);

      for (guint i = 0; i < devices->len; i++)
        {
          VmmDeviceInfo *dev = g_ptr_array_index (devices, i);
          const char *backing = vmm_device_info_get_backing_datastore (dev);
          VmmDatastoreInfo *ds;

          if (vmm_device_info_get_kind (dev) == VMM_DEVICE_KIND_NIC
              && vmm_device_info_get_network (dev) != NULL)
            {
              const char *net
                  = vmm_relocate_spec_map_network (spec, vmm_device_info_get_network (dev));

              if (!vmm_host_info_has_network (host, net))
                add_check (out, "network-missing", ERROR, VMM_ERROR_INCOMPATIBLE, net,
                           "map it to a network the host has (networks: {\"old\": \"new\"})",
                           "network '%s' of %s does not exist on host '%s'", net,
                           vmm_device_info_get_key (dev), name);
              continue;
            }
          if (backing == NULL || !vmm_device_info_get_connected (dev))
            continue;
          ds = vmm_inventory_lookup_datastore (inventory, backing);
          if (ds != NULL && vmm_datastore_info_is_mounted_on (ds, name)
              && vmm_datastore_info_get_online (ds))
            continue;
          if (is_hot (context) && !vmm_relocate_spec_get_detach_unreachable_devices (spec))
            add_check (out, "device-backing-unreachable", ERROR, VMM_ERROR_INCOMPATIBLE,
                       vmm_device_info_get_key (dev),
                       "disconnect the device, re-home its backing, or allow it to be detached "
                       "(detach-unreachable-devices)",
                       "%s is backed by [%s] %s, which host '%s' cannot reach",
                       vmm_device_info_get_key (dev), backing,
                       vmm_device_info_get_backing_path (dev) != NULL
                           ? vmm_device_info_get_backing_path (dev)
                           : "",
                       name);
          else
            add_check (
                out, "device-backing-unreachable", WARNING, VMM_ERROR_INCOMPATIBLE,
                vmm_device_info_get_key (dev), NULL,
                "%s is backed by [%s] %s, which host '%s' cannot reach: it will be disconnected",
                vmm_device_info_get_key (dev), backing,
                vmm_device_info_get_backing_path (dev) != NULL
                    ? vmm_device_info_get_backing_path (dev)
                    : "",
                name);
        }
    }
  checks_for_storage (context, name, out, motion);
}

/* Pre-copy forecast: each pass sends what the previous one left dirty; the
 * move converges when what is left fits in the allowed downtime. */
static void
checks_for_convergence (VmmMigrationContext *context, GPtrArray *out)
{
  VmmVmInfo *vm = vmm_migration_context_get_vm (context);
  VmmRelocateSpec *spec = vmm_migration_context_get_spec (context);
  double bandwidth = (vmm_relocate_spec_get_bandwidth_mibps (spec) > 0
                          ? vmm_relocate_spec_get_bandwidth_mibps (spec)
                          : 1024.0)
                     * 1048576.0;
  double downtime = (vmm_relocate_spec_get_max_downtime_ms (spec) > 0
                         ? vmm_relocate_spec_get_max_downtime_ms (spec)
                         : 300.0)
                    / 1000.0;
  double dirty = (double)vmm_vm_info_get_dirty_rate (vm);
  double remaining = (double)vmm_vm_info_get_memory_mib (vm) * 1048576.0;
  double disks = 0, total = 0;
  GPtrArray *targets = vmm_migration_context_get_target_disks (context);
  gboolean converges = FALSE;

  for (guint i = 0; i < targets->len; i++)
    {
      VmmDiskInfo *t = g_ptr_array_index (targets, i);

      if (vmm_migration_context_disk_moves (context, vmm_disk_info_get_key (t)))
        disks += (double)vmm_disk_info_get_capacity (t);
    }
  if (!is_hot (context))
    {
      vmm_migration_context_set_estimates (context, (gint64)(disks / bandwidth * 1000.0), -1);
      return;
    }
  total = disks / bandwidth;
  for (guint pass = 0; pass < 30; pass++)
    {
      double t = remaining / bandwidth;

      if (t <= downtime)
        {
          converges = TRUE;
          break;
        }
      total += t;
      remaining = MIN (remaining, dirty * t);
    }
  vmm_migration_context_set_estimates (context, (gint64)((total + remaining / bandwidth) * 1000.0),
                                       (gint64)(remaining / bandwidth * 1000.0));
  if (!converges)
    add_check (
        out, "convergence", WARNING, VMM_ERROR_TIMEOUT, vmm_vm_info_get_name (vm),
        vmm_relocate_spec_get_auto_converge (spec) || vmm_relocate_spec_get_post_copy (spec)
            ? "the move will rely on auto-converge or post-copy"
            : "raise bandwidth-mibps or max-downtime-ms, or enable auto-converge or post-copy",
        "pre-copy is predicted not to converge: %.0f MiB of memory dirtied at %.0f MiB/s over "
        "%.0f MiB/s leaves %.0f MiB (%.0f ms) after 30 passes, above the %.0f ms allowed downtime",
        vmm_vm_info_get_memory_mib (vm) * 1.0, dirty / 1048576.0, bandwidth / 1048576.0,
        remaining / 1048576.0, remaining / bandwidth * 1000.0, downtime * 1000.0);
}

static gboolean
is_shared (VmmInventory *inventory, const char *name)
{
  VmmDatastoreInfo *ds = name != NULL ? vmm_inventory_lookup_datastore (inventory, name) : NULL;

  return ds != NULL && vmm_datastore_info_get_shared (ds);
}

void
vmm_checks_for_vm (VmmMigrationContext *context, GPtrArray *out)
{
  VmmVmInfo *vm = vmm_migration_context_get_vm (context);
  VmmInventory *inventory = vmm_migration_context_get_inventory (context);
  VmmRelocateSpec *spec = vmm_migration_context_get_spec (context);
  const char *host = vmm_relocate_spec_get_host (spec);
  const char *datastore = vmm_relocate_spec_get_datastore (spec);
  GPtrArray *disks = vmm_relocate_spec_peek_disks (spec);
  GPtrArray *targets = vmm_migration_context_get_target_disks (context);
  VmmPowerState power = vmm_vm_info_get_power_state (vm);
  const char *name = vmm_vm_info_get_name (vm);
  GHashTable *map = vmm_relocate_spec_peek_network_map (spec);

  if (vmm_vm_info_get_migrating (vm))
    add_check (out, "vm-busy", ERROR, VMM_ERROR_BUSY, name, "wait for the other move to end",
               "VM '%s' is already migrating", name);
  if (host != NULL && vmm_inventory_lookup_host (inventory, host) == NULL)
    add_check (out, "host-not-found", ERROR, VMM_ERROR_NOT_FOUND, host, NULL,
               "host: no host named '%s'", host);
  if (datastore != NULL && vmm_inventory_lookup_datastore (inventory, datastore) == NULL)
    add_check (out, "datastore-not-found", ERROR, VMM_ERROR_NOT_FOUND, datastore, NULL,
               "datastore: no datastore named '%s'", datastore);
  for (guint i = 0; disks != NULL && i < disks->len; i++)
    {
      VmmDiskLocator *loc = g_ptr_array_index (disks, i);

      if (vmm_vm_info_lookup_disk (vm, vmm_disk_locator_get_key (loc)) == NULL)
        {
          GPtrArray *vm_disks = vmm_vm_info_get_disks (vm);
          g_autoptr (GString) keys = g_string_new (NULL);

          for (guint j = 0; j < vm_disks->len; j++)
            g_string_append_printf (keys, "%s%s", j > 0 ? ", " : "",
                                    vmm_disk_info_get_key (g_ptr_array_index (vm_disks, j)));
          add_check (out, "disk-not-found", ERROR, VMM_ERROR_INVALID_SPEC,
                     vmm_disk_locator_get_key (loc), NULL,
                     "disks[%u].key: VM '%s' has no disk '%s' (its disks: %s)", i, name,
                     vmm_disk_locator_get_key (loc), keys->len > 0 ? keys->str : "none");
        }
      if (vmm_inventory_lookup_datastore (inventory, vmm_disk_locator_get_datastore (loc)) == NULL)
        add_check (out, "datastore-not-found", ERROR, VMM_ERROR_INVALID_SPEC,
                   vmm_disk_locator_get_datastore (loc), NULL,
                   "disks[%u].datastore: no datastore named '%s'", i,
                   vmm_disk_locator_get_datastore (loc));
    }
  /* local <-> shared changes the storage class the VM was given */
  for (guint i = 0; i < targets->len; i++)
    {
      VmmDiskInfo *t = g_ptr_array_index (targets, i);
      VmmDiskInfo *s = vmm_vm_info_lookup_disk (vm, vmm_disk_info_get_key (t));
      gboolean from_shared, to_shared;
      VmmDiskLocator *loc;
      g_autofree char *field = NULL;

      if (s == NULL || !vmm_migration_context_disk_moves (context, vmm_disk_info_get_key (t))
          || vmm_inventory_lookup_datastore (inventory, vmm_disk_info_get_datastore (t)) == NULL)
        continue;
      from_shared = is_shared (inventory, vmm_disk_info_get_datastore (s));
      to_shared = is_shared (inventory, vmm_disk_info_get_datastore (t));
      if (from_shared == to_shared)
        continue;
      loc = vmm_relocate_spec_lookup_disk (spec, vmm_disk_info_get_key (t));
      if (loc != NULL)
        for (guint j = 0; j < disks->len; j++)
          if (g_ptr_array_index (disks, j) == loc)
            field = g_strdup_printf ("disks[%u].datastore", j);
      if (field == NULL)
        field = g_strdup ("datastore");
      add_check (
          out, "storage-class-change",
          vmm_relocate_spec_get_allow_storage_class_change (spec) ? WARNING : ERROR,
          VMM_ERROR_INVALID_SPEC, vmm_disk_info_get_key (t),
          "keep the disk on the same class of storage, or allow it (allow-storage-class-change)",
          "%s: disk %s would move from %s datastore '%s' to %s datastore '%s'", field,
          vmm_disk_info_get_key (t), from_shared ? "shared" : "local",
          vmm_disk_info_get_datastore (s), to_shared ? "shared" : "local",
          vmm_disk_info_get_datastore (t));
    }
  if (map != NULL && g_hash_table_size (map) > 0)
    {
      g_auto (GStrv) networks = vmm_inventory_get_networks (inventory);
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, map);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (!g_strv_contains ((const char *const *)networks, value))
          add_check (out, "network-not-found", ERROR, VMM_ERROR_NOT_FOUND, value, NULL,
                     "networks.%s: no host has a network named '%s'", (char *)key, (char *)value);
    }
  switch (vmm_relocate_spec_get_migration_type (spec))
    {
    case VMM_MIGRATION_PREFERENCE_HOT:
      if (power != VMM_POWER_STATE_RUNNING)
        add_check (out, "vm-not-running", ERROR, VMM_ERROR_INCOMPATIBLE, name,
                   "power it on or allow a cold move",
                   "migration-type: a hot move needs a running VM; '%s' is not running", name);
      break;
    case VMM_MIGRATION_PREFERENCE_COLD:
      if (power == VMM_POWER_STATE_RUNNING && !vmm_migration_context_get_cold_restart (context))
        add_check (
            out, "vm-running", ERROR, VMM_ERROR_INCOMPATIBLE, name,
            "power it off first, or let the engine move it hot",
            "migration-type: a cold move needs a powered-off VM; '%s' is running (power it off "
            "first, or let the engine move it hot)",
            name);
      break;
    case VMM_MIGRATION_PREFERENCE_AUTO:
    default:
      break;
    }
  if (vmm_relocate_spec_get_fallback_cold (spec) && power == VMM_POWER_STATE_RUNNING)
    {
      VmmBackend *backend = vmm_migration_context_get_backend (context);

      if (vmm_backend_get_step_mode (backend, VMM_STEP_POWER_OFF) == VMM_STEP_MODE_UNSUPPORTED
          || vmm_backend_get_step_mode (backend, VMM_STEP_POWER_ON) == VMM_STEP_MODE_UNSUPPORTED)
        add_check (out, "fallback-cold-unavailable",
                   vmm_migration_context_get_cold_restart (context) ? ERROR : WARNING,
                   VMM_ERROR_UNSUPPORTED, name,
                   "power the VM off and move it cold yourself if the live move cannot happen",
                   "fallback-cold: the %s backend cannot stop and start VMs, so a running VM "
                   "cannot be moved cold; if the live move fails, the chain stops there",
                   G_OBJECT_TYPE_NAME (backend));
      else if (vmm_migration_context_get_cold_restart (context))
        add_check (out, "cold-restart", WARNING, VMM_ERROR_INCOMPATIBLE, name, NULL,
                   "VM '%s' will be powered off on host '%s', moved cold and powered on where it "
                   "lands: it is down for the whole move",
                   name, vmm_vm_info_get_host (vm));
    }
  if (vmm_relocate_spec_get_keep_source_disks (spec)
      && (vmm_migration_context_changes_primary_datastore (context)
          || vmm_migration_context_changes_disk_datastores (context))
      && !(vmm_backend_get_capabilities (vmm_migration_context_get_backend (context))
           & VMM_BACKEND_CAPABILITY_KEEP_SOURCE_DISKS))
    add_check (out, "keep-source-disks-unavailable", ERROR, VMM_ERROR_UNSUPPORTED, name,
               "drop keep-source-disks, or copy the disks yourself first",
               "keep-source-disks: the %s backend cannot leave the source's disks in place "
               "(the platform deletes them once the move is done)",
               G_OBJECT_TYPE_NAME (vmm_migration_context_get_backend (context)));
  if (power == VMM_POWER_STATE_SUSPENDED)
    add_check (out, "vm-suspended", ERROR, VMM_ERROR_INCOMPATIBLE, name, "resume or power it off",
               "VM '%s' is suspended: resume or power it off before moving it", name);
  checks_for_convergence (context, out);
}

static gboolean
invoke_prechecks (VmmMigrationContext *context, GError **error)
{
  g_autoptr (GPtrArray) checks = g_ptr_array_new_with_free_func (g_object_unref);

  vmm_checks_for_vm (context, checks);
  return vmm_checks_apply (context, checks, error);
}

static gboolean
check_permission (VmmMigrationContext *context, GError **error)
{
  VmmRelocateSpec *spec = vmm_migration_context_get_spec (context);
  VmmServiceLocator *locator = vmm_relocate_spec_get_service_locator (spec);
  VmmBackend *backend = vmm_migration_context_get_backend (context);

  if ((vmm_backend_get_capabilities (backend) & VMM_BACKEND_CAPABILITY_CROSS_MANAGER) == 0)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                   "the %s backend cannot move VMs to another manager",
                   G_OBJECT_TYPE_NAME (backend));
      return FALSE;
    }
  if (locator != NULL && vmm_service_locator_get_credential (locator) == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_PERMISSION_DENIED,
                   "service-locator.credential: a move to %s needs a credential for it",
                   vmm_service_locator_get_url (locator));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_compatibility (VmmMigrationContext *context, GError **error)
{
  VmmInventory *inventory = vmm_migration_context_get_inventory (context);
  const char *name = vmm_migration_context_get_destination_host (context);
  g_autoptr (GPtrArray) checks = g_ptr_array_new_with_free_func (g_object_unref);
  VmmHostInfo *host;

  if (name == NULL)
    name = vmm_migration_context_get_source_host (context);
  host = vmm_inventory_lookup_host (inventory, name);
  if (host == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "no host named '%s'", name);
      return FALSE;
    }
  vmm_checks_for_host (context, host, checks, NULL);
  return vmm_checks_apply (context, checks, error);
}

static gboolean
invoke_callbacks (VmmMigrationContext *context, GError **error)
{
  if (vmm_migration_context_is_dry_run (context))
    return TRUE;
  return vmm_migration_context_invoke_callbacks (context, error);
}

VmmAction *
vmm_action_invoke_prechecks_new (void)
{
  static VmmAction *shared;

  return vmm_engine_action_shared (&shared, "InvokePrechecks", VMM_ACTION_PERFORMER_ENGINE,
                                   invoke_prechecks);
}

VmmAction *
vmm_action_check_permission_new (void)
{
  static VmmAction *shared;

  return vmm_engine_action_shared (&shared, "CheckPermission", VMM_ACTION_PERFORMER_ENGINE,
                                   check_permission);
}

VmmAction *
vmm_action_check_compatibility_new (void)
{
  static VmmAction *shared;

  return vmm_engine_action_shared (&shared, "CheckCompatibility", VMM_ACTION_PERFORMER_ENGINE,
                                   check_compatibility);
}

VmmAction *
vmm_action_invoke_callbacks_new (void)
{
  static VmmAction *shared;

  return vmm_engine_action_shared (&shared, "InvokeCallbacks", VMM_ACTION_PERFORMER_CALLER,
                                   invoke_callbacks);
}
