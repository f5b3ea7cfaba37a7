/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-libvirt-backend.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "vmm-libvirt-util.h"

/* VmmLibvirtBackend: moves libvirt domains between libvirt hosts through
 * libvirt's public C API.
 *
 * It opens `libvirt:///path/cluster.json` (a cluster description: host name
 * -> client URI, peer-to-peer migration URI and attributes such as zone;
 * pools marked shared or local) or one libvirt URI (`qemu:///system`,
 * `qemu+unix:///system?socket=...`, `qemu+tcp://host/system`...).
 *
 * Facts: hosts from virNodeGetInfo/virNodeGetFreeMemory and their networks;
 * storage pools as datastores (a pool the cluster description marks shared
 * is one datastore named like the pool; any other pool is the datastore
 * "HOST/POOL", reachable from that host only); domains from their XML
 * (libxml2): disks, CD-ROM sources, NICs, the CPU definition. CPU features a
 * guest's definition requires are compared with each other host's hypervisor
 * CPU (virConnectCompareHypervisorCPU); a host's CPU features list those it
 * provides, so the engine names the missing ones.
 *
 * Moves: hot host moves with virDomainMigrateToURI3 (peer to peer, typed
 * parameters), with non-shared-disk copy into volumes created first when
 * the storage moves too; storage-only moves with virDomainBlockCopy, block
 * job events, pivot and a new persistent definition; cold moves copy volumes
 * with storage streams, define the domain on the destination and remove the
 * source volumes only once the destination is verified. Every blocking call
 * runs in a worker thread; libvirt's events arrive through its default event
 * loop, run in a thread of its own. */

#define LV_DEFAULT_CPU_OVERCOMMIT 16.0
/* how long PowerOffVm waits for the guest to honour its ACPI shutdown
 * before it destroys it (the cluster description's shutdown-timeout-s) */
#define LV_DEFAULT_SHUTDOWN_TIMEOUT_S 60
#define LV_POLL_MS 200
#define LV_STREAM_CHUNK (1024 * 1024)
/* pre-copy iterations without progress on the remaining bytes before the
 * move counts as stalled */
#define LV_STALL_ITERATIONS 2
/* on-timeout force-complete: the largest max downtime QEMU accepts (2000 s)
 * and a bandwidth limit that no link reaches (MiB/s) */
#define LV_FORCE_DOWNTIME_MS (2000u * 1000u)
#define LV_UNLIMITED_MIBPS (1ul << 30)

typedef struct
{
  char *name;
  char *uri;
  char *migration_uri;
  char *zone;
  double cpu_overcommit;
  GMutex lock;
  virConnectPtr conn;
  GPtrArray *spare; /* idle connections for calls that block a whole move */
} LvHost;

typedef struct
{
  char *name;
  gboolean shared;
} LvPoolDesc;

struct _VmmLibvirtBackend
{
  VmmBackend parent_instance;

  GPtrArray *hosts;   /* LvHost, in description order */
  GHashTable *pools;  /* pool name -> LvPoolDesc, from the description */
  char *cluster_path; /* NULL for a single URI */
  guint shutdown_timeout_s;
  GMutex read_lock;
  struct _LvRead *open_read; /* owned: the inventory read callers may still join */
};

/* not final: each further URI scheme registers a plain subtype, since an
 * extension point takes one name per type */
G_DEFINE_TYPE (VmmLibvirtBackend, vmm_libvirt_backend, VMM_TYPE_BACKEND)

static const char *const lv_schemes[] = {
  "libvirt", "qemu", "qemu+unix", "qemu+tcp", "qemu+ssh", "qemu+tls", "qemu+libssh2",
};

void
vmm_libvirt_backend_register (void)
{
  g_io_extension_point_implement (VMM_BACKEND_EXTENSION_POINT_NAME, VMM_TYPE_LIBVIRT_BACKEND,
                                  lv_schemes[0], 0);
  for (guint i = 1; i < G_N_ELEMENTS (lv_schemes); i++)
    {
      g_autofree char *name = g_strdup_printf ("VmmLibvirtBackend-%s", lv_schemes[i]);
      GType type = g_type_from_name (name);

      if (type == 0)
        type = g_type_register_static_simple (VMM_TYPE_LIBVIRT_BACKEND, g_intern_string (name),
                                              sizeof (VmmLibvirtBackendClass), NULL,
                                              sizeof (VmmLibvirtBackend), NULL, 0);
      g_io_extension_point_implement (VMM_BACKEND_EXTENSION_POINT_NAME, type, lv_schemes[i], 0);
    }
}

static void
lv_host_free (LvHost *host)
{
  g_free (host->name);
  g_free (host->uri);
  g_free (host->migration_uri);
  g_free (host->zone);
  if (host->conn != NULL)
    virConnectClose (host->conn);
  g_clear_pointer (&host->spare, g_ptr_array_unref);
  g_mutex_clear (&host->lock);
  g_free (host);
}

static void
lv_pool_desc_free (LvPoolDesc *desc)
{
  g_free (desc->name);
  g_free (desc);
}

static LvHost *
lv_host_lookup (VmmLibvirtBackend *self, const char *name)
{
  for (guint i = 0; name != NULL && i < self->hosts->len; i++)
    {
      LvHost *host = g_ptr_array_index (self->hosts, i);

      if (g_strcmp0 (host->name, name) == 0)
        return host;
    }
  return NULL;
}

static virConnectPtr
lv_host_connect_locked (LvHost *host, GError **error);

/* A referenced connection to @host, opened again when the old one died (a
 * restarted daemon). Any thread; blocks while connecting. */
static virConnectPtr
lv_host_connect (LvHost *host, GError **error)
{
  virConnectPtr conn;

  g_mutex_lock (&host->lock);
  conn = lv_host_connect_locked (host, error);
  g_mutex_unlock (&host->lock);
  return conn;
}

/* A new connection to @host. */
static virConnectPtr
lv_host_open (LvHost *host, GError **error)
{
  virConnectPtr conn = virConnectOpen (host->uri);

  if (conn == NULL)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot connect to host '%s'", host->name);
      return NULL;
    }
  /* dead peers are noticed within ~15 s instead of at the TCP timeout */
  virConnectSetKeepAlive (conn, 5, 3);
  return conn;
}

static virConnectPtr
lv_host_connect_locked (LvHost *host, GError **error)
{
  virConnectPtr conn;

  if (host->conn != NULL && virConnectIsAlive (host->conn) == 1)
    {
      virConnectRef (host->conn);
      return host->conn;
    }
  if (host->conn != NULL)
    {
      virConnectClose (host->conn);
      host->conn = NULL;
    }
  conn = lv_host_open (host, error);
  if (conn == NULL)
    return NULL;
  host->conn = conn;
  virConnectRef (conn);
  return conn;
}

/* A connection of its own for one call that blocks for a whole move
 * (virDomainMigrateToURI3). libvirt's client multiplexes the calls of all
 * threads over one connection, and while one thread waits inside a long
 * call the others' requests on that connection can sit unsent until the
 * next message arrives from the daemon: measured 0.1-0.57 s before a
 * move's own migrate call started when another move's migrate call was
 * running on the shared connection. Idle ones are kept for the next move;
 * give it back with lv_host_release(). */
static virConnectPtr
lv_host_take (LvHost *host, GError **error)
{
  virConnectPtr conn = NULL;

  g_mutex_lock (&host->lock);
  while (conn == NULL && host->spare != NULL && host->spare->len > 0)
    {
      conn = g_ptr_array_steal_index_fast (host->spare, host->spare->len - 1);
      if (virConnectIsAlive (conn) != 1)
        g_clear_pointer (&conn, lv_connect_close);
    }
  g_mutex_unlock (&host->lock);
  return conn != NULL ? conn : lv_host_open (host, error);
}

/* at most this many idle connections per host */
#define LV_SPARE_CONNECTIONS 4

static void
lv_host_release (LvHost *host, virConnectPtr conn)
{
  if (conn == NULL)
    return;
  g_mutex_lock (&host->lock);
  if (host->spare == NULL)
    host->spare = g_ptr_array_new_with_free_func ((GDestroyNotify)lv_connect_close);
  if (host->spare->len < LV_SPARE_CONNECTIONS && virConnectIsAlive (conn) == 1)
    g_ptr_array_add (host->spare, g_steal_pointer (&conn));
  g_mutex_unlock (&host->lock);
  if (conn != NULL)
    lv_connect_close (conn);
}

static virConnectPtr
lv_connect (VmmLibvirtBackend *self, const char *name, GError **error)
{
  LvHost *host = lv_host_lookup (self, name);

  if (host == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "libvirt: no host named '%s'",
                   name != NULL ? name : "(none)");
      return NULL;
    }
  return lv_host_connect (host, error);
}

/* --- opening: a cluster description or one URI --- */

static gboolean
lv_desc_error (GError **error, const char *path, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
lv_desc_error (GError **error, const char *path, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, fmt);
  msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "libvirt cluster description %s: %s", path,
               msg);
  return FALSE;
}

static const char *
lv_json_string (JsonObject *obj, const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
lv_load_cluster (VmmLibvirtBackend *self, const char *path, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GList) names = NULL;
  JsonObject *root, *hosts, *pools = NULL;
  JsonNode *node;

  if (!json_parser_load_from_file (parser, path, &local_error))
    return lv_desc_error (error, path, "%s", local_error->message);
  node = json_parser_get_root (parser);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return lv_desc_error (error, path, "the top level must be an object");
  root = json_node_get_object (node);
  node = json_object_get_member (root, "hosts");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return lv_desc_error (error, path, "'hosts' must be an object (host name -> {uri, ...})");
  hosts = json_node_get_object (node);
  names = json_object_get_members (hosts);
  if (names == NULL)
    return lv_desc_error (error, path, "'hosts' names no host");
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *hnode = json_object_get_member (hosts, name);
      JsonObject *h;
      LvHost *host;
      const char *uri;
      g_autoptr (GUri) parsed = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (hnode))
        return lv_desc_error (error, path, "hosts.%s must be an object", name);
      h = json_node_get_object (hnode);
      uri = lv_json_string (h, "uri");
      if (uri == NULL || *uri == '\0')
        return lv_desc_error (error, path, "hosts.%s.uri must be a libvirt URI", name);
      parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, &local_error);
      if (parsed == NULL)
        return lv_desc_error (error, path, "hosts.%s.uri: %s", name, local_error->message);
      host = g_new0 (LvHost, 1);
      g_mutex_init (&host->lock);
      host->name = g_strdup (name);
      host->uri = g_strdup (uri);
      host->migration_uri = g_strdup (lv_json_string (h, "migration-uri"));
      host->zone = g_strdup (lv_json_string (h, "zone"));
      host->cpu_overcommit = LV_DEFAULT_CPU_OVERCOMMIT;
      if (json_object_has_member (h, "cpu-overcommit"))
        {
          JsonNode *ratio = json_object_get_member (h, "cpu-overcommit");

          if (!JSON_NODE_HOLDS_VALUE (ratio) || json_node_get_double (ratio) <= 0)
            {
              lv_host_free (host);
              return lv_desc_error (error, path,
                                    "hosts.%s.cpu-overcommit must be a positive number", name);
            }
          host->cpu_overcommit = json_node_get_double (ratio);
        }
      g_ptr_array_add (self->hosts, host);
    }
  node = json_object_get_member (root, "shutdown-timeout-s");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
          || json_node_get_int (node) < 0 || json_node_get_int (node) > 3600)
        return lv_desc_error (error, path,
                              "shutdown-timeout-s must be a whole number of seconds (0-3600)");
      self->shutdown_timeout_s = (guint)json_node_get_int (node);
    }
  node = json_object_get_member (root, "pools");
  if (node != NULL && !JSON_NODE_HOLDS_OBJECT (node))
    return lv_desc_error (error, path, "'pools' must be an object (pool name -> {shared, ...})");
  if (node != NULL)
    pools = json_node_get_object (node);
  if (pools != NULL)
    {
      g_autoptr (GList) pool_names = json_object_get_members (pools);

      for (GList *l = pool_names; l != NULL; l = l->next)
        {
          JsonNode *pnode = json_object_get_member (pools, l->data);
          JsonNode *shared;
          LvPoolDesc *desc;

          if (!JSON_NODE_HOLDS_OBJECT (pnode))
            return lv_desc_error (error, path, "pools.%s must be an object", (char *)l->data);
          shared = json_object_get_member (json_node_get_object (pnode), "shared");
          if (shared != NULL
              && (!JSON_NODE_HOLDS_VALUE (shared)
                  || json_node_get_value_type (shared) != G_TYPE_BOOLEAN))
            return lv_desc_error (error, path, "pools.%s.shared must be true or false",
                                  (char *)l->data);
          desc = g_new0 (LvPoolDesc, 1);
          desc->name = g_strdup (l->data);
          desc->shared = shared != NULL && json_node_get_boolean (shared);
          g_hash_table_insert (self->pools, desc->name, desc);
        }
    }
  return TRUE;
}

static gboolean
vmm_libvirt_backend_open (VmmBackend *backend, GUri *uri, GCancellable *cancellable, GError **error)
{
  VmmLibvirtBackend *self = VMM_LIBVIRT_BACKEND (backend);

  lv_ensure_event_loop ();
  if (g_strcmp0 (g_uri_get_scheme (uri), "libvirt") == 0)
    {
      const char *path = g_uri_get_path (uri);

      if (path == NULL || *path != '/')
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                       "libvirt: name the cluster description as libvirt:///path/cluster.json");
          return FALSE;
        }
      self->cluster_path = g_strdup (path);
      if (!lv_load_cluster (self, path, error))
        return FALSE;
    }
  else
    {
      g_autofree char *text = g_uri_to_string (uri);
      LvHost *host = g_new0 (LvHost, 1);
      g_autoptr (virConnect) conn = NULL;
      char *hostname;

      g_mutex_init (&host->lock);
      host->uri = g_strdup (text);
      host->cpu_overcommit = LV_DEFAULT_CPU_OVERCOMMIT;
      host->name = g_strdup (g_uri_get_host (uri));
      g_ptr_array_add (self->hosts, host);
      conn = lv_host_connect (host, error);
      if (conn == NULL)
        return FALSE;
      if (host->name == NULL || *host->name == '\0')
        {
          hostname = virConnectGetHostname (conn);
          g_free (host->name);
          host->name = g_strdup (hostname != NULL ? hostname : "localhost");
          free (hostname);
        }
    }
  for (guint i = 0; i < self->hosts->len; i++)
    {
      g_autoptr (virConnect) conn = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      conn = lv_host_connect (g_ptr_array_index (self->hosts, i), error);
      if (conn == NULL)
        return FALSE;
    }
  return TRUE;
}

/* --- facts --- */

/* The datastore a pool of @host is: the pool's own name when the cluster
 * description marks it shared, "HOST/POOL" otherwise. */
static char *
lv_datastore_name (VmmLibvirtBackend *self, const char *host, const char *pool)
{
  LvPoolDesc *desc = g_hash_table_lookup (self->pools, pool);

  if (desc != NULL && desc->shared)
    return g_strdup (pool);
  return g_strdup_printf ("%s/%s", host, pool);
}

/* The libvirt pool (and the host to ask) behind a datastore name; @host is
 * the host that will use it (a shared pool is asked on that host). */
static gboolean
lv_datastore_resolve (VmmLibvirtBackend *self, const char *datastore, const char *host,
                      char **host_out, char **pool_out, GError **error)
{
  const char *slash = datastore != NULL ? strchr (datastore, '/') : NULL;

  if (datastore == NULL)
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "libvirt: no datastore named");
      return FALSE;
    }
  if (slash != NULL)
    {
      *host_out = g_strndup (datastore, (gsize)(slash - datastore));
      *pool_out = g_strdup (slash + 1);
      return TRUE;
    }
  *host_out = g_strdup (host);
  *pool_out = g_strdup (datastore);
  return TRUE;
}

typedef struct
{
  char *dir;
  char *datastore;
  char *pool;
} LvPoolPath;

static void
lv_pool_path_free (LvPoolPath *pp)
{
  g_free (pp->dir);
  g_free (pp->datastore);
  g_free (pp->pool);
  g_free (pp);
}

typedef struct
{
  char *vm;
  char *host;
  char *emulator;
  char *arch;
  char *machine;
  char *virt_type;
  char *model;
  char *cpu_xml;
  char **features;
} LvCpuNeed;

static void
lv_cpu_need_free (LvCpuNeed *need)
{
  g_free (need->vm);
  g_free (need->host);
  g_free (need->emulator);
  g_free (need->arch);
  g_free (need->machine);
  g_free (need->virt_type);
  g_free (need->model);
  g_free (need->cpu_xml);
  g_strfreev (need->features);
  g_free (need);
}

typedef struct
{
  VmmInventory *inventory;
  GHashTable *datastores;   /* name -> VmmDatastoreInfo (ref'd by inventory) */
  GHashTable *ds_hosts;     /* name -> GPtrArray of host names */
  GHashTable *pool_paths;   /* host -> GPtrArray of LvPoolPath */
  GHashTable *cpu_features; /* host -> GHashTable set of features */
  GHashTable *vm_active;    /* vm name -> GINT_TO_POINTER (active) */
  GHashTable *vcpus_used;   /* host -> GUINT_TO_POINTER */
  GPtrArray *cpu_needs;     /* LvCpuNeed */
  GHashTable *connections;  /* host -> virConnectPtr (ref) */
} LvFacts;

static void
lv_facts_clear (LvFacts *facts)
{
  g_clear_object (&facts->inventory);
  g_clear_pointer (&facts->datastores, g_hash_table_unref);
  g_clear_pointer (&facts->ds_hosts, g_hash_table_unref);
  g_clear_pointer (&facts->pool_paths, g_hash_table_unref);
  g_clear_pointer (&facts->cpu_features, g_hash_table_unref);
  g_clear_pointer (&facts->vm_active, g_hash_table_unref);
  g_clear_pointer (&facts->vcpus_used, g_hash_table_unref);
  g_clear_pointer (&facts->cpu_needs, g_ptr_array_unref);
  g_clear_pointer (&facts->connections, g_hash_table_unref);
}

static GHashTable *
lv_features_of (LvFacts *facts, const char *host)
{
  GHashTable *set = g_hash_table_lookup (facts->cpu_features, host);

  if (set == NULL)
    {
      set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (facts->cpu_features, g_strdup (host), set);
    }
  return set;
}

static void
lv_facts_pools (VmmLibvirtBackend *self, LvFacts *facts, LvHost *host, virConnectPtr conn,
                GStrvBuilder *host_datastores)
{
  virStoragePoolPtr *pools = NULL;
  int n = virConnectListAllStoragePools (conn, &pools, 0);
  GPtrArray *paths = g_ptr_array_new_with_free_func ((GDestroyNotify)lv_pool_path_free);

  g_hash_table_insert (facts->pool_paths, g_strdup (host->name), paths);
  for (int i = 0; i < n; i++)
    {
      g_autoptr (virStoragePool) pool = pools[i];
      const char *name = virStoragePoolGetName (pool);
      g_autofree char *ds_name = lv_datastore_name (self, host->name, name);
      g_autofree char *xml = virStoragePoolGetXMLDesc (pool, 0);
      gboolean active = virStoragePoolIsActive (pool) == 1;
      VmmDatastoreInfo *ds = g_hash_table_lookup (facts->datastores, ds_name);
      virStoragePoolInfo info = { 0 };
      char *dir = xml != NULL ? lv_pool_xml_target_path (xml) : NULL;

      if (dir != NULL)
        {
          LvPoolPath *pp = g_new0 (LvPoolPath, 1);

          pp->dir = dir;
          pp->datastore = g_strdup (ds_name);
          pp->pool = g_strdup (name);
          g_ptr_array_add (paths, pp);
        }
      if (ds == NULL)
        {
          ds = vmm_datastore_info_new (ds_name);
          vmm_datastore_info_set_shared (ds, strchr (ds_name, '/') == NULL);
          vmm_datastore_info_set_online (ds, FALSE);
          vmm_datastore_info_set_path (ds, dir);
          vmm_inventory_add_datastore (facts->inventory, ds);
          g_hash_table_insert (facts->datastores, g_strdup (ds_name), ds);
          g_hash_table_insert (facts->ds_hosts, g_strdup (ds_name),
                               g_ptr_array_new_with_free_func (g_free));
          g_object_unref (ds);
        }
      if (!active)
        continue;
      if (virStoragePoolGetInfo (pool, &info) == 0 && !vmm_datastore_info_get_online (ds))
        {
          vmm_datastore_info_set_capacity (ds, info.capacity);
          vmm_datastore_info_set_free (ds, info.available);
        }
      vmm_datastore_info_set_online (ds, TRUE);
      g_ptr_array_add (g_hash_table_lookup (facts->ds_hosts, ds_name), g_strdup (host->name));
      g_strv_builder_add (host_datastores, ds_name);
    }
  free (pools);
}

/* The datastore (and pool) whose directory holds @path on @host. */
static LvPoolPath *
lv_facts_pool_of_path (LvFacts *facts, const char *host, const char *path)
{
  GPtrArray *paths = g_hash_table_lookup (facts->pool_paths, host);
  g_autofree char *dir = NULL;

  if (paths == NULL || path == NULL)
    return NULL;
  dir = g_path_get_dirname (path);
  for (guint i = 0; i < paths->len; i++)
    {
      LvPoolPath *pp = g_ptr_array_index (paths, i);
      g_autofree char *canon = g_canonicalize_filename (pp->dir, "/");

      if (g_strcmp0 (canon, dir) == 0)
        return pp;
    }
  return NULL;
}

/* The volume at @path; a pool another host shares learns of a volume
 * created there only when refreshed, so the active pools are refreshed and
 * asked again when libvirt does not know it. */
static virStorageVolPtr
lv_volume_lookup (virConnectPtr conn, const char *path)
{
  virStorageVolPtr vol = virStorageVolLookupByPath (conn, path);
  virStoragePoolPtr *pools = NULL;
  int n;

  if (vol != NULL || !lv_last_error_is (VIR_ERR_NO_STORAGE_VOL))
    return vol;
  n = virConnectListAllStoragePools (conn, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
  for (int i = 0; i < n; i++)
    {
      virStoragePoolRefresh (pools[i], 0);
      virStoragePoolFree (pools[i]);
    }
  free (pools);
  return virStorageVolLookupByPath (conn, path);
}

static void
lv_volume_sizes (virConnectPtr conn, const char *path, guint64 *capacity, guint64 *allocation)
{
  /* no pool refresh here: an inventory query reads, and a file outside
   * every pool is measured with stat() below */
  g_autoptr (virStorageVol) vol = virStorageVolLookupByPath (conn, path);
  virStorageVolInfo info = { 0 };

  *capacity = *allocation = 0;
  if (vol != NULL && virStorageVolGetInfo (vol, &info) == 0)
    {
      *capacity = info.capacity;
      *allocation = info.allocation;
      return;
    }
  {
    GStatBuf st;

    if (g_stat (path, &st) == 0)
      *capacity = *allocation = (guint64)st.st_size;
  }
}

static VmmPowerState
lv_power_state (int state)
{
  switch (state)
    {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED:
      return VMM_POWER_STATE_RUNNING;
    case VIR_DOMAIN_PAUSED:
    case VIR_DOMAIN_PMSUSPENDED:
      return VMM_POWER_STATE_SUSPENDED;
    case VIR_DOMAIN_SHUTOFF:
    case VIR_DOMAIN_SHUTDOWN:
    case VIR_DOMAIN_CRASHED:
      return VMM_POWER_STATE_OFF;
    case VIR_DOMAIN_NOSTATE:
    default:
      return VMM_POWER_STATE_UNKNOWN;
    }
}

/* @dom as virConnectListAllDomains() listed it, @persistent whether the
 * persistent listing named it too. Three calls per domain: its XML, its
 * definition's (persistent only) and virDomainGetInfo (state, memory,
 * vCPUs); whether it runs is the ID the listing gave (libvirt gives a
 * running domain an ID, an inactive one none). */
static void
lv_facts_domain (VmmLibvirtBackend *self, LvFacts *facts, LvHost *host, virConnectPtr conn,
                 virDomainPtr dom, gboolean persistent_dom)
{
  const char *name = virDomainGetName (dom);
  gboolean active = virDomainGetID (dom) != (unsigned int)-1;
  gpointer seen = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *inactive_xml = NULL;
  g_autoptr (LvDomainXml) parsed = NULL;
  g_autoptr (LvDomainXml) persistent = NULL;
  g_autoptr (VmmVmInfo) vm = NULL;
  char uuid[VIR_UUID_STRING_BUFLEN] = { 0 };
  virDomainInfo info = { 0 };
  int state = VIR_DOMAIN_NOSTATE;
  const char *primary = NULL;

  if (g_hash_table_lookup_extended (facts->vm_active, name, NULL, &seen)
      && (GPOINTER_TO_INT (seen) || !active))
    return; /* an active instance wins over a leftover definition */
  xml = virDomainGetXMLDesc (dom, 0);
  if (xml == NULL || (parsed = lv_domain_xml_parse (xml, NULL)) == NULL)
    return;
  if (persistent_dom)
    {
      inactive_xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
      if (inactive_xml != NULL)
        persistent = lv_domain_xml_parse (inactive_xml, NULL);
    }
  if (seen != NULL || g_hash_table_contains (facts->vm_active, name))
    vmm_inventory_remove_vm (facts->inventory, name);
  g_hash_table_insert (facts->vm_active, g_strdup (name), GINT_TO_POINTER (active));

  vm = vmm_vm_info_new (name);
  virDomainGetUUIDString (dom, uuid);
  vmm_vm_info_set_id (vm, uuid);
  vmm_vm_info_set_host (vm, host->name);
  if (virDomainGetInfo (dom, &info) == 0)
    {
      state = info.state;
      vmm_vm_info_set_memory_mib (vm, info.maxMem / 1024);
      vmm_vm_info_set_vcpus (vm, info.nrVirtCpu);
      if (active)
        {
          guint used = GPOINTER_TO_UINT (g_hash_table_lookup (facts->vcpus_used, host->name));

          g_hash_table_insert (facts->vcpus_used, g_strdup (host->name),
                               GUINT_TO_POINTER (used + info.nrVirtCpu));
        }
    }
  vmm_vm_info_set_power_state (vm, lv_power_state (state));
  /* the CPU the guest's definition requires: the persistent one is what the
   * destination keeps and must be able to start */
  {
    LvDomainXml *cpu = persistent != NULL && persistent->cpu_xml != NULL ? persistent : parsed;

    if (cpu->cpu_xml != NULL && cpu->cpu_mode != NULL && g_str_equal (cpu->cpu_mode, "custom")
        && cpu->cpu_required[0] != NULL)
      {
        LvCpuNeed *need = g_new0 (LvCpuNeed, 1);

        vmm_vm_info_set_cpu_features (vm, (const char *const *)cpu->cpu_required);
        need->vm = g_strdup (name);
        need->host = g_strdup (host->name);
        need->emulator = g_strdup (parsed->emulator);
        need->arch = g_strdup (parsed->arch);
        need->machine = g_strdup (parsed->machine);
        need->virt_type = g_strdup (parsed->virt_type);
        need->model = g_strdup (cpu->cpu_model);
        need->cpu_xml = g_strdup (cpu->cpu_xml);
        need->features = g_strdupv (cpu->cpu_required);
        g_ptr_array_add (facts->cpu_needs, need);
        for (guint i = 0; cpu->cpu_required[i] != NULL; i++)
          g_hash_table_add (lv_features_of (facts, host->name), g_strdup (cpu->cpu_required[i]));
      }
  }
  for (guint i = 0; i < parsed->disks->len; i++)
    {
      LvDiskXml *d = g_ptr_array_index (parsed->disks, i);
      LvPoolPath *pp = lv_facts_pool_of_path (facts, host->name, d->path);

      if (g_strcmp0 (d->device, "disk") == 0 && d->path != NULL)
        {
          g_autoptr (VmmDiskInfo) disk
              = vmm_disk_info_new (d->key, pp != NULL ? pp->datastore : NULL, d->path);
          guint64 capacity, allocation;

          lv_volume_sizes (conn, d->path, &capacity, &allocation);
          vmm_disk_info_set_capacity (disk, capacity);
          vmm_disk_info_set_allocation (disk, allocation);
          vmm_disk_info_set_format (disk, d->format);
          vmm_vm_info_add_disk (vm, disk);
          if (primary == NULL && pp != NULL)
            primary = pp->datastore;
        }
      else if (g_strcmp0 (d->device, "cdrom") == 0 || g_strcmp0 (d->device, "floppy") == 0)
        {
          g_autoptr (VmmDeviceInfo) dev = vmm_device_info_new (
              d->key,
              g_str_equal (d->device, "cdrom") ? VMM_DEVICE_KIND_CDROM : VMM_DEVICE_KIND_FLOPPY);

          vmm_device_info_set_backing_path (dev, d->path);
          vmm_device_info_set_backing_datastore (dev, pp != NULL ? pp->datastore : NULL);
          vmm_device_info_set_connected (dev, d->path != NULL);
          vmm_vm_info_add_device (vm, dev);
        }
    }
  for (guint i = 0; i < parsed->nics->len; i++)
    {
      LvNicXml *n = g_ptr_array_index (parsed->nics, i);
      g_autoptr (VmmDeviceInfo) dev = vmm_device_info_new (n->key, VMM_DEVICE_KIND_NIC);

      vmm_device_info_set_network (dev, n->network);
      vmm_device_info_set_connected (dev, TRUE);
      vmm_vm_info_add_device (vm, dev);
    }
  vmm_vm_info_set_datastore (vm, primary);
  vmm_inventory_add_vm (facts->inventory, vm);
}

static int
lv_compare_cpu (virConnectPtr conn, LvCpuNeed *need, const char *xml)
{
  return virConnectCompareHypervisorCPU (conn, need->emulator, need->arch, need->machine,
                                         need->virt_type, xml, 0);
}

/* Which of the features a guest's CPU definition requires each other host's
 * hypervisor CPU provides: one comparison of the whole definition, then one
 * per feature when the whole does not fit. */
static void
lv_facts_cpu (LvFacts *facts)
{
  for (guint i = 0; i < facts->cpu_needs->len; i++)
    {
      LvCpuNeed *need = g_ptr_array_index (facts->cpu_needs, i);
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, facts->connections);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          GHashTable *set;
          int result;

          if (g_strcmp0 (key, need->host) == 0)
            continue;
          set = lv_features_of (facts, key);
          result = lv_compare_cpu (value, need, need->cpu_xml);
          if (result == VIR_CPU_COMPARE_IDENTICAL || result == VIR_CPU_COMPARE_SUPERSET)
            {
              for (guint f = 0; need->features[f] != NULL; f++)
                g_hash_table_add (set, g_strdup (need->features[f]));
              continue;
            }
          for (guint f = 0; need->features[f] != NULL; f++)
            {
              g_autofree char *one = g_strdup_printf (
                  "<cpu mode='custom' match='exact'><model fallback='allow'>%s</model>"
                  "<feature policy='require' name='%s'/></cpu>",
                  need->model != NULL ? need->model : "qemu64", need->features[f]);

              result = lv_compare_cpu (value, need, one);
              if (result == VIR_CPU_COMPARE_IDENTICAL || result == VIR_CPU_COMPARE_SUPERSET)
                g_hash_table_add (set, g_strdup (need->features[f]));
            }
        }
    }
}

static char **
lv_set_to_strv (GHashTable *set)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer key;

  if (set != NULL)
    {
      g_hash_table_iter_init (&iter, set);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_strv_builder_add (builder, key);
    }
  return g_strv_builder_end (builder);
}

/* The dirty rates libvirt last measured (virDomainStartDirtyRateCalc, e.g.
 * `virsh domdirtyrate-calc`) for the running domains of @conn's host, into
 * @rates (domain name -> guint64 *, bytes per second); a query reads facts
 * and starts no measurement.
 *
 * Each rate is a monitor command in that domain's QEMU, which waits for the
 * domain's job lock. A domain that is migrating is busy with its job: with
 * 20 guests and two moves running (2 cores), asking every domain took
 * 0.47-0.92 s of each inventory read (13-23 ms when nothing moves). So only
 * domains whose control interface is free are asked, without waiting (a
 * domain moving now needs no forecast; its rate is unknown for this read):
 * 0.01-0.29 s under the same load, the rest being idle QEMUs that answer
 * late when the cores are busy. */
static void
lv_dirty_rates (virConnectPtr conn, GHashTable *rates)
{
  virDomainStatsRecordPtr *records = NULL;
  virDomainPtr *active = NULL;
  g_autoptr (GPtrArray) idle = g_ptr_array_new ();
  int n_active = virConnectListAllDomains (conn, &active, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
  int n = 0;

  for (int i = 0; i < n_active; i++)
    {
      virDomainControlInfo control = { 0 };

      if (virDomainGetControlInfo (active[i], &control, 0) == 0
          && control.state == VIR_DOMAIN_CONTROL_OK)
        g_ptr_array_add (idle, active[i]);
    }
  if (idle->len > 0)
    {
      g_ptr_array_add (idle, NULL);
      n = virDomainListGetStats ((virDomainPtr *)idle->pdata, VIR_DOMAIN_STATS_DIRTYRATE, &records,
                                 VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
    }
  for (int i = 0; i < n; i++)
    {
      int status = 0;
      long long mbps = 0;

      if (virTypedParamsGetInt (records[i]->params, records[i]->nparams, "dirtyrate.calc_status",
                                &status)
              == 1
          && status == VIR_DOMAIN_DIRTYRATE_MEASURED
          && virTypedParamsGetLLong (records[i]->params, records[i]->nparams,
                                     "dirtyrate.megabytes_per_second", &mbps)
                 == 1
          && mbps >= 0)
        {
          guint64 *rate = g_new (guint64, 1);

          *rate = (guint64)mbps * 1024 * 1024;
          g_hash_table_insert (rates, g_strdup (virDomainGetName (records[i]->dom)), rate);
        }
    }
  if (records != NULL)
    virDomainStatsRecordListFree (records);
  for (int i = 0; i < n_active; i++)
    virDomainFree (active[i]);
  free (active);
}

/* One host's dirty rates, read on a connection of its own while the
 * domains are listed on the shared one: asking the QEMUs takes as long as
 * listing the domains when the cores are busy, and a long call on a shared
 * connection can hold the other threads' requests back (lv_host_take()). */
typedef struct
{
  LvHost *host;
  GHashTable *rates; /* domain name -> guint64 *, bytes per second */
  GThread *thread;
} LvRatesRead;

static gpointer
lv_rates_thread (gpointer data)
{
  LvRatesRead *read = data;
  virConnectPtr conn = lv_host_take (read->host, NULL);

  /* no connection: the rates are unknown for this read, like a busy
   * domain's; the listing on the shared connection reports the host */
  if (conn != NULL)
    {
      lv_dirty_rates (conn, read->rates);
      lv_host_release (read->host, conn);
    }
  return NULL;
}

static LvRatesRead *
lv_rates_read_start (LvHost *host)
{
  LvRatesRead *read = g_new0 (LvRatesRead, 1);

  read->host = host;
  read->rates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  read->thread = g_thread_new ("vmm-lv-rates", lv_rates_thread, read);
  return read;
}

/* Waits for @read and gives its rates to the running VMs of its host. */
static void
lv_rates_read_finish (LvRatesRead *read, VmmInventory *inventory)
{
  GHashTableIter iter;
  gpointer key, value;

  g_thread_join (read->thread);
  g_hash_table_iter_init (&iter, read->rates);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      VmmVmInfo *vm = vmm_inventory_lookup_vm (inventory, key);

      if (vm != NULL && g_strcmp0 (vmm_vm_info_get_host (vm), read->host->name) == 0
          && vmm_vm_info_get_power_state (vm) != VMM_POWER_STATE_OFF)
        vmm_vm_info_set_dirty_rate (vm, *(guint64 *)value);
    }
  g_hash_table_unref (read->rates);
  g_free (read);
}

static VmmInventory *
lv_query_inventory (VmmLibvirtBackend *self, GError **error)
{
  LvFacts facts = { 0 };
  g_autoptr (GPtrArray) host_infos = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) rates_reads = g_ptr_array_new ();
  VmmInventory *result;
  guint connected = 0;
  g_autoptr (GError) last_error = NULL;

  facts.inventory = vmm_inventory_new ();
  facts.datastores = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  facts.ds_hosts
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  facts.pool_paths
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  facts.cpu_features
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
  facts.vm_active = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  facts.vcpus_used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  facts.cpu_needs = g_ptr_array_new_with_free_func ((GDestroyNotify)lv_cpu_need_free);
  facts.connections
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)lv_connect_close);

  for (guint i = 0; i < self->hosts->len; i++)
    {
      LvHost *host = g_ptr_array_index (self->hosts, i);
      g_autoptr (VmmHostInfo) info = vmm_host_info_new (host->name);
      g_autoptr (GError) local_error = NULL;
      virConnectPtr conn = lv_host_connect (host, &local_error);
      g_autoptr (GStrvBuilder) datastores = g_strv_builder_new ();
      g_autoptr (GStrvBuilder) networks = g_strv_builder_new ();
      g_auto (GStrv) ds_strv = NULL;
      g_auto (GStrv) net_strv = NULL;
      virNodeInfo node = { 0 };
      virNetworkPtr *nets = NULL;
      int n;

      vmm_host_info_set_zone (info, host->zone);
      vmm_host_info_set_manager (info, self->cluster_path != NULL ? self->cluster_path : host->uri);
      vmm_host_info_set_cpu_overcommit (info, host->cpu_overcommit);
      g_ptr_array_add (host_infos, g_object_ref (info));
      vmm_inventory_add_host (facts.inventory, info);
      if (conn == NULL)
        {
          /* a host that does not answer is down, not a failed query */
          vmm_host_info_set_state (info, VMM_HOST_STATE_DOWN);
          g_clear_error (&last_error);
          last_error = g_steal_pointer (&local_error);
          continue;
        }
      connected++;
      g_hash_table_insert (facts.connections, g_strdup (host->name), conn);
      if (virNodeGetInfo (conn, &node) == 0)
        {
          unsigned long long free_bytes = virNodeGetFreeMemory (conn);
          guint64 total_mib = node.memory / 1024;
          guint64 free_mib = free_bytes / (1024 * 1024);

          vmm_host_info_set_memory_mib (info, total_mib);
          vmm_host_info_set_memory_used_mib (info, total_mib > free_mib ? total_mib - free_mib : 0);
          vmm_host_info_set_vcpus (info, node.cpus);
          vmm_host_info_set_cpu_model (info, node.model);
        }
      n = virConnectListAllNetworks (conn, &nets, VIR_CONNECT_LIST_NETWORKS_ACTIVE);
      for (int j = 0; j < n; j++)
        {
          g_strv_builder_add (networks, virNetworkGetName (nets[j]));
          virNetworkFree (nets[j]);
        }
      free (nets);
      net_strv = g_strv_builder_end (networks);
      vmm_host_info_set_networks (info, (const char *const *)net_strv);
      lv_facts_pools (self, &facts, host, conn, datastores);
      ds_strv = g_strv_builder_end (datastores);
      vmm_host_info_set_datastores (info, (const char *const *)ds_strv);
    }
  if (connected == 0)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&last_error),
                                  "libvirt: no host answers: ");
      lv_facts_clear (&facts);
      return NULL;
    }
  /* the dirty rates while the domains are listed */
  for (guint i = 0; i < self->hosts->len; i++)
    {
      LvHost *host = g_ptr_array_index (self->hosts, i);

      if (g_hash_table_contains (facts.connections, host->name))
        g_ptr_array_add (rates_reads, lv_rates_read_start (host));
    }
  /* domains, once every pool's directory is known */
  for (guint i = 0; i < self->hosts->len; i++)
    {
      LvHost *host = g_ptr_array_index (self->hosts, i);
      virConnectPtr conn = g_hash_table_lookup (facts.connections, host->name);
      virDomainPtr *doms = NULL;
      int n;

      if (conn == NULL)
        continue;
      g_autoptr (GHashTable) persistent = g_hash_table_new (g_str_hash, g_str_equal);
      virDomainPtr *pdoms = NULL;
      int np;

      /* which are persistent: one listing instead of a call per domain */
      np = virConnectListAllDomains (conn, &pdoms, VIR_CONNECT_LIST_DOMAINS_PERSISTENT);
      for (int j = 0; j < np; j++)
        g_hash_table_add (persistent, (gpointer)virDomainGetName (pdoms[j]));
      n = virConnectListAllDomains (conn, &doms, 0);
      for (int j = 0; j < n; j++)
        {
          lv_facts_domain (self, &facts, host, conn, doms[j],
                           g_hash_table_contains (persistent, virDomainGetName (doms[j])));
          virDomainFree (doms[j]);
        }
      free (doms);
      g_hash_table_remove_all (persistent);
      for (int j = 0; j < np; j++)
        virDomainFree (pdoms[j]);
      free (pdoms);
    }
  for (guint i = 0; i < rates_reads->len; i++)
    lv_rates_read_finish (g_ptr_array_index (rates_reads, i), facts.inventory);
  lv_facts_cpu (&facts);
  for (guint i = 0; i < host_infos->len; i++)
    {
      VmmHostInfo *info = g_ptr_array_index (host_infos, i);
      const char *name = vmm_host_info_get_name (info);
      g_auto (GStrv) features = lv_set_to_strv (g_hash_table_lookup (facts.cpu_features, name));

      vmm_host_info_set_cpu_features (info, (const char *const *)features);
      vmm_host_info_set_vcpus_used (
          info, GPOINTER_TO_UINT (g_hash_table_lookup (facts.vcpus_used, name)));
    }
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, facts.ds_hosts);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        GPtrArray *hosts = value;
        VmmDatastoreInfo *ds = g_hash_table_lookup (facts.datastores, key);
        const char *slash = strchr (key, '/');

        if (hosts->len == 0 && slash != NULL)
          {
            /* an inactive local pool still belongs to its host */
            g_autofree char *owner = g_strndup (key, (gsize)(slash - (const char *)key));

            g_ptr_array_add (hosts, g_steal_pointer (&owner));
          }
        g_ptr_array_add (hosts, NULL);
        vmm_datastore_info_set_hosts (ds, (const char *const *)hosts->pdata);
        g_ptr_array_remove_index (hosts, hosts->len - 1);
      }
  }
  result = g_steal_pointer (&facts.inventory);
  lv_facts_clear (&facts);
  return result;
}

static void
lv_inventory_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  VmmInventory *inventory = lv_query_inventory (VMM_LIBVIRT_BACKEND (source), &error);

  if (inventory == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, inventory, g_object_unref);
}

/* One read of the hosts' facts for every caller that asks while it is open:
 * from the request that starts it until the next iteration of that caller's
 * main context. Those callers asked at the same moment as far as their thread
 * can tell (nothing ran on it in between), so one read is as fresh for each
 * of them as a read of its own; an evacuation that starts 20 moves asks 20
 * times in one loop, and each read costs a few dozen libvirt calls and a
 * monitor command in every running QEMU. A later request starts a new read. */
typedef struct _LvRead
{
  VmmLibvirtBackend *backend; /* owned */
  GMainContext *context;      /* owned: where the callers are */
  GPtrArray *waiters;         /* GTask, under backend->read_lock */
} LvRead;

static void
lv_read_clear (gpointer data)
{
  LvRead *read = data;

  g_object_unref (read->backend);
  g_main_context_unref (read->context);
  g_clear_pointer (&read->waiters, g_ptr_array_unref);
}

static void
lv_read_release (gpointer read)
{
  g_atomic_rc_box_release_full (read, lv_read_clear);
}

/* No one joins @read any more (backend->read_lock held). */
static void
lv_read_close_locked (LvRead *read)
{
  if (read->backend->open_read == read)
    {
      read->backend->open_read = NULL;
      lv_read_release (read);
    }
}

static gboolean
lv_read_close_idle (gpointer data)
{
  LvRead *read = data;

  g_mutex_lock (&read->backend->read_lock);
  lv_read_close_locked (read);
  g_mutex_unlock (&read->backend->read_lock);
  return G_SOURCE_REMOVE;
}

static void
lv_read_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LvRead *read = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inventory = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr (GPtrArray) waiters = NULL;

  g_mutex_lock (&read->backend->read_lock);
  lv_read_close_locked (read);
  waiters = g_steal_pointer (&read->waiters);
  g_mutex_unlock (&read->backend->read_lock);
  /* the callers share the inventory: it is read-only to them */
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (inventory != NULL)
        g_task_return_pointer (task, g_object_ref (inventory), g_object_unref);
      else
        g_task_return_error (task, g_error_copy (error));
    }
  lv_read_release (read);
}

static void
lv_query_inventory_async (VmmBackend *backend, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  VmmLibvirtBackend *self = VMM_LIBVIRT_BACKEND (backend);
  GTask *task = g_task_new (backend, cancellable, callback, user_data);
  GMainContext *context = g_main_context_ref_thread_default ();
  g_autoptr (GTask) lead = NULL;
  GSource *close;
  LvRead *read;

  g_task_set_source_tag (task, lv_query_inventory_async);
  g_mutex_lock (&self->read_lock);
  read = self->open_read;
  if (read != NULL && read->context == context)
    {
      g_ptr_array_add (read->waiters, task);
      g_mutex_unlock (&self->read_lock);
      g_main_context_unref (context);
      return;
    }
  if (read != NULL)
    lv_read_close_locked (read); /* another context's: its callers are elsewhere */
  read = g_atomic_rc_box_new0 (LvRead);
  read->backend = g_object_ref (self);
  read->context = context;
  read->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (read->waiters, task);
  self->open_read = g_atomic_rc_box_acquire (read);
  g_mutex_unlock (&self->read_lock);

  close = g_idle_source_new ();
  g_source_set_priority (close, G_PRIORITY_HIGH);
  g_source_set_callback (close, lv_read_close_idle, g_atomic_rc_box_acquire (read),
                         lv_read_release);
  g_source_attach (close, context);
  g_source_unref (close);
  /* the lead task's callback runs in @context, as the callers' would */
  lead = g_task_new (self, NULL, lv_read_done, read);
  g_task_set_source_tag (lead, lv_query_inventory_async);
  g_task_run_in_thread (lead, lv_inventory_thread);
}

static VmmInventory *
lv_query_inventory_finish (VmmBackend *backend, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- one migration's state (the context's backend data) --- */

typedef struct
{
  char *key;
  char *src_path;
  char *format;
  guint64 capacity;
  char *dst_host;
  char *dst_pool;
  char *dst_path; /* set once the destination volume exists */
  gboolean created;
  gboolean copied; /* the guest or the definition uses dst_path */
} LvDiskMove;

typedef struct
{
  GMutex lock;
  char *vm;
  char *src_host;
  char *dst_host;
  gboolean changes_host;
  gboolean persistent;
  GPtrArray *disks; /* LvDiskMove, the disks that change pool */
  char *dest_xml;   /* hot: the destination's live XML */
  char *persist_xml;
  char *saved_xml; /* cold: the source's definition, undefined there */
  gboolean source_undefined;
  gboolean defined_on_destination;
  char *replaced_xml;     /* cold: the destination's definition before RECONFIGURE */
  GPtrArray *snapshots;   /* LvSnapshot, parents first, once saved from the source */
  char *current_snapshot; /* the source's current snapshot */
  char *snapshots_on;     /* the host whose metadata has them now; NULL: none */
  gboolean powered_off;   /* cold restart: PowerOffVm stopped it on the source */
  gboolean powered_on;    /* cold restart: PowerOnVm started it on the destination */
  gint64 downtime_ms;
  GCancellable *abort;
  gboolean migrating;
  gboolean post_copy_allowed; /* the move in flight was started with VIR_MIGRATE_POSTCOPY */
  gint timeout_request;       /* VmmOnTimeoutAction + 1 the poller applies; 0: none */
  gboolean suspended;         /* on-timeout suspend paused the guest on the source */
  char *stop_reason;
  guint64 bytes_done;
  guint64 bytes_total;
} LvMove;

static void
lv_disk_move_free (LvDiskMove *dm)
{
  g_free (dm->key);
  g_free (dm->src_path);
  g_free (dm->format);
  g_free (dm->dst_host);
  g_free (dm->dst_pool);
  g_free (dm->dst_path);
  g_free (dm);
}

static void
lv_move_free (LvMove *mv)
{
  g_mutex_clear (&mv->lock);
  g_free (mv->vm);
  g_free (mv->src_host);
  g_free (mv->dst_host);
  g_ptr_array_unref (mv->disks);
  g_free (mv->dest_xml);
  g_free (mv->persist_xml);
  g_free (mv->saved_xml);
  g_free (mv->replaced_xml);
  g_clear_pointer (&mv->snapshots, g_ptr_array_unref);
  g_free (mv->current_snapshot);
  g_free (mv->snapshots_on);
  g_free (mv->stop_reason);
  g_object_unref (mv->abort);
  g_free (mv);
}

/* Main thread: what the engine resolved, copied once for the worker threads. */
static LvMove *
lv_move_get (VmmLibvirtBackend *self, VmmMigrationContext *ctx)
{
  LvMove *mv = vmm_migration_context_get_backend_data (ctx);
  VmmVmInfo *vm = vmm_migration_context_get_vm (ctx);
  GPtrArray *targets = vmm_migration_context_get_target_disks (ctx);

  if (mv != NULL)
    return mv;
  mv = g_new0 (LvMove, 1);
  g_mutex_init (&mv->lock);
  mv->vm = g_strdup (vmm_migration_context_get_vm_name (ctx));
  mv->src_host = g_strdup (vmm_migration_context_get_source_host (ctx));
  mv->dst_host = g_strdup (vmm_migration_context_get_destination_host (ctx));
  mv->changes_host = vmm_migration_context_changes_host (ctx);
  mv->disks = g_ptr_array_new_with_free_func ((GDestroyNotify)lv_disk_move_free);
  mv->downtime_ms = -1;
  mv->abort = g_cancellable_new ();
  for (guint i = 0; targets != NULL && i < targets->len; i++)
    {
      VmmDiskInfo *t = g_ptr_array_index (targets, i);
      VmmDiskInfo *src = vmm_vm_info_lookup_disk (vm, vmm_disk_info_get_key (t));
      LvDiskMove *dm;
      const char *format;

      if (src == NULL || !vmm_migration_context_disk_moves (ctx, vmm_disk_info_get_key (t)))
        continue;
      dm = g_new0 (LvDiskMove, 1);
      dm->key = g_strdup (vmm_disk_info_get_key (t));
      dm->src_path = g_strdup (vmm_disk_info_get_path (src));
      format = vmm_disk_info_get_format (t);
      if (g_strcmp0 (format, "qcow2") != 0 && g_strcmp0 (format, "raw") != 0)
        format = vmm_disk_info_get_format (src);
      dm->format = g_strdup (format != NULL ? format : "raw");
      dm->capacity = vmm_disk_info_get_capacity (src);
      if (!lv_datastore_resolve (self, vmm_disk_info_get_datastore (t), mv->dst_host, &dm->dst_host,
                                 &dm->dst_pool, NULL))
        {
          lv_disk_move_free (dm);
          continue;
        }
      g_ptr_array_add (mv->disks, dm);
    }
  vmm_migration_context_set_backend_data (ctx, mv, (GDestroyNotify)lv_move_free);
  return mv;
}

/* One step (or its undo, or the cleanup) running in a worker thread. */
typedef struct
{
  VmmLibvirtBackend *self;
  VmmMigrationContext *ctx;
  LvMove *mv;
  VmmStep step;
  gboolean undo;
  gboolean cleanup;
  gboolean succeeded;
  gboolean hot;
  GMainContext *main_context;
  GCancellable *cancellable;
  GHashTable *network_map;
  guint bandwidth_mibps;
  guint max_downtime_ms;
  guint parallel;
  gboolean auto_converge;
  gboolean post_copy;
  gboolean compression;
  gboolean records; /* the engine journals recovery data */
  GTask *outer;
} LvRun;

static void
lv_run_free (LvRun *run)
{
  g_object_unref (run->self);
  g_object_unref (run->ctx);
  g_main_context_unref (run->main_context);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->network_map, g_hash_table_unref);
  g_free (run);
}

static gboolean
lv_run_cancelled (LvRun *run)
{
  return g_cancellable_is_cancelled (run->mv->abort)
         || (run->cancellable != NULL && g_cancellable_is_cancelled (run->cancellable));
}

static gboolean
lv_run_set_cancelled (LvRun *run, GError **error, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "libvirt: %s %s", what,
               g_cancellable_is_cancelled (run->mv->abort) ? "aborted" : "cancelled");
  return FALSE;
}

typedef struct
{
  VmmMigrationContext *ctx;
  guint64 done;
  guint64 total;
  char *warning;
} LvPost;

static void
lv_post_free (LvPost *post)
{
  g_object_unref (post->ctx);
  g_free (post->warning);
  g_free (post);
}

static gboolean
lv_post_cb (gpointer data)
{
  LvPost *post = data;

  if (post->warning != NULL)
    vmm_migration_context_add_warning (post->ctx, post->warning);
  else
    vmm_migration_context_report_transfer (post->ctx, post->done, post->total);
  return G_SOURCE_REMOVE;
}

static void
lv_post (LvRun *run, guint64 done, guint64 total, char *warning)
{
  LvPost *post = g_new0 (LvPost, 1);

  post->ctx = g_object_ref (run->ctx);
  post->done = done;
  post->total = total;
  post->warning = warning;
  g_main_context_invoke_full (run->main_context, G_PRIORITY_HIGH, lv_post_cb, post,
                              (GDestroyNotify)lv_post_free);
}

/* Progress never goes back: the bytes done only grow, the total covers them. */
static void
lv_report (LvRun *run, guint64 done, guint64 total)
{
  LvMove *mv = run->mv;

  g_mutex_lock (&mv->lock);
  mv->bytes_done = MAX (mv->bytes_done, done);
  mv->bytes_total = MAX (MAX (mv->bytes_total, total), mv->bytes_done);
  done = mv->bytes_done;
  total = mv->bytes_total;
  g_mutex_unlock (&mv->lock);
  lv_post (run, done, total, NULL);
}

static void
lv_warn (LvRun *run, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
lv_warn (LvRun *run, const char *fmt, ...)
{
  va_list args;
  char *msg;

  va_start (args, fmt);
  msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  lv_post (run, 0, 0, msg);
}

static virDomainPtr
lv_lookup_domain (virConnectPtr conn, const char *name, const char *host, GError **error)
{
  virDomainPtr dom = virDomainLookupByName (conn, name);

  if (dom == NULL)
    lv_set_error (error, VMM_ERROR_NOT_FOUND, "libvirt: no domain '%s' on host '%s'", name, host);
  return dom;
}

static GHashTable *
lv_new_paths (LvMove *mv)
{
  GHashTable *paths = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < mv->disks->len; i++)
    {
      LvDiskMove *dm = g_ptr_array_index (mv->disks, i);

      if (dm->dst_path != NULL)
        g_hash_table_insert (paths, dm->key, dm->dst_path);
    }
  return paths;
}

/* --- volumes --- */

static virStoragePoolPtr
lv_active_pool (virConnectPtr conn, const char *host, const char *name, GError **error)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, name);

  if (pool == NULL)
    {
      lv_set_error (error, VMM_ERROR_NOT_FOUND, "libvirt: host '%s' has no storage pool '%s'", host,
                    name);
      return NULL;
    }
  if (virStoragePoolIsActive (pool) != 1)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                   "libvirt: storage pool '%s' on host '%s' is not active", name, host);
      virStoragePoolFree (pool);
      return NULL;
    }
  return pool;
}

static gboolean
lv_create_volume (VmmLibvirtBackend *self, LvDiskMove *dm, GError **error)
{
  g_autoptr (virConnect) conn = lv_connect (self, dm->dst_host, error);
  g_autoptr (virStoragePool) pool = NULL;
  g_autoptr (virStorageVol) vol = NULL;
  g_autoptr (virStorageVol) existing = NULL;
  g_autofree char *name = g_path_get_basename (dm->src_path);
  g_autofree char *xml = NULL;
  char *path;

  if (conn == NULL)
    return FALSE;
  pool = lv_active_pool (conn, dm->dst_host, dm->dst_pool, error);
  if (pool == NULL)
    return FALSE;
  virStoragePoolRefresh (pool, 0);
  existing = virStorageVolLookupByName (pool, name);
  if (existing != NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY,
                   "libvirt: storage pool '%s' on host '%s' already has a volume '%s'",
                   dm->dst_pool, dm->dst_host, name);
      return FALSE;
    }
  xml = g_markup_printf_escaped ("<volume><name>%s</name><capacity unit='bytes'>%" G_GUINT64_FORMAT
                                 "</capacity><target><format type='%s'/></target></volume>",
                                 name, dm->capacity, dm->format);
  vol = virStorageVolCreateXML (pool, xml, 0);
  if (vol == NULL)
    {
      lv_set_error (error, VMM_ERROR_BACKEND,
                    "libvirt: cannot create volume '%s' in pool '%s' on '%s'", name, dm->dst_pool,
                    dm->dst_host);
      return FALSE;
    }
  path = virStorageVolGetPath (vol);
  g_free (dm->dst_path);
  dm->dst_path = g_strdup (path);
  free (path);
  dm->created = TRUE;
  return TRUE;
}

static gboolean
lv_delete_volume (VmmLibvirtBackend *self, const char *host, const char *pool_name,
                  const char *path, GError **error)
{
  g_autoptr (virConnect) conn = lv_connect (self, host, error);
  g_autoptr (virStoragePool) pool = NULL;
  g_autoptr (virStorageVol) vol = NULL;

  if (conn == NULL)
    return FALSE;
  if (pool_name != NULL)
    {
      pool = virStoragePoolLookupByName (conn, pool_name);
      if (pool == NULL || virStoragePoolIsActive (pool) != 1)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                       "libvirt: volume %s is left in storage pool '%s' on host '%s', which is "
                       "not active",
                       path, pool_name, host);
          return FALSE;
        }
      virStoragePoolRefresh (pool, 0);
    }
  vol = lv_volume_lookup (conn, path);
  if (vol == NULL)
    {
      if (lv_last_error_is (VIR_ERR_NO_STORAGE_VOL))
        return TRUE;
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot find volume %s on host '%s'", path,
                    host);
      return FALSE;
    }
  if (virStorageVolDelete (vol, 0) < 0)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot delete volume %s on host '%s'", path,
                    host);
      return FALSE;
    }
  return TRUE;
}

static gboolean
lv_delete_created (LvRun *run, GError **error)
{
  g_autoptr (GString) failed = NULL;

  for (guint i = 0; i < run->mv->disks->len; i++)
    {
      LvDiskMove *dm = g_ptr_array_index (run->mv->disks, i);
      g_autoptr (GError) local_error = NULL;

      if (!dm->created)
        continue;
      if (!lv_delete_volume (run->self, dm->dst_host, dm->dst_pool, dm->dst_path, &local_error))
        {
          if (failed == NULL)
            failed = g_string_new (local_error->message);
          else
            g_string_append_printf (failed, "; %s", local_error->message);
          continue;
        }
      dm->created = FALSE;
      dm->copied = FALSE;
      g_clear_pointer (&dm->dst_path, g_free);
    }
  if (failed != NULL)
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_BACKEND, failed->str);
      return FALSE;
    }
  return TRUE;
}

static gboolean
lv_pool_is_active (VmmLibvirtBackend *self, const char *host, const char *name)
{
  g_autoptr (virConnect) conn = lv_connect (self, host, NULL);
  g_autoptr (virStoragePool) pool = NULL;

  if (conn == NULL)
    return FALSE;
  pool = virStoragePoolLookupByName (conn, name);
  return pool != NULL && virStoragePoolIsActive (pool) == 1;
}

/* Copies one volume host to host with storage streams: download from the
 * source, upload into the destination volume created before. */
static gboolean
lv_stream_copy (LvRun *run, LvDiskMove *dm, guint64 base, guint64 total, GError **error)
{
  VmmLibvirtBackend *self = run->self;
  g_autoptr (virConnect) src = lv_connect (self, run->mv->src_host, error);
  g_autoptr (virConnect) dst = NULL;
  g_autoptr (virStorageVol) in_vol = NULL;
  g_autoptr (virStorageVol) out_vol = NULL;
  g_autoptr (virStream) in = NULL;
  g_autoptr (virStream) out = NULL;
  g_autofree char *buf = g_malloc (LV_STREAM_CHUNK);
  guint64 done = 0;
  guint chunks = 0;

  if (src == NULL || (dst = lv_connect (self, dm->dst_host, error)) == NULL)
    return FALSE;
  in_vol = lv_volume_lookup (src, dm->src_path);
  out_vol = lv_volume_lookup (dst, dm->dst_path);
  if (in_vol == NULL || out_vol == NULL)
    {
      lv_set_error (error, VMM_ERROR_NOT_FOUND, "libvirt: cannot find volume %s",
                    in_vol == NULL ? dm->src_path : dm->dst_path);
      return FALSE;
    }
  in = virStreamNew (src, 0);
  out = virStreamNew (dst, 0);
  if (in == NULL || out == NULL || virStorageVolDownload (in_vol, in, 0, 0, 0) < 0)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot download volume %s from '%s'",
                    dm->src_path, run->mv->src_host);
      return FALSE;
    }
  if (virStorageVolUpload (out_vol, out, 0, 0, 0) < 0)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot upload volume %s to '%s'",
                    dm->dst_path, dm->dst_host);
      virStreamAbort (in);
      return FALSE;
    }
  for (;;)
    {
      int got = virStreamRecv (in, buf, LV_STREAM_CHUNK);
      int sent = 0;

      if (got < 0)
        {
          lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: reading volume %s failed",
                        dm->src_path);
          goto fail;
        }
      if (got == 0)
        break;
      while (sent < got)
        {
          int n = virStreamSend (out, buf + sent, (size_t)(got - sent));

          if (n < 0)
            {
              lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: writing volume %s on '%s' failed",
                            dm->dst_path, dm->dst_host);
              goto fail;
            }
          sent += n;
        }
      done += (guint64)got;
      lv_report (run, base + done, MAX (total, base + done));
      if (++chunks % 4 == 0)
        {
          if (lv_run_cancelled (run))
            {
              lv_run_set_cancelled (run, error, "the volume copy was");
              goto fail;
            }
          if (!lv_pool_is_active (self, dm->dst_host, dm->dst_pool))
            {
              g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                           "libvirt: storage pool '%s' on host '%s' became inactive during the "
                           "copy of %s",
                           dm->dst_pool, dm->dst_host, dm->src_path);
              goto fail;
            }
        }
    }
  if (virStreamFinish (in) < 0 || virStreamFinish (out) < 0)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: finishing the copy of %s failed",
                    dm->src_path);
      virStreamAbort (out);
      return FALSE;
    }
  return TRUE;

fail:
  virStreamAbort (in);
  virStreamAbort (out);
  return FALSE;
}

static guint64
lv_physical_size (virConnectPtr conn, const char *path)
{
  g_autoptr (virStorageVol) vol = lv_volume_lookup (conn, path);
  virStorageVolInfo info = { 0 };

  if (vol != NULL && virStorageVolGetInfoFlags (vol, &info, VIR_STORAGE_VOL_GET_PHYSICAL) == 0)
    return info.allocation;
  return 0;
}

/* --- snapshots: libvirt keeps their metadata per host and refuses to
 * migrate a domain that has any ("cannot migrate domain with N snapshots")
 * or to undefine it. Internal snapshots live inside the qcow2 images: they
 * move with a volume stream copy (cold) or stay in a shared image (host
 * move), but a live storage copy (drive-mirror, block copy) carries only
 * the current data. External snapshots need their overlay files. --- */

typedef struct
{
  char *name;
  char *xml; /* VIR_DOMAIN_SNAPSHOT_XML_SECURE */
} LvSnapshot;

static void
lv_snapshot_entry_free (LvSnapshot *snap)
{
  g_free (snap->name);
  g_free (snap->xml);
  g_free (snap);
}

static int
lv_snapshot_count (virDomainPtr dom, unsigned int flags)
{
  virDomainSnapshotPtr *snaps = NULL;
  int n = virDomainListAllSnapshots (dom, &snaps, flags);

  for (int i = 0; i < n; i++)
    virDomainSnapshotFree (snaps[i]);
  free (snaps);
  return n;
}

/* Refuses a move of a domain with snapshots that cannot go along: external
 * ones always, internal ones when @copies_storage_live. */
static gboolean
lv_snapshots_check (LvRun *run, virDomainPtr dom, gboolean copies_storage_live, GError **error)
{
  LvMove *mv = run->mv;
  int all = lv_snapshot_count (dom, 0);
  int external;

  if (all < 0)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot list the snapshots of '%s'", mv->vm);
      return FALSE;
    }
  if (all == 0)
    return TRUE;
  external = lv_snapshot_count (dom, VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL);
  if (external != 0)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                   "libvirt: '%s' has %d external snapshot(s) whose overlay files the move "
                   "cannot carry; delete or merge them (virsh blockcommit) first",
                   mv->vm, external);
      return FALSE;
    }
  if (copies_storage_live)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                   "libvirt: '%s' has %d internal snapshot(s) inside its qcow2 image(s), which a "
                   "live storage copy does not carry; move it cold, or without moving its disks",
                   mv->vm, all);
      return FALSE;
    }
  return TRUE;
}

/* Reads every snapshot's XML (parents first) and which one is current. */
static gboolean
lv_snapshots_save (LvRun *run, virDomainPtr dom, GError **error)
{
  LvMove *mv = run->mv;
  virDomainSnapshotPtr *snaps = NULL;
  g_autoptr (virDomainSnapshot) current = NULL;
  int n;

  if (mv->snapshots != NULL)
    return TRUE;
  n = virDomainListAllSnapshots (dom, &snaps, VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL);
  if (n < 0)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot list the snapshots of '%s'", mv->vm);
      return FALSE;
    }
  mv->snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify)lv_snapshot_entry_free);
  for (int i = 0; i < n; i++)
    {
      LvSnapshot *snap = g_new0 (LvSnapshot, 1);
      char *xml = virDomainSnapshotGetXMLDesc (snaps[i], VIR_DOMAIN_SNAPSHOT_XML_SECURE);

      snap->name = g_strdup (virDomainSnapshotGetName (snaps[i]));
      snap->xml = g_strdup (xml);
      free (xml);
      g_ptr_array_add (mv->snapshots, snap);
    }
  for (int i = 0; i < n; i++)
    virDomainSnapshotFree (snaps[i]);
  free (snaps);
  for (guint i = 0; i < mv->snapshots->len; i++)
    if (((LvSnapshot *)g_ptr_array_index (mv->snapshots, i))->xml == NULL)
      {
        lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot read a snapshot of '%s'", mv->vm);
        g_clear_pointer (&mv->snapshots, g_ptr_array_unref);
        return FALSE;
      }
  current = virDomainHasCurrentSnapshot (dom, 0) == 1 ? virDomainSnapshotCurrent (dom, 0) : NULL;
  g_free (mv->current_snapshot);
  mv->current_snapshot = current != NULL ? g_strdup (virDomainSnapshotGetName (current)) : NULL;
  if (n > 0)
    mv->snapshots_on = g_strdup (mv->src_host);
  return TRUE;
}

/* Removes the metadata of the saved snapshots (children first) from @dom on
 * @host; the images keep their data. */
static gboolean
lv_snapshots_drop (LvRun *run, virDomainPtr dom, const char *host, GError **error)
{
  LvMove *mv = run->mv;

  for (guint i = mv->snapshots != NULL ? mv->snapshots->len : 0; i > 0; i--)
    {
      LvSnapshot *snap = g_ptr_array_index (mv->snapshots, i - 1);
      g_autoptr (virDomainSnapshot) s = virDomainSnapshotLookupByName (dom, snap->name, 0);

      if (s == NULL)
        continue;
      if (virDomainSnapshotDelete (s, VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY) < 0)
        {
          lv_set_error (error, VMM_ERROR_BACKEND,
                        "libvirt: cannot remove the metadata of snapshot '%s' of '%s' on '%s'",
                        snap->name, mv->vm, host);
          return FALSE;
        }
    }
  if (g_strcmp0 (mv->snapshots_on, host) == 0)
    g_clear_pointer (&mv->snapshots_on, g_free);
  return TRUE;
}

/* Defines the saved snapshots on @host again (VIR_DOMAIN_SNAPSHOT_CREATE_
 * REDEFINE, parents first, the current one current), their domain copies
 * naming the disks' new paths. Defines none when one fails. */
static gboolean
lv_snapshots_define (LvRun *run, const char *host, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (virConnect) conn = NULL;
  g_autoptr (virDomain) dom = NULL;
  g_autoptr (GHashTable) paths = NULL;

  if (mv->snapshots == NULL || mv->snapshots->len == 0 || mv->snapshots_on != NULL)
    return TRUE;
  conn = lv_connect (run->self, host, error);
  if (conn == NULL || (dom = lv_lookup_domain (conn, mv->vm, host, error)) == NULL)
    return FALSE;
  paths = g_strcmp0 (host, mv->src_host) == 0 ? NULL : lv_new_paths (mv);
  for (guint i = 0; i < mv->snapshots->len; i++)
    {
      LvSnapshot *snap = g_ptr_array_index (mv->snapshots, i);
      g_autofree char *xml = paths != NULL && g_hash_table_size (paths) > 0
                                 ? lv_domain_xml_rewrite (snap->xml, paths, run->network_map, error)
                                 : g_strdup (snap->xml);
      g_autoptr (virDomainSnapshot) s = NULL;
      unsigned int flags = VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE;

      if (g_strcmp0 (snap->name, mv->current_snapshot) == 0)
        flags |= VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;
      if (xml != NULL)
        s = virDomainSnapshotCreateXML (dom, xml, flags);
      if (s == NULL)
        {
          g_autoptr (GError) undo_error = NULL;

          if (xml != NULL)
            lv_set_error (error, VMM_ERROR_BACKEND,
                          "libvirt: cannot define snapshot '%s' of '%s' on host '%s'", snap->name,
                          mv->vm, host);
          mv->snapshots_on = g_strdup (host);
          lv_snapshots_drop (run, dom, host, &undo_error);
          return FALSE;
        }
    }
  mv->snapshots_on = g_strdup (host);
  return TRUE;
}

/* --- hot host move: virDomainMigrateToURI3, peer to peer --- */

static gboolean
lv_build_dest_xml (LvRun *run, virDomainPtr dom, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (GHashTable) paths = lv_new_paths (mv);
  g_autofree char *live = NULL;

  if (mv->dest_xml != NULL)
    return TRUE;
  if (g_hash_table_size (paths) == 0
      && (run->network_map == NULL || g_hash_table_size (run->network_map) == 0))
    return TRUE; /* the domain moves as it is */
  live = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_MIGRATABLE | VIR_DOMAIN_XML_SECURE);
  if (live == NULL)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot read the XML of '%s'", mv->vm);
      return FALSE;
    }
  mv->dest_xml = lv_domain_xml_rewrite (live, paths, run->network_map, error);
  if (mv->dest_xml == NULL)
    return FALSE;
  if (virDomainIsPersistent (dom) == 1)
    {
      g_autofree char *inactive = virDomainGetXMLDesc (
          dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_MIGRATABLE | VIR_DOMAIN_XML_SECURE);

      if (inactive == NULL)
        {
          lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot read the definition of '%s'",
                        mv->vm);
          return FALSE;
        }
      mv->persist_xml = lv_domain_xml_rewrite (inactive, paths, run->network_map, error);
      if (mv->persist_xml == NULL)
        return FALSE;
    }
  return TRUE;
}

/* Wakes the poller: the move ended, or libvirt reported a new pre-copy
 * iteration. Shared with libvirt's event registration, hence refcounted. */
typedef struct
{
  gint ref;
  GMutex lock;
  GCond cond;
  gboolean stop;
  guint events;
  /* post-copy downtime from lifecycle events (lv_pause_watch_note()) */
  unsigned char uuid[VIR_UUID_BUFLEN];
  gint64 paused;  /* monotonic µs; 0: not yet */
  gint64 resumed; /* monotonic µs, after @paused; 0: not yet */
} LvWake;

static void
lv_wake_unref (void *data)
{
  LvWake *wake = data;

  if (!g_atomic_int_dec_and_test (&wake->ref))
    return;
  g_mutex_clear (&wake->lock);
  g_cond_clear (&wake->cond);
  g_free (wake);
}

/* Registers @callback for @event_id with @wake as its data, which the
 * registration holds a reference on. */
static int
lv_wake_register (virConnectPtr conn, virDomainPtr dom, int event_id,
                  virConnectDomainEventGenericCallback callback, LvWake *wake)
{
  int id;

  g_atomic_int_inc (&wake->ref);
  id = virConnectDomainEventRegisterAny (conn, dom, event_id, callback, wake, lv_wake_unref);
  if (id < 0)
    lv_wake_unref (wake);
  return id;
}

static void
lv_migration_iteration_cb (virConnectPtr conn, virDomainPtr dom, int iteration, void *opaque)
{
  LvWake *wake = opaque;

  g_mutex_lock (&wake->lock);
  wake->events++;
  g_cond_signal (&wake->cond);
  g_mutex_unlock (&wake->lock);
}

typedef struct
{
  LvRun *run;
  virDomainPtr dom;
  LvWake *wake;
  GThread *thread;
} LvPoller;

/* Sleeps one poll interval, less when an iteration event arrives; FALSE
 * once the move ended. */
static gboolean
lv_poller_wait (LvPoller *poller)
{
  LvWake *wake = poller->wake;
  gint64 until = g_get_monotonic_time () + LV_POLL_MS * 1000;
  guint seen;
  gboolean stop;

  g_mutex_lock (&wake->lock);
  seen = wake->events;
  while (!wake->stop && wake->events == seen && g_cond_wait_until (&wake->cond, &wake->lock, until))
    ;
  stop = wake->stop;
  g_mutex_unlock (&wake->lock);
  return !stop;
}

static guint64
lv_param_ull (virTypedParameterPtr params, int n, const char *name)
{
  unsigned long long value = 0;

  virTypedParamsGetULLong (params, n, name, &value);
  return value;
}

/* Stops the move in flight with @reason (the poller's thread). */
static void
lv_poller_stop (LvPoller *poller, char *reason)
{
  LvMove *mv = poller->run->mv;

  g_mutex_lock (&mv->lock);
  if (mv->stop_reason == NULL)
    mv->stop_reason = g_steal_pointer (&reason);
  g_mutex_unlock (&mv->lock);
  g_free (reason);
  virDomainAbortJob (poller->dom);
}

/* The engine's completion timeout fired and the spec's on-timeout action is
 * not abort (lv_apply_timeout_action() asked for it): make the move finish
 * another way, on the poller's thread, which holds the source domain. When
 * libvirt refuses, the move is aborted with libvirt's reason. */
static void
lv_poller_apply_timeout (LvPoller *poller, VmmOnTimeoutAction action, guint64 remaining,
                         double secs, gboolean *post_copy_started)
{
  LvRun *run = poller->run;
  LvMove *mv = run->mv;

  switch (action)
    {
    case VMM_ON_TIMEOUT_POST_COPY:
      if (*post_copy_started)
        return;
      if (virDomainMigrateStartPostCopy (poller->dom, 0) < 0)
        {
          lv_poller_stop (poller,
                          g_strdup_printf ("libvirt: on-timeout post-copy: cannot switch the move "
                                           "of '%s' to post-copy (%s); the move was aborted",
                                           mv->vm, virGetLastErrorMessage ()));
          return;
        }
      *post_copy_started = TRUE;
      lv_warn (run,
               "libvirt: on-timeout post-copy: switched the move of '%s' to post-copy at %.1f s "
               "(%" G_GUINT64_FORMAT " bytes remaining); the guest runs on '%s' from now on",
               mv->vm, secs, remaining, mv->dst_host);
      return;
    case VMM_ON_TIMEOUT_FORCE_COMPLETE:
      /* QEMU stops the guest as soon as what remains fits in the max
       * downtime at the measured bandwidth: with the largest downtime it
       * accepts and no bandwidth limit, that is at its next check */
      if (virDomainMigrateSetMaxSpeed (poller->dom, LV_UNLIMITED_MIBPS, 0) < 0
          || virDomainMigrateSetMaxDowntime (poller->dom, LV_FORCE_DOWNTIME_MS, 0) < 0)
        {
          lv_poller_stop (poller,
                          g_strdup_printf ("libvirt: on-timeout force-complete: cannot lift the "
                                           "limits of the move of '%s' (%s); the move was aborted",
                                           mv->vm, virGetLastErrorMessage ()));
          return;
        }
      lv_warn (run,
               "libvirt: on-timeout force-complete: max downtime of '%s' lifted to %u s and its "
               "bandwidth limit removed at %.1f s (%" G_GUINT64_FORMAT
               " bytes remaining); the guest pauses while the rest goes over",
               mv->vm, LV_FORCE_DOWNTIME_MS / 1000, secs, remaining);
      return;
    case VMM_ON_TIMEOUT_SUSPEND:
      /* libvirt lets a suspend in during an outgoing migration: nothing is
       * dirtied any more, the rest goes over and the move ends; the guest
       * is resumed on the destination afterwards (lv_migrate()) */
      if (virDomainSuspend (poller->dom) < 0)
        {
          lv_poller_stop (poller,
                          g_strdup_printf ("libvirt: on-timeout suspend: cannot suspend '%s' on "
                                           "'%s' (%s); the move was aborted",
                                           mv->vm, mv->src_host, virGetLastErrorMessage ()));
          return;
        }
      g_mutex_lock (&mv->lock);
      mv->suspended = TRUE;
      g_mutex_unlock (&mv->lock);
      lv_warn (run,
               "libvirt: on-timeout suspend: '%s' suspended on '%s' at %.1f s (%" G_GUINT64_FORMAT
               " bytes remaining) so that the move completes",
               mv->vm, mv->src_host, secs, remaining);
      return;
    case VMM_ON_TIMEOUT_ABORT:
    default:
      virDomainAbortJob (poller->dom);
      return;
    }
}

/* Watches a live move: progress from the job statistics, the storage pools
 * it copies into, and convergence (raising the max downtime in steps and
 * then switching to post-copy when the remaining bytes stop falling). */
static gpointer
lv_poller_thread (gpointer data)
{
  LvPoller *poller = data;
  LvRun *run = poller->run;
  LvMove *mv = run->mv;
  guint64 last_remaining = G_MAXUINT64;
  guint64 last_iteration = 0;
  guint stalls = 0;
  guint downtime_step = 1;
  gboolean post_copy_started = FALSE;
  gint64 start = g_get_monotonic_time ();
  guint ticks = 0;
  gboolean abort_sent = FALSE;
  gboolean timeout_applied = FALSE;

  do
    {
      virTypedParameterPtr params = NULL;
      int nparams = 0, type = VIR_DOMAIN_JOB_NONE;
      guint64 remaining = 0;
      gint request;

      if (virDomainGetJobStats (poller->dom, &type, &params, &nparams, 0) == 0
          && type != VIR_DOMAIN_JOB_NONE)
        {
          guint64 total = lv_param_ull (params, nparams, VIR_DOMAIN_JOB_DATA_TOTAL);
          guint64 processed = lv_param_ull (params, nparams, VIR_DOMAIN_JOB_DATA_PROCESSED);
          guint64 iteration = lv_param_ull (params, nparams, VIR_DOMAIN_JOB_MEMORY_ITERATION);

          remaining = lv_param_ull (params, nparams, VIR_DOMAIN_JOB_DATA_REMAINING);
          if (total > 0)
            lv_report (run, processed, total);
          if (iteration > last_iteration && iteration > 1)
            {
              /* one more pre-copy pass: did the remaining bytes fall (by a
               * tenth of the lowest seen so far)? */
              if (remaining < last_remaining - last_remaining / 10)
                {
                  stalls = 0;
                  last_remaining = remaining;
                }
              else
                stalls++;
              last_iteration = iteration;
            }
          else if (iteration > last_iteration)
            last_iteration = iteration;
          if (stalls >= LV_STALL_ITERATIONS)
            {
              double secs = (double)(g_get_monotonic_time () - start) / G_USEC_PER_SEC;

              stalls = 0;
              if (run->max_downtime_ms > 0 && downtime_step < 4)
                {
                  guint ms = run->max_downtime_ms * (++downtime_step) / 4;

                  if (virDomainMigrateSetMaxDowntime (poller->dom, ms, 0) == 0)
                    lv_warn (run,
                             "libvirt: the move of '%s' stalled (%" G_GUINT64_FORMAT
                             " bytes remaining after pass %" G_GUINT64_FORMAT
                             "); max downtime raised to %u ms at %.1f s",
                             mv->vm, remaining, iteration, ms, secs);
                }
              else if (run->post_copy && !post_copy_started)
                {
                  if (virDomainMigrateStartPostCopy (poller->dom, 0) == 0)
                    {
                      post_copy_started = TRUE;
                      lv_warn (run,
                               "libvirt: the move of '%s' stalled (%" G_GUINT64_FORMAT
                               " bytes remaining); switched to post-copy at %.1f s",
                               mv->vm, remaining, secs);
                    }
                }
            }
        }
      virTypedParamsFree (params, nparams);
      if (!abort_sent && g_cancellable_is_cancelled (mv->abort) && type != VIR_DOMAIN_JOB_NONE)
        abort_sent = virDomainAbortJob (poller->dom) == 0;
      request = g_atomic_int_get (&mv->timeout_request);
      if (!timeout_applied && !abort_sent && request > 0 && type != VIR_DOMAIN_JOB_NONE)
        {
          timeout_applied = TRUE;
          lv_poller_apply_timeout (poller, (VmmOnTimeoutAction)(request - 1), remaining,
                                   (double)(g_get_monotonic_time () - start) / G_USEC_PER_SEC,
                                   &post_copy_started);
        }
      /* the pools the disks are copied into must stay usable */
      if (++ticks % 5 == 0)
        for (guint i = 0; i < mv->disks->len; i++)
          {
            LvDiskMove *dm = g_ptr_array_index (mv->disks, i);

            if (dm->created && !lv_pool_is_active (run->self, dm->dst_host, dm->dst_pool))
              {
                lv_poller_stop (
                    poller, g_strdup_printf ("libvirt: storage pool '%s' on host '%s' became "
                                             "inactive during the copy of %s; the move was aborted",
                                             dm->dst_pool, dm->dst_host, dm->src_path));
                break;
              }
          }
    }
  while (lv_poller_wait (poller));
  return NULL;
}

/* The downtime of a post-copy move, which libvirt's job statistics do not
 * give: from the domain lifecycle events as this process receives them,
 * the source's SUSPENDED (detail POSTCOPY: the guest stopped there for
 * the switch to post-copy) to the destination's RESUMED (detail POSTCOPY,
 * or MIGRATED: the guest runs there again). Both daemons send their event
 * as the state changes and one event loop thread receives both, so the
 * difference is the pause plus the difference of the two deliveries (a
 * few milliseconds here). The times go into the move's LvWake; @destination:
 * the event came from the destination's connection. */
static void
lv_pause_watch_note (LvWake *watch, virDomainPtr dom, int event, int detail, gboolean destination)
{
  unsigned char uuid[VIR_UUID_BUFLEN];
  gint64 now = g_get_monotonic_time ();

  if (virDomainGetUUID (dom, uuid) < 0 || memcmp (uuid, watch->uuid, VIR_UUID_BUFLEN) != 0)
    return;
  g_mutex_lock (&watch->lock);
  if (!destination && event == VIR_DOMAIN_EVENT_SUSPENDED
      && detail == VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY && watch->paused == 0)
    watch->paused = now;
  else if (destination && event == VIR_DOMAIN_EVENT_RESUMED
           && (detail == VIR_DOMAIN_EVENT_RESUMED_POSTCOPY
               || detail == VIR_DOMAIN_EVENT_RESUMED_MIGRATED)
           && watch->paused != 0 && watch->resumed == 0)
    watch->resumed = now;
  g_cond_broadcast (&watch->cond);
  g_mutex_unlock (&watch->lock);
}

static int
lv_pause_watch_source_cb (virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
  lv_pause_watch_note (opaque, dom, event, detail, FALSE);
  return 0;
}

static int
lv_pause_watch_destination_cb (virConnectPtr conn, virDomainPtr dom, int event, int detail,
                               void *opaque)
{
  lv_pause_watch_note (opaque, dom, event, detail, TRUE);
  return 0;
}

/* The pause in ms once both events arrived (waiting for the destination's
 * up to 2 s after the move returned); -1 when the guest never paused for
 * post-copy or an event is missing. */
static gint64
lv_pause_watch_ms (LvWake *watch)
{
  gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  gint64 ms = -1;

  g_mutex_lock (&watch->lock);
  while (watch->paused != 0 && watch->resumed == 0
         && g_cond_wait_until (&watch->cond, &watch->lock, until))
    ;
  if (watch->paused != 0 && watch->resumed > watch->paused)
    ms = MAX ((watch->resumed - watch->paused) / 1000, 1);
  g_mutex_unlock (&watch->lock);
  return ms;
}

/* Whether @path lies in the directory of a pool the cluster description
 * marks shared, as @conn's host defines that pool. */
static gboolean
lv_path_in_shared_pool (VmmLibvirtBackend *self, virConnectPtr conn, const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->pools);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LvPoolDesc *desc = value;
      g_autoptr (virStoragePool) pool = NULL;
      g_autofree char *xml = NULL;
      g_autofree char *target = NULL;
      g_autofree char *canon = NULL;

      if (!desc->shared || (pool = virStoragePoolLookupByName (conn, desc->name)) == NULL)
        continue;
      xml = virStoragePoolGetXMLDesc (pool, 0);
      target = xml != NULL ? lv_pool_xml_target_path (xml) : NULL;
      if (target == NULL)
        continue;
      canon = g_canonicalize_filename (target, "/");
      if (g_strcmp0 (canon, dir) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The guest on @host runs, resumed if it was paused (a move finished with
 * the guest suspended leaves it paused on the destination). */
static gboolean
lv_resume_on (LvRun *run, const char *host, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (virConnect) conn = lv_connect (run->self, host, error);
  g_autoptr (virDomain) dom = NULL;
  int state = VIR_DOMAIN_NOSTATE, reason = 0;

  if (conn == NULL || (dom = lv_lookup_domain (conn, mv->vm, host, error)) == NULL)
    return FALSE;
  if (virDomainGetState (dom, &state, &reason, 0) < 0)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot read the state of '%s' on '%s'",
                    mv->vm, host);
      return FALSE;
    }
  if (state == VIR_DOMAIN_PAUSED)
    {
      if (virDomainResume (dom) < 0)
        {
          lv_set_error (error, VMM_ERROR_BACKEND,
                        "libvirt: '%s' moved to '%s' suspended and cannot be resumed there", mv->vm,
                        host);
          return FALSE;
        }
      lv_warn (run, "libvirt: '%s' resumed on '%s' after the move finished suspended", mv->vm,
               host);
    }
  return TRUE;
}

static gboolean
lv_migrate (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;
  VmmLibvirtBackend *self = run->self;
  LvHost *dst_host = lv_host_lookup (self, mv->dst_host);
  g_autoptr (virConnect) conn = lv_connect (self, mv->src_host, error);
  g_autoptr (virDomain) dom = NULL;
  virTypedParameterPtr params = NULL;
  int nparams = 0, maxparams = 0;
  unsigned int flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER;
  gboolean all_shared = TRUE;
  gboolean has_disks = FALSE;
  LvPoller poller = { 0 };
  int iteration_cb;
  int rc;
  g_autoptr (virConnect) pause_dconn = NULL;
  int pause_src_cb = -1, pause_dst_cb = -1;
  gint64 pause_ms = -1;

  if (conn == NULL)
    return FALSE;
  if (dst_host == NULL || dst_host->migration_uri == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                   "libvirt: host '%s' has no migration-uri in the cluster description",
                   mv->dst_host);
      return FALSE;
    }
  dom = lv_lookup_domain (conn, mv->vm, mv->src_host, error);
  if (dom == NULL || !lv_build_dest_xml (run, dom, error)
      || !lv_snapshots_check (run, dom, mv->disks->len > 0, error)
      || !lv_snapshots_save (run, dom, error))
    return FALSE;
  if (virDomainIsPersistent (dom) == 1)
    flags |= VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE;
  if (run->auto_converge)
    flags |= VIR_MIGRATE_AUTO_CONVERGE;
  if (run->post_copy)
    flags |= VIR_MIGRATE_POSTCOPY;
  if (run->compression)
    flags |= VIR_MIGRATE_COMPRESSED;
  if (run->parallel > 1)
    {
      flags |= VIR_MIGRATE_PARALLEL;
      virTypedParamsAddInt (&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS,
                            (int)run->parallel);
    }
  if (run->bandwidth_mibps > 0)
    virTypedParamsAddULLong (&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_BANDWIDTH,
                             run->bandwidth_mibps);
  if (mv->dest_xml != NULL)
    virTypedParamsAddString (&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_DEST_XML,
                             mv->dest_xml);
  if (mv->persist_xml != NULL)
    virTypedParamsAddString (&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_PERSIST_XML,
                             mv->persist_xml);
  for (guint i = 0; i < mv->disks->len; i++)
    {
      LvDiskMove *dm = g_ptr_array_index (mv->disks, i);

      flags |= VIR_MIGRATE_NON_SHARED_DISK;
      virTypedParamsAddString (&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_MIGRATE_DISKS,
                               dm->key);
    }
  /* disks that stay where they are must be on pools the description marks
   * shared: only then is libvirt's "unsafe" check overridden */
  {
    g_autofree char *xml = virDomainGetXMLDesc (dom, 0);
    g_autoptr (LvDomainXml) parsed = xml != NULL ? lv_domain_xml_parse (xml, NULL) : NULL;

    for (guint i = 0; parsed != NULL && i < parsed->disks->len; i++)
      {
        LvDiskXml *d = g_ptr_array_index (parsed->disks, i);
        gboolean moves = FALSE;
        gboolean shared = FALSE;

        if (d->path == NULL || d->readonly || g_strcmp0 (d->device, "disk") != 0)
          continue;
        for (guint j = 0; j < mv->disks->len; j++)
          if (g_strcmp0 (((LvDiskMove *)g_ptr_array_index (mv->disks, j))->key, d->key) == 0)
            moves = TRUE;
        if (moves)
          continue;
        has_disks = TRUE;
        shared = lv_path_in_shared_pool (self, conn, d->path);
        if (!shared)
          all_shared = FALSE;
      }
  }
  if (has_disks && all_shared)
    flags |= VIR_MIGRATE_UNSAFE;
  if (run->max_downtime_ms > 0)
    {
      /* the first step of the downtime ladder; the poller raises it */
      guint ms = run->post_copy || run->max_downtime_ms < 40 ? run->max_downtime_ms
                                                             : run->max_downtime_ms / 4;

      if (virDomainMigrateSetMaxDowntime (dom, ms, 0) < 0)
        lv_warn (run, "libvirt: cannot set the max downtime of '%s' to %u ms: %s", mv->vm, ms,
                 virGetLastErrorMessage ());
    }

  g_mutex_lock (&mv->lock);
  mv->migrating = TRUE;
  mv->post_copy_allowed = (flags & VIR_MIGRATE_POSTCOPY) != 0;
  mv->suspended = FALSE;
  g_atomic_int_set (&mv->timeout_request, 0);
  g_mutex_unlock (&mv->lock);
  if (lv_run_cancelled (run))
    {
      virTypedParamsFree (params, nparams);
      return lv_run_set_cancelled (run, error, "the move was");
    }
  /* libvirt migrates no domain with snapshots: their metadata leaves the
   * source now and is defined again where the domain ends up */
  if (mv->snapshots_on != NULL && !lv_snapshots_drop (run, dom, mv->src_host, error))
    {
      virTypedParamsFree (params, nparams);
      return FALSE;
    }
  poller.run = run;
  poller.dom = dom;
  poller.wake = g_new0 (LvWake, 1);
  poller.wake->ref = 1; /* the poller's; each registration takes one */
  g_mutex_init (&poller.wake->lock);
  g_cond_init (&poller.wake->cond);
  iteration_cb
      = lv_wake_register (conn, dom, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
                          VIR_DOMAIN_EVENT_CALLBACK (lv_migration_iteration_cb), poller.wake);
  if ((flags & VIR_MIGRATE_POSTCOPY) != 0 && virDomainGetUUID (dom, poller.wake->uuid) == 0
      && (pause_dconn = lv_connect (self, mv->dst_host, NULL)) != NULL)
    {
      /* the domain appears on the destination during the move: all
       * domains there, matched by UUID */
      pause_src_cb
          = lv_wake_register (conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                              VIR_DOMAIN_EVENT_CALLBACK (lv_pause_watch_source_cb), poller.wake);
      pause_dst_cb = lv_wake_register (pause_dconn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                       VIR_DOMAIN_EVENT_CALLBACK (lv_pause_watch_destination_cb),
                                       poller.wake);
    }
  {
    /* the migrate call on a connection of its own (lv_host_take()); the
     * poller, the events and every other call stay on the shared one */
    LvHost *src_host = lv_host_lookup (self, mv->src_host);
    virConnectPtr mconn = lv_host_take (src_host, NULL);
    unsigned char uuid[VIR_UUID_BUFLEN];
    g_autoptr (virDomain) mdom = NULL;

    if (mconn != NULL && virDomainGetUUID (dom, uuid) == 0)
      mdom = virDomainLookupByUUID (mconn, uuid);
    poller.thread = g_thread_new ("vmm-libvirt-poll", lv_poller_thread, &poller);
    rc = virDomainMigrateToURI3 (mdom != NULL ? mdom : dom, dst_host->migration_uri, params,
                                 (unsigned int)nparams, flags);
    g_clear_pointer (&mdom, lv_domain_free);
    lv_host_release (src_host, mconn);
  }
  if (rc < 0)
    lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: moving '%s' from '%s' to '%s' failed", mv->vm,
                  mv->src_host, mv->dst_host);
  g_mutex_lock (&poller.wake->lock);
  poller.wake->stop = TRUE;
  g_cond_signal (&poller.wake->cond);
  g_mutex_unlock (&poller.wake->lock);
  g_thread_join (poller.thread);
  if (iteration_cb >= 0)
    virConnectDomainEventDeregisterAny (conn, iteration_cb);
  if (rc >= 0)
    pause_ms = lv_pause_watch_ms (poller.wake);
  if (pause_src_cb >= 0)
    virConnectDomainEventDeregisterAny (conn, pause_src_cb);
  if (pause_dst_cb >= 0)
    virConnectDomainEventDeregisterAny (pause_dconn, pause_dst_cb);
  lv_wake_unref (poller.wake);
  virTypedParamsFree (params, nparams);
  g_mutex_lock (&mv->lock);
  mv->migrating = FALSE;
  g_mutex_unlock (&mv->lock);

  if (rc < 0 && mv->suspended)
    {
      /* on-timeout suspend paused it, and the move failed: it runs on its
       * source again */
      if (virDomainResume (dom) < 0)
        g_prefix_error (error, "'%s' stays suspended on '%s' (resuming failed: %s): ", mv->vm,
                        mv->src_host, virGetLastErrorMessage ());
    }
  if (rc < 0)
    {
      g_autoptr (GError) snap_error = NULL;

      if (!lv_snapshots_define (run, mv->src_host, &snap_error))
        g_prefix_error (error, "%s; ", snap_error->message);
      if (mv->stop_reason != NULL)
        {
          g_prefix_error (error, "%s: ", mv->stop_reason);
          (*error)->code = VMM_ERROR_BACKEND;
        }
      else if (g_cancellable_is_cancelled (mv->abort))
        {
          GError *cancelled = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                           "libvirt: the move of '%s' was aborted: %s", mv->vm,
                                           (*error)->message);

          g_clear_error (error);
          g_propagate_error (error, cancelled);
        }
      return FALSE;
    }
  for (guint i = 0; i < mv->disks->len; i++)
    ((LvDiskMove *)g_ptr_array_index (mv->disks, i))->copied = TRUE;
  lv_report (run, mv->bytes_total, mv->bytes_total);
  {
    g_autoptr (GError) snap_error = NULL;

    /* the guest moved: its snapshots not following is reported, not a
     * failed move */
    if (!lv_snapshots_define (run, mv->dst_host, &snap_error))
      lv_warn (run, "%s; the snapshots' metadata is lost, their data stays in the images",
               snap_error->message);
  }
  if (mv->suspended)
    {
      g_autoptr (GError) resume_error = NULL;

      /* the guest is on the destination now: a failed resume is reported,
       * not a failed move */
      if (!lv_resume_on (run, mv->dst_host, &resume_error))
        lv_warn (run, "%s", resume_error->message);
    }
  /* downtime: the completed job's statistics, kept for others, read on the
   * destination (a transient source no longer has the domain) */
  {
    g_autoptr (virConnect) dconn = lv_connect (self, mv->dst_host, NULL);
    g_autoptr (virDomain) ddom = dconn != NULL ? virDomainLookupByName (dconn, mv->vm) : NULL;
    virTypedParameterPtr stats = NULL;
    int nstats = 0, type = 0;

    if (ddom != NULL
        && virDomainGetJobStats (ddom, &type, &stats, &nstats,
                                 VIR_DOMAIN_JOB_STATS_COMPLETED
                                     | VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED)
               == 0)
      {
        unsigned long long downtime = 0;

        if (virTypedParamsGetULLong (stats, nstats, VIR_DOMAIN_JOB_DOWNTIME, &downtime) == 1)
          mv->downtime_ms = (gint64)downtime;
        virTypedParamsFree (stats, nstats);
      }
    /* a post-copy move: libvirt's statistics have none, the events do */
    if (mv->downtime_ms < 0)
      mv->downtime_ms = pause_ms;
  }
  return TRUE;
}

/* --- hot storage-only move: virDomainBlockCopy, block job events, pivot --- */

typedef struct
{
  GMutex lock;
  GCond cond;
  char *disk;
  int status; /* -1 until an event for @disk arrives */
  gint ref;   /* the worker and libvirt's registration */
} LvBlockJob;

static void
lv_block_job_unref (void *data)
{
  LvBlockJob *bj = data;

  if (!g_atomic_int_dec_and_test (&bj->ref))
    return;
  g_free (bj->disk);
  g_mutex_clear (&bj->lock);
  g_cond_clear (&bj->cond);
  g_free (bj);
}

static void
lv_block_job_cb (virConnectPtr conn, virDomainPtr dom, const char *disk, int type, int status,
                 void *opaque)
{
  LvBlockJob *bj = opaque;

  g_mutex_lock (&bj->lock);
  if (bj->disk != NULL && g_strcmp0 (disk, bj->disk) == 0)
    {
      bj->status = status;
      g_cond_broadcast (&bj->cond);
    }
  g_mutex_unlock (&bj->lock);
}

/* Waits for one of the block job events in @wanted (a bit mask of
 * VIR_DOMAIN_BLOCK_JOB_* statuses) or until the job is gone; reports the
 * copy's progress meanwhile. Returns the status, or -1 when the run was
 * cancelled, -2 when the job vanished without an event. */
static int
lv_block_job_wait (LvRun *run, virDomainPtr dom, LvBlockJob *bj, guint wanted, guint64 base,
                   guint64 total, gboolean watch_cancel)
{
  for (;;)
    {
      virDomainBlockJobInfo info = { 0 };
      gint64 until = g_get_monotonic_time () + LV_POLL_MS * 1000;
      int status, rc;

      g_mutex_lock (&bj->lock);
      while (bj->status < 0 || !(wanted & (1u << bj->status)))
        if (!g_cond_wait_until (&bj->cond, &bj->lock, until))
          break;
      status = bj->status;
      g_mutex_unlock (&bj->lock);
      if (status >= 0 && (wanted & (1u << status)))
        return status;
      if (status == VIR_DOMAIN_BLOCK_JOB_FAILED)
        return status;
      if (watch_cancel && lv_run_cancelled (run))
        return -1;
      rc = virDomainGetBlockJobInfo (dom, bj->disk, &info, 0);
      if (rc == 0)
        {
          g_mutex_lock (&bj->lock);
          status = bj->status;
          g_mutex_unlock (&bj->lock);
          return status >= 0 ? status : -2;
        }
      if (rc > 0 && info.end > 0)
        lv_report (run, base + info.cur, MAX (total, base + info.end));
    }
}

static gboolean
lv_block_copy (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (virConnect) conn = lv_connect (run->self, mv->src_host, error);
  g_autoptr (virDomain) dom = NULL;
  LvBlockJob *bj = g_new0 (LvBlockJob, 1);
  int callback_id = -1;
  guint64 total = 0, base = 0;
  gboolean ok = FALSE;

  g_mutex_init (&bj->lock);
  g_cond_init (&bj->cond);
  bj->status = -1;
  bj->ref = 1;
  if (conn == NULL)
    goto out;
  dom = lv_lookup_domain (conn, mv->vm, mv->src_host, error);
  if (dom == NULL || !lv_snapshots_check (run, dom, TRUE, error))
    goto out;
  for (guint i = 0; i < mv->disks->len; i++)
    total += ((LvDiskMove *)g_ptr_array_index (mv->disks, i))->capacity;
  g_atomic_int_inc (&bj->ref);
  callback_id = virConnectDomainEventRegisterAny (conn, dom, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                                  VIR_DOMAIN_EVENT_CALLBACK (lv_block_job_cb), bj,
                                                  lv_block_job_unref);
  if (callback_id < 0)
    {
      lv_block_job_unref (bj);
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot watch the block jobs of '%s'",
                    mv->vm);
      goto out;
    }
  for (guint i = 0; i < mv->disks->len; i++)
    {
      LvDiskMove *dm = g_ptr_array_index (mv->disks, i);
      g_autofree char *dest
          = g_markup_printf_escaped ("<disk type='file' device='disk'><driver name='qemu' "
                                     "type='%s'/><source file='%s'/></disk>",
                                     dm->format, dm->dst_path);
      virTypedParameterPtr params = NULL;
      int nparams = 0, maxparams = 0, status;

      if (run->bandwidth_mibps > 0)
        virTypedParamsAddULLong (&params, &nparams, &maxparams, VIR_DOMAIN_BLOCK_COPY_BANDWIDTH,
                                 (unsigned long long)run->bandwidth_mibps * 1024 * 1024);
      g_mutex_lock (&bj->lock);
      g_free (bj->disk);
      bj->disk = g_strdup (dm->key);
      bj->status = -1;
      g_mutex_unlock (&bj->lock);
      if (virDomainBlockCopy (dom, dm->key, dest, params, nparams,
                              VIR_DOMAIN_BLOCK_COPY_REUSE_EXT | VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB)
          < 0)
        {
          virTypedParamsFree (params, nparams);
          lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: block copy of %s of '%s' to %s failed",
                        dm->key, mv->vm, dm->dst_path);
          goto out;
        }
      virTypedParamsFree (params, nparams);
      status
          = lv_block_job_wait (run, dom, bj, 1u << VIR_DOMAIN_BLOCK_JOB_READY, base, total, TRUE);
      if (status != VIR_DOMAIN_BLOCK_JOB_READY)
        {
          if (status == -1)
            {
              /* cancel the copy: the guest keeps its source volume */
              virDomainBlockJobAbort (dom, dm->key, 0);
              lv_block_job_wait (run, dom, bj,
                                 (1u << VIR_DOMAIN_BLOCK_JOB_CANCELED)
                                     | (1u << VIR_DOMAIN_BLOCK_JOB_FAILED),
                                 base, total, FALSE);
              lv_run_set_cancelled (run, error, "the block copy was");
            }
          else
            g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                         "libvirt: block copy of %s of '%s' to %s %s", dm->key, mv->vm,
                         dm->dst_path, status == -2 ? "ended without becoming ready" : "failed");
          goto out;
        }
      g_mutex_lock (&bj->lock);
      bj->status = -1;
      g_mutex_unlock (&bj->lock);
      if (virDomainBlockJobAbort (dom, dm->key, VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT) < 0)
        {
          lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: pivot of %s of '%s' to %s failed",
                        dm->key, mv->vm, dm->dst_path);
          virDomainBlockJobAbort (dom, dm->key, 0);
          goto out;
        }
      status = lv_block_job_wait (run, dom, bj,
                                  (1u << VIR_DOMAIN_BLOCK_JOB_COMPLETED)
                                      | (1u << VIR_DOMAIN_BLOCK_JOB_FAILED),
                                  base, total, FALSE);
      if (status == VIR_DOMAIN_BLOCK_JOB_FAILED)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND, "libvirt: pivot of %s of '%s' failed",
                       dm->key, mv->vm);
          goto out;
        }
      dm->copied = TRUE;
      base += dm->capacity;
      lv_report (run, base, total);
      /* the persistent definition follows the pivot */
      if (virDomainIsPersistent (dom) == 1)
        {
          g_autofree char *inactive
              = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
          g_autoptr (GHashTable) paths = g_hash_table_new (g_str_hash, g_str_equal);
          g_autofree char *updated = NULL;
          g_autoptr (virDomain) defined = NULL;

          g_hash_table_insert (paths, dm->key, dm->dst_path);
          if (inactive != NULL)
            updated = lv_domain_xml_rewrite (inactive, paths, NULL, error);
          if (updated == NULL || (defined = virDomainDefineXML (conn, updated)) == NULL)
            {
              if (updated != NULL)
                lv_set_error (error, VMM_ERROR_BACKEND,
                              "libvirt: the guest runs on %s but its definition could not be "
                              "updated",
                              dm->dst_path);
              goto out;
            }
        }
    }
  mv->downtime_ms = 0;
  ok = TRUE;

out:
  if (callback_id >= 0)
    virConnectDomainEventDeregisterAny (conn, callback_id);
  lv_block_job_unref (bj);
  return ok;
}

/* --- cold moves: storage streams, define on the destination --- */

static gboolean
lv_copy_moving_disks (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (virConnect) src = lv_connect (run->self, mv->src_host, error);
  guint64 total = 0, base = 0;

  if (src == NULL)
    return FALSE;
  for (guint i = 0; i < mv->disks->len; i++)
    total += lv_physical_size (src, ((LvDiskMove *)g_ptr_array_index (mv->disks, i))->src_path);
  for (guint i = 0; i < mv->disks->len; i++)
    {
      LvDiskMove *dm = g_ptr_array_index (mv->disks, i);

      if (dm->copied)
        continue;
      if (!dm->created && !lv_create_volume (run->self, dm, error))
        return FALSE;
      if (!lv_stream_copy (run, dm, base, total, error))
        return FALSE;
      dm->copied = TRUE;
      base += lv_physical_size (src, dm->src_path);
    }
  lv_report (run, MAX (base, total), MAX (base, total));
  return TRUE;
}

/* Defines the saved definition on the destination, with the new disk paths
 * and networks. */
static gboolean
lv_define_on_destination (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (virConnect) dst = lv_connect (run->self, mv->dst_host, error);
  g_autoptr (GHashTable) paths = lv_new_paths (mv);
  g_autoptr (virDomain) existing = NULL;
  g_autoptr (virDomain) dom = NULL;
  g_autofree char *xml = NULL;

  if (dst == NULL)
    return FALSE;
  if (mv->saved_xml == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                   "libvirt: no definition of '%s' was saved from host '%s'", mv->vm, mv->src_host);
      return FALSE;
    }
  existing = virDomainLookupByName (dst, mv->vm);
  if (existing != NULL && !mv->defined_on_destination)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY,
                   "libvirt: host '%s' already has a domain named '%s'", mv->dst_host, mv->vm);
      return FALSE;
    }
  if (existing != NULL && mv->replaced_xml == NULL)
    mv->replaced_xml
        = virDomainGetXMLDesc (existing, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  xml = lv_domain_xml_rewrite (mv->saved_xml, paths, run->network_map, error);
  if (xml == NULL)
    return FALSE;
  dom = virDomainDefineXML (dst, xml);
  if (dom == NULL)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot define '%s' on host '%s'", mv->vm,
                    mv->dst_host);
      return FALSE;
    }
  mv->defined_on_destination = TRUE;
  return TRUE;
}

static gboolean
lv_undefine_on_destination (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (virConnect) dst = NULL;
  g_autoptr (virDomain) dom = NULL;

  if (!mv->defined_on_destination)
    return TRUE;
  dst = lv_connect (run->self, mv->dst_host, error);
  if (dst == NULL)
    return FALSE;
  dom = virDomainLookupByName (dst, mv->vm);
  if (dom != NULL
      && virDomainUndefineFlags (dom, VIR_DOMAIN_UNDEFINE_KEEP_NVRAM
                                          | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
             < 0)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot undefine '%s' on host '%s'", mv->vm,
                    mv->dst_host);
      return FALSE;
    }
  if (g_strcmp0 (mv->snapshots_on, mv->dst_host) == 0)
    g_clear_pointer (&mv->snapshots_on, g_free);
  mv->defined_on_destination = FALSE;
  return TRUE;
}

/* --- the steps, in worker threads --- */

static gboolean
lv_step_prepare_source (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (virConnect) conn = lv_connect (run->self, mv->src_host, error);
  g_autoptr (virDomain) dom = NULL;
  virDomainJobInfo job = { 0 };
  int state = 0, reason = 0;

  if (conn == NULL || (dom = lv_lookup_domain (conn, mv->vm, mv->src_host, error)) == NULL)
    return FALSE;
  if (virDomainGetState (dom, &state, &reason, 0) < 0 || state != VIR_DOMAIN_RUNNING)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                   "libvirt: '%s' is not running on host '%s'", mv->vm, mv->src_host);
      return FALSE;
    }
  if (virDomainGetJobInfo (dom, &job) == 0 && job.type != VIR_DOMAIN_JOB_NONE)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY,
                   "libvirt: '%s' on host '%s' already runs a job (another migration?)", mv->vm,
                   mv->src_host);
      return FALSE;
    }
  mv->persistent = virDomainIsPersistent (dom) == 1;
  return TRUE;
}

static gboolean
lv_step_prepare_destination (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (virConnect) conn = lv_connect (run->self, mv->dst_host, error);
  g_autoptr (virDomain) dom = NULL;
  VmmVmInfo *vm = vmm_migration_context_get_vm (run->ctx);

  if (conn == NULL)
    return FALSE;
  if (mv->changes_host)
    {
      unsigned long long free_bytes = virNodeGetFreeMemory (conn);
      guint64 need = vmm_vm_info_get_memory_mib (vm) * 1024 * 1024;

      if (free_bytes < need)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INSUFFICIENT_CAPACITY,
                       "libvirt: host '%s' has %llu MiB free; '%s' needs %" G_GUINT64_FORMAT " MiB",
                       mv->dst_host, free_bytes >> 20, mv->vm, need >> 20);
          return FALSE;
        }
      dom = virDomainLookupByName (conn, mv->vm);
      if (dom != NULL && virDomainIsActive (dom) == 1)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY,
                       "libvirt: a domain named '%s' already runs on host '%s'", mv->vm,
                       mv->dst_host);
          return FALSE;
        }
    }
  for (guint i = 0; i < mv->disks->len; i++)
    {
      LvDiskMove *dm = g_ptr_array_index (mv->disks, i);
      g_autoptr (virConnect) pconn = lv_connect (run->self, dm->dst_host, error);
      g_autoptr (virStoragePool) pool = NULL;

      if (pconn == NULL
          || (pool = lv_active_pool (pconn, dm->dst_host, dm->dst_pool, error)) == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
lv_step_create_dummy_disks (LvRun *run, GError **error)
{
  for (guint i = 0; i < run->mv->disks->len; i++)
    {
      LvDiskMove *dm = g_ptr_array_index (run->mv->disks, i);

      if (!dm->created && !lv_create_volume (run->self, dm, error))
        {
          g_autoptr (GError) undo_error = NULL;

          lv_delete_created (run, &undo_error);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
lv_step_create_destination_vm (LvRun *run, GError **error)
{
  if (run->hot)
    {
      /* the platform creates the incoming domain inside the migrate call;
       * here its XML gets the new disk paths */
      g_autoptr (virConnect) conn = lv_connect (run->self, run->mv->src_host, error);
      g_autoptr (virDomain) dom = NULL;

      if (conn == NULL
          || (dom = lv_lookup_domain (conn, run->mv->vm, run->mv->src_host, error)) == NULL)
        return FALSE;
      return lv_build_dest_xml (run, dom, error);
    }
  return lv_copy_moving_disks (run, error) && lv_define_on_destination (run, error);
}

static gboolean
lv_step_register_destination_vm (LvRun *run, GError **error)
{
  return lv_define_on_destination (run, error);
}

static gboolean
lv_step_reconfigure_vm (LvRun *run, GError **error)
{
  /* a cold move whose other disks change pool: copy them, define again */
  if (run->hot || run->mv->disks->len == 0)
    return TRUE;
  return lv_copy_moving_disks (run, error) && lv_define_on_destination (run, error);
}

static gboolean
lv_step_unregister_source_vm (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (virConnect) conn = lv_connect (run->self, mv->src_host, error);
  g_autoptr (virDomain) dom = NULL;

  if (conn == NULL || (dom = lv_lookup_domain (conn, mv->vm, mv->src_host, error)) == NULL)
    return FALSE;
  if (virDomainIsActive (dom) == 1)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                   "libvirt: '%s' runs on host '%s': a cold move needs it shut off", mv->vm,
                   mv->src_host);
      return FALSE;
    }
  /* internal snapshots go with the images (a volume copy is the whole
   * file); their metadata goes with the definition (RelayoutSnapshots) */
  if (!lv_snapshots_check (run, dom, FALSE, error) || !lv_snapshots_save (run, dom, error))
    return FALSE;
  g_free (mv->saved_xml);
  mv->saved_xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  if (mv->saved_xml == NULL)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot read the definition of '%s'",
                    mv->vm);
      return FALSE;
    }
  if (virDomainUndefineFlags (dom, VIR_DOMAIN_UNDEFINE_KEEP_NVRAM
                                       | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
      < 0)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot undefine '%s' on host '%s'", mv->vm,
                    mv->src_host);
      return FALSE;
    }
  if (g_strcmp0 (mv->snapshots_on, mv->src_host) == 0)
    g_clear_pointer (&mv->snapshots_on, g_free);
  mv->source_undefined = TRUE;
  return TRUE;
}

/* Cold restart, first step: the guest stops on its source, gracefully
 * (virDomainShutdown: the guest agent or ACPI) when it honours that within
 * the description's shutdown-timeout-s, forced (virDomainDestroy)
 * otherwise, which the result's warnings then say. Its undo starts it
 * again there. The wait is bounded, not cancellable: a guest told to shut
 * down may still do so. */
static gboolean
lv_step_power_off (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (virConnect) conn = lv_connect (run->self, mv->src_host, error);
  g_autoptr (virDomain) dom = NULL;
  guint grace = run->self->shutdown_timeout_s;
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64)grace * G_USEC_PER_SEC;
  g_autofree char *refused = NULL;

  if (conn == NULL || (dom = lv_lookup_domain (conn, mv->vm, mv->src_host, error)) == NULL)
    return FALSE;
  if (virDomainIsActive (dom) != 1)
    return TRUE; /* already off: nothing to start again on undo */
  mv->persistent = virDomainIsPersistent (dom) == 1;
  if (!mv->persistent)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE,
                   "libvirt: '%s' on host '%s' is transient (not defined): it would vanish when "
                   "stopped, so it cannot be moved cold",
                   mv->vm, mv->src_host);
      return FALSE;
    }
  if (grace > 0 && virDomainShutdown (dom) < 0)
    refused = g_strdup (virGetLastErrorMessage ());
  while (refused == NULL && virDomainIsActive (dom) == 1 && g_get_monotonic_time () < deadline)
    g_usleep (LV_POLL_MS * 1000);
  if (virDomainIsActive (dom) == 1)
    {
      if (virDomainDestroy (dom) < 0 && virDomainIsActive (dom) == 1)
        {
          lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot stop '%s' on host '%s'", mv->vm,
                        mv->src_host);
          return FALSE;
        }
      mv->powered_off = TRUE;
      if (refused != NULL)
        lv_warn (run, "libvirt: '%s' refused a graceful shutdown (%s); it was forced off on '%s'",
                 mv->vm, refused, mv->src_host);
      else
        lv_warn (run,
                 "libvirt: '%s' did not shut down within %u s of the shutdown request; it was "
                 "forced off on '%s'",
                 mv->vm, grace, mv->src_host);
      return TRUE;
    }
  mv->powered_off = TRUE;
  lv_warn (run, "libvirt: '%s' shut down gracefully on '%s' in %.1f s", mv->vm, mv->src_host,
           (double)(g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  return TRUE;
}

/* Starts the guest on @host (virDomainCreate on its persistent definition). */
static gboolean
lv_start_on (LvRun *run, const char *host, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (virConnect) conn = lv_connect (run->self, host, error);
  g_autoptr (virDomain) dom = NULL;

  if (conn == NULL || (dom = lv_lookup_domain (conn, mv->vm, host, error)) == NULL)
    return FALSE;
  if (virDomainIsActive (dom) == 1)
    return TRUE;
  if (virDomainCreate (dom) < 0)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot start '%s' on host '%s'", mv->vm,
                    host);
      return FALSE;
    }
  return TRUE;
}

/* Cold restart, last step: the guest starts where the cold move defined it. */
static gboolean
lv_step_power_on (LvRun *run, GError **error)
{
  if (!lv_start_on (run, run->mv->dst_host, error))
    return FALSE;
  run->mv->powered_on = TRUE;
  return TRUE;
}

/* Hot moves that copy storage live (this step is in their plans only) cannot
 * carry snapshots: refused before anything moves. Cold moves define the
 * source's snapshots on the destination, naming the disks' new paths. */
static gboolean
lv_step_relayout_snapshots (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;

  if (run->hot)
    {
      g_autoptr (virConnect) conn = lv_connect (run->self, mv->src_host, error);
      g_autoptr (virDomain) dom = NULL;

      if (conn == NULL || (dom = lv_lookup_domain (conn, mv->vm, mv->src_host, error)) == NULL)
        return FALSE;
      return lv_snapshots_check (run, dom, mv->disks->len > 0, error);
    }
  return lv_snapshots_define (run, mv->dst_host, error);
}

static gboolean
lv_step_initiate_source (LvRun *run, GError **error)
{
  return run->mv->changes_host ? lv_migrate (run, error) : lv_block_copy (run, error);
}

static gboolean
lv_step_complete_source (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (virConnect) conn = lv_connect (run->self, mv->src_host, error);
  g_autoptr (virDomain) dom = NULL;

  if (conn == NULL)
    return FALSE;
  if (mv->changes_host)
    {
      dom = virDomainLookupByName (conn, mv->vm);
      if (dom != NULL && virDomainIsActive (dom) == 1)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                       "libvirt: '%s' still runs on its source host '%s' after the move", mv->vm,
                       mv->src_host);
          return FALSE;
        }
      /* a definition left behind (libvirt undefines a persistent source
       * itself) would make the VM appear in two places */
      if (dom != NULL && mv->persistent
          && virDomainUndefineFlags (dom, VIR_DOMAIN_UNDEFINE_KEEP_NVRAM) < 0)
        {
          lv_set_error (error, VMM_ERROR_BACKEND,
                        "libvirt: cannot remove the old definition of "
                        "'%s' on host '%s'",
                        mv->vm, mv->src_host);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
lv_step_complete_destination (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (virConnect) conn = lv_connect (run->self, mv->dst_host, error);
  g_autoptr (virDomain) dom = NULL;
  g_autofree char *xml = NULL;
  g_autoptr (LvDomainXml) parsed = NULL;

  if (conn == NULL || (dom = lv_lookup_domain (conn, mv->vm, mv->dst_host, error)) == NULL)
    return FALSE;
  if (run->hot && virDomainIsActive (dom) != 1)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND, "libvirt: '%s' does not run on host '%s'",
                   mv->vm, mv->dst_host);
      return FALSE;
    }
  xml = virDomainGetXMLDesc (dom, run->hot ? 0 : VIR_DOMAIN_XML_INACTIVE);
  if (xml == NULL || (parsed = lv_domain_xml_parse (xml, error)) == NULL)
    {
      if (xml == NULL)
        lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot read the XML of '%s'", mv->vm);
      return FALSE;
    }
  /* verify: every moved disk is where the copy spec says */
  for (guint i = 0; i < mv->disks->len; i++)
    {
      LvDiskMove *dm = g_ptr_array_index (mv->disks, i);
      const char *found = NULL;

      for (guint j = 0; j < parsed->disks->len; j++)
        {
          LvDiskXml *d = g_ptr_array_index (parsed->disks, j);

          if (g_strcmp0 (d->key, dm->key) == 0)
            found = d->path;
        }
      if (g_strcmp0 (found, dm->dst_path) != 0)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                       "libvirt: disk %s of '%s' on host '%s' is %s, not %s", dm->key, mv->vm,
                       mv->dst_host, found != NULL ? found : "missing", dm->dst_path);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
lv_undo (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;

  switch (run->step)
    {
    case VMM_STEP_CREATE_DUMMY_DISKS:
      return lv_delete_created (run, error);
    case VMM_STEP_CREATE_DESTINATION_VM:
    case VMM_STEP_RECONFIGURE_VM:
      if (run->hot)
        {
          g_clear_pointer (&mv->dest_xml, g_free);
          g_clear_pointer (&mv->persist_xml, g_free);
          return TRUE;
        }
      if (mv->replaced_xml != NULL)
        {
          g_autoptr (virConnect) dst = lv_connect (run->self, mv->dst_host, error);
          g_autoptr (virDomain) dom = NULL;

          if (dst == NULL || (dom = virDomainDefineXML (dst, mv->replaced_xml)) == NULL)
            {
              if (dst != NULL)
                lv_set_error (error, VMM_ERROR_BACKEND,
                              "libvirt: cannot restore the definition of '%s' on '%s'", mv->vm,
                              mv->dst_host);
              return FALSE;
            }
          g_clear_pointer (&mv->replaced_xml, g_free);
        }
      else if (!lv_undefine_on_destination (run, error))
        return FALSE;
      return lv_delete_created (run, error);
    case VMM_STEP_REGISTER_DESTINATION_VM:
      return lv_undefine_on_destination (run, error);
    case VMM_STEP_UNREGISTER_SOURCE_VM:
      if (mv->source_undefined)
        {
          g_autoptr (virConnect) src = lv_connect (run->self, mv->src_host, error);
          g_autoptr (virDomain) dom = NULL;

          if (src == NULL)
            return FALSE;
          dom = virDomainDefineXML (src, mv->saved_xml);
          if (dom == NULL)
            {
              lv_set_error (error, VMM_ERROR_BACKEND,
                            "libvirt: cannot define '%s' on host '%s' again", mv->vm, mv->src_host);
              return FALSE;
            }
          mv->source_undefined = FALSE;
        }
      return lv_snapshots_define (run, mv->src_host, error);
    case VMM_STEP_RELAYOUT_SNAPSHOTS:
      if (!run->hot && mv->snapshots_on != NULL && g_strcmp0 (mv->snapshots_on, mv->dst_host) == 0)
        {
          g_autoptr (virConnect) dst = lv_connect (run->self, mv->dst_host, error);
          g_autoptr (virDomain) dom = NULL;

          if (dst == NULL || (dom = lv_lookup_domain (dst, mv->vm, mv->dst_host, error)) == NULL)
            return FALSE;
          return lv_snapshots_drop (run, dom, mv->dst_host, error);
        }
      return TRUE;
    case VMM_STEP_PREPARE_SOURCE:
    case VMM_STEP_PREPARE_DESTINATION:
      /* they only checked: nothing to give back */
      return TRUE;
    case VMM_STEP_POWER_OFF:
      /* the source's definition is back (UnregisterSourceVm's undo ran) */
      if (mv->powered_off && !lv_start_on (run, mv->src_host, error))
        return FALSE;
      mv->powered_off = FALSE;
      return TRUE;
    case VMM_STEP_POWER_ON:
      if (mv->powered_on)
        {
          g_autoptr (virConnect) dst = lv_connect (run->self, mv->dst_host, error);
          g_autoptr (virDomain) dom = NULL;

          if (dst == NULL || (dom = lv_lookup_domain (dst, mv->vm, mv->dst_host, error)) == NULL)
            return FALSE;
          if (virDomainIsActive (dom) == 1 && virDomainDestroy (dom) < 0)
            {
              lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot stop '%s' on host '%s'",
                            mv->vm, mv->dst_host);
              return FALSE;
            }
          mv->powered_on = FALSE;
        }
      return TRUE;
    case VMM_STEP_INITIATE_SOURCE:
    case VMM_STEP_COMPLETE_SOURCE:
    case VMM_STEP_COMPLETE_DESTINATION:
    case VMM_STEP_RESERVE_DIRECTORY:
    case VMM_STEP_CREATE_INVENTORY_VM:
    case VMM_STEP_INITIATE_DESTINATION:
    case VMM_STEP_SWITCH_HOST_AND_POOL:
    case VMM_STEP_LAST:
    default:
      g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED, "libvirt: %s cannot be undone",
                   vmm_step_get_name (run->step));
      return FALSE;
    }
}

/* After a successful move: the source volumes of the disks that moved go,
 * now that the destination was verified. */
static gboolean
lv_cleanup (LvRun *run, GError **error)
{
  LvMove *mv = run->mv;
  g_autoptr (GString) failed = NULL;

  gboolean keep
      = vmm_relocate_spec_get_keep_source_disks (vmm_migration_context_get_spec (run->ctx));

  if (!run->succeeded)
    return TRUE;
  for (guint i = 0; i < mv->disks->len; i++)
    {
      LvDiskMove *dm = g_ptr_array_index (mv->disks, i);
      g_autoptr (GError) local_error = NULL;

      if (!dm->copied || g_strcmp0 (dm->src_path, dm->dst_path) == 0)
        continue;
      if (keep)
        {
          /* keep-source-disks: the source's copy stays, named in the result */
          lv_warn (run, "keep-source-disks: the source's copy %s on '%s' was kept", dm->src_path,
                   mv->src_host);
          continue;
        }
      if (!lv_delete_volume (run->self, mv->src_host, NULL, dm->src_path, &local_error))
        {
          if (failed == NULL)
            failed = g_string_new (local_error->message);
          else
            g_string_append_printf (failed, "; %s", local_error->message);
        }
    }
  if (failed != NULL)
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_BACKEND, failed->str);
      return FALSE;
    }
  return TRUE;
}

/* --- recovery data: what a crashed engine's successor needs --- */

/* Recorded (vmm_migration_context_record_recovery_data()) by the worker
 * before a step that changes the platform, one JSON object per step:
 * "step", "vm", "source", "destination"; while the source still has the
 * domain its "uuid", "persistent", "active", its definition "source-xml"
 * (read without VIR_DOMAIN_XML_SECURE: no graphics passwords go to the
 * journal) and its snapshots' metadata "snapshots" (parents first, each
 * {name, xml}) with "current-snapshot"; always the "volumes" the move
 * creates on the destination ({key, source-path, host, pool, name, path})
 * — the path only once created. Recovery reads the oldest record that has a
 * member: the source as it was before anything changed. */
static char *
lv_recovery_data_build (LvRun *run)
{
  LvMove *mv = run->mv;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (virConnect) conn = lv_connect (run->self, mv->src_host, NULL);
  g_autoptr (virDomain) dom = conn != NULL ? virDomainLookupByName (conn, mv->vm) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "step");
  json_builder_add_string_value (b, vmm_step_get_name (run->step));
  json_builder_set_member_name (b, "vm");
  json_builder_add_string_value (b, mv->vm);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, mv->src_host);
  json_builder_set_member_name (b, "destination");
  json_builder_add_string_value (b, mv->dst_host);
  if (dom != NULL)
    {
      char uuid[VIR_UUID_STRING_BUFLEN] = { 0 };
      gboolean persistent = virDomainIsPersistent (dom) == 1;
      virDomainSnapshotPtr *snaps = NULL;
      int n;

      virDomainGetUUIDString (dom, uuid);
      json_builder_set_member_name (b, "uuid");
      json_builder_add_string_value (b, uuid);
      json_builder_set_member_name (b, "persistent");
      json_builder_add_boolean_value (b, persistent);
      json_builder_set_member_name (b, "active");
      json_builder_add_boolean_value (b, virDomainIsActive (dom) == 1);
      if (persistent)
        {
          char *xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);

          if (xml != NULL)
            {
              json_builder_set_member_name (b, "source-xml");
              json_builder_add_string_value (b, xml);
              free (xml);
            }
        }
      n = virDomainListAllSnapshots (dom, &snaps, VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL);
      if (n > 0)
        {
          g_autoptr (virDomainSnapshot) current = virDomainHasCurrentSnapshot (dom, 0) == 1
                                                      ? virDomainSnapshotCurrent (dom, 0)
                                                      : NULL;

          json_builder_set_member_name (b, "snapshots");
          json_builder_begin_array (b);
          for (int i = 0; i < n; i++)
            {
              char *xml = virDomainSnapshotGetXMLDesc (snaps[i], 0);

              json_builder_begin_object (b);
              json_builder_set_member_name (b, "name");
              json_builder_add_string_value (b, virDomainSnapshotGetName (snaps[i]));
              json_builder_set_member_name (b, "xml");
              json_builder_add_string_value (b, xml);
              json_builder_end_object (b);
              free (xml);
            }
          json_builder_end_array (b);
          if (current != NULL)
            {
              json_builder_set_member_name (b, "current-snapshot");
              json_builder_add_string_value (b, virDomainSnapshotGetName (current));
            }
        }
      for (int i = 0; i < MAX (n, 0); i++)
        virDomainSnapshotFree (snaps[i]);
      free (snaps);
    }
  json_builder_set_member_name (b, "volumes");
  json_builder_begin_array (b);
  for (guint i = 0; i < mv->disks->len; i++)
    {
      LvDiskMove *dm = g_ptr_array_index (mv->disks, i);
      g_autofree char *name = g_path_get_basename (dm->src_path);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, dm->key);
      json_builder_set_member_name (b, "source-path");
      json_builder_add_string_value (b, dm->src_path);
      json_builder_set_member_name (b, "host");
      json_builder_add_string_value (b, dm->dst_host);
      json_builder_set_member_name (b, "pool");
      json_builder_add_string_value (b, dm->dst_pool);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, name);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, dm->dst_path);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

typedef struct
{
  VmmMigrationContext *ctx;
  char *data;
  GError *error;
  gboolean ok;
  gboolean done;
  GMutex lock;
  GCond cond;
} LvRecord;

static gboolean
lv_record_cb (gpointer user_data)
{
  LvRecord *rec = user_data;
  gboolean ok;
  GError *error = NULL;

  ok = vmm_migration_context_record_recovery_data (rec->ctx, rec->data, &error);
  g_mutex_lock (&rec->lock);
  rec->ok = ok;
  rec->error = error;
  rec->done = TRUE;
  g_cond_signal (&rec->cond);
  g_mutex_unlock (&rec->lock);
  return G_SOURCE_REMOVE;
}

/* Worker thread: the journal is written from the engine's thread; the step
 * waits until its data is durable and fails untouched when it is not. */
static gboolean
lv_record (LvRun *run, GError **error)
{
  LvRecord rec = { 0 };

  if (!run->records)
    return TRUE;
  rec.ctx = run->ctx;
  rec.data = lv_recovery_data_build (run);
  g_mutex_init (&rec.lock);
  g_cond_init (&rec.cond);
  g_main_context_invoke (run->main_context, lv_record_cb, &rec);
  g_mutex_lock (&rec.lock);
  while (!rec.done)
    g_cond_wait (&rec.cond, &rec.lock);
  g_mutex_unlock (&rec.lock);
  g_mutex_clear (&rec.lock);
  g_cond_clear (&rec.cond);
  g_free (rec.data);
  if (!rec.ok)
    {
      g_propagate_prefixed_error (error, rec.error,
                                  "libvirt: %s not started, its recovery data was not recorded: ",
                                  vmm_step_get_name (run->step));
      return FALSE;
    }
  return TRUE;
}

/* The steps that change the platform: their data goes to the journal
 * first. A hot CreateDestinationVm only rewrites XML in memory. */
static gboolean
lv_step_changes_platform (LvRun *run)
{
  switch (run->step)
    {
    case VMM_STEP_CREATE_DESTINATION_VM:
    case VMM_STEP_RECONFIGURE_VM:
    case VMM_STEP_RELAYOUT_SNAPSHOTS:
      return !run->hot;
    case VMM_STEP_CREATE_DUMMY_DISKS:
    case VMM_STEP_REGISTER_DESTINATION_VM:
    case VMM_STEP_UNREGISTER_SOURCE_VM:
    case VMM_STEP_INITIATE_SOURCE:
    case VMM_STEP_COMPLETE_SOURCE:
    case VMM_STEP_POWER_OFF:
    case VMM_STEP_POWER_ON:
      return TRUE;
    case VMM_STEP_PREPARE_SOURCE:
    case VMM_STEP_PREPARE_DESTINATION:
    case VMM_STEP_COMPLETE_DESTINATION:
    case VMM_STEP_RESERVE_DIRECTORY:
    case VMM_STEP_CREATE_INVENTORY_VM:
    case VMM_STEP_INITIATE_DESTINATION:
    case VMM_STEP_SWITCH_HOST_AND_POOL:
    case VMM_STEP_LAST:
    default:
      return FALSE;
    }
}

/* --- locating a domain, recovering after a crash --- */

/* A live domain that does not run for itself: the incoming side of a
 * migration (paused, reason migration), or a side of a post-copy move that
 * waits for the other. */
static gboolean
lv_state_runs (int state, int reason)
{
  if (state == VIR_DOMAIN_PAUSED)
    return reason != VIR_DOMAIN_PAUSED_MIGRATION && reason != VIR_DOMAIN_PAUSED_POSTCOPY
           && reason != VIR_DOMAIN_PAUSED_POSTCOPY_FAILED
           && reason != VIR_DOMAIN_PAUSED_STARTING_UP;
  return state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED || state == VIR_DOMAIN_SHUTDOWN;
}

typedef struct
{
  char *host;
  gboolean persistent;
  gboolean runs;
  char *xml;
} LvSeen;

static void
lv_seen_free (LvSeen *seen)
{
  g_free (seen->host);
  g_free (seen->xml);
  g_free (seen);
}

/* Worker thread. libvirt keeps no record apart from the domains: the
 * "manager's record" is the one host whose domain is the VM — the host
 * where it runs when it runs on exactly one (a transient domain counts only
 * when no host has a persistent definition of it); otherwise the one host
 * with a persistent definition, when it runs nowhere. A persistent
 * definition that is inactive while another host runs the domain is a
 * leftover and never the record. Anything else (two running, two
 * definitions and none running...) leaves the record empty: ambiguous. */
static VmmVmLocation *
lv_locate (VmmLibvirtBackend *self, const char *vm, GError **error)
{
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func ((GDestroyNotify)lv_seen_free);
  LvSeen *running = NULL, *persistent = NULL, *record = NULL;
  guint n_running = 0, n_persistent = 0;
  VmmVmLocation *location;

  for (guint i = 0; i < self->hosts->len; i++)
    {
      LvHost *host = g_ptr_array_index (self->hosts, i);
      g_autoptr (virConnect) conn = lv_connect (self, host->name, error);
      g_autoptr (virDomain) dom = NULL;
      int state = VIR_DOMAIN_NOSTATE, reason = 0;
      LvSeen *s;

      if (conn == NULL)
        {
          g_prefix_error (error, "libvirt: cannot tell where '%s' is: ", vm);
          return NULL;
        }
      dom = virDomainLookupByName (conn, vm);
      if (dom == NULL)
        {
          if (lv_last_error_is (VIR_ERR_NO_DOMAIN))
            continue;
          lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot look '%s' up on host '%s'", vm,
                        host->name);
          return NULL;
        }
      if (virDomainGetState (dom, &state, &reason, 0) < 0)
        {
          lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot read the state of '%s' on '%s'",
                        vm, host->name);
          return NULL;
        }
      s = g_new0 (LvSeen, 1);
      s->host = g_strdup (host->name);
      s->persistent = virDomainIsPersistent (dom) == 1;
      s->runs = virDomainIsActive (dom) == 1 && lv_state_runs (state, reason);
      s->xml = virDomainGetXMLDesc (dom, 0);
      g_ptr_array_add (seen, s);
      if (s->runs)
        {
          n_running++;
          running = s;
        }
      if (s->persistent)
        {
          n_persistent++;
          persistent = s;
        }
    }
  if (n_running == 1 && (running->persistent || n_persistent == 0))
    record = running;
  else if (n_running == 0 && n_persistent == 1)
    record = persistent;
  location = vmm_vm_location_new (vm, record != NULL ? record->host : NULL);
  for (guint i = 0; i < seen->len; i++)
    {
      LvSeen *s = g_ptr_array_index (seen, i);

      vmm_vm_location_add_host (location, s->host, s->runs);
    }
  /* the disks as the record's domain (or the only one) has them */
  if (record == NULL && seen->len == 1)
    record = g_ptr_array_index (seen, 0);
  if (record != NULL && record->xml != NULL)
    {
      g_autoptr (LvDomainXml) parsed = lv_domain_xml_parse (record->xml, NULL);
      g_autoptr (virConnect) conn = lv_connect (self, record->host, NULL);

      for (guint i = 0; parsed != NULL && i < parsed->disks->len; i++)
        {
          LvDiskXml *d = g_ptr_array_index (parsed->disks, i);
          g_autoptr (virStorageVol) vol = NULL;
          g_autoptr (virStoragePool) pool = NULL;
          g_autofree char *datastore = NULL;
          g_autoptr (VmmDiskInfo) disk = NULL;

          if (g_strcmp0 (d->device, "disk") != 0 || d->path == NULL)
            continue;
          vol = conn != NULL ? lv_volume_lookup (conn, d->path) : NULL;
          pool = vol != NULL ? virStoragePoolLookupByVolume (vol) : NULL;
          if (pool != NULL)
            datastore = lv_datastore_name (self, record->host, virStoragePoolGetName (pool));
          disk = vmm_disk_info_new (d->key, datastore, d->path);
          vmm_disk_info_set_format (disk, d->format);
          vmm_vm_location_add_disk (location, disk);
        }
    }
  return location;
}

static void
lv_locate_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  VmmVmLocation *location = lv_locate (VMM_LIBVIRT_BACKEND (source), task_data, &error);

  if (location == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, location, g_object_unref);
}

static void
lv_locate_vm_async (VmmBackend *backend, const char *vm, GCancellable *cancellable,
                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (backend, cancellable, callback, user_data);

  g_task_set_source_tag (task, lv_locate_vm_async);
  g_task_set_task_data (task, g_strdup (vm), g_free);
  g_task_run_in_thread (task, lv_locate_thread);
}

static VmmVmLocation *
lv_locate_vm_finish (VmmBackend *backend, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, backend), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* What the records of one move say, merged: the oldest value of each. */
typedef struct
{
  VmmLibvirtBackend *self;
  char *vm;
  gboolean forward;
  char *src_host;
  char *dst_host;
  char *source_xml;
  gboolean persistent;
  gboolean was_active;
  gboolean has_state;
  char *uuid;
  JsonArray *snapshots;
  char *current_snapshot;
  GPtrArray *volumes; /* JsonObject */
  GPtrArray *nodes;   /* the parsed records */
  GString *done;      /* what recovery did, for the debug log */
} LvRecover;

static void
lv_recover_free (LvRecover *r)
{
  g_object_unref (r->self);
  g_free (r->vm);
  g_free (r->src_host);
  g_free (r->dst_host);
  g_free (r->source_xml);
  g_free (r->uuid);
  g_free (r->current_snapshot);
  g_ptr_array_unref (r->volumes);
  g_ptr_array_unref (r->nodes);
  g_string_free (r->done, TRUE);
  g_free (r);
}

static void
lv_recover_read (LvRecover *r, const char *const *data)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; data != NULL && data[i] != NULL; i++)
    {
      JsonNode *node = json_from_string (data[i], NULL);
      JsonObject *obj;
      JsonArray *volumes;

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          g_clear_pointer (&node, json_node_unref);
          continue;
        }
      g_ptr_array_add (r->nodes, node);
      obj = json_node_get_object (node);
      if (!r->has_state && json_object_has_member (obj, "active"))
        {
          r->has_state = TRUE;
          r->was_active = json_object_get_boolean_member_with_default (obj, "active", FALSE);
          r->persistent = json_object_get_boolean_member_with_default (obj, "persistent", FALSE);
          r->uuid = g_strdup (json_object_get_string_member_with_default (obj, "uuid", NULL));
        }
      if (r->source_xml == NULL)
        r->source_xml
            = g_strdup (json_object_get_string_member_with_default (obj, "source-xml", NULL));
      if (r->snapshots == NULL && json_object_has_member (obj, "snapshots")
          && JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "snapshots")))
        {
          r->snapshots = json_object_get_array_member (obj, "snapshots");
          r->current_snapshot = g_strdup (
              json_object_get_string_member_with_default (obj, "current-snapshot", NULL));
        }
      volumes = json_object_has_member (obj, "volumes")
                        && JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "volumes"))
                    ? json_object_get_array_member (obj, "volumes")
                    : NULL;
      for (guint j = 0; volumes != NULL && j < json_array_get_length (volumes); j++)
        {
          JsonNode *v = json_array_get_element (volumes, j);
          JsonObject *vo = JSON_NODE_HOLDS_OBJECT (v) ? json_node_get_object (v) : NULL;
          const char *host = vo != NULL ? lv_json_string (vo, "host") : NULL;
          const char *pool = vo != NULL ? lv_json_string (vo, "pool") : NULL;
          const char *name = vo != NULL ? lv_json_string (vo, "name") : NULL;

          if (host == NULL || pool == NULL || name == NULL
              || !g_hash_table_add (seen, g_strdup_printf ("%s/%s/%s", host, pool, name)))
            continue;
          g_ptr_array_add (r->volumes, vo);
        }
    }
}

/* The disk paths a domain's XML uses. */
static GHashTable *
lv_paths_of (const char *xml)
{
  GHashTable *paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (LvDomainXml) parsed = xml != NULL ? lv_domain_xml_parse (xml, NULL) : NULL;

  for (guint i = 0; parsed != NULL && i < parsed->disks->len; i++)
    {
      LvDiskXml *d = g_ptr_array_index (parsed->disks, i);

      if (d->path != NULL)
        g_hash_table_add (paths, g_strdup (d->path));
    }
  return paths;
}

static GHashTable *
lv_paths_of_domain (virDomainPtr dom)
{
  g_autofree char *live = NULL;
  g_autofree char *inactive = NULL;
  GHashTable *paths;

  if (dom == NULL)
    return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  live = virDomainGetXMLDesc (dom, 0);
  paths = lv_paths_of (live);
  if (virDomainIsPersistent (dom) == 1)
    {
      g_autoptr (GHashTable) more = NULL;
      GHashTableIter iter;
      gpointer key;

      inactive = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
      more = lv_paths_of (inactive);
      g_hash_table_iter_init (&iter, more);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_hash_table_add (paths, g_strdup (key));
    }
  return paths;
}

/* Waits (bounded) for the migration job of @dom to end; %FALSE when it
 * still runs. */
static gboolean
lv_wait_job (virDomainPtr dom, guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)seconds * G_USEC_PER_SEC;

  for (;;)
    {
      virDomainJobInfo job = { 0 };

      if (virDomainGetJobInfo (dom, &job) < 0 || job.type == VIR_DOMAIN_JOB_NONE)
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (LV_POLL_MS * 1000);
    }
}

#define LV_RECOVER_JOB_WAIT_S 120

/* @host's connection and the domain there (NULL when it has none). */
static gboolean
lv_recover_open (LvRecover *r, const char *host, virConnectPtr *conn, virDomainPtr *dom,
                 GError **error)
{
  *conn = lv_connect (r->self, host, error);
  if (*conn == NULL)
    return FALSE;
  *dom = virDomainLookupByName (*conn, r->vm);
  if (*dom == NULL && !lv_last_error_is (VIR_ERR_NO_DOMAIN))
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot look '%s' up on host '%s'", r->vm,
                    host);
      return FALSE;
    }
  return TRUE;
}

/* Resumes @dom on @host when paused. */
static gboolean
lv_recover_resume (LvRecover *r, virDomainPtr dom, const char *host, GError **error)
{
  int state = VIR_DOMAIN_NOSTATE, reason = 0;

  if (virDomainGetState (dom, &state, &reason, 0) < 0)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot read the state of '%s' on '%s'",
                    r->vm, host);
      return FALSE;
    }
  if (state != VIR_DOMAIN_PAUSED)
    return TRUE;
  if (virDomainResume (dom) < 0)
    {
      lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot resume '%s' on host '%s'", r->vm,
                    host);
      return FALSE;
    }
  g_string_append_printf (r->done, "; resumed on %s", host);
  return TRUE;
}

/* Redefines the recorded snapshots missing on @dom, parents first. */
static gboolean
lv_recover_snapshots (LvRecover *r, virDomainPtr dom, const char *host, GHashTable *paths,
                      GError **error)
{
  for (guint i = 0; r->snapshots != NULL && i < json_array_get_length (r->snapshots); i++)
    {
      JsonNode *n = json_array_get_element (r->snapshots, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      const char *name = o != NULL ? lv_json_string (o, "name") : NULL;
      const char *xml = o != NULL ? lv_json_string (o, "xml") : NULL;
      g_autoptr (virDomainSnapshot) s = NULL;
      g_autofree char *rewritten = NULL;
      unsigned int flags = VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE;

      if (name == NULL || xml == NULL)
        continue;
      s = virDomainSnapshotLookupByName (dom, name, 0);
      if (s != NULL)
        continue;
      if (paths != NULL && g_hash_table_size (paths) > 0)
        {
          rewritten = lv_domain_xml_rewrite (xml, paths, NULL, error);
          if (rewritten == NULL)
            return FALSE;
        }
      if (g_strcmp0 (name, r->current_snapshot) == 0)
        flags |= VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;
      s = virDomainSnapshotCreateXML (dom, rewritten != NULL ? rewritten : xml, flags);
      if (s == NULL)
        {
          lv_set_error (error, VMM_ERROR_BACKEND,
                        "libvirt: cannot define snapshot '%s' of '%s' on host '%s' again", name,
                        r->vm, host);
          return FALSE;
        }
      g_string_append_printf (r->done, "; snapshot %s defined on %s", name, host);
    }
  return TRUE;
}

/* Undo to the source: the migration job aborted, the destination's domain
 * (incoming, started or defined) gone, the volumes the move created there
 * deleted, the source's definition and snapshots back, the guest running
 * there again when it ran before. */
static gboolean
lv_recover_back (LvRecover *r, GError **error)
{
  gboolean same_host = g_strcmp0 (r->src_host, r->dst_host) == 0;
  g_autoptr (virConnect) src = NULL;
  g_autoptr (virConnect) dst = NULL;
  g_autoptr (virDomain) sdom = NULL;
  g_autoptr (virDomain) ddom = NULL;
  g_autoptr (GHashTable) keep = NULL;
  virDomainJobInfo job = { 0 };
  int state = VIR_DOMAIN_NOSTATE, reason = 0;

  if (!lv_recover_open (r, r->src_host, &src, &sdom, error))
    return FALSE;
  /* a migration job in flight: aborted, and its end waited for */
  if (sdom != NULL && virDomainGetJobInfo (sdom, &job) == 0 && job.type != VIR_DOMAIN_JOB_NONE)
    {
      if (virDomainAbortJob (sdom) < 0)
        g_string_append_printf (r->done, "; aborting the job on %s failed: %s", r->src_host,
                                virGetLastErrorMessage ());
      else
        g_string_append_printf (r->done, "; job aborted on %s", r->src_host);
      if (!lv_wait_job (sdom, LV_RECOVER_JOB_WAIT_S))
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_TIMEOUT,
                       "libvirt: the job of '%s' on host '%s' did not end within %u s of its "
                       "abort",
                       r->vm, r->src_host, LV_RECOVER_JOB_WAIT_S);
          return FALSE;
        }
    }
  if (same_host)
    {
      /* a storage-only move: the block copies aborted, the domain stays */
      g_autoptr (LvDomainXml) parsed = NULL;
      g_autofree char *xml = NULL;

      if (sdom == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                       "libvirt: '%s' is no longer on host '%s'", r->vm, r->src_host);
          return FALSE;
        }
      xml = virDomainGetXMLDesc (sdom, 0);
      parsed = xml != NULL ? lv_domain_xml_parse (xml, NULL) : NULL;
      for (guint i = 0; parsed != NULL && i < parsed->disks->len; i++)
        {
          LvDiskXml *d = g_ptr_array_index (parsed->disks, i);

          if (virDomainBlockJobAbort (sdom, d->key, 0) == 0)
            g_string_append_printf (r->done, "; block job of %s aborted", d->key);
        }
    }
  else
    {
      /* the source must hold the VM before its other copy goes */
      if (sdom == NULL && r->source_xml == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                       "libvirt: '%s' is not on host '%s' and no definition of it was recorded; "
                       "its copy on '%s' is left as it is",
                       r->vm, r->src_host, r->dst_host);
          return FALSE;
        }
      if (!lv_recover_open (r, r->dst_host, &dst, &ddom, error))
        return FALSE;
      if (ddom != NULL && r->uuid != NULL)
        {
          char uuid[VIR_UUID_STRING_BUFLEN] = { 0 };

          /* another domain of that name is none of this move's business */
          if (virDomainGetUUIDString (ddom, uuid) < 0 || g_strcmp0 (uuid, r->uuid) != 0)
            {
              g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY,
                           "libvirt: the domain '%s' on host '%s' has UUID %s, not the moved "
                           "guest's %s; left as it is",
                           r->vm, r->dst_host, uuid, r->uuid);
              return FALSE;
            }
        }
      if (ddom != NULL)
        {
          gboolean src_active = sdom != NULL && virDomainIsActive (sdom) == 1;

          if (virDomainGetState (ddom, &state, &reason, 0) == 0 && virDomainIsActive (ddom) == 1
              && lv_state_runs (state, reason) && !src_active && r->was_active)
            {
              /* the live move ended on the destination: undoing it would
               * kill the only running guest */
              g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                           "libvirt: '%s' runs on host '%s' and not on its source '%s': the "
                           "move completed; left as it is",
                           r->vm, r->dst_host, r->src_host);
              return FALSE;
            }
          if (virDomainIsActive (ddom) == 1)
            {
              if (virDomainDestroy (ddom) < 0 && virDomainIsActive (ddom) == 1)
                {
                  lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot stop '%s' on host '%s'",
                                r->vm, r->dst_host);
                  return FALSE;
                }
              g_string_append_printf (r->done, "; destroyed on %s", r->dst_host);
            }
          g_clear_pointer (&ddom, virDomainFree);
          /* a transient one vanished with its destroy */
          ddom = virDomainLookupByName (dst, r->vm);
          if (ddom != NULL)
            {
              if (virDomainUndefineFlags (ddom, VIR_DOMAIN_UNDEFINE_KEEP_NVRAM
                                                    | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
                  < 0)
                {
                  lv_set_error (error, VMM_ERROR_BACKEND,
                                "libvirt: cannot undefine '%s' on host '%s'", r->vm, r->dst_host);
                  return FALSE;
                }
              g_string_append_printf (r->done, "; undefined on %s", r->dst_host);
            }
        }
      if (sdom == NULL)
        {
          sdom = virDomainDefineXML (src, r->source_xml);
          if (sdom == NULL)
            {
              lv_set_error (error, VMM_ERROR_BACKEND,
                            "libvirt: cannot define '%s' on host '%s' again", r->vm, r->src_host);
              return FALSE;
            }
          g_string_append_printf (r->done, "; defined on %s again", r->src_host);
        }
    }
  if (!lv_recover_snapshots (r, sdom, r->src_host, NULL, error))
    return FALSE;
  /* the volumes the move created, unless a domain uses them */
  keep = lv_paths_of_domain (sdom);
  for (guint i = 0; i < r->volumes->len; i++)
    {
      JsonObject *vo = g_ptr_array_index (r->volumes, i);
      const char *host = lv_json_string (vo, "host");
      const char *pool_name = lv_json_string (vo, "pool");
      const char *name = lv_json_string (vo, "name");
      g_autoptr (virConnect) conn = lv_connect (r->self, host, error);
      g_autoptr (virStoragePool) pool = NULL;
      g_autoptr (virStorageVol) vol = NULL;
      g_autofree char *path = NULL;

      if (conn == NULL)
        return FALSE;
      pool = lv_active_pool (conn, host, pool_name, error);
      if (pool == NULL)
        return FALSE;
      virStoragePoolRefresh (pool, 0);
      vol = virStorageVolLookupByName (pool, name);
      if (vol == NULL)
        continue;
      path = virStorageVolGetPath (vol);
      if (path == NULL || g_hash_table_contains (keep, path)
          || g_strcmp0 (path, lv_json_string (vo, "source-path")) == 0)
        continue;
      if (virStorageVolDelete (vol, 0) < 0)
        {
          lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot delete volume %s on host '%s'",
                        path, host);
          return FALSE;
        }
      g_string_append_printf (r->done, "; deleted %s on %s", path, host);
    }
  /* running again as before: resumed, or started after a cold restart's
   * power-off */
  if (r->was_active && !lv_recover_resume (r, sdom, r->src_host, error))
    return FALSE;
  if (virDomainIsActive (sdom) != 1 && r->was_active)
    {
      if (virDomainCreate (sdom) < 0)
        {
          lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot start '%s' on host '%s'", r->vm,
                        r->src_host);
          return FALSE;
        }
      g_string_append_printf (r->done, "; started on %s", r->src_host);
    }
  return TRUE;
}

/* Finish on the destination: the migration job waited for, the domain
 * there persistent when the source's was, resumed when paused, the
 * snapshots' metadata there; the source's leftover definition and the
 * source volumes a storage move replaced gone. */
static gboolean
lv_recover_forward (LvRecover *r, GError **error)
{
  g_autoptr (virConnect) src = NULL;
  g_autoptr (virConnect) dst = NULL;
  g_autoptr (virDomain) sdom = NULL;
  g_autoptr (virDomain) ddom = NULL;
  g_autoptr (GHashTable) used = NULL;
  g_autoptr (GHashTable) paths = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean same_host = g_strcmp0 (r->src_host, r->dst_host) == 0;
  virDomainJobInfo job = { 0 };

  if (!lv_recover_open (r, r->src_host, &src, &sdom, error))
    return FALSE;
  if (sdom != NULL && virDomainGetJobInfo (sdom, &job) == 0 && job.type != VIR_DOMAIN_JOB_NONE)
    {
      g_string_append_printf (r->done, "; waited for the job on %s", r->src_host);
      if (!lv_wait_job (sdom, LV_RECOVER_JOB_WAIT_S))
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_TIMEOUT,
                       "libvirt: the migration of '%s' from '%s' still runs after %u s", r->vm,
                       r->src_host, LV_RECOVER_JOB_WAIT_S);
          return FALSE;
        }
      g_clear_pointer (&sdom, virDomainFree);
      g_clear_pointer (&src, virConnectClose);
      if (!lv_recover_open (r, r->src_host, &src, &sdom, error))
        return FALSE;
    }
  if (same_host)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                   "libvirt: finishing a storage-only move of '%s' after a crash is not "
                   "implemented",
                   r->vm);
      return FALSE;
    }
  if (!lv_recover_open (r, r->dst_host, &dst, &ddom, error))
    return FALSE;
  if (ddom == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                   "libvirt: '%s' is not on its destination host '%s'; left as it is", r->vm,
                   r->dst_host);
      return FALSE;
    }
  if (sdom != NULL && virDomainIsActive (sdom) == 1)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                   "libvirt: '%s' still runs on its source host '%s'; left as it is", r->vm,
                   r->src_host);
      return FALSE;
    }
  if (r->persistent && virDomainIsPersistent (ddom) != 1)
    {
      g_autofree char *xml
          = virDomainGetXMLDesc (ddom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
      g_autoptr (virDomain) defined = xml != NULL ? virDomainDefineXML (dst, xml) : NULL;

      if (defined == NULL)
        {
          lv_set_error (error, VMM_ERROR_BACKEND, "libvirt: cannot make '%s' persistent on '%s'",
                        r->vm, r->dst_host);
          return FALSE;
        }
      g_string_append_printf (r->done, "; defined on %s", r->dst_host);
    }
  for (guint i = 0; i < r->volumes->len; i++)
    {
      JsonObject *vo = g_ptr_array_index (r->volumes, i);
      const char *key = lv_json_string (vo, "key");
      const char *path = lv_json_string (vo, "path");

      if (key != NULL && path != NULL)
        g_hash_table_insert (paths, (gpointer)key, (gpointer)path);
    }
  if (!lv_recover_snapshots (r, ddom, r->dst_host, paths, error))
    return FALSE;
  if (sdom != NULL)
    {
      if (virDomainUndefineFlags (sdom, VIR_DOMAIN_UNDEFINE_KEEP_NVRAM
                                            | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
          < 0)
        {
          lv_set_error (error, VMM_ERROR_BACKEND,
                        "libvirt: cannot remove the old definition of '%s' on host '%s'", r->vm,
                        r->src_host);
          return FALSE;
        }
      g_string_append_printf (r->done, "; old definition removed on %s", r->src_host);
    }
  /* the source volumes the destination no longer uses */
  used = lv_paths_of_domain (ddom);
  for (guint i = 0; i < r->volumes->len; i++)
    {
      JsonObject *vo = g_ptr_array_index (r->volumes, i);
      const char *source_path = lv_json_string (vo, "source-path");
      const char *path = lv_json_string (vo, "path");

      if (source_path == NULL || path == NULL || g_str_equal (source_path, path)
          || !g_hash_table_contains (used, path) || g_hash_table_contains (used, source_path))
        continue;
      if (!lv_delete_volume (r->self, r->src_host, NULL, source_path, error))
        return FALSE;
      g_string_append_printf (r->done, "; deleted %s on %s", source_path, r->src_host);
    }
  if (!lv_recover_resume (r, ddom, r->dst_host, error))
    return FALSE;
  return TRUE;
}

static void
lv_recover_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LvRecover *r = task_data;
  GError *error = NULL;
  gboolean ok = r->forward ? lv_recover_forward (r, &error) : lv_recover_back (r, &error);

  g_debug ("libvirt: recovery of '%s' %s %s%s", r->vm, r->forward ? "forward" : "back",
           ok ? "done" : "failed", r->done->str);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
lv_recover_async (VmmBackend *backend, const char *vm, gboolean forward, const char *source_host,
                  const char *destination_host, const char *const *data, GCancellable *cancellable,
                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (backend, cancellable, callback, user_data);
  LvRecover *r = g_new0 (LvRecover, 1);

  g_task_set_source_tag (task, lv_recover_async);
  r->self = g_object_ref (VMM_LIBVIRT_BACKEND (backend));
  r->vm = g_strdup (vm);
  r->forward = forward;
  r->src_host = g_strdup (source_host);
  r->dst_host = g_strdup (destination_host);
  r->volumes = g_ptr_array_new ();
  r->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  r->done = g_string_new (NULL);
  g_task_set_task_data (task, r, (GDestroyNotify)lv_recover_free);
  if (vm == NULL || source_host == NULL || lv_host_lookup (r->self, source_host) == NULL
      || (destination_host != NULL && lv_host_lookup (r->self, destination_host) == NULL))
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                               "libvirt: the move's hosts ('%s', '%s') are not in this cluster",
                               source_host != NULL ? source_host : "?",
                               destination_host != NULL ? destination_host : "?");
      return;
    }
  if (destination_host == NULL)
    r->dst_host = g_strdup (source_host);
  lv_recover_read (r, data);
  g_task_run_in_thread (task, lv_recover_thread);
}

static gboolean
lv_recover_finish (VmmBackend *backend, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, backend), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef gboolean (*LvStepFunc) (LvRun *run, GError **error);

static const LvStepFunc lv_step_funcs[VMM_STEP_LAST] = {
  [VMM_STEP_CREATE_DUMMY_DISKS] = lv_step_create_dummy_disks,
  [VMM_STEP_CREATE_DESTINATION_VM] = lv_step_create_destination_vm,
  [VMM_STEP_REGISTER_DESTINATION_VM] = lv_step_register_destination_vm,
  [VMM_STEP_UNREGISTER_SOURCE_VM] = lv_step_unregister_source_vm,
  [VMM_STEP_RECONFIGURE_VM] = lv_step_reconfigure_vm,
  [VMM_STEP_RELAYOUT_SNAPSHOTS] = lv_step_relayout_snapshots,
  [VMM_STEP_PREPARE_SOURCE] = lv_step_prepare_source,
  [VMM_STEP_PREPARE_DESTINATION] = lv_step_prepare_destination,
  [VMM_STEP_INITIATE_SOURCE] = lv_step_initiate_source,
  [VMM_STEP_COMPLETE_SOURCE] = lv_step_complete_source,
  [VMM_STEP_COMPLETE_DESTINATION] = lv_step_complete_destination,
  [VMM_STEP_POWER_OFF] = lv_step_power_off,
  [VMM_STEP_POWER_ON] = lv_step_power_on,
};

static void
lv_run_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LvRun *run = task_data;
  GError *error = NULL;
  gboolean ok;

  if (run->cleanup)
    ok = lv_cleanup (run, &error);
  else if (run->undo)
    ok = lv_undo (run, &error);
  else if (lv_run_cancelled (run) && run->step != VMM_STEP_COMPLETE_SOURCE
           && run->step != VMM_STEP_COMPLETE_DESTINATION)
    ok = lv_run_set_cancelled (run, &error, vmm_step_get_name (run->step));
  else if (lv_step_changes_platform (run) && !lv_record (run, &error))
    ok = FALSE;
  else
    ok = lv_step_funcs[run->step](run, &error);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Main thread again: what the worker learned goes into the context. */
static void
lv_run_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *outer = user_data;
  LvRun *run = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  GPtrArray *targets = vmm_migration_context_get_target_disks (run->ctx);

  for (guint i = 0; i < run->mv->disks->len; i++)
    {
      LvDiskMove *dm = g_ptr_array_index (run->mv->disks, i);
      VmmDiskInfo *t = vmm_migration_context_lookup_target_disk (run->ctx, dm->key);

      if (t != NULL && dm->dst_path != NULL)
        vmm_disk_info_set_path (t, dm->dst_path);
    }
  (void)targets;
  if (run->mv->downtime_ms >= 0)
    vmm_migration_context_set_downtime_ms (run->ctx, run->mv->downtime_ms);
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, error);
  g_object_unref (outer);
}

static void
lv_run (VmmLibvirtBackend *self, VmmStep step, gboolean undo, gboolean cleanup, gboolean succeeded,
        VmmMigrationContext *ctx, GCancellable *cancellable, GAsyncReadyCallback callback,
        gpointer user_data, gpointer tag)
{
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GTask) inner = g_task_new (self, NULL, lv_run_done_cb, outer);
  VmmRelocateSpec *spec = vmm_migration_context_get_spec (ctx);
  LvRun *run = g_new0 (LvRun, 1);
  GHashTable *map = vmm_relocate_spec_get_network_map (spec);

  g_task_set_check_cancellable (outer, FALSE);
  g_task_set_source_tag (outer, tag);
  run->self = g_object_ref (self);
  run->ctx = g_object_ref (ctx);
  run->mv = lv_move_get (self, ctx);
  run->step = step;
  run->undo = undo;
  run->cleanup = cleanup;
  run->succeeded = succeeded;
  run->hot = vmm_migration_type_is_hot (vmm_migration_context_get_migration_type (ctx));
  run->main_context = g_main_context_ref_thread_default ();
  run->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  run->network_map = map != NULL ? g_hash_table_ref (map) : NULL;
  run->bandwidth_mibps = vmm_relocate_spec_get_bandwidth_mibps (spec);
  run->max_downtime_ms = vmm_relocate_spec_get_max_downtime_ms (spec);
  run->parallel = vmm_relocate_spec_get_parallel_connections (spec);
  run->auto_converge = vmm_relocate_spec_get_auto_converge (spec);
  run->post_copy = vmm_relocate_spec_get_post_copy (spec);
  run->compression = vmm_relocate_spec_get_compression (spec);
  run->records = !undo && !cleanup && vmm_migration_context_wants_recovery_data (ctx);
  run->outer = outer;
  g_task_set_task_data (inner, run, (GDestroyNotify)lv_run_free);
  g_task_run_in_thread (inner, lv_run_thread);
}

#define LV_DEFINE_STEP(fn, STEP)                                                                   \
  static void lv_##fn (VmmBackend *backend, VmmMigrationContext *ctx, GCancellable *cancellable,   \
                       GAsyncReadyCallback callback, gpointer user_data)                           \
  {                                                                                                \
    lv_run (VMM_LIBVIRT_BACKEND (backend), STEP, FALSE, FALSE, FALSE, ctx, cancellable, callback,  \
            user_data, lv_##fn);                                                                   \
  }

LV_DEFINE_STEP (create_dummy_disks, VMM_STEP_CREATE_DUMMY_DISKS)
LV_DEFINE_STEP (create_destination_vm, VMM_STEP_CREATE_DESTINATION_VM)
LV_DEFINE_STEP (register_destination_vm, VMM_STEP_REGISTER_DESTINATION_VM)
LV_DEFINE_STEP (unregister_source_vm, VMM_STEP_UNREGISTER_SOURCE_VM)
LV_DEFINE_STEP (reconfigure_vm, VMM_STEP_RECONFIGURE_VM)
LV_DEFINE_STEP (relayout_snapshots, VMM_STEP_RELAYOUT_SNAPSHOTS)
LV_DEFINE_STEP (prepare_source, VMM_STEP_PREPARE_SOURCE)
LV_DEFINE_STEP (prepare_destination, VMM_STEP_PREPARE_DESTINATION)
LV_DEFINE_STEP (initiate_source, VMM_STEP_INITIATE_SOURCE)
LV_DEFINE_STEP (complete_source, VMM_STEP_COMPLETE_SOURCE)
LV_DEFINE_STEP (complete_destination, VMM_STEP_COMPLETE_DESTINATION)
LV_DEFINE_STEP (power_off, VMM_STEP_POWER_OFF)
LV_DEFINE_STEP (power_on, VMM_STEP_POWER_ON)

static void
lv_undo_step (VmmBackend *backend, VmmStep step, VmmMigrationContext *ctx,
              GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  lv_run (VMM_LIBVIRT_BACKEND (backend), step, TRUE, FALSE, FALSE, ctx, cancellable, callback,
          user_data, lv_undo_step);
}

static void
lv_cleanup_async (VmmBackend *backend, VmmMigrationContext *ctx, gboolean succeeded,
                  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  lv_run (VMM_LIBVIRT_BACKEND (backend), VMM_STEP_LAST, FALSE, TRUE, succeeded, ctx, cancellable,
          callback, user_data, lv_cleanup_async);
}

/* Main thread, must not block: the step in flight sees the abort. A live
 * move's poller then calls virDomainAbortJob (also when the abort came just
 * before the job started), a block copy cancels its job, a volume copy stops
 * between chunks. */
static gboolean
lv_abort (VmmBackend *backend, VmmMigrationContext *ctx, GError **error)
{
  LvMove *mv = lv_move_get (VMM_LIBVIRT_BACKEND (backend), ctx);

  g_cancellable_cancel (mv->abort);
  return TRUE;
}

/* Main thread, must not block: the engine's completion timeout fired with an
 * on-timeout action other than abort. The live move's poller applies it
 * (it holds the source domain); only a live host move in flight can. */
static gboolean
lv_apply_timeout_action (VmmBackend *backend, VmmMigrationContext *ctx, VmmOnTimeoutAction action,
                         GError **error)
{
  LvMove *mv = lv_move_get (VMM_LIBVIRT_BACKEND (backend), ctx);
  gboolean migrating, post_copy;

  g_mutex_lock (&mv->lock);
  migrating = mv->migrating;
  post_copy = mv->post_copy_allowed;
  g_mutex_unlock (&mv->lock);
  if (!migrating)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                   "libvirt: no live migration of '%s' in flight (block and volume copies can "
                   "only be aborted)",
                   mv->vm);
      return FALSE;
    }
  if (action == VMM_ON_TIMEOUT_POST_COPY && !post_copy)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                   "libvirt: the move of '%s' was not started with post-copy allowed", mv->vm);
      return FALSE;
    }
  g_atomic_int_set (&mv->timeout_request, (gint)action + 1);
  return TRUE;
}

static VmmBackendCapabilities
lv_get_capabilities (VmmBackend *backend)
{
  return VMM_BACKEND_CAPABILITY_HOT_HOST | VMM_BACKEND_CAPABILITY_HOT_STORAGE
         | VMM_BACKEND_CAPABILITY_HOT_HOST_AND_STORAGE | VMM_BACKEND_CAPABILITY_COLD
         | VMM_BACKEND_CAPABILITY_ABORT | VMM_BACKEND_CAPABILITY_POST_COPY
         | VMM_BACKEND_CAPABILITY_KEEP_SOURCE_DISKS;
}

static VmmStepMode
lv_get_step_mode (VmmBackend *backend, VmmStep step)
{
  switch (step)
    {
    case VMM_STEP_INITIATE_DESTINATION:
      /* libvirt starts the incoming domain inside virDomainMigrateToURI3 */
      return VMM_STEP_MODE_PLATFORM;
    case VMM_STEP_RESERVE_DIRECTORY:
    case VMM_STEP_SWITCH_HOST_AND_POOL:
      /* pools are flat directories, and libvirt keeps no record of the
       * host apart from the domain itself */
      return VMM_STEP_MODE_NOT_NEEDED;
    case VMM_STEP_CREATE_INVENTORY_VM:
      return VMM_STEP_MODE_UNSUPPORTED;
    case VMM_STEP_CREATE_DUMMY_DISKS:
    case VMM_STEP_CREATE_DESTINATION_VM:
    case VMM_STEP_REGISTER_DESTINATION_VM:
    case VMM_STEP_UNREGISTER_SOURCE_VM:
    case VMM_STEP_RECONFIGURE_VM:
    case VMM_STEP_RELAYOUT_SNAPSHOTS:
    case VMM_STEP_PREPARE_SOURCE:
    case VMM_STEP_PREPARE_DESTINATION:
    case VMM_STEP_INITIATE_SOURCE:
    case VMM_STEP_COMPLETE_SOURCE:
    case VMM_STEP_COMPLETE_DESTINATION:
    case VMM_STEP_POWER_OFF:
    case VMM_STEP_POWER_ON:
      return VMM_STEP_MODE_BACKEND;
    case VMM_STEP_LAST:
    default:
      return VMM_STEP_MODE_UNSUPPORTED;
    }
}

static void
vmm_libvirt_backend_finalize (GObject *object)
{
  VmmLibvirtBackend *self = VMM_LIBVIRT_BACKEND (object);

  g_ptr_array_unref (self->hosts);
  g_hash_table_unref (self->pools);
  g_free (self->cluster_path);
  g_mutex_clear (&self->read_lock);
  G_OBJECT_CLASS (vmm_libvirt_backend_parent_class)->finalize (object);
}

static void
vmm_libvirt_backend_class_init (VmmLibvirtBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VmmBackendClass *backend_class = VMM_BACKEND_CLASS (klass);

  object_class->finalize = vmm_libvirt_backend_finalize;
  backend_class->open = vmm_libvirt_backend_open;
  backend_class->get_capabilities = lv_get_capabilities;
  backend_class->get_step_mode = lv_get_step_mode;
  backend_class->query_inventory_async = lv_query_inventory_async;
  backend_class->query_inventory_finish = lv_query_inventory_finish;
  backend_class->create_dummy_disks = lv_create_dummy_disks;
  backend_class->create_destination_vm = lv_create_destination_vm;
  backend_class->register_destination_vm = lv_register_destination_vm;
  backend_class->unregister_source_vm = lv_unregister_source_vm;
  backend_class->reconfigure_vm = lv_reconfigure_vm;
  backend_class->relayout_snapshots = lv_relayout_snapshots;
  backend_class->prepare_source = lv_prepare_source;
  backend_class->prepare_destination = lv_prepare_destination;
  backend_class->initiate_source = lv_initiate_source;
  backend_class->complete_source = lv_complete_source;
  backend_class->complete_destination = lv_complete_destination;
  backend_class->power_off = lv_power_off;
  backend_class->power_on = lv_power_on;
  backend_class->undo_step = lv_undo_step;
  backend_class->abort = lv_abort;
  backend_class->cleanup = lv_cleanup_async;
  backend_class->apply_timeout_action = lv_apply_timeout_action;
  backend_class->locate_vm_async = lv_locate_vm_async;
  backend_class->locate_vm_finish = lv_locate_vm_finish;
  backend_class->recover_async = lv_recover_async;
  backend_class->recover_finish = lv_recover_finish;
}

static void
vmm_libvirt_backend_init (VmmLibvirtBackend *self)
{
  self->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify)lv_host_free);
  self->shutdown_timeout_s = LV_DEFAULT_SHUTDOWN_TIMEOUT_S;
  g_mutex_init (&self->read_lock);
  self->pools
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)lv_pool_desc_free);
}
