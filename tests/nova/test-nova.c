/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Nova backend against a real Nova and a real Keystone on loopback
 * (tests/nova/run-suite.sh starts them and exports their env.sh). */
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "vmm-nova-backend.h"

/* --- harness --- */

static VmmBackend *shared_backend;   /* nova://vmm-password, opened first */
static VmmBackend *appcred_backend;  /* nova://vmm-appcred, opened first */
static VmmBackend *password_backend; /* nova://vmm-password, opened first */
static gint64 shared_auth_time;
static guint server_seq;

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set: run this through tests/nova/run-suite.sh", name);
  return value;
}

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *w = user_data;

  w->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Wait *w)
{
  while (w->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return w->result;
}

static void
sleep_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
}

static VmmNovaClient *
client_of (VmmBackend *backend)
{
  return vmm_nova_backend_get_client (VMM_NOVA_BACKEND (backend));
}

/* One compute API call through the backend's client, waited for. */
static JsonNode *
nova_call (const char *method, const char *path, const char *body, const char *version,
           GError **error)
{
  g_autoptr (JsonNode) node = body != NULL ? json_from_string (body, NULL) : NULL;
  Wait w = { NULL };
  JsonNode *answer;

  vmm_nova_client_call_async (client_of (shared_backend), method, path, node, version,
                              VMM_NOVA_CALL_NONE, NULL, wait_cb, &w);
  answer = vmm_nova_client_call_finish (client_of (shared_backend), wait_for (&w), NULL, error);
  g_object_unref (w.result);
  return answer;
}

static JsonNode *
nova_ok (const char *method, const char *path, const char *body, const char *version)
{
  g_autoptr (GError) error = NULL;
  JsonNode *answer = nova_call (method, path, body, version, &error);

  g_assert_no_error (error);
  return answer;
}

/* The control API of the fake hypervisors (no auth, loopback). */
static void
control (const char *path, const char *body)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s%s", env ("NOVA_CONTROL_URL"), path);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) req = g_bytes_new (body, strlen (body));
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) error = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", req);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
}

typedef struct
{
  char *id;
  char *name;
} Server;

static void
server_free (Server *s)
{
  g_free (s->id);
  g_free (s->name);
  g_free (s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

static JsonObject *
get_server (const char *id, JsonNode **keep)
{
  g_autofree char *path = g_strdup_printf ("/servers/%s", id);

  *keep = nova_ok ("GET", path, NULL, "2.47");
  return json_object_get_object_member (json_node_get_object (*keep), "server");
}

static char *
server_field (const char *id, const char *member)
{
  g_autoptr (JsonNode) keep = NULL;
  JsonObject *s = get_server (id, &keep);

  return g_strdup (vmm_nova_json_string (s, member));
}

static void
wait_status (const char *id, const char *status)
{
  for (guint i = 0; i < 300; i++)
    {
      g_autoptr (JsonNode) keep = NULL;
      JsonObject *s = get_server (id, &keep);

      if (g_strcmp0 (vmm_nova_json_string (s, "status"), status) == 0
          && vmm_nova_json_string (s, "OS-EXT-STS:task_state") == NULL)
        return;
      if (g_strcmp0 (vmm_nova_json_string (s, "status"), "ERROR") == 0)
        g_error ("server %s went to ERROR", id);
      sleep_ms (100);
    }
  g_error ("server %s never reached %s", id, status);
}

/* Boots a server on HOST (2.74), with the fake hypervisor's MODE in its
 * metadata, and waits until it is ACTIVE. */
static Server *
boot (const char *host, const char *flavor, const char *mode)
{
  Server *s = g_new0 (Server, 1);
  g_autofree char *flavors_path = g_strdup_printf ("/flavors/detail");
  g_autoptr (JsonNode) flavors = nova_ok ("GET", flavors_path, NULL, "2.1");
  JsonArray *list = json_object_get_array_member (json_node_get_object (flavors), "flavors");
  const char *flavor_id = NULL;
  g_autofree char *body = NULL;
  g_autoptr (JsonNode) answer = NULL;

  for (guint i = 0; i < json_array_get_length (list); i++)
    if (g_strcmp0 (vmm_nova_json_string (json_array_get_object_element (list, i), "name"), flavor)
        == 0)
      flavor_id = vmm_nova_json_string (json_array_get_object_element (list, i), "id");
  g_assert_nonnull (flavor_id);
  s->name = g_strdup_printf ("vm%u-%s-%08x", ++server_seq, mode != NULL ? mode : "normal",
                             g_random_int ());
  body = g_strdup_printf ("{\"server\": {\"name\": \"%s\", \"imageRef\": \"%s\", \"flavorRef\": "
                          "\"%s\", \"networks\": \"none\", \"host\": \"%s\"%s%s%s}}",
                          s->name, env ("NOVA_IMAGE_ID"), flavor_id, host,
                          mode != NULL ? ", \"metadata\": {\"vmm-fake-mode\": \"" : "",
                          mode != NULL ? mode : "", mode != NULL ? "\"}" : "");
  answer = nova_ok ("POST", "/servers", body, "2.74");
  s->id = g_strdup (vmm_nova_json_string (
      json_object_get_object_member (json_node_get_object (answer), "server"), "id"));
  wait_status (s->id, "ACTIVE");
  return s;
}

static void
stop_server (Server *s)
{
  g_autofree char *path = g_strdup_printf ("/servers/%s/action", s->id);
  JsonNode *answer = nova_ok ("POST", path, "{\"os-stop\": null}", "2.1");

  g_clear_pointer (&answer, json_node_unref);

  wait_status (s->id, "SHUTOFF");
}

static void
delete_server (Server *s)
{
  g_autofree char *path = g_strdup_printf ("/servers/%s", s->id);
  g_autoptr (GError) error = NULL;
  JsonNode *answer = nova_call ("DELETE", path, NULL, "2.1", &error);

  g_clear_pointer (&answer, json_node_unref);

  /* gone for good, so that no later inventory sees it */
  g_assert_no_error (error);
  for (guint i = 0; i < 300; i++)
    {
      g_autoptr (JsonNode) node = nova_call ("GET", path, NULL, "2.1", &error);

      if (node == NULL)
        {
          g_assert_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND);
          return;
        }
      sleep_ms (100);
    }
  g_error ("server %s was not deleted", s->id);
}

static char *
last_migration_status (Server *s, const char *type)
{
  g_autofree char *path
      = g_strdup_printf ("/os-migrations?instance_uuid=%s&migration_type=%s", s->id, type);
  g_autoptr (JsonNode) answer = nova_ok ("GET", path, NULL, "2.59");
  JsonArray *list = json_object_get_array_member (json_node_get_object (answer), "migrations");

  if (json_array_get_length (list) == 0)
    return NULL;
  return g_strdup (vmm_nova_json_string (json_array_get_object_element (list, 0), "status"));
}

/* --- running migrations through the engine --- */

typedef struct
{
  VmmMigrationContext *ctx;
  guint64 max_total;
  guint n_progress;
  gboolean abort_on_progress;
  gboolean force_on_progress;
  gboolean forced;
  const char *cancel_after_action;
  GCancellable *cancellable;
  GPtrArray *warnings;
} Watch;

static gboolean
on_ready (VmmMigration *m, VmmMigrationContext *ctx, Watch *w)
{
  g_set_object (&w->ctx, ctx);
  return TRUE;
}

static void
on_progress (VmmMigration *m, double fraction, guint64 done, guint64 total, gint64 eta, Watch *w)
{
  if (total == 0)
    return;
  w->n_progress++;
  w->max_total = MAX (w->max_total, total);
  if (w->abort_on_progress && w->n_progress == 3)
    g_cancellable_cancel (w->cancellable);
  if (w->force_on_progress && w->n_progress == 3)
    {
      g_autoptr (GError) error = NULL;

      g_assert_nonnull (w->ctx);
      g_assert_true (vmm_nova_backend_force_complete (
          VMM_NOVA_BACKEND (vmm_migration_get_backend (m)), w->ctx, &error));
      g_assert_no_error (error);
      w->forced = TRUE;
    }
}

static void
on_action_finished (VmmMigration *m, VmmAction *action, const GError *error, Watch *w)
{
  if (w->cancel_after_action != NULL && error == NULL
      && g_strcmp0 (vmm_action_get_name (action), w->cancel_after_action) == 0)
    g_cancellable_cancel (w->cancellable);
}

static void
on_warning (VmmMigration *m, const char *message, Watch *w)
{
  g_ptr_array_add (w->warnings, g_strdup (message));
}

static VmmMigrationResult *
migrate_full (VmmBackend *backend, const char *vm, const char *spec_json, Watch *w, GError **error)
{
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new_from_json (spec_json, error);
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Watch local = { NULL };
  Wait wt = { NULL };
  VmmMigrationResult *result;

  if (w == NULL)
    w = &local;
  if (w->warnings == NULL)
    w->warnings = g_ptr_array_new_with_free_func (g_free);
  g_assert_nonnull (spec);
  m = vmm_engine_create_migration (engine, backend, vm, spec, error);
  g_assert_nonnull (m);
  w->cancellable = cancellable;
  g_signal_connect (m, "ready", G_CALLBACK (on_ready), w);
  g_signal_connect (m, "progress", G_CALLBACK (on_progress), w);
  g_signal_connect (m, "action-finished", G_CALLBACK (on_action_finished), w);
  g_signal_connect (m, "warning", G_CALLBACK (on_warning), w);
  vmm_migration_run_async (m, cancellable, wait_cb, &wt);
  result = vmm_migration_run_finish (m, wait_for (&wt), error);
  g_object_unref (wt.result);
  w->cancellable = NULL;
  if (w == &local)
    {
      g_clear_object (&local.ctx);
      g_ptr_array_unref (local.warnings);
    }
  return result;
}

static VmmMigrationResult *
migrate (VmmBackend *backend, const char *vm, const char *spec_json, GError **error)
{
  return migrate_full (backend, vm, spec_json, NULL, error);
}

static void
watch_clear (Watch *w)
{
  g_clear_object (&w->ctx);
  g_clear_pointer (&w->warnings, g_ptr_array_unref);
}

static VmmBackend *
open_backend (const char *uri)
{
  g_autoptr (GError) error = NULL;
  VmmBackend *backend = vmm_backend_open (uri, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (VMM_IS_NOVA_BACKEND (backend));
  return backend;
}

static VmmInventory *
inventory (VmmBackend *backend)
{
  g_autoptr (GError) error = NULL;
  VmmInventory *inv = vmm_backend_query_inventory (backend, NULL, &error);

  g_assert_no_error (error);
  return inv;
}

static void
assert_on_host (Server *s, const char *host, const char *status)
{
  g_autofree char *h = server_field (s->id, "OS-EXT-SRV-ATTR:host");
  g_autofree char *st = server_field (s->id, "status");

  g_assert_cmpstr (h, ==, host);
  g_assert_cmpstr (st, ==, status);
}

/* --- tests --- */

static void
test_yaml (void)
{
  const char *doc = "clouds:\n"
                    "  a:\n"
                    "    auth: {auth_url: 'http://x/v3', username: u}\n"
                    "    verify: false\n"
                    "    list: [1, two]\n"
                    "    empty:\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = vmm_nova_yaml_to_json (doc, strlen (doc), &error);
  g_autofree char *json = NULL;

  g_assert_no_error (error);
  json = json_to_string (root, FALSE);
  g_assert_cmpstr (json, ==,
                   "{\"clouds\":{\"a\":{\"auth\":{\"auth_url\":\"http://x/v3\",\"username\":\"u\"},"
                   "\"verify\":\"false\",\"list\":[\"1\",\"two\"],\"empty\":null}}}");
  g_clear_pointer (&root, json_node_unref);
  root = vmm_nova_yaml_to_json ("a: [1, 2\n", 9, &error);
  g_assert_null (root);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "line"));
}

static void
test_inventory (void)
{
  g_autoptr (VmmInventory) inv = NULL;
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autoptr (VmmNovaServer) facts = NULL;
  VmmHostInfo *h3;
  VmmVmInfo *vm;

  inv = inventory (shared_backend);
  g_assert_cmpuint (vmm_inventory_get_hosts (inv)->len, ==, 3);
  h3 = vmm_inventory_lookup_host (inv, "host3");
  g_assert_nonnull (h3);
  g_assert_cmpint (vmm_host_info_get_state (h3), ==, VMM_HOST_STATE_CONNECTED);
  g_assert_cmpstr (vmm_host_info_get_zone (h3), ==, "nova");
  g_assert_cmpuint (vmm_host_info_get_memory_mib (h3), ==, 1536);
  g_assert_cmpuint (vmm_host_info_get_vcpus (h3), >, 0);
  vm = vmm_inventory_lookup_vm (inv, s->name);
  g_assert_nonnull (vm);
  g_assert_cmpstr (vmm_vm_info_get_id (vm), ==, s->id);
  g_assert_cmpstr (vmm_vm_info_get_host (vm), ==, "host1");
  g_assert_cmpint (vmm_vm_info_get_power_state (vm), ==, VMM_POWER_STATE_RUNNING);
  g_assert_cmpuint (vmm_vm_info_get_memory_mib (vm), ==, 512);
  facts = vmm_nova_backend_lookup_server (VMM_NOVA_BACKEND (shared_backend), s->name);
  g_assert_nonnull (facts);
  g_assert_nonnull (facts->instance_name);
  g_assert_true (g_str_has_prefix (facts->instance_name, "instance-"));
  g_assert_cmpstr (facts->hypervisor_hostname, !=, NULL);
  g_assert_cmpstr (facts->status, ==, "ACTIVE");
  delete_server (s);
}

static void
test_live_to_host (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *status = NULL;
  Watch w = { NULL };

  result = migrate_full (shared_backend, s->name, "{\"host\": \"host2\"}", &w, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "host2");
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==,
                   VMM_MIGRATION_TYPE_HOT_HOST);
  assert_on_host (s, "host2", "ACTIVE");
  status = last_migration_status (s, "live-migration");
  g_assert_cmpstr (status, ==, "completed");
  watch_clear (&w);
  delete_server (s);
}

static void
test_live_with_volume (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (VmmInventory) inv = NULL;
  g_autofree char *path = g_strdup_printf ("/servers/%s/os-volume_attachments", s->id);
  const char *volume = "6ca404f3-d844-4169-bb96-bc792f37de98";
  g_autofree char *body
      = g_strdup_printf ("{\"volumeAttachment\": {\"volumeId\": \"%s\"}}", volume);
  JsonNode *answer = nova_ok ("POST", path, body, "2.1");
  VmmVmInfo *vm;
  VmmDiskInfo *disk;

  g_clear_pointer (&answer, json_node_unref);
  wait_status (s->id, "ACTIVE");
  inv = inventory (shared_backend);
  vm = vmm_inventory_lookup_vm (inv, s->name);
  g_assert_nonnull (vm);
  disk = vmm_vm_info_lookup_disk (vm, volume);
  g_assert_nonnull (disk);
  g_assert_cmpstr (vmm_disk_info_get_datastore (disk), ==, "cinder");

  /* the volume stays where it is: shared storage, a hot host move */
  result = migrate (shared_backend, s->name, "{\"host\": \"host3\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==,
                   VMM_MIGRATION_TYPE_HOT_HOST);
  disk = vmm_migration_result_lookup_disk (result, volume);
  g_assert_nonnull (disk);
  g_assert_cmpstr (vmm_disk_info_get_datastore (disk), ==, "cinder");
  assert_on_host (s, "host3", "ACTIVE");
  delete_server (s);
}

static void
test_live_engine_placement (void)
{
  g_autoptr (Server) s = boot ("host2", "m1.tiny", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *host = NULL;

  result = migrate (shared_backend, s->name, "{}", &error);
  g_assert_no_error (error);
  host = server_field (s->id, "OS-EXT-SRV-ATTR:host");
  g_assert_cmpstr (host, !=, "host2");
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, host);
  delete_server (s);
}

static void
test_live_scheduler (void)
{
  g_autoptr (VmmBackend) backend = open_backend ("nova://vmm-password?placement=platform");
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *host = NULL;

  result = migrate (backend, s->name, "{}", &error);
  g_assert_no_error (error);
  host = server_field (s->id, "OS-EXT-SRV-ATTR:host");
  g_assert_cmpstr (host, !=, "host1");
  /* the result names the host Nova's scheduler chose */
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, host);
  delete_server (s);
}

static void
test_live_abort (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", "hold");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *status = NULL;
  Watch w = { NULL };

  w.abort_on_progress = TRUE;
  result = migrate_full (shared_backend, s->name, "{\"host\": \"host2\"}", &w, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "aborted"));
  g_assert_nonnull (strstr (error->message, "on host 'host1'"));
  g_assert_cmpuint (w.n_progress, >=, 3);
  g_assert_cmpuint (w.max_total, ==, 512 * 1024 * 1024);
  assert_on_host (s, "host1", "ACTIVE");
  status = last_migration_status (s, "live-migration");
  g_assert_cmpstr (status, ==, "cancelled");
  watch_clear (&w);
  delete_server (s);
}

static void
test_live_force_complete (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", "hold");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *status = NULL;
  Watch w = { NULL };

  w.force_on_progress = TRUE;
  result = migrate_full (shared_backend, s->name, "{\"host\": \"host3\"}", &w, &error);
  g_assert_no_error (error);
  g_assert_true (w.forced);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "host3");
  assert_on_host (s, "host3", "ACTIVE");
  status = last_migration_status (s, "live-migration");
  g_assert_cmpstr (status, ==, "completed");
  watch_clear (&w);
  delete_server (s);
}

/* Whether Nova recorded an instance action named ACTION for the server. */
static gboolean
has_instance_action (Server *s, const char *action)
{
  g_autofree char *path = g_strdup_printf ("/servers/%s/os-instance-actions", s->id);
  g_autoptr (JsonNode) answer = nova_ok ("GET", path, NULL, "2.84");
  JsonArray *list = json_object_get_array_member (json_node_get_object (answer), "instanceActions");

  for (guint i = 0; i < json_array_get_length (list); i++)
    if (g_strcmp0 (vmm_nova_json_string (json_array_get_object_element (list, i), "action"), action)
        == 0)
      return TRUE;
  return FALSE;
}

static gboolean
has_warning (Watch *w, const char *needle)
{
  for (guint i = 0; i < w->warnings->len; i++)
    if (strstr (g_ptr_array_index (w->warnings, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_live_timeout_force_complete (void)
{
  g_autoptr (Server) s = boot ("host2", "m1.tiny", "hold");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *status = NULL;
  Watch w = { NULL };

  /* The held migration never completes by itself: only the engine's
   * completion timer, through the backend's apply_timeout_action, makes Nova
   * force it to complete. */
  result = migrate_full (shared_backend, s->name,
                         "{\"host\": \"host1\", \"completion-timeout-s\": 4, "
                         "\"on-timeout\": \"force-complete\"}",
                         &w, &error);
  g_assert_no_error (error);
  g_assert_true (has_warning (&w, "applied on-timeout force-complete"));
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "host1");
  assert_on_host (s, "host1", "ACTIVE");
  status = last_migration_status (s, "live-migration");
  g_assert_cmpstr (status, ==, "completed");
  g_assert_true (has_instance_action (s, "live_migration_force_complete"));
  watch_clear (&w);
  delete_server (s);
}

static void
test_live_timeout_abort (void)
{
  g_autoptr (Server) s = boot ("host2", "m1.tiny", "hold");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *status = NULL;
  Watch w = { NULL };

  /* A migration that never leaves 'running': a clear error within the
   * spec's timeout, and where the server is. Nova cannot suspend a migrating
   * server, so on-timeout suspend falls back to the abort. */
  result = migrate_full (shared_backend, s->name,
                         "{\"host\": \"host1\", \"completion-timeout-s\": 2, "
                         "\"on-timeout\": \"suspend\"}",
                         &w, &error);
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "timed out"));
  g_assert_nonnull (strstr (error->message, "on host 'host2'"));
  g_assert_true (has_warning (&w, "on-timeout suspend is not available"));
  assert_on_host (s, "host2", "ACTIVE");
  status = last_migration_status (s, "live-migration");
  g_assert_cmpstr (status, ==, "cancelled");
  g_assert_false (has_instance_action (s, "live_migration_force_complete"));
  watch_clear (&w);
  delete_server (s);
}

static void
test_live_hypervisor_failure (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", "fail");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *status = NULL;

  result = migrate (shared_backend, s->name, "{\"host\": \"host2\"}", &error);
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "ended 'error'"));
  g_assert_nonnull (strstr (error->message, "(request req-"));
  g_assert_nonnull (strstr (error->message, "on host 'host1'"));
  assert_on_host (s, "host1", "ACTIVE");
  status = last_migration_status (s, "live-migration");
  g_assert_cmpstr (status, ==, "error");
  delete_server (s);
}

static void
test_live_precheck_failure (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", "precheck-fail");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  result = migrate (shared_backend, s->name, "{\"host\": \"host2\"}", &error);
  g_assert_null (result);
  g_test_message ("error: %s", error->message);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE);
  g_assert_nonnull (strstr (error->message, "No valid host"));
  g_assert_nonnull (strstr (error->message, "(request req-"));
  assert_on_host (s, "host1", "ACTIVE");
  delete_server (s);
}

static void
test_cold_confirm (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *status = NULL;

  stop_server (s);
  result = migrate (shared_backend, s->name, "{\"host\": \"host2\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==, VMM_MIGRATION_TYPE_COLD);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "host2");
  assert_on_host (s, "host2", "SHUTOFF");
  status = last_migration_status (s, "migration");
  g_assert_cmpstr (status, ==, "confirmed");
  delete_server (s);
}

static void
test_cold_revert (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *status = NULL;
  Watch w = { NULL };

  stop_server (s);
  /* The failure comes after Nova moved the server to VERIFY_RESIZE: the
   * engine rolls back, the backend reverts the resize. */
  w.cancel_after_action = "UnregisterSourceVm";
  result = migrate_full (shared_backend, s->name, "{\"host\": \"host2\"}", &w, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_on_host (s, "host1", "SHUTOFF");
  status = last_migration_status (s, "migration");
  g_assert_cmpstr (status, ==, "reverted");
  watch_clear (&w);
  delete_server (s);
}

static void
test_cold_failure (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", "cold-fail");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  stop_server (s);
  result = migrate (shared_backend, s->name, "{\"host\": \"host2\"}", &error);
  g_assert_null (result);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "on host 'host1'"));
  g_assert_nonnull (strstr (error->message, "(request req-"));
  assert_on_host (s, "host1", "SHUTOFF");
  delete_server (s);
}

/* A running server moved cold (migration-type cold, fallback-cold): the
 * engine's PowerOffVm stops it, Nova migrates and confirms it, PowerOnVm
 * starts it on the destination. */
static void
test_cold_restart (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *status = NULL;
  Watch w = { NULL };

  result = migrate_full (shared_backend, s->name,
                         "{\"host\": \"host2\", \"migration-type\": \"cold\", "
                         "\"fallback-cold\": true}",
                         &w, &error);
  g_assert_no_error (error);
  g_assert_true (vmm_migration_context_get_cold_restart (w.ctx));
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==, VMM_MIGRATION_TYPE_COLD);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "host2");
  assert_on_host (s, "host2", "ACTIVE");
  status = last_migration_status (s, "migration");
  g_assert_cmpstr (status, ==, "confirmed");
  g_assert_true (has_instance_action (s, "stop"));
  g_assert_true (has_instance_action (s, "confirmResize"));
  g_assert_true (has_instance_action (s, "start"));
  watch_clear (&w);
  delete_server (s);
}

/* The cold migration fails in the hypervisor after PowerOffVm stopped the
 * server: the rollback starts it again on its source. */
static void
test_cold_restart_failure (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", "cold-fail");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *status = NULL;

  result = migrate (shared_backend, s->name,
                    "{\"host\": \"host2\", \"migration-type\": \"cold\", "
                    "\"fallback-cold\": true}",
                    &error);
  g_assert_null (result);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "(request req-"));
  assert_on_host (s, "host1", "ACTIVE");
  status = last_migration_status (s, "migration");
  g_assert_cmpstr (status, ==, "error");
  g_assert_true (has_instance_action (s, "stop"));
  g_assert_true (has_instance_action (s, "start"));
  delete_server (s);
}

/* --- where a server is, and recovery after the engine died --- */

static VmmVmLocation *
locate (VmmBackend *backend, const char *vm)
{
  g_autoptr (GError) error = NULL;
  VmmVmLocation *location = vmm_backend_locate_vm (backend, vm, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (location);
  return location;
}

/* A server moved live is located on its new host by a backend that never
 * read the inventory (found by name), and the same through its UUID. */
static void
test_locate_after_move (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autoptr (VmmBackend) fresh = open_backend ("nova://vmm-password");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (VmmVmLocation) location = NULL;
  g_autoptr (VmmVmLocation) by_id = NULL;
  g_autoptr (VmmVmLocation) missing = NULL;
  g_autofree char *evidence = NULL;
  g_autofree char *expected = NULL;
  const char *const *hosts;
  const char *const *running;

  result = migrate (shared_backend, s->name, "{\"host\": \"host2\"}", &error);
  g_assert_no_error (error);
  location = locate (fresh, s->name);
  g_assert_cmpstr (vmm_vm_location_get_vm_name (location), ==, s->name);
  g_assert_cmpstr (vmm_vm_location_get_record_host (location), ==, "host2");
  hosts = vmm_vm_location_get_hosts (location);
  running = vmm_vm_location_get_running_hosts (location);
  g_assert_cmpuint (g_strv_length ((char **)hosts), ==, 1);
  g_assert_cmpstr (hosts[0], ==, "host2");
  g_assert_cmpuint (g_strv_length ((char **)running), ==, 1);
  g_assert_cmpstr (running[0], ==, "host2");
  g_assert_true (vmm_vm_location_is_consistent (location));
  evidence = vmm_vm_location_get_evidence (location);
  g_test_message ("%s", evidence);
  expected = g_strdup_printf ("the manager's record names host 'host2' for VM '%s'; the "
                              "hypervisors have it defined on [host2] and running on [host2]",
                              s->name);
  g_assert_cmpstr (evidence, ==, expected);

  by_id = locate (fresh, s->id);
  g_assert_cmpstr (vmm_vm_location_get_record_host (by_id), ==, "host2");
  g_assert_true (vmm_vm_location_is_consistent (by_id));

  missing = vmm_backend_locate_vm (fresh, "no-such-server-anywhere", NULL, &error);
  g_assert_null (missing);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND);
  delete_server (s);
}

/* Engine A runs the move in a main context of its own, with its own backend
 * and journal object on JOURNAL_PATH, until STOP says so; then it is never
 * iterated again, as if killed (its objects are kept, never used). */
typedef struct
{
  const char *after_action; /* stop once this action succeeded */
  gboolean after_progress;  /* stop once the live migration reports progress */
  gboolean stop;
} Crash;

static GPtrArray *dead_engines;

static void
crash_on_progress (VmmMigration *m, double fraction, guint64 done, guint64 total, gint64 eta,
                   Crash *c)
{
  if (c->after_progress && total > 0)
    c->stop = TRUE;
}

static void
crash_on_action (VmmMigration *m, VmmAction *action, const GError *error, Crash *c)
{
  if (error == NULL && g_strcmp0 (vmm_action_get_name (action), c->after_action) == 0)
    c->stop = TRUE;
}

static void
crash_during (Server *s, const char *spec_json, const char *journal_path, Crash *c)
{
  GMainContext *context = g_main_context_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new_from_json (spec_json, &error);
  VmmBackend *backend;
  VmmJournal *journal;
  VmmEngine *engine;
  VmmMigration *m;

  g_assert_no_error (error);
  g_main_context_push_thread_default (context);
  backend = open_backend ("nova://vmm-password");
  journal = vmm_journal_new_sqlite (journal_path, &error);
  g_assert_no_error (error);
  engine = vmm_engine_new ();
  vmm_engine_set_journal (engine, journal);
  m = vmm_engine_create_migration (engine, backend, s->name, spec, &error);
  g_assert_no_error (error);
  g_signal_connect (m, "progress", G_CALLBACK (crash_on_progress), c);
  g_signal_connect (m, "action-finished", G_CALLBACK (crash_on_action), c);
  vmm_migration_run_async (m, NULL, NULL, NULL);
  while (!c->stop)
    g_main_context_iteration (context, TRUE);
  g_signal_handlers_disconnect_by_data (m, c);
  g_main_context_pop_thread_default (context);
  if (dead_engines == NULL)
    dead_engines = g_ptr_array_new ();
  g_ptr_array_add (dead_engines, context);
  g_ptr_array_add (dead_engines, backend);
  g_ptr_array_add (dead_engines, journal);
  g_ptr_array_add (dead_engines, engine);
  g_ptr_array_add (dead_engines, m);
}

/* Engine B: the same journal file, a backend opened on the same cloud. */
static VmmRecoveryEntry *
recover_one (const char *journal_path, Server *s)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmJournal) journal = vmm_journal_new_sqlite (journal_path, &error);
  g_autoptr (VmmBackend) backend = open_backend ("nova://vmm-password");
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GPtrArray) entries = NULL;
  g_auto (GStrv) unfinished = NULL;
  VmmRecoveryEntry *entry;
  Wait w = { NULL };

  g_assert_no_error (error);
  vmm_engine_set_journal (engine, journal);
  vmm_engine_recover_async (engine, backend, NULL, wait_cb, &w);
  entries = vmm_engine_recover_finish (engine, wait_for (&w), &error);
  g_object_unref (w.result);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_object_ref (g_ptr_array_index (entries, 0));
  g_assert_cmpstr (vmm_recovery_entry_get_vm_name (entry), ==, s->name);
  g_test_message ("recovery: outcome %d host %s: %s", vmm_recovery_entry_get_outcome (entry),
                  vmm_recovery_entry_get_host (entry), vmm_recovery_entry_get_facts (entry));
  /* concluded: nothing left unfinished, the VM free to move again */
  unfinished = vmm_journal_list_unfinished (journal, &error);
  g_assert_no_error (error);
  if (vmm_recovery_entry_get_outcome (entry) != VMM_RECOVERY_NEEDS_ATTENTION)
    g_assert_cmpuint (g_strv_length (unfinished), ==, 0);
  return entry;
}

static char *
journal_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vmm-nova-journal-XXXXXX", &error);

  g_assert_no_error (error);
  return g_build_filename (dir, "journal.sqlite", NULL);
}

static void
journal_file_remove (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *wal = g_strdup_printf ("%s-wal", path);
  g_autofree char *shm = g_strdup_printf ("%s-shm", path);

  g_unlink (wal);
  g_unlink (shm);
  g_unlink (path);
  g_rmdir (dir);
}

/* The dead engine's journal holds the backend's recovery data: one record
 * with both NEEDLE and OTHER, and the server's UUID. */
static void
assert_recovery_data (const char *journal_path, const char *needle, const char *other)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmJournal) journal = vmm_journal_new_sqlite (journal_path, &error);
  g_auto (GStrv) ids = NULL;
  g_autoptr (GPtrArray) records = NULL;
  gboolean found = FALSE;

  g_assert_no_error (error);
  ids = vmm_journal_list_unfinished (journal, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (ids), ==, 1);
  records = vmm_journal_list_records (journal, ids[0], &error);
  g_assert_no_error (error);
  for (guint i = 0; i < records->len; i++)
    {
      VmmJournalRecord *record = g_ptr_array_index (records, i);
      const char *data = vmm_journal_record_get_data (record);

      if (g_strcmp0 (vmm_journal_record_get_kind (record), "recovery-data") == 0
          && strstr (data, "nova-server") != NULL)
        {
          g_autoptr (JsonNode) node = json_from_string (data, NULL);
          const char *inner = json_object_get_string_member_with_default (
              json_node_get_object (node), "data", "");

          g_test_message ("recovery data: %s", inner);
          found = found || (strstr (inner, needle) != NULL && strstr (inner, other) != NULL);
        }
    }
  g_assert_true (found);
}

/* Where Nova has the server, read back: exactly one host, settled. */
static void
assert_recovered_to (Server *s, VmmRecoveryEntry *e, VmmRecoveryOutcome outcome, const char *host,
                     const char *status)
{
  g_autoptr (VmmVmLocation) location = locate (shared_backend, s->name);

  g_assert_cmpint (vmm_recovery_entry_get_outcome (e), ==, outcome);
  g_assert_cmpstr (vmm_recovery_entry_get_host (e), ==, host);
  assert_on_host (s, host, status);
  g_assert_true (vmm_vm_location_is_consistent (location));
  g_assert_cmpstr (vmm_vm_location_get_hosts (location)[0], ==, host);
  {
    g_autofree char *task = server_field (s->id, "OS-EXT-STS:task_state");

    g_assert_null (task);
  }
}

/* The engine died while Nova live-migrated the server (held running by the
 * fake hypervisor): the journal says the switch-over was in flight, Nova
 * says the guest runs on its source, so recovery aborts the migration. */
static void
test_recover_live_in_flight (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", "hold");
  g_autofree char *path = journal_file ();
  g_autoptr (VmmVmLocation) during = NULL;
  g_autoptr (VmmRecoveryEntry) e = NULL;
  g_autofree char *status = NULL;
  const char *const *running;
  Crash c = { NULL, TRUE, FALSE };

  crash_during (s, "{\"host\": \"host2\"}", path, &c);
  /* mid-move the instance is on both hosts and runs on the source */
  during = locate (shared_backend, s->name);
  g_assert_false (vmm_vm_location_is_consistent (during));
  g_assert_cmpuint (g_strv_length ((char **)vmm_vm_location_get_hosts (during)), ==, 2);
  running = vmm_vm_location_get_running_hosts (during);
  g_assert_cmpuint (g_strv_length ((char **)running), ==, 1);
  g_assert_cmpstr (running[0], ==, "host1");

  assert_recovery_data (path, "\"step\":\"live\"", "\"status\":\"ACTIVE\"");
  assert_recovery_data (path, "\"step\":\"migration\"", "\"nova-migration\":");
  e = recover_one (path, s);
  g_assert_nonnull (strstr (vmm_recovery_entry_get_facts (e), "during the switch-over"));
  assert_recovered_to (s, e, VMM_RECOVERY_ON_SOURCE, "host1", "ACTIVE");
  status = last_migration_status (s, "live-migration");
  g_assert_cmpstr (status, ==, "cancelled");
  journal_file_remove (path);
  delete_server (s);
}

/* The live migration completed after the engine died: Nova has the server on
 * its destination, so recovery finishes the move there. */
static void
test_recover_live_completed (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", "hold");
  g_autofree char *path = journal_file ();
  g_autofree char *body = g_strdup_printf ("{\"server\": \"%s\"}", s->id);
  g_autoptr (VmmRecoveryEntry) e = NULL;
  g_autofree char *status = NULL;
  Crash c = { NULL, TRUE, FALSE };

  crash_during (s, "{\"host\": \"host3\"}", path, &c);
  control ("/release", body);
  wait_status (s->id, "ACTIVE");
  e = recover_one (path, s);
  assert_recovered_to (s, e, VMM_RECOVERY_ON_DESTINATION, "host3", "ACTIVE");
  status = last_migration_status (s, "live-migration");
  g_assert_cmpstr (status, ==, "completed");
  journal_file_remove (path);
  delete_server (s);
}

/* The engine died with the stopped server's cold migration waiting in
 * VERIFY_RESIZE: before the switch-over in the journal, so it is reverted
 * to its source; the backend asked to finish the same state confirms it. */
static void
test_recover_cold_verify_resize (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autoptr (Server) t = boot ("host1", "m1.tiny", NULL);
  g_autofree char *path = journal_file ();
  g_autofree char *path2 = journal_file ();
  g_autoptr (VmmRecoveryEntry) e = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *status = NULL;
  g_autofree char *t_status = NULL;
  g_autofree char *record = NULL;
  const char *data[2] = { NULL, NULL };
  Crash c = { "UnregisterSourceVm", FALSE, FALSE };
  Crash d = { "UnregisterSourceVm", FALSE, FALSE };
  Wait w = { NULL };

  stop_server (s);
  crash_during (s, "{\"host\": \"host2\"}", path, &c);
  assert_on_host (s, "host2", "VERIFY_RESIZE");
  e = recover_one (path, s);
  assert_recovered_to (s, e, VMM_RECOVERY_ON_SOURCE, "host1", "SHUTOFF");
  status = last_migration_status (s, "migration");
  g_assert_cmpstr (status, ==, "reverted");

  /* forward: confirmed on the destination, stopped as it was */
  stop_server (t);
  crash_during (t, "{\"host\": \"host3\"}", path2, &d);
  assert_on_host (t, "host3", "VERIFY_RESIZE");
  record = g_strdup_printf ("{\"nova-server\": \"%s\", \"step\": \"cold\", \"host\": \"host1\", "
                            "\"status\": \"SHUTOFF\"}",
                            t->id);
  data[0] = record;
  vmm_backend_recover_async (shared_backend, t->name, TRUE, "host1", "host3", data, NULL, wait_cb,
                             &w);
  g_assert_true (vmm_backend_recover_finish (shared_backend, wait_for (&w), &error));
  g_clear_object (&w.result);
  g_assert_no_error (error);
  assert_on_host (t, "host3", "SHUTOFF");
  t_status = last_migration_status (t, "migration");
  g_assert_cmpstr (t_status, ==, "confirmed");
  /* again: nothing left to do, nothing done */
  vmm_backend_recover_async (shared_backend, t->name, TRUE, "host1", "host3", data, NULL, wait_cb,
                             &w);
  g_assert_true (vmm_backend_recover_finish (shared_backend, wait_for (&w), &error));
  g_clear_object (&w.result);
  g_assert_no_error (error);
  /* and undoing it now contradicts Nova: said, not guessed */
  vmm_backend_recover_async (shared_backend, t->name, FALSE, "host1", "host3", data, NULL, wait_cb,
                             &w);
  g_assert_false (vmm_backend_recover_finish (shared_backend, wait_for (&w), &error));
  g_clear_object (&w.result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "not on its source host 'host1'"));
  assert_on_host (t, "host3", "SHUTOFF");
  journal_file_remove (path);
  journal_file_remove (path2);
  delete_server (s);
  delete_server (t);
}

/* The engine died right after the cold restart's PowerOffVm: the server is
 * stopped on its source; recovery starts it again there. */
static void
test_recover_cold_restart_stopped (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autofree char *path = journal_file ();
  g_autoptr (VmmRecoveryEntry) e = NULL;
  Crash c = { "PowerOffVm", FALSE, FALSE };

  crash_during (s, "{\"host\": \"host2\", \"migration-type\": \"cold\", \"fallback-cold\": true}",
                path, &c);
  wait_status (s->id, "SHUTOFF");
  /* written before os-stop, the server as it was */
  assert_recovery_data (path, "\"step\":\"stop\"", "\"status\":\"ACTIVE\"");
  e = recover_one (path, s);
  assert_recovered_to (s, e, VMM_RECOVERY_ON_SOURCE, "host1", "ACTIVE");
  g_assert_true (has_instance_action (s, "start"));
  journal_file_remove (path);
  delete_server (s);
}

static void
set_service (const char *host, gboolean enabled, const char *reason)
{
  g_autoptr (GError) error = NULL;
  Wait w = { NULL };

  vmm_nova_backend_set_service_enabled_async (VMM_NOVA_BACKEND (shared_backend), host, enabled,
                                              reason, NULL, wait_cb, &w);
  g_assert_true (vmm_nova_backend_set_service_enabled_finish (VMM_NOVA_BACKEND (shared_backend),
                                                              wait_for (&w), &error));
  g_assert_no_error (error);
  g_object_unref (w.result);
}

static JsonObject *
service_of (const char *host, JsonNode **keep)
{
  g_autofree char *path = g_strdup_printf ("/os-services?binary=nova-compute&host=%s", host);

  *keep = nova_ok ("GET", path, NULL, "2.53");
  return json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (*keep), "services"), 0);
}

static void
test_service_disable_enable (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autoptr (JsonNode) keep = NULL;
  g_autoptr (VmmInventory) inv = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  JsonObject *svc;

  set_service ("host2", FALSE, "vmm-test: evacuating");
  svc = service_of ("host2", &keep);
  g_assert_cmpstr (vmm_nova_json_string (svc, "status"), ==, "disabled");
  g_assert_cmpstr (vmm_nova_json_string (svc, "disabled_reason"), ==, "vmm-test: evacuating");
  inv = inventory (shared_backend);
  g_assert_cmpint (vmm_host_info_get_state (vmm_inventory_lookup_host (inv, "host2")), ==,
                   VMM_HOST_STATE_DISABLED);
  /* precheck on Nova's facts: a disabled destination */
  result = migrate (shared_backend, s->name, "{\"host\": \"host2\"}", &error);
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE);
  g_assert_nonnull (strstr (error->message, "host2"));
  g_assert_nonnull (strstr (error->message, "disabled"));
  assert_on_host (s, "host1", "ACTIVE");

  set_service ("host2", TRUE, NULL);
  g_clear_pointer (&keep, json_node_unref);
  svc = service_of ("host2", &keep);
  g_assert_cmpstr (vmm_nova_json_string (svc, "status"), ==, "enabled");
  g_clear_object (&inv);
  inv = inventory (shared_backend);
  g_assert_cmpint (vmm_host_info_get_state (vmm_inventory_lookup_host (inv, "host2")), ==,
                   VMM_HOST_STATE_CONNECTED);
  delete_server (s);
}

static void
test_evacuate (void)
{
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GPtrArray) servers = g_ptr_array_new_with_free_func ((GDestroyNotify)server_free);
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) keep = NULL;
  JsonObject *svc;
  gboolean empty = FALSE;
  Wait w = { NULL };

  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (servers, boot ("host2", "m1.tiny", NULL));
  stop_server (g_ptr_array_index (servers, 3));
  /* seed 001: disable the host, then move everything off it, two at a time */
  vmm_engine_set_max_per_source_host (engine, 2);
  vmm_engine_evacuate_async (engine, shared_backend, "host2", NULL, VMM_EVACUATE_FLAGS_DISABLE_HOST,
                             NULL, wait_cb, &w);
  entries = vmm_engine_evacuate_finish (engine, wait_for (&w), &empty, &error);
  g_object_unref (w.result);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      VmmEvacuationEntry *e = g_ptr_array_index (entries, i);

      g_test_message ("%s: %s", vmm_evacuation_entry_get_vm_name (e),
                      vmm_evacuation_entry_get_message (e));
      g_assert_cmpint (vmm_evacuation_entry_get_outcome (e), ==, VMM_EVACUATION_MOVED);
    }
  g_assert_cmpuint (entries->len, ==, 4);
  g_assert_true (empty);
  for (guint i = 0; i < servers->len; i++)
    {
      Server *s = g_ptr_array_index (servers, i);
      g_autofree char *host = server_field (s->id, "OS-EXT-SRV-ATTR:host");

      g_assert_cmpstr (host, !=, "host2");
    }
  svc = service_of ("host2", &keep);
  g_assert_cmpstr (vmm_nova_json_string (svc, "status"), ==, "disabled");
  g_assert_nonnull (vmm_nova_json_string (svc, "disabled_reason"));
  set_service ("host2", TRUE, NULL);

  /* back again with re-enabling asked for */
  g_clear_pointer (&entries, g_ptr_array_unref);
  vmm_engine_evacuate_async (engine, shared_backend, "host1", NULL,
                             VMM_EVACUATE_FLAGS_DISABLE_HOST | VMM_EVACUATE_FLAGS_REENABLE_HOST
                                 | VMM_EVACUATE_FLAGS_SKIP_POWERED_OFF,
                             NULL, wait_cb, &w);
  w.result = NULL;
  entries = vmm_engine_evacuate_finish (engine, wait_for (&w), &empty, &error);
  g_object_unref (w.result);
  g_assert_no_error (error);
  g_clear_pointer (&keep, json_node_unref);
  svc = service_of ("host1", &keep);
  g_assert_cmpstr (vmm_nova_json_string (svc, "status"), ==, "enabled");
  for (guint i = 0; i < servers->len; i++)
    delete_server (g_ptr_array_index (servers, i));
}

static char *
evacuate_server (Server *s, const char *host, GError **error)
{
  Wait w = { NULL };
  char *landed;

  vmm_nova_backend_evacuate_server_async (VMM_NOVA_BACKEND (shared_backend), s->id, host, NULL,
                                          wait_cb, &w);
  landed = vmm_nova_backend_evacuate_server_finish (VMM_NOVA_BACKEND (shared_backend),
                                                    wait_for (&w), error);
  g_object_unref (w.result);
  return landed;
}

static void
set_forced_down (const char *host, gboolean down)
{
  g_autoptr (JsonNode) keep = NULL;
  JsonObject *svc = service_of (host, &keep);
  g_autofree char *path = g_strdup_printf ("/os-services/%s", vmm_nova_json_string (svc, "id"));
  g_autofree char *body = g_strdup_printf ("{\"forced_down\": %s}", down ? "true" : "false");
  JsonNode *answer = nova_ok ("PUT", path, body, "2.53");

  g_clear_pointer (&answer, json_node_unref);
}

static void
test_evacuate_dead_compute (void)
{
  g_autoptr (Server) s = boot ("host3", "m1.tiny", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *landed = NULL;
  g_autofree char *host = NULL;

  /* seed 003: refused while the compute runs */
  landed = evacuate_server (s, NULL, &error);
  g_assert_null (landed);
  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "(request req-"));
  g_clear_error (&error);
  assert_on_host (s, "host3", "ACTIVE");

  /* the compute dies and is fenced (forced down): rebuild elsewhere */
  control ("/compute", "{\"host\": \"host3\", \"action\": \"stop\"}");
  set_forced_down ("host3", TRUE);
  landed = evacuate_server (s, NULL, &error);
  g_assert_no_error (error);
  host = server_field (s->id, "OS-EXT-SRV-ATTR:host");
  g_assert_cmpstr (landed, ==, host);
  g_assert_cmpstr (host, !=, "host3");

  /* the compute comes back, cleans up the evacuated instance, is unfenced */
  control ("/compute", "{\"host\": \"host3\", \"action\": \"start\"}");
  set_forced_down ("host3", FALSE);
  delete_server (s);
}

static void
test_precheck_forced_down (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autoptr (JsonNode) keep = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  JsonObject *svc = service_of ("host3", &keep);
  g_autofree char *path = g_strdup_printf ("/os-services/%s", vmm_nova_json_string (svc, "id"));

  g_clear_pointer (&answer, json_node_unref);
  answer = nova_ok ("PUT", path, "{\"forced_down\": true}", "2.53");
  result = migrate (shared_backend, s->name, "{\"host\": \"host3\"}", &error);
  g_clear_pointer (&answer, json_node_unref);
  answer = nova_ok ("PUT", path, "{\"forced_down\": false}", "2.53");
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE);
  g_assert_nonnull (strstr (error->message, "host 'host3' is down"));
  assert_on_host (s, "host1", "ACTIVE");
  delete_server (s);
}

static void
test_precheck_memory (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.small", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  /* host3 has 1.5 GiB; m1.small needs 2 GiB */
  result = migrate (shared_backend, s->name, "{\"host\": \"host3\"}", &error);
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INSUFFICIENT_CAPACITY);
  g_assert_nonnull (strstr (error->message, "host3"));
  assert_on_host (s, "host1", "ACTIVE");
  delete_server (s);
}

static void
test_precheck_zone (void)
{
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (JsonNode) agg = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *action = NULL;
  g_autofree char *del = NULL;
  gint64 id;

  agg = nova_ok ("POST", "/os-aggregates",
                 "{\"aggregate\": {\"name\": \"vmm-az2\", \"availability_zone\": \"az2\"}}",
                 "2.41");
  id = json_object_get_int_member (
      json_object_get_object_member (json_node_get_object (agg), "aggregate"), "id");
  action = g_strdup_printf ("/os-aggregates/%" G_GINT64_FORMAT "/action", id);
  answer = nova_ok ("POST", action, "{\"add_host\": {\"host\": \"host3\"}}", "2.41");
  result = migrate (shared_backend, s->name, "{\"host\": \"host3\"}", &error);
  g_clear_pointer (&answer, json_node_unref);
  answer = nova_ok ("POST", action, "{\"remove_host\": {\"host\": \"host3\"}}", "2.41");
  del = g_strdup_printf ("/os-aggregates/%" G_GINT64_FORMAT, id);
  g_clear_pointer (&answer, json_node_unref);
  answer = nova_ok ("DELETE", del, NULL, "2.41");
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE);
  g_assert_nonnull (strstr (error->message, "availability zone 'az2'"));
  assert_on_host (s, "host1", "ACTIVE");
  delete_server (s);
}

/* The plan's check CODE about SUBJECT, or NULL. */
static VmmCheck *
plan_check (VmmPlan *plan, const char *code, const char *subject)
{
  GPtrArray *checks = vmm_plan_get_checks (plan);

  for (guint i = 0; checks != NULL && i < checks->len; i++)
    {
      VmmCheck *c = g_ptr_array_index (checks, i);

      if (g_strcmp0 (vmm_check_get_code (c), code) == 0
          && g_strcmp0 (vmm_check_get_subject (c), subject) == 0)
        return c;
    }
  return NULL;
}

/* A flavor whose extra specs require aggregate metadata
 * (aggregate_instance_extra_specs:vmm-ssd=yes) that only host2's aggregate
 * has: the engine's 'aggregate-metadata' check refuses host3 and accepts
 * host2. Nova's own scheduler here does not run that filter, so the check is
 * what stops the move. */
static void
test_precheck_aggregate_metadata (void)
{
  g_autofree char *flavor_name = g_strdup_printf ("vmm-ssd-%08x", g_random_int ());
  g_autofree char *flavor_body = g_strdup_printf (
      "{\"flavor\": {\"name\": \"%s\", \"ram\": 512, \"vcpus\": 1, \"disk\": 1}}", flavor_name);
  g_autoptr (JsonNode) flavor = nova_ok ("POST", "/flavors", flavor_body, "2.1");
  const char *flavor_id = vmm_nova_json_string (
      json_object_get_object_member (json_node_get_object (flavor), "flavor"), "id");
  g_autofree char *specs_path = g_strdup_printf ("/flavors/%s/os-extra_specs", flavor_id);
  g_autofree char *flavor_path = g_strdup_printf ("/flavors/%s", flavor_id);
  g_autoptr (JsonNode) agg = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (Server) s = NULL;
  g_autoptr (VmmInventory) inv = NULL;
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = NULL;
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (VmmPlan) plan = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *action = NULL;
  g_autofree char *del = NULL;
  const char *const *required;
  VmmCheck *check;
  gint64 id;

  answer = nova_ok ("POST", specs_path,
                    "{\"extra_specs\": {\"aggregate_instance_extra_specs:vmm-ssd\": \"yes\", "
                    "\"aggregate_instance_extra_specs:vmm-gen\": \">= 2\", \"hw:cpu_policy\": "
                    "\"shared\"}}",
                    "2.1");
  g_clear_pointer (&answer, json_node_unref);
  agg = nova_ok ("POST", "/os-aggregates", "{\"aggregate\": {\"name\": \"vmm-ssd\"}}", "2.41");
  id = json_object_get_int_member (
      json_object_get_object_member (json_node_get_object (agg), "aggregate"), "id");
  action = g_strdup_printf ("/os-aggregates/%" G_GINT64_FORMAT "/action", id);
  del = g_strdup_printf ("/os-aggregates/%" G_GINT64_FORMAT, id);
  answer = nova_ok ("POST", action, "{\"add_host\": {\"host\": \"host2\"}}", "2.41");
  g_clear_pointer (&answer, json_node_unref);
  answer = nova_ok ("POST", action,
                    "{\"set_metadata\": {\"metadata\": {\"vmm-ssd\": \"no, yes\", \"vmm-gen\": "
                    "\"3\"}}}",
                    "2.41");
  g_clear_pointer (&answer, json_node_unref);
  s = boot ("host1", flavor_name, NULL);

  /* the facts */
  inv = inventory (shared_backend);
  required = vmm_vm_info_get_required_metadata (vmm_inventory_lookup_vm (inv, s->name));
  g_assert_cmpuint (g_strv_length ((char **)required), ==, 1);
  g_assert_cmpstr (required[0], ==, "vmm-ssd=yes");
  g_assert_true (g_strv_contains (
      vmm_host_info_get_metadata (vmm_inventory_lookup_host (inv, "host2")), "vmm-ssd=yes"));
  g_assert_true (g_strv_contains (
      vmm_host_info_get_metadata (vmm_inventory_lookup_host (inv, "host2")), "vmm-ssd=no"));
  g_assert_false (g_strv_contains (
      vmm_host_info_get_metadata (vmm_inventory_lookup_host (inv, "host3")), "vmm-ssd=yes"));
  g_assert_cmpstr (vmm_host_info_get_cluster (vmm_inventory_lookup_host (inv, "host2")), ==,
                   "vmm-ssd");

  /* host3, outside the aggregate: refused by the check, before anything moves */
  spec = vmm_relocate_spec_new_from_json ("{\"host\": \"host3\"}", &error);
  g_assert_no_error (error);
  m = vmm_engine_create_migration (engine, shared_backend, s->name, spec, &error);
  g_assert_no_error (error);
  plan = vmm_migration_plan (m, NULL, &error);
  g_clear_error (&error);
  if (plan == NULL)
    plan = g_object_ref (vmm_migration_get_plan (m));
  g_assert_nonnull (plan);
  g_assert_false (vmm_plan_is_feasible (plan));
  check = plan_check (plan, "aggregate-metadata", "host3");
  g_assert_nonnull (check);
  g_assert_cmpint (vmm_check_get_severity (check), ==, VMM_CHECK_SEVERITY_ERROR);
  g_assert_nonnull (strstr (vmm_check_get_message (check), "vmm-ssd=yes"));
  result = migrate (shared_backend, s->name, "{\"host\": \"host3\"}", &error);
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE);
  g_assert_nonnull (strstr (error->message, "aggregate metadata"));
  g_clear_error (&error);
  assert_on_host (s, "host1", "ACTIVE");

  /* host2, inside: accepted, and the move happens */
  result = migrate (shared_backend, s->name, "{\"host\": \"host2\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "host2");
  assert_on_host (s, "host2", "ACTIVE");

  delete_server (s);
  answer = nova_ok ("POST", action, "{\"remove_host\": {\"host\": \"host2\"}}", "2.41");
  g_clear_pointer (&answer, json_node_unref);
  answer = nova_ok ("DELETE", del, NULL, "2.41");
  g_clear_pointer (&answer, json_node_unref);
  answer = nova_ok ("DELETE", flavor_path, NULL, "2.1");
}

static void
test_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) answer
      = nova_call ("GET", "/servers/00000000-0000-0000-0000-000000000000", NULL, "2.47", &error);

  g_assert_null (answer);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "could not be found"));
  g_assert_nonnull (strstr (error->message, "(request req-"));
  g_clear_error (&error);
  g_assert_false (vmm_nova_client_require_version (client_of (shared_backend), "2.999",
                                                   "a future feature", &error));
  g_assert_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "goes up to 2.93"));
  g_clear_error (&error);
  /* a server name the cloud does not know */
  {
    g_autoptr (VmmMigrationResult) result = migrate (shared_backend, "no-such-vm", "{}", &error);

    g_assert_null (result);
    g_assert_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND);
  }
}

static void
test_open_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = NULL;

  /* secrets never in a URI */
  backend = vmm_backend_open ("nova+http://user:secret@127.0.0.1:1/v3", NULL, &error);
  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_assert_null (strstr (error->message, "secret"));
  g_clear_error (&error);
  /* a cloud clouds.yaml does not have */
  backend = vmm_backend_open ("nova://no-such-cloud", NULL, &error);
  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no-such-cloud"));
  g_clear_error (&error);
  /* an unknown option */
  backend = vmm_backend_open ("nova://vmm-password?colour=blue", NULL, &error);
  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_clear_error (&error);
  /* nothing listens: a transport failure, named */
  g_setenv ("OS_USERNAME", "nobody", TRUE);
  g_setenv ("OS_PASSWORD", "not-a-real-secret", TRUE);
  backend = vmm_backend_open ("nova+http://127.0.0.1:1/v3", NULL, &error);
  g_unsetenv ("OS_PASSWORD");
  g_unsetenv ("OS_USERNAME");
  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  g_assert_nonnull (strstr (error->message, "cannot reach"));
  g_assert_null (strstr (error->message, "not-a-real-secret"));
}

static void
test_auth_appcred (void)
{
  g_autoptr (VmmBackend) backend = open_backend ("nova://vmm-appcred");
  g_autoptr (VmmInventory) inv = inventory (backend);

  g_assert_cmpuint (vmm_inventory_get_hosts (inv)->len, ==, 3);
  g_assert_cmpuint (vmm_nova_client_get_auth_count (client_of (backend)), ==, 1);
}

static void
test_auth_environment (void)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmInventory) inv = NULL;
  g_autofree char *uri = NULL;
  JsonObject *auth;
  gsize length;

  g_assert_true (g_file_get_contents (env ("OS_CLIENT_CONFIG_FILE"), &contents, &length, &error));
  root = vmm_nova_yaml_to_json (contents, length, &error);
  g_assert_no_error (error);
  auth = json_object_get_object_member (
      json_object_get_object_member (
          json_object_get_object_member (json_node_get_object (root), "clouds"), "vmm-password"),
      "auth");
  g_setenv ("OS_USERNAME", vmm_nova_json_string (auth, "username"), TRUE);
  g_setenv ("OS_PASSWORD", vmm_nova_json_string (auth, "password"), TRUE);
  g_setenv ("OS_PROJECT_NAME", "vmm", TRUE);
  g_setenv ("OS_USER_DOMAIN_NAME", "Default", TRUE);
  g_setenv ("OS_PROJECT_DOMAIN_NAME", "Default", TRUE);
  g_setenv ("OS_REGION_NAME", "RegionOne", TRUE);
  uri = g_strdup_printf ("nova+%s/v3", env ("KEYSTONE_URL"));
  backend = open_backend (uri);
  inv = inventory (backend);
  g_assert_cmpuint (vmm_inventory_get_hosts (inv)->len, ==, 3);
  /* an unknown region has no compute endpoint */
  g_clear_object (&backend);
  g_free (uri);
  uri = g_strdup_printf ("nova+%s/v3?region=Elsewhere", env ("KEYSTONE_URL"));
  backend = vmm_backend_open (uri, NULL, &error);
  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Elsewhere"));
  g_unsetenv ("OS_PASSWORD");
  g_unsetenv ("OS_USERNAME");
}

/* A clouds.yaml of our own with a wrong secret. */
static void
check_bad_cloud (const char *cloud_yaml, const char *secret)
{
  g_autofree char *dir = g_dir_make_tmp ("vmm-nova-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "clouds.yaml", NULL);
  g_autofree char *saved = g_strdup (env ("OS_CLIENT_CONFIG_FILE"));
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = NULL;

  g_assert_true (g_file_set_contents (path, cloud_yaml, -1, &error));
  g_setenv ("OS_CLIENT_CONFIG_FILE", path, TRUE);
  backend = vmm_backend_open ("nova://bad", NULL, &error);
  g_setenv ("OS_CLIENT_CONFIG_FILE", saved, TRUE);
  g_unlink (path);
  g_rmdir (dir);
  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_PERMISSION_DENIED);
  g_test_message ("error: %s", error->message);
  g_assert_null (strstr (error->message, secret));
  g_assert_nonnull (strstr (error->message, "refused the credentials"));
}

static void
test_auth_bad_secret (void)
{
  const char *secret = "wrong-Secret-4711";
  g_autofree char *pw
      = g_strdup_printf ("clouds:\n  bad:\n    auth:\n      auth_url: %s/v3\n"
                         "      username: vmm-admin\n      password: %s\n"
                         "      project_name: vmm\n      user_domain_name: Default\n"
                         "      project_domain_name: Default\n"
                         "    region_name: RegionOne\n",
                         env ("KEYSTONE_URL"), secret);
  g_autofree char *ac = g_strdup_printf (
      "clouds:\n  bad:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: %s/v3\n"
      "      application_credential_id: 0123456789abcdef0123456789abcdef\n"
      "      application_credential_secret: %s\n",
      env ("KEYSTONE_URL"), secret);

  check_bad_cloud (pw, secret); /* 401 */
  check_bad_cloud (ac, secret); /* unknown application credential: 404 */
}

static void
test_auth_member_forbidden (void)
{
  g_autoptr (VmmBackend) backend = open_backend ("nova://vmm-member");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inv = vmm_backend_query_inventory (backend, NULL, &error);

  g_assert_null (inv);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "403"));
}

/* FIELD of CLOUD's auth section in the suite's clouds.yaml. */
static char *
cloud_auth (const char *cloud, const char *field)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  gsize length;
  const char *value;

  g_assert_true (g_file_get_contents (env ("OS_CLIENT_CONFIG_FILE"), &contents, &length, &error));
  root = vmm_nova_yaml_to_json (contents, length, &error);
  g_assert_no_error (error);
  value = vmm_nova_json_string (
      json_object_get_object_member (
          json_object_get_object_member (
              json_object_get_object_member (json_node_get_object (root), "clouds"), cloud),
          "auth"),
      field);
  g_assert_nonnull (value);
  return g_strdup (value);
}

static char *
real_password (void)
{
  return cloud_auth ("vmm-password", "password");
}

static void
run_ok (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_newv (
      argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);

  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (p, NULL, &error));
  g_assert_no_error (error);
}

/* Opens cloud 'tls' of a clouds.yaml written for AUTH_URL with EXTRA lines. */
static VmmBackend *
open_tls_cloud (const char *dir, const char *auth_url, const char *extra, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "clouds.yaml", NULL);
  g_autofree char *password = real_password ();
  g_autofree char *yaml = g_strdup_printf (
      "clouds:\n  tls:\n    auth:\n      auth_url: %s\n      username: vmm-admin\n"
      "      password: '%s'\n      project_name: vmm\n      user_domain_name: Default\n"
      "      project_domain_name: Default\n    region_name: RegionOne\n%s",
      auth_url, password, extra);
  g_autofree char *saved = g_strdup (env ("OS_CLIENT_CONFIG_FILE"));
  VmmBackend *backend;

  g_assert_true (
      g_file_set_contents_full (path, yaml, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  g_setenv ("OS_CLIENT_CONFIG_FILE", path, TRUE);
  backend = vmm_backend_open ("nova://tls", NULL, error);
  g_setenv ("OS_CLIENT_CONFIG_FILE", saved, TRUE);
  return backend;
}

static void
test_tls (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vmm-nova-tls-XXXXXX", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *proxy = g_test_build_filename (G_TEST_DIST, "nova", "tls_proxy.py", NULL);
  g_autofree char *target = NULL;
  g_autofree char *line = NULL;
  g_autofree char *auth_url = NULL;
  g_autofree char *with_ca = NULL;
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmInventory) inv = NULL;
  g_autoptr (GUri) keystone = g_uri_parse (env ("KEYSTONE_URL"), G_URI_FLAGS_NONE, NULL);
  const char *openssl[]
      = { "openssl", "req",   "-x509",         "-newkey", "rsa:2048",
          "-nodes",  "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
          "-days",   "1",     "-keyout",       key,       "-out",
          cert,      NULL };

  /* A self-signed Keystone endpoint: a TLS proxy in front of the peer. */
  run_ok (openssl);
  target = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (keystone));
  p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/usr/bin/python3", proxy, "--cert",
                        cert, "--key", key, "--target", target, "--max-lifetime", "300", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "READY port="));
  auth_url = g_strdup_printf ("https://127.0.0.1:%s/v3", line + strlen ("READY port="));

  /* refused: verification is on and the CA is unknown */
  backend = open_tls_cloud (dir, auth_url, "", &error);
  g_assert_null (backend);
  g_test_message ("error: %s", error->message);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "TLS"));
  g_assert_nonnull (strstr (error->message, "cacert"));
  g_clear_error (&error);

  /* accepted with its CA (clouds.yaml's cacert) */
  with_ca = g_strdup_printf ("    cacert: %s\n", cert);
  backend = open_tls_cloud (dir, auth_url, with_ca, &error);
  g_assert_no_error (error);
  inv = inventory (backend);
  g_assert_cmpuint (vmm_inventory_get_hosts (inv)->len, ==, 3);
  g_clear_object (&backend);

  /* accepted unverified only when the user says so */
  backend = open_tls_cloud (dir, auth_url, "    verify: false\n", &error);
  g_assert_no_error (error);
  g_clear_object (&backend);

  g_subprocess_force_exit (p);
  g_subprocess_wait (p, NULL, NULL);
  {
    g_autofree char *yaml = g_build_filename (dir, "clouds.yaml", NULL);

    g_unlink (yaml);
  }
  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
}

static void
test_auth_token_expiry (void)
{
  gint64 wait_until = shared_auth_time + 62 * G_USEC_PER_SEC;
  g_autoptr (VmmInventory) inv = NULL;
  g_autoptr (VmmInventory) inv2 = NULL;
  VmmNovaClient *appcred = client_of (appcred_backend);
  VmmNovaClient *password = client_of (password_backend);

  /* Both backends authenticated when the suite started and were not used
   * since; Keystone's tokens live 60 s (cloud.sh --token-expiration 60). */
  g_assert_cmpuint (vmm_nova_client_get_auth_count (appcred), ==, 1);
  g_assert_cmpuint (vmm_nova_client_get_auth_count (password), ==, 1);
  while (g_get_monotonic_time () < wait_until)
    sleep_ms (500);
  /* Made to ignore expires_at, the backend meets Nova's 401 with its expired
   * token and authenticates again (one renewal for the four parallel
   * reads). */
  vmm_nova_client_ignore_expiry_for_testing (appcred);
  inv = inventory (appcred_backend);
  g_assert_cmpuint (vmm_nova_client_get_auth_count (appcred), ==, 2);
  /* Normally the token is renewed shortly before it expires. */
  inv2 = inventory (password_backend);
  g_assert_cmpuint (vmm_nova_client_get_auth_count (password), ==, 2);
  /* The shared backend renewed its token during the suite, if it ran long. */
  g_test_message ("shared backend: %u authentications",
                  vmm_nova_client_get_auth_count (client_of (shared_backend)));
}

/* --- secrets: never in a log line, an error, the journal or the tool's output --- */

static GMutex capture_lock;
static GString *captured_logs;     /* every log line of this process */
static GPtrArray *issued_tokens;   /* every token Keystone issued to this process */
static gboolean forward_debug;     /* G_MESSAGES_DEBUG was set by the caller */
static const char *vmmigrate_tool; /* examples/vmmigrate */

static GLogWriterOutput
capture_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  g_mutex_lock (&capture_lock);
  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].length < 0)
        g_string_append (captured_logs, fields[i].value);
      else
        g_string_append_len (captured_logs, fields[i].value, fields[i].length);
      g_string_append_c (captured_logs, ' ');
    }
  g_string_append_c (captured_logs, '\n');
  g_mutex_unlock (&capture_lock);
  /* G_MESSAGES_DEBUG=all makes every library log everything it can; only
   * what the caller asked for is printed */
  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0 && !forward_debug)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
observe_token (const char *token, gpointer user_data)
{
  g_mutex_lock (&capture_lock);
  g_ptr_array_add (issued_tokens, g_strdup (token));
  g_mutex_unlock (&capture_lock);
}

/* Runs the tool with G_MESSAGES_DEBUG=all (and OS_CLIENT_CONFIG_FILE=CLOUDS
 * when given); appends its stdout and stderr to OUT; returns its exit
 * status. */
static int
run_tool (GString *out, const char *clouds, const char *const *extra_env, const char *const *argv)
{
  g_autoptr (GSubprocessLauncher) launcher
      = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;

  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  if (clouds != NULL)
    g_subprocess_launcher_setenv (launcher, "OS_CLIENT_CONFIG_FILE", clouds, TRUE);
  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, extra_env[i], extra_env[i + 1], TRUE);
  g_ptr_array_add (args, (gpointer)vmmigrate_tool);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer)argv[i]);
  g_ptr_array_add (args, NULL);
  p = g_subprocess_launcher_spawnv (launcher, (const char *const *)args->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &stdout_text, &stderr_text, &error));
  g_assert_no_error (error);
  g_string_append_printf (out, "%s\n%s\n", stdout_text, stderr_text);
  g_test_message ("vmmigrate %s: exit %d, %zu bytes of output", argv[2],
                  g_subprocess_get_exit_status (p), strlen (stdout_text) + strlen (stderr_text));
  return g_subprocess_get_exit_status (p);
}

/* A file's bytes as text (NULs turned into newlines), appended to OUT. */
static void
append_file (GString *out, const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return;
  for (gsize i = 0; i < length; i++)
    if (contents[i] == '\0')
      contents[i] = '\n';
  g_string_append_len (out, contents, length);
}

static void
collect_error (GString *errors, const GError *error)
{
  g_assert_nonnull (error);
  g_string_append_printf (errors, "%s\n", error->message);
}

static void
test_secrets (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vmm-nova-secrets-XXXXXX", &error);
  g_autofree char *journal_path = g_build_filename (dir, "journal.db", NULL);
  g_autofree char *clouds_path = g_build_filename (dir, "clouds.yaml", NULL);
  g_autofree char *password = real_password ();
  g_autofree char *appcred_id = cloud_auth ("vmm-appcred", "application_credential_id");
  g_autofree char *appcred_secret = cloud_auth ("vmm-appcred", "application_credential_secret");
  g_autofree char *wrong_password = g_strdup_printf ("Wrong-Pass-%08x", g_random_int ());
  g_autofree char *wrong_secret = g_strdup_printf ("Wrong-Secret-%08x", g_random_int ());
  g_autofree char *clouds = NULL;
  g_autofree char *keystone = g_strdup_printf ("nova+%s/v3", env ("KEYSTONE_URL"));
  g_autoptr (GString) errors = g_string_new (NULL);
  g_autoptr (GString) journal_text = g_string_new (NULL);
  g_autoptr (GString) tool_output = g_string_new (NULL);
  g_autoptr (GString) everything = g_string_new (NULL);
  g_autoptr (Server) s = boot ("host1", "m1.tiny", NULL);
  g_autoptr (Server) failing = boot ("host1", "m1.tiny", "fail");
  const char *secrets[5];

  g_assert_no_error (error);
  /* token expiry and re-authentication, unless /nova/auth/token-expiry did it */
  if (vmm_nova_client_get_auth_count (client_of (appcred_backend)) < 2)
    test_auth_token_expiry ();
  g_assert_cmpuint (vmm_nova_client_get_auth_count (client_of (appcred_backend)), >=, 2);

  /* a successful move and a failed one, with the SQLite journal */
  {
    g_autoptr (VmmEngine) engine = vmm_engine_new ();
    g_autoptr (VmmJournal) journal = vmm_journal_new_sqlite (journal_path, &error);
    const char *const moves[][2]
        = { { s->name, "{\"host\": \"host2\"}" }, { failing->name, "{\"host\": \"host2\"}" } };

    g_assert_no_error (error);
    vmm_engine_set_journal (engine, journal);
    for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
      {
        g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new_from_json (moves[i][1], &error);
        g_autoptr (VmmMigration) m
            = vmm_engine_create_migration (engine, shared_backend, moves[i][0], spec, &error);
        g_autoptr (VmmMigrationResult) result = NULL;
        Wait w = { NULL };

        g_assert_no_error (error);
        vmm_migration_run_async (m, NULL, wait_cb, &w);
        result = vmm_migration_run_finish (m, wait_for (&w), &error);
        g_object_unref (w.result);
        if (i == 0)
          g_assert_no_error (error);
        else
          {
            g_assert_null (result);
            collect_error (errors, error);
            g_clear_error (&error);
          }
      }
  }
  assert_on_host (s, "host2", "ACTIVE");
  append_file (journal_text, journal_path);
  {
    g_autofree char *wal = g_strconcat (journal_path, "-wal", NULL);
    g_autofree char *rollback = g_strconcat (journal_path, "-journal", NULL);

    append_file (journal_text, wal);
    append_file (journal_text, rollback);
  }
  /* the journal was read: it names the VMs */
  g_assert_nonnull (strstr (journal_text->str, s->name));
  g_assert_nonnull (strstr (journal_text->str, failing->name));

  /* a bad password and a bad application credential secret, in the library */
  clouds = g_strdup_printf (
      "clouds:\n"
      "  bad-password:\n    auth:\n      auth_url: %s/v3\n"
      "      username: vmm-admin\n      password: '%s'\n"
      "      project_name: vmm\n      user_domain_name: Default\n"
      "      project_domain_name: Default\n    region_name: RegionOne\n"
      "  bad-appcred:\n    auth_type: v3applicationcredential\n    auth:\n"
      "      auth_url: %s/v3\n      application_credential_id: %s\n"
      "      application_credential_secret: '%s'\n    region_name: RegionOne\n",
      env ("KEYSTONE_URL"), wrong_password, env ("KEYSTONE_URL"), appcred_id, wrong_secret);
  g_assert_true (g_file_set_contents (clouds_path, clouds, -1, &error));
  g_assert_no_error (error);
  g_chmod (clouds_path, 0600);
  {
    g_autofree char *saved = g_strdup (env ("OS_CLIENT_CONFIG_FILE"));
    const char *const bad[] = { "nova://bad-password", "nova://bad-appcred" };

    g_setenv ("OS_CLIENT_CONFIG_FILE", clouds_path, TRUE);
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr (VmmBackend) backend = vmm_backend_open (bad[i], NULL, &error);

        g_assert_null (backend);
        g_assert_error (error, VMM_ERROR, VMM_ERROR_PERMISSION_DENIED);
        collect_error (errors, error);
        g_clear_error (&error);
      }
    g_setenv ("OS_CLIENT_CONFIG_FILE", saved, TRUE);
  }

  /* the tool: a successful move (clouds.yaml), a bad password (OS_*
   * variables), a bad application credential secret (clouds.yaml) */
  {
    const char *const move[]
        = { "-c", "nova://vmm-password", "--json", "migrate", s->name, "--host", "host3", NULL };
    const char *const bad_env_argv[] = { "-c", keystone, "--json", "list-vms", NULL };
    const char *const bad_env[] = { "OS_USERNAME",
                                    "vmm-admin",
                                    "OS_PASSWORD",
                                    wrong_password,
                                    "OS_PROJECT_NAME",
                                    "vmm",
                                    "OS_USER_DOMAIN_NAME",
                                    "Default",
                                    "OS_PROJECT_DOMAIN_NAME",
                                    "Default",
                                    "OS_REGION_NAME",
                                    "RegionOne",
                                    NULL };
    const char *const bad_appcred[] = { "-c", "nova://bad-appcred", "--json", "list-vms", NULL };

    g_assert_cmpint (run_tool (tool_output, env ("OS_CLIENT_CONFIG_FILE"), NULL, move), ==, 0);
    assert_on_host (s, "host3", "ACTIVE");
    g_assert_nonnull (strstr (tool_output->str, "host3"));
    g_assert_cmpint (run_tool (tool_output, clouds_path, bad_env, bad_env_argv), !=, 0);
    g_assert_cmpint (run_tool (tool_output, clouds_path, NULL, bad_appcred), !=, 0);
    g_assert_nonnull (strstr (tool_output->str, "refused the credentials"));
  }

  /* everything any of it wrote */
  g_mutex_lock (&capture_lock);
  g_string_append_printf (everything, "%s\n", captured_logs->str);
  g_mutex_unlock (&capture_lock);
  g_string_append_printf (everything, "%s\n%s\n%s\n", errors->str, journal_text->str,
                          tool_output->str);
  g_test_message ("searched %zu bytes: %zu of logs, %zu of errors, %zu of journal, %zu of tool "
                  "output; %u tokens issued",
                  everything->len, captured_logs->len, errors->len, journal_text->len,
                  tool_output->len, issued_tokens->len);
  /* the capture really holds the debug logs of the HTTP calls */
  g_assert_nonnull (strstr (everything->str, "GSocketClient"));
  secrets[0] = password;
  secrets[1] = appcred_secret;
  secrets[2] = wrong_password;
  secrets[3] = wrong_secret;
  secrets[4] = NULL;
  for (guint i = 0; secrets[i] != NULL; i++)
    if (strstr (everything->str, secrets[i]) != NULL)
      g_error ("secret %u of the test found in the output", i);
  /* tokens: the ones this process was issued, and any Fernet token (what
   * this Keystone issues, also to the tool) */
  g_assert_cmpuint (issued_tokens->len, >=, 4);
  for (guint i = 0; i < issued_tokens->len; i++)
    if (strstr (everything->str, g_ptr_array_index (issued_tokens, i)) != NULL)
      g_error ("token %u found in the output", i);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (issued_tokens, 0), "gAAAAA"));
  g_assert_null (strstr (everything->str, "gAAAAA"));

  delete_server (s);
  delete_server (failing);
  g_unlink (clouds_path);
  g_unlink (journal_path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  /* --vmmigrate=PATH (meson passes it) or $VMMIGRATE: the tool for /nova/secrets */
  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--vmmigrate="))
      {
        vmmigrate_tool = argv[i] + strlen ("--vmmigrate=");
        memmove (&argv[i], &argv[i + 1], (argc - i) * sizeof (char *));
        argc--;
        break;
      }
  if (vmmigrate_tool == NULL)
    vmmigrate_tool = g_getenv ("VMMIGRATE");
  forward_debug = g_getenv ("G_MESSAGES_DEBUG") != NULL;
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  captured_logs = g_string_new (NULL);
  issued_tokens = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  vmm_nova_client_set_token_observer_for_testing (observe_token, NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nova/yaml", test_yaml);

  /* every other test needs the cloud */
  {
    g_autoptr (GError) error = NULL;

    shared_backend = vmm_backend_open ("nova://vmm-password", NULL, &error);
    if (shared_backend == NULL)
      g_error ("cannot open nova://vmm-password: %s", error->message);
    shared_auth_time = g_get_monotonic_time ();
    appcred_backend = vmm_backend_open ("nova://vmm-appcred", NULL, &error);
    if (appcred_backend == NULL)
      g_error ("cannot open nova://vmm-appcred: %s", error->message);
    password_backend = vmm_backend_open ("nova://vmm-password", NULL, &error);
    if (password_backend == NULL)
      g_error ("cannot open nova://vmm-password: %s", error->message);
    control ("/settings", "{\"live_migration_seconds\": 0.2}");
  }
  g_test_add_func ("/nova/inventory", test_inventory);
  g_test_add_func ("/nova/errors", test_errors);
  g_test_add_func ("/nova/open-errors", test_open_errors);
  g_test_add_func ("/nova/live/to-host", test_live_to_host);
  g_test_add_func ("/nova/live/with-volume", test_live_with_volume);
  g_test_add_func ("/nova/live/engine-placement", test_live_engine_placement);
  g_test_add_func ("/nova/live/scheduler", test_live_scheduler);
  g_test_add_func ("/nova/live/abort", test_live_abort);
  g_test_add_func ("/nova/live/force-complete", test_live_force_complete);
  g_test_add_func ("/nova/live/timeout-force-complete", test_live_timeout_force_complete);
  g_test_add_func ("/nova/live/timeout-abort", test_live_timeout_abort);
  g_test_add_func ("/nova/live/hypervisor-failure", test_live_hypervisor_failure);
  g_test_add_func ("/nova/live/precheck-failure", test_live_precheck_failure);
  g_test_add_func ("/nova/cold/confirm", test_cold_confirm);
  g_test_add_func ("/nova/cold/revert", test_cold_revert);
  g_test_add_func ("/nova/cold/failure", test_cold_failure);
  g_test_add_func ("/nova/cold/restart", test_cold_restart);
  g_test_add_func ("/nova/cold/restart-failure", test_cold_restart_failure);
  g_test_add_func ("/nova/locate/after-move", test_locate_after_move);
  g_test_add_func ("/nova/recover/live-in-flight", test_recover_live_in_flight);
  g_test_add_func ("/nova/recover/live-completed", test_recover_live_completed);
  g_test_add_func ("/nova/recover/cold-verify-resize", test_recover_cold_verify_resize);
  g_test_add_func ("/nova/recover/cold-restart-stopped", test_recover_cold_restart_stopped);
  g_test_add_func ("/nova/service/disable-enable", test_service_disable_enable);
  g_test_add_func ("/nova/service/evacuate", test_evacuate);
  g_test_add_func ("/nova/service/evacuate-dead-compute", test_evacuate_dead_compute);
  g_test_add_func ("/nova/precheck/forced-down", test_precheck_forced_down);
  g_test_add_func ("/nova/precheck/memory", test_precheck_memory);
  g_test_add_func ("/nova/precheck/zone", test_precheck_zone);
  g_test_add_func ("/nova/precheck/aggregate-metadata", test_precheck_aggregate_metadata);
  g_test_add_func ("/nova/auth/appcred", test_auth_appcred);
  g_test_add_func ("/nova/auth/environment", test_auth_environment);
  g_test_add_func ("/nova/auth/bad-secret", test_auth_bad_secret);
  g_test_add_func ("/nova/auth/member-forbidden", test_auth_member_forbidden);
  g_test_add_func ("/nova/auth/tls", test_tls);
  g_test_add_func ("/nova/auth/token-expiry", test_auth_token_expiry);
  if (vmmigrate_tool == NULL)
    g_error ("pass --vmmigrate=PATH or set VMMIGRATE to examples/vmmigrate");
  g_test_add_func ("/nova/auth/secrets", test_secrets);
  {
    int rc = g_test_run ();

    g_clear_object (&shared_backend);
    g_clear_object (&appcred_backend);
    g_clear_object (&password_backend);
    return rc;
  }
}
