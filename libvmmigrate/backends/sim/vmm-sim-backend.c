/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

#include <json-glib/json-glib.h>

/**
 * VmmSimBackend:
 *
 * The built-in simulated platform, opened by `sim://` (a default inventory)
 * or `sim:///path/inventory.json` (the documented JSON inventory). Moves
 * really change its in-memory inventory: which host each VM is registered
 * and running on, which files each datastore holds, how much memory each host
 * uses. It models time (a latency per step and a transfer rate, so big VMs
 * take longer) and injects faults on request.
 *
 * It exists for the engine's own tests, demos and benchmarks; it never stands
 * in for a real backend's tests.
 *
 * Since: 1.0
 */

#define TICK_MS 20

typedef enum
{
  ROLE_ACTIVE,
  ROLE_INCOMING,
  ROLE_STALE,
} Role;

typedef struct
{
  const char *host; /* interned */
  Role role;
} Instance;

typedef struct
{
  char *vm;
  VmmStep step;
  VmmSimFaultKind kind;
  VmmError code;
  int count;
} Fault;

/* What one migration changed, so its undo and cleanup know. */
typedef struct
{
  struct _StepRun *waiting; /* the step waiting (latency, hang, transfer), if any */
  VmmMigrationContext *ctx; /* the owner (not a reference) */
  GHashTable *created;      /* step -> GPtrArray of file keys created by that step */
  GPtrArray *old_files;     /* these three made on first use */
  GPtrArray *dirs;
  char *placeholder;
  char *orig_host;
  char *orig_pool;
  char *orig_datastore;
  GPtrArray *orig_disks;
  GHashTable *orig_networks; /* device key -> network */
  struct _StepRun *transfer; /* the step moving data now, if any */
  guint aborted : 1;         /* an abort arrived for the step in flight */
  guint recorded : 1;        /* the VM as it was is in the journal */
  guint reserved : 1;
} SimMove;

struct _VmmSimBackend
{
  VmmBackend parent_instance;

  VmmInventory *inventory;
  GHashTable *instances; /* vm -> GPtrArray<Instance> */
  GHashTable *files;     /* "[ds] path" -> guint64* size */
  GHashTable *dirs;      /* "[ds] vm" reserved for a move -> vm */
  GHashTable *placeholders;
  GPtrArray *faults;
  guint latency_ms;
  guint rate_mibps;
  guint n_steps;
  char *state_path; /* persist=true: the platform's state is written here after each change */
};

G_DEFINE_FINAL_TYPE (VmmSimBackend, vmm_sim_backend, VMM_TYPE_BACKEND)

void
vmm_sim_backend_register (void)
{
  g_io_extension_point_implement (VMM_BACKEND_EXTENSION_POINT_NAME, VMM_TYPE_SIM_BACKEND, "sim", 0);
}

static void
instance_free (Instance *inst)
{
  g_free (inst);
}

static void
fault_free (Fault *fault)
{
  g_free (fault->vm);
  g_free (fault);
}

static void
sim_move_free (SimMove *mv)
{
  g_clear_pointer (&mv->created, g_hash_table_unref);
  g_clear_pointer (&mv->old_files, g_ptr_array_unref);
  g_clear_pointer (&mv->dirs, g_ptr_array_unref);
  g_free (mv->placeholder);
  g_free (mv->orig_host);
  g_free (mv->orig_pool);
  g_free (mv->orig_datastore);
  g_clear_pointer (&mv->orig_disks, g_ptr_array_unref);
  g_clear_pointer (&mv->orig_networks, g_hash_table_unref);
  g_free (mv);
}

/* @list, made on first use */
static GPtrArray *
str_list (GPtrArray **list)
{
  if (*list == NULL)
    *list = g_ptr_array_new_with_free_func (g_free);
  return *list;
}

static guint
str_list_len (GPtrArray *list)
{
  return list != NULL ? list->len : 0;
}

static SimMove *
sim_move_get (VmmMigrationContext *ctx)
{
  SimMove *mv = vmm_migration_context_get_backend_data (ctx);

  if (mv == NULL)
    {
      mv = g_new0 (SimMove, 1);
      mv->ctx = ctx;
      vmm_migration_context_set_backend_data (ctx, mv, (GDestroyNotify)sim_move_free);
    }
  return mv;
}

static void
vmm_sim_backend_finalize (GObject *object)
{
  VmmSimBackend *self = VMM_SIM_BACKEND (object);

  g_clear_object (&self->inventory);
  g_hash_table_unref (self->instances);
  g_hash_table_unref (self->files);
  g_hash_table_unref (self->dirs);
  g_hash_table_unref (self->placeholders);
  g_ptr_array_unref (self->faults);
  g_free (self->state_path);
  G_OBJECT_CLASS (vmm_sim_backend_parent_class)->finalize (object);
}

/* --- files and datastores --- */

static char *
file_key (const char *ds, const char *path)
{
  return g_strdup_printf ("[%s] %s", ds, path);
}

static char *
key_datastore (const char *key)
{
  const char *end = strchr (key, ']');

  return end != NULL ? g_strndup (key + 1, (gsize)(end - key - 1)) : g_strdup ("");
}

static void
datastore_adjust (VmmSimBackend *self, const char *ds_name, gint64 delta)
{
  VmmDatastoreInfo *ds = vmm_inventory_lookup_datastore (self->inventory, ds_name);
  gint64 free_bytes;

  if (ds == NULL)
    return;
  free_bytes = (gint64)vmm_datastore_info_get_free (ds) - delta;
  vmm_datastore_info_set_free (ds, (guint64)MAX (free_bytes, 0));
}

static gboolean
file_add (VmmSimBackend *self, const char *ds, const char *path, guint64 size, char **key_out,
          GError **error)
{
  VmmDatastoreInfo *info = vmm_inventory_lookup_datastore (self->inventory, ds);
  g_autofree char *key = file_key (ds, path);
  guint64 *psize;

  if (info == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "sim: no datastore '%s'", ds);
      return FALSE;
    }
  if (!vmm_datastore_info_get_online (info))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND, "sim: datastore '%s' is offline", ds);
      return FALSE;
    }
  if (g_hash_table_contains (self->files, key))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY, "sim: file %s already exists", key);
      return FALSE;
    }
  if (size > vmm_datastore_info_get_free (info))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INSUFFICIENT_CAPACITY,
                   "sim: datastore '%s' is full (%" G_GUINT64_FORMAT " MiB free, %" G_GUINT64_FORMAT
                   " MiB needed)",
                   ds, vmm_datastore_info_get_free (info) >> 20, size >> 20);
      return FALSE;
    }
  psize = g_new (guint64, 1);
  *psize = size;
  datastore_adjust (self, ds, (gint64)size);
  if (key_out != NULL)
    *key_out = g_strdup (key);
  g_hash_table_insert (self->files, g_steal_pointer (&key), psize);
  return TRUE;
}

static gboolean
file_remove (VmmSimBackend *self, const char *key, GError **error)
{
  g_autofree char *ds = key_datastore (key);
  VmmDatastoreInfo *info = vmm_inventory_lookup_datastore (self->inventory, ds);
  guint64 *psize = g_hash_table_lookup (self->files, key);

  if (psize == NULL)
    return TRUE;
  if (info != NULL && !vmm_datastore_info_get_online (info))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                   "sim: datastore '%s' is offline: %s cannot be removed", ds, key);
      return FALSE;
    }
  datastore_adjust (self, ds, -(gint64)*psize);
  g_hash_table_remove (self->files, key);
  return TRUE;
}

static const char *
disk_ext (const char *format)
{
  if (g_strcmp0 (format, "qcow2") == 0)
    return "qcow2";
  if (g_strcmp0 (format, "raw") == 0)
    return "img";
  return "vmdk";
}

static char *
config_path (const char *vm)
{
  return g_strdup_printf ("%s/%s.vmx", vm, vm);
}

static char *
snapshot_path (VmmDiskInfo *disk, guint n)
{
  g_autofree char *dir = g_path_get_dirname (vmm_disk_info_get_path (disk));

  return g_strdup_printf ("%s/%s-%06u.delta", dir, vmm_disk_info_get_key (disk), n);
}

static guint64
disk_size (VmmDiskInfo *disk)
{
  return vmm_disk_info_get_allocation (disk) > 0 ? vmm_disk_info_get_allocation (disk)
                                                 : vmm_disk_info_get_capacity (disk);
}

/* --- instances --- */

static GPtrArray *
instances_of (VmmSimBackend *self, const char *vm)
{
  GPtrArray *list = g_hash_table_lookup (self->instances, vm);

  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func ((GDestroyNotify)instance_free);
      g_hash_table_insert (self->instances, g_strdup (vm), list);
    }
  return list;
}

static Instance *
instance_find (VmmSimBackend *self, const char *vm, const char *host, Role role)
{
  GPtrArray *list = instances_of (self, vm);

  for (guint i = 0; i < list->len; i++)
    {
      Instance *inst = g_ptr_array_index (list, i);

      if (inst->role == role && (host == NULL || g_strcmp0 (inst->host, host) == 0))
        return inst;
    }
  return NULL;
}

static void
instance_add (VmmSimBackend *self, const char *vm, const char *host, Role role)
{
  Instance *inst = g_new0 (Instance, 1);

  vmm_set_name (&inst->host, host);
  inst->role = role;
  g_ptr_array_add (instances_of (self, vm), inst);
}

static gboolean
instance_remove (VmmSimBackend *self, const char *vm, const char *host, Role role)
{
  Instance *inst = instance_find (self, vm, host, role);

  if (inst == NULL)
    return FALSE;
  g_ptr_array_remove (instances_of (self, vm), inst);
  return TRUE;
}

static void
host_adjust (VmmSimBackend *self, const char *host_name, VmmVmInfo *vm, int sign)
{
  VmmHostInfo *host = vmm_inventory_lookup_host (self->inventory, host_name);
  gint64 mem, cpus;

  if (host == NULL)
    return;
  mem = (gint64)vmm_host_info_get_memory_used_mib (host)
        + sign * (gint64)vmm_vm_info_get_memory_mib (vm);
  cpus = (gint64)vmm_host_info_get_vcpus_used (host) + sign * (gint64)vmm_vm_info_get_vcpus (vm);
  vmm_host_info_set_memory_used_mib (host, (guint64)MAX (mem, 0));
  vmm_host_info_set_vcpus_used (host, (guint)MAX (cpus, 0));
}

/* --- JSON inventory --- */

static gboolean
parse_error (GError **error, const char *where, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
parse_error (GError **error, const char *where, const char *fmt, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, fmt);
  msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "sim inventory: %s: %s", where, msg);
  return FALSE;
}

/* the same, in a function returning a pointer */
#define parse_error_null(...) (parse_error (__VA_ARGS__), NULL)

static const char *
get_string (JsonObject *obj, const char *member, const char *def)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return def;
  return json_node_get_string (node);
}

static double
get_number (JsonObject *obj, const char *member, double def)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return def;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double)json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  return def;
}

static gboolean
check_members (JsonObject *obj, const char *where, const char *const *known, GError **error)
{
  g_autoptr (GList) members = json_object_get_members (obj);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      return parse_error (error, where, "unknown member '%s'", (char *)l->data);
  return TRUE;
}

static gboolean
check_types (JsonObject *obj, const char *where, const char *const *strings,
             const char *const *numbers, const char *const *arrays, GError **error)
{
  for (guint i = 0; strings != NULL && strings[i] != NULL; i++)
    {
      JsonNode *node = json_object_get_member (obj, strings[i]);

      if (node != NULL
          && (JSON_NODE_TYPE (node) != JSON_NODE_VALUE
              || json_node_get_value_type (node) != G_TYPE_STRING
              || *json_node_get_string (node) == '\0'))
        return parse_error (error, where, "'%s' must be a non-empty string", strings[i]);
    }
  for (guint i = 0; numbers != NULL && numbers[i] != NULL; i++)
    {
      JsonNode *node = json_object_get_member (obj, numbers[i]);

      if (node != NULL
          && (JSON_NODE_TYPE (node) != JSON_NODE_VALUE
              || (json_node_get_value_type (node) != G_TYPE_INT64
                  && json_node_get_value_type (node) != G_TYPE_DOUBLE)
              || get_number (obj, numbers[i], 0) < 0))
        return parse_error (error, where, "'%s' must be a number >= 0", numbers[i]);
      /* every number is stored in at most 32 bits before any scaling */
      if (node != NULL && !(get_number (obj, numbers[i], 0) <= (double)G_MAXUINT32))
        return parse_error (error, where, "'%s' must be at most %u", numbers[i], G_MAXUINT32);
    }
  for (guint i = 0; arrays != NULL && arrays[i] != NULL; i++)
    {
      JsonNode *node = json_object_get_member (obj, arrays[i]);

      if (node != NULL && JSON_NODE_TYPE (node) != JSON_NODE_ARRAY)
        return parse_error (error, where, "'%s' must be an array", arrays[i]);
    }
  return TRUE;
}

static gboolean
check_booleans (JsonObject *obj, const char *where, const char *const *booleans, GError **error)
{
  for (guint i = 0; booleans[i] != NULL; i++)
    {
      JsonNode *node = json_object_get_member (obj, booleans[i]);

      if (node != NULL
          && (JSON_NODE_TYPE (node) != JSON_NODE_VALUE
              || json_node_get_value_type (node) != G_TYPE_BOOLEAN))
        return parse_error (error, where, "'%s' must be true or false", booleans[i]);
    }
  return TRUE;
}

static GStrv
get_strv (JsonObject *obj, const char *member, const char *where, GError **error)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL)
    return g_strv_builder_end (builder);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *el = json_array_get_element (array, i);

      if (JSON_NODE_TYPE (el) != JSON_NODE_VALUE || json_node_get_value_type (el) != G_TYPE_STRING)
        {
          g_autofree char *at = g_strdup_printf ("%s.%s[%u]", where, member, i);
          parse_error (error, at, "must be a string");
          return NULL;
        }
      g_strv_builder_add (builder, json_node_get_string (el));
    }
  return g_strv_builder_end (builder);
}

static gboolean
parse_enum (const char *where, const char *member, const char *value, const char *const *names,
            int *out, GError **error)
{
  for (int i = 0; names[i] != NULL; i++)
    if (g_strcmp0 (names[i], value) == 0)
      {
        *out = i;
        return TRUE;
      }
  {
    g_autofree char *allowed = g_strjoinv (", ", (char **)names);
    return parse_error (error, where, "'%s' must be one of %s, not '%s'", member, allowed, value);
  }
}

static const char *const host_states[] = { "connected", "maintenance", "disabled", "down", NULL };
static const char *const power_states[] = { "unknown", "running", "off", "suspended", NULL };
static const char *const device_kinds[] = { "other", "cdrom", "nic", "floppy", "serial", NULL };
static const char *const fault_kinds[] = { "fail", "hang", "lose-datastore", "fail-undo", NULL };

static gboolean
parse_step (const char *name, VmmStep *step)
{
  for (guint i = 0; i < VMM_STEP_LAST; i++)
    if (g_strcmp0 (vmm_step_get_name (i), name) == 0)
      {
        *step = i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
parse_error_code (const char *name, VmmError *code)
{
  GEnumClass *klass = g_type_class_ref (VMM_TYPE_ERROR);
  GEnumValue *value = g_enum_get_value_by_nick (klass, name);

  if (value != NULL)
    *code = value->value;
  g_type_class_unref (klass);
  return value != NULL;
}

static gboolean
load_hosts (VmmSimBackend *self, JsonArray *hosts, GError **error)
{
  static const char *const known[]
      = { "name",       "manager",      "datacenter",     "cluster",
          "zone",       "state",        "cpu-model",      "cpu-features",
          "memory-mib", "vcpus",        "cpu-overcommit", "networks",
          "pools",      "default-pool", "metadata",       "migration-problem",
          NULL };
  static const char *const strings[]
      = { "name",  "manager",   "datacenter",   "cluster",           "zone",
          "state", "cpu-model", "default-pool", "migration-problem", NULL };
  static const char *const numbers[] = { "memory-mib", "vcpus", "cpu-overcommit", NULL };
  static const char *const arrays[] = { "cpu-features", "networks", "pools", "metadata", NULL };

  for (guint i = 0; i < json_array_get_length (hosts); i++)
    {
      g_autofree char *where = g_strdup_printf ("hosts[%u]", i);
      JsonNode *node = json_array_get_element (hosts, i);
      JsonObject *obj;
      g_autoptr (VmmHostInfo) host = NULL;
      g_auto (GStrv) features = NULL, networks = NULL, pools = NULL, metadata = NULL;
      int state = VMM_HOST_STATE_CONNECTED;

      if (JSON_NODE_TYPE (node) != JSON_NODE_OBJECT)
        return parse_error (error, where, "must be an object");
      obj = json_node_get_object (node);
      if (!check_members (obj, where, known, error)
          || !check_types (obj, where, strings, numbers, arrays, error))
        return FALSE;
      if (get_string (obj, "name", NULL) == NULL)
        return parse_error (error, where, "'name' is missing");
      if (json_object_has_member (obj, "cpu-overcommit")
          && get_number (obj, "cpu-overcommit", 0) <= 0)
        return parse_error (error, where, "'cpu-overcommit' must be a number > 0");
      if (vmm_inventory_lookup_host (self->inventory, get_string (obj, "name", NULL)) != NULL)
        return parse_error (error, where, "a host named '%s' is listed twice",
                            get_string (obj, "name", NULL));
      if (get_string (obj, "state", NULL) != NULL
          && !parse_enum (where, "state", get_string (obj, "state", NULL), host_states, &state,
                          error))
        return FALSE;
      if ((features = get_strv (obj, "cpu-features", where, error)) == NULL
          || (networks = get_strv (obj, "networks", where, error)) == NULL
          || (pools = get_strv (obj, "pools", where, error)) == NULL
          || (metadata = get_strv (obj, "metadata", where, error)) == NULL)
        return FALSE;
      host = vmm_host_info_new (get_string (obj, "name", NULL));
      vmm_host_info_set_manager (host, get_string (obj, "manager", "vc1"));
      vmm_host_info_set_datacenter (host, get_string (obj, "datacenter", "dc1"));
      vmm_host_info_set_cluster (host, get_string (obj, "cluster", NULL));
      vmm_host_info_set_zone (host, get_string (obj, "zone", NULL));
      vmm_host_info_set_migration_problem (host, get_string (obj, "migration-problem", NULL));
      vmm_host_info_set_state (host, state);
      vmm_host_info_set_cpu_model (host, get_string (obj, "cpu-model", NULL));
      vmm_host_info_set_cpu_features (host, (const char *const *)features);
      vmm_host_info_set_memory_mib (host, (guint64)get_number (obj, "memory-mib", 65536));
      vmm_host_info_set_vcpus (host, (guint)get_number (obj, "vcpus", 16));
      vmm_host_info_set_cpu_overcommit (host, get_number (obj, "cpu-overcommit", 1.0));
      vmm_host_info_set_networks (host, (const char *const *)networks);
      if (json_object_has_member (obj, "pools"))
        vmm_host_info_set_pools (host, (const char *const *)pools);
      vmm_host_info_set_default_pool (host, get_string (obj, "default-pool", NULL));
      vmm_host_info_set_metadata (host, (const char *const *)metadata);
      vmm_inventory_add_host (self->inventory, host);
    }
  return TRUE;
}

static gboolean
load_datastores (VmmSimBackend *self, JsonArray *datastores, GError **error)
{
  static const char *const known[] = { "name", "shared", "hosts", "capacity-gib", "online", NULL };
  static const char *const strings[] = { "name", NULL };
  static const char *const numbers[] = { "capacity-gib", NULL };
  static const char *const arrays[] = { "hosts", NULL };
  static const char *const booleans[] = { "shared", "online", NULL };

  for (guint i = 0; i < json_array_get_length (datastores); i++)
    {
      g_autofree char *where = g_strdup_printf ("datastores[%u]", i);
      JsonNode *node = json_array_get_element (datastores, i);
      JsonObject *obj;
      g_autoptr (VmmDatastoreInfo) ds = NULL;
      g_auto (GStrv) hosts = NULL;
      guint64 capacity;

      if (JSON_NODE_TYPE (node) != JSON_NODE_OBJECT)
        return parse_error (error, where, "must be an object");
      obj = json_node_get_object (node);
      if (!check_members (obj, where, known, error)
          || !check_types (obj, where, strings, numbers, arrays, error)
          || !check_booleans (obj, where, booleans, error))
        return FALSE;
      if (get_string (obj, "name", NULL) == NULL)
        return parse_error (error, where, "'name' is missing");
      if (vmm_inventory_lookup_datastore (self->inventory, get_string (obj, "name", NULL)) != NULL)
        return parse_error (error, where, "a datastore named '%s' is listed twice",
                            get_string (obj, "name", NULL));
      if ((hosts = get_strv (obj, "hosts", where, error)) == NULL)
        return FALSE;
      for (guint h = 0; hosts[h] != NULL; h++)
        {
          VmmHostInfo *host = vmm_inventory_lookup_host (self->inventory, hosts[h]);
          g_auto (GStrv) list = NULL;
          g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

          if (host == NULL)
            return parse_error (error, where, "hosts: no host named '%s'", hosts[h]);
          if (vmm_host_info_get_datastores (host) != NULL)
            g_strv_builder_addv (builder, (const char **)vmm_host_info_get_datastores (host));
          g_strv_builder_add (builder, get_string (obj, "name", NULL));
          list = g_strv_builder_end (builder);
          vmm_host_info_set_datastores (host, (const char *const *)list);
        }
      capacity = (guint64)(get_number (obj, "capacity-gib", 1024) * 1024.0 * 1024.0 * 1024.0);
      ds = vmm_datastore_info_new (get_string (obj, "name", NULL));
      vmm_datastore_info_set_shared (
          ds, json_object_get_boolean_member_with_default (obj, "shared", FALSE));
      vmm_datastore_info_set_online (
          ds, json_object_get_boolean_member_with_default (obj, "online", TRUE));
      vmm_datastore_info_set_capacity (ds, capacity);
      vmm_datastore_info_set_free (ds, capacity);
      vmm_datastore_info_set_hosts (ds, (const char *const *)hosts);
      vmm_inventory_add_datastore (self->inventory, ds);
    }
  return TRUE;
}

static gboolean
load_vm_files (VmmSimBackend *self, VmmVmInfo *vm, const char *where, GError **error)
{
  GPtrArray *disks = vmm_vm_info_get_disks (vm);
  g_autofree char *cfg = config_path (vmm_vm_info_get_name (vm));
  g_autoptr (GError) local_error = NULL;

  if (!file_add (self, vmm_vm_info_get_datastore (vm), cfg, 4096, NULL, &local_error))
    return parse_error (error, where, "%s", local_error->message);
  for (guint i = 0; i < disks->len; i++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (disks, i);

      if (!file_add (self, vmm_disk_info_get_datastore (disk), vmm_disk_info_get_path (disk),
                     disk_size (disk), NULL, &local_error))
        return parse_error (error, where, "%s", local_error->message);
      for (guint s = 1; s <= vmm_disk_info_get_snapshots (disk); s++)
        {
          g_autofree char *path = snapshot_path (disk, s);

          if (!file_add (self, vmm_disk_info_get_datastore (disk), path, disk_size (disk) / 100,
                         NULL, &local_error))
            return parse_error (error, where, "%s", local_error->message);
        }
    }
  return TRUE;
}

/* a snapshot chain longer than this is refused (vSphere allows 32) */
#define SIM_MAX_SNAPSHOTS 255

/* One VM object of the inventory format, without side effects. */
static VmmVmInfo *
parse_vm (VmmSimBackend *self, JsonObject *obj, const char *where, GError **error)
{
  static const char *const known[]
      = { "name",  "host",       "pool",  "datastore",         "folder",
          "power", "memory-mib", "vcpus", "cpu-features",      "dirty-rate-mibps",
          "disks", "devices",    "id",    "required-metadata", NULL };
  static const char *const strings[]
      = { "name", "host", "pool", "datastore", "folder", "power", "id", NULL };
  static const char *const numbers[] = { "memory-mib", "vcpus", "dirty-rate-mibps", NULL };
  static const char *const arrays[]
      = { "cpu-features", "disks", "devices", "required-metadata", NULL };
  static const char *const disk_known[]
      = { "key", "datastore", "path", "capacity-gib", "format", "snapshots", NULL };
  static const char *const disk_strings[] = { "key", "datastore", "path", "format", NULL };
  static const char *const disk_numbers[] = { "capacity-gib", "snapshots", NULL };
  static const char *const dev_known[]
      = { "key", "kind", "datastore", "path", "network", "connected", NULL };
  static const char *const dev_strings[] = { "key", "kind", "datastore", "path", "network", NULL };
  static const char *const dev_booleans[] = { "connected", NULL };

  {
    g_autoptr (VmmVmInfo) vm = NULL;
    g_auto (GStrv) features = NULL, required = NULL;
    const char *name, *host, *ds;
    int power = VMM_POWER_STATE_OFF;
    JsonArray *list;

    if (!check_members (obj, where, known, error)
        || !check_types (obj, where, strings, numbers, arrays, error))
      return NULL;
    name = get_string (obj, "name", NULL);
    host = get_string (obj, "host", NULL);
    ds = get_string (obj, "datastore", NULL);
    if (name == NULL || host == NULL || ds == NULL)
      return parse_error_null (error, where, "'name', 'host' and 'datastore' are required");
    if (vmm_inventory_lookup_host (self->inventory, host) == NULL)
      return parse_error_null (error, where, "host: no host named '%s'", host);
    if (vmm_inventory_lookup_datastore (self->inventory, ds) == NULL)
      return parse_error_null (error, where, "datastore: no datastore named '%s'", ds);
    if (get_string (obj, "power", NULL) != NULL
        && !parse_enum (where, "power", get_string (obj, "power", NULL), power_states, &power,
                        error))
      return NULL;
    if ((features = get_strv (obj, "cpu-features", where, error)) == NULL
        || (required = get_strv (obj, "required-metadata", where, error)) == NULL)
      return NULL;
    vm = vmm_vm_info_new (name);
    vmm_vm_info_set_required_metadata (vm, (const char *const *)required);
    vmm_vm_info_set_id (vm, get_string (obj, "id", name));
    vmm_vm_info_set_host (vm, host);
    vmm_vm_info_set_resource_pool (vm, get_string (obj, "pool", "Resources"));
    vmm_vm_info_set_datastore (vm, ds);
    vmm_vm_info_set_folder (vm, get_string (obj, "folder", "vm"));
    vmm_vm_info_set_power_state (vm, power);
    vmm_vm_info_set_memory_mib (vm, (guint64)get_number (obj, "memory-mib", 1024));
    vmm_vm_info_set_vcpus (vm, (guint)get_number (obj, "vcpus", 1));
    vmm_vm_info_set_cpu_features (vm, (const char *const *)features);
    vmm_vm_info_set_dirty_rate (vm, (guint64)(get_number (obj, "dirty-rate-mibps", 0) * 1048576.0));

    list = json_object_has_member (obj, "disks") ? json_object_get_array_member (obj, "disks")
                                                 : NULL;
    for (guint d = 0; list != NULL && d < json_array_get_length (list); d++)
      {
        g_autofree char *dwhere = g_strdup_printf ("%s.disks[%u]", where, d);
        JsonNode *dnode = json_array_get_element (list, d);
        JsonObject *dobj;
        g_autoptr (VmmDiskInfo) disk = NULL;
        g_autofree char *path = NULL;
        const char *key, *dds, *format;

        if (JSON_NODE_TYPE (dnode) != JSON_NODE_OBJECT)
          return parse_error_null (error, dwhere, "must be an object");
        dobj = json_node_get_object (dnode);
        if (!check_members (dobj, dwhere, disk_known, error)
            || !check_types (dobj, dwhere, disk_strings, disk_numbers, NULL, error))
          return NULL;
        key = get_string (dobj, "key", NULL);
        if (key == NULL)
          return parse_error_null (error, dwhere, "'key' is missing");
        if (vmm_vm_info_lookup_disk (vm, key) != NULL)
          return parse_error_null (error, dwhere, "disk key '%s' is used twice", key);
        if (get_number (dobj, "snapshots", 0) > SIM_MAX_SNAPSHOTS)
          return parse_error_null (error, dwhere, "'snapshots' must be at most %u",
                                   SIM_MAX_SNAPSHOTS);
        dds = get_string (dobj, "datastore", ds);
        if (vmm_inventory_lookup_datastore (self->inventory, dds) == NULL)
          return parse_error_null (error, dwhere, "datastore: no datastore named '%s'", dds);
        format = get_string (dobj, "format", "thin");
        path = g_strdup (get_string (dobj, "path", NULL));
        if (path == NULL)
          path = g_strdup_printf ("%s/%s-%s.%s", name, name, key, disk_ext (format));
        disk = vmm_disk_info_new (key, dds, path);
        vmm_disk_info_set_capacity (
            disk, (guint64)(get_number (dobj, "capacity-gib", 8) * 1024.0 * 1024.0 * 1024.0));
        vmm_disk_info_set_format (disk, format);
        vmm_disk_info_set_snapshots (disk, (guint)get_number (dobj, "snapshots", 0));
        vmm_vm_info_add_disk (vm, disk);
      }
    list = json_object_has_member (obj, "devices") ? json_object_get_array_member (obj, "devices")
                                                   : NULL;
    for (guint d = 0; list != NULL && d < json_array_get_length (list); d++)
      {
        g_autofree char *dwhere = g_strdup_printf ("%s.devices[%u]", where, d);
        JsonNode *dnode = json_array_get_element (list, d);
        JsonObject *dobj;
        g_autoptr (VmmDeviceInfo) dev = NULL;
        int kind = VMM_DEVICE_KIND_OTHER;

        if (JSON_NODE_TYPE (dnode) != JSON_NODE_OBJECT)
          return parse_error_null (error, dwhere, "must be an object");
        dobj = json_node_get_object (dnode);
        if (!check_members (dobj, dwhere, dev_known, error)
            || !check_types (dobj, dwhere, dev_strings, NULL, NULL, error)
            || !check_booleans (dobj, dwhere, dev_booleans, error))
          return NULL;
        if (get_string (dobj, "key", NULL) == NULL)
          return parse_error_null (error, dwhere, "'key' is missing");
        if (get_string (dobj, "kind", NULL) != NULL
            && !parse_enum (dwhere, "kind", get_string (dobj, "kind", NULL), device_kinds, &kind,
                            error))
          return NULL;
        if (get_string (dobj, "datastore", NULL) != NULL
            && vmm_inventory_lookup_datastore (self->inventory,
                                               get_string (dobj, "datastore", NULL))
                   == NULL)
          return parse_error_null (error, dwhere, "datastore: no datastore named '%s'",
                                   get_string (dobj, "datastore", NULL));
        dev = vmm_device_info_new (get_string (dobj, "key", NULL), kind);
        vmm_device_info_set_backing_datastore (dev, get_string (dobj, "datastore", NULL));
        vmm_device_info_set_backing_path (dev, get_string (dobj, "path", NULL));
        vmm_device_info_set_network (dev, get_string (dobj, "network", NULL));
        vmm_device_info_set_connected (
            dev, json_object_get_boolean_member_with_default (dobj, "connected", TRUE));
        vmm_vm_info_add_device (vm, dev);
      }
    return g_steal_pointer (&vm);
  }
}

static gboolean
load_vms (VmmSimBackend *self, JsonArray *vms, GError **error)
{
  for (guint i = 0; i < json_array_get_length (vms); i++)
    {
      g_autofree char *where = g_strdup_printf ("vms[%u]", i);
      JsonNode *node = json_array_get_element (vms, i);
      g_autoptr (VmmVmInfo) vm = NULL;
      const char *name;

      if (JSON_NODE_TYPE (node) != JSON_NODE_OBJECT)
        return parse_error (error, where, "must be an object");
      vm = parse_vm (self, json_node_get_object (node), where, error);
      if (vm == NULL)
        return FALSE;
      name = vmm_vm_info_get_name (vm);
      if (vmm_inventory_lookup_vm (self->inventory, name) != NULL)
        return parse_error (error, where, "a VM named '%s' is listed twice", name);
      if (!load_vm_files (self, vm, where, error))
        return FALSE;
      instance_add (self, name, vmm_vm_info_get_host (vm), ROLE_ACTIVE);
      if (vmm_vm_info_get_power_state (vm) == VMM_POWER_STATE_RUNNING)
        host_adjust (self, vmm_vm_info_get_host (vm), vm, +1);
      vmm_inventory_add_vm (self->inventory, vm);
    }
  return TRUE;
}

static gboolean
load_faults (VmmSimBackend *self, JsonArray *faults, GError **error)
{
  static const char *const known[] = { "vm", "step", "kind", "error", "count", NULL };
  static const char *const strings[] = { "vm", "step", "kind", "error", NULL };

  for (guint i = 0; i < json_array_get_length (faults); i++)
    {
      g_autofree char *where = g_strdup_printf ("faults[%u]", i);
      JsonNode *node = json_array_get_element (faults, i);
      JsonObject *obj;
      VmmStep step;
      VmmError code = VMM_ERROR_BACKEND;
      int kind = VMM_SIM_FAULT_FAIL;

      if (JSON_NODE_TYPE (node) != JSON_NODE_OBJECT)
        return parse_error (error, where, "must be an object");
      obj = json_node_get_object (node);
      if (!check_members (obj, where, known, error)
          || !check_types (obj, where, strings, NULL, NULL, error))
        return FALSE;
      if (json_object_has_member (obj, "count"))
        {
          JsonNode *count = json_object_get_member (obj, "count");

          if (JSON_NODE_TYPE (count) != JSON_NODE_VALUE
              || json_node_get_value_type (count) != G_TYPE_INT64 || json_node_get_int (count) < -1
              || json_node_get_int (count) > G_MAXINT)
            return parse_error (error, where, "'count' must be an integer from -1 (always) to %d",
                                G_MAXINT);
        }
      if (!parse_step (get_string (obj, "step", ""), &step))
        return parse_error (error, where, "step: '%s' is not a workflow step (e.g. InitiateSource)",
                            get_string (obj, "step", ""));
      if (get_string (obj, "kind", NULL) != NULL
          && !parse_enum (where, "kind", get_string (obj, "kind", NULL), fault_kinds, &kind, error))
        return FALSE;
      if (get_string (obj, "error", NULL) != NULL
          && !parse_error_code (get_string (obj, "error", NULL), &code))
        return parse_error (error, where, "error: '%s' is not a VmmError nick (e.g. backend)",
                            get_string (obj, "error", NULL));
      vmm_sim_backend_inject_fault (self, get_string (obj, "vm", NULL), step, kind, code,
                                    (int)get_number (obj, "count", -1));
    }
  return TRUE;
}

/* json-glib 1.6 reads a sequence of values ("{...}{...}") as one document
 * whose root is the first value, and accepts a JavaScript assignment ("var
 * x = {...}"): count the objects and arrays that end at the top level. */
typedef struct
{
  guint depth;
  guint n_values;
} TopLevel;

static void
top_level_start_cb (JsonParser *parser, gpointer user_data)
{
  ((TopLevel *)user_data)->depth++;
}

static void
top_level_end (TopLevel *top)
{
  if (top->depth > 0 && --top->depth == 0)
    top->n_values++;
}

static void
top_level_object_end_cb (JsonParser *parser, JsonObject *object, gpointer user_data)
{
  top_level_end (user_data);
}

static void
top_level_array_end_cb (JsonParser *parser, JsonArray *array, gpointer user_data)
{
  top_level_end (user_data);
}

static gboolean
load_platform (VmmSimBackend *self, JsonNode *node, GError **error);

static gboolean
load_json (VmmSimBackend *self, const char *json, gssize length, GError **error)
{
  static const char *const known[]
      = { "settings", "hosts", "datastores", "vms", "faults", "platform", NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local_error = NULL;
  TopLevel top = { 0 };
  gboolean ok;
  JsonNode *root;
  JsonObject *obj;

  g_signal_connect (parser, "object-start", G_CALLBACK (top_level_start_cb), &top);
  g_signal_connect (parser, "array-start", G_CALLBACK (top_level_start_cb), &top);
  g_signal_connect (parser, "object-end", G_CALLBACK (top_level_object_end_cb), &top);
  g_signal_connect (parser, "array-end", G_CALLBACK (top_level_array_end_cb), &top);
  ok = json_parser_load_from_data (parser, json, length, &local_error);
  g_signal_handlers_disconnect_by_data (parser, &top);
  if (!ok)
    return parse_error (error, "JSON", "%s", local_error->message);
  if (json_parser_has_assignment (parser, NULL))
    return parse_error (error, "JSON", "a JavaScript assignment is not JSON");
  if (top.n_values > 1)
    return parse_error (error, "JSON", "%u values one after the other (expected one object)",
                        top.n_values);
  root = json_parser_get_root (parser);
  if (root == NULL || JSON_NODE_TYPE (root) != JSON_NODE_OBJECT)
    return parse_error (error, "root", "must be an object");
  obj = json_node_get_object (root);
  if (!check_members (obj, "root", known, error))
    return FALSE;
  for (guint i = 1; known[i] != NULL && !g_str_equal (known[i], "platform"); i++)
    {
      JsonNode *node = json_object_get_member (obj, known[i]);

      if (node != NULL && JSON_NODE_TYPE (node) != JSON_NODE_ARRAY)
        return parse_error (error, known[i], "must be an array");
    }
  if (json_object_has_member (obj, "settings"))
    {
      JsonNode *node = json_object_get_member (obj, "settings");
      static const char *const settings[] = { "step-latency-ms", "transfer-mibps", NULL };
      JsonObject *s;

      if (JSON_NODE_TYPE (node) != JSON_NODE_OBJECT)
        return parse_error (error, "settings", "must be an object");
      s = json_node_get_object (node);
      if (!check_members (s, "settings", settings, error)
          || !check_types (s, "settings", NULL, settings, NULL, error))
        return FALSE;
      self->latency_ms = (guint)get_number (s, "step-latency-ms", 0);
      self->rate_mibps = (guint)get_number (s, "transfer-mibps", 0);
    }
  if (json_object_has_member (obj, "hosts")
      && !load_hosts (self, json_object_get_array_member (obj, "hosts"), error))
    return FALSE;
  if (json_object_has_member (obj, "datastores")
      && !load_datastores (self, json_object_get_array_member (obj, "datastores"), error))
    return FALSE;
  if (json_object_has_member (obj, "vms")
      && !load_vms (self, json_object_get_array_member (obj, "vms"), error))
    return FALSE;
  if (json_object_has_member (obj, "faults")
      && !load_faults (self, json_object_get_array_member (obj, "faults"), error))
    return FALSE;
  if (json_object_has_member (obj, "platform")
      && !load_platform (self, json_object_get_member (obj, "platform"), error))
    return FALSE;
  return TRUE;
}

static gboolean
vmm_sim_backend_open (VmmBackend *backend, GUri *uri, GCancellable *cancellable, GError **error)
{
  VmmSimBackend *self = VMM_SIM_BACKEND (backend);
  const char *path = g_uri_get_path (uri);
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (path == NULL || *path == '\0' || g_strcmp0 (path, "/") == 0)
    {
      bytes = g_resources_lookup_data ("/org/libvmmigrate/sim/default-inventory.json",
                                       G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      if (bytes == NULL)
        return FALSE;
      return load_json (self, g_bytes_get_data (bytes, NULL), (gssize)g_bytes_get_size (bytes),
                        error);
    }
  if (!g_file_get_contents (path, &contents, &length, error))
    {
      g_prefix_error (error, "sim inventory: ");
      if (error != NULL && *error != NULL && (*error)->domain != VMM_ERROR)
        {
          GError *e = *error;
          *error = g_error_new_literal (VMM_ERROR, VMM_ERROR_NOT_FOUND, e->message);
          g_error_free (e);
        }
      return FALSE;
    }
  if (!load_json (self, contents, (gssize)length, error))
    return FALSE;
  /* sim:///path.json?persist=true: the platform's state (VM halves, files,
   * reservations) is written back to that file after every change, so that
   * another process (a recovering engine) finds it as it was */
  if (g_uri_get_query (uri) != NULL)
    {
      g_autoptr (GHashTable) params
          = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, error);
      const char *value;

      if (params == NULL)
        return FALSE;
      value = g_hash_table_lookup (params, "persist");
      if (value != NULL && g_strcmp0 (value, "true") != 0 && g_strcmp0 (value, "false") != 0)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                       "sim: persist must be true or false, not '%s'", value);
          return FALSE;
        }
      if (g_strcmp0 (value, "true") == 0)
        self->state_path = g_strdup (path);
    }
  return TRUE;
}

/**
 * vmm_sim_backend_new_from_json:
 * @json: an inventory in the sim backend's JSON format
 * @error: return location for a #GError
 *
 * Creates a sim backend from an inventory held in memory.
 *
 * Returns: (transfer full): the backend, or %NULL with @error set
 *   (%VMM_ERROR_INVALID_SPEC naming the bad member)
 *
 * Since: 1.0
 */
VmmBackend *
vmm_sim_backend_new_from_json (const char *json, GError **error)
{
  g_autoptr (VmmSimBackend) self = NULL;

  g_return_val_if_fail (json != NULL, NULL);
  self = g_object_new (VMM_TYPE_SIM_BACKEND, NULL);
  if (!load_json (self, json, -1, error))
    return NULL;
  return VMM_BACKEND (g_steal_pointer (&self));
}

/* --- faults --- */

static Fault *
fault_take (VmmSimBackend *self, const char *vm, VmmStep step, gboolean undo)
{
  for (guint i = 0; i < self->faults->len; i++)
    {
      Fault *fault = g_ptr_array_index (self->faults, i);

      if (fault->step != step || fault->count == 0
          || (fault->vm != NULL && g_strcmp0 (fault->vm, vm) != 0)
          || (fault->kind == VMM_SIM_FAULT_FAIL_UNDO) != undo)
        continue;
      if (fault->count > 0)
        fault->count--;
      return fault;
    }
  return NULL;
}

/* --- running a step: latency, optional hang, optional transfer, then the
 * state change. A step that fails leaves nothing it created. --- */

typedef gboolean (*SimApplyFunc) (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv,
                                  GError **error);

typedef enum
{
  PHASE_LATENCY,
  PHASE_HANG,
  PHASE_TRANSFER,
} Phase;

typedef struct _StepRun
{
  VmmSimBackend *self;
  VmmMigrationContext *ctx;
  SimMove *mv;
  SimApplyFunc apply;
  guint64 total;
  guint64 done;
  char *lose_datastore;
  VmmTimer timer; /* fires in the task's context */
  GCancellable *cancellable;
  gulong cancel_id;
  GTask *task; /* unowned: the task whose data this is */
  VmmStep step;
  Phase phase;
  VmmSimFaultKind fault_kind;
  VmmError fault_code;
  guint has_fault : 1;
  guint watched : 1;
  guint finished : 1;
} StepRun;

static void
step_run_free (StepRun *run)
{
  if (run->mv->transfer == run)
    run->mv->transfer = NULL;
  vmm_timer_stop (&run->timer);
  if (run->mv->waiting == run)
    run->mv->waiting = NULL;
  if (run->cancel_id != 0)
    g_cancellable_disconnect (run->cancellable, run->cancel_id);
  g_clear_object (&run->cancellable);
  g_free (run->lose_datastore);
  g_object_unref (run->ctx);
  g_free (run);
}

static void
step_advance (GTask *task);
static gboolean
record_before (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv, GError **error);
static void
persist (VmmSimBackend *self);

static void
step_complete (GTask *task, GError *error)
{
  StepRun *run = g_task_get_task_data (task);

  run->finished = TRUE;
  if (run->mv->transfer == run)
    run->mv->transfer = NULL;
  if (run->mv->waiting == run)
    run->mv->waiting = NULL;
  vmm_timer_stop (&run->timer);
  if (error == NULL && !record_before (run->self, run->ctx, run->mv, &error))
    g_assert (error != NULL);
  else if (error == NULL && !run->apply (run->self, run->ctx, run->mv, &error))
    g_assert (error != NULL);
  /* an abort is for the step in flight: one that completed anyway (the
   * switch-over won the race) does not stop the steps after it */
  if (error == NULL)
    run->mv->aborted = FALSE;
  persist (run->self);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
step_timer_cb (gpointer user_data)
{
  GTask *task = user_data;
  StepRun *run = g_task_get_task_data (task);

  if (run->phase == PHASE_TRANSFER)
    {
      guint64 chunk = run->self->rate_mibps > 0
                          ? (guint64)run->self->rate_mibps * 1048576ULL * TICK_MS / 1000
                          : run->total / 4 + 1;

      run->done = MIN (run->total, run->done + MAX (chunk, 1));
      vmm_migration_context_report_transfer (run->ctx, run->done, run->total);
      if (run->lose_datastore != NULL && run->done * 2 >= run->total)
        {
          vmm_sim_backend_set_datastore_online (run->self, run->lose_datastore, FALSE);
          step_complete (task, g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                            "sim: datastore '%s' went offline during the copy",
                                            run->lose_datastore));
          return G_SOURCE_REMOVE;
        }
      if (run->done >= run->total)
        {
          step_complete (task, NULL);
          return G_SOURCE_REMOVE;
        }
      vmm_timer_start (&run->timer, g_task_get_context (task), TICK_MS, step_timer_cb, task);
      return G_SOURCE_REMOVE;
    }
  step_advance (task);
  return G_SOURCE_REMOVE;
}

static gboolean
step_cancel_idle (gpointer user_data)
{
  GTask *task = user_data;
  StepRun *run = g_task_get_task_data (task);

  if (run->finished)
    return G_SOURCE_REMOVE;
  step_complete (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "sim: %s %s",
                                    vmm_step_get_name (run->step),
                                    run->mv->aborted ? "aborted" : "cancelled"));
  return G_SOURCE_REMOVE;
}

static void
step_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, step_cancel_idle, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

/* A step is watched for cancellation only once it waits (latency, hang or
 * transfer); a zero-latency step, which ends at the next iteration, is not.
 * An abort (sim_abort()) finds either as its move's waiting step. */
static void
step_watch_cancellation (GTask *task)
{
  StepRun *run = g_task_get_task_data (task);

  if (run->watched)
    return;
  run->watched = TRUE;
  run->mv->waiting = run;
  if (run->cancellable != NULL)
    run->cancel_id
        = g_cancellable_connect (run->cancellable, G_CALLBACK (step_cancelled_cb), task, NULL);
  if (run->mv->aborted)
    step_cancelled_cb (NULL, task);
}

static char *
describe_left (VmmSimBackend *self, VmmStep step, VmmMigrationContext *ctx, SimMove *mv,
               gboolean undo);

static void
step_advance (GTask *task)
{
  StepRun *run = g_task_get_task_data (task);

  if (run->phase == PHASE_LATENCY)
    {
      if (run->has_fault && run->fault_kind == VMM_SIM_FAULT_FAIL)
        {
          g_autofree char *left = describe_left (run->self, run->step, run->ctx, run->mv, FALSE);

          step_complete (task, g_error_new (VMM_ERROR, run->fault_code,
                                            "sim: injected failure in %s for VM '%s'%s",
                                            vmm_step_get_name (run->step),
                                            vmm_migration_context_get_vm_name (run->ctx), left));
          return;
        }
      if (run->has_fault && run->fault_kind == VMM_SIM_FAULT_HANG)
        {
          run->phase = PHASE_HANG; /* until cancelled or aborted */
          step_watch_cancellation (task);
          return;
        }
      if (run->total > 0)
        {
          run->phase = PHASE_TRANSFER;
          run->mv->transfer = run;
          if (run->self->rate_mibps == 0 && run->lose_datastore == NULL)
            {
              vmm_migration_context_report_transfer (run->ctx, run->total, run->total);
              step_complete (task, NULL);
              return;
            }
          step_watch_cancellation (task);
          vmm_timer_start (&run->timer, g_task_get_context (task), TICK_MS, step_timer_cb, task);
          return;
        }
      step_complete (task, NULL);
    }
}

static guint64
transfer_bytes (VmmSimBackend *self, VmmMigrationContext *ctx, VmmStep step);
static const char *
lose_target (VmmMigrationContext *ctx);

static void
sim_run (VmmSimBackend *self, VmmStep step, SimApplyFunc apply, VmmMigrationContext *ctx,
         GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_check_cancellable (task, FALSE);
  StepRun *run = g_new0 (StepRun, 1);
  Fault *fault;

  vmm_task_set_source_tag (task, sim_run);
  run->self = self;
  run->task = task;
  run->ctx = g_object_ref (ctx);
  run->mv = sim_move_get (ctx);
  run->step = step;
  run->apply = apply;
  run->phase = PHASE_LATENCY;
  g_task_set_task_data (task, run, (GDestroyNotify)step_run_free);
  self->n_steps++;

  fault = fault_take (self, vmm_migration_context_get_vm_name (ctx), step, FALSE);
  if (fault != NULL)
    {
      run->fault_kind = fault->kind;
      run->fault_code = fault->code;
      run->has_fault = TRUE;
    }
  run->total = transfer_bytes (self, ctx, step);
  if (run->has_fault && run->fault_kind == VMM_SIM_FAULT_LOSE_DATASTORE)
    {
      run->lose_datastore = g_strdup (lose_target (ctx));
      if (run->total == 0)
        run->total = 1;
    }
  if (cancellable != NULL)
    run->cancellable = g_object_ref (cancellable);
  if (run->mv->aborted || (cancellable != NULL && g_cancellable_is_cancelled (cancellable)))
    {
      step_complete (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "sim: %s cancelled",
                                        vmm_step_get_name (step)));
      return;
    }

  /* Even at zero latency a step ends from the context's timer source, in a
   * later iteration, as a reply from a platform would: the task then returns
   * at once, where a task completed inside this call would be returned from
   * an idle source of its own (one GSource more per step). Until then an
   * abort (sim_abort()) finds it as its move's waiting step; it is not
   * watched for cancellation, which the migration looks at between steps. */
  if (self->latency_ms > 0)
    step_watch_cancellation (task);
  else
    run->mv->waiting = run;
  vmm_timer_start (&run->timer, g_task_get_context (task), self->latency_ms, step_timer_cb, task);
}

/* --- what each step does to the simulated platform --- */

static VmmVmInfo *
record_of (VmmSimBackend *self, VmmMigrationContext *ctx)
{
  return vmm_inventory_lookup_vm (self->inventory, vmm_migration_context_get_vm_name (ctx));
}

static gboolean
is_cold (VmmMigrationContext *ctx)
{
  return !vmm_migration_type_is_hot (vmm_migration_context_get_migration_type (ctx))
         && (vmm_vm_info_get_power_state (vmm_migration_context_get_vm (ctx))
                 != VMM_POWER_STATE_RUNNING
             || vmm_migration_context_get_cold_restart (ctx));
}

static guint64
moving_disk_bytes (VmmMigrationContext *ctx, gboolean include_primary_only)
{
  GPtrArray *targets = vmm_migration_context_get_target_disks (ctx);
  VmmVmInfo *vm = vmm_migration_context_get_vm (ctx);
  guint64 sum = 0;

  for (guint i = 0; i < targets->len; i++)
    {
      VmmDiskInfo *t = g_ptr_array_index (targets, i);
      VmmDiskInfo *src = vmm_vm_info_lookup_disk (vm, vmm_disk_info_get_key (t));

      if (src != NULL && vmm_migration_context_disk_moves (ctx, vmm_disk_info_get_key (t)))
        sum += disk_size (src);
    }
  (void)include_primary_only;
  return sum;
}

static guint64
transfer_bytes (VmmSimBackend *self, VmmMigrationContext *ctx, VmmStep step)
{
  VmmVmInfo *vm = vmm_migration_context_get_vm (ctx);

  switch (step)
    {
    case VMM_STEP_INITIATE_SOURCE:
      return vmm_vm_info_get_memory_mib (vm) * 1048576ULL + moving_disk_bytes (ctx, FALSE);
    case VMM_STEP_CREATE_DESTINATION_VM:
    case VMM_STEP_RECONFIGURE_VM:
      return is_cold (ctx) ? moving_disk_bytes (ctx, FALSE) : 0;
    default:
      return 0;
    }
}

static const char *
lose_target (VmmMigrationContext *ctx)
{
  GPtrArray *targets = vmm_migration_context_get_target_disks (ctx);

  for (guint i = 0; i < targets->len; i++)
    {
      VmmDiskInfo *t = g_ptr_array_index (targets, i);

      if (vmm_migration_context_disk_moves (ctx, vmm_disk_info_get_key (t)))
        return vmm_disk_info_get_datastore (t);
    }
  return vmm_migration_context_get_destination_datastore (ctx);
}

static GPtrArray *
created_by (SimMove *mv, VmmStep step)
{
  GPtrArray *list;

  if (mv->created == NULL)
    mv->created = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)g_ptr_array_unref);
  list = g_hash_table_lookup (mv->created, GUINT_TO_POINTER (step + 1));
  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (mv->created, GUINT_TO_POINTER (step + 1), list);
    }
  return list;
}

static gboolean
remove_created (VmmSimBackend *self, SimMove *mv, VmmStep step, GError **error)
{
  GPtrArray *list = created_by (mv, step);
  g_autoptr (GString) failed = NULL;

  for (guint i = list->len; i > 0; i--)
    {
      g_autoptr (GError) local_error = NULL;
      const char *key = g_ptr_array_index (list, i - 1);

      if (!file_remove (self, key, &local_error))
        {
          if (failed == NULL)
            failed = g_string_new (local_error->message);
          else
            g_string_append_printf (failed, "; %s", local_error->message);
          continue;
        }
      g_ptr_array_remove_index (list, i - 1);
    }
  if (failed != NULL)
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_BACKEND, failed->str);
      return FALSE;
    }
  return TRUE;
}

static gboolean
record_created (SimMove *mv, const char *ds, const char *path, GError **error);

/* Creates files for @step; on failure removes what it created. */
static gboolean
create_files (VmmSimBackend *self, SimMove *mv, VmmStep step, const char *ds, const char *path,
              guint64 size, GError **error)
{
  char *key = NULL;

  if (!record_created (mv, ds, path, error))
    return FALSE;
  if (!file_add (self, ds, path, size, &key, error))
    {
      g_autoptr (GError) ignored = NULL;
      remove_created (self, mv, step, &ignored);
      return FALSE;
    }
  g_ptr_array_add (created_by (mv, step), key);
  return TRUE;
}

static gboolean
copy_moving_disks (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv, VmmStep step,
                   gboolean snapshots_only, GError **error)
{
  GPtrArray *targets = vmm_migration_context_get_target_disks (ctx);
  VmmVmInfo *vm = vmm_migration_context_get_vm (ctx);

  for (guint i = 0; i < targets->len; i++)
    {
      VmmDiskInfo *t = g_ptr_array_index (targets, i);
      VmmDiskInfo *src = vmm_vm_info_lookup_disk (vm, vmm_disk_info_get_key (t));
      g_autofree char *key = NULL;

      if (src == NULL || !vmm_migration_context_disk_moves (ctx, vmm_disk_info_get_key (t)))
        continue;
      if (!snapshots_only)
        {
          key = file_key (vmm_disk_info_get_datastore (t), vmm_disk_info_get_path (t));
          if (!g_hash_table_contains (self->files, key)
              && !create_files (self, mv, step, vmm_disk_info_get_datastore (t),
                                vmm_disk_info_get_path (t), disk_size (src), error))
            return FALSE;
          continue;
        }
      for (guint s = 1; s <= vmm_disk_info_get_snapshots (src); s++)
        {
          g_autofree char *path = snapshot_path (t, s);

          if (!create_files (self, mv, step, vmm_disk_info_get_datastore (t), path,
                             disk_size (src) / 100, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* Points the manager's record at the new disks; remembers the old files for
 * deletion once the destination is verified. */
static void
repoint_disks (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv)
{
  VmmVmInfo *rec = record_of (self, ctx);
  GPtrArray *targets = vmm_migration_context_get_target_disks (ctx);

  if (mv->orig_disks == NULL)
    {
      GPtrArray *disks = vmm_vm_info_get_disks (rec);

      mv->orig_disks = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < disks->len; i++)
        g_ptr_array_add (mv->orig_disks, vmm_disk_info_copy (g_ptr_array_index (disks, i)));
      mv->orig_datastore = g_strdup (vmm_vm_info_get_datastore (rec));
    }
  for (guint i = 0; i < targets->len; i++)
    {
      VmmDiskInfo *t = g_ptr_array_index (targets, i);
      VmmDiskInfo *d = vmm_vm_info_lookup_disk (rec, vmm_disk_info_get_key (t));

      if (d == NULL || !vmm_migration_context_disk_moves (ctx, vmm_disk_info_get_key (t))
          || g_strcmp0 (vmm_disk_info_get_datastore (d), vmm_disk_info_get_datastore (t)) == 0)
        continue;
      g_ptr_array_add (str_list (&mv->old_files),
                       file_key (vmm_disk_info_get_datastore (d), vmm_disk_info_get_path (d)));
      for (guint s = 1; s <= vmm_disk_info_get_snapshots (d); s++)
        {
          g_autofree char *path = snapshot_path (d, s);
          g_ptr_array_add (str_list (&mv->old_files),
                           file_key (vmm_disk_info_get_datastore (d), path));
        }
      vmm_disk_info_set_datastore (d, vmm_disk_info_get_datastore (t));
      vmm_disk_info_set_path (d, vmm_disk_info_get_path (t));
      if (vmm_disk_info_get_format (t) != NULL)
        vmm_disk_info_set_format (d, vmm_disk_info_get_format (t));
    }
  if (vmm_migration_context_changes_primary_datastore (ctx))
    {
      g_autofree char *cfg = config_path (vmm_vm_info_get_name (rec));

      g_ptr_array_add (str_list (&mv->old_files), file_key (vmm_vm_info_get_datastore (rec), cfg));
      vmm_vm_info_set_datastore (rec, vmm_migration_context_get_destination_datastore (ctx));
    }
}

static void
restore_disks (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv)
{
  VmmVmInfo *rec = record_of (self, ctx);

  if (mv->orig_disks == NULL)
    return;
  for (guint i = 0; i < mv->orig_disks->len; i++)
    {
      VmmDiskInfo *o = g_ptr_array_index (mv->orig_disks, i);
      VmmDiskInfo *d = vmm_vm_info_lookup_disk (rec, vmm_disk_info_get_key (o));

      if (d == NULL)
        continue;
      vmm_disk_info_set_datastore (d, vmm_disk_info_get_datastore (o));
      vmm_disk_info_set_path (d, vmm_disk_info_get_path (o));
      vmm_disk_info_set_format (d, vmm_disk_info_get_format (o));
    }
  vmm_vm_info_set_datastore (rec, mv->orig_datastore);
  g_clear_pointer (&mv->orig_disks, g_ptr_array_unref);
  g_clear_pointer (&mv->orig_datastore, g_free);
  if (mv->old_files != NULL)
    g_ptr_array_set_size (mv->old_files, 0);
}

static gboolean
apply_reserve_directory (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv, GError **error)
{
  GPtrArray *targets = vmm_migration_context_get_target_disks (ctx);
  const char *vm = vmm_migration_context_get_vm_name (ctx);
  g_autoptr (GPtrArray) wanted = g_ptr_array_new_with_free_func (g_free);

  if (vmm_migration_context_changes_primary_datastore (ctx))
    g_ptr_array_add (wanted, g_strdup (vmm_migration_context_get_destination_datastore (ctx)));
  for (guint i = 0; i < targets->len; i++)
    {
      VmmDiskInfo *t = g_ptr_array_index (targets, i);

      if (vmm_migration_context_disk_moves (ctx, vmm_disk_info_get_key (t))
          && !g_ptr_array_find_with_equal_func (wanted, vmm_disk_info_get_datastore (t),
                                                g_str_equal, NULL))
        g_ptr_array_add (wanted, g_strdup (vmm_disk_info_get_datastore (t)));
    }
  for (guint i = 0; i < wanted->len; i++)
    {
      const char *ds = g_ptr_array_index (wanted, i);
      VmmDatastoreInfo *info = vmm_inventory_lookup_datastore (self->inventory, ds);
      char *dir = file_key (ds, vm);

      if (info == NULL || !vmm_datastore_info_get_online (info)
          || g_hash_table_contains (self->dirs, dir))
        {
          g_set_error (error, VMM_ERROR,
                       info == NULL || !vmm_datastore_info_get_online (info) ? VMM_ERROR_BACKEND
                                                                             : VMM_ERROR_BUSY,
                       "sim: cannot reserve directory %s: %s", dir,
                       info == NULL                            ? "no such datastore"
                       : !vmm_datastore_info_get_online (info) ? "the datastore is offline"
                                                               : "another move reserved it");
          g_free (dir);
          for (guint j = 0; j < str_list_len (mv->dirs); j++)
            g_hash_table_remove (self->dirs, g_ptr_array_index (mv->dirs, j));
          if (mv->dirs != NULL)
            g_ptr_array_set_size (mv->dirs, 0);
          return FALSE;
        }
      g_hash_table_insert (self->dirs, g_strdup (dir), g_strdup (vm));
      g_ptr_array_add (str_list (&mv->dirs), dir);
    }
  return TRUE;
}

static gboolean
apply_create_inventory_vm (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv,
                           GError **error)
{
  VmmHostInfo *dst = vmm_inventory_lookup_host (self->inventory,
                                                vmm_migration_context_get_destination_host (ctx));
  g_autofree char *key
      = g_strdup_printf ("%s/%s", dst != NULL ? vmm_host_info_get_manager (dst) : "?",
                         vmm_migration_context_get_vm_name (ctx));

  if (g_hash_table_contains (self->placeholders, key))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY, "sim: placeholder %s exists already", key);
      return FALSE;
    }
  g_hash_table_add (self->placeholders, g_strdup (key));
  mv->placeholder = g_steal_pointer (&key);
  return TRUE;
}

static gboolean
apply_create_dummy_disks (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv,
                          GError **error)
{
  return copy_moving_disks (self, ctx, mv, VMM_STEP_CREATE_DUMMY_DISKS, FALSE, error);
}

static gboolean
apply_create_destination_vm (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv,
                             GError **error)
{
  const char *vm = vmm_migration_context_get_vm_name (ctx);
  g_autofree char *cfg = config_path (vm);

  if (is_cold (ctx)
      && !copy_moving_disks (self, ctx, mv, VMM_STEP_CREATE_DESTINATION_VM, FALSE, error))
    return FALSE;
  if (!create_files (self, mv, VMM_STEP_CREATE_DESTINATION_VM,
                     vmm_migration_context_get_destination_datastore (ctx), cfg, 4096, error))
    return FALSE;
  if (is_cold (ctx))
    {
      instance_add (self, vm, vmm_migration_context_get_destination_host (ctx), ROLE_ACTIVE);
      repoint_disks (self, ctx, mv);
    }
  return TRUE;
}

static gboolean
apply_register_destination_vm (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv,
                               GError **error)
{
  instance_add (self, vmm_migration_context_get_vm_name (ctx),
                vmm_migration_context_get_destination_host (ctx), ROLE_ACTIVE);
  return TRUE;
}

static gboolean
apply_unregister_source_vm (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv,
                            GError **error)
{
  if (!instance_remove (self, vmm_migration_context_get_vm_name (ctx),
                        vmm_migration_context_get_source_host (ctx), ROLE_ACTIVE))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "sim: VM '%s' is not registered on '%s'",
                   vmm_migration_context_get_vm_name (ctx),
                   vmm_migration_context_get_source_host (ctx));
      return FALSE;
    }
  return TRUE;
}

static gboolean
apply_reconfigure_vm (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv, GError **error)
{
  VmmVmInfo *rec = record_of (self, ctx);
  GPtrArray *devices = vmm_vm_info_get_devices (rec);
  VmmRelocateSpec *spec = vmm_migration_context_get_spec (ctx);

  if (is_cold (ctx) && vmm_migration_context_changes_disk_datastores (ctx))
    {
      if (!copy_moving_disks (self, ctx, mv, VMM_STEP_RECONFIGURE_VM, FALSE, error))
        return FALSE;
      repoint_disks (self, ctx, mv);
    }
  if (mv->orig_networks == NULL)
    mv->orig_networks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < devices->len; i++)
    {
      VmmDeviceInfo *dev = g_ptr_array_index (devices, i);
      const char *net = vmm_device_info_get_network (dev);

      if (net == NULL || g_strcmp0 (vmm_relocate_spec_map_network (spec, net), net) == 0)
        continue;
      g_hash_table_insert (mv->orig_networks, g_strdup (vmm_device_info_get_key (dev)),
                           g_strdup (net));
      vmm_device_info_set_network (dev, vmm_relocate_spec_map_network (spec, net));
    }
  return TRUE;
}

static gboolean
apply_relayout_snapshots (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv,
                          GError **error)
{
  return copy_moving_disks (self, ctx, mv, VMM_STEP_RELAYOUT_SNAPSHOTS, TRUE, error);
}

static gboolean
apply_prepare_source (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv, GError **error)
{
  vmm_vm_info_set_migrating (record_of (self, ctx), TRUE);
  return TRUE;
}

static gboolean
apply_prepare_destination (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv,
                           GError **error)
{
  VmmVmInfo *vm = vmm_migration_context_get_vm (ctx);
  VmmHostInfo *dst;

  if (!vmm_migration_context_changes_host (ctx))
    return TRUE;
  dst = vmm_inventory_lookup_host (self->inventory,
                                   vmm_migration_context_get_destination_host (ctx));
  if (dst == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "sim: no host '%s'",
                   vmm_migration_context_get_destination_host (ctx));
      return FALSE;
    }
  if (vmm_host_info_get_memory_used_mib (dst) + vmm_vm_info_get_memory_mib (vm)
      > vmm_host_info_get_memory_mib (dst))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INSUFFICIENT_CAPACITY,
                   "sim: host '%s' cannot reserve %" G_GUINT64_FORMAT " MiB",
                   vmm_host_info_get_name (dst), vmm_vm_info_get_memory_mib (vm));
      return FALSE;
    }
  host_adjust (self, vmm_host_info_get_name (dst), vm, +1);
  mv->reserved = TRUE;
  return TRUE;
}

static gboolean
apply_initiate_destination (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv,
                            GError **error)
{
  instance_add (self, vmm_migration_context_get_vm_name (ctx),
                vmm_migration_context_get_destination_host (ctx), ROLE_INCOMING);
  return TRUE;
}

static gboolean
apply_initiate_source (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv, GError **error)
{
  const char *vm = vmm_migration_context_get_vm_name (ctx);
  const char *src = vmm_migration_context_get_source_host (ctx);
  const char *dst = vmm_migration_context_get_destination_host (ctx);
  Instance *incoming = instance_find (self, vm, dst, ROLE_INCOMING);
  Instance *active = instance_find (self, vm, src, ROLE_ACTIVE);

  if (incoming == NULL || active == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                   "sim: no incoming VM on '%s' or no running VM on '%s'", dst, src);
      return FALSE;
    }
  if (!copy_moving_disks (self, ctx, mv, VMM_STEP_INITIATE_SOURCE, FALSE, error))
    return FALSE;
  /* switch-over */
  incoming->role = ROLE_ACTIVE;
  active->role = ROLE_STALE;
  repoint_disks (self, ctx, mv);
  if (vmm_migration_context_changes_host (ctx))
    host_adjust (self, src, vmm_migration_context_get_vm (ctx), -1);
  mv->reserved = FALSE;
  vmm_migration_context_set_downtime_ms (
      ctx, 12 + (gint64)(vmm_vm_info_get_memory_mib (vmm_migration_context_get_vm (ctx)) / 1024));
  return TRUE;
}

static gboolean
apply_switch_host_and_pool (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv,
                            GError **error)
{
  VmmVmInfo *rec = record_of (self, ctx);

  mv->orig_host = g_strdup (vmm_vm_info_get_host (rec));
  mv->orig_pool = g_strdup (vmm_vm_info_get_resource_pool (rec));
  vmm_vm_info_set_host (rec, vmm_migration_context_get_destination_host (ctx));
  vmm_vm_info_set_resource_pool (rec, vmm_migration_context_get_destination_pool (ctx));
  if (vmm_relocate_spec_get_folder (vmm_migration_context_get_spec (ctx)) != NULL)
    vmm_vm_info_set_folder (rec,
                            vmm_relocate_spec_get_folder (vmm_migration_context_get_spec (ctx)));
  return TRUE;
}

static gboolean
delete_old_files (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv, GError **error)
{
  g_autoptr (GString) failed = NULL;

  if (vmm_relocate_spec_get_keep_source_disks (vmm_migration_context_get_spec (ctx))
      && str_list_len (mv->old_files) > 0)
    {
      /* keep-source-disks: the source's copies stay, named in the result */
      g_autoptr (GString) kept = g_string_new ("keep-source-disks: the source's copies were kept:");

      for (guint i = 0; i < str_list_len (mv->old_files); i++)
        g_string_append_printf (kept, " %s", (char *)g_ptr_array_index (mv->old_files, i));
      vmm_migration_context_add_warning (ctx, kept->str);
      if (mv->old_files != NULL)
        g_ptr_array_set_size (mv->old_files, 0);
      return TRUE;
    }

  for (guint i = str_list_len (mv->old_files); i > 0; i--)
    {
      g_autoptr (GError) local_error = NULL;

      if (!file_remove (self, g_ptr_array_index (mv->old_files, i - 1), &local_error))
        {
          if (failed == NULL)
            failed = g_string_new (local_error->message);
          else
            g_string_append_printf (failed, "; %s", local_error->message);
          continue;
        }
      g_ptr_array_remove_index (mv->old_files, i - 1);
    }
  if (failed != NULL)
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_BACKEND, failed->str);
      return FALSE;
    }
  return TRUE;
}

static void
consume_reservations (VmmSimBackend *self, SimMove *mv)
{
  for (guint i = 0; i < str_list_len (mv->dirs); i++)
    g_hash_table_remove (self->dirs, g_ptr_array_index (mv->dirs, i));
  if (mv->dirs != NULL)
    g_ptr_array_set_size (mv->dirs, 0);
  if (mv->placeholder != NULL)
    g_hash_table_remove (self->placeholders, mv->placeholder);
  g_clear_pointer (&mv->placeholder, g_free);
  if (mv->created != NULL)
    g_hash_table_remove_all (mv->created);
}

static gboolean
apply_complete_source (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv, GError **error)
{
  const char *vm = vmm_migration_context_get_vm_name (ctx);

  instance_remove (self, vm, vmm_migration_context_get_source_host (ctx), ROLE_STALE);
  vmm_vm_info_set_migrating (record_of (self, ctx), FALSE);
  return delete_old_files (self, ctx, mv, error);
}

static gboolean
apply_complete_destination (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv,
                            GError **error)
{
  const char *vm = vmm_migration_context_get_vm_name (ctx);
  const char *dst = vmm_migration_context_get_destination_host (ctx);
  VmmVmInfo *rec = record_of (self, ctx);
  GPtrArray *targets = vmm_migration_context_get_target_disks (ctx);

  if (instance_find (self, vm, dst, ROLE_ACTIVE) == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND, "sim: VM '%s' does not run on '%s'", vm,
                   dst);
      return FALSE;
    }
  if (vmm_migration_context_is_cross_manager (ctx))
    {
      vmm_vm_info_set_host (rec, dst);
      vmm_vm_info_set_resource_pool (rec, vmm_migration_context_get_destination_pool (ctx));
    }
  /* verify: the record's disks are where the copy spec says */
  for (guint i = 0; i < targets->len; i++)
    {
      VmmDiskInfo *t = g_ptr_array_index (targets, i);
      VmmDiskInfo *d = vmm_vm_info_lookup_disk (rec, vmm_disk_info_get_key (t));
      g_autofree char *key
          = d != NULL ? file_key (vmm_disk_info_get_datastore (d), vmm_disk_info_get_path (d))
                      : NULL;

      if (d == NULL || !g_hash_table_contains (self->files, key))
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND, "sim: disk %s of '%s' is missing at %s",
                       vmm_disk_info_get_key (t), vm, key != NULL ? key : "?");
          return FALSE;
        }
      vmm_disk_info_set_path (t, vmm_disk_info_get_path (d));
    }
  vmm_vm_info_set_migrating (rec, FALSE);
  return TRUE;
}

/* The cold restart: the VM stops on its source and starts where it landed. */
static gboolean
set_power (VmmSimBackend *self, VmmMigrationContext *ctx, gboolean on, GError **error)
{
  VmmVmInfo *rec = record_of (self, ctx);

  if (rec == NULL || (vmm_vm_info_get_power_state (rec) == VMM_POWER_STATE_RUNNING) == on)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND, "sim: VM '%s' is %s already",
                   vmm_migration_context_get_vm_name (ctx), on ? "running" : "not running");
      return FALSE;
    }
  vmm_vm_info_set_power_state (rec, on ? VMM_POWER_STATE_RUNNING : VMM_POWER_STATE_OFF);
  host_adjust (self, vmm_vm_info_get_host (rec), vmm_migration_context_get_vm (ctx), on ? +1 : -1);
  return TRUE;
}

static gboolean
apply_power_off (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv, GError **error)
{
  return set_power (self, ctx, FALSE, error);
}

static gboolean
apply_power_on (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv, GError **error)
{
  return set_power (self, ctx, TRUE, error);
}

static const SimApplyFunc apply_funcs[VMM_STEP_LAST] = {
  [VMM_STEP_RESERVE_DIRECTORY] = apply_reserve_directory,
  [VMM_STEP_CREATE_INVENTORY_VM] = apply_create_inventory_vm,
  [VMM_STEP_CREATE_DUMMY_DISKS] = apply_create_dummy_disks,
  [VMM_STEP_CREATE_DESTINATION_VM] = apply_create_destination_vm,
  [VMM_STEP_REGISTER_DESTINATION_VM] = apply_register_destination_vm,
  [VMM_STEP_UNREGISTER_SOURCE_VM] = apply_unregister_source_vm,
  [VMM_STEP_RECONFIGURE_VM] = apply_reconfigure_vm,
  [VMM_STEP_RELAYOUT_SNAPSHOTS] = apply_relayout_snapshots,
  [VMM_STEP_PREPARE_SOURCE] = apply_prepare_source,
  [VMM_STEP_PREPARE_DESTINATION] = apply_prepare_destination,
  [VMM_STEP_INITIATE_DESTINATION] = apply_initiate_destination,
  [VMM_STEP_INITIATE_SOURCE] = apply_initiate_source,
  [VMM_STEP_SWITCH_HOST_AND_POOL] = apply_switch_host_and_pool,
  [VMM_STEP_COMPLETE_SOURCE] = apply_complete_source,
  [VMM_STEP_COMPLETE_DESTINATION] = apply_complete_destination,
  [VMM_STEP_POWER_OFF] = apply_power_off,
  [VMM_STEP_POWER_ON] = apply_power_on,
};

#define DEFINE_STEP(fn, STEP)                                                                      \
  static void sim_##fn (VmmBackend *backend, VmmMigrationContext *ctx, GCancellable *cancellable,  \
                        GAsyncReadyCallback callback, gpointer user_data)                          \
  {                                                                                                \
    sim_run (VMM_SIM_BACKEND (backend), STEP, apply_funcs[STEP], ctx, cancellable, callback,       \
             user_data);                                                                           \
  }

DEFINE_STEP (reserve_directory, VMM_STEP_RESERVE_DIRECTORY)
DEFINE_STEP (create_inventory_vm, VMM_STEP_CREATE_INVENTORY_VM)
DEFINE_STEP (create_dummy_disks, VMM_STEP_CREATE_DUMMY_DISKS)
DEFINE_STEP (create_destination_vm, VMM_STEP_CREATE_DESTINATION_VM)
DEFINE_STEP (register_destination_vm, VMM_STEP_REGISTER_DESTINATION_VM)
DEFINE_STEP (unregister_source_vm, VMM_STEP_UNREGISTER_SOURCE_VM)
DEFINE_STEP (reconfigure_vm, VMM_STEP_RECONFIGURE_VM)
DEFINE_STEP (relayout_snapshots, VMM_STEP_RELAYOUT_SNAPSHOTS)
DEFINE_STEP (prepare_source, VMM_STEP_PREPARE_SOURCE)
DEFINE_STEP (prepare_destination, VMM_STEP_PREPARE_DESTINATION)
DEFINE_STEP (initiate_destination, VMM_STEP_INITIATE_DESTINATION)
DEFINE_STEP (initiate_source, VMM_STEP_INITIATE_SOURCE)
DEFINE_STEP (switch_host_and_pool, VMM_STEP_SWITCH_HOST_AND_POOL)
DEFINE_STEP (complete_source, VMM_STEP_COMPLETE_SOURCE)
DEFINE_STEP (complete_destination, VMM_STEP_COMPLETE_DESTINATION)
DEFINE_STEP (power_off, VMM_STEP_POWER_OFF)
DEFINE_STEP (power_on, VMM_STEP_POWER_ON)

/* --- undo --- */

static gboolean
undo_apply (VmmSimBackend *self, VmmStep step, VmmMigrationContext *ctx, SimMove *mv,
            GError **error)
{
  const char *vm = vmm_migration_context_get_vm_name (ctx);
  VmmVmInfo *rec = record_of (self, ctx);

  switch (step)
    {
    case VMM_STEP_RESERVE_DIRECTORY:
      for (guint i = 0; i < str_list_len (mv->dirs); i++)
        g_hash_table_remove (self->dirs, g_ptr_array_index (mv->dirs, i));
      if (mv->dirs != NULL)
        g_ptr_array_set_size (mv->dirs, 0);
      return TRUE;
    case VMM_STEP_CREATE_INVENTORY_VM:
      if (mv->placeholder != NULL)
        g_hash_table_remove (self->placeholders, mv->placeholder);
      g_clear_pointer (&mv->placeholder, g_free);
      return TRUE;
    case VMM_STEP_CREATE_DESTINATION_VM:
      if (is_cold (ctx))
        {
          instance_remove (self, vm, vmm_migration_context_get_destination_host (ctx), ROLE_ACTIVE);
          restore_disks (self, ctx, mv);
        }
      return remove_created (self, mv, step, error);
    case VMM_STEP_REGISTER_DESTINATION_VM:
      instance_remove (self, vm, vmm_migration_context_get_destination_host (ctx), ROLE_ACTIVE);
      return TRUE;
    case VMM_STEP_UNREGISTER_SOURCE_VM:
      instance_add (self, vm, vmm_migration_context_get_source_host (ctx), ROLE_ACTIVE);
      return TRUE;
    case VMM_STEP_RECONFIGURE_VM:
      if (mv->orig_networks != NULL)
        {
          GHashTableIter iter;
          gpointer key, value;
          GPtrArray *devices = vmm_vm_info_get_devices (rec);

          g_hash_table_iter_init (&iter, mv->orig_networks);
          while (g_hash_table_iter_next (&iter, &key, &value))
            for (guint i = 0; i < devices->len; i++)
              if (g_strcmp0 (vmm_device_info_get_key (g_ptr_array_index (devices, i)), key) == 0)
                vmm_device_info_set_network (g_ptr_array_index (devices, i), value);
          g_hash_table_remove_all (mv->orig_networks);
        }
      if (is_cold (ctx))
        restore_disks (self, ctx, mv);
      return remove_created (self, mv, step, error);
    case VMM_STEP_CREATE_DUMMY_DISKS:
    case VMM_STEP_RELAYOUT_SNAPSHOTS:
      return remove_created (self, mv, step, error);
    case VMM_STEP_PREPARE_SOURCE:
      vmm_vm_info_set_migrating (rec, FALSE);
      return TRUE;
    case VMM_STEP_PREPARE_DESTINATION:
      if (mv->reserved)
        host_adjust (self, vmm_migration_context_get_destination_host (ctx),
                     vmm_migration_context_get_vm (ctx), -1);
      mv->reserved = FALSE;
      return TRUE;
    case VMM_STEP_INITIATE_DESTINATION:
      instance_remove (self, vm, vmm_migration_context_get_destination_host (ctx), ROLE_INCOMING);
      return TRUE;
    case VMM_STEP_SWITCH_HOST_AND_POOL:
      if (mv->orig_host != NULL)
        {
          vmm_vm_info_set_host (rec, mv->orig_host);
          vmm_vm_info_set_resource_pool (rec, mv->orig_pool);
        }
      if (vmm_relocate_spec_get_folder (vmm_migration_context_get_spec (ctx)) != NULL)
        vmm_vm_info_set_folder (rec, vmm_vm_info_get_folder (vmm_migration_context_get_vm (ctx)));
      return TRUE;
    case VMM_STEP_POWER_OFF:
      return set_power (self, ctx, TRUE, error);
    case VMM_STEP_POWER_ON:
      return set_power (self, ctx, FALSE, error);
    case VMM_STEP_INITIATE_SOURCE:
    case VMM_STEP_COMPLETE_SOURCE:
    case VMM_STEP_COMPLETE_DESTINATION:
    case VMM_STEP_LAST:
    default:
      g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED, "sim: %s cannot be undone",
                   vmm_step_get_name (step));
      return FALSE;
    }
}

/* What a failure leaves in place, in vmm_sim_backend_list_leftovers()'s
 * words: what an undo that failed did not remove, or what a step after the
 * switch-over did not finish. Empty when nothing is left. */
static char *
describe_left (VmmSimBackend *self, VmmStep step, VmmMigrationContext *ctx, SimMove *mv,
               gboolean undo)
{
  g_autoptr (GString) left = g_string_new (NULL);
  const char *vm = vmm_migration_context_get_vm_name (ctx);
  const char *src = vmm_migration_context_get_source_host (ctx);
  const char *dst = vmm_migration_context_get_destination_host (ctx);
  GPtrArray *files
      = mv->created != NULL ? g_hash_table_lookup (mv->created, GUINT_TO_POINTER (step + 1)) : NULL;
  VmmVmInfo *rec = record_of (self, ctx);

  if (undo)
    switch (step)
      {
      case VMM_STEP_RESERVE_DIRECTORY:
        for (guint i = 0; i < str_list_len (mv->dirs); i++)
          g_string_append_printf (left, ", reserved directory %s",
                                  (char *)g_ptr_array_index (mv->dirs, i));
        break;
      case VMM_STEP_CREATE_INVENTORY_VM:
        if (mv->placeholder != NULL)
          g_string_append_printf (left, ", placeholder %s", mv->placeholder);
        break;
      case VMM_STEP_INITIATE_DESTINATION:
        g_string_append_printf (left, ", incoming VM '%s' on host '%s'", vm, dst);
        break;
      case VMM_STEP_REGISTER_DESTINATION_VM:
        g_string_append_printf (left, ", VM '%s' registered on host '%s' too", vm, dst);
        break;
      case VMM_STEP_UNREGISTER_SOURCE_VM:
        g_string_append_printf (left, ", VM '%s' no longer registered on host '%s'", vm, src);
        break;
      case VMM_STEP_SWITCH_HOST_AND_POOL:
        g_string_append_printf (left, ", the manager's record names host '%s'",
                                rec != NULL ? vmm_vm_info_get_host (rec) : "?");
        break;
      case VMM_STEP_POWER_OFF:
        g_string_append_printf (left, ", VM '%s' powered off", vm);
        break;
      default:
        break;
      }
  else
    switch (step)
      {
      case VMM_STEP_SWITCH_HOST_AND_POOL:
        g_string_append_printf (left, ", the manager's record still names host '%s'",
                                rec != NULL ? vmm_vm_info_get_host (rec) : "?");
        break;
      case VMM_STEP_COMPLETE_SOURCE:
        if (instance_find (self, vm, src, ROLE_STALE) != NULL)
          g_string_append_printf (left, ", stale VM '%s' on host '%s'", vm, src);
        for (guint i = 0; i < str_list_len (mv->old_files); i++)
          g_string_append_printf (left, ", file %s", (char *)g_ptr_array_index (mv->old_files, i));
        break;
      default:
        break;
      }
  for (guint i = 0; undo && files != NULL && i < files->len; i++)
    g_string_append_printf (left, ", file %s", (char *)g_ptr_array_index (files, i));
  if (left->len == 0)
    return g_strdup ("");
  g_string_erase (left, 0, 2);
  g_string_prepend (left, "; left in place: ");
  return g_string_free (g_steal_pointer (&left), FALSE);
}

static void
sim_undo_step (VmmBackend *backend, VmmStep step, VmmMigrationContext *ctx,
               GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  VmmSimBackend *self = VMM_SIM_BACKEND (backend);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_check_cancellable (task, FALSE);
  Fault *fault = fault_take (self, vmm_migration_context_get_vm_name (ctx), step, TRUE);
  GError *error = NULL;

  vmm_task_set_source_tag (task, sim_undo_step);
  if (fault != NULL)
    {
      g_autofree char *left = describe_left (self, step, ctx, sim_move_get (ctx), TRUE);

      g_task_return_new_error (task, VMM_ERROR, fault->code, "sim: injected failure undoing %s%s",
                               vmm_step_get_name (step), left);
    }
  else if (!undo_apply (self, step, ctx, sim_move_get (ctx), &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  persist (self);
}

static gboolean
sim_abort (VmmBackend *backend, VmmMigrationContext *ctx, GError **error)
{
  SimMove *mv = sim_move_get (ctx);

  /* An abort is for the step in flight. With none waiting, the step has
   * completed and its result is on its way to the migration (the
   * switch-over won the race): nothing to stop, and the steps after it
   * must not see an abort meant for it. */
  if (!mv->aborted && mv->waiting != NULL)
    {
      mv->aborted = TRUE;
      step_cancelled_cb (NULL, mv->waiting->task);
    }
  return TRUE;
}

static void
sim_cleanup (VmmBackend *backend, VmmMigrationContext *ctx, gboolean succeeded,
             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  VmmSimBackend *self = VMM_SIM_BACKEND (backend);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_check_cancellable (task, FALSE);
  SimMove *mv = vmm_migration_context_get_backend_data (ctx);
  VmmVmInfo *rec = record_of (self, ctx);
  GError *error = NULL;
  gboolean at_destination
      = vmm_migration_context_get_destination_host (ctx) != NULL
        && instance_find (self, vmm_migration_context_get_vm_name (ctx),
                          vmm_migration_context_get_destination_host (ctx), ROLE_ACTIVE)
               != NULL;

  vmm_task_set_source_tag (task, sim_cleanup);
  if (rec != NULL)
    vmm_vm_info_set_migrating (rec, FALSE);
  if (mv != NULL && (succeeded || at_destination))
    {
      consume_reservations (self, mv);
      if (succeeded && !delete_old_files (self, ctx, mv, &error))
        {
          persist (self);
          g_task_return_error (task, error);
          return;
        }
    }
  persist (self);
  g_task_return_boolean (task, TRUE);
}

static void
sim_set_host_enabled_async (VmmBackend *backend, const char *host, gboolean enabled,
                            const char *reason, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  VmmSimBackend *self = VMM_SIM_BACKEND (backend);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  VmmHostInfo *info = vmm_inventory_lookup_host (self->inventory, host);

  vmm_task_set_source_tag (task, sim_set_host_enabled_async);
  if (info == NULL)
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_NOT_FOUND, "sim: no host '%s'", host);
      return;
    }
  if (vmm_host_info_get_state (info) == VMM_HOST_STATE_CONNECTED
      || vmm_host_info_get_state (info) == VMM_HOST_STATE_DISABLED)
    vmm_host_info_set_state (info, enabled ? VMM_HOST_STATE_CONNECTED : VMM_HOST_STATE_DISABLED);
  g_task_return_boolean (task, TRUE);
}

static void
sim_locate_vm_async (VmmBackend *backend, const char *vm, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  VmmSimBackend *self = VMM_SIM_BACKEND (backend);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  VmmVmInfo *rec = vmm_inventory_lookup_vm (self->inventory, vm);
  GPtrArray *list = g_hash_table_lookup (self->instances, vm);
  VmmVmLocation *location;

  vmm_task_set_source_tag (task, sim_locate_vm_async);
  if (rec == NULL && (list == NULL || list->len == 0))
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                               "sim: no VM named '%s' anywhere", vm);
      return;
    }
  location = vmm_vm_location_new (vm, rec != NULL ? vmm_vm_info_get_host (rec) : NULL);
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      Instance *inst = g_ptr_array_index (list, i);

      vmm_vm_location_add_host (location, inst->host,
                                inst->role == ROLE_ACTIVE && rec != NULL
                                    && vmm_vm_info_get_power_state (rec)
                                           == VMM_POWER_STATE_RUNNING);
    }
  for (guint i = 0; rec != NULL && i < vmm_vm_info_get_disks (rec)->len; i++)
    vmm_vm_location_add_disk (location, g_ptr_array_index (vmm_vm_info_get_disks (rec), i));
  g_task_return_pointer (task, location, g_object_unref);
}

static VmmVmLocation *
sim_locate_vm_finish (VmmBackend *backend, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sim_update_record_async (VmmBackend *backend, const char *vm, const char *host,
                         GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data)
{
  VmmSimBackend *self = VMM_SIM_BACKEND (backend);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  VmmVmInfo *rec = vmm_inventory_lookup_vm (self->inventory, vm);

  vmm_task_set_source_tag (task, sim_update_record_async);
  if (rec == NULL)
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_NOT_FOUND, "sim: no record of VM '%s'",
                               vm);
      return;
    }
  if (instance_find (self, vm, host, ROLE_ACTIVE) == NULL)
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                               "sim: VM '%s' is not active on host '%s': the record stays as it is",
                               vm, host);
      return;
    }
  vmm_vm_info_set_host (rec, host);
  g_task_return_boolean (task, TRUE);
}

static gboolean
sim_update_record_finish (VmmBackend *backend, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Force-complete, post-copy and suspend all end the simulated transfer at
 * once: the switch-over happens at the next tick. */
static gboolean
sim_apply_timeout_action (VmmBackend *backend, VmmMigrationContext *ctx, VmmOnTimeoutAction action,
                          GError **error)
{
  SimMove *mv = vmm_migration_context_get_backend_data (ctx);

  if (mv == NULL || mv->transfer == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED, "sim: no transfer in flight");
      return FALSE;
    }
  mv->transfer->done = mv->transfer->total > 0 ? mv->transfer->total - 1 : 0;
  return TRUE;
}

static VmmBackendCapabilities
sim_get_capabilities (VmmBackend *backend)
{
  return VMM_BACKEND_CAPABILITY_HOT_HOST | VMM_BACKEND_CAPABILITY_HOT_STORAGE
         | VMM_BACKEND_CAPABILITY_HOT_HOST_AND_STORAGE | VMM_BACKEND_CAPABILITY_COLD
         | VMM_BACKEND_CAPABILITY_CROSS_MANAGER | VMM_BACKEND_CAPABILITY_POOL_CHANGE
         | VMM_BACKEND_CAPABILITY_ABORT | VMM_BACKEND_CAPABILITY_DIRTY_RATE
         | VMM_BACKEND_CAPABILITY_DISABLE_HOST | VMM_BACKEND_CAPABILITY_KEEP_SOURCE_DISKS;
}

static void
sim_query_inventory_async (VmmBackend *backend, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  VmmSimBackend *self = VMM_SIM_BACKEND (backend);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_check_cancellable (task, FALSE);

  vmm_task_set_source_tag (task, sim_query_inventory_async);
  g_task_return_pointer (task, g_object_ref (self->inventory), g_object_unref);
}

static VmmInventory *
sim_query_inventory_finish (VmmBackend *backend, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sim_recover_async (VmmBackend *backend, const char *vm, gboolean forward, const char *source,
                   const char *destination, const char *const *data, GCancellable *cancellable,
                   GAsyncReadyCallback callback, gpointer user_data);

static void
vmm_sim_backend_class_init (VmmSimBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VmmBackendClass *backend_class = VMM_BACKEND_CLASS (klass);

  object_class->finalize = vmm_sim_backend_finalize;
  backend_class->open = vmm_sim_backend_open;
  backend_class->get_capabilities = sim_get_capabilities;
  backend_class->query_inventory_async = sim_query_inventory_async;
  backend_class->query_inventory_finish = sim_query_inventory_finish;
  backend_class->reserve_directory = sim_reserve_directory;
  backend_class->create_inventory_vm = sim_create_inventory_vm;
  backend_class->create_dummy_disks = sim_create_dummy_disks;
  backend_class->create_destination_vm = sim_create_destination_vm;
  backend_class->register_destination_vm = sim_register_destination_vm;
  backend_class->unregister_source_vm = sim_unregister_source_vm;
  backend_class->reconfigure_vm = sim_reconfigure_vm;
  backend_class->relayout_snapshots = sim_relayout_snapshots;
  backend_class->power_off = sim_power_off;
  backend_class->power_on = sim_power_on;
  backend_class->prepare_source = sim_prepare_source;
  backend_class->prepare_destination = sim_prepare_destination;
  backend_class->initiate_destination = sim_initiate_destination;
  backend_class->initiate_source = sim_initiate_source;
  backend_class->switch_host_and_pool = sim_switch_host_and_pool;
  backend_class->complete_source = sim_complete_source;
  backend_class->complete_destination = sim_complete_destination;
  backend_class->undo_step = sim_undo_step;
  backend_class->abort = sim_abort;
  backend_class->cleanup = sim_cleanup;
  backend_class->recover_async = sim_recover_async;
  backend_class->set_host_enabled_async = sim_set_host_enabled_async;
  backend_class->locate_vm_async = sim_locate_vm_async;
  backend_class->locate_vm_finish = sim_locate_vm_finish;
  backend_class->update_record_async = sim_update_record_async;
  backend_class->update_record_finish = sim_update_record_finish;
  backend_class->apply_timeout_action = sim_apply_timeout_action;
}

static void
vmm_sim_backend_init (VmmSimBackend *self)
{
  self->inventory = vmm_inventory_new ();
  self->instances
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  self->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->placeholders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->faults = g_ptr_array_new_with_free_func ((GDestroyNotify)fault_free);
}

/* --- public API --- */

static void
strv_builder_take (GStrvBuilder *builder, char *value)
{
  g_strv_builder_add (builder, value);
  g_free (value);
}

/**
 * vmm_sim_backend_set_timing:
 * @self: a #VmmSimBackend
 * @step_latency_ms: how long each step takes before it acts
 * @transfer_mibps: how fast memory and disks move (0: instantly)
 *
 * Sets the simulated time model.
 *
 * Since: 1.0
 */
void
vmm_sim_backend_set_timing (VmmSimBackend *self, guint step_latency_ms, guint transfer_mibps)
{
  g_return_if_fail (VMM_IS_SIM_BACKEND (self));
  self->latency_ms = step_latency_ms;
  self->rate_mibps = transfer_mibps;
}

/**
 * vmm_sim_backend_inject_fault:
 * @self: a #VmmSimBackend
 * @vm: (nullable): the VM whose step fails, or %NULL for any VM
 * @step: the step
 * @kind: what happens
 * @code: the #VmmError the step fails with
 * @count: how many times (-1: always)
 *
 * Makes a step misbehave.
 *
 * Since: 1.0
 */
void
vmm_sim_backend_inject_fault (VmmSimBackend *self, const char *vm, VmmStep step,
                              VmmSimFaultKind kind, VmmError code, int count)
{
  Fault *fault;

  g_return_if_fail (VMM_IS_SIM_BACKEND (self));
  g_return_if_fail ((guint)step < VMM_STEP_LAST);
  fault = g_new0 (Fault, 1);
  fault->vm = g_strdup (vm);
  fault->step = step;
  fault->kind = kind;
  fault->code = code;
  fault->count = count;
  g_ptr_array_add (self->faults, fault);
}

/**
 * vmm_sim_backend_clear_faults:
 * @self: a #VmmSimBackend
 *
 * Removes every injected fault.
 *
 * Since: 1.0
 */
void
vmm_sim_backend_clear_faults (VmmSimBackend *self)
{
  g_return_if_fail (VMM_IS_SIM_BACKEND (self));
  g_ptr_array_set_size (self->faults, 0);
}

/**
 * vmm_sim_backend_locate_vm:
 * @self: a #VmmSimBackend
 * @vm: a VM name
 *
 * Where the VM really is, as the simulated hypervisors see it (not the
 * manager's record): one entry per host the VM is registered on,
 * `host` for an active VM, `host (incoming)` or `host (stale)` for the
 * halves of an unfinished live move.
 *
 * Returns: (transfer full): the places
 *
 * Since: 1.0
 */
char **
vmm_sim_backend_locate_vm (VmmSimBackend *self, const char *vm)
{
  GStrvBuilder *builder;
  GPtrArray *list;
  char **result;

  g_return_val_if_fail (VMM_IS_SIM_BACKEND (self), NULL);
  g_return_val_if_fail (vm != NULL, NULL);
  builder = g_strv_builder_new ();
  list = g_hash_table_lookup (self->instances, vm);
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      Instance *inst = g_ptr_array_index (list, i);

      if (inst->role == ROLE_ACTIVE)
        g_strv_builder_add (builder, inst->host);
      else
        strv_builder_take (builder,
                           g_strdup_printf ("%s (%s)", inst->host,
                                            inst->role == ROLE_INCOMING ? "incoming" : "stale"));
    }
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

/**
 * vmm_sim_backend_list_leftovers:
 * @self: a #VmmSimBackend
 *
 * Everything a move created that no VM owns: files no VM's disks, snapshots
 * or configuration use, reserved directories, placeholders in another
 * manager, incoming or stale VM halves. Empty when nothing is left behind.
 *
 * Returns: (transfer full): descriptions of the leftovers
 *
 * Since: 1.0
 */
static void
add_owned_files (GHashTable *owned, VmmVmInfo *vm);

char **
vmm_sim_backend_list_leftovers (VmmSimBackend *self)
{
  g_autoptr (GHashTable) owned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GStrvBuilder *builder;
  GPtrArray *vms;
  GHashTableIter iter;
  gpointer key, value;
  char **result;

  g_return_val_if_fail (VMM_IS_SIM_BACKEND (self), NULL);
  builder = g_strv_builder_new ();
  vms = vmm_inventory_get_vms (self->inventory);
  for (guint i = 0; i < vms->len; i++)
    add_owned_files (owned, g_ptr_array_index (vms, i));
  g_hash_table_iter_init (&iter, self->files);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (owned, key))
      strv_builder_take (builder, g_strdup_printf ("file %s", (char *)key));
  g_hash_table_iter_init (&iter, self->dirs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    strv_builder_take (builder, g_strdup_printf ("reserved directory %s", (char *)key));
  g_hash_table_iter_init (&iter, self->placeholders);
  while (g_hash_table_iter_next (&iter, &key, &value))
    strv_builder_take (builder, g_strdup_printf ("placeholder %s", (char *)key));
  g_hash_table_iter_init (&iter, self->instances);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *list = value;

      for (guint i = 0; i < list->len; i++)
        {
          Instance *inst = g_ptr_array_index (list, i);

          if (inst->role != ROLE_ACTIVE)
            strv_builder_take (builder,
                               g_strdup_printf ("%s VM '%s' on host '%s'",
                                                inst->role == ROLE_INCOMING ? "incoming" : "stale",
                                                (char *)key, inst->host));
        }
    }
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  qsort (result, g_strv_length (result), sizeof (char *), (GCompareFunc)g_strcmp0);
  return result;
}

/**
 * vmm_sim_backend_set_datastore_online:
 * @self: a #VmmSimBackend
 * @datastore: a datastore name
 * @online: whether it is reachable
 *
 * Takes a datastore offline or brings it back.
 *
 * Returns: %FALSE if there is no such datastore
 *
 * Since: 1.0
 */
gboolean
vmm_sim_backend_set_datastore_online (VmmSimBackend *self, const char *datastore, gboolean online)
{
  VmmDatastoreInfo *ds;

  g_return_val_if_fail (VMM_IS_SIM_BACKEND (self), FALSE);
  g_return_val_if_fail (datastore != NULL, FALSE);
  ds = vmm_inventory_lookup_datastore (self->inventory, datastore);
  if (ds == NULL)
    return FALSE;
  vmm_datastore_info_set_online (ds, online);
  return TRUE;
}

/**
 * vmm_sim_backend_get_step_count:
 * @self: a #VmmSimBackend
 *
 * How many workflow steps the backend has run (a dry run runs none).
 *
 * Returns: the count
 *
 * Since: 1.0
 */
guint
vmm_sim_backend_get_step_count (VmmSimBackend *self)
{
  g_return_val_if_fail (VMM_IS_SIM_BACKEND (self), 0);
  return self->n_steps;
}

static void
add_strv (JsonBuilder *b, const char *member, const char *const *strv)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
}

static void
add_string (JsonBuilder *b, const char *member, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, value);
}

static void
add_number (JsonBuilder *b, const char *member, double value)
{
  json_builder_set_member_name (b, member);
  if (value == (double)(gint64)value)
    json_builder_add_int_value (b, (gint64)value);
  else
    json_builder_add_double_value (b, value);
}

/* One VM in the inventory format (what parse_vm() reads). */
static void
add_vm_object (JsonBuilder *b, VmmVmInfo *v)
{
  GPtrArray *disks = vmm_vm_info_get_disks (v);
  GPtrArray *devices = vmm_vm_info_get_devices (v);

  json_builder_begin_object (b);
  add_string (b, "name", vmm_vm_info_get_name (v));
  if (g_strcmp0 (vmm_vm_info_get_id (v), vmm_vm_info_get_name (v)) != 0)
    add_string (b, "id", vmm_vm_info_get_id (v));
  add_string (b, "host", vmm_vm_info_get_host (v));
  add_string (b, "pool", vmm_vm_info_get_resource_pool (v));
  add_string (b, "datastore", vmm_vm_info_get_datastore (v));
  add_string (b, "folder", vmm_vm_info_get_folder (v));
  add_string (b, "power", power_states[vmm_vm_info_get_power_state (v)]);
  add_number (b, "memory-mib", (double)vmm_vm_info_get_memory_mib (v));
  add_number (b, "vcpus", vmm_vm_info_get_vcpus (v));
  add_strv (b, "cpu-features", vmm_vm_info_get_cpu_features (v));
  add_number (b, "dirty-rate-mibps", (double)vmm_vm_info_get_dirty_rate (v) / 1048576.0);
  add_strv (b, "required-metadata", vmm_vm_info_get_required_metadata (v));
  json_builder_set_member_name (b, "disks");
  json_builder_begin_array (b);
  for (guint d = 0; d < disks->len; d++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (disks, d);

      json_builder_begin_object (b);
      add_string (b, "key", vmm_disk_info_get_key (disk));
      add_string (b, "datastore", vmm_disk_info_get_datastore (disk));
      add_string (b, "path", vmm_disk_info_get_path (disk));
      add_number (b, "capacity-gib", (double)vmm_disk_info_get_capacity (disk) / 1073741824.0);
      add_string (b, "format", vmm_disk_info_get_format (disk));
      add_number (b, "snapshots", vmm_disk_info_get_snapshots (disk));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "devices");
  json_builder_begin_array (b);
  for (guint d = 0; d < devices->len; d++)
    {
      VmmDeviceInfo *dev = g_ptr_array_index (devices, d);

      json_builder_begin_object (b);
      add_string (b, "key", vmm_device_info_get_key (dev));
      add_string (b, "kind", device_kinds[vmm_device_info_get_kind (dev)]);
      add_string (b, "datastore", vmm_device_info_get_backing_datastore (dev));
      add_string (b, "path", vmm_device_info_get_backing_path (dev));
      add_string (b, "network", vmm_device_info_get_network (dev));
      if (!vmm_device_info_get_connected (dev))
        {
          json_builder_set_member_name (b, "connected");
          json_builder_add_boolean_value (b, FALSE);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/**
 * vmm_sim_backend_to_json:
 * @self: a #VmmSimBackend
 *
 * The current inventory, in the format the backend reads: VMs where the
 * moves left them.
 *
 * Returns: (transfer full): the JSON text
 *
 * Since: 1.0
 */
char *
vmm_sim_backend_to_json (VmmSimBackend *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  GPtrArray *hosts, *datastores, *vms;

  g_return_val_if_fail (VMM_IS_SIM_BACKEND (self), NULL);
  hosts = vmm_inventory_get_hosts (self->inventory);
  datastores = vmm_inventory_get_datastores (self->inventory);
  vms = vmm_inventory_get_vms (self->inventory);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "settings");
  json_builder_begin_object (b);
  add_number (b, "step-latency-ms", self->latency_ms);
  add_number (b, "transfer-mibps", self->rate_mibps);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "hosts");
  json_builder_begin_array (b);
  for (guint i = 0; i < hosts->len; i++)
    {
      VmmHostInfo *h = g_ptr_array_index (hosts, i);

      json_builder_begin_object (b);
      add_string (b, "name", vmm_host_info_get_name (h));
      add_string (b, "manager", vmm_host_info_get_manager (h));
      add_string (b, "datacenter", vmm_host_info_get_datacenter (h));
      add_string (b, "cluster", vmm_host_info_get_cluster (h));
      add_string (b, "zone", vmm_host_info_get_zone (h));
      if (vmm_host_info_get_migration_problem (h) != NULL)
        add_string (b, "migration-problem", vmm_host_info_get_migration_problem (h));
      add_string (b, "state", host_states[vmm_host_info_get_state (h)]);
      add_string (b, "cpu-model", vmm_host_info_get_cpu_model (h));
      add_strv (b, "cpu-features", vmm_host_info_get_cpu_features (h));
      add_number (b, "memory-mib", (double)vmm_host_info_get_memory_mib (h));
      add_number (b, "vcpus", vmm_host_info_get_vcpus (h));
      add_number (b, "cpu-overcommit", vmm_host_info_get_cpu_overcommit (h));
      add_strv (b, "networks", vmm_host_info_get_networks (h));
      if (vmm_host_info_get_pools (h) != NULL)
        add_strv (b, "pools", vmm_host_info_get_pools (h));
      add_string (b, "default-pool", vmm_host_info_get_default_pool (h));
      add_strv (b, "metadata", vmm_host_info_get_metadata (h));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "datastores");
  json_builder_begin_array (b);
  for (guint i = 0; i < datastores->len; i++)
    {
      VmmDatastoreInfo *d = g_ptr_array_index (datastores, i);

      json_builder_begin_object (b);
      add_string (b, "name", vmm_datastore_info_get_name (d));
      json_builder_set_member_name (b, "shared");
      json_builder_add_boolean_value (b, vmm_datastore_info_get_shared (d));
      add_strv (b, "hosts", vmm_datastore_info_get_hosts (d));
      add_number (b, "capacity-gib", (double)vmm_datastore_info_get_capacity (d) / 1073741824.0);
      json_builder_set_member_name (b, "online");
      json_builder_add_boolean_value (b, vmm_datastore_info_get_online (d));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "vms");
  json_builder_begin_array (b);
  for (guint i = 0; i < vms->len; i++)
    add_vm_object (b, g_ptr_array_index (vms, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

/* --- crash recovery: persisted platform state, write-ahead data, repair --- */

static const char *const role_names[] = { "active", "incoming", "stale", NULL };

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

/* A table's keys in order (not owned; NULL-terminated), so that equal
 * states give equal text. */
static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_sized_new (g_hash_table_size (table) + 1);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_strings);
  g_ptr_array_add (keys, NULL);
  return keys;
}

/* The whole platform: the inventory plus what only the hypervisors and
 * datastores know (VM halves, files, reservations), sorted so that equal
 * states give equal text. */
static char *
state_to_json (VmmSimBackend *self)
{
  g_autofree char *inventory = vmm_sim_backend_to_json (self);
  g_autoptr (JsonNode) root = json_from_string (inventory, NULL);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) platform = NULL;
  g_autoptr (GPtrArray) keys = sorted_keys (self->instances);
  g_autoptr (GPtrArray) files = sorted_keys (self->files);
  g_autoptr (GPtrArray) dirs = sorted_keys (self->dirs);
  g_autoptr (GPtrArray) placeholders = sorted_keys (self->placeholders);
  GPtrArray *vms = vmm_inventory_get_vms (self->inventory);
  GPtrArray *hosts = vmm_inventory_get_hosts (self->inventory);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "instances");
  json_builder_begin_array (b);
  for (guint i = 0; i + 1 < keys->len; i++)
    {
      GPtrArray *list = g_hash_table_lookup (self->instances, g_ptr_array_index (keys, i));

      for (guint j = 0; j < list->len; j++)
        {
          Instance *inst = g_ptr_array_index (list, j);

          json_builder_begin_object (b);
          add_string (b, "vm", g_ptr_array_index (keys, i));
          add_string (b, "host", inst->host);
          add_string (b, "role", role_names[inst->role]);
          json_builder_end_object (b);
        }
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i + 1 < files->len; i++)
    {
      const char *key = g_ptr_array_index (files, i);

      json_builder_begin_object (b);
      add_string (b, "key", key);
      add_number (b, "size", (double)*(guint64 *)g_hash_table_lookup (self->files, key));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "dirs");
  json_builder_begin_array (b);
  for (guint i = 0; i + 1 < dirs->len; i++)
    {
      const char *key = g_ptr_array_index (dirs, i);

      json_builder_begin_object (b);
      add_string (b, "key", key);
      add_string (b, "vm", g_hash_table_lookup (self->dirs, key));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_strv (b, "placeholders", (const char *const *)placeholders->pdata);
  json_builder_set_member_name (b, "migrating");
  json_builder_begin_array (b);
  for (guint i = 0; i < vms->len; i++)
    if (vmm_vm_info_get_migrating (g_ptr_array_index (vms, i)))
      json_builder_add_string_value (b, vmm_vm_info_get_name (g_ptr_array_index (vms, i)));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "hosts-used");
  json_builder_begin_array (b);
  for (guint i = 0; i < hosts->len; i++)
    {
      VmmHostInfo *h = g_ptr_array_index (hosts, i);

      json_builder_begin_object (b);
      add_string (b, "host", vmm_host_info_get_name (h));
      add_number (b, "memory-mib", (double)vmm_host_info_get_memory_used_mib (h));
      add_number (b, "vcpus", vmm_host_info_get_vcpus_used (h));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  platform = json_builder_get_root (b);
  json_object_set_member (json_node_get_object (root), "platform", g_steal_pointer (&platform));
  return json_to_string (root, TRUE);
}

/* Reads a "platform" member written by state_to_json(): it replaces what
 * loading the VMs assumed (each VM defined where its record says, only its
 * own files, usage from the running VMs). */
static JsonArray *
array_member (JsonObject *obj, const char *name)
{
  return json_object_has_member (obj, name) ? json_object_get_array_member (obj, name) : NULL;
}

static gboolean
load_platform (VmmSimBackend *self, JsonNode *node, GError **error)
{
  static const char *const known[]
      = { "instances", "files", "dirs", "placeholders", "migrating", "hosts-used", NULL };
  JsonObject *obj;
  JsonArray *list;

  if (JSON_NODE_TYPE (node) != JSON_NODE_OBJECT)
    return parse_error (error, "platform", "must be an object");
  obj = json_node_get_object (node);
  if (!check_members (obj, "platform", known, error)
      || !check_types (obj, "platform", NULL, NULL, known, error))
    return FALSE;
  if ((list = array_member (obj, "instances")) != NULL)
    {
      g_hash_table_remove_all (self->instances);
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *e = json_array_get_element (list, i);
          JsonObject *o = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
          int role = ROLE_ACTIVE;

          if (o == NULL || get_string (o, "vm", NULL) == NULL
              || get_string (o, "host", NULL) == NULL
              || !parse_enum ("platform.instances", "role", get_string (o, "role", "active"),
                              role_names, &role, error))
            return error != NULL && *error != NULL
                       ? FALSE
                       : parse_error (error, "platform.instances", "needs 'vm' and 'host'");
          instance_add (self, get_string (o, "vm", NULL), get_string (o, "host", NULL), role);
        }
    }
  if ((list = array_member (obj, "files")) != NULL)
    {
      GPtrArray *datastores = vmm_inventory_get_datastores (self->inventory);

      g_hash_table_remove_all (self->files);
      for (guint i = 0; i < datastores->len; i++)
        vmm_datastore_info_set_free (
            g_ptr_array_index (datastores, i),
            vmm_datastore_info_get_capacity (g_ptr_array_index (datastores, i)));
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *e = json_array_get_element (list, i);
          JsonObject *o = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
          const char *key = o != NULL ? get_string (o, "key", NULL) : NULL;
          g_autofree char *ds = key != NULL ? key_datastore (key) : NULL;
          guint64 *size = g_new (guint64, 1);

          if (key == NULL)
            {
              g_free (size);
              return parse_error (error, "platform.files", "needs 'key'");
            }
          *size = (guint64)get_number (o, "size", 0);
          datastore_adjust (self, ds, (gint64)*size);
          g_hash_table_insert (self->files, g_strdup (key), size);
        }
    }
  if ((list = array_member (obj, "dirs")) != NULL)
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonNode *e = json_array_get_element (list, i);
        JsonObject *o = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;

        if (o == NULL || get_string (o, "key", NULL) == NULL || get_string (o, "vm", NULL) == NULL)
          return parse_error (error, "platform.dirs", "needs 'key' and 'vm'");
        g_hash_table_insert (self->dirs, g_strdup (get_string (o, "key", NULL)),
                             g_strdup (get_string (o, "vm", NULL)));
      }
  if ((list = array_member (obj, "placeholders")) != NULL)
    for (guint i = 0; i < json_array_get_length (list); i++)
      if (json_array_get_string_element (list, i) != NULL)
        g_hash_table_add (self->placeholders, g_strdup (json_array_get_string_element (list, i)));
  if ((list = array_member (obj, "migrating")) != NULL)
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        VmmVmInfo *vm = json_array_get_string_element (list, i) != NULL ? vmm_inventory_lookup_vm (
                            self->inventory, json_array_get_string_element (list, i))
                                                                        : NULL;

        if (vm != NULL)
          vmm_vm_info_set_migrating (vm, TRUE);
      }
  if ((list = array_member (obj, "hosts-used")) != NULL)
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonNode *e = json_array_get_element (list, i);
        JsonObject *o = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
        VmmHostInfo *h
            = o != NULL && get_string (o, "host", NULL) != NULL
                  ? vmm_inventory_lookup_host (self->inventory, get_string (o, "host", NULL))
                  : NULL;

        if (h == NULL)
          return parse_error (error, "platform.hosts-used", "needs a known 'host'");
        vmm_host_info_set_memory_used_mib (h, (guint64)get_number (o, "memory-mib", 0));
        vmm_host_info_set_vcpus_used (h, (guint)get_number (o, "vcpus", 0));
      }
  return TRUE;
}

/* persist=true: the state survives the process, as a real platform does */
static void
persist (VmmSimBackend *self)
{
  g_autofree char *json = NULL;
  g_autoptr (GError) error = NULL;

  if (self->state_path == NULL)
    return;
  json = state_to_json (self);
  /* atomic (rename), not flushed to the disk: it survives the process, the
   * failure being simulated, not the machine */
  if (!g_file_set_contents_full (self->state_path, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 &error))
    g_warning ("sim: could not save the platform's state: %s", error->message);
}

/* Write-ahead: the VM as it was, in the journal before the first change. */
static gboolean
record_before (VmmSimBackend *self, VmmMigrationContext *ctx, SimMove *mv, GError **error)
{
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *data = NULL;
  VmmVmInfo *rec = record_of (self, ctx);

  if (mv->recorded || rec == NULL || !vmm_migration_context_wants_recovery_data (ctx))
    return TRUE;
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "before");
  add_vm_object (b, rec);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  data = json_to_string (root, FALSE);
  if (!vmm_migration_context_record_recovery_data (ctx, data, error))
    return FALSE;
  mv->recorded = TRUE;
  return TRUE;
}

/* Write-ahead: a file the move is about to create. */
static gboolean
record_created (SimMove *mv, const char *ds, const char *path, GError **error)
{
  g_autofree char *key = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *data = NULL;

  if (!vmm_migration_context_wants_recovery_data (mv->ctx))
    return TRUE;
  key = file_key (ds, path);
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_string (b, "created", key);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  data = json_to_string (root, FALSE);
  return vmm_migration_context_record_recovery_data (mv->ctx, data, error);
}

static void
add_owned_files (GHashTable *owned, VmmVmInfo *vm)
{
  GPtrArray *disks = vmm_vm_info_get_disks (vm);
  g_autofree char *cfg = config_path (vmm_vm_info_get_name (vm));

  g_hash_table_add (owned, file_key (vmm_vm_info_get_datastore (vm), cfg));
  for (guint d = 0; d < disks->len; d++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (disks, d);

      g_hash_table_add (
          owned, file_key (vmm_disk_info_get_datastore (disk), vmm_disk_info_get_path (disk)));
      for (guint s = 1; s <= vmm_disk_info_get_snapshots (disk); s++)
        {
          g_autofree char *path = snapshot_path (disk, s);
          g_hash_table_add (owned, file_key (vmm_disk_info_get_datastore (disk), path));
        }
    }
}

/* Usage as the running VMs make it: after a crash no move holds a reservation. */
static void
recompute_usage (VmmSimBackend *self)
{
  GPtrArray *hosts = vmm_inventory_get_hosts (self->inventory);
  GPtrArray *vms = vmm_inventory_get_vms (self->inventory);

  for (guint i = 0; i < hosts->len; i++)
    {
      vmm_host_info_set_memory_used_mib (g_ptr_array_index (hosts, i), 0);
      vmm_host_info_set_vcpus_used (g_ptr_array_index (hosts, i), 0);
    }
  for (guint i = 0; i < vms->len; i++)
    {
      VmmVmInfo *vm = g_ptr_array_index (vms, i);

      if (vmm_vm_info_get_power_state (vm) == VMM_POWER_STATE_RUNNING)
        host_adjust (self, vmm_vm_info_get_host (vm), vm, +1);
    }
}

/* Removes the move's reservations (directories, placeholders) for @vm. */
static void
drop_reservations_of (VmmSimBackend *self, const char *vm)
{
  GHashTableIter iter;
  gpointer key, value;
  g_autofree char *suffix = g_strdup_printf ("/%s", vm);

  g_hash_table_iter_init (&iter, self->dirs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_strcmp0 (value, vm) == 0)
      g_hash_table_iter_remove (&iter);
  g_hash_table_iter_init (&iter, self->placeholders);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_has_suffix (key, suffix))
      g_hash_table_iter_remove (&iter);
}

static gboolean
sim_recover (VmmSimBackend *self, const char *vm, gboolean forward, const char *source,
             const char *destination, const char *const *data, GError **error)
{
  g_autoptr (VmmVmInfo) before = NULL;
  g_autoptr (GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) owned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  VmmVmInfo *rec = vmm_inventory_lookup_vm (self->inventory, vm);
  GPtrArray *list = instances_of (self, vm);

  for (guint i = 0; data[i] != NULL; i++)
    {
      g_autoptr (JsonNode) node = json_from_string (data[i], NULL);
      JsonObject *obj
          = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (obj == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                       "sim: recovery data %u of VM '%s' is not a JSON object", i, vm);
          return FALSE;
        }
      if (json_object_has_member (obj, "before") && before == NULL)
        {
          JsonNode *b = json_object_get_member (obj, "before");

          if (!JSON_NODE_HOLDS_OBJECT (b)
              || (before = parse_vm (self, json_node_get_object (b), "before", error)) == NULL)
            return FALSE;
        }
      else if (get_string (obj, "created", NULL) != NULL)
        g_ptr_array_add (created, g_strdup (get_string (obj, "created", NULL)));
    }
  if (rec == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "sim: no VM named '%s'", vm);
      return FALSE;
    }
  if (!forward)
    {
      /* back to the VM as it was: its record, one definition on its source,
       * its own files; whatever the move created goes */
      if (before != NULL)
        {
          g_autoptr (GHashTable) before_files
              = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          GHashTableIter iter;
          gpointer key;

          add_owned_files (before_files, before);
          g_hash_table_iter_init (&iter, before_files);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            if (!g_hash_table_contains (self->files, key))
              {
                g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                             "sim: %s of VM '%s' is gone: it cannot be put back", (char *)key, vm);
                return FALSE;
              }
          vmm_inventory_remove_vm (self->inventory, vm);
          vmm_inventory_add_vm (self->inventory, before);
          rec = before;
        }
      else if (g_strcmp0 (vmm_vm_info_get_host (rec), source) != 0)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                       "sim: VM '%s' is recorded on '%s' and the journal has no image of it from "
                       "before the move",
                       vm, vmm_vm_info_get_host (rec));
          return FALSE;
        }
      g_ptr_array_set_size (list, 0);
      instance_add (self, vm, source, ROLE_ACTIVE);
    }
  else
    {
      /* forward: the VM runs on its destination; the source's half and
       * the files it no longer uses go */
      if (instance_find (self, vm, destination, ROLE_ACTIVE) == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                       "sim: VM '%s' is not defined on '%s': the move cannot be finished", vm,
                       destination);
          return FALSE;
        }
      for (guint i = list->len; i > 0; i--)
        {
          Instance *inst = g_ptr_array_index (list, i - 1);

          if (inst->role != ROLE_ACTIVE || g_strcmp0 (inst->host, destination) != 0)
            g_ptr_array_remove_index (list, i - 1);
        }
      if (g_strcmp0 (vmm_vm_info_get_host (rec), destination) != 0)
        {
          VmmHostInfo *dst = vmm_inventory_lookup_host (self->inventory, destination);

          vmm_vm_info_set_host (rec, destination);
          if (dst != NULL && vmm_host_info_get_default_pool (dst) != NULL)
            vmm_vm_info_set_resource_pool (rec, vmm_host_info_get_default_pool (dst));
        }
      if (before != NULL)
        {
          GPtrArray *disks = vmm_vm_info_get_disks (before);
          g_autofree char *cfg = config_path (vm);

          /* the source's files become deletable only when the VM no longer uses them */
          g_ptr_array_add (created, file_key (vmm_vm_info_get_datastore (before), cfg));
          for (guint d = 0; d < disks->len; d++)
            {
              VmmDiskInfo *disk = g_ptr_array_index (disks, d);

              g_ptr_array_add (created, file_key (vmm_disk_info_get_datastore (disk),
                                                  vmm_disk_info_get_path (disk)));
              for (guint s = 1; s <= vmm_disk_info_get_snapshots (disk); s++)
                {
                  g_autofree char *path = snapshot_path (disk, s);
                  g_ptr_array_add (created, file_key (vmm_disk_info_get_datastore (disk), path));
                }
            }
        }
    }
  vmm_vm_info_set_migrating (rec, FALSE);
  drop_reservations_of (self, vm);
  /* files of this move that no VM uses */
  {
    GPtrArray *vms = vmm_inventory_get_vms (self->inventory);

    for (guint i = 0; i < vms->len; i++)
      add_owned_files (owned, g_ptr_array_index (vms, i));
    for (guint i = 0; i < created->len; i++)
      if (!g_hash_table_contains (owned, g_ptr_array_index (created, i))
          && !file_remove (self, g_ptr_array_index (created, i), error))
        return FALSE;
  }
  recompute_usage (self);
  return TRUE;
}

static void
sim_recover_async (VmmBackend *backend, const char *vm, gboolean forward, const char *source,
                   const char *destination, const char *const *data, GCancellable *cancellable,
                   GAsyncReadyCallback callback, gpointer user_data)
{
  VmmSimBackend *self = VMM_SIM_BACKEND (backend);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  vmm_task_set_source_tag (task, sim_recover_async);
  if (!sim_recover (self, vm, forward, source, destination, data, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  persist (self);
}

/**
 * vmm_sim_backend_save:
 * @self: a #VmmSimBackend
 * @path: where to write the inventory
 * @error: return location for a #GError
 *
 * Saves the current inventory (see vmm_sim_backend_to_json()).
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
vmm_sim_backend_save (VmmSimBackend *self, const char *path, GError **error)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (VMM_IS_SIM_BACKEND (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  json = vmm_sim_backend_to_json (self);
  return g_file_set_contents (path, json, -1, error);
}
