/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-test-utils.h"

typedef struct
{
  const char *name;
  const char *vm;
  const char *spec;
  VmmMigrationType type;
  const char *actions;
} PlanCase;

#define HEAD_HOST "InvokePrechecks SelectDestination CheckCompatibility "
#define HEAD_HOST_STORAGE "InvokePrechecks SelectDestination CheckCompatibility ReserveDirectory "
#define HEAD_STORAGE "InvokePrechecks CheckCompatibility ReserveDirectory "
#define HOT_TAIL                                                                                   \
  "PrepareSource PrepareDestination InitiateDestination InitiateSource "                           \
  "SwitchHostAndPool CompleteSource CompleteDestination"
#define CALLBACKS "ComputeSpec InvokeCallbacks "

static const PlanCase cases[] = {
  { "hot-host", "hot1", "{\"host\": \"h2\"}", VMM_MIGRATION_TYPE_HOT_HOST,
    HEAD_HOST CALLBACKS HOT_TAIL },
  { "hot-host-auto", "hot1", "{}", VMM_MIGRATION_TYPE_HOT_HOST, HEAD_HOST CALLBACKS HOT_TAIL },
  { "hot-storage", "hot1", "{\"datastore\": \"shared2\"}", VMM_MIGRATION_TYPE_HOT_STORAGE,
    HEAD_STORAGE CALLBACKS
    "CreateDummyVMotionDisks CreateDestinationVM RelayoutSnapshots " HOT_TAIL },
  { "hot-host-and-storage", "local-vm", "{\"host\": \"h2\", \"datastore\": \"local2\"}",
    VMM_MIGRATION_TYPE_HOT_HOST_AND_STORAGE,
    HEAD_HOST_STORAGE CALLBACKS
    "CreateDummyVMotionDisks CreateDestinationVM RelayoutSnapshots " HOT_TAIL },
  { "hot-disks-only", "hot1", "{\"disks\": [{\"key\": \"disk-1\", \"datastore\": \"shared2\"}]}",
    VMM_MIGRATION_TYPE_HOT_DISKS_ONLY, HEAD_STORAGE CALLBACKS HOT_TAIL },
  { "cross-manager", "hot1",
    "{\"host\": \"x1\", \"datastore\": \"remote1\", \"allow-zone-change\": true, "
    "\"service-locator\": "
    "{\"url\": \"https://vc2.example/sdk\", \"credential\": \"vc2\"}}",
    VMM_MIGRATION_TYPE_CROSS_MANAGER,
    "InvokePrechecks SelectDestination CheckPermission CheckCompatibility ReserveDirectory "
    "CreateInventoryVm " CALLBACKS
    "CreateDummyVMotionDisks CreateDestinationVM RelayoutSnapshots PrepareSource "
    "PrepareDestination InitiateDestination InitiateSource CompleteSource CompleteDestination" },
  { "cold-primary", "cold1", "{\"host\": \"h2\", \"datastore\": \"shared2\"}",
    VMM_MIGRATION_TYPE_COLD,
    HEAD_HOST_STORAGE CALLBACKS
    "UnregisterSourceVm SwitchHostAndPool CreateDestinationVM RelayoutSnapshots" },
  { "cold-host", "cold1", "{\"host\": \"h2\"}", VMM_MIGRATION_TYPE_COLD,
    HEAD_HOST CALLBACKS
    "UnregisterSourceVm SwitchHostAndPool RegisterDestinationVm ReconfigureVm RelayoutSnapshots" },
  { "cold-disks", "cold1", "{\"disks\": [{\"key\": \"disk-0\", \"datastore\": \"shared2\"}]}",
    VMM_MIGRATION_TYPE_COLD,
    HEAD_STORAGE CALLBACKS
    "UnregisterSourceVm SwitchHostAndPool RegisterDestinationVm ReconfigureVm RelayoutSnapshots" },
  { "pool-only", "hot1", "{\"resource-pool\": \"dev\"}", VMM_MIGRATION_TYPE_POOL_ONLY,
    "InvokePrechecks CheckCompatibility " CALLBACKS
    "SwitchHostAndPool ReconfigureVm RelayoutSnapshots" },
};

static void
test_plan_case (gconstpointer data)
{
  const PlanCase *c = data;
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (c->spec);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) migration = NULL;
  g_autoptr (VmmPlan) plan = NULL;
  g_autofree char *before = vmm_sim_backend_to_json (sim);
  g_autofree char *after = NULL;
  g_auto (GStrv) names = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *text = NULL;

  migration = vmm_engine_create_migration (engine, VMM_BACKEND (sim), c->vm, spec, &error);
  g_assert_no_error (error);
  plan = vmm_migration_plan (migration, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plan);

  names = vmm_plan_get_action_names (plan);
  joined = g_strjoinv (" ", names);
  g_assert_cmpstr (joined, ==, c->actions);
  g_assert_cmpint (vmm_plan_get_migration_type (plan), ==, c->type);
  g_assert_cmpuint (vmm_plan_get_target_disks (plan)->len, >, 0);

  /* a dry run touches nothing */
  after = vmm_sim_backend_to_json (sim);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (vmm_sim_backend_get_step_count (sim), ==, 0);
  g_assert_cmpint (vmm_migration_get_state (migration), ==, VMM_MIGRATION_STATE_NEW);

  text = vmm_plan_to_string (plan);
  g_assert_nonnull (strstr (text, vmm_migration_type_to_string (c->type)));
}

static void
test_plan_disk_targets (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (
      "{\"datastore\": \"shared2\", \"disks\": [{\"key\": \"disk-1\", \"datastore\": \"local1\", "
      "\"transform\": \"qcow2\"}], \"allow-storage-class-change\": true}");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) migration
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, &error);
  g_autoptr (VmmPlan) plan = vmm_migration_plan (migration, NULL, &error);
  GPtrArray *disks;

  g_assert_no_error (error);
  disks = vmm_plan_get_target_disks (plan);
  g_assert_cmpuint (disks->len, ==, 2);
  /* disk-0 follows the primary datastore, disk-1 goes where its locator says */
  g_assert_cmpstr (vmm_disk_info_get_datastore (g_ptr_array_index (disks, 0)), ==, "shared2");
  g_assert_cmpstr (vmm_disk_info_get_path (g_ptr_array_index (disks, 0)), ==,
                   "hot1/hot1-disk-0.vmdk");
  g_assert_cmpstr (vmm_disk_info_get_datastore (g_ptr_array_index (disks, 1)), ==, "local1");
  g_assert_cmpstr (vmm_disk_info_get_format (g_ptr_array_index (disks, 1)), ==, "qcow2");
  g_assert_cmpstr (vmm_plan_get_destination_datastore (plan), ==, "shared2");
}

static void
test_plan_placement (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) m1
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, &error);
  g_autoptr (VmmPlan) plan = vmm_migration_plan (m1, NULL, &error);

  g_assert_no_error (error);
  /* h2 has the most free memory of the suitable hosts; h4 is in maintenance, x1 is another manager
   */
  g_assert_cmpstr (vmm_plan_get_destination_host (plan), ==, "h2");
}

typedef struct
{
  const char *name;
  const char *vm;
  const char *spec;
  GQuark domain;
  int code;
  const char *message_part;
} BadCase;

static const BadCase bad_cases[] = {
  { "unknown-host", "hot1", "{\"host\": \"nope\"}", 0, VMM_ERROR_NOT_FOUND,
    "no host named 'nope'" },
  { "unknown-datastore", "hot1", "{\"datastore\": \"nope\"}", 0, VMM_ERROR_NOT_FOUND, "datastore" },
  { "unknown-disk", "hot1", "{\"disks\": [{\"key\": \"disk-9\", \"datastore\": \"shared2\"}]}", 0,
    VMM_ERROR_INVALID_SPEC, "disks[0].key" },
  { "disk-to-unknown-ds", "hot1", "{\"disks\": [{\"key\": \"disk-0\", \"datastore\": \"zz\"}]}", 0,
    VMM_ERROR_INVALID_SPEC, "disks[0].datastore" },
  { "maintenance", "hot1", "{\"host\": \"h4\"}", 0, VMM_ERROR_INCOMPATIBLE, "maintenance" },
  { "cpu", "needs-ibpb", "{\"host\": \"h3\"}", 0, VMM_ERROR_INCOMPATIBLE,
    "missing features: ibpb" },
  { "memory", "big", "{\"host\": \"h3\"}", 0, VMM_ERROR_INSUFFICIENT_CAPACITY,
    "MiB of memory free" },
  { "network", "local-vm",
    "{\"host\": \"h3\", \"datastore\": \"shared1\", \"allow-storage-class-change\": true}", 0,
    VMM_ERROR_INCOMPATIBLE, "network 'net-b'" },
  { "local-storage", "local-vm", "{\"host\": \"h2\"}", 0, VMM_ERROR_INCOMPATIBLE,
    "not reachable from host 'h2'" },
  { "datastore-full", "hot1", "{\"datastore\": \"tiny\"}", 0, VMM_ERROR_INSUFFICIENT_CAPACITY,
    "tiny" },
  { "hot-needs-running", "cold1", "{\"host\": \"h2\", \"migration-type\": \"hot\"}", 0,
    VMM_ERROR_INCOMPATIBLE, "hot move needs a running VM" },
  { "cold-needs-off", "hot1", "{\"host\": \"h2\", \"migration-type\": \"cold\"}", 0,
    VMM_ERROR_INCOMPATIBLE, "cold move needs a powered-off VM" },
  { "moves-nothing", "hot1", "{\"host\": \"h1\"}", 0, VMM_ERROR_INVALID_SPEC, "moves nothing" },
  { "unknown-vm", "ghost", "{\"host\": \"h2\"}", 0, VMM_ERROR_NOT_FOUND, "no VM named 'ghost'" },
  { "bad-pool", "hot1", "{\"resource-pool\": \"nope\"}", 0, VMM_ERROR_INCOMPATIBLE,
    "resource pool 'nope'" },
  { "bad-network-map", "hot1", "{\"host\": \"h2\", \"networks\": {\"net-a\": \"net-zz\"}}", 0,
    VMM_ERROR_NOT_FOUND, "networks.net-a" },
  { "cross-needs-credential", "hot1",
    "{\"host\": \"x1\", \"datastore\": \"remote1\", \"service-locator\": {\"url\": "
    "\"https://vc2.example/sdk\"}}",
    0, VMM_ERROR_PERMISSION_DENIED, "service-locator.credential" },
};

static void
test_plan_rejects (gconstpointer data)
{
  const BadCase *c = data;
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (c->spec);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) migration = NULL;
  g_autoptr (VmmPlan) plan = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *before = vmm_sim_backend_to_json (sim);
  g_autofree char *after = NULL;

  migration = vmm_engine_create_migration (engine, VMM_BACKEND (sim), c->vm, spec, &error);
  g_assert_no_error (error);
  plan = vmm_migration_plan (migration, NULL, &error);
  g_assert_null (plan);
  g_assert_error (error, VMM_ERROR, c->code);
  if (strstr (error->message, c->message_part) == NULL)
    g_error ("'%s' does not name '%s'", error->message, c->message_part);
  g_clear_error (&error);

  /* the run refuses the same way, before anything moves */
  result = vmm_migration_run_sync (migration, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, VMM_ERROR, c->code);
  g_assert_cmpuint (vmm_sim_backend_get_step_count (sim), ==, 0);
  after = vmm_sim_backend_to_json (sim);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (vmm_migration_get_state (migration), ==, VMM_MIGRATION_STATE_FAILED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plan/type/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_plan_case);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plan/rejects/%s", bad_cases[i].name);
      g_test_add_data_func (path, &bad_cases[i], test_plan_rejects);
    }
  g_test_add_func ("/plan/disk-targets", test_plan_disk_targets);
  g_test_add_func ("/plan/placement", test_plan_placement);
  return g_test_run ();
}
