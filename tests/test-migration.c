/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-test-utils.h"

typedef struct
{
  const char *name;
  const char *vm;
  const char *spec;
  VmmMigrationType type;
  const char *host;
  const char *pool;
  const char *datastore;
  const char *disk0_datastore;
  const char *disk0_path;
} RunCase;

static const RunCase run_cases[] = {
  { "hot-host", "hot1", "{\"host\": \"h2\"}", VMM_MIGRATION_TYPE_HOT_HOST, "h2", "prod", "shared1",
    "shared1", "hot1/hot1-disk-0.vmdk" },
  { "hot-storage", "hot1", "{\"datastore\": \"shared2\"}", VMM_MIGRATION_TYPE_HOT_STORAGE, "h1",
    "prod", "shared2", "shared2", "hot1/hot1-disk-0.vmdk" },
  { "hot-host-and-storage", "local-vm", "{\"host\": \"h2\", \"datastore\": \"local2\"}",
    VMM_MIGRATION_TYPE_HOT_HOST_AND_STORAGE, "h2", "prod", "local2", "local2",
    "local-vm/local-vm-disk-0.vmdk" },
  { "hot-disks-only", "hot1", "{\"disks\": [{\"key\": \"disk-0\", \"datastore\": \"shared2\"}]}",
    VMM_MIGRATION_TYPE_HOT_DISKS_ONLY, "h1", "prod", "shared1", "shared2",
    "hot1/hot1-disk-0.vmdk" },
  { "cross-manager", "hot1",
    "{\"host\": \"x1\", \"datastore\": \"remote1\", \"allow-zone-change\": true, "
    "\"service-locator\": "
    "{\"url\": \"https://vc2.example/sdk\", \"credential\": \"vc2\"}}",
    VMM_MIGRATION_TYPE_CROSS_MANAGER, "x1", "Resources", "remote1", "remote1",
    "hot1/hot1-disk-0.vmdk" },
  { "cold-primary", "cold1",
    "{\"host\": \"h2\", \"datastore\": \"shared2\", \"resource-pool\": \"prod\"}",
    VMM_MIGRATION_TYPE_COLD, "h2", "prod", "shared2", "shared2", "cold1/cold1-disk-0.vmdk" },
  { "cold-host", "cold1", "{\"host\": \"h2\"}", VMM_MIGRATION_TYPE_COLD, "h2", "dev", "shared1",
    "shared1", "cold1/cold1-disk-0.vmdk" },
  { "cold-disks", "cold1",
    "{\"disks\": [{\"key\": \"disk-0\", \"datastore\": \"shared2\", \"transform\": \"thick\"}]}",
    VMM_MIGRATION_TYPE_COLD, "h1", "dev", "shared1", "shared2", "cold1/cold1-disk-0.vmdk" },
  { "pool-only", "hot1", "{\"resource-pool\": \"dev\"}", VMM_MIGRATION_TYPE_POOL_ONLY, "h1", "dev",
    "shared1", "shared1", "hot1/hot1-disk-0.vmdk" },
};

typedef struct
{
  GPtrArray *events;
  double last_fraction;
  guint n_progress;
  gboolean monotone;
} Recorder;

static void
on_action_started (VmmMigration *m, VmmAction *action, Recorder *r)
{
  g_ptr_array_add (r->events, g_strdup_printf ("start:%s", vmm_action_get_name (action)));
}

static void
on_action_finished (VmmMigration *m, VmmAction *action, const GError *error, Recorder *r)
{
  g_ptr_array_add (r->events, g_strdup_printf ("end:%s%s", vmm_action_get_name (action),
                                               error != NULL ? ":error" : ""));
}

static void
on_progress (VmmMigration *m, double fraction, guint64 done, guint64 total, gint64 eta, Recorder *r)
{
  if (fraction < r->last_fraction || fraction < 0 || fraction > 1)
    r->monotone = FALSE;
  r->last_fraction = fraction;
  r->n_progress++;
}

static void
on_state_changed (VmmMigration *m, VmmMigrationState old, VmmMigrationState new_state, Recorder *r)
{
  GEnumClass *klass = g_type_class_ref (VMM_TYPE_MIGRATION_STATE);

  g_ptr_array_add (r->events,
                   g_strdup_printf ("state:%s", g_enum_get_value (klass, new_state)->value_nick));
  g_type_class_unref (klass);
}

static Recorder *
recorder_attach (VmmMigration *m)
{
  Recorder *r = g_new0 (Recorder, 1);

  r->events = g_ptr_array_new_with_free_func (g_free);
  r->monotone = TRUE;
  g_signal_connect (m, "action-started", G_CALLBACK (on_action_started), r);
  g_signal_connect (m, "action-finished", G_CALLBACK (on_action_finished), r);
  g_signal_connect (m, "progress", G_CALLBACK (on_progress), r);
  g_signal_connect (m, "state-changed", G_CALLBACK (on_state_changed), r);
  return r;
}

static void
recorder_free (Recorder *r)
{
  g_ptr_array_unref (r->events);
  g_free (r);
}

static void
test_run_case (gconstpointer data)
{
  const RunCase *c = data;
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (c->spec);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) migration = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (VmmVmInfo) vm = NULL;
  VmmDiskInfo *disk;
  Recorder *r;

  /* storage moves take time, so progress has something to report */
  vmm_sim_backend_set_timing (sim, 0, 20000);
  migration = vmm_engine_create_migration (engine, VMM_BACKEND (sim), c->vm, spec, &error);
  g_assert_no_error (error);
  r = recorder_attach (migration);
  result = vmm_migration_run_sync (migration, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  g_assert_cmpint (vmm_migration_get_state (migration), ==, VMM_MIGRATION_STATE_SUCCEEDED);
  g_assert_true (vmm_migration_result_get_moved (result));
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==, c->type);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, c->host);
  g_assert_cmpstr (vmm_migration_result_get_resource_pool (result), ==, c->pool);
  g_assert_cmpstr (vmm_migration_result_get_datastore (result), ==, c->datastore);
  disk = vmm_migration_result_lookup_disk (result, "disk-0");
  g_assert_nonnull (disk);
  g_assert_cmpstr (vmm_disk_info_get_datastore (disk), ==, c->disk0_datastore);
  g_assert_cmpstr (vmm_disk_info_get_path (disk), ==, c->disk0_path);
  g_assert_cmpint (vmm_migration_result_get_duration_ms (result), >=, 0);

  /* the platform agrees with the result */
  vm = vmm_backend_get_vm (VMM_BACKEND (sim), c->vm, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_vm_info_get_host (vm), ==, c->host);
  g_assert_cmpstr (vmm_vm_info_get_resource_pool (vm), ==, c->pool);
  g_assert_cmpstr (vmm_vm_info_get_datastore (vm), ==, c->datastore);
  g_assert_false (vmm_vm_info_get_migrating (vm));
  for (guint i = 0; i < vmm_vm_info_get_disks (vm)->len; i++)
    {
      VmmDiskInfo *actual = g_ptr_array_index (vmm_vm_info_get_disks (vm), i);
      VmmDiskInfo *reported
          = vmm_migration_result_lookup_disk (result, vmm_disk_info_get_key (actual));

      g_assert_nonnull (reported);
      g_assert_cmpstr (vmm_disk_info_get_datastore (reported), ==,
                       vmm_disk_info_get_datastore (actual));
      g_assert_cmpstr (vmm_disk_info_get_path (reported), ==, vmm_disk_info_get_path (actual));
    }
  vmm_test_assert_one_place (sim, c->vm, c->host);

  /* signals: each action starts then finishes, in queue order; progress ends at 1 */
  g_assert_true (r->monotone);
  g_assert_cmpfloat (r->last_fraction, ==, 1.0);
  g_assert_cmpuint (r->n_progress, >, 0);
  g_assert_cmpstr (g_ptr_array_index (r->events, 0), ==, "state:running");
  g_assert_cmpstr (g_ptr_array_index (r->events, r->events->len - 1), ==, "state:succeeded");
  for (guint i = 1; i + 1 < r->events->len; i += 2)
    {
      const char *start = g_ptr_array_index (r->events, i);
      const char *end = g_ptr_array_index (r->events, i + 1);

      g_assert_true (g_str_has_prefix (start, "start:"));
      g_assert_cmpstr (start + 6, ==, end + 4);
    }
  g_assert_cmpuint (g_strv_length ((GStrv)vmm_migration_result_get_actions (result)), ==,
                    (r->events->len - 2) / 2);
  recorder_free (r);
}

static void
test_run_busy (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"host\": \"h2\"}");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) m1
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, &error);
  g_autoptr (VmmMigration) m2 = NULL;
  g_autoptr (VmmMigration) m3 = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  g_assert_no_error (error);
  m2 = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, &error);
  g_assert_null (m2);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BUSY);
  g_clear_error (&error);

  result = vmm_migration_run_sync (m1, NULL, &error);
  g_assert_no_error (error);
  /* a migration runs once */
  g_assert_null (vmm_migration_run_sync (m1, NULL, &error));
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BUSY);
  g_clear_error (&error);
  /* the lock is released when the migration ends */
  m3 = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m3);
}

static gboolean
veto_ready (VmmEngine *engine, VmmMigration *m, VmmMigrationContext *ctx, gpointer data)
{
  g_assert_cmpstr (vmm_migration_context_get_destination_host (ctx), ==, "h2");
  vmm_migration_context_veto (ctx, "change freeze");
  return TRUE;
}

static void
test_run_veto (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"host\": \"h2\"}");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, &error);
  g_autoptr (VmmMigrationResult) result = NULL;

  g_signal_connect (engine, "ready", G_CALLBACK (veto_ready), NULL);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_VETOED);
  g_assert_nonnull (strstr (error->message, "change freeze"));
  g_assert_nonnull (strstr (error->message, "InvokeCallbacks"));
  vmm_test_assert_one_place (sim, "hot1", "h1");
  g_assert_cmpuint (vmm_sim_backend_get_step_count (sim), ==, 0);
}

/* Cancellation: cancel when a given action starts. */
typedef struct
{
  const char *at;
  GCancellable *cancellable;
  gboolean fired;
} CancelAt;

static void
cancel_at_action (VmmMigration *m, VmmAction *action, CancelAt *c)
{
  if (!c->fired && g_strcmp0 (vmm_action_get_name (action), c->at) == 0)
    {
      c->fired = TRUE;
      g_cancellable_cancel (c->cancellable);
    }
}

static VmmMigrationResult *
run_cancelling (VmmSimBackend *sim, VmmEngine *engine, const char *vm, const char *spec_json,
                const char *at, GPtrArray *warnings, GError **error)
{
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (spec_json);
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), vm, spec, error);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  CancelAt c = { at, cancellable, FALSE };

  g_signal_connect (m, "action-started", G_CALLBACK (cancel_at_action), &c);
  if (warnings != NULL)
    g_signal_connect_swapped (m, "warning", G_CALLBACK (g_ptr_array_add), warnings);
  return vmm_migration_run_sync (m, cancellable, error);
}

static void
test_cancel_cold_inside_copy (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  /* a 16 GiB copy at 100 MiB/s takes minutes: the cancel lands inside it */
  vmm_sim_backend_set_timing (sim, 0, 100);
  result = run_cancelling (sim, engine, "cold1", "{\"host\": \"h2\", \"datastore\": \"shared2\"}",
                           "CreateDestinationVM", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "CreateDestinationVM"));
  g_assert_nonnull (strstr (error->message, "source host 'h1'"));
  vmm_test_assert_one_place (sim, "cold1", "h1");
}

static void
test_cancel_storage_inside_transfer (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  vmm_sim_backend_set_timing (sim, 0, 100);
  result = run_cancelling (sim, engine, "hot1", "{\"datastore\": \"shared2\"}", "InitiateSource",
                           NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  vmm_test_assert_one_place (sim, "hot1", "h1");
}

static void
test_cancel_hot_before_initiate (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  vmm_sim_backend_set_timing (sim, 5, 0);
  result = run_cancelling (sim, engine, "hot1", "{\"host\": \"h2\"}", "PrepareDestination", NULL,
                           &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "PrepareDestination"));
  vmm_test_assert_one_place (sim, "hot1", "h1");
}

static void
test_cancel_hot_during_initiate_aborts (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  /* during InitiateSource a live host move stops only through the backend's abort */
  vmm_sim_backend_set_timing (sim, 0, 200);
  result
      = run_cancelling (sim, engine, "hot1", "{\"host\": \"h2\"}", "InitiateSource", NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "aborted"));
  vmm_test_assert_one_place (sim, "hot1", "h1");
}

static void
test_cancel_after_switchover_ignored (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new ();

  vmm_sim_backend_set_timing (sim, 5, 0);
  result = run_cancelling (sim, engine, "hot1", "{\"host\": \"h2\"}", "CompleteSource", warnings,
                           &error);
  g_assert_no_error (error);
  g_assert_true (vmm_migration_result_get_moved (result));
  g_assert_cmpuint (g_strv_length ((GStrv)vmm_migration_result_get_warnings (result)), ==, 1);
  g_assert_nonnull (
      strstr (vmm_migration_result_get_warnings (result)[0], "already switched over"));
  vmm_test_assert_one_place (sim, "hot1", "h2");
}

/* One cancellable for several migrations (as an evacuation or a tool
 * passes it): the engine watches it once; a migration that ends leaves the
 * others watched, one cancel stops every one still running, and a
 * migration started with it already cancelled stops before anything moves. */
static void
test_cancel_shared_cancellable (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  const char *vms[] = { "hot1", "local-vm", "cold1" };
  const char *specs[] = { "{\"host\": \"h2\"}", "{\"host\": \"h2\", \"datastore\": \"local2\"}",
                          "{\"host\": \"h2\"}" };
  VmmTestWait waits[G_N_ELEMENTS (vms)] = { { NULL } };
  VmmTestWait late = { NULL };
  g_autoptr (VmmMigration) again = NULL;
  g_autoptr (VmmRelocateSpec) again_spec = vmm_test_spec ("{\"host\": \"h2\"}");
  g_autoptr (GError) error = NULL;

  /* the three share h1: no limit in the way */
  vmm_engine_set_max_per_source_host (engine, 0);
  vmm_engine_set_max_per_destination_host (engine, 0);
  vmm_engine_set_max_per_datastore (engine, 0);
  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_PREPARE_SOURCE, VMM_SIM_FAULT_HANG, 0, 1);
  vmm_sim_backend_inject_fault (sim, "cold1", VMM_STEP_UNREGISTER_SOURCE_VM, VMM_SIM_FAULT_HANG, 0,
                                1);
  for (guint i = 0; i < G_N_ELEMENTS (vms); i++)
    {
      g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (specs[i]);
      VmmMigration *m
          = vmm_engine_create_migration (engine, VMM_BACKEND (sim), vms[i], spec, &error);

      g_assert_no_error (error);
      vmm_migration_run_async (m, cancellable, vmm_test_wait_cb, &waits[i]);
      g_object_unref (m); /* the run holds it */
    }
  /* local-vm, in the middle of the watchers, ends; the other two hang */
  {
    GAsyncResult *result = vmm_test_wait (&waits[1]);
    g_autoptr (GObject) source = g_async_result_get_source_object (result);
    g_autoptr (VmmMigrationResult) res
        = vmm_migration_run_finish (VMM_MIGRATION (source), result, &error);

    g_assert_no_error (error);
    g_assert_nonnull (res);
  }
  {
    /* moved; the two others are mid-move, so their files are not checked yet */
    g_auto (GStrv) places = vmm_sim_backend_locate_vm (sim, "local-vm");

    g_assert_cmpuint (g_strv_length (places), ==, 1);
    g_assert_cmpstr (places[0], ==, "h2");
  }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (waits[0].result);
  g_assert_null (waits[2].result);
  g_assert_cmpuint (vmm_engine_get_n_running (engine), ==, 2);

  g_cancellable_cancel (cancellable);
  for (guint i = 0; i < G_N_ELEMENTS (vms); i += 2)
    {
      GAsyncResult *result = vmm_test_wait (&waits[i]);
      g_autoptr (GObject) source = g_async_result_get_source_object (result);
      g_autoptr (VmmMigrationResult) res
          = vmm_migration_run_finish (VMM_MIGRATION (source), result, &error);

      g_assert_null (res);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
    }
  vmm_test_assert_one_place (sim, "hot1", "h1");
  vmm_test_assert_one_place (sim, "cold1", "h1");

  /* the same cancellable, cancelled already, on a new migration */
  again = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", again_spec, &error);
  g_assert_no_error (error);
  vmm_migration_run_async (again, cancellable, vmm_test_wait_cb, &late);
  {
    g_autoptr (VmmMigrationResult) res
        = vmm_migration_run_finish (again, vmm_test_wait (&late), &error);

    g_assert_null (res);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
  vmm_test_assert_one_place (sim, "hot1", "h1");
  for (guint i = 0; i < G_N_ELEMENTS (vms); i++)
    g_clear_object (&waits[i].result);
  g_clear_object (&late.result);
}

static void
test_timeout_aborts (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec
      = vmm_test_spec ("{\"host\": \"h2\", \"completion-timeout-s\": 1}");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, &error);
  g_autoptr (VmmMigrationResult) result = NULL;

  /* the memory copy would take 2048 MiB / 100 MiB/s = 20 s */
  vmm_sim_backend_set_timing (sim, 0, 100);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "InitiateSource"));
  vmm_test_assert_one_place (sim, "hot1", "h1");
}

/* keep-source-disks: a storage move leaves the source's copies, and says so */
static void
test_keep_source_disks (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec
      = vmm_test_spec ("{\"datastore\": \"shared2\", \"keep-source-disks\": true}");
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = vmm_migration_run_sync (m, NULL, &error);
  g_auto (GStrv) leftovers = NULL;
  const char *kept = NULL;

  g_assert_no_error (error);
  for (const char *const *w = vmm_migration_result_get_warnings (result); *w != NULL; w++)
    if (g_str_has_prefix (*w, "keep-source-disks:"))
      kept = *w;
  g_assert_nonnull (kept);
  g_test_message ("%s", kept);
  leftovers = vmm_sim_backend_list_leftovers (sim);
  g_assert_cmpuint (g_strv_length (leftovers), >, 0);
  /* every file left is one the warning names, on the source's datastore */
  for (guint i = 0; leftovers[i] != NULL; i++)
    {
      g_assert_true (g_str_has_prefix (leftovers[i], "file [shared1] "));
      g_assert_nonnull (strstr (kept, leftovers[i] + strlen ("file ")));
    }
  for (guint i = 0; i < vmm_migration_result_get_disks (result)->len; i++)
    g_assert_cmpstr (vmm_disk_info_get_datastore (
                         g_ptr_array_index (vmm_migration_result_get_disks (result), i)),
                     ==, "shared2");
}

static void
test_open_default (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = vmm_backend_open ("sim://", NULL, &error);
  g_autoptr (GPtrArray) vms = NULL;
  g_autoptr (VmmBackend) none = NULL;

  g_assert_no_error (error);
  g_assert_true (VMM_IS_SIM_BACKEND (backend));
  vms = vmm_backend_list_vms (backend, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vms->len, >=, 3);
  none = vmm_backend_open ("nosuch://x", NULL, &error);
  g_assert_null (none);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "sim"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (run_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/migration/run/%s", run_cases[i].name);
      g_test_add_data_func (path, &run_cases[i], test_run_case);
    }
  g_test_add_func ("/migration/busy", test_run_busy);
  g_test_add_func ("/migration/veto", test_run_veto);
  g_test_add_func ("/migration/cancel/cold-inside-copy", test_cancel_cold_inside_copy);
  g_test_add_func ("/migration/cancel/storage-inside-transfer",
                   test_cancel_storage_inside_transfer);
  g_test_add_func ("/migration/cancel/hot-before-initiate", test_cancel_hot_before_initiate);
  g_test_add_func ("/migration/cancel/hot-during-initiate-aborts",
                   test_cancel_hot_during_initiate_aborts);
  g_test_add_func ("/migration/cancel/after-switchover-ignored",
                   test_cancel_after_switchover_ignored);
  g_test_add_func ("/migration/cancel/shared-cancellable", test_cancel_shared_cancellable);
  g_test_add_func ("/migration/timeout-aborts", test_timeout_aborts);
  g_test_add_func ("/migration/keep-source-disks", test_keep_source_disks);
  g_test_add_func ("/migration/open-default", test_open_default);
  return g_test_run ();
}
