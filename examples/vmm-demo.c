/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The README's demo: three moves on the built-in simulated inventory, each
 * planned (the action queue) and then run with live progress. */
#include <vmmigrate/vmmigrate.h>

#include <stdio.h>
#include <unistd.h>

static gboolean tty;

typedef struct
{
  GMainLoop *loop;
  VmmMigrationResult *result;
  GError *error;
} Run;

static void
on_action_started (VmmMigration *m, VmmAction *action, gpointer data)
{
  g_print ("%s  -> %s\n", tty ? "\r\033[K" : "", vmm_action_get_name (action));
}

static void
on_progress (VmmMigration *m, double fraction, guint64 done, guint64 total, gint64 eta_ms,
             gpointer data)
{
  VmmAction *current = vmm_migration_get_current_action (m);

  if (!tty)
    return;
  g_print ("\r\033[K  [%3.0f%%] %6.1f / %.1f GiB  %s", fraction * 100.0, done / 1073741824.0,
           total / 1073741824.0, current != NULL ? vmm_action_get_name (current) : "");
  fflush (stdout);
}

static void
on_warning (VmmMigration *m, const char *message, gpointer data)
{
  g_print ("%s  warning: %s\n", tty ? "\r\033[K" : "", message);
}

static void
run_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Run *run = user_data;

  run->result = vmm_migration_run_finish (VMM_MIGRATION (source), res, &run->error);
  g_main_loop_quit (run->loop);
}

static gboolean
demo_move (VmmEngine *engine, VmmBackend *backend, const char *title, const char *vm,
           const char *spec_json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new_from_json (spec_json, &error);
  g_autoptr (VmmMigration) migration = NULL;
  g_autoptr (VmmPlan) plan = NULL;
  g_autofree char *text = NULL;
  Run run = { g_main_loop_new (NULL, FALSE), NULL, NULL };
  GPtrArray *disks;

  g_print ("\n=== %s: %s %s\n", title, vm, spec_json);
  if (spec != NULL)
    migration = vmm_engine_create_migration (engine, backend, vm, spec, &error);
  if (migration != NULL)
    plan = vmm_migration_plan (migration, NULL, &error);
  if (plan == NULL)
    {
      g_printerr ("plan failed: %s\n", error->message);
      g_main_loop_unref (run.loop);
      return FALSE;
    }
  text = vmm_plan_to_string (plan);
  g_print ("%s", text);

  g_signal_connect (migration, "action-started", G_CALLBACK (on_action_started), NULL);
  g_signal_connect (migration, "progress", G_CALLBACK (on_progress), NULL);
  g_signal_connect (migration, "warning", G_CALLBACK (on_warning), NULL);
  vmm_migration_run_async (migration, NULL, run_done, &run);
  g_main_loop_run (run.loop);
  g_main_loop_unref (run.loop);
  if (tty)
    g_print ("\r\033[K");
  if (run.result == NULL)
    {
      g_printerr ("migration failed: %s\n", run.error->message);
      g_error_free (run.error);
      return FALSE;
    }
  g_print ("Result: %s is on host %s, pool %s, datastore %s (%s, %" G_GINT64_FORMAT " ms, "
           "downtime %" G_GINT64_FORMAT " ms, %.1f GiB moved)\n",
           vm, vmm_migration_result_get_host (run.result),
           vmm_migration_result_get_resource_pool (run.result),
           vmm_migration_result_get_datastore (run.result),
           vmm_migration_type_to_string (vmm_migration_result_get_migration_type (run.result)),
           vmm_migration_result_get_duration_ms (run.result),
           vmm_migration_result_get_downtime_ms (run.result),
           vmm_migration_result_get_bytes_moved (run.result) / 1073741824.0);
  disks = vmm_migration_result_get_disks (run.result);
  for (guint i = 0; i < disks->len; i++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (disks, i);

      g_print ("  disk %s: [%s] %s\n", vmm_disk_info_get_key (disk),
               vmm_disk_info_get_datastore (disk), vmm_disk_info_get_path (disk));
    }
  g_object_unref (run.result);
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *uri = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) options = g_option_context_new ("- libvmmigrate demo");
  const GOptionEntry entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &uri, "Backend URI (default: sim://)", "URI" },
    { NULL },
  };
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmEngine) engine = NULL;
  gboolean ok = TRUE;

  tty = isatty (STDOUT_FILENO);

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  backend = vmm_backend_open (uri != NULL ? uri : "sim://", NULL, &error);
  if (backend == NULL)
    {
      g_printerr ("cannot open backend: %s\n", error->message);
      return 1;
    }
  engine = vmm_engine_new ();
  ok &= demo_move (engine, backend, "Hot host move", "web-01", "{\"host\": \"esx-02\"}");
  ok &= demo_move (engine, backend, "Hot storage move", "web-01",
                   "{\"datastore\": \"san-silver\"}");
  ok &= demo_move (
      engine, backend, "Cold move (host and local storage)", "build-01",
      "{\"host\": \"esx-01\", \"datastore\": \"local-esx-01\", \"resource-pool\": \"batch\"}");
  return ok ? 0 : 1;
}
