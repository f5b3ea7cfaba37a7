/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-test-utils.h"
#include "vmm-private.h"

static VmmSimBackend *
load (const char *file)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", file, NULL);
  g_autofree char *json = NULL;
  g_autoptr (GError) error = NULL;
  VmmBackend *backend;

  g_assert_true (g_file_get_contents (path, &json, NULL, &error));
  backend = vmm_sim_backend_new_from_json (json, &error);
  g_assert_no_error (error);
  return VMM_SIM_BACKEND (backend);
}

/* Plans @vm with @spec and returns the check with @code, if any. */
static VmmCheck *
find_check (VmmEngine *engine, VmmSimBackend *sim, const char *vm, const char *spec_json,
            const char *code, VmmPlan **plan_out)
{
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (spec_json);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), vm, spec, &error);
  g_autoptr (VmmPlan) plan = NULL;
  VmmPlan *story;
  GPtrArray *checks;

  g_assert_no_error (error);
  plan = vmm_migration_plan (m, NULL, &error);
  story = vmm_migration_get_plan (m);
  g_assert_nonnull (story);
  /* the plan fails exactly when a blocking check says so */
  g_assert_cmpint (plan != NULL, ==, vmm_plan_is_feasible (story));
  if (plan_out != NULL)
    *plan_out = g_object_ref (story);
  checks = vmm_plan_get_checks (story);
  for (guint i = 0; i < checks->len; i++)
    if (g_strcmp0 (vmm_check_get_code (g_ptr_array_index (checks, i)), code) == 0)
      return g_object_ref (g_ptr_array_index (checks, i));
  return NULL;
}

typedef struct
{
  const char *code;
  const char *vm;
  const char *trigger;
  VmmCheckSeverity severity;
  const char *message_part;
  const char *quiet_vm;
  const char *quiet;
} CheckCase;

static const CheckCase check_cases[] = {
  { "host-not-found", "vm", "{\"host\": \"nope\"}", VMM_CHECK_SEVERITY_ERROR,
    "no host named 'nope'", "vm", "{\"host\": \"ok\"}" },
  { "datastore-not-found", "vm", "{\"datastore\": \"nope\"}", VMM_CHECK_SEVERITY_ERROR, "nope",
    "vm", "{\"datastore\": \"shared2\"}" },
  { "disk-not-found", "vm", "{\"disks\": [{\"key\": \"d9\", \"datastore\": \"shared2\"}]}",
    VMM_CHECK_SEVERITY_ERROR, "disks[0].key", "vm",
    "{\"disks\": [{\"key\": \"d0\", \"datastore\": \"shared2\"}]}" },
  { "network-not-found", "vm", "{\"host\": \"ok\", \"networks\": {\"n2\": \"zz\"}}",
    VMM_CHECK_SEVERITY_ERROR, "networks.n2", "vm",
    "{\"host\": \"ok\", \"networks\": {\"n2\": \"n1\"}}" },
  { "vm-not-running", "off", "{\"host\": \"ok\", \"migration-type\": \"hot\"}",
    VMM_CHECK_SEVERITY_ERROR, "needs a running VM", "vm",
    "{\"host\": \"ok\", \"migration-type\": \"hot\"}" },
  { "vm-running", "vm", "{\"host\": \"ok\", \"migration-type\": \"cold\"}",
    VMM_CHECK_SEVERITY_ERROR, "needs a powered-off VM", "off",
    "{\"host\": \"ok\", \"migration-type\": \"cold\"}" },
  { "vm-suspended", "suspended", "{\"host\": \"ok\"}", VMM_CHECK_SEVERITY_ERROR, "suspended", "off",
    "{\"host\": \"ok\"}" },
  { "storage-class-change", "vm", "{\"datastore\": \"local-src\"}", VMM_CHECK_SEVERITY_ERROR,
    "from shared datastore 'shared' to local datastore 'local-src'", "vm",
    "{\"datastore\": \"shared2\"}" },
  { "convergence", "dirty", "{\"host\": \"ok\"}", VMM_CHECK_SEVERITY_WARNING, "not to converge",
    "dirty", "{\"host\": \"ok\", \"bandwidth-mibps\": 10000}" },
  { "host-state", "vm", "{\"host\": \"maint\"}", VMM_CHECK_SEVERITY_ERROR, "maintenance", "vm",
    "{\"host\": \"ok\"}" },
  { "pool-missing", "vm", "{\"host\": \"nopool\", \"resource-pool\": \"P\"}",
    VMM_CHECK_SEVERITY_ERROR, "resource pool 'P'", "vm",
    "{\"host\": \"nopool\", \"resource-pool\": \"Q\"}" },
  { "zone-change", "vm", "{\"host\": \"farzone\"}", VMM_CHECK_SEVERITY_ERROR,
    "availability zone 'az2'", "vm", "{\"host\": \"ok\"}" },
  { "aggregate-metadata", "needs-ssd", "{\"host\": \"small\"}", VMM_CHECK_SEVERITY_ERROR,
    "(ssd=true)", "needs-ssd", "{\"host\": \"ok\"}" },
  { "memory-capacity", "big", "{\"host\": \"small\"}", VMM_CHECK_SEVERITY_ERROR,
    "MiB of memory free", "vm", "{\"host\": \"small\"}" },
  { "vcpu-capacity", "wide", "{\"host\": \"small\"}", VMM_CHECK_SEVERITY_ERROR, "vCPUs in use",
    "vm", "{\"host\": \"small\"}" },
  { "host-unreachable", "vm", "{\"host\": \"novmotion\"}", VMM_CHECK_SEVERITY_ERROR,
    "cannot reach host 'novmotion': no interface is enabled for live migration", "off",
    "{\"host\": \"novmotion\"}" },
  { "cpu-features", "vm", "{\"host\": \"nocpu\"}", VMM_CHECK_SEVERITY_ERROR, "missing features: b",
    "vm", "{\"host\": \"ok\"}" },
  { "network-missing", "vm", "{\"host\": \"nonet\"}", VMM_CHECK_SEVERITY_ERROR, "network 'n2'",
    "vm", "{\"host\": \"nonet\", \"networks\": {\"n2\": \"n1\"}}" },
  { "device-backing-unreachable", "iso", "{\"host\": \"ok\"}", VMM_CHECK_SEVERITY_ERROR,
    "[iso-local] iso/debian.iso", "iso", "{\"datastore\": \"shared2\"}" },
  { "datastore-not-mounted", "vm",
    "{\"host\": \"ok\", \"disks\": [{\"key\": \"d0\", \"datastore\": \"partial\"}]}",
    VMM_CHECK_SEVERITY_ERROR, "not reachable from host 'ok'", "vm",
    "{\"host\": \"ok\", \"disks\": [{\"key\": \"d0\", \"datastore\": \"shared2\"}]}" },
  { "local-storage-needs-motion", "local", "{\"host\": \"ok\"}", VMM_CHECK_SEVERITY_ERROR,
    "needs storage motion", "local", "{\"host\": \"ok\", \"datastore\": \"local-ok\"}" },
  { "shared-storage-unreachable", "partial-vm", "{\"host\": \"ok\"}", VMM_CHECK_SEVERITY_ERROR,
    "shared storage is not mounted there", "partial-vm",
    "{\"host\": \"ok\", \"datastore\": \"shared\"}" },
  { "datastore-offline", "vm", "{\"datastore\": \"offline\"}", VMM_CHECK_SEVERITY_ERROR,
    "is offline", "vm", "{\"datastore\": \"shared2\"}" },
  { "datastore-capacity", "vm", "{\"datastore\": \"tiny\"}", VMM_CHECK_SEVERITY_ERROR, "MiB free",
    "vm", "{\"datastore\": \"shared2\"}" },
};

static void
test_check_case (gconstpointer data)
{
  const CheckCase *c = data;
  g_autoptr (VmmSimBackend) sim = load ("prechecks.json");
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmCheck) hit = find_check (engine, sim, c->vm, c->trigger, c->code, NULL);
  g_autoptr (VmmCheck) quiet = NULL;

  g_assert_nonnull (hit);
  g_assert_cmpint (vmm_check_get_severity (hit), ==, c->severity);
  if (strstr (vmm_check_get_message (hit), c->message_part) == NULL)
    g_error ("%s: '%s' does not contain '%s'", c->code, vmm_check_get_message (hit),
             c->message_part);
  if (c->severity == VMM_CHECK_SEVERITY_ERROR && c->code[0] != '\0'
      && g_strcmp0 (c->code, "host-not-found") != 0
      && g_strcmp0 (c->code, "datastore-not-found") != 0
      && g_strcmp0 (c->code, "disk-not-found") != 0
      && g_strcmp0 (c->code, "network-not-found") != 0)
    g_assert_nonnull (vmm_check_get_remedy (hit));
  quiet = find_check (engine, sim, c->quiet_vm, c->quiet, c->code, NULL);
  if (quiet != NULL)
    g_error ("%s also triggered for %s %s: %s", c->code, c->quiet_vm, c->quiet,
             vmm_check_get_message (quiet));
}

static void
test_check_busy (void)
{
  g_autoptr (VmmSimBackend) sim = load ("prechecks.json");
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmInventory) inventory = vmm_backend_query_inventory (VMM_BACKEND (sim), NULL, NULL);
  g_autoptr (VmmCheck) quiet
      = find_check (engine, sim, "vm", "{\"host\": \"ok\"}", "vm-busy", NULL);
  g_autoptr (VmmCheck) hit = NULL;

  g_assert_null (quiet);
  /* another manager is moving it (the platform says so) */
  vmm_vm_info_set_migrating (vmm_inventory_lookup_vm (inventory, "vm"), TRUE);
  hit = find_check (engine, sim, "vm", "{\"host\": \"ok\"}", "vm-busy", NULL);
  g_assert_nonnull (hit);
  g_assert_cmpint (vmm_check_get_error_code (hit), ==, VMM_ERROR_BUSY);
}

static void
test_check_draining (void)
{
  g_autoptr (VmmSimBackend) sim = load ("prechecks.json");
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmCheck) quiet
      = find_check (engine, sim, "vm", "{\"host\": \"ok\"}", "host-draining", NULL);
  g_autoptr (VmmCheck) hit = NULL;

  g_assert_null (quiet);
  vmm_engine_set_draining (engine, VMM_BACKEND (sim), "ok", TRUE);
  hit = find_check (engine, sim, "vm", "{\"host\": \"ok\"}", "host-draining", NULL);
  g_assert_nonnull (hit);
}

static void
test_check_allowed_become_warnings (void)
{
  g_autoptr (VmmSimBackend) sim = load ("prechecks.json");
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  struct
  {
    const char *vm, *spec, *code;
  } allowed[] = {
    { "vm", "{\"host\": \"farzone\", \"allow-zone-change\": true}", "zone-change" },
    { "vm", "{\"datastore\": \"local-src\", \"allow-storage-class-change\": true}",
      "storage-class-change" },
    { "iso", "{\"host\": \"ok\", \"detach-unreachable-devices\": true}",
      "device-backing-unreachable" },
    { "iso-off", "{\"host\": \"ok\"}", "device-backing-unreachable" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      g_autoptr (VmmPlan) plan = NULL;
      g_autoptr (VmmCheck) check
          = find_check (engine, sim, allowed[i].vm, allowed[i].spec, allowed[i].code, &plan);

      g_assert_nonnull (check);
      g_assert_cmpint (vmm_check_get_severity (check), ==, VMM_CHECK_SEVERITY_WARNING);
      g_assert_true (vmm_plan_is_feasible (plan));
    }
}

/* The storage-motion seed's matrix: which moves of a disk are allowed. */
typedef struct
{
  const char *vm;
  const char *spec;
  gboolean allowed;
  const char *code;
} MatrixCase;

static const MatrixCase matrix[] = {
  /* same host (volume live migration) */
  { "vm", "{\"datastore\": \"shared2\"}", TRUE, NULL }, /* shared -> shared: yes */
  { "vm", "{\"datastore\": \"local-src\"}", FALSE,
    "storage-class-change" }, /* shared -> local: no */
  { "local", "{\"datastore\": \"shared\"}", FALSE,
    "storage-class-change" }, /* local -> shared: no */
  { "local", "{\"datastore\": \"local-src2\"}", TRUE,
    NULL }, /* local -> local, same host: see note */
  /* another host (VM and volumes) */
  { "local", "{\"host\": \"ok\", \"datastore\": \"local-ok\"}", TRUE,
    NULL }, /* local -> local: yes */
  { "vm", "{\"host\": \"ok\", \"datastore\": \"shared2\"}", TRUE,
    NULL }, /* shared -> shared: yes */
  { "local", "{\"host\": \"ok\", \"datastore\": \"shared\"}", FALSE,
    "storage-class-change" }, /* local -> shared: no */
  { "vm", "{\"host\": \"ok\", \"datastore\": \"local-ok\"}", FALSE,
    "storage-class-change" }, /* shared -> local: no */
  /* without storage motion */
  { "local", "{\"host\": \"ok\"}", FALSE, "local-storage-needs-motion" },
  { "partial-vm", "{\"host\": \"ok\"}", FALSE, "shared-storage-unreachable" },
  { "vm", "{\"host\": \"ok\"}", TRUE, NULL },
  /* an explicit disk map that breaks the rules is rejected naming the disk */
  { "vm", "{\"disks\": [{\"key\": \"d0\", \"datastore\": \"local-src\"}]}", FALSE,
    "storage-class-change" },
};

static void
test_storage_matrix (void)
{
  g_autoptr (VmmSimBackend) sim = load ("prechecks.json");
  g_autoptr (VmmEngine) engine = vmm_engine_new ();

  for (guint i = 0; i < G_N_ELEMENTS (matrix); i++)
    {
      g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (matrix[i].spec);
      g_autoptr (GError) error = NULL;
      g_autoptr (VmmMigration) m
          = vmm_engine_create_migration (engine, VMM_BACKEND (sim), matrix[i].vm, spec, NULL);
      g_autoptr (VmmPlan) plan = vmm_migration_plan (m, NULL, &error);

      g_test_message ("%s %s -> %s", matrix[i].vm, matrix[i].spec,
                      error != NULL ? error->message : "allowed");
      g_assert_cmpint (plan != NULL, ==, matrix[i].allowed);
      if (!matrix[i].allowed)
        {
          GPtrArray *checks = vmm_plan_get_checks (vmm_migration_get_plan (m));
          gboolean found = FALSE;

          for (guint j = 0; j < checks->len; j++)
            found |= g_strcmp0 (vmm_check_get_code (g_ptr_array_index (checks, j)), matrix[i].code)
                     == 0;
          g_assert_true (found);
        }
    }
  /* the explicit map is refused as INVALID_SPEC naming the disk locator */
  {
    g_autoptr (VmmRelocateSpec) spec
        = vmm_test_spec ("{\"disks\": [{\"key\": \"d0\", \"datastore\": \"local-src\"}]}");
    g_autoptr (GError) error = NULL;
    g_autoptr (VmmMigration) m
        = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "vm", spec, NULL);
    VmmPlan *plan = vmm_migration_plan (m, NULL, &error);

    g_assert_null (plan);
    g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
    g_assert_nonnull (strstr (error->message, "disks[0].datastore"));
  }
}

static void
test_placement_explained (void)
{
  g_autoptr (VmmSimBackend) sim = load ("prechecks.json");
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) candidates
      = vmm_engine_find_candidates (engine, VMM_BACKEND (sim), "vm", NULL, NULL, &error);
  g_autoptr (GPtrArray) local = NULL;
  g_autoptr (VmmPlan) plan = NULL;
  g_autoptr (VmmCheck) none = NULL;
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_no_error (error);
  g_assert_cmpuint (candidates->len, ==, 8);
  /* best first: 'ok' is suitable, in the same cluster and has the most room */
  g_assert_cmpstr (vmm_candidate_get_host (g_ptr_array_index (candidates, 0)), ==, "ok");
  for (guint i = 0; i < candidates->len; i++)
    {
      VmmCandidate *c = g_ptr_array_index (candidates, i);
      g_autofree char *text = vmm_candidate_to_string (c);

      g_test_message ("%s", text);
      g_hash_table_insert (seen, (gpointer)vmm_candidate_get_host (c), c);
      if (!vmm_candidate_get_suitable (c))
        g_assert_cmpuint (vmm_candidate_get_checks (c)->len, >, 0);
      if (i > 0 && vmm_candidate_get_suitable (c))
        g_assert_true (vmm_candidate_get_suitable (g_ptr_array_index (candidates, i - 1)));
    }
  g_assert_false (vmm_candidate_get_suitable (g_hash_table_lookup (seen, "maint")));
  g_assert_false (vmm_candidate_get_suitable (g_hash_table_lookup (seen, "nocpu")));
  g_assert_false (vmm_candidate_get_suitable (g_hash_table_lookup (seen, "farzone")));
  /* a live move cannot reach it (seed 003's migration network) */
  g_assert_false (vmm_candidate_get_suitable (g_hash_table_lookup (seen, "novmotion")));
  g_assert_true (vmm_candidate_get_suitable (g_hash_table_lookup (seen, "small")));
  g_hash_table_unref (seen);

  /* a VM on local storage: every host requires storage motion */
  local = vmm_engine_find_candidates (engine, VMM_BACKEND (sim), "local", NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < local->len; i++)
    {
      VmmCandidate *c = g_ptr_array_index (local, i);

      g_assert_true (vmm_candidate_get_requires_storage_motion (c));
      g_assert_false (vmm_candidate_get_suitable (c));
    }

  /* the plan of an engine-chosen move carries every candidate */
  none = find_check (engine, sim, "vm", "{}", "no-such-code", &plan);
  g_assert_cmpuint (vmm_plan_get_candidates (plan)->len, ==, 8);
  g_assert_cmpstr (vmm_plan_get_destination_host (plan), ==, "ok");
  g_assert_cmpint (vmm_plan_get_estimated_duration_ms (plan), >, 0);
  g_assert_cmpint (vmm_plan_get_estimated_downtime_ms (plan), >=, 0);
}

/* A live move that cannot reach its destination goes cold with fallback-cold. */
static void
test_unreachable_goes_cold (void)
{
  g_autoptr (VmmSimBackend) sim = load ("prechecks.json");
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec
      = vmm_test_spec ("{\"host\": \"novmotion\", \"fallback-cold\": true}");
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "vm", spec, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) result = vmm_migration_run_sync (m, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (result), ==, VMM_MIGRATION_TYPE_COLD);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "novmotion");
  g_assert_nonnull (
      strstr (vmm_migration_result_get_attempts (result)[0], "cannot reach host 'novmotion'"));
  vmm_test_assert_one_place (sim, "vm", "novmotion");
}

/* Property: however the VMs and hosts are drawn, a batch never overcommits. */
static void
test_batch_never_overcommits (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261123);

  for (guint round = 0; round < 25; round++)
    {
      guint n_hosts = g_rand_int_range (rand, 2, 12);
      guint n_vms = g_rand_int_range (rand, 1, 80);
      g_autoptr (GString) json = g_string_new ("{\"hosts\": [");
      g_autoptr (GError) error = NULL;
      g_autoptr (VmmBackend) sim = NULL;
      g_autoptr (VmmEngine) engine = vmm_engine_new ();
      g_autoptr (VmmInventory) inventory = NULL;
      g_autoptr (GPtrArray) placements = NULL;
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_auto (GStrv) names = NULL;
      g_autoptr (GHashTable) added = g_hash_table_new (g_str_hash, g_str_equal);
      guint placed = 0;

      for (guint h = 0; h < n_hosts; h++)
        g_string_append_printf (json, "%s{\"name\": \"h%u\", \"memory-mib\": %d, \"vcpus\": %d}",
                                h ? ", " : "", h, g_rand_int_range (rand, 1024, 32768),
                                g_rand_int_range (rand, 2, 32));
      g_string_append (json, "], \"datastores\": [{\"name\": \"ds\", \"shared\": true, "
                             "\"capacity-gib\": 100000, \"hosts\": [");
      for (guint h = 0; h < n_hosts; h++)
        g_string_append_printf (json, "%s\"h%u\"", h ? ", " : "", h);
      g_string_append (json, "]}], \"vms\": [");
      for (guint v = 0; v < n_vms; v++)
        g_string_append_printf (json,
                                "%s{\"name\": \"v%u\", \"host\": \"h0\", \"datastore\": \"ds\", "
                                "\"power\": \"%s\", \"memory-mib\": %d, \"vcpus\": %d, "
                                "\"disks\": [{\"key\": \"d\", \"capacity-gib\": 1}]}",
                                v ? ", " : "", v, g_rand_boolean (rand) ? "running" : "off",
                                g_rand_int_range (rand, 256, 8192), g_rand_int_range (rand, 1, 8));
      g_string_append (json, "]}");
      sim = vmm_sim_backend_new_from_json (json->str, &error);
      /* an inventory whose VMs overfill h0 itself is not what this tests */
      if (sim == NULL)
        continue;
      inventory = vmm_backend_query_inventory (sim, NULL, &error);
      for (guint v = 0; v < n_vms; v++)
        {
          g_autofree char *name = g_strdup_printf ("v%u", v);
          g_strv_builder_add (builder, name);
        }
      names = g_strv_builder_end (builder);
      placements = vmm_engine_place_batch (engine, sim, inventory, (const char *const *)names, NULL,
                                           &error);
      g_assert_no_error (error);
      g_assert_cmpuint (placements->len, ==, n_vms);
      for (guint v = 0; v < n_vms; v++)
        {
          VmmCandidate *c = g_ptr_array_index (placements, v);
          VmmVmInfo *vm = vmm_inventory_lookup_vm (inventory, names[v]);
          const char *host = vmm_candidate_get_host (c);
          guint64 sum;

          if (host == NULL)
            {
              g_assert_cmpuint (vmm_candidate_get_checks (c)->len, >, 0);
              continue;
            }
          placed++;
          g_assert_cmpstr (host, !=, "h0");
          if (vmm_vm_info_get_power_state (vm) != VMM_POWER_STATE_RUNNING)
            continue;
          sum = GPOINTER_TO_SIZE (g_hash_table_lookup (added, host))
                + vmm_vm_info_get_memory_mib (vm);
          g_hash_table_insert (added, (gpointer)host, GSIZE_TO_POINTER (sum));
        }
      {
        GHashTableIter iter;
        gpointer key, value;

        g_hash_table_iter_init (&iter, added);
        while (g_hash_table_iter_next (&iter, &key, &value))
          {
            VmmHostInfo *h = vmm_inventory_lookup_host (inventory, key);

            g_assert_cmpuint (vmm_host_info_get_memory_used_mib (h) + GPOINTER_TO_SIZE (value), <=,
                              vmm_host_info_get_memory_mib (h));
          }
      }
      g_assert_cmpuint (placed, >, 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (check_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/prechecks/code/%s", check_cases[i].code);
      g_test_add_data_func (path, &check_cases[i], test_check_case);
    }
  g_test_add_func ("/prechecks/code/vm-busy", test_check_busy);
  g_test_add_func ("/prechecks/code/host-draining", test_check_draining);
  g_test_add_func ("/prechecks/allowed-become-warnings", test_check_allowed_become_warnings);
  g_test_add_func ("/prechecks/storage-matrix", test_storage_matrix);
  g_test_add_func ("/prechecks/placement-explained", test_placement_explained);
  g_test_add_func ("/prechecks/unreachable-goes-cold", test_unreachable_goes_cold);
  g_test_add_func ("/prechecks/batch-never-overcommits", test_batch_never_overcommits);
  return g_test_run ();
}
