/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark (not a test): the engine's Nova backend against seed 001's
 * runbook, on the same loopback cloud (run through run-suite.sh):
 *
 *   1. one live migration: engine vs `openstack server migrate --live-migration
 *      --wait`, and how long after Nova's migration record says "completed"
 *      each reports success;
 *   2. evacuation of N servers (default 20) off host1: the engine (host
 *      disabled first, re-enabled at the end) vs the sequential CLI loop.
 *
 *   bench-nova [N]
 */
#include <string.h>

#include "vmm-nova-backend.h"

static VmmBackend *backend;

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ((Wait *)user_data)->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Wait *w)
{
  while (w->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return w->result;
}

static JsonNode *
call (const char *method, const char *path, const char *body, const char *version)
{
  VmmNovaClient *client = vmm_nova_backend_get_client (VMM_NOVA_BACKEND (backend));
  g_autoptr (JsonNode) node = body != NULL ? json_from_string (body, NULL) : NULL;
  g_autoptr (GError) error = NULL;
  Wait w = { NULL };
  JsonNode *answer;

  vmm_nova_client_call_async (client, method, path, node, version, VMM_NOVA_CALL_NONE, NULL,
                              wait_cb, &w);
  answer = vmm_nova_client_call_finish (client, wait_for (&w), NULL, &error);
  g_object_unref (w.result);
  if (error != NULL)
    g_error ("%s %s: %s", method, path, error->message);
  return answer;
}

static JsonObject *
server (const char *id, JsonNode **keep)
{
  g_autofree char *path = g_strdup_printf ("/servers/%s", id);

  *keep = call ("GET", path, NULL, "2.47");
  return json_object_get_object_member (json_node_get_object (*keep), "server");
}

static char **
boot_many (guint n, const char *host)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autoptr (JsonNode) flavors = call ("GET", "/flavors/detail", NULL, "2.1");
  JsonArray *list = json_object_get_array_member (json_node_get_object (flavors), "flavors");
  const char *flavor = NULL;

  for (guint i = 0; i < json_array_get_length (list); i++)
    if (g_strcmp0 (vmm_nova_json_string (json_array_get_object_element (list, i), "name"),
                   "m1.tiny")
        == 0)
      flavor = vmm_nova_json_string (json_array_get_object_element (list, i), "id");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *body = g_strdup_printf (
          "{\"server\": {\"name\": \"bench-%u-%08x\", \"imageRef\": \"%s\", \"flavorRef\": \"%s\", "
          "\"networks\": \"none\", \"host\": \"%s\"}}",
          i, g_random_int (), g_getenv ("NOVA_IMAGE_ID"), flavor, host);
      g_autoptr (JsonNode) answer = call ("POST", "/servers", body, "2.74");

      g_ptr_array_add (
          ids, g_strdup (vmm_nova_json_string (
                   json_object_get_object_member (json_node_get_object (answer), "server"), "id")));
    }
  for (guint i = 0; i < ids->len; i++)
    for (;;)
      {
        g_autoptr (JsonNode) keep = NULL;
        JsonObject *s = server (g_ptr_array_index (ids, i), &keep);

        if (g_strcmp0 (vmm_nova_json_string (s, "status"), "ACTIVE") == 0)
          break;
        g_usleep (100000);
      }
  g_ptr_array_add (ids, NULL);
  return (char **)g_ptr_array_steal (ids, NULL);
}

/* The completed live migration's updated_at, as a wall-clock time (µs). */
static gint64
completed_at (const char *id)
{
  g_autofree char *path
      = g_strdup_printf ("/os-migrations?instance_uuid=%s&migration_type=live-migration", id);
  g_autoptr (JsonNode) answer = call ("GET", path, NULL, "2.59");
  JsonArray *list = json_object_get_array_member (json_node_get_object (answer), "migrations");
  JsonObject *m = json_array_get_object_element (list, 0);
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) t
      = g_date_time_new_from_iso8601 (vmm_nova_json_string (m, "updated_at"), utc);

  g_assert (g_strcmp0 (vmm_nova_json_string (m, "status"), "completed") == 0);
  return g_date_time_to_unix (t) * G_USEC_PER_SEC + g_date_time_get_microsecond (t);
}

static double
run_cli (const char *const *ids, gint64 *last_done)
{
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; ids[i] != NULL; i++)
    {
      const char *argv[] = { "openstack",        "--os-cloud", "vmm-password", "server", "migrate",
                             "--live-migration", "--wait",     ids[i],         NULL };
      g_autoptr (GError) error = NULL;
      g_autoptr (GSubprocess) p
          = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);

      if (p == NULL || !g_subprocess_wait_check (p, NULL, &error))
        g_error ("openstack CLI: %s", error->message);
      *last_done = g_get_real_time ();
    }
  return (g_get_monotonic_time () - start) / 1e6;
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : 20;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = NULL;
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_auto (GStrv) one = NULL;
  g_auto (GStrv) many = NULL;
  gint64 start, reported, cli_reported = 0;
  double engine_s, cli_s, evac_s;
  gboolean empty = FALSE;
  Wait w = { NULL };

  backend = vmm_backend_open ("nova://vmm-password", NULL, &error);
  if (backend == NULL)
    g_error ("%s", error->message);

  /* 1. one live migration */
  one = boot_many (1, "host1");
  spec = vmm_relocate_spec_new_from_json ("{\"host\": \"host2\"}", NULL);
  g_autoptr (VmmInventory) inv = vmm_backend_query_inventory (backend, NULL, &error);
  g_assert_no_error (error);
  {
    const char *name = NULL;
    GPtrArray *vms = vmm_inventory_get_vms (inv);

    for (guint i = 0; i < vms->len; i++)
      if (g_strcmp0 (vmm_vm_info_get_id (g_ptr_array_index (vms, i)), one[0]) == 0)
        name = vmm_vm_info_get_name (g_ptr_array_index (vms, i));
    m = vmm_engine_create_migration (engine, backend, name, spec, &error);
    g_assert_no_error (error);
    start = g_get_monotonic_time ();
    vmm_migration_run_async (m, NULL, wait_cb, &w);
    result = vmm_migration_run_finish (m, wait_for (&w), &error);
    reported = g_get_real_time ();
    engine_s = (g_get_monotonic_time () - start) / 1e6;
    g_assert_no_error (error);
    g_clear_object (&w.result);
  }
  g_print ("single live migration, engine:      %6.2f s total, success reported %4.0f ms after "
           "Nova's record says completed\n",
           engine_s, (reported - completed_at (one[0])) / 1e3);
  cli_s = run_cli ((const char *const *)one, &cli_reported);
  g_print ("single live migration, openstack --wait: %6.2f s total, success reported %4.0f ms "
           "after Nova's record says completed\n",
           cli_s, (cli_reported - completed_at (one[0])) / 1e3);

  /* 2. evacuation (seed 001) */
  many = boot_many (n, "host1");
  g_print ("booted %u servers on host1\n", n);
  start = g_get_monotonic_time ();
  vmm_engine_evacuate_async (engine, backend, "host1", NULL,
                             VMM_EVACUATE_FLAGS_DISABLE_HOST | VMM_EVACUATE_FLAGS_REENABLE_HOST,
                             NULL, wait_cb, &w);
  entries = vmm_engine_evacuate_finish (engine, wait_for (&w), &empty, &error);
  evac_s = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (error);
  g_print ("evacuation of %u servers, engine:    %6.2f s (host empty: %s)\n", n, evac_s,
           empty ? "yes" : "no");
  cli_s = run_cli ((const char *const *)many, &cli_reported);
  g_print ("evacuation of %u servers, CLI loop:  %6.2f s (openstack server migrate "
           "--live-migration --wait, one after another)\n",
           n, cli_s);
  g_print ("ratio CLI loop / engine: %.1f\n", cli_s / evac_s);
  g_clear_object (&w.result);
  g_clear_object (&backend);
  return 0;
}
