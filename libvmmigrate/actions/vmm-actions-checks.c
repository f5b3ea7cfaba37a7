/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-actions.h"

/* The engine's rules over the backend's facts: the same cause gives the same
 * error on every backend. */

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

gboolean
vmm_check_target_storage (VmmMigrationContext *context, const char *host, GError **error)
{
  VmmInventory *inventory = vmm_migration_context_get_inventory (context);
  GPtrArray *targets = vmm_migration_context_get_target_disks (context);
  const char *primary = vmm_migration_context_get_destination_datastore (context);
  g_autoptr (GHashTable) needed = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i <= targets->len; i++)
    {
      VmmDiskInfo *disk = i < targets->len ? g_ptr_array_index (targets, i) : NULL;
      const char *name = disk != NULL ? vmm_disk_info_get_datastore (disk) : primary;
      g_autofree char *what = disk != NULL
                                ? g_strdup_printf ("disk %s", vmm_disk_info_get_key (disk))
                                : g_strdup ("the VM's configuration");
      VmmDatastoreInfo *ds;

      if (name == NULL)
        continue;
      ds = vmm_inventory_lookup_datastore (inventory, name);
      if (ds == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                       "datastore '%s' (target of %s) does not exist", name, what);
          return FALSE;
        }
      if (!vmm_datastore_info_get_online (ds))
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                       "datastore '%s' (target of %s) is offline", name, what);
          return FALSE;
        }
      if (host != NULL && !vmm_datastore_info_is_mounted_on (ds, host))
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                       "datastore '%s' (target of %s) is not reachable from host '%s': "
                       "move the storage too (name a datastore '%s' reaches)",
                       name, what, host, host);
          return FALSE;
        }
      if (disk != NULL && vmm_migration_context_disk_moves (context, vmm_disk_info_get_key (disk)))
        {
          guint64 sum = GPOINTER_TO_SIZE (g_hash_table_lookup (needed, name));

          sum += vmm_disk_info_get_capacity (disk);
          g_hash_table_insert (needed, (gpointer) name, GSIZE_TO_POINTER (sum));
          if (sum > vmm_datastore_info_get_free (ds))
            {
              g_set_error (error, VMM_ERROR, VMM_ERROR_INSUFFICIENT_CAPACITY,
                           "datastore '%s' has %" G_GUINT64_FORMAT " MiB free; the disks moving "
                           "there need %" G_GUINT64_FORMAT " MiB",
                           name, vmm_datastore_info_get_free (ds) >> 20, sum >> 20);
              return FALSE;
            }
        }
    }
  return TRUE;
}

gboolean
vmm_check_destination_host (VmmMigrationContext *context, VmmHostInfo *host, GError **error)
{
  VmmVmInfo *vm = vmm_migration_context_get_vm (context);
  VmmRelocateSpec *spec = vmm_migration_context_get_spec (context);
  const char *name = vmm_host_info_get_name (host);
  const char *reason = host_state_reason (vmm_host_info_get_state (host));
  gboolean running = vmm_vm_info_get_power_state (vm) == VMM_POWER_STATE_RUNNING;
  const char *pool = vmm_relocate_spec_get_resource_pool (spec);

  if (reason != NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE, "host '%s' %s", name, reason);
      return FALSE;
    }
  if (pool != NULL && vmm_host_info_get_pools (host) != NULL && !vmm_host_info_has_pool (host, pool))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                   "resource pool '%s' is not available on host '%s'", pool, name);
      return FALSE;
    }
  if (g_strcmp0 (name, vmm_migration_context_get_source_host (context)) != 0)
    {
      if (running)
        {
          guint64 total = vmm_host_info_get_memory_mib (host);
          guint64 used = vmm_host_info_get_memory_used_mib (host);
          guint64 free_mib = total > used ? total - used : 0;
          double vcpu_limit = vmm_host_info_get_vcpus (host) * vmm_host_info_get_cpu_overcommit (host);
          g_autoptr (GString) missing = g_string_new (NULL);
          const char *const *features = vmm_vm_info_get_cpu_features (vm);

          if (free_mib < vmm_vm_info_get_memory_mib (vm))
            {
              g_set_error (error, VMM_ERROR, VMM_ERROR_INSUFFICIENT_CAPACITY,
                           "host '%s' has %" G_GUINT64_FORMAT " MiB of memory free; the VM needs "
                           "%" G_GUINT64_FORMAT " MiB",
                           name, free_mib, vmm_vm_info_get_memory_mib (vm));
              return FALSE;
            }
          if (vmm_host_info_get_vcpus (host) > 0 &&
              vmm_host_info_get_vcpus_used (host) + vmm_vm_info_get_vcpus (vm) > vcpu_limit)
            {
              g_set_error (error, VMM_ERROR, VMM_ERROR_INSUFFICIENT_CAPACITY,
                           "host '%s' has %u of %.0f vCPUs in use (overcommit %.1f); the VM needs %u",
                           name, vmm_host_info_get_vcpus_used (host), vcpu_limit,
                           vmm_host_info_get_cpu_overcommit (host), vmm_vm_info_get_vcpus (vm));
              return FALSE;
            }
          for (guint i = 0; features != NULL && features[i] != NULL; i++)
            if (!vmm_host_info_has_cpu_feature (host, features[i]))
              g_string_append_printf (missing, "%s%s", missing->len > 0 ? ", " : "", features[i]);
          if (missing->len > 0)
            {
              g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                           "host '%s' lacks CPU features the running guest uses "
                           "(missing features: %s)",
                           name, missing->str);
              return FALSE;
            }
        }
      {
        GPtrArray *devices = vmm_vm_info_get_devices (vm);

        for (guint i = 0; i < devices->len; i++)
          {
            VmmDeviceInfo *dev = g_ptr_array_index (devices, i);
            const char *net;

            if (vmm_device_info_get_kind (dev) != VMM_DEVICE_KIND_NIC ||
                vmm_device_info_get_network (dev) == NULL)
              continue;
            net = vmm_relocate_spec_map_network (spec, vmm_device_info_get_network (dev));
            if (!vmm_host_info_has_network (host, net))
              {
                g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                             "network '%s' of %s does not exist on host '%s' "
                             "(map it to one that does with a network change)",
                             net, vmm_device_info_get_key (dev), name);
                return FALSE;
              }
          }
      }
    }
  return vmm_check_target_storage (context, name, error);
}

static gboolean
invoke_prechecks (VmmMigrationContext *context, GError **error)
{
  VmmVmInfo *vm = vmm_migration_context_get_vm (context);
  VmmInventory *inventory = vmm_migration_context_get_inventory (context);
  VmmRelocateSpec *spec = vmm_migration_context_get_spec (context);
  const char *host = vmm_relocate_spec_get_host (spec);
  const char *datastore = vmm_relocate_spec_get_datastore (spec);
  GPtrArray *disks = vmm_relocate_spec_get_disks (spec);
  VmmPowerState power = vmm_vm_info_get_power_state (vm);
  g_autoptr (GHashTable) map = vmm_relocate_spec_get_network_map (spec) != NULL
                                 ? g_hash_table_ref (vmm_relocate_spec_get_network_map (spec))
                                 : NULL;

  if (vmm_vm_info_get_migrating (vm))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY, "VM '%s' is already migrating",
                   vmm_vm_info_get_name (vm));
      return FALSE;
    }
  if (host != NULL && vmm_inventory_lookup_host (inventory, host) == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "host: no host named '%s'", host);
      return FALSE;
    }
  if (datastore != NULL && vmm_inventory_lookup_datastore (inventory, datastore) == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "datastore: no datastore named '%s'",
                   datastore);
      return FALSE;
    }
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
          g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                       "disks[%u].key: VM '%s' has no disk '%s' (its disks: %s)", i,
                       vmm_vm_info_get_name (vm), vmm_disk_locator_get_key (loc),
                       keys->len > 0 ? keys->str : "none");
          return FALSE;
        }
      if (vmm_inventory_lookup_datastore (inventory, vmm_disk_locator_get_datastore (loc)) == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                       "disks[%u].datastore: no datastore named '%s'", i,
                       vmm_disk_locator_get_datastore (loc));
          return FALSE;
        }
    }
  if (map != NULL)
    {
      g_auto (GStrv) networks = vmm_inventory_get_networks (inventory);
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, map);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (!g_strv_contains ((const char *const *) networks, value))
          {
            g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                         "networks.%s: no host has a network named '%s'", (char *) key,
                         (char *) value);
            return FALSE;
          }
    }
  switch (vmm_relocate_spec_get_migration_type (spec))
    {
    case VMM_MIGRATION_PREFERENCE_HOT:
      if (power != VMM_POWER_STATE_RUNNING)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                       "migration-type: a hot move needs a running VM; '%s' is not running",
                       vmm_vm_info_get_name (vm));
          return FALSE;
        }
      break;
    case VMM_MIGRATION_PREFERENCE_COLD:
      if (power == VMM_POWER_STATE_RUNNING)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                       "migration-type: a cold move needs a powered-off VM; '%s' is running "
                       "(power it off first, or let the engine move it hot)",
                       vmm_vm_info_get_name (vm));
          return FALSE;
        }
      break;
    case VMM_MIGRATION_PREFERENCE_AUTO:
    default:
      break;
    }
  if (power == VMM_POWER_STATE_SUSPENDED)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                   "VM '%s' is suspended: resume or power it off before moving it",
                   vmm_vm_info_get_name (vm));
      return FALSE;
    }
  return TRUE;
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
  VmmHostInfo *host;

  if (name == NULL)
    name = vmm_migration_context_get_source_host (context);
  host = vmm_inventory_lookup_host (inventory, name);
  if (host == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "no host named '%s'", name);
      return FALSE;
    }
  return vmm_check_destination_host (context, host, error);
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
  return vmm_engine_action_new ("InvokePrechecks", VMM_ACTION_PERFORMER_ENGINE, invoke_prechecks);
}

VmmAction *
vmm_action_check_permission_new (void)
{
  return vmm_engine_action_new ("CheckPermission", VMM_ACTION_PERFORMER_ENGINE, check_permission);
}

VmmAction *
vmm_action_check_compatibility_new (void)
{
  return vmm_engine_action_new ("CheckCompatibility", VMM_ACTION_PERFORMER_ENGINE,
                                check_compatibility);
}

VmmAction *
vmm_action_invoke_callbacks_new (void)
{
  return vmm_engine_action_new ("InvokeCallbacks", VMM_ACTION_PERFORMER_CALLER, invoke_callbacks);
}
