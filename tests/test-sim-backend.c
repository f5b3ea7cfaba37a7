/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-test-utils.h"

typedef struct
{
  const char *json;
  const char *part;
} BadInventory;

static const BadInventory bad[] = {
  { "[1, 2]", "root: must be an object" },
  { "{\"hosts\": [", "JSON" },
  { "{\"hostz\": []}", "unknown member 'hostz'" },
  { "{\"hosts\": {}}", "hosts: must be an array" },
  { "{\"hosts\": [{\"cpu-model\": \"x\"}]}", "hosts[0]: 'name' is missing" },
  { "{\"hosts\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}",
    "hosts[1]: a host named 'a' is listed twice" },
  { "{\"hosts\": [{\"name\": \"a\", \"state\": \"sleepy\"}]}", "hosts[0]: 'state' must be one of" },
  { "{\"hosts\": [{\"name\": \"a\", \"memory-mib\": -4}]}",
    "hosts[0]: 'memory-mib' must be a number >= 0" },
  { "{\"hosts\": [{\"name\": \"a\", \"networks\": [1]}]}",
    "hosts[0].networks[0]: must be a string" },
  { "{\"datastores\": [{\"name\": \"d\", \"hosts\": [\"nope\"]}]}",
    "datastores[0]: hosts: no host named 'nope'" },
  { "{\"hosts\": [{\"name\": \"a\"}], \"datastores\": [{\"name\": \"d\", \"hosts\": [\"a\"]}], "
    "\"vms\": [{\"name\": \"v\", \"host\": \"b\", \"datastore\": \"d\"}]}",
    "vms[0]: host: no host named 'b'" },
  { "{\"hosts\": [{\"name\": \"a\"}], \"datastores\": [{\"name\": \"d\", \"hosts\": [\"a\"]}], "
    "\"vms\": [{\"name\": \"v\", \"host\": \"a\", \"datastore\": \"d\", \"disks\": [{\"key\": "
    "\"k\"}, {\"key\": \"k\"}]}]}",
    "vms[0].disks[1]: disk key 'k' is used twice" },
  { "{\"hosts\": [{\"name\": \"a\"}], \"datastores\": [{\"name\": \"d\", \"hosts\": [\"a\"], "
    "\"capacity-gib\": 1}], "
    "\"vms\": [{\"name\": \"v\", \"host\": \"a\", \"datastore\": \"d\", \"disks\": [{\"key\": "
    "\"k\", \"capacity-gib\": 5}]}]}",
    "vms[0]: sim: datastore 'd' is full" },
  { "{\"faults\": [{\"step\": \"Teleport\"}]}",
    "faults[0]: step: 'Teleport' is not a workflow step" },
  { "{\"faults\": [{\"step\": \"InitiateSource\", \"error\": \"oops\"}]}",
    "faults[0]: error: 'oops'" },
};

static void
test_bad_inventory (gconstpointer data)
{
  const BadInventory *b = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = vmm_sim_backend_new_from_json (b->json, &error);

  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  if (strstr (error->message, b->part) == NULL)
    g_error ("'%s' does not contain '%s'", error->message, b->part);
}

static void
test_save_roundtrip (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec
      = vmm_test_spec ("{\"host\": \"h2\", \"datastore\": \"shared2\"}");
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "cold1", spec, NULL);
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *again = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr (VmmBackend) reloaded = NULL;
  g_autoptr (VmmBackend) opened = NULL;
  g_autoptr (VmmVmInfo) vm = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vmm-sim-XXXXXX", &error);

  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_no_error (error);
  json = vmm_sim_backend_to_json (sim);
  reloaded = vmm_sim_backend_new_from_json (json, &error);
  g_assert_no_error (error);
  again = vmm_sim_backend_to_json (VMM_SIM_BACKEND (reloaded));
  g_assert_cmpstr (json, ==, again);

  /* saved and opened by URI, the move is still there */
  path = g_build_filename (dir, "inv.json", NULL);
  g_assert_true (vmm_sim_backend_save (sim, path, &error));
  uri = g_strdup_printf ("sim://%s", path);
  opened = vmm_backend_open (uri, NULL, &error);
  g_assert_no_error (error);
  vm = vmm_backend_get_vm (opened, "cold1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_vm_info_get_host (vm), ==, "h2");
  g_assert_cmpstr (vmm_vm_info_get_datastore (vm), ==, "shared2");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_open_missing_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend
      = vmm_backend_open ("sim:///nonexistent/inventory.json", NULL, &error);

  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND);
}

static void
test_default_inventory (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = vmm_backend_open ("sim://", NULL, &error);
  g_autoptr (GPtrArray) hosts = NULL;
  g_autoptr (GPtrArray) datastores = NULL;
  g_auto (GStrv) networks = NULL;
  g_auto (GStrv) leftovers = NULL;

  g_assert_no_error (error);
  hosts = vmm_backend_list_hosts (backend, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hosts->len, ==, 4);
  datastores = vmm_backend_list_datastores (backend, NULL, &error);
  g_assert_cmpuint (datastores->len, ==, 5);
  networks = vmm_backend_list_networks (backend, NULL, &error);
  g_assert_true (g_strv_contains ((const char *const *)networks, "prod-net"));
  /* memory in use follows the running VMs */
  g_assert_cmpuint (vmm_host_info_get_memory_used_mib (g_ptr_array_index (hosts, 0)), ==,
                    4096 + 16384 + 2048);
  leftovers = vmm_sim_backend_list_leftovers (VMM_SIM_BACKEND (backend));
  g_assert_cmpuint (g_strv_length (leftovers), ==, 0);
}

static void
test_free_space_follows_files (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"datastore\": \"shared2\"}");
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, NULL);
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) before = vmm_backend_list_datastores (VMM_BACKEND (sim), NULL, NULL);
  guint64 free1 = vmm_datastore_info_get_free (g_ptr_array_index (before, 0));
  guint64 free2 = vmm_datastore_info_get_free (g_ptr_array_index (before, 1));

  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_no_error (error);
  /* 30 GiB of disks, a 0.1 GiB snapshot and the 4 KiB configuration moved from shared1 to shared2
   */
  g_assert_cmpuint (vmm_datastore_info_get_free (g_ptr_array_index (before, 0)) - free1, ==,
                    free2 - vmm_datastore_info_get_free (g_ptr_array_index (before, 1)));
  g_assert_cmpuint (free2 - vmm_datastore_info_get_free (g_ptr_array_index (before, 1)), >,
                    30ULL << 30);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sim/bad-inventory/%02u", i);
      g_test_add_data_func (path, &bad[i], test_bad_inventory);
    }
  g_test_add_func ("/sim/save-roundtrip", test_save_roundtrip);
  g_test_add_func ("/sim/open-missing-file", test_open_missing_file);
  g_test_add_func ("/sim/default-inventory", test_default_inventory);
  g_test_add_func ("/sim/free-space-follows-files", test_free_space_follows_files);
  return g_test_run ();
}
