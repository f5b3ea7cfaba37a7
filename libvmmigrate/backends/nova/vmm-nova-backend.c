/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-nova-backend.h"

#include <string.h>

/* Nova performs a whole move in one API call: a live migration
 * (os-migrateLive) runs in InitiateSource, a cold one (migrate) in
 * UnregisterSourceVm and its confirmResize in RegisterDestinationVm; the other
 * steps are done by the platform. Every move is followed to its end through
 * the migration record and the server record, and verified from Nova. */

#define V_SERVERS "2.47"        /* flavor embedded in the server */
#define V_SERVICES "2.53"       /* services and hypervisors by UUID */
#define V_AGGREGATES "2.41"     /* aggregates with UUIDs */
#define V_MIGRATIONS "2.59"     /* os-migrations with UUIDs, newest first */
#define V_LIVE "2.30"           /* block_migration auto, target checked by the scheduler */
#define V_COLD_HOST "2.56"      /* cold migration to a named host */
#define V_ABORT "2.24"          /* abort of a running live migration */
#define V_ABORT_QUEUED "2.65"   /* ... and of a queued or preparing one */
#define V_FORCE "2.22"          /* force-complete */
#define V_ACTIONS "2.51"        /* instance action events for everyone */
#define V_ACTION_DETAILS "2.84" /* ... with the error's details */

#define SETTLE_US (20 * G_USEC_PER_SEC)
#define POWER_US (300 * G_USEC_PER_SEC)
#define FIND_MIGRATION_US (60 * G_USEC_PER_SEC)
#define MAX_POLL_FAILURES 5

struct _VmmNovaBackend
{
  VmmBackend parent_instance;

  VmmNovaClient *client;
  gboolean platform_placement;
  guint poll_ms;
  GHashTable *servers; /* vm name -> VmmNovaServer */
};

/* Not final: a GIOExtensionPoint holds one extension per GType, so each
 * further URI scheme gets a trivial subtype (below). */
G_DEFINE_TYPE (VmmNovaBackend, vmm_nova_backend, VMM_TYPE_BACKEND)

static GType
scheme_subtype (const char *name)
{
  return g_type_register_static_simple (VMM_TYPE_NOVA_BACKEND, name, sizeof (VmmNovaBackendClass),
                                        NULL, sizeof (VmmNovaBackend), NULL, 0);
}

void
vmm_nova_backend_register (void)
{
  g_io_extension_point_implement (VMM_BACKEND_EXTENSION_POINT_NAME, VMM_TYPE_NOVA_BACKEND, "nova",
                                  0);
  g_io_extension_point_implement (VMM_BACKEND_EXTENSION_POINT_NAME,
                                  scheme_subtype ("VmmNovaHttpBackend"), "nova+http", 0);
  g_io_extension_point_implement (VMM_BACKEND_EXTENSION_POINT_NAME,
                                  scheme_subtype ("VmmNovaHttpsBackend"), "nova+https", 0);
}

void
vmm_nova_server_free (VmmNovaServer *server)
{
  if (server == NULL)
    return;
  g_free (server->id);
  g_free (server->name);
  g_free (server->host);
  g_free (server->hypervisor_hostname);
  g_free (server->instance_name);
  g_free (server->status);
  g_free (server->task_state);
  g_free (server->zone);
  g_free (server->flavor);
  g_free (server);
}

static VmmNovaServer *
server_from_json (JsonObject *obj)
{
  VmmNovaServer *s = g_new0 (VmmNovaServer, 1);

  s->id = g_strdup (vmm_nova_json_string (obj, "id"));
  s->name = g_strdup (vmm_nova_json_string (obj, "name"));
  s->host = g_strdup (vmm_nova_json_string (obj, "OS-EXT-SRV-ATTR:host"));
  s->hypervisor_hostname
      = g_strdup (vmm_nova_json_string (obj, "OS-EXT-SRV-ATTR:hypervisor_hostname"));
  s->instance_name = g_strdup (vmm_nova_json_string (obj, "OS-EXT-SRV-ATTR:instance_name"));
  s->status = g_strdup (vmm_nova_json_string (obj, "status"));
  s->task_state = g_strdup (vmm_nova_json_string (obj, "OS-EXT-STS:task_state"));
  s->zone = g_strdup (vmm_nova_json_string (obj, "OS-EXT-AZ:availability_zone"));
  s->power_state = (int)vmm_nova_json_int (obj, "OS-EXT-STS:power_state", 0);
  s->flavor
      = g_strdup (vmm_nova_json_string (vmm_nova_json_object (obj, "flavor"), "original_name"));
  return s;
}

static VmmNovaServer *
server_copy (const VmmNovaServer *s)
{
  VmmNovaServer *c = g_new0 (VmmNovaServer, 1);

  c->id = g_strdup (s->id);
  c->name = g_strdup (s->name);
  c->host = g_strdup (s->host);
  c->hypervisor_hostname = g_strdup (s->hypervisor_hostname);
  c->instance_name = g_strdup (s->instance_name);
  c->status = g_strdup (s->status);
  c->task_state = g_strdup (s->task_state);
  c->zone = g_strdup (s->zone);
  c->power_state = s->power_state;
  c->flavor = g_strdup (s->flavor);
  return c;
}

static char *
server_where (const VmmNovaServer *s)
{
  return g_strdup_printf ("Nova shows server '%s' (%s) on host '%s' (hypervisor %s, instance %s), "
                          "status %s, task state %s",
                          s->name, s->id, s->host != NULL ? s->host : "none",
                          s->hypervisor_hostname != NULL ? s->hypervisor_hostname : "none",
                          s->instance_name != NULL ? s->instance_name : "unknown",
                          s->status != NULL ? s->status : "unknown",
                          s->task_state != NULL ? s->task_state : "none");
}

static void
vmm_nova_backend_finalize (GObject *object)
{
  VmmNovaBackend *self = VMM_NOVA_BACKEND (object);

  g_clear_object (&self->client);
  g_hash_table_unref (self->servers);
  G_OBJECT_CLASS (vmm_nova_backend_parent_class)->finalize (object);
}

VmmNovaClient *
vmm_nova_backend_get_client (VmmNovaBackend *self)
{
  return self->client;
}

VmmNovaServer *
vmm_nova_backend_lookup_server (VmmNovaBackend *self, const char *vm_name)
{
  VmmNovaServer *s = g_hash_table_lookup (self->servers, vm_name);

  return s != NULL ? server_copy (s) : NULL;
}

/* --- open --- */

static gboolean
vmm_nova_backend_open (VmmBackend *backend, GUri *uri, GCancellable *cancellable, GError **error)
{
  VmmNovaBackend *self = VMM_NOVA_BACKEND (backend);
  const char *scheme = g_uri_get_scheme (uri);
  const char *query = g_uri_get_query (uri);
  g_autoptr (VmmNovaConfig) config = NULL;

  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                           "nova: credentials never go in the URI: use clouds.yaml or OS_* "
                           "variables");
      return FALSE;
    }
  if (g_strcmp0 (scheme, "nova") == 0)
    {
      const char *cloud = g_uri_get_host (uri);

      config = vmm_nova_config_new_from_clouds_yaml (cloud, error);
    }
  else
    {
      g_autofree char *auth_url
          = g_uri_join (G_URI_FLAGS_ENCODED, scheme + strlen ("nova+"), NULL, g_uri_get_host (uri),
                        g_uri_get_port (uri), g_uri_get_path (uri), NULL, NULL);

      config = vmm_nova_config_new_from_environment (auth_url, error);
    }
  if (config == NULL || !vmm_nova_config_apply_query (config, query, error))
    return FALSE;
  if (query != NULL)
    {
      g_autoptr (GHashTable) params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
      const char *placement = params != NULL ? g_hash_table_lookup (params, "placement") : NULL;
      const char *poll = params != NULL ? g_hash_table_lookup (params, "poll-ms") : NULL;

      if (placement != NULL && g_strcmp0 (placement, "platform") != 0
          && g_strcmp0 (placement, "engine") != 0)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                       "nova: URI query: placement must be 'engine' or 'platform', not '%s'",
                       placement);
          return FALSE;
        }
      self->platform_placement = g_strcmp0 (placement, "platform") == 0;
      if (poll != NULL)
        {
          guint64 ms = 0;

          if (!g_ascii_string_to_unsigned (poll, 10, 10, 60000, &ms, NULL))
            {
              g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                           "nova: URI query: poll-ms must be 10..60000, not '%s'", poll);
              return FALSE;
            }
          self->poll_ms = (guint)ms;
        }
    }
  self->client = vmm_nova_client_new (g_steal_pointer (&config));
  return vmm_nova_client_connect_sync (self->client, cancellable, error);
}

static VmmBackendCapabilities
nova_get_capabilities (VmmBackend *backend)
{
  return VMM_BACKEND_CAPABILITY_HOT_HOST | VMM_BACKEND_CAPABILITY_COLD
         | VMM_BACKEND_CAPABILITY_ABORT | VMM_BACKEND_CAPABILITY_FORCE_COMPLETE
         | VMM_BACKEND_CAPABILITY_DISABLE_HOST;
}

static VmmStepMode
nova_get_step_mode (VmmBackend *backend, VmmStep step)
{
  switch (step)
    {
    case VMM_STEP_PREPARE_SOURCE:
    case VMM_STEP_INITIATE_SOURCE:
    case VMM_STEP_COMPLETE_DESTINATION:
    case VMM_STEP_UNREGISTER_SOURCE_VM:
    case VMM_STEP_REGISTER_DESTINATION_VM:
    case VMM_STEP_POWER_OFF:
    case VMM_STEP_POWER_ON:
      return VMM_STEP_MODE_BACKEND;
    case VMM_STEP_PREPARE_DESTINATION:
    case VMM_STEP_INITIATE_DESTINATION:
    case VMM_STEP_SWITCH_HOST_AND_POOL:
    case VMM_STEP_COMPLETE_SOURCE:
    case VMM_STEP_RECONFIGURE_VM:
      return VMM_STEP_MODE_PLATFORM;
    case VMM_STEP_RELAYOUT_SNAPSHOTS:
      return VMM_STEP_MODE_NOT_NEEDED;
    case VMM_STEP_RESERVE_DIRECTORY:
    case VMM_STEP_CREATE_INVENTORY_VM:
    case VMM_STEP_CREATE_DUMMY_DISKS:
    case VMM_STEP_CREATE_DESTINATION_VM:
    case VMM_STEP_LAST:
    default:
      return VMM_STEP_MODE_UNSUPPORTED;
    }
}

/* --- inventory --- */

enum
{
  INV_SERVICES,
  INV_HYPERVISORS,
  INV_AGGREGATES,
  INV_SERVERS,
  INV_N
};

typedef struct
{
  JsonNode *answers[INV_N];
  guint pending;
  GError *error;
} InventoryData;

static void
inventory_data_free (InventoryData *data)
{
  for (guint i = 0; i < INV_N; i++)
    g_clear_pointer (&data->answers[i], json_node_unref);
  g_clear_error (&data->error);
  g_free (data);
}

typedef struct
{
  GTask *task;
  guint slot;
} InventoryCall;

static JsonArray *
answer_array (InventoryData *data, guint slot, const char *member)
{
  JsonNode *node = data->answers[slot];

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return vmm_nova_json_array (vmm_nova_json_root_object (node), member);
}

static VmmPowerState
power_state_of (const VmmNovaServer *s)
{
  if (g_strcmp0 (s->status, "SHUTOFF") == 0)
    return VMM_POWER_STATE_OFF;
  switch (s->power_state)
    {
    case 1: /* running */
      return VMM_POWER_STATE_RUNNING;
    case 3: /* paused */
    case 7: /* suspended */
      return VMM_POWER_STATE_SUSPENDED;
    case 4: /* shutdown */
    case 6: /* crashed */
      return VMM_POWER_STATE_OFF;
    default:
      return VMM_POWER_STATE_UNKNOWN;
    }
}

static gboolean
server_busy (const VmmNovaServer *s)
{
  return s->task_state != NULL || g_strcmp0 (s->status, "MIGRATING") == 0
         || g_strcmp0 (s->status, "RESIZE") == 0 || g_strcmp0 (s->status, "VERIFY_RESIZE") == 0
         || g_strcmp0 (s->status, "REBUILD") == 0;
}

static gboolean
json_array_has_string (JsonArray *array, const char *value)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
          && g_strcmp0 (json_node_get_string (node), value) == 0)
        return TRUE;
    }
  return FALSE;
}

/* HOST's aggregates: the first names its cluster, their metadata become the
 * host's metadata ("key=value", one per value of a comma-separated list, as
 * Nova's AggregateInstanceExtraSpecsFilter reads them), and an aggregate's
 * availability zone is the host's zone when its service names none. */
static void
host_aggregates (VmmHostInfo *host, JsonArray *aggregates)
{
  const char *name = vmm_host_info_get_name (host);
  g_autoptr (GPtrArray) metadata = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; aggregates != NULL && i < json_array_get_length (aggregates); i++)
    {
      JsonNode *node = json_array_get_element (aggregates, i);
      JsonObject *agg = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *meta = vmm_nova_json_object (agg, "metadata");
      g_autoptr (GList) keys = meta != NULL ? json_object_get_members (meta) : NULL;

      if (agg == NULL || !json_array_has_string (vmm_nova_json_array (agg, "hosts"), name))
        continue;
      if (vmm_host_info_get_cluster (host) == NULL)
        vmm_host_info_set_cluster (host, vmm_nova_json_string (agg, "name"));
      if (vmm_host_info_get_zone (host) == NULL)
        vmm_host_info_set_zone (host, vmm_nova_json_string (agg, "availability_zone"));
      for (GList *k = keys; k != NULL; k = k->next)
        {
          const char *value = vmm_nova_json_string (meta, k->data);
          g_auto (GStrv) values = value != NULL ? g_strsplit (value, ",", -1) : NULL;

          for (guint v = 0; values != NULL && values[v] != NULL; v++)
            {
              char *entry
                  = g_strdup_printf ("%s=%s", (const char *)k->data, g_strstrip (values[v]));

              if (g_ptr_array_find_with_equal_func (metadata, entry, g_str_equal, NULL))
                g_free (entry);
              else
                g_ptr_array_add (metadata, entry);
            }
        }
    }
  g_ptr_array_add (metadata, NULL);
  vmm_host_info_set_metadata (host, (const char *const *)metadata->pdata);
}

/* The aggregate metadata a flavor requires: its extra specs scoped
 * "aggregate_instance_extra_specs:KEY" = VALUE, for Nova's
 * AggregateInstanceExtraSpecsFilter. Values that start with one of the
 * filter's operators ("<in> a", ">= 4", "s== x", ...) are left to Nova's
 * scheduler. */
static void
vm_required_metadata (VmmVmInfo *vm, JsonObject *flavor)
{
  static const char scope[] = "aggregate_instance_extra_specs:";
  static const char *const operators[]
      = { "=",   "<in>", "<all-in>", "<or>", "==", "!=",  ">=", "<=",
          "s==", "s!=",  "s<",       "s<=",  "s>", "s>=", NULL };
  JsonObject *specs = vmm_nova_json_object (flavor, "extra_specs");
  g_autoptr (GList) keys = specs != NULL ? json_object_get_members (specs) : NULL;
  g_autoptr (GStrvBuilder) required = g_strv_builder_new ();
  g_auto (GStrv) list = NULL;

  for (GList *k = keys; k != NULL; k = k->next)
    {
      const char *key = k->data;
      const char *value = vmm_nova_json_string (specs, key);
      g_auto (GStrv) words = NULL;
      g_autofree char *entry = NULL;

      if (!g_str_has_prefix (key, scope) || key[sizeof scope - 1] == '\0' || value == NULL)
        continue;
      words = g_strsplit_set (value, " \t", 2);
      if (words[0] != NULL && g_strv_contains (operators, words[0]))
        continue;
      entry = g_strdup_printf ("%s=%s", key + sizeof scope - 1, value);
      g_strv_builder_add (required, entry);
    }
  list = g_strv_builder_end (required);
  vmm_vm_info_set_required_metadata (vm, (const char *const *)list);
}

static VmmInventory *
inventory_build (VmmNovaBackend *self, InventoryData *data)
{
  g_autoptr (VmmInventory) inv = vmm_inventory_new ();
  JsonArray *services = answer_array (data, INV_SERVICES, "services");
  JsonArray *hypervisors = answer_array (data, INV_HYPERVISORS, "hypervisors");
  JsonArray *aggregates = answer_array (data, INV_AGGREGATES, "aggregates");
  JsonArray *servers = answer_array (data, INV_SERVERS, "servers");
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GStrvBuilder) all_hosts = g_strv_builder_new ();
  g_auto (GStrv) host_list = NULL;
  g_autoptr (VmmDatastoreInfo) cinder = vmm_datastore_info_new ("cinder");
  const char *manager = vmm_nova_client_get_compute_url (self->client);

  for (guint i = 0; services != NULL && i < json_array_get_length (services); i++)
    {
      JsonObject *svc = vmm_nova_json_element_object (services, i);
      const char *name = vmm_nova_json_string (svc, "host");
      g_autoptr (VmmHostInfo) host = NULL;
      VmmHostState state = VMM_HOST_STATE_CONNECTED;

      if (name == NULL || g_strcmp0 (vmm_nova_json_string (svc, "binary"), "nova-compute") != 0)
        continue;
      host = vmm_host_info_new (name);
      g_strv_builder_add (all_hosts, name);
      vmm_host_info_set_manager (host, manager);
      vmm_host_info_set_datacenter (host, vmm_nova_client_get_cloud (self->client));
      vmm_host_info_set_zone (host, vmm_nova_json_string (svc, "zone"));
      if (vmm_nova_json_bool (svc, "forced_down", FALSE)
          || g_strcmp0 (vmm_nova_json_string (svc, "state"), "up") != 0)
        state = VMM_HOST_STATE_DOWN;
      else if (g_strcmp0 (vmm_nova_json_string (svc, "status"), "enabled") != 0)
        state = VMM_HOST_STATE_DISABLED;
      vmm_host_info_set_state (host, state);
      /* Nova's default cpu_allocation_ratio */
      vmm_host_info_set_cpu_overcommit (host, 16.0);
      for (guint j = 0; hypervisors != NULL && j < json_array_get_length (hypervisors); j++)
        {
          JsonObject *hv = vmm_nova_json_element_object (hypervisors, j);
          JsonObject *hv_svc = vmm_nova_json_object (hv, "service");
          JsonObject *cpu = vmm_nova_json_object (hv, "cpu_info");
          JsonArray *features = vmm_nova_json_array (cpu, "features");

          if (g_strcmp0 (vmm_nova_json_string (hv_svc, "host"), name) != 0)
            continue;
          vmm_host_info_set_memory_mib (host, (guint64)vmm_nova_json_int (hv, "memory_mb", 0));
          vmm_host_info_set_memory_used_mib (host,
                                             (guint64)vmm_nova_json_int (hv, "memory_mb_used", 0));
          vmm_host_info_set_vcpus (host, (guint)vmm_nova_json_int (hv, "vcpus", 0));
          vmm_host_info_set_vcpus_used (host, (guint)vmm_nova_json_int (hv, "vcpus_used", 0));
          if (vmm_nova_json_string (cpu, "model") != NULL)
            vmm_host_info_set_cpu_model (host, vmm_nova_json_string (cpu, "model"));
          if (features != NULL)
            {
              g_autoptr (GStrvBuilder) fb = g_strv_builder_new ();
              g_auto (GStrv) fv = NULL;

              /* a CPU feature is a string: anything else is no feature */
              for (guint k = 0; k < json_array_get_length (features); k++)
                if (vmm_nova_json_element_string (features, k) != NULL)
                  g_strv_builder_add (fb, vmm_nova_json_element_string (features, k));
              fv = g_strv_builder_end (fb);
              vmm_host_info_set_cpu_features (host, (const char *const *)fv);
            }
          if (g_strcmp0 (vmm_nova_json_string (hv, "state"), "down") == 0)
            vmm_host_info_set_state (host, VMM_HOST_STATE_DOWN);
        }
      host_aggregates (host, aggregates);
      vmm_inventory_add_host (inv, host);
    }
  host_list = g_strv_builder_end (all_hosts);
  vmm_datastore_info_set_shared (cinder, TRUE);
  vmm_datastore_info_set_online (cinder, TRUE);
  vmm_datastore_info_set_hosts (cinder, (const char *const *)host_list);
  vmm_inventory_add_datastore (inv, cinder);

  /* A server's name is its VM name unless another server has the same one;
   * then its UUID is. */
  for (guint i = 0; servers != NULL && i < json_array_get_length (servers); i++)
    {
      const char *name = vmm_nova_json_string (vmm_nova_json_element_object (servers, i), "name");

      if (name != NULL)
        g_hash_table_insert (
            names, (gpointer)name,
            GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (names, name)) + 1));
    }
  g_hash_table_remove_all (self->servers);
  for (guint i = 0; servers != NULL && i < json_array_get_length (servers); i++)
    {
      JsonObject *obj = vmm_nova_json_element_object (servers, i);
      VmmNovaServer *s = server_from_json (obj);
      JsonObject *flavor = vmm_nova_json_object (obj, "flavor");
      JsonArray *volumes = vmm_nova_json_array (obj, "os-extended-volumes:volumes_attached");
      const char *vm_name
          = s->name != NULL && GPOINTER_TO_UINT (g_hash_table_lookup (names, s->name)) == 1
                ? s->name
                : s->id;
      g_autoptr (VmmVmInfo) vm = NULL;

      if (vm_name == NULL)
        {
          vmm_nova_server_free (s);
          continue;
        }
      vm = vmm_vm_info_new (vm_name);
      vmm_vm_info_set_id (vm, s->id);
      vmm_vm_info_set_host (vm, s->host);
      vmm_vm_info_set_power_state (vm, power_state_of (s));
      vmm_vm_info_set_memory_mib (vm, (guint64)vmm_nova_json_int (flavor, "ram", 0));
      vmm_vm_info_set_vcpus (vm, (guint)vmm_nova_json_int (flavor, "vcpus", 0));
      vm_required_metadata (vm, flavor);
      vmm_vm_info_set_migrating (vm, server_busy (s));
      for (guint j = 0; volumes != NULL && j < json_array_get_length (volumes); j++)
        {
          const char *vol = vmm_nova_json_string (vmm_nova_json_element_object (volumes, j), "id");
          g_autofree char *path = g_strdup_printf ("volumes/%s", vol);
          g_autoptr (VmmDiskInfo) disk = NULL;

          if (vol == NULL)
            continue;
          disk = vmm_disk_info_new (vol, "cinder", path);
          vmm_vm_info_add_disk (vm, disk);
        }
      vmm_inventory_add_vm (inv, vm);
      g_hash_table_insert (self->servers, g_strdup (vm_name), s);
    }
  return g_steal_pointer (&inv);
}

static void
inventory_call_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  InventoryCall *call = user_data;
  g_autoptr (GTask) task = call->task;
  VmmNovaBackend *self = g_task_get_source_object (task);
  InventoryData *data = g_task_get_task_data (task);
  GError *error = NULL;
  JsonNode *node = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);

  if (node == NULL && error == NULL)
    node = json_node_init_object (json_node_alloc (), json_object_new ());
  if (error != NULL && data->error == NULL)
    data->error = error;
  else
    g_clear_error (&error);
  data->answers[call->slot] = node;
  g_free (call);
  if (--data->pending > 0)
    return;
  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_pointer (task, inventory_build (self, data), g_object_unref);
}

static void
nova_query_inventory_async (VmmBackend *backend, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  VmmNovaBackend *self = VMM_NOVA_BACKEND (backend);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  InventoryData *data = g_new0 (InventoryData, 1);
  const struct
  {
    const char *path;
    const char *version;
  } calls[INV_N] = {
    [INV_SERVICES] = { "/os-services?binary=nova-compute", V_SERVICES },
    [INV_HYPERVISORS] = { "/os-hypervisors/detail", V_SERVICES },
    [INV_AGGREGATES] = { "/os-aggregates", V_AGGREGATES },
    [INV_SERVERS] = { "/servers/detail?all_tenants=1", V_SERVERS },
  };
  GError *error = NULL;

  g_task_set_source_tag (task, nova_query_inventory_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify)inventory_data_free);
  if (!vmm_nova_client_require_version (self->client, V_SERVICES,
                                        "reading hypervisors and compute services by UUID", &error))
    {
      g_task_return_error (task, error);
      return;
    }
  data->pending = INV_N;
  for (guint i = 0; i < INV_N; i++)
    {
      InventoryCall *call = g_new0 (InventoryCall, 1);

      call->task = g_object_ref (task);
      call->slot = i;
      vmm_nova_client_call_async (self->client, "GET", calls[i].path, NULL, calls[i].version,
                                  VMM_NOVA_CALL_IDEMPOTENT, cancellable, inventory_call_cb, call);
    }
}

static VmmInventory *
nova_query_inventory_finish (VmmBackend *backend, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- one move --- */

typedef enum
{
  OP_NONE,
  OP_LIVE,
  OP_COLD,
  OP_CONFIRM,
  OP_REVERT,
  OP_STOP,  /* os-stop, until SHUTOFF */
  OP_START, /* os-start, until ACTIVE */
} MoveOp;

typedef struct
{
  VmmNovaBackend *self;
  VmmMigrationContext *ctx;
  char *server_id;
  char *vm_name;
  char *source_host;
  char *wanted_host; /* the host Nova is asked for; NULL: its scheduler chooses */
  char *final_host;
  char *server_zone;
  GHashTable *known; /* migration ids that existed before this move */

  MoveOp op;
  GTask *task; /* the step in flight */
  GSource *timer;
  gint64 op_started;
  gint64 settle_deadline;
  guint failures;
  char *request_id; /* of the call that started the move */
  gint64 migration_id;
  char *migration_status;
  char *migration_dest;
  VmmNovaServer *server; /* last seen */
  gboolean abort_requested, abort_sent;
  gboolean force_requested, force_sent;
  gboolean revert_after_cancel;
  gboolean confirmed;
  /* the cold restart (PowerOffVm, PowerOnVm) */
  const char *power_host; /* where the server must be: source_host or final_host */
  gboolean power_sent;
  gboolean power_undo; /* the stop or start undoes PowerOnVm or PowerOffVm */
  gboolean stopped;    /* PowerOffVm stopped the server (its undo starts it) */
  gboolean started;    /* PowerOnVm started it (its undo stops it) */
} NovaMove;

static void
nova_move_free (NovaMove *mv)
{
  if (mv->timer != NULL)
    {
      g_source_destroy (mv->timer);
      g_source_unref (mv->timer);
    }
  g_free (mv->server_id);
  g_free (mv->vm_name);
  g_free (mv->source_host);
  g_free (mv->wanted_host);
  g_free (mv->final_host);
  g_free (mv->server_zone);
  g_clear_pointer (&mv->known, g_hash_table_unref);
  g_clear_object (&mv->task);
  g_free (mv->request_id);
  g_free (mv->migration_status);
  g_free (mv->migration_dest);
  g_clear_pointer (&mv->server, vmm_nova_server_free);
  g_free (mv);
}

static NovaMove *
move_get (VmmNovaBackend *self, VmmMigrationContext *ctx)
{
  NovaMove *mv = vmm_migration_context_get_backend_data (ctx);
  VmmVmInfo *vm;

  if (mv != NULL)
    return mv;
  vm = vmm_migration_context_get_vm (ctx);
  mv = g_new0 (NovaMove, 1);
  mv->self = self;
  mv->ctx = ctx;
  mv->server_id = g_strdup (vmm_vm_info_get_id (vm));
  mv->vm_name = g_strdup (vmm_vm_info_get_name (vm));
  mv->source_host = g_strdup (vmm_migration_context_get_source_host (ctx));
  mv->known = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  vmm_migration_context_set_backend_data (ctx, mv, (GDestroyNotify)nova_move_free);
  return mv;
}

static char *
server_path (NovaMove *mv, const char *suffix)
{
  g_autofree char *id = g_uri_escape_string (mv->server_id, NULL, FALSE);

  return g_strdup_printf ("/servers/%s%s", id, suffix != NULL ? suffix : "");
}

static JsonNode *
action_body (const char *action, JsonNode *value)
{
  JsonObject *obj = json_object_new ();
  JsonNode *root = json_node_init_object (json_node_alloc (), obj);

  json_object_set_member (obj, action, value != NULL ? value : json_node_new (JSON_NODE_NULL));
  json_object_unref (obj);
  return root;
}

/* Ends the step in flight. */
static void
op_finish (NovaMove *mv, GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&mv->task);

  if (mv->timer != NULL)
    {
      g_source_destroy (mv->timer);
      g_clear_pointer (&mv->timer, g_source_unref);
    }
  mv->op = OP_NONE;
  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* A failure, followed by a fresh look at where the server is. */
typedef struct
{
  NovaMove *mv;
  GError *error;
} LocateData;

static void
locate_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LocateData *data = user_data;
  NovaMove *mv = data->mv;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &local_error);
  JsonObject *obj = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                        ? vmm_nova_json_object (vmm_nova_json_root_object (node), "server")
                        : NULL;
  GError *error;

  if (obj != NULL)
    {
      g_autoptr (VmmNovaServer) s = server_from_json (obj);
      g_autofree char *where = server_where (s);

      error = g_error_new (data->error->domain, data->error->code, "%s; %s", data->error->message,
                           where);
    }
  else
    error = g_error_new (data->error->domain, data->error->code,
                         "%s; where the server is could not be read (%s); last seen on host '%s'",
                         data->error->message, local_error->message,
                         mv->server != NULL && mv->server->host != NULL ? mv->server->host
                                                                        : mv->source_host);
  g_error_free (data->error);
  g_free (data);
  op_finish (mv, error);
}

static void
op_fail (NovaMove *mv, GError *error)
{
  LocateData *data = g_new0 (LocateData, 1);
  g_autofree char *path = server_path (mv, NULL);

  data->mv = mv;
  data->error = error;
  vmm_nova_client_call_async (mv->self->client, "GET", path, NULL, V_SERVERS,
                              VMM_NOVA_CALL_IDEMPOTENT, NULL, locate_cb, data);
}

/* --- recovery data ---
 * Before a step changes anything in Nova, what recovery needs after a crash
 * goes to the engine's journal: the server, where it is and in which state,
 * its flavor, the step, the migration once known. A step whose record cannot
 * be made durable fails without touching Nova. */

static gboolean
record_step (NovaMove *mv, const char *step, const VmmNovaServer *s, GError **error)
{
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *data = NULL;

  if (!vmm_migration_context_wants_recovery_data (mv->ctx))
    return TRUE;
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "nova-server");
  json_builder_add_string_value (b, mv->server_id);
  json_builder_set_member_name (b, "step");
  json_builder_add_string_value (b, step);
  if (s != NULL)
    {
      json_builder_set_member_name (b, "host");
      json_builder_add_string_value (b, s->host);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, s->status);
      json_builder_set_member_name (b, "power-state");
      json_builder_add_int_value (b, s->power_state);
      json_builder_set_member_name (b, "flavor");
      json_builder_add_string_value (b, s->flavor);
    }
  if (mv->wanted_host != NULL)
    {
      json_builder_set_member_name (b, "to");
      json_builder_add_string_value (b, mv->wanted_host);
    }
  if (mv->migration_id != 0)
    {
      json_builder_set_member_name (b, "nova-migration");
      json_builder_add_int_value (b, mv->migration_id);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  data = json_to_string (root, FALSE);
  if (!vmm_migration_context_record_recovery_data (mv->ctx, data, error))
    {
      g_prefix_error (error,
                      "nova: what recovery needs before the %s of server '%s' could not "
                      "be recorded: ",
                      step, mv->vm_name);
      return FALSE;
    }
  return TRUE;
}

/* --- prechecks from Nova's own facts (PrepareSource / UnregisterSourceVm) ---
 * The engine checked its facts (host state, capacity, zone); this checks the
 * server as Nova sees it right before the move. */

static void
move_request (NovaMove *mv);

static gboolean
check_server (NovaMove *mv, VmmNovaServer *s, gboolean cold, GError **error)
{
  g_autofree char *where = server_where (s);

  if (s->task_state != NULL || g_strcmp0 (s->status, "MIGRATING") == 0
      || g_strcmp0 (s->status, "RESIZE") == 0 || g_strcmp0 (s->status, "VERIFY_RESIZE") == 0)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY, "nova: server '%s' is busy: %s", mv->vm_name,
                   where);
      return FALSE;
    }
  if (cold ? (g_strcmp0 (s->status, "SHUTOFF") != 0 && g_strcmp0 (s->status, "ACTIVE") != 0)
           : g_strcmp0 (s->status, "ACTIVE") != 0)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                   "nova: a %s migration needs the server %s; %s", cold ? "cold" : "live",
                   cold ? "ACTIVE or SHUTOFF" : "ACTIVE", where);
      return FALSE;
    }
  if (g_strcmp0 (s->host, mv->source_host) != 0)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY,
                   "nova: server '%s' moved since the inventory was read: %s", mv->vm_name, where);
      return FALSE;
    }
  return TRUE;
}

static void
known_migrations_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NovaMove *mv = user_data;
  GError *error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);
  JsonArray *list;

  if (node == NULL)
    {
      op_fail (mv, error);
      return;
    }
  list = vmm_nova_json_array (vmm_nova_json_root_object (node), "migrations");
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      gint64 *id = g_new (gint64, 1);

      *id = vmm_nova_json_int (vmm_nova_json_element_object (list, i), "id", 0);
      g_hash_table_add (mv->known, id);
    }
  if (mv->op != OP_COLD)
    op_finish (mv, NULL);
  else if (!record_step (mv, "cold", mv->server, &error))
    op_finish (mv, error);
  else
    move_request (mv);
}

static void
preflight_server_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NovaMove *mv = user_data;
  GError *error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);
  JsonObject *obj;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;

  if (node == NULL)
    {
      op_finish (mv, error);
      return;
    }
  obj = vmm_nova_json_object (vmm_nova_json_root_object (node), "server");
  g_clear_pointer (&mv->server, vmm_nova_server_free);
  mv->server = server_from_json (obj);
  if (!check_server (mv, mv->server, mv->op == OP_COLD, &error))
    {
      op_finish (mv, error);
      return;
    }
  g_free (mv->server_zone);
  mv->server_zone = g_strdup (mv->server->zone);
  id = g_uri_escape_string (mv->server_id, NULL, FALSE);
  path = g_strdup_printf ("/os-migrations?instance_uuid=%s", id);
  vmm_nova_client_call_async (mv->self->client, "GET", path, NULL, V_MIGRATIONS,
                              VMM_NOVA_CALL_IDEMPOTENT, NULL, known_migrations_cb, mv);
}

static const char *
wanted_host_for (NovaMove *mv)
{
  VmmRelocateSpec *spec = vmm_migration_context_get_spec (mv->ctx);

  if (mv->self->platform_placement && vmm_relocate_spec_get_host (spec) == NULL
      && vmm_migration_context_get_pinned_host (mv->ctx) == NULL)
    return NULL;
  return vmm_migration_context_get_destination_host (mv->ctx);
}

/* Checks the server as Nova sees it now and notes its existing migrations;
 * for a cold move, then starts it. */
static void
preflight (NovaMove *mv, MoveOp op)
{
  g_autofree char *path = server_path (mv, NULL);
  GError *error = NULL;

  mv->op = op;
  g_free (mv->wanted_host);
  mv->wanted_host = g_strdup (wanted_host_for (mv));
  if (!vmm_nova_client_require_version (mv->self->client, V_MIGRATIONS,
                                        "following a migration by its record", &error)
      || (op == OP_COLD && mv->wanted_host != NULL
          && !vmm_nova_client_require_version (mv->self->client, V_COLD_HOST,
                                               "a cold migration to a named host", &error))
      || (op == OP_LIVE
          && !vmm_nova_client_require_version (
              mv->self->client, V_LIVE, "a live migration with block_migration auto", &error)))
    {
      op_finish (mv, error);
      return;
    }
  vmm_nova_client_call_async (mv->self->client, "GET", path, NULL, V_SERVERS,
                              VMM_NOVA_CALL_IDEMPOTENT, NULL, preflight_server_cb, mv);
}

/* --- following a move --- */

static void
poll_schedule (NovaMove *mv);

static const char *
migration_type_for (MoveOp op)
{
  return op == OP_LIVE ? "live-migration" : "migration";
}

static const char *
op_name (MoveOp op)
{
  switch (op)
    {
    case OP_LIVE:
      return "live migration";
    case OP_COLD:
      return "cold migration";
    case OP_CONFIRM:
      return "confirmation of the cold migration";
    case OP_REVERT:
      return "revert of the cold migration";
    case OP_STOP:
      return "stop";
    case OP_START:
      return "start";
    case OP_NONE:
    default:
      return "move";
    }
}

static char *
request_suffix (NovaMove *mv)
{
  return mv->request_id != NULL ? g_strdup_printf (" (request %s)", mv->request_id) : g_strdup ("");
}

static void
control_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VmmMigrationContext *ctx = user_data;
  g_autoptr (GError) error = NULL;

  if (!vmm_nova_client_call_finish_discard (VMM_NOVA_CLIENT (source), result, NULL, &error))
    {
      g_autofree char *msg
          = g_strdup_printf ("Nova refused to control the live migration: %s", error->message);
      vmm_migration_context_add_warning (ctx, msg);
    }
  g_object_unref (ctx);
}

/* Sends an abort or a force-complete that was asked for, once the migration
 * is known and in a state that allows it. */
static void
send_controls (NovaMove *mv)
{
  gboolean running = g_strcmp0 (mv->migration_status, "running") == 0;
  gboolean early = g_strcmp0 (mv->migration_status, "queued") == 0
                   || g_strcmp0 (mv->migration_status, "preparing") == 0;
  g_autofree char *base = NULL;
  g_autofree char *path = NULL;

  if (mv->op != OP_LIVE || mv->migration_id == 0)
    return;
  base = server_path (mv, NULL);
  if (mv->abort_requested && !mv->abort_sent
      && (running
          || (early
              && vmm_nova_client_require_version (mv->self->client, V_ABORT_QUEUED,
                                                  "aborting a queued live migration", NULL))))
    {
      mv->abort_sent = TRUE;
      path = g_strdup_printf ("%s/migrations/%" G_GINT64_FORMAT, base, mv->migration_id);
      vmm_nova_client_call_async (mv->self->client, "DELETE", path, NULL,
                                  running ? V_ABORT : V_ABORT_QUEUED, VMM_NOVA_CALL_NONE, NULL,
                                  control_cb, g_object_ref (mv->ctx));
      return;
    }
  if (mv->force_requested && !mv->force_sent && !mv->abort_requested && running)
    {
      g_autoptr (JsonNode) body = action_body ("force_complete", NULL);

      mv->force_sent = TRUE;
      path = g_strdup_printf ("%s/migrations/%" G_GINT64_FORMAT "/action", base, mv->migration_id);
      vmm_nova_client_call_async (mv->self->client, "POST", path, body, V_FORCE, VMM_NOVA_CALL_NONE,
                                  NULL, control_cb, g_object_ref (mv->ctx));
    }
}

/* The move failed: the instance action's failed events say why (and
 * whether Nova found no valid host). */
static GString *
failure_details (JsonArray *events, VmmError *code)
{
  GString *why = g_string_new (NULL);

  *code = VMM_ERROR_BACKEND;
  for (guint i = 0; events != NULL && i < json_array_get_length (events); i++)
    {
      JsonObject *ev = vmm_nova_json_element_object (events, i);
      const char *detail = vmm_nova_json_string (ev, "details");
      const char *tb = vmm_nova_json_string (ev, "traceback");
      g_autofree char *last = NULL;

      if (g_strcmp0 (vmm_nova_json_string (ev, "result"), "Error") != 0)
        continue;
      if (detail == NULL && tb != NULL)
        {
          g_autofree char *text = g_strstrip (g_strdup (tb));
          g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
          guint n = g_strv_length (lines);

          last = n > 0 ? g_strdup (g_strstrip (lines[n - 1])) : NULL;
          detail = last;
        }
      g_string_append_printf (why, "; event %s failed: %s", vmm_nova_json_string (ev, "event"),
                              detail != NULL ? detail : "no details");
      if (detail != NULL && strstr (detail, "No valid host") != NULL)
        *code = VMM_ERROR_INCOMPATIBLE;
    }
  return why;
}

static void
report_failure (NovaMove *mv, JsonArray *events)
{
  VmmError code;
  g_autoptr (GString) why = failure_details (events, &code);
  g_autofree char *suffix = request_suffix (mv);

  op_fail (mv,
           g_error_new (
               VMM_ERROR, code,
               "nova: %s of server '%s'%s%s failed: migration %" G_GINT64_FORMAT " ended '%s'%s%s",
               op_name (mv->op), mv->vm_name, mv->wanted_host != NULL ? " to host " : "",
               mv->wanted_host != NULL ? mv->wanted_host : "", mv->migration_id,
               mv->migration_status, why->len > 0 ? why->str : " in the hypervisor", suffix));
}

static void
events_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NovaMove *mv = user_data;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &local_error);
  JsonObject *action
      = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
            ? vmm_nova_json_object (vmm_nova_json_root_object (node), "instanceAction")
            : NULL;

  report_failure (mv, vmm_nova_json_array (action, "events"));
}

static void
explain_failure (NovaMove *mv)
{
  g_autofree char *base = server_path (mv, NULL);
  g_autofree char *path = NULL;
  const char *version
      = vmm_nova_client_require_version (mv->self->client, V_ACTION_DETAILS, "event details", NULL)
            ? V_ACTION_DETAILS
            : V_ACTIONS;

  if (mv->request_id == NULL)
    {
      report_failure (mv, NULL);
      return;
    }
  path = g_strdup_printf ("%s/os-instance-actions/%s", base, mv->request_id);
  vmm_nova_client_call_async (mv->self->client, "GET", path, NULL, version,
                              VMM_NOVA_CALL_IDEMPOTENT | VMM_NOVA_CALL_ALLOW_404, NULL, events_cb,
                              mv);
}

static gboolean
status_is (const char *status, const char *const *set)
{
  return status != NULL && g_strv_contains (set, status);
}

static void
op_start_revert (NovaMove *mv);

/* Decides, from the migration and server records, whether the move is over. */
static void
evaluate (NovaMove *mv)
{
  static const char *const failed[] = { "error", "failed", "cancelled", NULL };
  VmmNovaServer *s = mv->server;
  gint64 now = g_get_monotonic_time ();
  const char *st = mv->migration_status;
  g_autofree char *suffix = request_suffix (mv);
  g_autofree char *where = server_where (s);
  gboolean settled = s->task_state == NULL;

  if (st != NULL && mv->settle_deadline == 0
      && (status_is (st, failed) || g_strcmp0 (st, "completed") == 0
          || g_strcmp0 (st, "confirmed") == 0 || g_strcmp0 (st, "reverted") == 0
          || g_strcmp0 (st, "finished") == 0))
    mv->settle_deadline = now + SETTLE_US;
  if (mv->op == OP_LIVE)
    send_controls (mv);
  if (mv->op == OP_COLD && g_task_get_cancellable (mv->task) != NULL
      && g_cancellable_is_cancelled (g_task_get_cancellable (mv->task)))
    mv->revert_after_cancel = TRUE;

  if (mv->migration_id == 0)
    {
      if (now - mv->op_started > FIND_MIGRATION_US)
        {
          op_finish (mv, g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                      "nova: Nova accepted the %s of server '%s' but recorded no "
                                      "migration for it%s; %s",
                                      op_name (mv->op), mv->vm_name, suffix, where));
          return;
        }
      poll_schedule (mv);
      return;
    }
  if (status_is (st, failed) || (mv->op != OP_LIVE && g_strcmp0 (st, "error") == 0))
    {
      if (!settled && now < mv->settle_deadline)
        {
          poll_schedule (mv);
          return;
        }
      if (mv->op == OP_LIVE && mv->abort_requested && g_strcmp0 (st, "cancelled") == 0)
        {
          op_finish (mv,
                     g_error_new (
                         G_IO_ERROR, G_IO_ERROR_CANCELLED,
                         "nova: live migration of server '%s' aborted (migration %" G_GINT64_FORMAT
                         " cancelled)%s; %s",
                         mv->vm_name, mv->migration_id, suffix, where));
          return;
        }
      explain_failure (mv);
      return;
    }

  switch (mv->op)
    {
    case OP_LIVE:
      if (g_strcmp0 (st, "completed") != 0)
        break;
      if (settled && g_strcmp0 (s->status, "ACTIVE") == 0
          && g_strcmp0 (s->host, mv->migration_dest) == 0
          && (mv->wanted_host == NULL || g_strcmp0 (s->host, mv->wanted_host) == 0))
        {
          g_free (mv->final_host);
          mv->final_host = g_strdup (s->host);
          vmm_migration_context_set_destination_host (mv->ctx, s->host);
          op_finish (mv, NULL);
          return;
        }
      if (now > mv->settle_deadline)
        {
          /* Seed 001: "the database claims it is not migrated". */
          op_finish (mv, g_error_new (
                             VMM_ERROR, VMM_ERROR_BACKEND,
                             "nova: migration %" G_GINT64_FORMAT " of server '%s' is "
                             "'completed' to host '%s', but the server record disagrees%s: %s",
                             mv->migration_id, mv->vm_name,
                             mv->migration_dest != NULL ? mv->migration_dest : "?", suffix, where));
          return;
        }
      break;
    case OP_COLD:
      if (g_strcmp0 (s->status, "VERIFY_RESIZE") != 0 || !settled)
        break;
      if (g_strcmp0 (s->host, mv->source_host) == 0
          || (mv->wanted_host != NULL && g_strcmp0 (s->host, mv->wanted_host) != 0))
        {
          op_finish (mv, g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                      "nova: cold migration %" G_GINT64_FORMAT " of server '%s' "
                                      "reached VERIFY_RESIZE on the wrong host%s: %s",
                                      mv->migration_id, mv->vm_name, suffix, where));
          return;
        }
      g_free (mv->final_host);
      mv->final_host = g_strdup (s->host);
      if (mv->revert_after_cancel)
        {
          op_start_revert (mv);
          return;
        }
      vmm_migration_context_set_destination_host (mv->ctx, s->host);
      op_finish (mv, NULL);
      return;
    case OP_CONFIRM:
      if (g_strcmp0 (st, "confirmed") != 0 || !settled
          || g_strcmp0 (s->status, "VERIFY_RESIZE") == 0)
        break;
      if (g_strcmp0 (s->host, mv->final_host) != 0)
        {
          op_finish (mv,
                     g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                  "nova: migration %" G_GINT64_FORMAT " of server '%s' is "
                                  "confirmed on host '%s', but the server record disagrees%s: %s",
                                  mv->migration_id, mv->vm_name, mv->final_host, suffix, where));
          return;
        }
      mv->confirmed = TRUE;
      op_finish (mv, NULL);
      return;
    case OP_REVERT:
      if (g_strcmp0 (st, "reverted") != 0 || !settled
          || g_strcmp0 (s->status, "VERIFY_RESIZE") == 0)
        break;
      if (g_strcmp0 (s->host, mv->source_host) != 0)
        {
          op_finish (mv,
                     g_error_new (VMM_ERROR, VMM_ERROR_ROLLBACK_FAILED,
                                  "nova: migration %" G_GINT64_FORMAT " of server '%s' is "
                                  "reverted, but the server is not on its source host '%s'%s: %s",
                                  mv->migration_id, mv->vm_name, mv->source_host, suffix, where));
          return;
        }
      vmm_migration_context_set_destination_host (mv->ctx, mv->source_host);
      if (mv->revert_after_cancel)
        {
          op_finish (mv,
                     g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                  "nova: cold migration of server '%s' cancelled and reverted; %s",
                                  mv->vm_name, where));
          return;
        }
      op_finish (mv, NULL);
      return;
    case OP_NONE:
    default:
      op_finish (mv, NULL);
      return;
    }
  poll_schedule (mv);
}

/* A live migration record's bytes (memory and disk) processed and in all;
 * FALSE when it names none. */
static gboolean
migration_progress (JsonObject *m, guint64 *done, guint64 *total)
{
  /* each figure clamped to 0..2^62: no sum overflows */
  const gint64 cap = G_GINT64_CONSTANT (1) << 62;
  gint64 mem_total = CLAMP (vmm_nova_json_int (m, "memory_total_bytes", 0), 0, cap);
  gint64 mem_done = CLAMP (vmm_nova_json_int (m, "memory_processed_bytes", 0), 0, cap);
  gint64 disk_total = CLAMP (vmm_nova_json_int (m, "disk_total_bytes", 0), 0, cap);
  gint64 disk_done = CLAMP (vmm_nova_json_int (m, "disk_processed_bytes", 0), 0, cap);

  *total = (guint64)mem_total + (guint64)disk_total;
  *done = MIN ((guint64)mem_done + (guint64)disk_done, *total);
  return m != NULL && *total > 0;
}

static void
progress_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NovaMove *mv = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);
  JsonObject *m = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                      ? vmm_nova_json_object (vmm_nova_json_root_object (node), "migration")
                      : NULL;

  guint64 done, total;

  if (migration_progress (m, &done, &total))
    vmm_migration_context_report_transfer (mv->ctx, done, total);
  evaluate (mv);
}

/* A poll failed: tried again, up to MAX_POLL_FAILURES in a row. */
static void
poll_failed (NovaMove *mv, GError *error)
{
  if (++mv->failures >= MAX_POLL_FAILURES)
    {
      g_prefix_error (&error, "nova: lost track of the %s of server '%s': ", op_name (mv->op),
                      mv->vm_name);
      op_fail (mv, error);
      return;
    }
  g_clear_error (&error);
  poll_schedule (mv);
}

/* The server record of a poll, kept in mv->server; FALSE when there is none
 * (the poll is then tried again or the move fails). */
static gboolean
poll_take_server (NovaMove *mv, GObject *source, GAsyncResult *result)
{
  GError *error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);
  JsonObject *obj = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                        ? vmm_nova_json_object (vmm_nova_json_root_object (node), "server")
                        : NULL;

  if (obj == NULL)
    {
      if (error == NULL)
        error = g_error_new (VMM_ERROR, VMM_ERROR_BACKEND, "nova: no server in Nova's answer");
      poll_failed (mv, error);
      return FALSE;
    }
  mv->failures = 0;
  g_clear_pointer (&mv->server, vmm_nova_server_free);
  mv->server = server_from_json (obj);
  return TRUE;
}

static void
server_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NovaMove *mv = user_data;

  if (!poll_take_server (mv, source, result))
    return;
  if (mv->op == OP_LIVE && g_strcmp0 (mv->migration_status, "running") == 0)
    {
      g_autofree char *base = server_path (mv, NULL);
      g_autofree char *path
          = g_strdup_printf ("%s/migrations/%" G_GINT64_FORMAT, base, mv->migration_id);

      vmm_nova_client_call_async (mv->self->client, "GET", path, NULL, V_MIGRATIONS,
                                  VMM_NOVA_CALL_IDEMPOTENT | VMM_NOVA_CALL_ALLOW_404, NULL,
                                  progress_cb, mv);
      return;
    }
  evaluate (mv);
}

/* Finds the move's migration among LIST (os-migrations, newest first): the
 * first of its type that did not exist before the move; notes its status
 * and destination. */
static void
move_read_migrations (NovaMove *mv, JsonArray *list)
{
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *m = vmm_nova_json_element_object (list, i);
      gint64 id = vmm_nova_json_int (m, "id", 0);

      if (id <= 0)
        continue;
      if (mv->migration_id == 0 && !g_hash_table_contains (mv->known, &id)
          && g_strcmp0 (vmm_nova_json_string (m, "migration_type"), migration_type_for (mv->op))
                 == 0)
        {
          g_autoptr (GError) error = NULL;

          mv->migration_id = id;
          if (!record_step (mv, "migration", NULL, &error))
            vmm_migration_context_add_warning (mv->ctx, error->message);
        }
      if (id == mv->migration_id)
        {
          g_free (mv->migration_status);
          mv->migration_status = g_strdup (vmm_nova_json_string (m, "status"));
          g_free (mv->migration_dest);
          mv->migration_dest = g_strdup (vmm_nova_json_string (m, "dest_compute"));
        }
    }
}

static void
migrations_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NovaMove *mv = user_data;
  GError *error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);
  g_autofree char *path = NULL;

  if (node == NULL)
    {
      poll_failed (mv, error);
      return;
    }
  move_read_migrations (mv, vmm_nova_json_array (vmm_nova_json_root_object (node), "migrations"));
  path = server_path (mv, NULL);
  vmm_nova_client_call_async (mv->self->client, "GET", path, NULL, V_SERVERS,
                              VMM_NOVA_CALL_IDEMPOTENT, NULL, server_cb, mv);
}

static void
poll_now (NovaMove *mv)
{
  g_autofree char *id = g_uri_escape_string (mv->server_id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/os-migrations?instance_uuid=%s&migration_type=%s", id,
                                           migration_type_for (mv->op));

  vmm_nova_client_call_async (mv->self->client, "GET", path, NULL, V_MIGRATIONS,
                              VMM_NOVA_CALL_IDEMPOTENT, NULL, migrations_cb, mv);
}

static void
power_poll (NovaMove *mv);

static gboolean
poll_tick (gpointer user_data)
{
  NovaMove *mv = user_data;

  g_clear_pointer (&mv->timer, g_source_unref);
  if (mv->op == OP_STOP || mv->op == OP_START)
    power_poll (mv);
  else
    poll_now (mv);
  return G_SOURCE_REMOVE;
}

static void
poll_schedule (NovaMove *mv)
{
  gint64 elapsed = g_get_monotonic_time () - mv->op_started;
  guint interval = mv->self->poll_ms;

  /* Poll fast at first, then every second for long moves. */
  if (elapsed > 30 * G_USEC_PER_SEC)
    interval = MAX (interval, 1000);
  mv->timer = g_timeout_source_new (interval);
  g_source_set_callback (mv->timer, poll_tick, mv, NULL);
  g_source_attach (mv->timer, g_task_get_context (mv->task));
}

static void
request_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NovaMove *mv = user_data;
  GError *error = NULL;
  g_autofree char *request_id = NULL;

  vmm_nova_client_call_finish_discard (VMM_NOVA_CLIENT (source), result, &request_id, &error);

  g_free (mv->request_id);
  mv->request_id = g_steal_pointer (&request_id);
  if (error != NULL)
    {
      op_fail (mv, error);
      return;
    }
  mv->op_started = g_get_monotonic_time ();
  mv->settle_deadline = 0;
  mv->failures = 0;
  poll_now (mv);
}

/* Asks Nova for the move of mv->op. */
static void
move_request (NovaMove *mv)
{
  g_autofree char *path = server_path (mv, "/action");
  g_autoptr (JsonNode) body = NULL;
  const char *version = "2.1";
  JsonObject *args;

  mv->migration_id = 0;
  g_clear_pointer (&mv->migration_status, g_free);
  switch (mv->op)
    {
    case OP_LIVE:
      args = json_object_new ();
      if (mv->wanted_host != NULL)
        json_object_set_string_member (args, "host", mv->wanted_host);
      else
        json_object_set_null_member (args, "host");
      json_object_set_string_member (args, "block_migration", "auto");
      body = action_body ("os-migrateLive", json_node_init_object (json_node_alloc (), args));
      json_object_unref (args);
      version = V_LIVE;
      break;
    case OP_COLD:
      if (mv->wanted_host != NULL)
        {
          args = json_object_new ();
          json_object_set_string_member (args, "host", mv->wanted_host);
          body = action_body ("migrate", json_node_init_object (json_node_alloc (), args));
          json_object_unref (args);
          version = V_COLD_HOST;
        }
      else
        body = action_body ("migrate", NULL);
      break;
    case OP_CONFIRM:
      body = action_body ("confirmResize", NULL);
      break;
    case OP_REVERT:
      body = action_body ("revertResize", NULL);
      break;
    case OP_NONE:
    default:
      g_assert_not_reached ();
    }
  mv->op_started = g_get_monotonic_time ();
  vmm_nova_client_call_async (mv->self->client, "POST", path, body, version, VMM_NOVA_CALL_NONE,
                              NULL, request_cb, mv);
}

/* Confirm and revert keep the migration found by the cold move. */
static void
op_resume (NovaMove *mv, MoveOp op)
{
  gint64 id = mv->migration_id;
  g_autofree char *path = server_path (mv, "/action");
  g_autoptr (JsonNode) body
      = action_body (op == OP_CONFIRM ? "confirmResize" : "revertResize", NULL);

  mv->op = op;
  mv->op_started = g_get_monotonic_time ();
  mv->settle_deadline = 0;
  mv->migration_id = id;
  vmm_nova_client_call_async (mv->self->client, "POST", path, body, "2.1", VMM_NOVA_CALL_NONE, NULL,
                              request_cb, mv);
}

static void
op_start_revert (NovaMove *mv)
{
  op_resume (mv, OP_REVERT);
}

/* --- the cold restart: stop on the source, start where the move put it ---
 * Nova migrates a stopped server cold (resize to the same flavor) and keeps
 * it stopped through VERIFY_RESIZE, confirmResize and revertResize, so the
 * restart is os-stop before the move and os-start after the confirmation. */

static void
power_action_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NovaMove *mv = user_data;
  GError *error = NULL;
  g_autofree char *request_id = NULL;

  if (!vmm_nova_client_call_finish_discard (VMM_NOVA_CLIENT (source), result, &request_id, &error))
    {
      g_prefix_error (&error, "nova: %s of server '%s': ", op_name (mv->op), mv->vm_name);
      op_fail (mv, error);
      return;
    }
  g_free (mv->request_id);
  mv->request_id = g_steal_pointer (&request_id);
  mv->power_sent = TRUE;
  mv->op_started = g_get_monotonic_time ();
  poll_schedule (mv);
}

static void
power_server_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NovaMove *mv = user_data;
  gboolean stop = mv->op == OP_STOP;
  const char *target = stop ? "SHUTOFF" : "ACTIVE";
  const char *from = stop ? "ACTIVE" : "SHUTOFF";
  gint64 elapsed = g_get_monotonic_time () - mv->op_started;
  g_autofree char *where = NULL;
  g_autofree char *suffix = NULL;
  VmmNovaServer *s;

  if (!poll_take_server (mv, source, result))
    return;
  s = mv->server;
  where = server_where (s);
  suffix = request_suffix (mv);
  if (g_strcmp0 (s->status, "ERROR") == 0)
    {
      op_finish (mv, g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                  "nova: the %s of server '%s' failed%s: %s", op_name (mv->op),
                                  mv->vm_name, suffix, where));
      return;
    }
  if (s->task_state == NULL && g_strcmp0 (s->host, mv->power_host) != 0)
    {
      op_finish (mv, g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                  "nova: server '%s' should be on host '%s' for its %s, but %s",
                                  mv->vm_name, mv->power_host, op_name (mv->op), where));
      return;
    }
  if (s->task_state == NULL && g_strcmp0 (s->status, target) == 0)
    {
      /* done, or nothing to do: only what this step changed is undone */
      if (mv->power_undo && stop)
        mv->started = FALSE;
      else if (mv->power_undo)
        mv->stopped = FALSE;
      else if (stop)
        mv->stopped = mv->power_sent;
      else
        mv->started = mv->power_sent;
      op_finish (mv, NULL);
      return;
    }
  if (s->task_state == NULL && !mv->power_sent)
    {
      g_autofree char *path = server_path (mv, "/action");
      g_autoptr (JsonNode) body = action_body (stop ? "os-stop" : "os-start", NULL);

      GError *error = NULL;

      if (g_strcmp0 (s->status, from) != 0)
        {
          op_finish (mv, g_error_new (VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                                      "nova: cannot %s server '%s' (it must be %s): %s",
                                      op_name (mv->op), mv->vm_name, from, where));
          return;
        }
      if (!record_step (mv, op_name (mv->op), s, &error))
        {
          op_finish (mv, error);
          return;
        }
      vmm_nova_client_call_async (mv->self->client, "POST", path, body, "2.1", VMM_NOVA_CALL_NONE,
                                  NULL, power_action_cb, mv);
      return;
    }
  if (elapsed > POWER_US || (s->task_state == NULL && elapsed > SETTLE_US))
    {
      op_finish (
          mv, g_error_new (
                  VMM_ERROR, VMM_ERROR_TIMEOUT,
                  "nova: the %s of server '%s' did not end %s within %" G_GINT64_FORMAT " s%s: %s",
                  op_name (mv->op), mv->vm_name, target, elapsed / G_USEC_PER_SEC, suffix, where));
      return;
    }
  poll_schedule (mv);
}

static void
power_poll (NovaMove *mv)
{
  g_autofree char *path = server_path (mv, NULL);

  vmm_nova_client_call_async (mv->self->client, "GET", path, NULL, V_SERVERS,
                              VMM_NOVA_CALL_IDEMPOTENT, NULL, power_server_cb, mv);
}

/* Stops (OP_STOP) or starts (OP_START) the server on HOST: waits for any task
 * in flight to end first, then asks Nova, then waits for SHUTOFF or ACTIVE. */
static void
power_change (NovaMove *mv, MoveOp op, const char *host, gboolean undo)
{
  mv->op = op;
  mv->power_undo = undo;
  mv->power_host = host;
  mv->power_sent = FALSE;
  mv->failures = 0;
  g_clear_pointer (&mv->request_id, g_free);
  mv->op_started = g_get_monotonic_time ();
  power_poll (mv);
}

/* --- steps --- */

/* After the move: where Nova says the server is must be where it went. */
static void
verify_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NovaMove *mv = user_data;
  GError *error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);
  JsonObject *obj = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                        ? vmm_nova_json_object (vmm_nova_json_root_object (node), "server")
                        : NULL;
  g_autoptr (VmmNovaServer) s = NULL;
  g_autofree char *where = NULL;

  if (obj == NULL)
    {
      if (error == NULL)
        error = g_error_new (VMM_ERROR, VMM_ERROR_BACKEND, "nova: no server in Nova's answer");
      g_prefix_error (&error, "nova: verifying where server '%s' is: ", mv->vm_name);
      op_finish (mv, error);
      return;
    }
  s = server_from_json (obj);
  where = server_where (s);
  if (mv->final_host == NULL || g_strcmp0 (s->host, mv->final_host) != 0)
    {
      op_finish (mv,
                 g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                              "nova: server '%s' should be on host '%s' after the move, but %s",
                              mv->vm_name, mv->final_host != NULL ? mv->final_host : "?", where));
      return;
    }
  vmm_migration_context_set_destination_host (mv->ctx, s->host);
  g_clear_pointer (&mv->server, vmm_nova_server_free);
  mv->server = g_steal_pointer (&s);
  op_finish (mv, NULL);
}

static gboolean
op_begin (NovaMove *mv, GTask *task)
{
  if (mv->task != NULL)
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_BUSY,
                               "nova: a step of the move of server '%s' is still running",
                               mv->vm_name);
      g_object_unref (task);
      return FALSE;
    }
  mv->task = task;
  mv->op_started = g_get_monotonic_time ();
  return TRUE;
}

static void
run_step (VmmBackend *backend, VmmStep step, VmmMigrationContext *ctx, GCancellable *cancellable,
          GAsyncReadyCallback callback, gpointer user_data)
{
  VmmNovaBackend *self = VMM_NOVA_BACKEND (backend);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  NovaMove *mv = move_get (self, ctx);

  g_task_set_source_tag (task, run_step);
  g_task_set_check_cancellable (task, FALSE);
  if (mv->server_id == NULL)
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                               "nova: VM '%s' has no server UUID", mv->vm_name);
      g_object_unref (task);
      return;
    }
  if (!op_begin (mv, task))
    return;
  switch (step)
    {
    case VMM_STEP_PREPARE_SOURCE:
      preflight (mv, OP_NONE);
      break;
    case VMM_STEP_INITIATE_SOURCE:
      {
        GError *error = NULL;

        mv->op = OP_LIVE;
        mv->abort_sent = mv->force_sent = FALSE;
        if (!record_step (mv, "live", mv->server, &error))
          op_finish (mv, error);
        else
          move_request (mv);
      }
      break;
    case VMM_STEP_UNREGISTER_SOURCE_VM:
      preflight (mv, OP_COLD);
      break;
    case VMM_STEP_REGISTER_DESTINATION_VM:
      {
        GError *error = NULL;

        if (!record_step (mv, "confirm", mv->server, &error))
          op_finish (mv, error);
        else
          op_resume (mv, OP_CONFIRM);
      }
      break;
    case VMM_STEP_POWER_OFF:
      power_change (mv, OP_STOP, mv->source_host, FALSE);
      break;
    case VMM_STEP_POWER_ON:
      if (!mv->confirmed || mv->final_host == NULL)
        {
          op_finish (mv, g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                      "nova: server '%s' is started only after its cold "
                                      "migration is confirmed",
                                      mv->vm_name));
          break;
        }
      power_change (mv, OP_START, mv->final_host, FALSE);
      break;
    case VMM_STEP_COMPLETE_DESTINATION:
      {
        g_autofree char *path = server_path (mv, NULL);

        mv->op = OP_NONE;
        vmm_nova_client_call_async (self->client, "GET", path, NULL, V_SERVERS,
                                    VMM_NOVA_CALL_IDEMPOTENT, NULL, verify_cb, mv);
      }
      break;
    default:
      op_finish (mv, g_error_new (VMM_ERROR, VMM_ERROR_UNSUPPORTED, "nova: cannot do %s",
                                  vmm_step_get_name (step)));
      break;
    }
}

#define STEP_FUNC(func, step)                                                                      \
  static void func (VmmBackend *backend, VmmMigrationContext *ctx, GCancellable *cancellable,      \
                    GAsyncReadyCallback callback, gpointer user_data)                              \
  {                                                                                                \
    run_step (backend, step, ctx, cancellable, callback, user_data);                               \
  }

STEP_FUNC (nova_prepare_source, VMM_STEP_PREPARE_SOURCE)
STEP_FUNC (nova_initiate_source, VMM_STEP_INITIATE_SOURCE)
STEP_FUNC (nova_unregister_source_vm, VMM_STEP_UNREGISTER_SOURCE_VM)
STEP_FUNC (nova_register_destination_vm, VMM_STEP_REGISTER_DESTINATION_VM)
STEP_FUNC (nova_complete_destination, VMM_STEP_COMPLETE_DESTINATION)
STEP_FUNC (nova_power_off, VMM_STEP_POWER_OFF)
STEP_FUNC (nova_power_on, VMM_STEP_POWER_ON)

static void
nova_undo_step (VmmBackend *backend, VmmStep step, VmmMigrationContext *ctx,
                GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  VmmNovaBackend *self = VMM_NOVA_BACKEND (backend);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  NovaMove *mv = vmm_migration_context_get_backend_data (ctx);
  GError *error = NULL;

  g_task_set_source_tag (task, nova_undo_step);
  g_task_set_check_cancellable (task, FALSE);
  if (mv != NULL && step == VMM_STEP_UNREGISTER_SOURCE_VM && mv->final_host != NULL
      && !mv->confirmed)
    {
      /* The server waits in VERIFY_RESIZE on the destination: revert. */
      if (!op_begin (mv, task))
        return;
      mv->revert_after_cancel = FALSE;
      if (!record_step (mv, "revert", mv->server, &error))
        {
          op_finish (mv, error);
          return;
        }
      op_resume (mv, OP_REVERT);
      return;
    }
  if (mv != NULL && step == VMM_STEP_REGISTER_DESTINATION_VM && mv->confirmed)
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_ROLLBACK_FAILED,
                               "nova: the cold migration of server '%s' is confirmed: it stays "
                               "on host '%s'",
                               mv->vm_name, mv->final_host);
      g_object_unref (task);
      return;
    }
  if (mv != NULL && step == VMM_STEP_POWER_OFF && mv->stopped)
    {
      /* The move was undone or never happened: start it on its source. */
      if (!op_begin (mv, task))
        return;
      power_change (mv, OP_START, mv->source_host, TRUE);
      return;
    }
  if (mv != NULL && step == VMM_STEP_POWER_ON && mv->started)
    {
      if (!op_begin (mv, task))
        return;
      power_change (mv, OP_STOP, mv->final_host, TRUE);
      return;
    }
  /* Nothing else leaves anything behind in Nova. */
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
nova_abort (VmmBackend *backend, VmmMigrationContext *ctx, GError **error)
{
  NovaMove *mv = vmm_migration_context_get_backend_data (ctx);

  if (mv == NULL || mv->op != OP_LIVE)
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_BUSY,
                           "nova: no live migration of this server is in flight");
      return FALSE;
    }
  if (mv->force_sent)
    {
      /* Nova is completing the move (force-complete, asked for by the
       * caller or by the engine's on-timeout): it can no longer be aborted. */
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_BUSY,
                           "nova: the live migration is being force-completed");
      return FALSE;
    }
  mv->abort_requested = TRUE;
  send_controls (mv);
  return TRUE;
}

gboolean
vmm_nova_backend_force_complete (VmmNovaBackend *self, VmmMigrationContext *context, GError **error)
{
  NovaMove *mv = vmm_migration_context_get_backend_data (context);

  if (!vmm_nova_client_require_version (self->client, V_FORCE, "force-completing a live migration",
                                        error))
    return FALSE;
  if (mv == NULL || mv->op != OP_LIVE)
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_BUSY,
                           "nova: no live migration of this server is in flight");
      return FALSE;
    }
  mv->force_requested = TRUE;
  send_controls (mv);
  return TRUE;
}

/* The engine's completion timer fired during the live migration. Nova's
 * force-complete pauses the guest for the switch-over, or switches the
 * migration to post-copy when the compute permits it
 * ([libvirt] live_migration_permit_post_copy): the cloud decides, so both
 * actions ask for it. Nova cannot suspend a migrating server (its task state
 * blocks suspend and pause), so SUSPEND is unsupported and the engine
 * aborts. */
static gboolean
nova_apply_timeout_action (VmmBackend *backend, VmmMigrationContext *ctx, VmmOnTimeoutAction action,
                           GError **error)
{
  VmmNovaBackend *self = VMM_NOVA_BACKEND (backend);
  NovaMove *mv = vmm_migration_context_get_backend_data (ctx);

  switch (action)
    {
    case VMM_ON_TIMEOUT_FORCE_COMPLETE:
      break;
    case VMM_ON_TIMEOUT_POST_COPY:
      break;
    case VMM_ON_TIMEOUT_SUSPEND:
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                           "nova: Nova cannot suspend a server while it migrates");
      return FALSE;
    case VMM_ON_TIMEOUT_ABORT:
    default:
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                           "nova: no other way to finish the move than aborting it");
      return FALSE;
    }
  if (mv == NULL || mv->op != OP_LIVE || mv->abort_requested)
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                           "nova: no live migration of this server is in flight");
      return FALSE;
    }
  if (!vmm_nova_client_require_version (self->client, V_FORCE, "force-completing a live migration",
                                        error))
    return FALSE;
  if (action == VMM_ON_TIMEOUT_POST_COPY)
    vmm_migration_context_add_warning (
        ctx, "nova: post-copy is asked for through Nova's force-complete: the compute switches "
             "to post-copy if it permits it, otherwise it pauses the guest to complete");
  mv->force_requested = TRUE;
  send_controls (mv);
  return TRUE;
}

static void
nova_cleanup (VmmBackend *backend, VmmMigrationContext *ctx, gboolean succeeded,
              GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (backend, cancellable, callback, user_data);

  g_task_set_source_tag (task, nova_cleanup);
  g_task_set_check_cancellable (task, FALSE);
  /* Nova cleans up the source itself (confirmResize, post-live-migration). */
  g_task_return_boolean (task, TRUE);
}

/* --- compute services --- */

typedef struct
{
  char *host;
  gboolean enabled;
  char *reason;
} ServiceData;

static void
service_data_free (ServiceData *data)
{
  g_free (data->host);
  g_free (data->reason);
  g_free (data);
}

static void
service_put_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!vmm_nova_client_call_finish_discard (VMM_NOVA_CLIENT (source), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* The UUID of HOST's nova-compute service in LIST (os-services, 2.53). */
static const char *
find_service_id (JsonArray *list, const char *host)
{
  const char *id = NULL;

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *svc = vmm_nova_json_element_object (list, i);

      if (g_strcmp0 (vmm_nova_json_string (svc, "host"), host) == 0
          && g_strcmp0 (vmm_nova_json_string (svc, "binary"), "nova-compute") == 0)
        id = vmm_nova_json_string (svc, "id");
    }
  return id;
}

static void
service_list_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VmmNovaBackend *self = g_task_get_source_object (task);
  ServiceData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);
  JsonArray *list;
  const char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *escaped = NULL;
  JsonObject *body_obj;
  g_autoptr (JsonNode) body = NULL;
  GCancellable *cancellable;

  if (node == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  list = vmm_nova_json_array (vmm_nova_json_root_object (node), "services");
  id = find_service_id (list, data->host);
  if (id == NULL)
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                               "nova: no nova-compute service on host '%s'", data->host);
      return;
    }
  escaped = g_uri_escape_string (id, NULL, FALSE);
  path = g_strdup_printf ("/os-services/%s", escaped);
  body_obj = json_object_new ();
  json_object_set_string_member (body_obj, "status", data->enabled ? "enabled" : "disabled");
  if (!data->enabled && data->reason != NULL)
    json_object_set_string_member (body_obj, "disabled_reason", data->reason);
  body = json_node_init_object (json_node_alloc (), body_obj);
  json_object_unref (body_obj);
  cancellable = g_task_get_cancellable (task);
  vmm_nova_client_call_async (self->client, "PUT", path, body, V_SERVICES, VMM_NOVA_CALL_NONE,
                              cancellable, service_put_cb, g_steal_pointer (&task));
}

void
vmm_nova_backend_set_service_enabled_async (VmmNovaBackend *self, const char *host,
                                            gboolean enabled, const char *reason,
                                            GCancellable *cancellable, GAsyncReadyCallback callback,
                                            gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ServiceData *data = g_new0 (ServiceData, 1);
  g_autofree char *escaped = g_uri_escape_string (host, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/os-services?binary=nova-compute&host=%s", escaped);
  GError *error = NULL;

  g_task_set_source_tag (task, vmm_nova_backend_set_service_enabled_async);
  data->host = g_strdup (host);
  data->enabled = enabled;
  data->reason = g_strdup (reason);
  g_task_set_task_data (task, data, (GDestroyNotify)service_data_free);
  if (!vmm_nova_client_require_version (self->client, V_SERVICES,
                                        "enabling and disabling a compute service by UUID", &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  vmm_nova_client_call_async (self->client, "GET", path, NULL, V_SERVICES, VMM_NOVA_CALL_IDEMPOTENT,
                              cancellable, service_list_cb, task);
}

gboolean
vmm_nova_backend_set_service_enabled_finish (VmmNovaBackend *self, GAsyncResult *result,
                                             GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- evacuation of one server off a dead compute (seed 003) --- */

#define V_EVACUATE "2.68" /* evacuate without force; the scheduler checks a named host */

typedef struct
{
  char *server_id;
  char *source_host;
  char *wanted_host;
  char *request_id;
  gint64 started;
  guint failures;
} EvacuateData;

static void
evacuate_data_free (EvacuateData *data)
{
  g_free (data->server_id);
  g_free (data->source_host);
  g_free (data->wanted_host);
  g_free (data->request_id);
  g_free (data);
}

static void
evacuate_poll (GTask *task);

static gboolean
evacuate_tick (gpointer user_data)
{
  evacuate_poll (user_data);
  return G_SOURCE_REMOVE;
}

static void
evacuate_again (GTask *task)
{
  VmmNovaBackend *self = g_task_get_source_object (task);
  GSource *source = g_timeout_source_new (self->poll_ms);

  g_source_set_callback (source, evacuate_tick, task, NULL);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

static void
evacuate_server_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  EvacuateData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);
  JsonObject *obj = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                        ? vmm_nova_json_object (vmm_nova_json_root_object (node), "server")
                        : NULL;
  g_autoptr (VmmNovaServer) s = NULL;
  g_autofree char *where = NULL;
  const char *suffix_open = data->request_id != NULL ? " (request " : "";
  const char *suffix_id = data->request_id != NULL ? data->request_id : "";
  const char *suffix_close = data->request_id != NULL ? ")" : "";

  if (obj == NULL)
    {
      if (++data->failures < MAX_POLL_FAILURES)
        {
          evacuate_again (task);
          return;
        }
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_BACKEND,
                               "nova: lost track of the evacuation of server %s: %s",
                               data->server_id, error != NULL ? error->message : "no server");
      g_object_unref (task);
      return;
    }
  data->failures = 0;
  s = server_from_json (obj);
  where = server_where (s);
  if (s->task_state == NULL && g_strcmp0 (s->host, data->source_host) != 0
      && (g_strcmp0 (s->status, "ACTIVE") == 0 || g_strcmp0 (s->status, "SHUTOFF") == 0))
    {
      if (data->wanted_host != NULL && g_strcmp0 (s->host, data->wanted_host) != 0)
        g_task_return_new_error (
            task, VMM_ERROR, VMM_ERROR_BACKEND,
            "nova: server %s was evacuated to another host than '%s'%s%s%s: %s", data->server_id,
            data->wanted_host, suffix_open, suffix_id, suffix_close, where);
      else
        g_task_return_pointer (task, g_strdup (s->host), g_free);
      g_object_unref (task);
      return;
    }
  if (g_strcmp0 (s->status, "ERROR") == 0
      || (s->task_state == NULL && g_get_monotonic_time () - data->started > SETTLE_US))
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_BACKEND,
                               "nova: the evacuation of server %s failed%s%s%s: %s",
                               data->server_id, suffix_open, suffix_id, suffix_close, where);
      g_object_unref (task);
      return;
    }
  evacuate_again (task);
}

static void
evacuate_poll (GTask *task)
{
  VmmNovaBackend *self = g_task_get_source_object (task);
  EvacuateData *data = g_task_get_task_data (task);
  g_autofree char *id = g_uri_escape_string (data->server_id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/servers/%s", id);

  vmm_nova_client_call_async (self->client, "GET", path, NULL, V_SERVERS, VMM_NOVA_CALL_IDEMPOTENT,
                              NULL, evacuate_server_cb, task);
}

static void
evacuate_request_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  EvacuateData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!vmm_nova_client_call_finish_discard (VMM_NOVA_CLIENT (source), result, &data->request_id,
                                            &error))
    {
      g_prefix_error (&error, "nova: evacuating server %s off host '%s': ", data->server_id,
                      data->source_host);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  data->started = g_get_monotonic_time ();
  evacuate_again (task);
}

static void
evacuate_source_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VmmNovaBackend *self = g_task_get_source_object (task);
  EvacuateData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);
  JsonObject *obj
      = node != NULL ? vmm_nova_json_object (vmm_nova_json_root_object (node), "server") : NULL;
  g_autofree char *id = g_uri_escape_string (data->server_id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/servers/%s/action", id);
  g_autoptr (JsonNode) body = NULL;
  JsonObject *args;

  if (obj == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  data->source_host = g_strdup (vmm_nova_json_string (obj, "OS-EXT-SRV-ATTR:host"));
  args = json_object_new ();
  if (data->wanted_host != NULL)
    json_object_set_string_member (args, "host", data->wanted_host);
  body = action_body ("evacuate", json_node_init_object (json_node_alloc (), args));
  json_object_unref (args);
  vmm_nova_client_call_async (self->client, "POST", path, body, V_EVACUATE, VMM_NOVA_CALL_NONE,
                              NULL, evacuate_request_cb, task);
}

void
vmm_nova_backend_evacuate_server_async (VmmNovaBackend *self, const char *server_id,
                                        const char *host, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  EvacuateData *data = g_new0 (EvacuateData, 1);
  g_autofree char *id = g_uri_escape_string (server_id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/servers/%s", id);
  GError *error = NULL;

  g_task_set_source_tag (task, vmm_nova_backend_evacuate_server_async);
  g_task_set_check_cancellable (task, FALSE);
  data->server_id = g_strdup (server_id);
  data->wanted_host = g_strdup (host);
  g_task_set_task_data (task, data, (GDestroyNotify)evacuate_data_free);
  if (!vmm_nova_client_require_version (self->client, V_EVACUATE,
                                        "evacuating a server off a dead compute", &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  vmm_nova_client_call_async (self->client, "GET", path, NULL, V_SERVERS, VMM_NOVA_CALL_IDEMPOTENT,
                              NULL, evacuate_source_cb, task);
}

char *
vmm_nova_backend_evacuate_server_finish (VmmNovaBackend *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
nova_set_host_enabled_async (VmmBackend *backend, const char *host, gboolean enabled,
                             const char *reason, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  vmm_nova_backend_set_service_enabled_async (VMM_NOVA_BACKEND (backend), host, enabled, reason,
                                              cancellable, callback, user_data);
}

static gboolean
nova_set_host_enabled_finish (VmmBackend *backend, GAsyncResult *result, GError **error)
{
  return vmm_nova_backend_set_service_enabled_finish (VMM_NOVA_BACKEND (backend), result, error);
}

/* --- class --- */

/* --- where a server really is, and recovery after a crash ---
 * Nova's record (OS-EXT-SRV-ATTR:host) beside what the compute hosts hold:
 * the hypervisors that list the server (os-hypervisors?with_servers) and the
 * hosts of its migration in flight (both hold the instance until it ends; a
 * VERIFY_RESIZE keeps the source's copy until confirmed or reverted). A
 * completed live migration whose destination the record does not name is
 * seed 001's database that "claims it is not migrated": the destination is
 * where the guest runs. */

#define V_HYPERVISOR_SERVERS "2.53" /* os-hypervisors/detail?with_servers=true */
#define RECOVER_US (180 * G_USEC_PER_SEC)

static const char *const live_in_flight[]
    = { "queued", "preparing", "running", "post-migrating", NULL };
static const char *const cold_in_flight[]
    = { "pre-migrating", "migrating", "post-migrating", "finished",
        "confirming",    "reverting", "accepted",       NULL };

static gboolean
migration_in_flight (JsonObject *m)
{
  const char *status = vmm_nova_json_string (m, "status");

  if (m == NULL)
    return FALSE;
  if (g_strcmp0 (vmm_nova_json_string (m, "migration_type"), "live-migration") == 0)
    return status_is (status, live_in_flight);
  return status_is (status, cold_in_flight);
}

/* The path that reads the server the engine knows as VM: by UUID when it is
 * known (ID, the last inventory, or VM itself), else by its exact name. */
static char *
server_lookup_path (VmmNovaBackend *self, const char *vm, const char *id)
{
  VmmNovaServer *cached = g_hash_table_lookup (self->servers, vm);
  g_autofree char *regex = NULL;
  g_autofree char *filter = NULL;
  g_autofree char *escaped = NULL;

  if (id == NULL && cached != NULL)
    id = cached->id;
  if (id == NULL && g_uuid_string_is_valid (vm))
    id = vm;
  if (id != NULL)
    {
      escaped = g_uri_escape_string (id, NULL, FALSE);
      return g_strdup_printf ("/servers/%s", escaped);
    }
  /* Nova's name filter is a regular expression */
  regex = g_regex_escape_string (vm, -1);
  filter = g_strdup_printf ("^%s$", regex);
  escaped = g_uri_escape_string (filter, NULL, FALSE);
  return g_strdup_printf ("/servers/detail?all_tenants=1&name=%s", escaped);
}

/* The one server of an answer to server_lookup_path(). */
static JsonObject *
server_pick (JsonNode *node, const char *vm, GError **error)
{
  JsonObject *root = vmm_nova_json_root_object (node);
  JsonObject *one = vmm_nova_json_object (root, "server");
  JsonArray *list = vmm_nova_json_array (root, "servers");
  guint matches = 0;

  if (one != NULL)
    return one;
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *s = vmm_nova_json_element_object (list, i);

      if (g_strcmp0 (vmm_nova_json_string (s, "name"), vm) == 0 && matches++ == 0)
        one = s;
    }
  if (matches == 1)
    return one;
  if (matches == 0)
    g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "nova: no server named '%s'", vm);
  else
    g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                 "nova: %u servers are named '%s': name it by its UUID", matches, vm);
  return NULL;
}

/* The migration MIGRATION_ID of LIST, or its newest (0). */
static JsonObject *
migration_pick (JsonArray *list, gint64 migration_id)
{
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *m = vmm_nova_json_element_object (list, i);

      if (m != NULL && (migration_id == 0 || vmm_nova_json_int (m, "id", 0) == migration_id))
        return m;
    }
  return NULL;
}

static void
add_host_once (GPtrArray *hosts, const char *host)
{
  if (host != NULL && !g_ptr_array_find_with_equal_func (hosts, host, g_str_equal, NULL))
    g_ptr_array_add (hosts, g_strdup (host));
}

static VmmVmLocation *
location_build (const char *vm, JsonObject *server, JsonArray *migrations, JsonArray *hypervisors)
{
  g_autoptr (VmmNovaServer) s = server_from_json (server);
  VmmVmLocation *location = vmm_vm_location_new (vm, s->host);
  g_autoptr (GPtrArray) hosts = g_ptr_array_new_with_free_func (g_free);
  JsonObject *m = migration_pick (migrations, 0);
  const char *m_status = vmm_nova_json_string (m, "status");
  const char *m_source = vmm_nova_json_string (m, "source_compute");
  const char *m_dest = vmm_nova_json_string (m, "dest_compute");
  gboolean live = g_strcmp0 (vmm_nova_json_string (m, "migration_type"), "live-migration") == 0;
  gboolean in_flight = migration_in_flight (m);
  gboolean runs = s->power_state == 1 && g_strcmp0 (s->status, "SHUTOFF") != 0;
  JsonArray *volumes = vmm_nova_json_array (server, "os-extended-volumes:volumes_attached");
  const char *running = s->host;

  for (guint i = 0; hypervisors != NULL && i < json_array_get_length (hypervisors); i++)
    {
      JsonObject *hv = vmm_nova_json_element_object (hypervisors, i);
      JsonArray *list = vmm_nova_json_array (hv, "servers");

      for (guint j = 0; list != NULL && j < json_array_get_length (list); j++)
        if (s->id != NULL
            && g_strcmp0 (vmm_nova_json_string (vmm_nova_json_element_object (list, j), "uuid"),
                          s->id)
                   == 0)
          add_host_once (hosts,
                         vmm_nova_json_string (vmm_nova_json_object (hv, "service"), "host"));
    }
  if (in_flight)
    {
      add_host_once (hosts, m_source);
      add_host_once (hosts, m_dest);
      /* a live guest runs on its source until the switch-over */
      if (live)
        running = g_strcmp0 (m_status, "post-migrating") == 0 ? m_dest : m_source;
    }
  else if (live && g_strcmp0 (m_status, "completed") == 0 && m_dest != NULL
           && g_strcmp0 (s->host, m_dest) != 0 && g_strcmp0 (s->host, m_source) == 0)
    {
      /* seed 001: moved, the record was not updated */
      add_host_once (hosts, m_dest);
      running = m_dest;
    }
  if (runs)
    add_host_once (hosts, running);
  for (guint i = 0; i < hosts->len; i++)
    vmm_vm_location_add_host (location, g_ptr_array_index (hosts, i),
                              runs && g_strcmp0 (g_ptr_array_index (hosts, i), running) == 0);
  for (guint i = 0; volumes != NULL && i < json_array_get_length (volumes); i++)
    {
      const char *vol = vmm_nova_json_string (vmm_nova_json_element_object (volumes, i), "id");
      g_autofree char *path = NULL;
      g_autoptr (VmmDiskInfo) disk = NULL;

      if (vol == NULL)
        continue;
      path = g_strdup_printf ("volumes/%s", vol);
      disk = vmm_disk_info_new (vol, "cinder", path);
      vmm_vm_location_add_disk (location, disk);
    }
  return location;
}

enum
{
  WHERE_MIGRATIONS,
  WHERE_HYPERVISORS,
  WHERE_N
};

typedef struct
{
  char *vm;
  JsonNode *server;
  JsonNode *answers[WHERE_N];
  guint pending;
  GError *error;
} WhereData;

static void
where_data_free (WhereData *data)
{
  g_free (data->vm);
  g_clear_pointer (&data->server, json_node_unref);
  for (guint i = 0; i < WHERE_N; i++)
    g_clear_pointer (&data->answers[i], json_node_unref);
  g_clear_error (&data->error);
  g_free (data);
}

typedef struct
{
  GTask *task;
  guint slot;
} WhereCall;

static void
where_call_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WhereCall *call = user_data;
  g_autoptr (GTask) task = call->task;
  WhereData *data = g_task_get_task_data (task);
  GError *error = NULL;
  JsonObject *server;

  data->answers[call->slot]
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);
  if (error != NULL && data->error == NULL)
    data->error = error;
  else
    g_clear_error (&error);
  g_free (call);
  if (--data->pending > 0)
    return;
  if (data->error != NULL)
    {
      g_prefix_error (&data->error, "nova: locating server '%s': ", data->vm);
      g_task_return_error (task, g_steal_pointer (&data->error));
      return;
    }
  server = vmm_nova_json_object (vmm_nova_json_root_object (data->server), "server");
  g_task_return_pointer (
      task,
      location_build (
          data->vm, server,
          vmm_nova_json_array (vmm_nova_json_root_object (data->answers[WHERE_MIGRATIONS]),
                               "migrations"),
          vmm_nova_json_array (vmm_nova_json_root_object (data->answers[WHERE_HYPERVISORS]),
                               "hypervisors")),
      g_object_unref);
}

static void
where_server_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VmmNovaBackend *self = g_task_get_source_object (task);
  WhereData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);
  JsonObject *server = NULL;
  g_autofree char *id = NULL;
  const char *paths[WHERE_N];
  const char *versions[WHERE_N] = { V_MIGRATIONS, V_HYPERVISOR_SERVERS };
  g_autofree char *migrations = NULL;

  if (node == NULL && error == NULL)
    error = g_error_new (VMM_ERROR, VMM_ERROR_NOT_FOUND, "nova: no server '%s'", data->vm);
  if (node != NULL)
    server = server_pick (node, data->vm, &error);
  if (server == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* kept as {"server": ...} whichever way it was found */
  data->server = json_node_init_object (json_node_alloc (), json_object_new ());
  json_object_set_object_member (json_node_get_object (data->server), "server",
                                 json_object_ref (server));
  id = g_uri_escape_string (vmm_nova_json_string (server, "id"), NULL, FALSE);
  migrations = g_strdup_printf ("/os-migrations?instance_uuid=%s", id);
  paths[WHERE_MIGRATIONS] = migrations;
  paths[WHERE_HYPERVISORS] = "/os-hypervisors/detail?with_servers=true";
  data->pending = WHERE_N;
  for (guint i = 0; i < WHERE_N; i++)
    {
      WhereCall *call = g_new0 (WhereCall, 1);

      call->task = g_object_ref (task);
      call->slot = i;
      vmm_nova_client_call_async (self->client, "GET", paths[i], NULL, versions[i],
                                  VMM_NOVA_CALL_IDEMPOTENT, g_task_get_cancellable (task),
                                  where_call_cb, call);
    }
}

static void
nova_locate_vm_async (VmmBackend *backend, const char *vm, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  VmmNovaBackend *self = VMM_NOVA_BACKEND (backend);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  WhereData *data = g_new0 (WhereData, 1);
  g_autofree char *path = server_lookup_path (self, vm, NULL);
  GError *error = NULL;

  g_task_set_source_tag (task, nova_locate_vm_async);
  data->vm = g_strdup (vm);
  g_task_set_task_data (task, data, (GDestroyNotify)where_data_free);
  if (!vmm_nova_client_require_version (self->client, V_MIGRATIONS, "reading a server's migrations",
                                        &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  vmm_nova_client_call_async (self->client, "GET", path, NULL, V_SERVERS,
                              VMM_NOVA_CALL_IDEMPOTENT | VMM_NOVA_CALL_ALLOW_404, cancellable,
                              where_server_cb, task);
}

static VmmVmLocation *
nova_locate_vm_finish (VmmBackend *backend, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Recovery: the server is brought to one end of its move, following Nova's
 * own state, one request at a time, until it is settled on the host the
 * direction names in the power state it had before the move. Each request is
 * sent once per recovery and only when Nova's state asks for it, so running
 * recovery again does no harm. */
typedef struct
{
  char *vm;
  gboolean forward;
  char *source;
  char *destination;
  char *server_id;
  char *before_status; /* ACTIVE or SHUTOFF before the move, NULL unknown */
  gint64 migration_id; /* recorded, 0 unknown */
  gint64 started;
  gboolean abort_sent, resize_sent, power_sent;
  GSource *timer;
  JsonNode *server;
  GString *done; /* what recovery asked Nova for */
} RecoverData;

static void
recover_data_free (RecoverData *r)
{
  if (r->timer != NULL)
    {
      g_source_destroy (r->timer);
      g_source_unref (r->timer);
    }
  g_free (r->vm);
  g_free (r->source);
  g_free (r->destination);
  g_free (r->server_id);
  g_free (r->before_status);
  g_clear_pointer (&r->server, json_node_unref);
  g_string_free (r->done, TRUE);
  g_free (r);
}

static void
recover_read_data (RecoverData *r, const char *const *data)
{
  for (guint i = 0; data != NULL && data[i] != NULL; i++)
    {
      g_autoptr (JsonNode) node = json_from_string (data[i], NULL);
      JsonObject *obj = vmm_nova_json_root_object (node);
      const char *status = vmm_nova_json_string (obj, "status");

      if (obj == NULL || vmm_nova_json_string (obj, "nova-server") == NULL)
        continue;
      g_free (r->server_id);
      r->server_id = g_strdup (vmm_nova_json_string (obj, "nova-server"));
      /* oldest first: the first state recorded is the one before the move */
      if (r->before_status == NULL
          && (g_strcmp0 (status, "ACTIVE") == 0 || g_strcmp0 (status, "SHUTOFF") == 0))
        r->before_status = g_strdup (status);
      if (vmm_nova_json_int (obj, "nova-migration", 0) > 0)
        r->migration_id = vmm_nova_json_int (obj, "nova-migration", 0);
    }
}

static void
recover_poll (GTask *task);

static gboolean
recover_tick (gpointer user_data)
{
  GTask *task = user_data;
  RecoverData *r = g_task_get_task_data (task);

  g_clear_pointer (&r->timer, g_source_unref);
  recover_poll (task);
  return G_SOURCE_REMOVE;
}

static void
recover_again (GTask *task)
{
  VmmNovaBackend *self = g_task_get_source_object (task);
  RecoverData *r = g_task_get_task_data (task);

  r->timer = g_timeout_source_new (MAX (self->poll_ms, 100));
  g_source_set_callback (r->timer, recover_tick, g_object_ref (task), g_object_unref);
  g_source_attach (r->timer, g_task_get_context (task));
}

static void
recover_request_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RecoverData *r = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  /* refused (the migration ended meanwhile, ...): Nova's state decides next */
  if (!vmm_nova_client_call_finish_discard (VMM_NOVA_CLIENT (source), result, NULL, &error))
    g_string_append_printf (r->done, " (refused: %s)", error->message);
  recover_again (task);
}

static void
recover_request (GTask *task, const char *method, const char *path, const char *action,
                 const char *version, const char *what)
{
  VmmNovaBackend *self = g_task_get_source_object (task);
  RecoverData *r = g_task_get_task_data (task);
  g_autoptr (JsonNode) body = action != NULL ? action_body (action, NULL) : NULL;

  g_string_append_printf (r->done, "%s%s", r->done->len > 0 ? ", " : "", what);
  vmm_nova_client_call_async (self->client, method, path, body, version, VMM_NOVA_CALL_NONE,
                              g_task_get_cancellable (task), recover_request_cb,
                              g_object_ref (task));
}

static void
recover_fail (GTask *task, VmmError code, const char *why, VmmNovaServer *s, JsonObject *m)
{
  RecoverData *r = g_task_get_task_data (task);
  g_autofree char *where = server_where (s);
  g_autofree char *migration
      = m != NULL ? g_strdup_printf (
            "; its migration %" G_GINT64_FORMAT " (%s from '%s' to '%s') "
            "is '%s'",
            vmm_nova_json_int (m, "id", 0), vmm_nova_json_string (m, "migration_type"),
            vmm_nova_json_string (m, "source_compute"), vmm_nova_json_string (m, "dest_compute"),
            vmm_nova_json_string (m, "status"))
                  : g_strdup ("");

  g_task_return_new_error (task, VMM_ERROR, code,
                           "nova: cannot %s the move of server '%s': %s; %s%s%s%s",
                           r->forward ? "finish" : "undo", r->vm, why, where, migration,
                           r->done->len > 0 ? "; recovery asked Nova for: " : "", r->done->str);
}

/* One look at the server and its migration, and the one request (if any)
 * that brings it closer to the end the direction names. */
static void
recover_decide (GTask *task, JsonObject *server, JsonArray *migrations)
{
  VmmNovaBackend *self = g_task_get_source_object (task);
  RecoverData *r = g_task_get_task_data (task);
  g_autoptr (VmmNovaServer) s = server_from_json (server);
  JsonObject *m = migration_pick (migrations, r->migration_id);
  const char *m_status;
  gboolean live;
  const char *target = r->forward ? r->destination : r->source;
  g_autofree char *base = NULL;
  g_autofree char *path = NULL;

  /* the recorded migration, else the newest (the crash came before its id
   * was recorded) */
  if (m == NULL && r->migration_id != 0)
    m = migration_pick (migrations, 0);
  m_status = vmm_nova_json_string (m, "status");
  live = g_strcmp0 (vmm_nova_json_string (m, "migration_type"), "live-migration") == 0;
  g_free (r->server_id);
  r->server_id = g_strdup (s->id);
  base = g_uri_escape_string (s->id, NULL, FALSE);
  if (g_strcmp0 (s->status, "ERROR") == 0)
    {
      recover_fail (task, VMM_ERROR_BACKEND, "the server is in ERROR", s, m);
      return;
    }
  if (g_get_monotonic_time () - r->started > RECOVER_US)
    {
      g_autofree char *why
          = g_strdup_printf ("Nova did not settle within %d s", (int)(RECOVER_US / G_USEC_PER_SEC));

      recover_fail (task, VMM_ERROR_TIMEOUT, why, s, m);
      return;
    }
  /* a live migration in flight: aborted when undoing, waited for otherwise */
  if (live && migration_in_flight (m))
    {
      gboolean running = g_strcmp0 (m_status, "running") == 0;
      gboolean early
          = g_strcmp0 (m_status, "queued") == 0 || g_strcmp0 (m_status, "preparing") == 0;

      if (!r->forward && !r->abort_sent
          && (running
              || (early
                  && vmm_nova_client_require_version (self->client, V_ABORT_QUEUED,
                                                      "aborting a queued live migration", NULL))))
        {
          r->abort_sent = TRUE;
          path = g_strdup_printf ("/servers/%s/migrations/%" G_GINT64_FORMAT, base,
                                  vmm_nova_json_int (m, "id", 0));
          recover_request (task, "DELETE", path, NULL, running ? V_ABORT : V_ABORT_QUEUED,
                           "abort of the live migration");
          return;
        }
      recover_again (task);
      return;
    }
  /* a cold migration waiting for its confirmation */
  if (g_strcmp0 (s->status, "VERIFY_RESIZE") == 0 && s->task_state == NULL)
    {
      if (r->resize_sent)
        {
          recover_again (task);
          return;
        }
      r->resize_sent = TRUE;
      path = g_strdup_printf ("/servers/%s/action", base);
      recover_request (task, "POST", path, r->forward ? "confirmResize" : "revertResize", "2.1",
                       r->forward ? "confirmResize" : "revertResize");
      return;
    }
  if (s->task_state != NULL || migration_in_flight (m))
    {
      recover_again (task);
      return;
    }
  /* settled: it must be where the direction says, or Nova contradicts it */
  if (target == NULL || g_strcmp0 (s->host, target) != 0)
    {
      g_autofree char *why
          = g_strdup_printf ("Nova has it settled on host '%s', not on its %s host '%s'",
                             s->host != NULL ? s->host : "none",
                             r->forward ? "destination" : "source", target != NULL ? target : "?");

      recover_fail (task, VMM_ERROR_INCOMPATIBLE, why, s, m);
      return;
    }
  /* the power state it had before the move (the cold restart stopped it) */
  if (r->before_status != NULL && g_strcmp0 (s->status, r->before_status) != 0)
    {
      gboolean start = g_strcmp0 (r->before_status, "ACTIVE") == 0;

      if (r->power_sent)
        {
          recover_again (task);
          return;
        }
      if (g_strcmp0 (s->status, start ? "SHUTOFF" : "ACTIVE") != 0)
        {
          g_autofree char *why = g_strdup_printf ("it was %s before the move", r->before_status);

          recover_fail (task, VMM_ERROR_INCOMPATIBLE, why, s, m);
          return;
        }
      r->power_sent = TRUE;
      path = g_strdup_printf ("/servers/%s/action", base);
      recover_request (task, "POST", path, start ? "os-start" : "os-stop", "2.1",
                       start ? "os-start" : "os-stop");
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
recover_migrations_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RecoverData *r = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);

  if (node == NULL)
    {
      g_prefix_error (&error, "nova: recovering server '%s': ", r->vm);
      g_task_return_error (task, error);
      return;
    }
  recover_decide (task, vmm_nova_json_object (vmm_nova_json_root_object (r->server), "server"),
                  vmm_nova_json_array (vmm_nova_json_root_object (node), "migrations"));
}

static void
recover_server_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VmmNovaBackend *self = g_task_get_source_object (task);
  RecoverData *r = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (JsonNode) node
      = vmm_nova_client_call_finish (VMM_NOVA_CLIENT (source), result, NULL, &error);
  JsonObject *server = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;

  if (node == NULL && error == NULL)
    error = g_error_new (VMM_ERROR, VMM_ERROR_NOT_FOUND, "nova: no server '%s'", r->vm);
  if (node != NULL)
    server = server_pick (node, r->vm, &error);
  if (server == NULL)
    {
      g_prefix_error (&error, "nova: recovering server '%s': ", r->vm);
      g_task_return_error (task, error);
      return;
    }
  g_clear_pointer (&r->server, json_node_unref);
  r->server = json_node_init_object (json_node_alloc (), json_object_new ());
  json_object_set_object_member (json_node_get_object (r->server), "server",
                                 json_object_ref (server));
  id = g_uri_escape_string (vmm_nova_json_string (server, "id"), NULL, FALSE);
  path = g_strdup_printf ("/os-migrations?instance_uuid=%s", id);
  vmm_nova_client_call_async (self->client, "GET", path, NULL, V_MIGRATIONS,
                              VMM_NOVA_CALL_IDEMPOTENT, g_task_get_cancellable (task),
                              recover_migrations_cb, g_object_ref (task));
}

static void
recover_poll (GTask *task)
{
  VmmNovaBackend *self = g_task_get_source_object (task);
  RecoverData *r = g_task_get_task_data (task);
  g_autofree char *path = server_lookup_path (self, r->vm, r->server_id);

  if (g_task_return_error_if_cancelled (task))
    return;
  vmm_nova_client_call_async (self->client, "GET", path, NULL, V_SERVERS,
                              VMM_NOVA_CALL_IDEMPOTENT | VMM_NOVA_CALL_ALLOW_404,
                              g_task_get_cancellable (task), recover_server_cb,
                              g_object_ref (task));
}

static void
nova_recover_async (VmmBackend *backend, const char *vm, gboolean forward, const char *source,
                    const char *destination, const char *const *data, GCancellable *cancellable,
                    GAsyncReadyCallback callback, gpointer user_data)
{
  VmmNovaBackend *self = VMM_NOVA_BACKEND (backend);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  RecoverData *r = g_new0 (RecoverData, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, nova_recover_async);
  r->vm = g_strdup (vm);
  r->forward = forward;
  r->source = g_strdup (source);
  r->destination = g_strdup (destination);
  r->started = g_get_monotonic_time ();
  r->done = g_string_new (NULL);
  recover_read_data (r, data);
  g_task_set_task_data (task, r, (GDestroyNotify)recover_data_free);
  if (!vmm_nova_client_require_version (self->client, V_MIGRATIONS, "reading a server's migrations",
                                        &error))
    {
      g_task_return_error (task, error);
      return;
    }
  recover_poll (task);
}

static gboolean
nova_recover_finish (VmmBackend *backend, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vmm_nova_backend_class_init (VmmNovaBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VmmBackendClass *backend_class = VMM_BACKEND_CLASS (klass);

  object_class->finalize = vmm_nova_backend_finalize;
  backend_class->open = vmm_nova_backend_open;
  backend_class->get_capabilities = nova_get_capabilities;
  backend_class->get_step_mode = nova_get_step_mode;
  backend_class->query_inventory_async = nova_query_inventory_async;
  backend_class->query_inventory_finish = nova_query_inventory_finish;
  backend_class->prepare_source = nova_prepare_source;
  backend_class->initiate_source = nova_initiate_source;
  backend_class->unregister_source_vm = nova_unregister_source_vm;
  backend_class->register_destination_vm = nova_register_destination_vm;
  backend_class->complete_destination = nova_complete_destination;
  backend_class->power_off = nova_power_off;
  backend_class->power_on = nova_power_on;
  backend_class->undo_step = nova_undo_step;
  backend_class->abort = nova_abort;
  backend_class->apply_timeout_action = nova_apply_timeout_action;
  backend_class->cleanup = nova_cleanup;
  backend_class->set_host_enabled_async = nova_set_host_enabled_async;
  backend_class->set_host_enabled_finish = nova_set_host_enabled_finish;
  backend_class->locate_vm_async = nova_locate_vm_async;
  backend_class->locate_vm_finish = nova_locate_vm_finish;
  backend_class->recover_async = nova_recover_async;
  backend_class->recover_finish = nova_recover_finish;
}

static void
vmm_nova_backend_init (VmmNovaBackend *self)
{
  self->poll_ms = 250;
  self->servers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)vmm_nova_server_free);
}

/* --- fuzzing --- */

GPtrArray *
vmm_nova_parse_for_fuzzing (const char *body, gsize length, VmmInventory **inventory)
{
  g_autoptr (GBytes) bytes = g_bytes_new (body, length);
  g_autoptr (VmmNovaBackend) self = g_object_new (VMM_TYPE_NOVA_BACKEND, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  GPtrArray *errors = g_ptr_array_new_with_free_func ((GDestroyNotify)g_error_free);
  InventoryData data = { { NULL } };
  JsonNode *root;
  JsonObject *obj;

  *inventory = NULL;
  self->client = vmm_nova_client_new_for_fuzzing ();
  vmm_nova_client_read_for_fuzzing (self->client, bytes, errors);
  if (length > G_MAXSSIZE || !json_parser_load_from_data (parser, body, (gssize)length, NULL))
    return errors;
  root = json_parser_get_root (parser);
  obj = vmm_nova_json_root_object (root);
  if (root == NULL)
    return errors;

  /* the inventory: the body as the answer of each of its four reads */
  for (guint i = 0; i < INV_N; i++)
    data.answers[i] = json_node_ref (root);
  *inventory = inventory_build (self, &data);
  for (guint i = 0; i < INV_N; i++)
    g_clear_pointer (&data.answers[i], json_node_unref);

  /* one server, as a move reads it */
  if (vmm_nova_json_object (obj, "server") != NULL)
    {
      g_autoptr (VmmNovaServer) s = server_from_json (vmm_nova_json_object (obj, "server"));
      g_autofree char *where = server_where (s);

      g_ptr_array_add (errors,
                       g_error_new (VMM_ERROR, VMM_ERROR_FAILED, "%s, power %d%s", where,
                                    (int)power_state_of (s), server_busy (s) ? " (busy)" : ""));
    }

  /* a move following its migration record, its progress and its failure */
  for (MoveOp op = OP_LIVE; op <= OP_COLD; op++)
    {
      NovaMove *mv = g_new0 (NovaMove, 1);
      JsonObject *action = vmm_nova_json_object (obj, "instanceAction");
      g_autoptr (GString) why = NULL;
      VmmError code;
      guint64 done, total;

      mv->op = op;
      mv->known = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      move_read_migrations (mv, vmm_nova_json_array (obj, "migrations"));
      if (migration_progress (vmm_nova_json_object (obj, "migration"), &done, &total))
        g_assert (done <= total);
      why = failure_details (vmm_nova_json_array (action, "events"), &code);
      g_ptr_array_add (
          errors, g_error_new (VMM_ERROR, code, "migration %" G_GINT64_FORMAT " %s to %s%s",
                               mv->migration_id,
                               mv->migration_status != NULL ? mv->migration_status : "none",
                               mv->migration_dest != NULL ? mv->migration_dest : "none", why->str));
      nova_move_free (mv);
    }

  /* the compute service of a host */
  if (find_service_id (vmm_nova_json_array (obj, "services"), "host1") != NULL)
    g_ptr_array_add (
        errors, g_error_new (VMM_ERROR, VMM_ERROR_FAILED, "service %s",
                             find_service_id (vmm_nova_json_array (obj, "services"), "host1")));
  return errors;
}
