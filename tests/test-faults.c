/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-test-utils.h"

/* The invariant, for every backend action of every migration type: after a
 * failure the VM is in exactly one place, the one the error names; nothing
 * created for the move is left; the error names the failed action. */

typedef struct
{
  const char *name;
  const char *vm;
  const char *spec;
  const char *source;
  const char *destination;
} FaultType;

static const FaultType types[] = {
  { "hot-host", "hot1", "{\"host\": \"h2\"}", "h1", "h2" },
  { "hot-storage", "hot1", "{\"datastore\": \"shared2\"}", "h1", "h1" },
  { "hot-host-and-storage", "local-vm", "{\"host\": \"h2\", \"datastore\": \"local2\"}", "h1",
    "h2" },
  { "hot-disks-only", "hot1", "{\"disks\": [{\"key\": \"disk-1\", \"datastore\": \"shared2\"}]}",
    "h1", "h1" },
  { "cross-manager", "hot1",
    "{\"host\": \"x1\", \"datastore\": \"remote1\", \"allow-zone-change\": true, "
    "\"service-locator\": "
    "{\"url\": \"https://vc2.example/sdk\", \"credential\": \"vc2\"}}",
    "h1", "x1" },
  { "cold-primary", "cold1", "{\"host\": \"h2\", \"datastore\": \"shared2\"}", "h1", "h2" },
  { "cold-host", "cold1", "{\"host\": \"h2\", \"networks\": {\"net-a\": \"net-b\"}}", "h1", "h2" },
  { "cold-disks", "cold1", "{\"disks\": [{\"key\": \"disk-0\", \"datastore\": \"shared2\"}]}", "h1",
    "h1" },
  { "pool-only", "hot1", "{\"resource-pool\": \"dev\"}", "h1", "h1" },
};

typedef struct
{
  const FaultType *type;
  VmmStep step;
  guint index;
  gboolean after_switchover;
} FaultCase;

static char *
snapshot_of (VmmSimBackend *sim)
{
  return vmm_sim_backend_to_json (sim);
}

static void
test_fault_case (gconstpointer data)
{
  const FaultCase *c = data;
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (c->type->spec);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *before = snapshot_of (sim);
  const char *step_name = vmm_step_get_name (c->step);
  VmmMigrationResult *where;

  vmm_sim_backend_inject_fault (sim, c->type->vm, c->step, VMM_SIM_FAULT_FAIL, VMM_ERROR_BACKEND,
                                -1);
  m = vmm_engine_create_migration (engine, VMM_BACKEND (sim), c->type->vm, spec, &error);
  g_assert_no_error (error);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  if (strstr (error->message, step_name) == NULL)
    g_error ("error does not name %s: %s", step_name, error->message);
  g_assert_cmpint (vmm_migration_get_state (m), ==, VMM_MIGRATION_STATE_FAILED);
  where = vmm_migration_get_result (m);
  g_assert_nonnull (where);

  if (!c->after_switchover)
    {
      g_autofree char *after = snapshot_of (sim);

      g_assert_nonnull (strstr (error->message, "source host"));
      g_assert_false (vmm_migration_result_get_moved (where));
      g_assert_cmpstr (vmm_migration_result_get_host (where), ==, c->type->source);
      vmm_test_assert_one_place (sim, c->type->vm, c->type->source);
      /* everything is as it was: record, disks, files, free space, memory */
      g_assert_cmpstr (before, ==, after);
    }
  else
    {
      g_auto (GStrv) places = vmm_sim_backend_locate_vm (sim, c->type->vm);
      g_auto (GStrv) leftovers = vmm_sim_backend_list_leftovers (sim);
      guint active = 0;

      /* past the switch-over the VM runs at its destination; the error says so */
      g_assert_nonnull (strstr (error->message, "destination host"));
      g_assert_true (vmm_migration_result_get_moved (where));
      g_assert_cmpstr (vmm_migration_result_get_host (where), ==, c->type->destination);
      for (guint i = 0; places[i] != NULL; i++)
        {
          if (g_str_has_suffix (places[i], "(stale)"))
            continue;
          g_assert_cmpstr (places[i], ==, c->type->destination);
          active++;
        }
      g_assert_cmpuint (active, ==, 1);
      for (guint i = 0; leftovers[i] != NULL; i++)
        g_assert_null (strstr (leftovers[i], "incoming"));
    }
}

static void
test_fault_undo_fails (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"host\": \"h2\"}");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_INITIATE_SOURCE, VMM_SIM_FAULT_FAIL,
                                VMM_ERROR_BACKEND, 1);
  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_INITIATE_DESTINATION, VMM_SIM_FAULT_FAIL_UNDO,
                                VMM_ERROR_BACKEND, 1);
  m = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, &error);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_ROLLBACK_FAILED);
  g_assert_nonnull (strstr (error->message, "undo of InitiateDestination failed"));
  g_assert_nonnull (strstr (error->message, "source host 'h1'"));
  /* the incoming half it could not remove is there, and only that */
  {
    g_auto (GStrv) leftovers = vmm_sim_backend_list_leftovers (sim);
    g_assert_cmpuint (g_strv_length (leftovers), ==, 1);
    g_assert_nonnull (strstr (leftovers[0], "incoming VM 'hot1' on host 'h2'"));
  }
}

static void
test_fault_retry_after_switchover (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"host\": \"h2\"}");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  /* a passing failure after the switch-over is retried, not rolled back */
  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_COMPLETE_SOURCE, VMM_SIM_FAULT_FAIL,
                                VMM_ERROR_BACKEND, 1);
  m = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, &error);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "h2");
  g_assert_nonnull (strstr (vmm_migration_result_get_warnings (result)[0], "trying again"));
  vmm_test_assert_one_place (sim, "hot1", "h2");
}

static void
test_fault_lose_datastore (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"datastore\": \"shared2\"}");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (VmmVmInfo) vm = NULL;
  g_auto (GStrv) places = NULL;
  g_auto (GStrv) leftovers = NULL;

  /* the storage-motion seed's negative test: the target pool goes away mid-copy */
  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_INITIATE_SOURCE, VMM_SIM_FAULT_LOSE_DATASTORE,
                                VMM_ERROR_BACKEND, 1);
  m = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, &error);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_null (result);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "went offline"));
  g_assert_nonnull (strstr (error->message, "source host 'h1'"));
  /* the VM and its volumes stay on the source */
  vm = vmm_backend_get_vm (VMM_BACKEND (sim), "hot1", NULL, NULL);
  g_assert_cmpstr (vmm_vm_info_get_datastore (vm), ==, "shared1");
  g_assert_cmpstr (vmm_disk_info_get_datastore (vmm_vm_info_lookup_disk (vm, "disk-0")), ==,
                   "shared1");
  places = vmm_sim_backend_locate_vm (sim, "hot1");
  g_assert_cmpuint (g_strv_length (places), ==, 1);
  g_assert_cmpstr (places[0], ==, "h1");
  /* what could not be removed from the offline datastore is named */
  g_assert_error (error, VMM_ERROR, VMM_ERROR_ROLLBACK_FAILED);
  leftovers = vmm_sim_backend_list_leftovers (sim);
  for (guint i = 0; leftovers[i] != NULL; i++)
    {
      g_assert_nonnull (strstr (leftovers[i], "[shared2]"));
      g_assert_nonnull (strstr (error->message, strstr (leftovers[i], "[shared2]")));
    }
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);
  /* enumerate each type's plan, then fail each backend action in turn */
  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
      g_autoptr (VmmEngine) engine = vmm_engine_new ();
      g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (types[t].spec);
      g_autoptr (GError) error = NULL;
      g_autoptr (VmmMigration) m
          = vmm_engine_create_migration (engine, VMM_BACKEND (sim), types[t].vm, spec, &error);
      g_autoptr (VmmPlan) plan = vmm_migration_plan (m, NULL, &error);
      GPtrArray *actions;
      gboolean switched = FALSE;
      guint n = 0;

      g_assert_no_error (error);
      actions = vmm_plan_get_actions (plan);
      for (guint i = 0; i < actions->len; i++)
        {
          VmmAction *action = g_ptr_array_index (actions, i);
          FaultCase *c;
          g_autofree char *path = NULL;
          guint s;

          if (vmm_action_get_performer (action) != VMM_ACTION_PERFORMER_BACKEND)
            continue;
          for (s = 0; s < VMM_STEP_LAST; s++)
            if (g_strcmp0 (vmm_step_get_name (s), vmm_action_get_name (action)) == 0)
              break;
          g_assert_cmpuint (s, <, VMM_STEP_LAST);
          c = g_new0 (FaultCase, 1);
          c->type = &types[t];
          c->step = s;
          c->index = i;
          c->after_switchover = switched;
          if (vmm_action_get_point_of_no_return (action))
            switched = TRUE;
          g_ptr_array_add (cases, c);
          path = g_strdup_printf ("/faults/%s/%02u-%s", types[t].name, i,
                                  vmm_action_get_name (action));
          g_test_add_data_func (path, c, test_fault_case);
          n++;
        }
      g_assert_cmpuint (n, >, 0);
    }
  g_test_add_func ("/faults/undo-fails", test_fault_undo_fails);
  g_test_add_func ("/faults/retry-after-switchover", test_fault_retry_after_switchover);
  g_test_add_func ("/faults/lose-datastore-mid-copy", test_fault_lose_datastore);
  return g_test_run ();
}
