/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-test-utils.h"

#include <json-glib/json-glib.h>

/* A crashed engine is simulated in-process: engine A's migration hangs inside
 * a step and A is never iterated again (as if killed); engine B shares the
 * journal and the platform (the same sim backend) and recovers. */

typedef struct
{
  gboolean started;
  const char *at;
} Watch;

static void
on_action (VmmMigration *m, VmmAction *action, Watch *w)
{
  if (g_strcmp0 (vmm_action_get_name (action), w->at) == 0)
    w->started = TRUE;
}

static VmmMigration *
crash_during (VmmEngine *engine, VmmSimBackend *sim, const char *vm, const char *spec_json,
              VmmStep step)
{
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (spec_json);
  VmmMigration *m = vmm_engine_create_migration (engine, VMM_BACKEND (sim), vm, spec, NULL);
  Watch w = { FALSE, vmm_step_get_name (step) };

  vmm_sim_backend_inject_fault (sim, vm, step, VMM_SIM_FAULT_HANG, VMM_ERROR_BACKEND, 1);
  g_signal_connect (m, "action-started", G_CALLBACK (on_action), &w);
  vmm_migration_run_async (m, NULL, NULL, NULL);
  while (!w.started)
    g_main_context_iteration (NULL, TRUE);
  /* let the step reach its hang */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_signal_handlers_disconnect_by_data (m, &w);
  return m;
}

static GPtrArray *
recover (VmmEngine *engine, VmmSimBackend *sim)
{
  VmmTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  GPtrArray *entries;

  vmm_engine_recover_async (engine, VMM_BACKEND (sim), NULL, vmm_test_wait_cb, &wait);
  entries = vmm_engine_recover_finish (engine, vmm_test_wait (&wait), &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  return entries;
}

static void
test_recover_mid_transfer_rolls_back (void)
{
  g_autoptr (VmmJournal) journal = vmm_journal_new_memory ();
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) a = vmm_engine_new ();
  g_autoptr (VmmEngine) b = vmm_engine_new ();
  g_autoptr (VmmMigration) frozen = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_auto (GStrv) unfinished = NULL;
  VmmRecoveryEntry *e;
  const char *facts;

  vmm_engine_set_journal (a, journal);
  vmm_engine_set_journal (b, journal);
  frozen = crash_during (a, sim, "hot1", "{\"host\": \"h2\"}", VMM_STEP_INITIATE_SOURCE);
  entries = recover (b, sim);
  g_assert_cmpuint (entries->len, ==, 1);
  e = g_ptr_array_index (entries, 0);
  facts = vmm_recovery_entry_get_facts (e);
  g_test_message ("%s", facts);
  /* the switch-over was in flight; the hypervisors show it running on h1
   * only, with an incoming half on h2: undo, then verify */
  g_assert_nonnull (strstr (facts, "during the switch-over"));
  g_assert_nonnull (strstr (facts, "InitiateDestination"));
  g_assert_nonnull (strstr (facts, "defined on [h1, h2]"));
  g_assert_nonnull (strstr (facts, "undid the move back to its source"));
  g_assert_cmpint (vmm_recovery_entry_get_outcome (e), ==, VMM_RECOVERY_ON_SOURCE);
  g_assert_cmpstr (vmm_recovery_entry_get_host (e), ==, "h1");
  vmm_test_assert_one_place (sim, "hot1", "h1");
  unfinished = vmm_journal_list_unfinished (journal, NULL);
  g_assert_cmpuint (g_strv_length (unfinished), ==, 0);
  g_assert_true (vmm_journal_lock_vm (journal, "backend/hot1", "someone", NULL));
}

static void
test_recover_after_switchover (void)
{
  g_autoptr (VmmJournal) journal = vmm_journal_new_memory ();
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) a = vmm_engine_new ();
  g_autoptr (VmmEngine) b = vmm_engine_new ();
  g_autoptr (VmmMigration) frozen = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_auto (GStrv) unfinished = NULL;
  VmmRecoveryEntry *e;

  vmm_engine_set_journal (a, journal);
  vmm_engine_set_journal (b, journal);
  frozen = crash_during (a, sim, "hot1", "{\"host\": \"h2\"}", VMM_STEP_COMPLETE_DESTINATION);
  entries = recover (b, sim);
  e = g_ptr_array_index (entries, 0);
  g_test_message ("%s", vmm_recovery_entry_get_facts (e));
  g_assert_cmpint (vmm_recovery_entry_get_outcome (e), ==, VMM_RECOVERY_ON_DESTINATION);
  g_assert_cmpstr (vmm_recovery_entry_get_host (e), ==, "h2");
  /* resolved: recorded, and the VM's lock released */
  unfinished = vmm_journal_list_unfinished (journal, NULL);
  g_assert_cmpuint (g_strv_length (unfinished), ==, 0);
  g_assert_true (vmm_journal_lock_vm (journal, "backend/hot1", "someone", NULL));
}

static void
test_recover_before_anything_moved (void)
{
  g_autoptr (VmmJournal) journal = vmm_journal_new_memory ();
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) b = vmm_engine_new ();
  g_autoptr (GPtrArray) entries = NULL;
  VmmRecoveryEntry *e;

  /* a journal cut right after the checks (the engine died before any step) */
  g_assert_true (vmm_journal_append (journal, "m-1", "migration",
                                     "{\"vm\": \"hot1\", \"backend\": null, \"engine\": \"dead\", "
                                     "\"source-host\": \"h1\", \"destination-host\": \"h2\"}",
                                     NULL));
  g_assert_true (vmm_journal_append (journal, "m-1", "action",
                                     "{\"index\": 0, \"action\": \"InvokePrechecks\"}", NULL));
  g_assert_true (vmm_journal_append (journal, "m-1", "action-done",
                                     "{\"index\": 0, \"action\": \"InvokePrechecks\"}", NULL));
  g_assert_true (vmm_journal_lock_vm (journal, "backend/hot1", "dead", NULL));
  vmm_engine_set_journal (b, journal);
  entries = recover (b, sim);
  e = g_ptr_array_index (entries, 0);
  g_assert_cmpint (vmm_recovery_entry_get_outcome (e), ==, VMM_RECOVERY_ON_SOURCE);
  g_assert_cmpstr (vmm_recovery_entry_get_host (e), ==, "h1");
  g_assert_true (vmm_journal_lock_vm (journal, "backend/hot1", "someone", NULL));
}

/* A cold move has no switch-over: recovery undoes it, unless the platform
 * already committed it (here the source's files are gone and the VM is on
 * its destination alone), when it finishes it instead. */
static VmmSimBackend *
sim_with_cold1_on (const char *host, const char *datastore)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "inventory.json", NULL);
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  JsonArray *vms;
  VmmBackend *backend;

  g_assert_true (g_file_get_contents (path, &json, NULL, NULL));
  root = json_from_string (json, &error);
  g_assert_no_error (error);
  vms = json_object_get_array_member (json_node_get_object (root), "vms");
  for (guint i = 0; i < json_array_get_length (vms); i++)
    {
      JsonObject *vm = json_array_get_object_element (vms, i);

      if (g_strcmp0 (json_object_get_string_member (vm, "name"), "cold1") == 0)
        {
          json_object_set_string_member (vm, "host", host);
          json_object_set_string_member (vm, "datastore", datastore);
        }
    }
  text = json_to_string (root, FALSE);
  backend = vmm_sim_backend_new_from_json (text, &error);
  g_assert_no_error (error);
  return VMM_SIM_BACKEND (backend);
}

static void
test_recover_committed_cold_move_finishes (void)
{
  g_autoptr (VmmJournal) journal = vmm_journal_new_memory ();
  g_autoptr (VmmSimBackend) sim = sim_with_cold1_on ("h2", "shared2");
  g_autoptr (VmmEngine) b = vmm_engine_new ();
  g_autoptr (GPtrArray) entries = NULL;
  VmmRecoveryEntry *e;
  const char *before = "{\"data\": \"{\\\"before\\\": {\\\"name\\\": \\\"cold1\\\", "
                       "\\\"host\\\": \\\"h1\\\", \\\"datastore\\\": \\\"shared1\\\", "
                       "\\\"power\\\": \\\"off\\\", \\\"disks\\\": [{\\\"key\\\": "
                       "\\\"disk-0\\\"}]}}\", \"action\": \"UnregisterSourceVm\"}";

  g_assert_true (vmm_journal_append (journal, "m-2", "migration",
                                     "{\"vm\": \"cold1\", \"backend\": null, \"engine\": "
                                     "\"dead\", \"source-host\": \"h1\", \"destination-host\": "
                                     "\"h2\", \"plan\": [\"InvokePrechecks\", "
                                     "\"UnregisterSourceVm\", \"SwitchHostAndPool\", "
                                     "\"CreateDestinationVM\", \"RelayoutSnapshots\"]}",
                                     NULL));
  g_assert_true (vmm_journal_append (journal, "m-2", "action",
                                     "{\"index\": 1, \"action\": \"UnregisterSourceVm\"}", NULL));
  g_assert_true (vmm_journal_append (journal, "m-2", "recovery-data", before, NULL));
  g_assert_true (vmm_journal_lock_vm (journal, "backend/cold1", "dead", NULL));
  vmm_engine_set_journal (b, journal);
  entries = recover (b, sim);
  e = g_ptr_array_index (entries, 0);
  g_test_message ("%s", vmm_recovery_entry_get_facts (e));
  g_assert_nonnull (strstr (vmm_recovery_entry_get_facts (e), "cannot be put back"));
  g_assert_nonnull (strstr (vmm_recovery_entry_get_facts (e), "committed the cold move"));
  g_assert_cmpint (vmm_recovery_entry_get_outcome (e), ==, VMM_RECOVERY_ON_DESTINATION);
  g_assert_cmpstr (vmm_recovery_entry_get_host (e), ==, "h2");
  vmm_test_assert_one_place (sim, "cold1", "h2");
}

/* The same journal with the VM still where it was: undone, not finished. */
static void
test_recover_cold_move_undone (void)
{
  g_autoptr (VmmJournal) journal = vmm_journal_new_memory ();
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) b = vmm_engine_new ();
  g_autoptr (GPtrArray) entries = NULL;
  VmmRecoveryEntry *e;

  g_assert_true (vmm_journal_append (journal, "m-3", "migration",
                                     "{\"vm\": \"cold1\", \"backend\": null, \"engine\": "
                                     "\"dead\", \"source-host\": \"h1\", \"destination-host\": "
                                     "\"h2\", \"plan\": [\"InvokePrechecks\", "
                                     "\"UnregisterSourceVm\", \"SwitchHostAndPool\"]}",
                                     NULL));
  g_assert_true (vmm_journal_append (journal, "m-3", "action",
                                     "{\"index\": 1, \"action\": \"UnregisterSourceVm\"}", NULL));
  vmm_engine_set_journal (b, journal);
  entries = recover (b, sim);
  e = g_ptr_array_index (entries, 0);
  g_test_message ("%s", vmm_recovery_entry_get_facts (e));
  g_assert_cmpint (vmm_recovery_entry_get_outcome (e), ==, VMM_RECOVERY_ON_SOURCE);
  vmm_test_assert_one_place (sim, "cold1", "h1");
}

static void
test_recover_needs_journal (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  VmmTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;

  vmm_engine_recover_async (engine, VMM_BACKEND (sim), NULL, vmm_test_wait_cb, &wait);
  entries = vmm_engine_recover_finish (engine, vmm_test_wait (&wait), &error);
  g_object_unref (wait.result);
  g_assert_null (entries);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_FAILED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/recovery/mid-transfer-rolls-back", test_recover_mid_transfer_rolls_back);
  g_test_add_func ("/recovery/after-switchover", test_recover_after_switchover);
  g_test_add_func ("/recovery/before-anything-moved", test_recover_before_anything_moved);
  g_test_add_func ("/recovery/committed-cold-move-finishes",
                   test_recover_committed_cold_move_finishes);
  g_test_add_func ("/recovery/cold-move-undone", test_recover_cold_move_undone);
  g_test_add_func ("/recovery/needs-journal", test_recover_needs_journal);
  return g_test_run ();
}
