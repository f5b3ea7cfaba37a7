/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vSphere backend against its real peer, govmomi's vcsim 0.24, started
 * on loopback by this program (tests/vsphere/vcsim.sh) and stopped at the
 * end. Every move is checked twice: in the migration's result, and in vcsim's
 * own view read with govc. */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <string.h>

#include "vmm-private.h"
#include "backends/vsphere/vmm-vsphere-backend.h"
#include "backends/vsphere/vmm-vsphere-client.h"
#include <libxml/parser.h>

typedef struct
{
  char *statedir;
  GHashTable *env; /* env.sh's KEY=VALUE */
  char *credentials;
  gboolean running;
} Peer;

static Peer *main_peer;
static char *workdir;
static GPtrArray *running_peers; /* stopped by the signal handler */

static const char *
peer_get (Peer *peer, const char *key)
{
  const char *value = g_hash_table_lookup (peer->env, key);

  g_assert_nonnull (value);
  return value;
}

/* KEY from env.sh into ENV (unset when env.sh has none: http mode has no CA). */
static char **
peer_setenv (Peer *peer, char **env, const char *key)
{
  const char *value = g_hash_table_lookup (peer->env, key);

  if (value == NULL)
    return g_environ_unsetenv (env, key);
  return g_environ_setenv (env, key, value, TRUE);
}

static char *
script_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "vsphere", name, NULL);
}

static char **
script_env (void)
{
  char **env = g_get_environ ();

  if (g_getenv ("VCSIM_TLS_DIR") == NULL)
    {
      /* made once per build tree (key generation costs about a second) */
      const char *builddir = g_getenv ("G_TEST_BUILDDIR");
      g_autofree char *tls = builddir != NULL
                                 ? g_build_filename (builddir, "vsphere", "vcsim-tls", NULL)
                                 : g_build_filename (workdir, "tls", NULL);

      env = g_environ_setenv (env, "VCSIM_TLS_DIR", tls, TRUE);
    }
  /* a shell that sourced env.sh must not leak another vcsim's credentials */
  env = g_environ_unsetenv (env, "VCSIM_USERNAME");
  env = g_environ_unsetenv (env, "VCSIM_PASSWORD");
  return env;
}

/* Runs ARGV; returns its stdout; fails the test if it fails. */
static char *
run_or_die (const char *const *argv, char **env)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *cmd = g_strjoinv (" ", (char **)argv);
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                     &error))
    g_error ("%s: %s", cmd, error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed (%s): %s%s", cmd, error->message, out, err);
  return g_steal_pointer (&out);
}

static void
peer_load_env (Peer *peer)
{
  g_autofree char *path = g_build_filename (peer->statedir, "env.sh", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *eq;
      char *value;

      if (!g_str_has_prefix (line, "export "))
        continue;
      line += strlen ("export ");
      eq = strchr (line, '=');
      if (eq == NULL)
        continue;
      value = g_shell_unquote (eq + 1, &error);
      g_assert_no_error (error);
      g_hash_table_replace (peer->env, g_strndup (line, eq - line), value);
    }
}

/* Starts one vcsim (TLS with the suite's own CA) with EXTRA arguments. */
static Peer *
peer_start_mode (const char *name, const char *mode, const char *const *extra)
{
  Peer *peer = g_new0 (Peer, 1);
  g_autofree char *script = script_path ("vcsim.sh");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_auto (GStrv) env = script_env ();
  g_autofree char *out = NULL;
  g_autofree char *cred = NULL;
  g_autoptr (GError) error = NULL;

  env = g_environ_setenv (env, "VCSIM_MODE", mode, TRUE);
  peer->statedir = g_build_filename (workdir, name, NULL);
  peer->env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_ptr_array_add (argv, script);
  g_ptr_array_add (argv, "start");
  g_ptr_array_add (argv, peer->statedir);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)extra[i]);
  g_ptr_array_add (argv, NULL);
  out = run_or_die ((const char *const *)argv->pdata, env);
  peer->running = TRUE;
  g_ptr_array_add (running_peers, peer);
  peer_load_env (peer);

  peer->credentials = g_build_filename (peer->statedir, "credentials.ini", NULL);
  cred = g_strdup_printf ("[vsphere]\nuser=%s\npassword=%s\n", peer_get (peer, "VCSIM_USERNAME"),
                          peer_get (peer, "VCSIM_PASSWORD"));
  g_assert_true (g_file_set_contents_full (peer->credentials, cred, -1, G_FILE_SET_CONTENTS_NONE,
                                           0600, &error));
  g_assert_no_error (error);
  return peer;
}

static Peer *
peer_start (const char *name, const char *const *extra)
{
  return peer_start_mode (name, "tls", extra);
}

static void
peer_stop (Peer *peer)
{
  g_autofree char *script = script_path ("vcsim.sh");
  const char *argv[] = { script, "stop", peer->statedir, NULL };
  g_autofree char *out = NULL;

  if (peer->running)
    out = run_or_die (argv, NULL);
  peer->running = FALSE;
  g_ptr_array_remove (running_peers, peer);
}

static void
peer_free (Peer *peer)
{
  peer_stop (peer);
  g_hash_table_unref (peer->env);
  g_free (peer->statedir);
  g_free (peer->credentials);
  g_free (peer);
}

/* govc ARGS... against PEER; returns its stdout, trimmed. */
static char *
govc (Peer *peer, ...) G_GNUC_NULL_TERMINATED;

static char *
govc (Peer *peer, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_auto (GStrv) env = g_get_environ ();
  const char *keys[]
      = { "GOVC_URL", "GOVC_USERNAME", "GOVC_PASSWORD", "GOVC_TLS_CA_CERTS", "GOVMOMI_HOME", NULL };
  const char *arg;
  va_list ap;
  char *out;

  for (guint i = 0; keys[i] != NULL; i++)
    env = peer_setenv (peer, env, keys[i]);
  env = g_environ_unsetenv (env, "GOVC_INSECURE");
  g_ptr_array_add (argv, (gpointer)peer_get (peer, "GOVC"));
  va_start (ap, peer);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  out = run_or_die ((const char *const *)argv->pdata, env);
  return g_strstrip (out);
}

/* govc ARGS... for its effect only. */
#define GOVC_DO(peer, ...) g_free (govc (peer, __VA_ARGS__))

/* The inventory path of a "Type:id" reference, as govc prints it. */
static char *
govc_path_of (Peer *peer, const char *moref)
{
  return govc (peer, "ls", "-L", moref, NULL);
}

/* vcsim's view of where VM is: host name, pool (our naming:
 * COMPUTE-RESOURCE/Resources[/...]) and datastore name. */
typedef struct
{
  char *host;
  char *pool;
  char *datastore;
  char *power;
} Where;

static void
where_clear (Where *w)
{
  g_free (w->host);
  g_free (w->pool);
  g_free (w->datastore);
  g_free (w->power);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Where, where_clear)

static void
govc_where (Peer *peer, const char *vm, Where *w)
{
  g_autofree char *vm_path = g_strdup_printf ("/DC0/vm/%s", vm);
  g_autofree char *host_ref = govc (peer, "object.collect", "-s", vm_path, "runtime.host", NULL);
  g_autofree char *pool_ref = govc (peer, "object.collect", "-s", vm_path, "resourcePool", NULL);
  g_autofree char *ds_ref = govc (peer, "object.collect", "-s", vm_path, "datastore", NULL);
  g_autofree char *host_path = govc_path_of (peer, host_ref);
  g_autofree char *pool_path = govc_path_of (peer, pool_ref);
  g_autofree char *ds_path = NULL;

  g_assert_null (strchr (ds_ref, ','));
  ds_path = govc_path_of (peer, ds_ref);
  g_assert_true (g_str_has_prefix (pool_path, "/DC0/host/"));
  w->host = g_path_get_basename (host_path);
  w->pool = g_strdup (pool_path + strlen ("/DC0/host/"));
  w->datastore = g_path_get_basename (ds_path);
  w->power = govc (peer, "object.collect", "-s", vm_path, "runtime.powerState", NULL);
}

/* vcsim's view of a VM's disks: key -> backing fileName. */
static GHashTable *
govc_disks (Peer *peer, const char *vm)
{
  g_autofree char *vm_path = g_strdup_printf ("/DC0/vm/%s", vm);
  g_autofree char *json
      = govc (peer, "object.collect", "-json", vm_path, "config.hardware.device", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  GHashTable *disks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonArray *devices;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  devices = json_object_get_array_member (
      json_object_get_object_member (
          json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0),
          "Val"),
      "VirtualDevice");
  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonObject *dev = json_array_get_object_element (devices, i);
      JsonObject *backing;

      if (!json_object_has_member (dev, "CapacityInKB") || !json_object_has_member (dev, "Backing")
          || json_object_get_null_member (dev, "Backing"))
        continue;
      backing = json_object_get_object_member (dev, "Backing");
      if (!json_object_has_member (backing, "FileName"))
        continue;
      g_hash_table_insert (
          disks, g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (dev, "Key")),
          g_strdup (json_object_get_string_member (backing, "FileName")));
    }
  return disks;
}

static char *
peer_uri (Peer *peer, const char *credentials, const char *ca, const char *extra)
{
  g_autoptr (GString) uri = g_string_new (NULL);

  g_string_append_printf (uri, "vsphere+https://127.0.0.1:%s/sdk?credentials=%s",
                          peer_get (peer, "VCSIM_PORT"),
                          credentials != NULL ? credentials : peer->credentials);
  if (ca != NULL)
    g_string_append_printf (uri, "&ca=%s", ca);
  if (extra != NULL)
    g_string_append_printf (uri, "&%s", extra);
  return g_string_free (g_steal_pointer (&uri), FALSE);
}

static VmmBackend *
backend_open (Peer *peer, const char *extra)
{
  g_autofree char *uri = peer_uri (peer, NULL, peer_get (peer, "VCSIM_CA_FILE"), extra);
  g_autoptr (GError) error = NULL;
  VmmBackend *backend = vmm_backend_open (uri, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (VMM_IS_VSPHERE_BACKEND (backend));
  return backend;
}

static VmmVmInfo *
backend_vm (VmmBackend *backend, const char *vm)
{
  g_autoptr (GError) error = NULL;
  VmmVmInfo *info = vmm_backend_get_vm (backend, vm, NULL, &error);

  g_assert_no_error (error);
  return info;
}

/* Records what a migration reports. */
typedef struct _Recorder Recorder;
struct _Recorder
{
  GPtrArray *warnings;
  double last_fraction;
  guint64 bytes_total;
  guint64 bytes_done;
  guint n_progress;
  char *cancel_at;       /* cancel when this action starts */
  guint cancel_delay_ms; /* ... this long after it started */
  GCancellable *cancellable;
  char *hook_at; /* run hook_argv with govc when this action starts */
  const char *const *hook_argv;
  void (*hook_fn) (Recorder *r); /* or call this */
  Peer *peer;
};

static void
on_warning (VmmMigration *m, const char *message, Recorder *r)
{
  g_test_message ("warning: %s", message);
  g_ptr_array_add (r->warnings, g_strdup (message));
}

static void
on_progress (VmmMigration *m, double fraction, guint64 done, guint64 total, gint64 eta, Recorder *r)
{
  r->last_fraction = fraction;
  r->n_progress++;
  if (total > 0)
    {
      r->bytes_total = total;
      r->bytes_done = done;
    }
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_action_started (VmmMigration *m, VmmAction *action, Recorder *r)
{
  const char *name = vmm_action_get_name (action);

  if (r->cancel_at != NULL && g_str_equal (name, r->cancel_at))
    {
      /* the migration runs in its own (thread-default) context */
      GSource *source = g_timeout_source_new (r->cancel_delay_ms);

      g_source_set_callback (source, cancel_cb, g_object_ref (r->cancellable), g_object_unref);
      g_source_attach (source, g_main_context_get_thread_default ());
      g_source_unref (source);
    }
  if (r->hook_at != NULL && g_str_equal (name, r->hook_at) && r->hook_fn != NULL)
    r->hook_fn (r);
  else if (r->hook_at != NULL && g_str_equal (name, r->hook_at))
    {
      g_autoptr (GPtrArray) argv = g_ptr_array_new ();
      g_auto (GStrv) env = g_get_environ ();
      g_autofree char *out = NULL;
      const char *keys[] = { "GOVC_URL",          "GOVC_USERNAME", "GOVC_PASSWORD",
                             "GOVC_TLS_CA_CERTS", "GOVMOMI_HOME",  NULL };

      for (guint i = 0; keys[i] != NULL; i++)
        env = peer_setenv (r->peer, env, keys[i]);
      g_ptr_array_add (argv, (gpointer)peer_get (r->peer, "GOVC"));
      for (guint i = 0; r->hook_argv[i] != NULL; i++)
        g_ptr_array_add (argv, (gpointer)r->hook_argv[i]);
      g_ptr_array_add (argv, NULL);
      out = run_or_die ((const char *const *)argv->pdata, env);
    }
}

static Recorder *
recorder_new (VmmMigration *m)
{
  Recorder *r = g_new0 (Recorder, 1);

  r->warnings = g_ptr_array_new_with_free_func (g_free);
  r->cancellable = g_cancellable_new ();
  g_signal_connect (m, "warning", G_CALLBACK (on_warning), r);
  g_signal_connect (m, "progress", G_CALLBACK (on_progress), r);
  g_signal_connect (m, "action-started", G_CALLBACK (on_action_started), r);
  return r;
}

static void
recorder_free (Recorder *r)
{
  g_ptr_array_unref (r->warnings);
  g_object_unref (r->cancellable);
  g_free (r->cancel_at);
  g_free (r->hook_at);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Recorder, recorder_free)

static gboolean
recorder_has_warning (Recorder *r, const char *needle)
{
  for (guint i = 0; i < r->warnings->len; i++)
    if (strstr (g_ptr_array_index (r->warnings, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static VmmMigration *
migration_new (VmmEngine *engine, VmmBackend *backend, const char *vm, const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new_from_json (json, &error);
  VmmMigration *m;

  g_assert_no_error (error);
  m = vmm_engine_create_migration (engine, backend, vm, spec, &error);
  g_assert_no_error (error);
  return m;
}

/* The result's disks are where vcsim says the disks are. */
static void
assert_disks_match (Peer *peer, const char *vm, VmmMigrationResult *result)
{
  g_autoptr (GHashTable) disks = govc_disks (peer, vm);
  GPtrArray *rdisks = vmm_migration_result_get_disks (result);

  g_assert_cmpuint (rdisks->len, ==, g_hash_table_size (disks));
  for (guint i = 0; i < rdisks->len; i++)
    {
      VmmDiskInfo *d = g_ptr_array_index (rdisks, i);
      const char *file = g_hash_table_lookup (disks, vmm_disk_info_get_key (d));
      g_autofree char *ds = NULL;

      g_assert_nonnull (file);
      g_assert_cmpstr (vmm_disk_info_get_path (d), ==, file);
      ds = g_strndup (file + 1, strchr (file, ']') - file - 1);
      g_assert_cmpstr (vmm_disk_info_get_datastore (d), ==, ds);
    }
}

/* A host of the cluster other than CURRENT. */
static const char *
other_cluster_host (const char *current)
{
  static const char *const hosts[] = { "DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2" };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    if (g_strcmp0 (hosts[i], current) != 0)
      return hosts[i];
  g_assert_not_reached ();
}

static const char *
other_datastore (const char *current)
{
  return g_strcmp0 (current, "LocalDS_1") == 0 ? "LocalDS_0" : "LocalDS_1";
}

/* --- tests --- */

static void
test_inventory (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inv = vmm_backend_query_inventory (backend, NULL, &error);
  VmmHostInfo *host;
  VmmDatastoreInfo *ds;
  VmmVmInfo *vm;
  VmmDiskInfo *disk;
  GPtrArray *devices;
  gboolean cdrom = FALSE;
  gboolean nic = FALSE;
  g_auto (GStrv) networks = NULL;
  g_auto (Where) w = { 0 };

  g_assert_no_error (error);
  g_assert_cmpuint (vmm_inventory_get_hosts (inv)->len, ==, 4);
  g_assert_cmpuint (vmm_inventory_get_datastores (inv)->len, ==, 2);
  g_assert_cmpuint (vmm_inventory_get_vms (inv)->len, ==, 4);

  host = vmm_inventory_lookup_host (inv, "DC0_C0_H1");
  g_assert_nonnull (host);
  g_assert_cmpint (vmm_host_info_get_state (host), ==, VMM_HOST_STATE_CONNECTED);
  g_assert_cmpstr (vmm_host_info_get_cluster (host), ==, "DC0_C0");
  g_assert_cmpuint (vmm_host_info_get_memory_mib (host), >, 0);
  g_assert_cmpuint (vmm_host_info_get_vcpus (host), >, 0);
  g_assert_true (vmm_host_info_has_datastore (host, "LocalDS_0"));
  g_assert_true (vmm_host_info_has_pool (host, "DC0_C0/Resources/DC0_C0_RP1"));
  g_assert_cmpstr (vmm_host_info_get_default_pool (host), ==, "DC0_C0/Resources");
  g_assert_cmpuint (g_strv_length ((GStrv)vmm_host_info_get_networks (host)), >, 0);
  host = vmm_inventory_lookup_host (inv, "DC0_H0");
  g_assert_nonnull (host);
  g_assert_null (vmm_host_info_get_cluster (host));
  g_assert_cmpstr (vmm_host_info_get_default_pool (host), ==, "DC0_H0/Resources");
  networks = vmm_inventory_get_networks (inv);
  g_assert_true (g_strv_contains ((const char *const *)networks, "DC0_DVPG0"));

  ds = vmm_inventory_lookup_datastore (inv, "LocalDS_1");
  g_assert_nonnull (ds);
  g_assert_true (vmm_datastore_info_get_online (ds));
  g_assert_cmpuint (vmm_datastore_info_get_free (ds), >, 0);
  g_assert_true (vmm_datastore_info_is_mounted_on (ds, "DC0_C0_H2"));

  vm = vmm_inventory_lookup_vm (inv, "DC0_H0_VM0");
  g_assert_nonnull (vm);
  govc_where (main_peer, "DC0_H0_VM0", &w);
  g_assert_cmpstr (vmm_vm_info_get_host (vm), ==, w.host);
  g_assert_cmpstr (vmm_vm_info_get_resource_pool (vm), ==, w.pool);
  g_assert_cmpstr (vmm_vm_info_get_datastore (vm), ==, w.datastore);
  g_assert_cmpint (vmm_vm_info_get_power_state (vm), ==, VMM_POWER_STATE_RUNNING);
  g_assert_cmpuint (vmm_vm_info_get_vcpus (vm), >=, 1);
  g_assert_cmpuint (vmm_vm_info_get_memory_mib (vm), >=, 32);
  g_assert_cmpuint (vmm_vm_info_get_disks (vm)->len, ==, 1);
  disk = g_ptr_array_index (vmm_vm_info_get_disks (vm), 0);
  g_assert_cmpstr (vmm_disk_info_get_datastore (disk), ==, "LocalDS_0");
  g_assert_cmpstr (vmm_disk_info_get_path (disk), ==, "[LocalDS_0] DC0_H0_VM0/disk1.vmdk");
  g_assert_cmpuint (vmm_disk_info_get_capacity (disk), >, 0);
  devices = vmm_vm_info_get_devices (vm);
  for (guint i = 0; i < devices->len; i++)
    {
      VmmDeviceInfo *d = g_ptr_array_index (devices, i);

      if (vmm_device_info_get_kind (d) == VMM_DEVICE_KIND_CDROM)
        cdrom = TRUE;
      if (vmm_device_info_get_kind (d) == VMM_DEVICE_KIND_NIC)
        {
          nic = TRUE;
          g_assert_cmpstr (vmm_device_info_get_network (d), ==, "DC0_DVPG0");
        }
    }
  g_assert_true (cdrom);
  g_assert_true (nic);
}

/* Two VMs of the same name in different folders: vim25 allows it, the
 * engine names VMs by name, so the backend refuses to guess. */
static void
test_ambiguous_name (void)
{
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  GOVC_DO (main_peer, "folder.create", "/DC0/vm/Twins", NULL);
  GOVC_DO (main_peer, "vm.create", "-on=false", "-host", "/DC0/host/DC0_C0/DC0_C0_H0", "-ds",
           "LocalDS_0", "-net", "VM Network", "-folder", "/DC0/vm", "Twin", NULL);
  GOVC_DO (main_peer, "vm.create", "-on=false", "-host", "/DC0/host/DC0_C0/DC0_C0_H0", "-ds",
           "LocalDS_1", "-net", "VM Network", "-folder", "/DC0/vm/Twins", "Twin", NULL);
  backend = backend_open (main_peer, NULL);
  m = migration_new (engine, backend, "Twin", "{\"host\": \"DC0_C0_H1\"}");
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_null (result);
  g_test_message ("%s", error->message);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "more than one VM named 'Twin'"));
  GOVC_DO (main_peer, "vm.destroy", "/DC0/vm/Twin", "/DC0/vm/Twins/Twin", NULL);
}

/* vcsim's recorded fault replies (samples/, raw bytes): each fault type
 * becomes its VmmError code, with vCenter's message kept. */
static void
test_fault_samples (void)
{
  const struct
  {
    const char *file;
    const char *type;
    int code;
    const char *message;
  } cases[] = {
    { "fault-InvalidLogin.res.xml", "InvalidLogin", VMM_ERROR_PERMISSION_DENIED, "Login failure" },
    { "fault-NotAuthenticated.res.xml", "NotAuthenticated", VMM_ERROR_PERMISSION_DENIED,
      "the session is not authenticated" },
    { "fault-ManagedObjectNotFound.res.xml", "ManagedObjectNotFound", VMM_ERROR_NOT_FOUND,
      "managed object not found: VirtualMachine:vm-9999" },
    { "fault-ManagedObjectNotFound-RetrievePropertiesEx.res.xml", "ManagedObjectNotFound",
      VMM_ERROR_NOT_FOUND, "has already been deleted" },
    { "fault-MethodNotFound.res.xml", "MethodNotFound", VMM_ERROR_UNSUPPORTED,
      "does not implement: MigrateVM_Task" },
    { "fault-InvalidRequest.res.xml", "InvalidRequest", VMM_ERROR_INVALID_SPEC,
      "no vmomi type defined" },
    { "fault-MethodDisabled.res.xml", "MethodDisabled", VMM_ERROR_PERMISSION_DENIED,
      "method is disabled: RelocateVM_Task" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path
          = g_test_build_filename (G_TEST_DIST, "vsphere", "samples", cases[i].file, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;
      g_autoptr (GError) error = NULL;
      g_autofree char *type = NULL;
      xmlDoc *doc;

      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      doc = xmlReadMemory (data, (int)len, "fault.xml", NULL, XML_PARSE_NONET);
      g_assert_nonnull (doc);
      vmm_vsphere_parse_fault (doc, "Method", &type, &error);
      xmlFreeDoc (doc);
      g_test_message ("%s: %s", cases[i].file, error->message);
      g_assert_cmpstr (type, ==, cases[i].type);
      g_assert_error (error, VMM_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].type));
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
}

/* vCenter not answering at all: a clear error at open. */
static void
test_connection_refused (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autoptr (VmmBackend) backend = NULL;
  guint16 port;

  /* a free loopback port, closed again */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  uri = g_strdup_printf ("vsphere+https://127.0.0.1:%u/sdk?credentials=%s&ca=%s", port,
                         main_peer->credentials, peer_get (main_peer, "VCSIM_CA_FILE"));
  backend = vmm_backend_open (uri, NULL, &error);
  g_assert_null (backend);
  g_test_message ("%s", error->message);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  g_assert_nonnull (strstr (error->message, "no answer from vCenter"));
}

/* What the backend claims: what RelocateVM_Task does, nothing more. */
static void
test_capabilities (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, NULL);
  VmmBackendCapabilities caps = vmm_backend_get_capabilities (backend);
  const VmmStep by_backend[]
      = { VMM_STEP_INITIATE_SOURCE, VMM_STEP_SWITCH_HOST_AND_POOL, VMM_STEP_COMPLETE_DESTINATION,
          VMM_STEP_POWER_OFF, VMM_STEP_POWER_ON };

  g_assert_true (caps & VMM_BACKEND_CAPABILITY_HOT_HOST);
  g_assert_true (caps & VMM_BACKEND_CAPABILITY_HOT_STORAGE);
  g_assert_true (caps & VMM_BACKEND_CAPABILITY_HOT_HOST_AND_STORAGE);
  g_assert_true (caps & VMM_BACKEND_CAPABILITY_COLD);
  g_assert_true (caps & VMM_BACKEND_CAPABILITY_POOL_CHANGE);
  g_assert_false (caps & VMM_BACKEND_CAPABILITY_ABORT);
  g_assert_false (caps & VMM_BACKEND_CAPABILITY_CROSS_MANAGER);
  g_assert_false (caps & VMM_BACKEND_CAPABILITY_POST_COPY);
  g_assert_false (caps & VMM_BACKEND_CAPABILITY_FORCE_COMPLETE);
  for (guint s = 0; s < VMM_STEP_LAST; s++)
    {
      VmmStepMode mode = vmm_backend_get_step_mode (backend, s);
      gboolean backend_step = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (by_backend); i++)
        backend_step |= by_backend[i] == s;
      if (backend_step)
        g_assert_cmpint (mode, ==, VMM_STEP_MODE_BACKEND);
      else if (s == VMM_STEP_CREATE_INVENTORY_VM)
        g_assert_cmpint (mode, ==, VMM_STEP_MODE_UNSUPPORTED);
      else
        g_assert_cmpint (mode, ==, VMM_STEP_MODE_PLATFORM);
    }
  g_assert_true (g_str_has_prefix (vmm_backend_get_uri (backend), "vsphere+https://127.0.0.1:"));
}

/* An ISO backing comes back as a CD-ROM device with its datastore. */
static void
test_inventory_iso (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, NULL);
  g_autoptr (VmmVmInfo) vm = NULL;
  GPtrArray *devices;
  gboolean found = FALSE;

  GOVC_DO (main_peer, "device.cdrom.insert", "-vm", "/DC0/vm/DC0_H0_VM1", "-ds", "LocalDS_1",
           "iso/test.iso", NULL);
  vm = backend_vm (backend, "DC0_H0_VM1");
  devices = vmm_vm_info_get_devices (vm);
  for (guint i = 0; i < devices->len; i++)
    {
      VmmDeviceInfo *d = g_ptr_array_index (devices, i);

      if (vmm_device_info_get_kind (d) == VMM_DEVICE_KIND_CDROM
          && g_strcmp0 (vmm_device_info_get_backing_path (d), "[LocalDS_1] iso/test.iso") == 0)
        {
          g_assert_cmpstr (vmm_device_info_get_backing_datastore (d), ==, "LocalDS_1");
          found = TRUE;
        }
    }
  g_assert_true (found);
}

static void
test_move_host (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, NULL);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmVmInfo) before = backend_vm (backend, "DC0_C0_RP0_VM0");
  const char *target = other_cluster_host (vmm_vm_info_get_host (before));
  g_autofree char *json = g_strdup_printf ("{\"host\": \"%s\"}", target);
  g_autoptr (VmmMigration) m = migration_new (engine, backend, "DC0_C0_RP0_VM0", json);
  g_autoptr (Recorder) r = recorder_new (m);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmPlan) plan = vmm_migration_plan (m, NULL, &error);
  g_autoptr (VmmMigrationResult) result = NULL;
  g_auto (Where) w = { 0 };
  GPtrArray *actions;
  gboolean platform = FALSE;
  gboolean initiate = FALSE;

  g_assert_no_error (error);
  g_assert_cmpint (vmm_plan_get_migration_type (plan), ==, VMM_MIGRATION_TYPE_HOT_HOST);
  actions = vmm_plan_get_actions (plan);
  for (guint i = 0; i < actions->len; i++)
    {
      VmmAction *a = g_ptr_array_index (actions, i);

      if (g_str_equal (vmm_action_get_name (a), "PrepareDestination"))
        platform = vmm_action_get_performer (a) == VMM_ACTION_PERFORMER_PLATFORM;
      if (g_str_equal (vmm_action_get_name (a), "InitiateSource"))
        initiate = vmm_action_get_performer (a) == VMM_ACTION_PERFORMER_BACKEND;
    }
  g_assert_true (platform);
  g_assert_true (initiate);

  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (vmm_migration_result_get_moved (result));
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==,
                   VMM_MIGRATION_TYPE_HOT_HOST);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, target);
  govc_where (main_peer, "DC0_C0_RP0_VM0", &w);
  g_assert_cmpstr (w.host, ==, target);
  g_assert_cmpstr (w.power, ==, "poweredOn");
  g_assert_cmpstr (vmm_migration_result_get_resource_pool (result), ==, w.pool);
  g_assert_cmpstr (vmm_migration_result_get_datastore (result), ==, w.datastore);
  assert_disks_match (main_peer, "DC0_C0_RP0_VM0", result);
  g_assert_cmpfloat (r->last_fraction, ==, 1.0);
}

static void
test_move_datastore (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, NULL);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmVmInfo) before = backend_vm (backend, "DC0_C0_RP0_VM1");
  const char *target = other_datastore (vmm_vm_info_get_datastore (before));
  g_autofree char *json = g_strdup_printf ("{\"datastore\": \"%s\"}", target);
  g_autoptr (VmmMigration) m = migration_new (engine, backend, "DC0_C0_RP0_VM1", json);
  g_autoptr (Recorder) r = recorder_new (m);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = vmm_migration_run_sync (m, NULL, &error);
  g_auto (Where) w = { 0 };

  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==,
                   VMM_MIGRATION_TYPE_HOT_STORAGE);
  g_assert_cmpstr (vmm_migration_result_get_datastore (result), ==, target);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, vmm_vm_info_get_host (before));
  govc_where (main_peer, "DC0_C0_RP0_VM1", &w);
  g_assert_cmpstr (w.datastore, ==, target);
  g_assert_cmpstr (w.host, ==, vmm_vm_info_get_host (before));
  /* vcsim moves the VM's datastore but not its disk backings: the result
   * names the disks where vcsim says they are, and a warning says so */
  assert_disks_match (main_peer, "DC0_C0_RP0_VM1", result);
  g_assert_true (recorder_has_warning (r, "vCenter reports it on"));
  g_assert_cmpuint (r->bytes_total, >, 0);
  g_assert_cmpuint (r->bytes_done, ==, r->bytes_total);
}

static void
test_move_pool (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, NULL);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmVmInfo) before = backend_vm (backend, "DC0_C0_RP0_VM0");
  const char *target
      = g_strcmp0 (vmm_vm_info_get_resource_pool (before), "DC0_C0/Resources/DC0_C0_RP1") == 0
            ? "DC0_C0/Resources"
            : "DC0_C0/Resources/DC0_C0_RP1";
  g_autofree char *json = g_strdup_printf ("{\"resource-pool\": \"%s\"}", target);
  g_autoptr (VmmMigration) m = migration_new (engine, backend, "DC0_C0_RP0_VM0", json);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = vmm_migration_run_sync (m, NULL, &error);
  g_auto (Where) w = { 0 };

  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==,
                   VMM_MIGRATION_TYPE_POOL_ONLY);
  g_assert_cmpstr (vmm_migration_result_get_resource_pool (result), ==, target);
  govc_where (main_peer, "DC0_C0_RP0_VM0", &w);
  g_assert_cmpstr (w.pool, ==, target);
  g_assert_cmpstr (w.host, ==, vmm_vm_info_get_host (before));
}

/* A folder change alone (a pool-only move in the workflow): RelocateSpec.folder. */
static void
test_move_folder (void)
{
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmVmInfo) before = NULL;
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *path = NULL;

  GOVC_DO (main_peer, "folder.create", "/DC0/vm/Moved", NULL);
  backend = backend_open (main_peer, NULL);
  before = backend_vm (backend, "DC0_H0_VM0");
  g_assert_cmpstr (vmm_vm_info_get_folder (before), ==, "/DC0/vm");
  m = migration_new (engine, backend, "DC0_H0_VM0", "{\"folder\": \"/DC0/vm/Moved\"}");
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==,
                   VMM_MIGRATION_TYPE_POOL_ONLY);
  parent = govc (main_peer, "object.collect", "-s", "/DC0/vm/Moved/DC0_H0_VM0", "parent", NULL);
  path = govc_path_of (main_peer, parent);
  g_assert_cmpstr (path, ==, "/DC0/vm/Moved");

  /* and back (the other tests find the VM under /DC0/vm) */
  g_clear_object (&m);
  g_clear_object (&result);
  m = migration_new (engine, backend, "DC0_H0_VM0", "{\"folder\": \"/DC0/vm\"}");
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_no_error (error);
  g_free (parent);
  parent = govc (main_peer, "object.collect", "-s", "/DC0/vm/DC0_H0_VM0", "parent", NULL);
  g_assert_nonnull (parent);
}

/* Host, datastore and pool at once, for a powered-off VM on the standalone
 * host going into the cluster (a cold move). */
static void
test_move_all_three_powered_off (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, NULL);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmVmInfo) before = NULL;
  const char *ds;
  g_autofree char *json = NULL;
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_auto (Where) w = { 0 };

  GOVC_DO (main_peer, "vm.power", "-off", "/DC0/vm/DC0_H0_VM1", NULL);
  before = backend_vm (backend, "DC0_H0_VM1");
  ds = other_datastore (vmm_vm_info_get_datastore (before));
  json = g_strdup_printf (
      "{\"host\": \"DC0_C0_H2\", \"datastore\": \"%s\", \"resource-pool\": \"DC0_C0/Resources\"}",
      ds);
  m = migration_new (engine, backend, "DC0_H0_VM1", json);

  g_assert_cmpint (vmm_vm_info_get_power_state (before), ==, VMM_POWER_STATE_OFF);
  g_assert_cmpstr (vmm_vm_info_get_host (before), ==, "DC0_H0");
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==, VMM_MIGRATION_TYPE_COLD);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "DC0_C0_H2");
  g_assert_cmpstr (vmm_migration_result_get_datastore (result), ==, ds);
  g_assert_cmpstr (vmm_migration_result_get_resource_pool (result), ==, "DC0_C0/Resources");
  govc_where (main_peer, "DC0_H0_VM1", &w);
  g_assert_cmpstr (w.host, ==, "DC0_C0_H2");
  g_assert_cmpstr (w.datastore, ==, ds);
  g_assert_cmpstr (w.pool, ==, "DC0_C0/Resources");
  g_assert_cmpstr (w.power, ==, "poweredOff");
  assert_disks_match (main_peer, "DC0_H0_VM1", result);
}

/* The actions' names of PLAN, comma-separated. */
static char *
plan_actions (VmmPlan *plan)
{
  GPtrArray *actions = vmm_plan_get_actions (plan);
  g_autoptr (GString) names = g_string_new (NULL);

  for (guint i = 0; i < actions->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? "," : "",
                            vmm_action_get_name (g_ptr_array_index (actions, i)));
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* A cold move of a running VM that the spec lets the engine stop
 * (fallback-cold): PowerOffVm, the relocation, PowerOnVm on the new host. */
/* vCenter deletes the source's files after a relocation: keep-source-disks
 * is refused by the plan, before anything moves, naming the reason. */
static void
test_keep_source_disks_refused (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, NULL);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmVmInfo) before = backend_vm (backend, "DC0_H0_VM0");
  g_autoptr (VmmMigration) m = migration_new (
      engine, backend, "DC0_H0_VM0", "{\"datastore\": \"LocalDS_1\", \"keep-source-disks\": true}");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmPlan) plan = vmm_migration_plan (m, NULL, &error);
  g_autoptr (VmmVmInfo) after = NULL;

  g_assert_null (plan);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "keep-source-disks"));
  after = backend_vm (backend, "DC0_H0_VM0");
  g_assert_cmpstr (vmm_vm_info_get_datastore (after), ==, vmm_vm_info_get_datastore (before));
}

static void
test_move_cold_restart (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, NULL);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmVmInfo) before = backend_vm (backend, "DC0_H0_VM0");
  g_autoptr (VmmMigration) m = migration_new (
      engine, backend, "DC0_H0_VM0",
      "{\"host\": \"DC0_C0_H1\", \"migration-type\": \"cold\", \"fallback-cold\": true}");
  g_autoptr (Recorder) r = recorder_new (m);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmPlan) plan = vmm_migration_plan (m, NULL, &error);
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *names = NULL;
  g_auto (Where) w = { 0 };

  g_assert_no_error (error);
  g_assert_cmpint (vmm_vm_info_get_power_state (before), ==, VMM_POWER_STATE_RUNNING);
  g_assert_cmpstr (vmm_vm_info_get_host (before), ==, "DC0_H0");
  g_assert_cmpint (vmm_plan_get_migration_type (plan), ==, VMM_MIGRATION_TYPE_COLD);
  names = plan_actions (plan);
  g_test_message ("plan: %s", names);
  g_assert_true (strstr (names, "PowerOffVm") != NULL);
  g_assert_true (g_str_has_suffix (names, "PowerOnVm"));
  g_assert_true (strstr (names, "PowerOffVm") < strstr (names, "SwitchHostAndPool"));
  g_assert_null (strstr (names, "InitiateSource"));

  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==, VMM_MIGRATION_TYPE_COLD);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "DC0_C0_H1");
  g_assert_cmpstr (vmm_migration_result_get_resource_pool (result), ==, "DC0_C0/Resources");
  govc_where (main_peer, "DC0_H0_VM0", &w);
  g_assert_cmpstr (w.host, ==, "DC0_C0_H1");
  g_assert_cmpstr (w.pool, ==, "DC0_C0/Resources");
  g_assert_cmpstr (w.power, ==, "poweredOn");
  assert_disks_match (main_peer, "DC0_H0_VM0", result);
  /* no live transfer: the progress is the relocation's, not the memory's */
  g_assert_cmpuint (r->bytes_total, ==, 100);
  g_assert_false (recorder_has_warning (r, "already"));
  /* no VMware Tools in vcsim's VMs: PowerOffVM_Task, not ShutdownGuest */
  {
    g_autofree char *events = govc (main_peer, "events", "-n", "20", "/DC0/vm/DC0_H0_VM0", NULL);
    const char *off = strstr (events, "DC0_H0 in DC0 is powered off");

    g_test_message ("%s", events);
    g_assert_null (strstr (events, "Guest OS shut down"));
    g_assert_nonnull (off);
    g_assert_nonnull (strstr (off, "DC0_C0_H1 in DC0 is powered on"));
  }
}

/* A per-disk locator: RelocateVM_Task gets a disk[] entry (schema order,
 * checked by vcsim's decoder), but vcsim 0.24 ignores per-disk locators, so
 * the disk stays where it was: the result must say where it really is. */
static void
test_move_per_disk (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, NULL);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmVmInfo) before = backend_vm (backend, "DC0_H0_VM0");
  VmmDiskInfo *disk = g_ptr_array_index (vmm_vm_info_get_disks (before), 0);
  const char *target = other_datastore (vmm_disk_info_get_datastore (disk));
  g_autofree char *json = g_strdup_printf (
      "{\"disks\": [{\"key\": \"%s\", \"datastore\": \"%s\", \"move-type\": \"move-all\"}]}",
      vmm_disk_info_get_key (disk), target);
  g_autoptr (VmmMigration) m = migration_new (engine, backend, "DC0_H0_VM0", json);
  g_autoptr (Recorder) r = recorder_new (m);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = vmm_migration_run_sync (m, NULL, &error);
  VmmDiskInfo *rdisk;
  g_autofree char *expected = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==,
                   VMM_MIGRATION_TYPE_HOT_DISKS_ONLY);
  rdisk = vmm_migration_result_lookup_disk (result, vmm_disk_info_get_key (disk));
  g_assert_nonnull (rdisk);
  assert_disks_match (main_peer, "DC0_H0_VM0", result);
  /* what vcsim does: the disk did not move, and the backend says so */
  g_assert_cmpstr (vmm_disk_info_get_datastore (rdisk), ==, vmm_disk_info_get_datastore (disk));
  expected = g_strdup_printf ("asked for datastore '%s'", target);
  g_assert_true (recorder_has_warning (r, expected));
}

/* A host move that remaps the NIC's network: the RelocateSpec carries a
 * deviceChange (edit) with the new backing; what the NIC is on afterwards is
 * read back from vcsim, and a warning names any NIC left behind. */
static void
test_move_network (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, NULL);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmVmInfo) before = backend_vm (backend, "DC0_C0_RP0_VM1");
  const char *target = other_cluster_host (vmm_vm_info_get_host (before));
  g_autofree char *json = g_strdup_printf (
      "{\"host\": \"%s\", \"networks\": {\"DC0_DVPG0\": \"VM Network\"}}", target);
  g_autoptr (VmmMigration) m = migration_new (engine, backend, "DC0_C0_RP0_VM1", json);
  g_autoptr (Recorder) r = recorder_new (m);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = vmm_migration_run_sync (m, NULL, &error);
  g_autoptr (VmmVmInfo) after = NULL;
  GPtrArray *devices;
  const char *nic_network = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, target);
  after = backend_vm (backend, "DC0_C0_RP0_VM1");
  devices = vmm_vm_info_get_devices (after);
  for (guint i = 0; i < devices->len; i++)
    if (vmm_device_info_get_kind (g_ptr_array_index (devices, i)) == VMM_DEVICE_KIND_NIC)
      nic_network = vmm_device_info_get_network (g_ptr_array_index (devices, i));
  g_test_message ("NIC after the move: %s", nic_network);
  if (g_strcmp0 (nic_network, "VM Network") != 0)
    g_assert_true (recorder_has_warning (r, "asked for network 'VM Network'"));
  else
    g_assert_false (recorder_has_warning (r, "asked for network"));
}

static void
test_bad_password (void)
{
  g_autofree char *cred = g_build_filename (main_peer->statedir, "bad-credentials.ini", NULL);
  const char *password = "wrong-Secret-4711";
  g_autofree char *text = g_strdup_printf ("[vsphere]\nuser=%s\npassword=%s\n",
                                           peer_get (main_peer, "VCSIM_USERNAME"), password);
  g_autofree char *uri = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = NULL;

  g_assert_true (g_file_set_contents (cred, text, -1, NULL));
  uri = peer_uri (main_peer, cred, peer_get (main_peer, "VCSIM_CA_FILE"), NULL);
  backend = vmm_backend_open (uri, NULL, &error);
  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_PERMISSION_DENIED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "InvalidLogin"));
  g_assert_null (strstr (error->message, password));
  g_clear_error (&error);

  /* a password in the URI is refused, and not echoed */
  backend = vmm_backend_open ("vsphere+https://user:pw-in-uri-123@127.0.0.1:1/sdk", NULL, &error);
  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_assert_null (strstr (error->message, "pw-in-uri-123"));
}

static void
test_tls (void)
{
  g_autofree char *uri = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = NULL;

  /* the right CA: verified (every other test uses it too) */
  backend = backend_open (main_peer, NULL);
  g_clear_object (&backend);

  /* a wrong CA is refused */
  uri = peer_uri (main_peer, NULL, peer_get (main_peer, "VCSIM_WRONG_CA_FILE"), NULL);
  backend = vmm_backend_open (uri, NULL, &error);
  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "TLS"));
  g_clear_error (&error);
  g_free (uri);

  /* no CA: the system's CAs do not know the suite's CA; refused */
  uri = peer_uri (main_peer, NULL, NULL, NULL);
  backend = vmm_backend_open (uri, NULL, &error);
  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  g_assert_nonnull (strstr (error->message, "TLS"));
}

/* The backend's session is terminated behind its back (govc session.rm):
 * the next call gets NotAuthenticated, logs in again and goes on. */
/* Terminates every session of the backend behind its back. */
/* The keys of the backend's sessions (user agent libvmmigrate-vsphere). */
static GPtrArray *
our_session_keys (Peer *peer)
{
  g_autofree char *json_text = govc (peer, "session.ls", "-json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  JsonArray *sessions;

  g_assert_true (json_parser_load_from_data (parser, json_text, -1, &error));
  sessions = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "SessionList");
  for (guint i = 0; i < json_array_get_length (sessions); i++)
    {
      JsonObject *s = json_array_get_object_element (sessions, i);

      if (g_strcmp0 (json_object_get_string_member (s, "UserAgent"), "libvmmigrate-vsphere") == 0)
        g_ptr_array_add (keys, g_strdup (json_object_get_string_member (s, "Key")));
    }
  return keys;
}

static guint
kill_our_sessions (Peer *peer)
{
  g_autoptr (GPtrArray) keys = our_session_keys (peer);

  for (guint i = 0; i < keys->len; i++)
    GOVC_DO (peer, "session.rm", g_ptr_array_index (keys, i), NULL);
  return keys->len;
}

static void
hook_kill_sessions (Recorder *r)
{
  g_assert_cmpuint (kill_our_sessions (r->peer), >=, 1);
}

static void
test_session_expiry (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, NULL);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inv = vmm_backend_query_inventory (backend, NULL, &error);
  guint removed = 0;
  g_autoptr (VmmVmInfo) before = NULL;
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *json = NULL;
  const char *target;

  g_assert_no_error (error);
  g_assert_cmpuint (vmm_vsphere_backend_get_n_logins (VMM_VSPHERE_BACKEND (backend)), ==, 1);
  removed = kill_our_sessions (main_peer);
  g_assert_cmpuint (removed, >=, 1);

  before = vmm_inventory_lookup_vm (inv, "DC0_C0_RP0_VM1") != NULL
               ? g_object_ref (vmm_inventory_lookup_vm (inv, "DC0_C0_RP0_VM1"))
               : NULL;
  g_assert_nonnull (before);
  target = other_cluster_host (vmm_vm_info_get_host (before));
  json = g_strdup_printf ("{\"host\": \"%s\"}", target);
  m = migration_new (engine, backend, "DC0_C0_RP0_VM1", json);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, target);
  g_assert_cmpuint (vmm_vsphere_backend_get_n_logins (VMM_VSPHERE_BACKEND (backend)), ==, 2);

  /* expired between the inventory read and RelocateVM_Task: vCenter faults
   * NotAuthenticated, the client logs in again and resends */
  {
    g_autoptr (VmmMigration) m2 = NULL;
    g_autoptr (Recorder) r = NULL;
    g_autoptr (VmmMigrationResult) result2 = NULL;
    g_autofree char *json2 = g_strdup_printf ("{\"host\": \"%s\"}", other_cluster_host (target));
    g_auto (Where) w = { 0 };

    m2 = migration_new (engine, backend, "DC0_C0_RP0_VM1", json2);
    r = recorder_new (m2);
    r->peer = main_peer;
    r->hook_at = g_strdup ("InitiateSource");
    r->hook_fn = hook_kill_sessions;
    result2 = vmm_migration_run_sync (m2, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (vmm_migration_result_get_host (result2), ==, other_cluster_host (target));
    g_assert_cmpuint (vmm_vsphere_backend_get_n_logins (VMM_VSPHERE_BACKEND (backend)), ==, 3);
    govc_where (main_peer, "DC0_C0_RP0_VM1", &w);
    g_assert_cmpstr (w.host, ==, other_cluster_host (target));
  }
}

static guint
count_our_sessions (Peer *peer)
{
  g_autofree char *json_text = govc (peer, "session.ls", "-json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonArray *sessions;
  guint n = 0;

  g_assert_true (json_parser_load_from_data (parser, json_text, -1, &error));
  sessions = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "SessionList");
  for (guint i = 0; i < json_array_get_length (sessions); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (sessions, i),
                                                  "UserAgent"),
                   "libvmmigrate-vsphere")
        == 0)
      n++;
  return n;
}

/* Credentials from VMM_VSPHERE_USER / VMM_VSPHERE_PASSWORD; the session is
 * logged out when the backend goes away. */
static void
test_env_credentials_and_logout (void)
{
  g_autofree char *uri
      = g_strdup_printf ("vsphere+https://127.0.0.1:%s/sdk?ca=%s",
                         peer_get (main_peer, "VCSIM_PORT"), peer_get (main_peer, "VCSIM_CA_FILE"));
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmInventory) inv = NULL;

  g_setenv ("VMM_VSPHERE_USER", peer_get (main_peer, "VCSIM_USERNAME"), TRUE);
  g_setenv ("VMM_VSPHERE_PASSWORD", peer_get (main_peer, "VCSIM_PASSWORD"), TRUE);
  backend = vmm_backend_open (uri, NULL, &error);
  g_unsetenv ("VMM_VSPHERE_USER");
  g_unsetenv ("VMM_VSPHERE_PASSWORD");
  g_assert_no_error (error);
  /* open checked the credentials and logged out again */
  g_assert_cmpuint (count_our_sessions (main_peer), ==, 0);
  inv = vmm_backend_query_inventory (backend, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vmm_inventory_get_vms (inv)->len, ==, 4);
  g_assert_cmpuint (count_our_sessions (main_peer), ==, 1);
  g_clear_object (&backend);
  g_assert_cmpuint (count_our_sessions (main_peer), ==, 0);

  /* no credentials at all: a precise error before any connection */
  backend = vmm_backend_open (uri, NULL, &error);
  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "VMM_VSPHERE_USER"));
}

/* vsphere+http against a plain-http vcsim: the same client without TLS. */
/* tests/vsphere/vsphere-proxy.py in front of PEER (its certificate, so the
 * backend verifies it with the peer's CA) in MODE; exits when *STDIN_FD is
 * closed. Returns its port. */
static char *
proxy_start (Peer *peer, const char *mode, const char *log, GPid *pid, int *stdin_fd)
{
  g_autofree char *script = script_path ("vsphere-proxy.py");
  g_autofree char *tls = g_path_get_dirname (peer_get (peer, "VCSIM_CA_FILE"));
  g_autofree char *cert = g_build_filename (tls, "server.pem", NULL);
  g_autofree char *key = g_build_filename (tls, "server.key", NULL);
  g_autofree char *port_file = g_strconcat (log, ".port", NULL);
  const char *argv[] = { "/usr/bin/python3",
                         script,
                         "--upstream-port",
                         peer_get (peer, "VCSIM_PORT"),
                         "--cert",
                         cert,
                         "--key",
                         key,
                         "--ca",
                         peer_get (peer, "VCSIM_CA_FILE"),
                         "--port-file",
                         port_file,
                         "--log",
                         log,
                         "--mode",
                         mode,
                         NULL };
  g_autoptr (GError) error = NULL;
  char *port = NULL;

  g_unlink (port_file);
  g_unlink (log);
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, pid, stdin_fd, NULL, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 200 && port == NULL; i++)
    if (!g_file_get_contents (port_file, &port, NULL, NULL))
      g_usleep (50 * 1000);
  if (port == NULL)
    g_error ("%s did not start", script);
  g_strchomp (port);
  return port;
}

/* The proxy's log: how many RelocateVM_Task calls reached vcsim, how many
 * the proxy dropped, how many calls rode on an already used connection, and
 * whether the RelocateVM_Task after a "dropped" one opened its connection. */
static void
proxy_count (const char *log, guint *relayed, guint *dropped, guint *reused,
             gboolean *fresh_after_drop)
{
  gboolean after_drop = FALSE;

  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  *relayed = *dropped = *reused = 0;
  *fresh_after_drop = FALSE;
  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " ", -1);

      if (g_strv_length (f) != 5)
        continue;
      g_test_message ("proxy: %s", lines[i]);
      if (!g_str_equal (f[2], "1"))
        (*reused)++;
      if (!g_str_equal (f[3], "RelocateVM_Task"))
        continue;
      if (after_drop && g_str_equal (f[4], "relayed"))
        *fresh_after_drop = g_str_equal (f[2], "1");
      after_drop = g_str_equal (f[4], "dropped");
      if (g_str_equal (f[4], "relayed") || g_str_equal (f[4], "relayed-then-dropped"))
        (*relayed)++;
      if (g_str_equal (f[4], "dropped") || g_str_equal (f[4], "relayed-then-dropped"))
        (*dropped)++;
    }
}

/* RelocateVM_Task rides on kept-alive connections; whatever the server does
 * to them, vcsim gets each relocation exactly once and the VM moves once:
 * close-idle: the server closes every connection after its answer (libsoup
 *   sees that and opens a new one);
 * drop-before: the server closes a kept-alive connection as a RelocateVM_Task
 *   arrives on it, unread (no answer, no task, no move): the backend looks,
 *   sees nothing, sends it once more on a new connection;
 * drop-after: vcsim runs it, the answer is lost: the backend sees the VM
 *   moved and does not send it again. */
static void
test_kept_alive_closed (void)
{
  const char *const modes[] = { "close-idle", "drop-before", "drop-after" };
  const char *vm = "DC0_C0_RP0_VM1";

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *log = g_build_filename (workdir, "proxy.log", NULL);
      GPid pid = 0;
      int stdin_fd = -1;
      g_autofree char *port = proxy_start (main_peer, modes[i], log, &pid, &stdin_fd);
      g_autofree char *uri
          = g_strdup_printf ("vsphere+https://127.0.0.1:%s/sdk?credentials=%s&ca=%s", port,
                             main_peer->credentials, peer_get (main_peer, "VCSIM_CA_FILE"));
      g_autoptr (GError) error = NULL;
      g_autoptr (VmmBackend) backend = vmm_backend_open (uri, NULL, &error);
      g_autoptr (VmmEngine) engine = vmm_engine_new ();
      gboolean resent = FALSE;
      gboolean moved_anyway = FALSE;
      guint relayed;
      guint dropped;
      guint reused;
      gboolean fresh_after_drop;
      const guint n_moves = 3;

      g_test_message ("proxy mode %s", modes[i]);
      g_assert_no_error (error);
      for (guint k = 0; k < n_moves; k++)
        {
          g_autoptr (VmmVmInfo) before = backend_vm (backend, vm);
          const char *target = other_cluster_host (vmm_vm_info_get_host (before));
          g_autofree char *json = g_strdup_printf ("{\"host\": \"%s\"}", target);
          g_autoptr (VmmMigration) m = migration_new (engine, backend, vm, json);
          g_autoptr (Recorder) r = recorder_new (m);
          g_autoptr (VmmMigrationResult) result = vmm_migration_run_sync (m, NULL, &error);
          g_auto (Where) w = { 0 };

          g_assert_no_error (error);
          g_assert_cmpstr (vmm_migration_result_get_host (result), ==, target);
          govc_where (main_peer, vm, &w);
          g_assert_cmpstr (w.host, ==, target);
          resent |= recorder_has_warning (r, "sent once more on a new connection");
          moved_anyway |= recorder_has_warning (r, "vCenter shows the VM moved anyway");
        }
      g_clear_object (&backend);
      proxy_count (log, &relayed, &dropped, &reused, &fresh_after_drop);
      /* every relocation reached vcsim once, whatever happened on the way */
      g_assert_cmpuint (relayed, ==, n_moves);
      if (g_str_equal (modes[i], "close-idle"))
        {
          /* no call was ever sent on a connection the server had closed */
          g_assert_cmpuint (reused, ==, 0);
          g_assert_cmpuint (dropped, ==, 0);
          g_assert_false (resent);
        }
      else
        {
          /* the connection was dropped once, under a RelocateVM_Task sent
           * on a kept-alive connection */
          g_assert_cmpuint (reused, >, 0);
          g_assert_cmpuint (dropped, ==, 1);
          g_assert_true (resent == g_str_equal (modes[i], "drop-before"));
          /* sent again on a connection of its own */
          g_assert_true (fresh_after_drop == g_str_equal (modes[i], "drop-before"));
          g_assert_true (moved_anyway == g_str_equal (modes[i], "drop-after"));
        }
      close (stdin_fd);
      kill (pid, SIGTERM);
      waitpid (pid, NULL, 0);
      g_spawn_close_pid (pid);
    }
}

static void
test_http_scheme (void)
{
  Peer *peer = peer_start_mode ("http", "http", NULL);
  g_autofree char *uri = g_strdup_printf ("vsphere+http://127.0.0.1:%s/sdk?credentials=%s",
                                          peer_get (peer, "VCSIM_PORT"), peer->credentials);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = vmm_backend_open (uri, NULL, &error);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmVmInfo) before = NULL;
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *json = NULL;
  const char *target;
  g_auto (Where) w = { 0 };

  g_assert_no_error (error);
  g_assert_true (VMM_IS_VSPHERE_BACKEND (backend));
  before = backend_vm (backend, "DC0_C0_RP0_VM0");
  target = other_cluster_host (vmm_vm_info_get_host (before));
  json = g_strdup_printf ("{\"host\": \"%s\"}", target);
  m = migration_new (engine, backend, "DC0_C0_RP0_VM0", json);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, target);
  govc_where (peer, "DC0_C0_RP0_VM0", &w);
  g_assert_cmpstr (w.host, ==, target);
  g_clear_object (&m);
  g_clear_object (&backend);
  peer_free (peer);
}

/* RelocateVM_Task to a pool that vcsim no longer has (destroyed after the
 * engine read the inventory): vcsim's handler crashes, the connection drops
 * with no answer, the task it created runs forever. The backend finds that
 * task, gives up after task-timeout, and names where the VM really is. */
static void
test_nonexistent_target (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, "task-timeout=2&poll-ms=100");
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmVmInfo) before = backend_vm (backend, "DC0_C0_RP0_VM0");
  g_autoptr (VmmMigration) m = migration_new (engine, backend, "DC0_C0_RP0_VM0",
                                              "{\"resource-pool\": \"DC0_C0/Resources/Doomed\"}");
  g_autoptr (Recorder) r = recorder_new (m);
  const char *const destroy[] = { "pool.destroy", "/DC0/host/DC0_C0/Resources/Doomed", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *where = NULL;
  g_auto (Where) w = { 0 };

  GOVC_DO (main_peer, "pool.create", "/DC0/host/DC0_C0/Resources/Doomed", NULL);
  r->peer = main_peer;
  r->hook_at = g_strdup ("SwitchHostAndPool");
  r->hook_argv = destroy;
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_null (result);
  g_test_message ("%s", error->message);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "still running"));
  g_assert_true (recorder_has_warning (r, "did not answer RelocateVM_Task"));
  govc_where (main_peer, "DC0_C0_RP0_VM0", &w);
  g_assert_cmpstr (w.pool, ==, vmm_vm_info_get_resource_pool (before));
  g_assert_cmpstr (w.host, ==, vmm_vm_info_get_host (before));
  where = g_strdup_printf ("vCenter shows the VM on host '%s', resource pool '%s'", w.host, w.pool);
  g_assert_nonnull (strstr (error->message, where));
}

/* A VM whose RelocateVM_Task is disabled (vcsim -load of an inventory with
 * disabledMethod): MethodDisabled, mapped with vCenter's message, the VM in
 * place, other VMs still move. */
/* In the saved inventory INV, VMware Tools run in the VM whose methods are
 * disabled (so that PowerOffVm asks the guest to shut down). */
static void
tools_running_where_disabled (const char *inv)
{
  g_autoptr (GDir) dir = g_dir_open (inv, 0, NULL);
  const char *name;
  guint edited = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (inv, name, NULL);
      g_autofree char *text = NULL;
      g_auto (GStrv) parts = NULL;
      g_autofree char *edited_text = NULL;

      if (strstr (name, "-VirtualMachine-") == NULL
          || !g_file_get_contents (path, &text, NULL, NULL)
          || strstr (text, "RelocateVMTask") == NULL)
        continue;
      parts = g_strsplit (text, "guestToolsNotRunning", -1);
      g_assert_cmpuint (g_strv_length (parts), ==, 2);
      edited_text = g_strjoinv ("guestToolsRunning", parts);
      g_assert_true (g_file_set_contents (path, edited_text, -1, NULL));
      edited++;
    }
  g_assert_cmpuint (edited, ==, 1);
}

static void
test_method_disabled (void)
{
  const char *const a_args[] = { "-ds", "2", "-pool", "1", NULL };
  Peer *a = peer_start ("disabled-src", a_args);
  g_autofree char *inv = g_build_filename (workdir, "disabled-inventory", NULL);
  g_autofree char *script = script_path ("vcsim-disable-method.sh");
  const char *dargv[]
      = { script, a->statedir, inv, "RelocateVM_Task", "/DC0/vm/DC0_C0_RP0_VM0", NULL };
  g_auto (GStrv) env = script_env ();
  const char *b_args[] = { "-load", inv, NULL };
  Peer *b;
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmVmInfo) before = NULL;
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  g_auto (Where) w = { 0 };

  g_free (run_or_die (dargv, env));
  peer_free (a);
  tools_running_where_disabled (inv);
  b = peer_start ("disabled", b_args);
  backend = backend_open (b, NULL);
  before = backend_vm (backend, "DC0_C0_RP0_VM0");
  json = g_strdup_printf ("{\"host\": \"%s\"}", other_cluster_host (vmm_vm_info_get_host (before)));
  m = migration_new (engine, backend, "DC0_C0_RP0_VM0", json);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_null (result);
  g_test_message ("%s", error->message);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "MethodDisabled"));
  g_assert_nonnull (strstr (error->message, "method is disabled: RelocateVM_Task"));
  govc_where (b, "DC0_C0_RP0_VM0", &w);
  g_assert_cmpstr (w.host, ==, vmm_vm_info_get_host (before));
  {
    g_autofree char *where = g_strdup_printf ("vCenter shows the VM on host '%s'", w.host);

    g_assert_nonnull (strstr (error->message, where));
  }
  g_clear_error (&error);

  /* a cold restart whose relocation fails after PowerOffVm: the rollback
   * starts the VM again on its source host */
  {
    g_autofree char *json3 = g_strdup_printf (
        "{\"host\": \"%s\", \"migration-type\": \"cold\", \"fallback-cold\": true}",
        other_cluster_host (vmm_vm_info_get_host (before)));
    g_autoptr (VmmMigration) m3 = migration_new (engine, backend, "DC0_C0_RP0_VM0", json3);
    g_autoptr (VmmMigrationResult) r3 = NULL;
    g_autofree char *events = NULL;
    const char *off;
    g_auto (Where) w3 = { 0 };

    g_assert_cmpstr (w.power, ==, "poweredOn");
    r3 = vmm_migration_run_sync (m3, NULL, &error);
    g_assert_null (r3);
    g_test_message ("%s", error->message);
    g_assert_error (error, VMM_ERROR, VMM_ERROR_PERMISSION_DENIED);
    g_assert_nonnull (strstr (error->message, "method is disabled: RelocateVM_Task"));
    /* it was stopped for the move and started again (vcsim's events) */
    events = govc (b, "events", "-n", "10", "/DC0/vm/DC0_C0_RP0_VM0", NULL);
    g_test_message ("%s", events);
    /* gracefully: VMware Tools run in this one */
    g_assert_nonnull (strstr (events, "Guest OS shut down for DC0_C0_RP0_VM0"));
    off = strstr (events, "is powered off");
    g_assert_nonnull (off);
    g_assert_nonnull (strstr (off, "is powered on"));
    govc_where (b, "DC0_C0_RP0_VM0", &w3);
    g_assert_cmpstr (w3.host, ==, vmm_vm_info_get_host (before));
    g_assert_cmpstr (w3.power, ==, "poweredOn");
    g_assert_cmpint (vmm_migration_get_state (m3), ==, VMM_MIGRATION_STATE_FAILED);
    g_clear_error (&error);
  }

  /* another VM of the same vcsim still moves */
  {
    g_autoptr (VmmVmInfo) other = backend_vm (backend, "DC0_C0_RP0_VM1");
    g_autofree char *json2
        = g_strdup_printf ("{\"host\": \"%s\"}", other_cluster_host (vmm_vm_info_get_host (other)));
    g_autoptr (VmmMigration) m2 = migration_new (engine, backend, "DC0_C0_RP0_VM1", json2);
    g_autoptr (VmmMigrationResult) r2 = vmm_migration_run_sync (m2, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (vmm_migration_result_get_moved (r2));
  }
  g_clear_object (&backend);
  peer_free (b);
}

/* vcsim delays every RelocateVM_Task by 1.5 s: progress still ends at 100%,
 * and a cancellation during the move is answered honestly (vCenter completes
 * it; vcsim has no CancelTask), while one before the move stops it. */
static void
test_latency (void)
{
  const char *const args[]
      = { "-ds", "2", "-pool", "1", "-method-delay", "RelocateVM_Task:1500", NULL };
  Peer *peer = peer_start ("latency", args);
  g_autoptr (VmmBackend) backend = backend_open (peer, NULL);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;

  /* progress */
  {
    g_autoptr (VmmVmInfo) before = backend_vm (backend, "DC0_C0_RP0_VM0");
    const char *target = other_cluster_host (vmm_vm_info_get_host (before));
    g_autofree char *json = g_strdup_printf ("{\"host\": \"%s\"}", target);
    g_autoptr (VmmMigration) m = migration_new (engine, backend, "DC0_C0_RP0_VM0", json);
    g_autoptr (Recorder) r = recorder_new (m);
    gint64 start = g_get_monotonic_time ();
    g_autoptr (VmmMigrationResult) result = vmm_migration_run_sync (m, NULL, &error);
    gint64 took_ms = (g_get_monotonic_time () - start) / 1000;
    g_auto (Where) w = { 0 };

    g_assert_no_error (error);
    g_assert_cmpstr (vmm_migration_result_get_host (result), ==, target);
    g_test_message ("delayed host move took %" G_GINT64_FORMAT " ms, %u progress reports", took_ms,
                    r->n_progress);
    g_assert_cmpint (took_ms, >=, 1500); /* the delay happened: this was the delayed vcsim */
    g_assert_cmpuint (r->n_progress, >, 1);
    g_assert_cmpfloat (r->last_fraction, ==, 1.0);
    g_assert_cmpuint (r->bytes_done, ==, r->bytes_total);
    govc_where (peer, "DC0_C0_RP0_VM0", &w);
    g_assert_cmpstr (w.host, ==, target);
  }

  /* the client gives up (1 s I/O timeout) before vcsim's delayed call runs:
   * no answer and no task yet; the backend keeps looking, sees the VM at
   * its target when vcsim moves it, and says so */
  {
    g_autoptr (VmmBackend) impatient = backend_open (peer, "timeout=1&poll-ms=100");
    g_autoptr (VmmVmInfo) before = backend_vm (impatient, "DC0_C0_RP0_VM0");
    const char *target = other_cluster_host (vmm_vm_info_get_host (before));
    g_autofree char *json = g_strdup_printf ("{\"host\": \"%s\"}", target);
    g_autoptr (VmmMigration) m = migration_new (engine, impatient, "DC0_C0_RP0_VM0", json);
    g_autoptr (Recorder) r = recorder_new (m);
    g_autoptr (VmmMigrationResult) result = vmm_migration_run_sync (m, NULL, &error);
    g_auto (Where) w = { 0 };

    g_assert_no_error (error);
    g_assert_true (recorder_has_warning (r, "vCenter shows the VM moved anyway"));
    g_assert_cmpstr (vmm_migration_result_get_host (result), ==, target);
    govc_where (peer, "DC0_C0_RP0_VM0", &w);
    g_assert_cmpstr (w.host, ==, target);
  }

  /* cancelled while the storage move is in flight: vCenter completes it */
  {
    g_autoptr (VmmVmInfo) before = backend_vm (backend, "DC0_C0_RP0_VM1");
    const char *target = other_datastore (vmm_vm_info_get_datastore (before));
    g_autofree char *json = g_strdup_printf ("{\"datastore\": \"%s\"}", target);
    g_autoptr (VmmMigration) m = migration_new (engine, backend, "DC0_C0_RP0_VM1", json);
    g_autoptr (Recorder) r = recorder_new (m);
    g_autoptr (VmmMigrationResult) result = NULL;
    g_auto (Where) w = { 0 };

    r->cancel_at = g_strdup ("InitiateSource");
    r->cancel_delay_ms = 300;
    result = vmm_migration_run_sync (m, r->cancellable, &error);
    g_assert_no_error (error);
    g_assert_true (g_cancellable_is_cancelled (r->cancellable));
    g_assert_true (recorder_has_warning (r, "cancellation requested"));
    g_assert_cmpstr (vmm_migration_result_get_datastore (result), ==, target);
    govc_where (peer, "DC0_C0_RP0_VM1", &w);
    g_assert_cmpstr (w.datastore, ==, target);
  }

  /* a live host move cancelled in flight: the backend cannot abort it
   * (no ABORT capability), the engine says so and the move completes */
  {
    g_autoptr (VmmVmInfo) before = backend_vm (backend, "DC0_C0_RP0_VM0");
    const char *target = other_cluster_host (vmm_vm_info_get_host (before));
    g_autofree char *json = g_strdup_printf ("{\"host\": \"%s\"}", target);
    g_autoptr (VmmMigration) m = migration_new (engine, backend, "DC0_C0_RP0_VM0", json);
    g_autoptr (Recorder) r = recorder_new (m);
    g_autoptr (VmmMigrationResult) result = NULL;
    g_auto (Where) w = { 0 };

    r->cancel_at = g_strdup ("InitiateSource");
    r->cancel_delay_ms = 300;
    result = vmm_migration_run_sync (m, r->cancellable, &error);
    g_assert_no_error (error);
    g_assert_true (g_cancellable_is_cancelled (r->cancellable));
    g_assert_true (recorder_has_warning (r, "cannot abort"));
    g_assert_cmpstr (vmm_migration_result_get_host (result), ==, target);
    govc_where (peer, "DC0_C0_RP0_VM0", &w);
    g_assert_cmpstr (w.host, ==, target);
  }

  /* a cold move cancelled while vCenter relocates: the relocation completes,
   * then the rollback relocates the VM back where it was */
  {
    g_autoptr (VmmVmInfo) before = NULL;
    g_autofree char *json = NULL;
    g_autoptr (VmmMigration) m = NULL;
    g_autoptr (Recorder) r = NULL;
    g_autoptr (VmmMigrationResult) result = NULL;
    g_auto (Where) w = { 0 };

    GOVC_DO (peer, "vm.power", "-off", "/DC0/vm/DC0_H0_VM1", NULL);
    before = backend_vm (backend, "DC0_H0_VM1");
    json = g_strdup_printf ("{\"datastore\": \"%s\"}",
                            other_datastore (vmm_vm_info_get_datastore (before)));
    m = migration_new (engine, backend, "DC0_H0_VM1", json);
    r = recorder_new (m);
    r->cancel_at = g_strdup ("SwitchHostAndPool");
    r->cancel_delay_ms = 300;
    result = vmm_migration_run_sync (m, r->cancellable, &error);
    g_assert_null (result);
    g_test_message ("%s", error->message);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_true (recorder_has_warning (r, "cancellation requested"));
    govc_where (peer, "DC0_H0_VM1", &w);
    g_assert_cmpstr (w.datastore, ==, vmm_vm_info_get_datastore (before));
    g_assert_cmpstr (w.host, ==, vmm_vm_info_get_host (before));
    g_assert_cmpstr (w.pool, ==, vmm_vm_info_get_resource_pool (before));
  }

  /* cancelled before the move starts: nothing moves */
  {
    g_autoptr (VmmVmInfo) before = backend_vm (backend, "DC0_H0_VM0");
    g_autofree char *json = g_strdup_printf ("{\"datastore\": \"%s\"}",
                                             other_datastore (vmm_vm_info_get_datastore (before)));
    g_autoptr (VmmMigration) m = migration_new (engine, backend, "DC0_H0_VM0", json);
    g_autoptr (Recorder) r = recorder_new (m);
    g_autoptr (VmmMigrationResult) result = NULL;
    g_auto (Where) w = { 0 };

    r->cancel_at = g_strdup ("ComputeSpec");
    r->cancel_delay_ms = 0;
    result = vmm_migration_run_sync (m, r->cancellable, &error);
    g_assert_null (result);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    govc_where (peer, "DC0_H0_VM0", &w);
    g_assert_cmpstr (w.datastore, ==, vmm_vm_info_get_datastore (before));
    g_assert_cmpstr (w.host, ==, vmm_vm_info_get_host (before));
  }
  g_clear_object (&backend);
  peer_free (peer);
}

/* --- secrets: the password and the session cookie never show --- */

static GString *captured_log; /* every log line while a test captures */
static GMutex captured_lock;

static GLogWriterOutput
capture_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  g_mutex_lock (&captured_lock);
  if (captured_log != NULL)
    {
      for (gsize i = 0; i < n_fields; i++)
        {
          if (fields[i].length < 0)
            g_string_append_printf (captured_log, "%s=%s ", fields[i].key,
                                    (const char *)fields[i].value);
          else
            {
              g_string_append_printf (captured_log, "%s=", fields[i].key);
              g_string_append_len (captured_log, fields[i].value, fields[i].length);
              g_string_append_c (captured_log, ' ');
            }
        }
      g_string_append_c (captured_log, '\n');
    }
  g_mutex_unlock (&captured_lock);
  /* while capturing, debug and info lines (G_MESSAGES_DEBUG=all) are kept
   * out of the TAP stream on stdout, where GLib would print them */
  if (captured_log != NULL && (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* The session keys (= vmware_soap_session cookie values in vcsim) of the
 * backend's sessions, added to SECRETS. */
static guint
collect_session_keys (Peer *peer, GPtrArray *secrets)
{
  g_autoptr (GPtrArray) keys = our_session_keys (peer);

  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);

      g_assert_cmpuint (strlen (key), >=, 8);
      if (!g_ptr_array_find_with_equal_func (secrets, key, g_str_equal, NULL))
        g_ptr_array_add (secrets, g_strdup (key));
    }
  return keys->len;
}

/* Whether DATA (binary, LEN bytes) contains NEEDLE. */
static gboolean
bytes_contain (const char *data, gsize len, const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; n > 0 && i + n <= len; i++)
    if (data[i] == needle[0] && memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static void
assert_no_secret (const char *what, const char *data, gsize len, GPtrArray *secrets)
{
  g_assert_nonnull (data);
  for (guint i = 0; i < secrets->len; i++)
    {
      const char *secret = g_ptr_array_index (secrets, i);

      if (bytes_contain (data, len, secret))
        g_error ("%s contains secret #%u (%zu bytes searched)", what, i, len);
    }
  if (bytes_contain (data, len, "vmware_soap_session"))
    g_error ("%s contains the session cookie's name", what);
}

/* The journal's database file and its side files. */
static void
assert_journal_clean (const char *path, GPtrArray *secrets)
{
  const char *const suffixes[] = { "", "-wal", "-journal", "-shm", NULL };
  guint read = 0;

  for (guint i = 0; suffixes[i] != NULL; i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (!g_file_get_contents (file, &data, &len, NULL))
        continue;
      assert_no_secret (file, data, len, secrets);
      read++;
    }
  g_assert_cmpuint (read, >=, 1);
}

/* vmmigrate --json ARGS with ENV (G_MESSAGES_DEBUG=all); returns stdout +
 * stderr and the exit status. */
static char *
run_vmmigrate (char **env, const char *const *args, int *status)
{
  const char *builddir = g_getenv ("G_TEST_BUILDDIR");
  g_autofree char *exe = g_build_filename (builddir, "..", "examples", "vmmigrate", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE));
  g_ptr_array_add (argv, exe);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, status, &error));
  g_assert_no_error (error);
  return g_strconcat (out, "\n", err, NULL);
}

/* --- crash recovery --- */

/* vmm_backend_locate_vm(): after govc moved a VM, the backend finds it on
 * its new host, running there, with its disks where govc says they are. */
static void
test_locate_vm (void)
{
  g_autoptr (VmmBackend) backend = backend_open (main_peer, NULL);
  g_autoptr (VmmVmInfo) before = backend_vm (backend, "DC0_C0_RP0_VM1");
  const char *target = other_cluster_host (vmm_vm_info_get_host (before));
  g_autofree char *host_path = g_strdup_printf ("/DC0/host/DC0_C0/%s", target);
  g_autoptr (GHashTable) disks = NULL;
  g_autoptr (VmmVmLocation) location = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *evidence = NULL;
  g_autofree char *expected = NULL;
  GPtrArray *ldisks;

  GOVC_DO (main_peer, "vm.migrate", "-host", host_path, "DC0_C0_RP0_VM1", NULL);
  location = vmm_backend_locate_vm (backend, "DC0_C0_RP0_VM1", NULL, &error);
  g_assert_no_error (error);
  evidence = vmm_vm_location_get_evidence (location);
  g_test_message ("%s", evidence);
  expected = g_strdup_printf ("the manager's record names host '%s' for VM 'DC0_C0_RP0_VM1'; the "
                              "hypervisors have it defined on [%s] and running on [%s]",
                              target, target, target);
  g_assert_cmpstr (evidence, ==, expected);
  g_assert_true (vmm_vm_location_is_consistent (location));
  disks = govc_disks (main_peer, "DC0_C0_RP0_VM1");
  ldisks = vmm_vm_location_get_disks (location);
  g_assert_cmpuint (ldisks->len, >, 0);
  g_assert_cmpuint (ldisks->len, ==, g_hash_table_size (disks));
  for (guint i = 0; i < ldisks->len; i++)
    {
      VmmDiskInfo *d = g_ptr_array_index (ldisks, i);

      g_assert_cmpstr (vmm_disk_info_get_path (d), ==,
                       g_hash_table_lookup (disks, vmm_disk_info_get_key (d)));
    }
  /* a VM vCenter does not have */
  g_clear_object (&location);
  location = vmm_backend_locate_vm (backend, "no-such-vm", NULL, &error);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND);
  g_assert_null (location);
}

/* A crashed engine, in-process: engine A runs the move in a main context of
 * its own (with a backend of its own, as a process would), which is no
 * longer iterated once FROZEN says so: as if killed. Engine B recovers with
 * another journal connection to the same SQLite file and another backend on
 * the same URI. */
typedef struct
{
  const char *at; /* freeze when this action starts ... */
  gboolean started;
  VmmJournal *journal; /* ... or once a task id is in this journal */
} Freeze;

static void
on_freeze_action (VmmMigration *m, VmmAction *action, Freeze *f)
{
  if (f->at != NULL && g_strcmp0 (vmm_action_get_name (action), f->at) == 0)
    f->started = TRUE;
}

static gboolean
journal_has_task (VmmJournal *journal)
{
  g_auto (GStrv) ids = vmm_journal_list_unfinished (journal, NULL);

  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      g_autoptr (GPtrArray) records = vmm_journal_list_records (journal, ids[i], NULL);

      for (guint j = 0; records != NULL && j < records->len; j++)
        {
          VmmJournalRecord *rec = g_ptr_array_index (records, j);

          if (g_strcmp0 (vmm_journal_record_get_kind (rec), "recovery-data") == 0
              && strstr (vmm_journal_record_get_data (rec), "task") != NULL)
            return TRUE;
        }
    }
  return FALSE;
}

static char *
journal_file (void)
{
  static guint n;

  return g_strdup_printf ("%s/journal-%u.db", workdir, ++n);
}

/* Starts the move in engine A and freezes it; returns the frozen objects
 * (kept, never iterated again). */
static GPtrArray *
crash_during (Peer *peer, const char *db, const char *vm, const char *json, Freeze *f)
{
  GMainContext *ctx = g_main_context_new ();
  GPtrArray *frozen = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  VmmJournal *journal;
  /* opened (a synchronous login) before A's context is pushed */
  VmmBackend *backend = backend_open (peer, NULL);
  VmmEngine *engine;
  VmmMigration *m;

  g_main_context_push_thread_default (ctx);
  journal = vmm_journal_new_sqlite (db, &error);
  g_assert_no_error (error);
  engine = vmm_engine_new ();
  vmm_engine_set_journal (engine, journal);
  m = migration_new (engine, backend, vm, json);
  g_signal_connect (m, "action-started", G_CALLBACK (on_freeze_action), f);
  vmm_migration_run_async (m, NULL, NULL, NULL);
  while (f->at != NULL ? !f->started : !journal_has_task (f->journal))
    g_main_context_iteration (ctx, TRUE);
  g_signal_handlers_disconnect_by_data (m, f);
  g_main_context_pop_thread_default (ctx);
  g_ptr_array_add (frozen, m);
  g_ptr_array_add (frozen, engine);
  g_ptr_array_add (frozen, backend);
  g_ptr_array_add (frozen, journal);
  g_ptr_array_add (frozen, ctx);
  return frozen;
}

static void
wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/* Engine B: recovers every unfinished move of the journal; returns the one
 * entry. */
static VmmRecoveryEntry *
recover_with_new_engine (Peer *peer, const char *db)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmJournal) journal = vmm_journal_new_sqlite (db, &error);
  g_autoptr (VmmBackend) backend = backend_open (peer, NULL);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_auto (GStrv) unfinished = NULL;
  VmmRecoveryEntry *e;

  g_assert_no_error (error);
  vmm_engine_set_journal (engine, journal);
  vmm_engine_recover_async (engine, backend, NULL, wait_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  entries = vmm_engine_recover_finish (engine, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  e = g_object_ref (g_ptr_array_index (entries, 0));
  g_test_message ("recovery: %s", vmm_recovery_entry_get_facts (e));
  if (vmm_recovery_entry_get_outcome (e) != VMM_RECOVERY_NEEDS_ATTENTION)
    {
      unfinished = vmm_journal_list_unfinished (journal, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_strv_length (unfinished), ==, 0);
    }
  return e;
}

static void
frozen_free (GPtrArray *frozen)
{
  /* engine A is dead: its objects are dropped without running anything */
  g_ptr_array_unref (frozen);
}

/* A cold restart to a cluster host the VM is not on. */
static char *
cold_restart_json (const char *host)
{
  return g_strdup_printf (
      "{\"host\": \"%s\", \"migration-type\": \"cold\", \"fallback-cold\": true}",
      other_cluster_host (host));
}

/* A cold restart killed before RelocateVM_Task (PowerOffVm done): undone,
 * the VM on its source host and running again. */
static void
test_recover_before_relocate (void)
{
  g_autofree char *db = journal_file ();
  Freeze f = { "SwitchHostAndPool" };
  g_autoptr (VmmRecoveryEntry) e = NULL;
  g_auto (Where) was = { 0 };
  g_auto (Where) w = { 0 };
  GPtrArray *frozen;

  g_autofree char *json = NULL;

  govc_where (main_peer, "DC0_H0_VM1", &was);
  if (g_strcmp0 (was.power, "poweredOn") != 0)
    GOVC_DO (main_peer, "vm.power", "-on", "DC0_H0_VM1", NULL);
  json = cold_restart_json (was.host);
  frozen = crash_during (main_peer, db, "DC0_H0_VM1", json, &f);
  /* what the dead engine left: the VM stopped on its source */
  govc_where (main_peer, "DC0_H0_VM1", &w);
  g_assert_cmpstr (w.host, ==, was.host);
  g_assert_cmpstr (w.power, ==, "poweredOff");
  where_clear (&w);

  e = recover_with_new_engine (main_peer, db);
  g_assert_cmpint (vmm_recovery_entry_get_outcome (e), ==, VMM_RECOVERY_ON_SOURCE);
  g_assert_cmpstr (vmm_recovery_entry_get_host (e), ==, was.host);
  g_assert_nonnull (strstr (vmm_recovery_entry_get_facts (e), "PowerOffVm"));
  govc_where (main_peer, "DC0_H0_VM1", &w);
  g_assert_cmpstr (w.host, ==, was.host);
  g_assert_cmpstr (w.pool, ==, was.pool);
  g_assert_cmpstr (w.datastore, ==, was.datastore);
  g_assert_cmpstr (w.power, ==, "poweredOn");
  frozen_free (frozen);
}

/* A live move of DC0_C0_RP0_VM0 killed at F, which vCenter finished (or
 * had finished): the engine finishes it on the destination. */
static void
recover_live_move (Freeze *f, const char *db, const char *phase)
{
  g_autoptr (VmmRecoveryEntry) e = NULL;
  g_auto (Where) was = { 0 };
  g_auto (Where) w = { 0 };
  g_autofree char *json = NULL;
  const char *target;
  GPtrArray *frozen;

  govc_where (main_peer, "DC0_C0_RP0_VM0", &was);
  g_assert_cmpstr (was.power, ==, "poweredOn");
  target = other_cluster_host (was.host);
  json = g_strdup_printf ("{\"host\": \"%s\"}", target);
  frozen = crash_during (main_peer, db, "DC0_C0_RP0_VM0", json, f);

  e = recover_with_new_engine (main_peer, db);
  g_assert_nonnull (strstr (vmm_recovery_entry_get_facts (e), phase));
  g_assert_cmpint (vmm_recovery_entry_get_outcome (e), ==, VMM_RECOVERY_ON_DESTINATION);
  g_assert_cmpstr (vmm_recovery_entry_get_host (e), ==, target);
  govc_where (main_peer, "DC0_C0_RP0_VM0", &w);
  g_assert_cmpstr (w.host, ==, target);
  g_assert_cmpstr (w.power, ==, "poweredOn");
  frozen_free (frozen);
}

/* Killed while RelocateVM_Task ran (its task id journaled, its end not):
 * vCenter finished it, so the VM runs on the destination only. */
static void
test_recover_during_relocate (void)
{
  g_autofree char *db = journal_file ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmJournal) watch = vmm_journal_new_sqlite (db, &error);
  Freeze f = { NULL, FALSE, watch };

  g_assert_no_error (error);
  recover_live_move (&f, db, "during the switch-over");
}

/* Killed after the relocation (in CompleteDestination). */
static void
test_recover_after_relocate (void)
{
  g_autofree char *db = journal_file ();
  Freeze f = { "CompleteDestination" };

  recover_live_move (&f, db, "past the switch-over");
}

/* A cold restart killed in PowerOnVm (relocated, not started yet): a cold
 * move has no switch-over, so the engine undoes it — relocated back and
 * started on its source, verified through govc. */
static void
test_recover_cold_restart_power_on (void)
{
  g_autofree char *db = journal_file ();
  Freeze f = { "PowerOnVm" };
  g_autoptr (VmmRecoveryEntry) e = NULL;
  g_auto (Where) was = { 0 };
  g_auto (Where) w = { 0 };
  GPtrArray *frozen;

  g_autofree char *json = NULL;

  govc_where (main_peer, "DC0_H0_VM1", &was);
  g_assert_cmpstr (was.power, ==, "poweredOn");
  json = cold_restart_json (was.host);
  frozen = crash_during (main_peer, db, "DC0_H0_VM1", json, &f);
  govc_where (main_peer, "DC0_H0_VM1", &w);
  g_assert_cmpstr (w.host, ==, other_cluster_host (was.host));
  g_assert_cmpstr (w.power, ==, "poweredOff");
  where_clear (&w);

  e = recover_with_new_engine (main_peer, db);
  g_assert_cmpint (vmm_recovery_entry_get_outcome (e), ==, VMM_RECOVERY_ON_SOURCE);
  g_assert_cmpstr (vmm_recovery_entry_get_host (e), ==, was.host);
  govc_where (main_peer, "DC0_H0_VM1", &w);
  g_assert_cmpstr (w.host, ==, was.host);
  g_assert_cmpstr (w.pool, ==, was.pool);
  g_assert_cmpstr (w.datastore, ==, was.datastore);
  g_assert_cmpstr (w.power, ==, "poweredOn");
  frozen_free (frozen);
}

static void
test_secrets (void)
{
  g_autoptr (GPtrArray) secrets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) errors = g_string_new (NULL);
  g_autofree char *journal_path = g_build_filename (main_peer->statedir, "secrets.sqlite", NULL);
  g_autoptr (VmmJournal) journal = NULL;
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *bad_cred = g_build_filename (main_peer->statedir, "secrets-bad.ini", NULL);
  const char *bad_password = "Wrong-Pass-9f3c2e1d";
  g_autofree char *bad_text = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *logs = NULL;
  g_auto (GStrv) env = NULL;
  const char *previous_debug = g_getenv ("G_MESSAGES_DEBUG");
  g_autofree char *saved_debug = g_strdup (previous_debug);

  g_ptr_array_add (secrets, g_strdup (peer_get (main_peer, "VCSIM_PASSWORD")));
  g_ptr_array_add (secrets, g_strdup (bad_password));
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_mutex_lock (&captured_lock);
  captured_log = g_string_new (NULL);
  g_mutex_unlock (&captured_lock);

  /* a successful move and a session-expiry re-login, with the SQLite journal */
  journal = vmm_journal_new_sqlite (journal_path, &error);
  g_assert_no_error (error);
  vmm_engine_set_journal (engine, journal);
  backend = backend_open (main_peer, NULL);
  {
    g_autoptr (VmmVmInfo) vm = backend_vm (backend, "DC0_C0_RP0_VM1");
    g_autofree char *json
        = g_strdup_printf ("{\"host\": \"%s\"}", other_cluster_host (vmm_vm_info_get_host (vm)));
    g_autoptr (VmmMigration) m = migration_new (engine, backend, "DC0_C0_RP0_VM1", json);
    g_autoptr (VmmMigrationResult) result = NULL;

    g_assert_cmpuint (collect_session_keys (main_peer, secrets), ==, 1);
    result = vmm_migration_run_sync (m, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (kill_our_sessions (main_peer), ==, 1);
  }
  {
    g_autoptr (VmmVmInfo) vm = NULL;
    g_autofree char *json = NULL;
    g_autoptr (VmmMigration) m = NULL;
    g_autoptr (Recorder) r = NULL;
    g_autoptr (VmmMigrationResult) result = NULL;

    vm = backend_vm (backend, "DC0_C0_RP0_VM1"); /* logs in again */
    g_assert_cmpuint (vmm_vsphere_backend_get_n_logins (VMM_VSPHERE_BACKEND (backend)), ==, 2);
    g_assert_cmpuint (collect_session_keys (main_peer, secrets), ==, 1);
    json = g_strdup_printf ("{\"host\": \"%s\"}", other_cluster_host (vmm_vm_info_get_host (vm)));
    m = migration_new (engine, backend, "DC0_C0_RP0_VM1", json);
    r = recorder_new (m);
    r->peer = main_peer;
    r->hook_at = g_strdup ("InitiateSource");
    r->hook_fn = hook_kill_sessions; /* NotAuthenticated on RelocateVM_Task */
    result = vmm_migration_run_sync (m, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (vmm_vsphere_backend_get_n_logins (VMM_VSPHERE_BACKEND (backend)), ==, 3);
    g_assert_cmpuint (collect_session_keys (main_peer, secrets), ==, 1);
    for (guint i = 0; i < r->warnings->len; i++)
      g_string_append_printf (errors, "%s\n", (char *)g_ptr_array_index (r->warnings, i));
  }
  g_clear_object (&backend);
  /* 2 passwords + 3 sessions */
  g_assert_cmpuint (secrets->len, ==, 5);

  /* a bad password: the GError */
  bad_text = g_strdup_printf ("[vsphere]\nuser=%s\npassword=%s\n",
                              peer_get (main_peer, "VCSIM_USERNAME"), bad_password);
  g_assert_true (g_file_set_contents (bad_cred, bad_text, -1, NULL));
  {
    g_autofree char *bad_uri
        = peer_uri (main_peer, bad_cred, peer_get (main_peer, "VCSIM_CA_FILE"), NULL);
    g_autoptr (VmmBackend) bad = vmm_backend_open (bad_uri, NULL, &error);

    g_assert_null (bad);
    g_assert_error (error, VMM_ERROR, VMM_ERROR_PERMISSION_DENIED);
    g_string_append_printf (errors, "%s\n", error->message);
    g_clear_error (&error);
  }

  /* the command-line tool: a move with the key file, a bad password from
   * the environment */
  env = g_get_environ ();
  env = g_environ_setenv (env, "G_MESSAGES_DEBUG", "all", TRUE);
  uri = peer_uri (main_peer, NULL, peer_get (main_peer, "VCSIM_CA_FILE"), NULL);
  {
    g_autoptr (VmmBackend) b = backend_open (main_peer, NULL);
    g_autoptr (VmmVmInfo) vm = backend_vm (b, "DC0_C0_RP0_VM1");
    g_autofree char *host
        = g_strdup_printf ("--host=%s", other_cluster_host (vmm_vm_info_get_host (vm)));
    const char *const args[] = { "--json", "-c", uri, "migrate", host, "DC0_C0_RP0_VM1", NULL };
    int status = 0;
    g_autofree char *out = run_vmmigrate (env, args, &status);
    g_auto (Where) w = { 0 };

    g_test_message ("vmmigrate migrate: %zu bytes of output", strlen (out));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (out, "vsphere: RetrievePropertiesEx")); /* debug lines are in */
    govc_where (main_peer, "DC0_C0_RP0_VM1", &w);
    g_assert_cmpstr (w.host, ==, host + strlen ("--host="));
    assert_no_secret ("vmmigrate --json migrate output", out, strlen (out), secrets);
  }
  {
    g_autofree char *plain = g_strdup_printf ("vsphere+https://127.0.0.1:%s/sdk?ca=%s",
                                              peer_get (main_peer, "VCSIM_PORT"),
                                              peer_get (main_peer, "VCSIM_CA_FILE"));
    const char *const args[] = { "--json", "-c", plain, "list-vms", NULL };
    g_auto (GStrv) bad_env = g_strdupv (env);
    int status = 0;
    g_autofree char *out = NULL;

    bad_env = g_environ_setenv (bad_env, "VMM_VSPHERE_USER", peer_get (main_peer, "VCSIM_USERNAME"),
                                TRUE);
    bad_env = g_environ_setenv (bad_env, "VMM_VSPHERE_PASSWORD", bad_password, TRUE);
    out = run_vmmigrate (bad_env, args, &status);
    g_test_message ("vmmigrate bad password: %s", out);
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (out, "InvalidLogin"));
    assert_no_secret ("vmmigrate --json output (bad password)", out, strlen (out), secrets);
  }

  /* the environment first: unsetting it logs a debug line, still captured */
  if (saved_debug != NULL)
    g_setenv ("G_MESSAGES_DEBUG", saved_debug, TRUE);
  else
    g_unsetenv ("G_MESSAGES_DEBUG");
  g_mutex_lock (&captured_lock);
  logs = g_string_free (g_steal_pointer (&captured_log), FALSE);
  g_mutex_unlock (&captured_lock);
  g_test_message ("captured %zu bytes of log, %zu of errors and warnings", strlen (logs),
                  errors->len);
  g_assert_nonnull (strstr (logs, "vsphere: RelocateVM_Task")); /* the client's debug lines */
  g_assert_nonnull (strstr (logs, "logging in again"));
  assert_no_secret ("the log", logs, strlen (logs), secrets);
  assert_no_secret ("the errors", errors->str, errors->len, secrets);
  g_clear_object (&engine);
  g_clear_object (&journal);
  assert_journal_clean (journal_path, secrets);
}

static void
stop_all (void)
{
  while (running_peers != NULL && running_peers->len > 0)
    peer_stop (g_ptr_array_index (running_peers, running_peers->len - 1));
}

static void
on_signal (int sig)
{
  stop_all ();
  signal (sig, SIG_DFL);
  raise (sig);
}

int
main (int argc, char **argv)
{
  const char *const args[] = { "-ds", "2", "-pool", "1", NULL };
  g_autoptr (GError) error = NULL;
  const char *base = g_getenv ("G_TEST_BUILDDIR");
  int ret;

  /* every log line passes here (the secrets test reads them) */
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  /* the test CA is ours: never let a system proxy or CA setting in */
  g_unsetenv ("https_proxy");
  g_unsetenv ("http_proxy");
  g_unsetenv ("VMM_VSPHERE_USER");
  g_unsetenv ("VMM_VSPHERE_PASSWORD");
  workdir = g_build_filename (base != NULL ? base : g_get_tmp_dir (), "vsphere-test-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (workdir));
  running_peers = g_ptr_array_new ();
  main_peer = peer_start ("main", args);
  /* a crashed or killed test program must not leave vcsim running */
  signal (SIGTERM, on_signal);
  signal (SIGINT, on_signal);
  signal (SIGABRT, on_signal);
  signal (SIGSEGV, on_signal);
  signal (SIGTRAP, on_signal);

  g_test_add_func ("/vsphere/inventory/facts", test_inventory);
  g_test_add_func ("/vsphere/inventory/iso", test_inventory_iso);
  g_test_add_func ("/vsphere/inventory/capabilities", test_capabilities);
  g_test_add_func ("/vsphere/move/host", test_move_host);
  g_test_add_func ("/vsphere/move/datastore", test_move_datastore);
  g_test_add_func ("/vsphere/move/pool", test_move_pool);
  g_test_add_func ("/vsphere/move/folder", test_move_folder);
  g_test_add_func ("/vsphere/move/all-three-powered-off", test_move_all_three_powered_off);
  g_test_add_func ("/vsphere/move/per-disk", test_move_per_disk);
  g_test_add_func ("/vsphere/move/cold-restart", test_move_cold_restart);
  g_test_add_func ("/vsphere/move/network-remap", test_move_network);
  g_test_add_func ("/vsphere/errors/bad-password", test_bad_password);
  g_test_add_func ("/vsphere/errors/fault-samples", test_fault_samples);
  g_test_add_func ("/vsphere/errors/ambiguous-name", test_ambiguous_name);
  g_test_add_func ("/vsphere/errors/connection-refused", test_connection_refused);
  g_test_add_func ("/vsphere/errors/tls", test_tls);
  g_test_add_func ("/vsphere/session/http-scheme", test_http_scheme);
  g_test_add_func ("/vsphere/session/expiry", test_session_expiry);
  g_test_add_func ("/vsphere/session/env-credentials-and-logout", test_env_credentials_and_logout);
  g_test_add_func ("/vsphere/errors/nonexistent-target", test_nonexistent_target);
  g_test_add_func ("/vsphere/errors/method-disabled", test_method_disabled);
  g_test_add_func ("/vsphere/errors/keep-source-disks", test_keep_source_disks_refused);
  g_test_add_func ("/vsphere/latency/progress-and-cancel", test_latency);
  g_test_add_func ("/vsphere/session/secrets", test_secrets);
  g_test_add_func ("/vsphere/session/kept-alive-closed", test_kept_alive_closed);
  g_test_add_func ("/vsphere/recovery/locate", test_locate_vm);
  g_test_add_func ("/vsphere/recovery/before-relocate", test_recover_before_relocate);
  g_test_add_func ("/vsphere/recovery/during-relocate", test_recover_during_relocate);
  g_test_add_func ("/vsphere/recovery/after-relocate", test_recover_after_relocate);
  g_test_add_func ("/vsphere/recovery/cold-restart-power-on", test_recover_cold_restart_power_on);
  ret = g_test_run ();
  peer_free (main_peer);
  main_peer = NULL;
  {
    /* vcsim.sh stop already removed vcsim's own files; drop the rest */
    const char *rm[] = { "rm", "-rf", workdir, NULL };

    if (!g_spawn_sync (NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                       &error))
      g_printerr ("removing %s: %s\n", workdir, error->message);
  }
  g_free (workdir);
  return ret;
}
