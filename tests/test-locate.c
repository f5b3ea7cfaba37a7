/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-test-utils.h"

static void
update_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VmmTestWait *wait = user_data;

  wait->result = g_object_ref (result);
}

/* Seed 001: the move happened but the manager's record still names the old
 * host. The engine finds it by asking the hypervisors, reports the evidence,
 * and only an explicit call fixes the record. */
static void
test_locate_record_mismatch (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"host\": \"h2\"}");
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, NULL);
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmVmLocation) before = NULL;
  g_autoptr (VmmVmLocation) after = NULL;
  g_autofree char *evidence = NULL;
  VmmTestWait wait = { NULL };

  before = vmm_backend_locate_vm (VMM_BACKEND (sim), "hot1", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (vmm_vm_location_is_consistent (before));

  /* the switch-over happens, the manager's record update fails for good */
  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_SWITCH_HOST_AND_POOL, VMM_SIM_FAULT_FAIL,
                                VMM_ERROR_BACKEND, -1);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  g_assert_nonnull (strstr (error->message, "destination host 'h2'"));
  g_clear_error (&error);

  after = vmm_backend_locate_vm (VMM_BACKEND (sim), "hot1", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (vmm_vm_location_is_consistent (after));
  g_assert_cmpstr (vmm_vm_location_get_record_host (after), ==, "h1");
  g_assert_true (g_strv_contains (vmm_vm_location_get_running_hosts (after), "h2"));
  evidence = vmm_vm_location_get_evidence (after);
  g_assert_nonnull (strstr (evidence, "record names host 'h1'"));
  g_assert_nonnull (strstr (evidence, "running on [h2]"));

  /* a repair to a host where it does not run is refused */
  vmm_backend_update_record_async (VMM_BACKEND (sim), "hot1", "h3", NULL, update_cb, &wait);
  g_assert_false (
      vmm_backend_update_record_finish (VMM_BACKEND (sim), vmm_test_wait (&wait), &error));
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INCOMPATIBLE);
  g_clear_error (&error);
  g_clear_object (&wait.result);

  /* the explicit repair */
  vmm_backend_update_record_async (VMM_BACKEND (sim), "hot1", "h2", NULL, update_cb, &wait);
  g_assert_true (
      vmm_backend_update_record_finish (VMM_BACKEND (sim), vmm_test_wait (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_clear_object (&after);
  g_clear_pointer (&evidence, g_free);
  after = vmm_backend_locate_vm (VMM_BACKEND (sim), "hot1", NULL, &error);
  /* the stale source half is still defined (CompleteSource never ran) and said so */
  g_assert_cmpstr (vmm_vm_location_get_record_host (after), ==, "h2");
  g_assert_cmpuint (g_strv_length ((GStrv)vmm_vm_location_get_running_hosts (after)), ==, 1);
}

static void
test_locate_unknown (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmVmLocation) location
      = vmm_backend_locate_vm (VMM_BACKEND (sim), "ghost", NULL, &error);

  g_assert_null (location);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/locate/record-mismatch", test_locate_record_mismatch);
  g_test_add_func ("/locate/unknown", test_locate_unknown);
  return g_test_run ();
}
