/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-test-utils.h"

static VmmMigrationResult *
run (VmmEngine *engine, VmmSimBackend *sim, const char *vm, const char *spec_json, GError **error)
{
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (spec_json);
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), vm, spec, error);

  g_assert_nonnull (m);
  return vmm_migration_run_sync (m, NULL, error);
}

static void
test_fallback_other_host_after_failure (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  const char *const *attempts;

  /* the live move to h2 fails in the hypervisor; the policy allows another host */
  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_INITIATE_DESTINATION, VMM_SIM_FAULT_FAIL,
                                VMM_ERROR_BACKEND, 1);
  result = run (engine, sim, "hot1", "{\"host\": \"h2\", \"fallback-other-host\": true}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "h3");
  attempts = vmm_migration_result_get_attempts (result);
  g_assert_cmpuint (g_strv_length ((GStrv)attempts), ==, 1);
  g_assert_nonnull (strstr (attempts[0], "move to host 'h2' failed"));
  g_assert_nonnull (strstr (attempts[0], "InitiateDestination"));
  vmm_test_assert_one_place (sim, "hot1", "h3");
}

static void
test_no_fallback_without_policy (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_INITIATE_DESTINATION, VMM_SIM_FAULT_FAIL,
                                VMM_ERROR_BACKEND, 1);
  result = run (engine, sim, "hot1", "{\"host\": \"h2\"}", &error);
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  vmm_test_assert_one_place (sim, "hot1", "h1");
}

static void
test_fallback_on_cpu_features (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  /* h3 lacks ibpb (seed 001's "missing features: ibpb"): the chain goes on to a host that has it */
  result = run (engine, sim, "needs-ibpb", "{\"host\": \"h3\", \"fallback-other-host\": true}",
                &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "h2");
  g_assert_nonnull (
      strstr (vmm_migration_result_get_attempts (result)[0], "missing features: ibpb"));
}

static void
test_fallback_exhausted (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  /* every destination fails: the chain stops with every reason */
  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_INITIATE_DESTINATION, VMM_SIM_FAULT_FAIL,
                                VMM_ERROR_BACKEND, -1);
  result = run (engine, sim, "hot1", "{\"host\": \"h2\", \"fallback-other-host\": true}", &error);
  g_assert_null (result);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "earlier attempts"));
  g_assert_nonnull (strstr (error->message, "host 'h2'"));
  vmm_test_assert_one_place (sim, "hot1", "h1");
}

static VmmPowerState
power_of (VmmSimBackend *sim, const char *vm)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inventory
      = vmm_backend_query_inventory (VMM_BACKEND (sim), NULL, &error);

  g_assert_no_error (error);
  return vmm_vm_info_get_power_state (vmm_inventory_lookup_vm (inventory, vm));
}

static gboolean
has_warning (VmmMigrationResult *result, const char *needle)
{
  for (const char *const *w = vmm_migration_result_get_warnings (result); *w != NULL; w++)
    if (strstr (*w, needle) != NULL)
      return TRUE;
  return FALSE;
}

/* The live move keeps failing in the hypervisor: the VM is stopped, moved
 * cold to the host the spec asked for and started there. */
static void
test_fallback_cold_after_live_failure (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  const char *const *attempts;

  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_INITIATE_SOURCE, VMM_SIM_FAULT_FAIL,
                                VMM_ERROR_BACKEND, -1);
  result = run (engine, sim, "hot1", "{\"host\": \"h2\", \"fallback-cold\": true}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "h2");
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==, VMM_MIGRATION_TYPE_COLD);
  attempts = vmm_migration_result_get_attempts (result);
  g_assert_cmpuint (g_strv_length ((GStrv)attempts), ==, 1);
  g_assert_nonnull (strstr (attempts[0], "move to host 'h2' failed"));
  g_assert_nonnull (strstr (attempts[0], "InitiateSource"));
  g_assert_true (has_warning (result, "powered off on host 'h1'"));
  vmm_test_assert_one_place (sim, "hot1", "h2");
  g_assert_cmpint (power_of (sim, "hot1"), ==, VMM_POWER_STATE_RUNNING);
}

/* A live move refused up front for a reason a cold move does not have (the
 * destination lacks a CPU feature the running guest uses) goes cold. */
static void
test_fallback_cold_on_cpu_features (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  result = run (engine, sim, "needs-ibpb", "{\"host\": \"h3\", \"fallback-cold\": true}", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "h3");
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==, VMM_MIGRATION_TYPE_COLD);
  g_assert_nonnull (
      strstr (vmm_migration_result_get_attempts (result)[0], "missing features: ibpb"));
  vmm_test_assert_one_place (sim, "needs-ibpb", "h3");
  g_assert_cmpint (power_of (sim, "needs-ibpb"), ==, VMM_POWER_STATE_RUNNING);
}

/* The whole chain: live to the asked host, live to two other hosts, then
 * cold; every attempt is in the result. */
static void
test_fallback_chain_other_hosts_then_cold (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  const char *const *attempts;

  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_INITIATE_DESTINATION, VMM_SIM_FAULT_FAIL,
                                VMM_ERROR_BACKEND, -1);
  result
      = run (engine, sim, "hot1",
             "{\"host\": \"h2\", \"fallback-other-host\": true, \"fallback-cold\": true}", &error);
  g_assert_no_error (error);
  attempts = vmm_migration_result_get_attempts (result);
  for (guint i = 0; attempts[i] != NULL; i++)
    g_test_message ("attempt %u: %s", i, attempts[i]);
  g_assert_cmpuint (g_strv_length ((GStrv)attempts), >=, 2);
  g_assert_nonnull (strstr (attempts[0], "move to host 'h2' failed"));
  g_assert_nonnull (strstr (attempts[1], "move to host 'h3' failed"));
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==, VMM_MIGRATION_TYPE_COLD);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "h2");
  vmm_test_assert_one_place (sim, "hot1", "h2");
  g_assert_cmpint (power_of (sim, "hot1"), ==, VMM_POWER_STATE_RUNNING);
}

/* The cold move fails after the VM was stopped: everything is undone and
 * the VM runs on its source again; the error tells both attempts. */
static void
test_fallback_cold_fails_restarts_on_source (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *before = vmm_sim_backend_to_json (sim);

  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_INITIATE_SOURCE, VMM_SIM_FAULT_FAIL,
                                VMM_ERROR_BACKEND, -1);
  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_REGISTER_DESTINATION_VM, VMM_SIM_FAULT_FAIL,
                                VMM_ERROR_BACKEND, -1);
  result = run (engine, sim, "hot1", "{\"host\": \"h2\", \"fallback-cold\": true}", &error);
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "RegisterDestinationVm"));
  g_assert_nonnull (strstr (error->message, "earlier attempts: move to host 'h2' failed"));
  g_assert_nonnull (strstr (error->message, "the VM is on its source host 'h1'"));
  vmm_test_assert_one_place (sim, "hot1", "h1");
  g_assert_cmpint (power_of (sim, "hot1"), ==, VMM_POWER_STATE_RUNNING);
  {
    g_autofree char *after = vmm_sim_backend_to_json (sim);

    g_assert_cmpstr (after, ==, before);
  }
}

/* A cold move of a running VM the caller asks for directly. */
static void
test_cold_restart_requested (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (VmmRelocateSpec) spec
      = vmm_test_spec ("{\"host\": \"h2\", \"migration-type\": \"cold\"}");
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, NULL);
  g_autoptr (VmmPlan) plan = NULL;

  /* without fallback-cold a running VM is not stopped */
  plan = vmm_migration_plan (m, NULL, &error);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE);
  g_assert_nonnull (strstr (error->message, "is running"));
  g_clear_error (&error);
  g_clear_object (&m);
  vmm_relocate_spec_set_fallback_cold (spec, TRUE);
  m = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, NULL);
  plan = vmm_migration_plan (m, NULL, &error);
  g_assert_no_error (error);
  {
    g_auto (GStrv) actions = vmm_plan_get_action_names (plan);
    g_autofree char *joined = g_strjoinv (" ", actions);

    g_assert_nonnull (strstr (joined, "ComputeSpec InvokeCallbacks PowerOffVm UnregisterSourceVm"));
    g_assert_true (g_str_has_suffix (joined, "RelayoutSnapshots PowerOnVm"));
  }
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "h2");
  g_assert_null (vmm_migration_result_get_attempts (result)[0]);
  vmm_test_assert_one_place (sim, "hot1", "h2");
  g_assert_cmpint (power_of (sim, "hot1"), ==, VMM_POWER_STATE_RUNNING);
}

static void
count_power_off (VmmMigration *m, VmmAction *action, guint *count)
{
  if (g_strcmp0 (vmm_action_get_name (action), "PowerOffVm") == 0)
    (*count)++;
}

/* A cold restart that fails is not tried cold a second time. */
static void
test_cold_restart_failing_tried_once (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmRelocateSpec) spec
      = vmm_test_spec ("{\"host\": \"h2\", \"migration-type\": \"cold\", \"fallback-cold\": true}");
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, NULL);
  g_autoptr (VmmMigrationResult) result = NULL;
  guint power_offs = 0;

  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_REGISTER_DESTINATION_VM, VMM_SIM_FAULT_FAIL,
                                VMM_ERROR_BACKEND, -1);
  g_signal_connect (m, "action-started", G_CALLBACK (count_power_off), &power_offs);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  g_assert_null (strstr (error->message, "earlier attempts"));
  g_assert_cmpuint (power_offs, ==, 1);
  vmm_test_assert_one_place (sim, "hot1", "h1");
  g_assert_cmpint (power_of (sim, "hot1"), ==, VMM_POWER_STATE_RUNNING);
}

static void
test_progress_timeout (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  /* a live transfer that hangs: no progress for 1 s -> abort, VM stays */
  vmm_engine_set_progress_timeout_s (engine, 1);
  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_INITIATE_SOURCE, VMM_SIM_FAULT_HANG,
                                VMM_ERROR_BACKEND, 1);
  result = run (engine, sim, "hot1", "{\"host\": \"h2\"}", &error);
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "made no progress for 1 s"));
  g_assert_nonnull (strstr (error->message, "InitiateSource"));
  vmm_test_assert_one_place (sim, "hot1", "h1");
}

static void
test_timeout_action_applied (gconstpointer data)
{
  const char *action = data;
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *json
      = g_strdup_printf ("{\"host\": \"h2\", \"completion-timeout-s\": 1, "
                         "\"on-timeout\": \"%s\"%s}",
                         action, g_str_equal (action, "post-copy") ? ", \"post-copy\": true" : "");
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (json);
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, NULL);
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *expected = g_strdup_printf ("applied on-timeout %s", action);
  gboolean found = FALSE;

  /* the memory copy would take 20 s; after 1 s the spec's action finishes it */
  vmm_sim_backend_set_timing (sim, 0, 100);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_no_error (error);
  for (const char *const *w = vmm_migration_result_get_warnings (result); *w != NULL; w++)
    found |= strstr (*w, expected) != NULL && strstr (*w, "did not complete within 1 s") != NULL;
  g_assert_true (found);
  g_assert_cmpint (vmm_migration_result_get_duration_ms (result), <, 10000);
  vmm_test_assert_one_place (sim, "hot1", "h2");
}

static void
test_timeout_action_unavailable_aborts (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmRelocateSpec) spec
      = vmm_test_spec ("{\"host\": \"h2\", \"completion-timeout-s\": 1, "
                       "\"on-timeout\": \"suspend\"}");
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, NULL);
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (GPtrArray) warnings
      = g_ptr_array_new (); /* counts only: the strings are the signal's */

  /* stuck before any data moves: nothing to suspend, so the engine aborts */
  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_PREPARE_DESTINATION, VMM_SIM_FAULT_HANG,
                                VMM_ERROR_BACKEND, 1);
  g_signal_connect_swapped (m, "warning", G_CALLBACK (g_ptr_array_add), warnings);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "did not complete within 1 s"));
  vmm_test_assert_one_place (sim, "hot1", "h1");
  g_assert_cmpuint (warnings->len, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fallback/other-host-after-failure", test_fallback_other_host_after_failure);
  g_test_add_func ("/fallback/none-without-policy", test_no_fallback_without_policy);
  g_test_add_func ("/fallback/cpu-features", test_fallback_on_cpu_features);
  g_test_add_func ("/fallback/exhausted", test_fallback_exhausted);
  g_test_add_func ("/fallback/cold-after-live-failure", test_fallback_cold_after_live_failure);
  g_test_add_func ("/fallback/cold-on-cpu-features", test_fallback_cold_on_cpu_features);
  g_test_add_func ("/fallback/other-hosts-then-cold", test_fallback_chain_other_hosts_then_cold);
  g_test_add_func ("/fallback/cold-fails-restarts-on-source",
                   test_fallback_cold_fails_restarts_on_source);
  g_test_add_func ("/fallback/cold-restart-requested", test_cold_restart_requested);
  g_test_add_func ("/fallback/cold-restart-failing-tried-once",
                   test_cold_restart_failing_tried_once);
  g_test_add_func ("/timeout/progress", test_progress_timeout);
  g_test_add_data_func ("/timeout/force-complete", "force-complete", test_timeout_action_applied);
  g_test_add_data_func ("/timeout/post-copy", "post-copy", test_timeout_action_applied);
  g_test_add_data_func ("/timeout/suspend", "suspend", test_timeout_action_applied);
  g_test_add_func ("/timeout/unavailable-action-aborts", test_timeout_action_unavailable_aborts);
  return g_test_run ();
}
