/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-test-utils.h"

/* A cluster of @hosts hosts on shared storage, @vms running VMs on host a0. */
static VmmSimBackend *
make_cluster (guint hosts, guint vms, guint latency_ms)
{
  g_autoptr (GString) json = g_string_new ("{\"hosts\": [");
  g_autoptr (GError) error = NULL;
  VmmBackend *backend;

  for (guint i = 0; i < hosts; i++)
    g_string_append_printf (json,
                            "%s{\"name\": \"a%u\", \"memory-mib\": 1000000, \"vcpus\": 1000, "
                            "\"networks\": [\"n\"]}",
                            i > 0 ? ", " : "", i);
  g_string_append (json, "], \"datastores\": [");
  for (guint d = 0; d < 3; d++)
    {
      g_string_append_printf (
          json, "%s{\"name\": \"ds%u\", \"shared\": true, \"capacity-gib\": 100000, \"hosts\": [",
          d > 0 ? ", " : "", d);
      for (guint i = 0; i < hosts; i++)
        g_string_append_printf (json, "%s\"a%u\"", i > 0 ? ", " : "", i);
      g_string_append (json, "]}");
    }
  g_string_append (json, "], \"vms\": [");
  for (guint v = 0; v < vms; v++)
    g_string_append_printf (
        json,
        "%s{\"name\": \"vm%u\", \"host\": \"a0\", \"datastore\": \"ds0\", "
        "\"power\": \"running\", \"memory-mib\": 512, "
        "\"disks\": [{\"key\": \"disk-0\", \"capacity-gib\": 1}], "
        "\"devices\": [{\"key\": \"nic-0\", \"kind\": \"nic\", \"network\": \"n\"}]}",
        v > 0 ? ", " : "", v);
  g_string_append_printf (json, "], \"settings\": {\"step-latency-ms\": %u}}", latency_ms);
  backend = vmm_sim_backend_new_from_json (json->str, &error);
  g_assert_no_error (error);
  return VMM_SIM_BACKEND (backend);
}

typedef struct
{
  guint running;
  guint max_running;
  guint finished;
  guint failed;
  GPtrArray *order;
} Watch;

static void
on_state (VmmMigration *m, VmmMigrationState old, VmmMigrationState state, Watch *w)
{
  if (state == VMM_MIGRATION_STATE_RUNNING)
    {
      w->running++;
      w->max_running = MAX (w->max_running, w->running);
      if (w->order != NULL)
        g_ptr_array_add (w->order, g_strdup (vmm_migration_get_vm_name (m)));
    }
  else if (old == VMM_MIGRATION_STATE_RUNNING || old == VMM_MIGRATION_STATE_ROLLING_BACK)
    {
      if (old == VMM_MIGRATION_STATE_RUNNING)
        w->running--;
      w->finished++;
      if (state != VMM_MIGRATION_STATE_SUCCEEDED)
        w->failed++;
    }
}

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  VmmMigrationResult *res = vmm_migration_run_finish (VMM_MIGRATION (source), result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (res);
  g_object_unref (res);
  (*(guint *)user_data)++;
}

static guint
run_all (VmmEngine *engine, VmmSimBackend *sim, guint n, const char *const *specs, Watch *w)
{
  g_autoptr (GPtrArray) migrations = g_ptr_array_new_with_free_func (g_object_unref);
  guint done = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("vm%u", i);
      g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (specs[i % g_strv_length ((GStrv)specs)]);
      g_autoptr (GError) error = NULL;
      VmmMigration *m = vmm_engine_create_migration (engine, VMM_BACKEND (sim), name, spec, &error);

      g_assert_no_error (error);
      g_signal_connect (m, "state-changed", G_CALLBACK (on_state), w);
      g_ptr_array_add (migrations, m);
      vmm_migration_run_async (m, NULL, run_done, &done);
    }
  while (done < n)
    g_main_context_iteration (NULL, TRUE);
  return done;
}

static void
test_limit_per_source_host (void)
{
  g_autoptr (VmmSimBackend) sim = make_cluster (4, 8, 2);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  const char *const specs[]
      = { "{\"host\": \"a1\"}", "{\"host\": \"a2\"}", "{\"host\": \"a3\"}", NULL };
  Watch w = { 0 };

  /* the default: 2 moves out of one host at a time */
  g_assert_cmpuint (vmm_engine_get_max_per_source_host (engine), ==, 2);
  g_assert_cmpuint (run_all (engine, sim, 8, specs, &w), ==, 8);
  g_assert_cmpuint (w.max_running, ==, 2);
  g_assert_cmpuint (w.failed, ==, 0);
  g_assert_cmpuint (vmm_engine_get_n_running (engine), ==, 0);
  g_assert_cmpuint (vmm_engine_get_n_queued (engine), ==, 0);
}

static void
test_limit_per_destination_host (void)
{
  g_autoptr (VmmSimBackend) sim = make_cluster (2, 9, 2);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  const char *const specs[] = { "{\"host\": \"a1\"}", NULL };
  Watch w = { 0 };

  vmm_engine_set_max_per_source_host (engine, 0);
  vmm_engine_set_max_per_destination_host (engine, 3);
  run_all (engine, sim, 9, specs, &w);
  g_assert_cmpuint (w.max_running, ==, 3);
  g_assert_cmpuint (w.failed, ==, 0);
}

static void
test_limit_per_datastore (void)
{
  g_autoptr (VmmSimBackend) sim = make_cluster (2, 8, 2);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  const char *const specs[] = { "{\"datastore\": \"ds1\"}", NULL };
  Watch w = { 0 };

  /* storage moves to one datastore: 2 at a time by default */
  vmm_engine_set_max_per_source_host (engine, 0);
  run_all (engine, sim, 8, specs, &w);
  g_assert_cmpuint (w.max_running, ==, 2);
  g_assert_cmpuint (w.failed, ==, 0);
}

static void
test_limit_global (void)
{
  g_autoptr (VmmSimBackend) sim = make_cluster (4, 12, 2);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  const char *const specs[]
      = { "{\"host\": \"a1\"}",       "{\"host\": \"a2\"}",       "{\"host\": \"a3\"}",
          "{\"datastore\": \"ds1\"}", "{\"datastore\": \"ds2\"}", NULL };
  Watch w = { 0 };

  g_object_set (engine, "max-per-source-host", 0, "max-per-destination-host", 0,
                "max-per-datastore", 0, "max-global", 4, NULL);
  run_all (engine, sim, 12, specs, &w);
  g_assert_cmpuint (w.max_running, ==, 4);
  g_assert_cmpuint (w.failed, ==, 0);
}

static void
test_priority_order (void)
{
  g_autoptr (VmmSimBackend) sim = make_cluster (2, 5, 5);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) migrations = g_ptr_array_new_with_free_func (g_object_unref);
  const char *const priorities[] = { "default", "low", "default", "high", "low" };
  Watch w = { 0 };
  guint done = 0;

  w.order = order;
  vmm_engine_set_max_global (engine, 1);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("vm%u", i);
      g_autofree char *json
          = g_strdup_printf ("{\"host\": \"a1\", \"priority\": \"%s\"}", priorities[i]);
      g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (json);
      VmmMigration *m = vmm_engine_create_migration (engine, VMM_BACKEND (sim), name, spec, NULL);

      g_signal_connect (m, "state-changed", G_CALLBACK (on_state), &w);
      g_ptr_array_add (migrations, m);
      vmm_migration_run_async (m, NULL, run_done, &done);
    }
  while (done < 5)
    g_main_context_iteration (NULL, TRUE);
  /* vm0 took the only slot first; then high, then default and low in the order queued */
  g_assert_cmpuint (order->len, ==, 5);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, "vm0");
  g_assert_cmpstr (g_ptr_array_index (order, 1), ==, "vm3");
  g_assert_cmpstr (g_ptr_array_index (order, 2), ==, "vm2");
  g_assert_cmpstr (g_ptr_array_index (order, 3), ==, "vm1");
  g_assert_cmpstr (g_ptr_array_index (order, 4), ==, "vm4");
}

static void
cancel_queued_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  VmmMigrationResult *res = vmm_migration_run_finish (VMM_MIGRATION (source), result, &error);

  g_assert_null (res);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  (*(guint *)user_data)++;
}

static void
test_cancel_queued (void)
{
  g_autoptr (VmmSimBackend) sim = make_cluster (2, 2, 20);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"host\": \"a1\"}");
  g_autoptr (VmmMigration) m0
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "vm0", spec, NULL);
  g_autoptr (VmmMigration) m1
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "vm1", spec, NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  guint done = 0, cancelled = 0;

  vmm_engine_set_max_global (engine, 1);
  vmm_migration_run_async (m0, NULL, run_done, &done);
  vmm_migration_run_async (m1, cancellable, cancel_queued_cb, &cancelled);
  while (vmm_migration_get_state (m1) != VMM_MIGRATION_STATE_QUEUED)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (vmm_engine_get_n_queued (engine), ==, 1);
  g_cancellable_cancel (cancellable);
  while (done < 1 || cancelled < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (vmm_migration_get_state (m1), ==, VMM_MIGRATION_STATE_CANCELLED);
  vmm_test_assert_one_place (sim, "vm1", "a0");
  vmm_test_assert_one_place (sim, "vm0", "a1");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/limit/per-source-host", test_limit_per_source_host);
  g_test_add_func ("/engine/limit/per-destination-host", test_limit_per_destination_host);
  g_test_add_func ("/engine/limit/per-datastore", test_limit_per_datastore);
  g_test_add_func ("/engine/limit/global", test_limit_global);
  g_test_add_func ("/engine/priority-order", test_priority_order);
  g_test_add_func ("/engine/cancel-queued", test_cancel_queued);
  return g_test_run ();
}
