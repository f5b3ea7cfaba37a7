/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-test-utils.h"

/* e1..e4 share storage; e1 alone has the CPU feature "rare" and an ISO store. */
static VmmSimBackend *
make_cluster (const char *vms_json, guint latency_ms)
{
  g_autofree char *json = g_strdup_printf (
      "{\"settings\": {\"step-latency-ms\": %u},"
      " \"hosts\": ["
      "  {\"name\": \"e1\", \"zone\": \"z\", \"memory-mib\": 65536, \"vcpus\": 64, "
      "\"cpu-features\": [\"x\", \"rare\"]},"
      "  {\"name\": \"e2\", \"zone\": \"z\", \"memory-mib\": 65536, \"vcpus\": 64, "
      "\"cpu-features\": [\"x\"]},"
      "  {\"name\": \"e3\", \"zone\": \"z\", \"memory-mib\": 65536, \"vcpus\": 64, "
      "\"cpu-features\": [\"x\"]},"
      "  {\"name\": \"e4\", \"zone\": \"z\", \"memory-mib\": 65536, \"vcpus\": 64, "
      "\"cpu-features\": [\"x\"]}],"
      " \"datastores\": ["
      "  {\"name\": \"ds\", \"shared\": true, \"hosts\": [\"e1\", \"e2\", \"e3\", \"e4\"]},"
      "  {\"name\": \"iso-e1\", \"hosts\": [\"e1\"]}],"
      " \"vms\": [%s]}",
      latency_ms, vms_json);
  g_autoptr (GError) error = NULL;
  VmmBackend *backend = vmm_sim_backend_new_from_json (json, &error);

  g_assert_no_error (error);
  return VMM_SIM_BACKEND (backend);
}

#define VM(name, host, power, extra)                                                               \
  "{\"name\": \"" name "\", \"host\": \"" host "\", \"datastore\": \"ds\", \"power\": \"" power    \
  "\", \"memory-mib\": 1024, \"disks\": [{\"key\": \"d0\", \"capacity-gib\": 1}]" extra "}"

typedef struct
{
  guint running;
  guint max_running;
  GPtrArray *destinations;
} Observer;

static void
on_state (VmmMigration *m, VmmMigrationState old, VmmMigrationState state, Observer *o)
{
  if (state == VMM_MIGRATION_STATE_RUNNING)
    {
      o->running++;
      o->max_running = MAX (o->max_running, o->running);
    }
  else if (old == VMM_MIGRATION_STATE_RUNNING)
    o->running--;
}

static void
on_migration_created (VmmEngine *engine, VmmMigration *m, Observer *o)
{
  g_signal_connect (m, "state-changed", G_CALLBACK (on_state), o);
  g_ptr_array_add (o->destinations,
                   g_strdup (vmm_relocate_spec_get_host (vmm_migration_get_spec (m))));
}

static void
on_progress (VmmEngine *engine, const char *host, guint done, guint total, guint *count)
{
  g_assert_cmpstr (host, ==, "e1");
  g_assert_cmpuint (done, <=, total);
  (*count)++;
}

static GPtrArray *
evacuate (VmmEngine *engine, VmmSimBackend *sim, const char *host, VmmEvacuateFlags flags,
          gboolean *empty)
{
  VmmTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  GPtrArray *entries;

  vmm_engine_evacuate_async (engine, VMM_BACKEND (sim), host, NULL, flags, NULL, vmm_test_wait_cb,
                             &wait);
  entries = vmm_engine_evacuate_finish (engine, vmm_test_wait (&wait), empty, &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  return entries;
}

static VmmEvacuationEntry *
entry_for (GPtrArray *entries, const char *vm)
{
  for (guint i = 0; i < entries->len; i++)
    if (g_strcmp0 (vmm_evacuation_entry_get_vm_name (g_ptr_array_index (entries, i)), vm) == 0)
      return g_ptr_array_index (entries, i);
  g_error ("no entry for %s", vm);
  return NULL;
}

static void
test_evacuate_mixed (void)
{
  g_autoptr (VmmSimBackend) sim = make_cluster (
      VM ("r1", "e1", "running", "") "," VM ("r2", "e1", "running", "") "," VM (
          "r3", "e1", "running",
          "") "," VM ("r4", "e1", "running",
                      "") "," VM ("o1", "e1", "off",
                                  "") "," VM ("o2", "e1", "off",
                                              "") "," VM ("cpu1", "e1", "running",
                                                          ", \"cpu-features\": "
                                                          "[\"rare\"]") "," VM ("iso1", "e1",
                                                                                "runnin"
                                                                                "g",
                                                                                ", "
                                                                                "\"devic"
                                                                                "es\": "
                                                                                "[{"
                                                                                "\"key\""
                                                                                ": "
                                                                                "\"cdrom"
                                                                                "-0\", "
                                                                                "\"kind"
                                                                                "\": "
                                                                                "\"cdrom"
                                                                                "\", "
                                                                                "\"datas"
                                                                                "tore\":"
                                                                                " \"iso-"
                                                                                "e1\", "
                                                                                "\"path"
                                                                                "\": "
                                                                                "\"a."
                                                                                "iso\"}"
                                                                                "]"),
      10);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GPtrArray) entries = NULL;
  Observer o = { 0, 0, g_ptr_array_new_with_free_func (g_free) };
  guint progress = 0;
  gboolean empty = TRUE;
  VmmEvacuationEntry *e;
  g_autoptr (GPtrArray) hosts = NULL;

  g_signal_connect (engine, "migration-created", G_CALLBACK (on_migration_created), &o);
  g_signal_connect (engine, "evacuation-progress", G_CALLBACK (on_progress), &progress);
  entries = evacuate (engine, sim, "e1", VMM_EVACUATE_FLAGS_DISABLE_HOST, &empty);

  g_assert_cmpuint (entries->len, ==, 8);
  for (guint i = 0; i < entries->len; i++)
    {
      VmmEvacuationEntry *entry = g_ptr_array_index (entries, i);

      g_test_message ("%s: %d %s %s", vmm_evacuation_entry_get_vm_name (entry),
                      vmm_evacuation_entry_get_outcome (entry),
                      vmm_evacuation_entry_get_host (entry),
                      vmm_evacuation_entry_get_message (entry));
    }
  /* running VMs moved hot, powered-off ones cold, never back onto e1 */
  for (guint i = 0; i < 6; i++)
    {
      const char *names[] = { "r1", "r2", "r3", "r4", "o1", "o2" };

      e = entry_for (entries, names[i]);
      g_assert_cmpint (vmm_evacuation_entry_get_outcome (e), ==, VMM_EVACUATION_MOVED);
      g_assert_cmpstr (vmm_evacuation_entry_get_host (e), !=, "e1");
      vmm_test_assert_one_place (sim, names[i], vmm_evacuation_entry_get_host (e));
    }
  g_assert_cmpint (vmm_migration_result_get_migration_type (
                       vmm_evacuation_entry_get_result (entry_for (entries, "o1"))),
                   ==, VMM_MIGRATION_TYPE_COLD);
  g_assert_cmpint (vmm_migration_result_get_migration_type (
                       vmm_evacuation_entry_get_result (entry_for (entries, "r1"))),
                   ==, VMM_MIGRATION_TYPE_HOT_HOST);
  /* the CPU-incompatible and the ISO-on-local-storage VMs are skipped with the reason */
  e = entry_for (entries, "cpu1");
  g_assert_cmpint (vmm_evacuation_entry_get_outcome (e), ==, VMM_EVACUATION_SKIPPED);
  g_assert_nonnull (strstr (vmm_evacuation_entry_get_message (e), "missing features: rare"));
  e = entry_for (entries, "iso1");
  g_assert_cmpint (vmm_evacuation_entry_get_outcome (e), ==, VMM_EVACUATION_SKIPPED);
  g_assert_nonnull (strstr (vmm_evacuation_entry_get_message (e), "[iso-e1] a.iso"));
  g_assert_cmpuint (progress, ==, 8);
  /* not empty: two VMs are still there, and the report says so */
  g_assert_false (empty);
  /* per-source-host limit: at most 2 moves out of e1 at a time, and it was reached */
  g_assert_cmpuint (o.max_running, ==, 2);
  for (guint i = 0; i < o.destinations->len; i++)
    g_assert_cmpstr (g_ptr_array_index (o.destinations, i), !=, "e1");
  /* the host was disabled first and stays disabled (no re-enable asked) */
  hosts = vmm_backend_list_hosts (VMM_BACKEND (sim), NULL, NULL);
  g_assert_cmpint (vmm_host_info_get_state (g_ptr_array_index (hosts, 0)), ==,
                   VMM_HOST_STATE_DISABLED);
  g_ptr_array_unref (o.destinations);
}

static void
test_evacuate_two_hosts_at_once (void)
{
  g_autoptr (VmmSimBackend) sim = make_cluster (
      VM ("a1", "e1", "running", "") "," VM ("a2", "e1", "running", "") "," VM (
          "a3", "e1", "running", "") "," VM ("b1", "e2", "running",
                                             "") "," VM ("b2", "e2", "running",
                                                         "") "," VM ("b3", "e2", "running", ""),
      5);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  VmmTestWait w1 = { NULL }, w2 = { NULL };
  g_autoptr (GPtrArray) e1 = NULL;
  g_autoptr (GPtrArray) e2 = NULL;
  gboolean empty1 = FALSE, empty2 = FALSE;

  /* two drains at once never bounce VMs between the two hosts */
  vmm_engine_evacuate_async (engine, VMM_BACKEND (sim), "e1", NULL, VMM_EVACUATE_FLAGS_NONE, NULL,
                             vmm_test_wait_cb, &w1);
  vmm_engine_evacuate_async (engine, VMM_BACKEND (sim), "e2", NULL, VMM_EVACUATE_FLAGS_NONE, NULL,
                             vmm_test_wait_cb, &w2);
  e1 = vmm_engine_evacuate_finish (engine, vmm_test_wait (&w1), &empty1, NULL);
  e2 = vmm_engine_evacuate_finish (engine, vmm_test_wait (&w2), &empty2, NULL);
  g_assert_true (empty1);
  g_assert_true (empty2);
  for (guint i = 0; i < e1->len + e2->len; i++)
    {
      VmmEvacuationEntry *e
          = i < e1->len ? g_ptr_array_index (e1, i) : g_ptr_array_index (e2, i - e1->len);

      g_assert_cmpint (vmm_evacuation_entry_get_outcome (e), ==, VMM_EVACUATION_MOVED);
      g_assert_true (g_strcmp0 (vmm_evacuation_entry_get_host (e), "e3") == 0
                     || g_strcmp0 (vmm_evacuation_entry_get_host (e), "e4") == 0);
    }
  g_object_unref (w1.result);
  g_object_unref (w2.result);
}

static void
note_prepare_source (VmmMigration *m, VmmAction *action, gboolean *started)
{
  if (g_strcmp0 (vmm_action_get_name (action), "PrepareSource") == 0)
    *started = TRUE;
}

static void
test_evacuate_catches_arrivals (void)
{
  g_autoptr (VmmSimBackend) sim
      = make_cluster (VM ("r1", "e1", "running", "") "," VM ("x", "e2", "running", ""), 30);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"host\": \"e1\"}");
  g_autoptr (VmmMigration) inbound
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "x", spec, NULL);
  VmmTestWait inbound_wait = { NULL };
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  gboolean empty = FALSE;
  gboolean started = FALSE;

  /* a move towards e1 is already in flight (past its checks) when the drain starts */
  g_signal_connect (inbound, "action-started", G_CALLBACK (note_prepare_source), &started);
  vmm_migration_run_async (inbound, NULL, vmm_test_wait_cb, &inbound_wait);
  while (!started)
    g_main_context_iteration (NULL, TRUE);
  entries = evacuate (engine, sim, "e1",
                      VMM_EVACUATE_FLAGS_DISABLE_HOST | VMM_EVACUATE_FLAGS_REENABLE_HOST, &empty);
  {
    g_autoptr (GError) error = NULL;

    result = vmm_migration_run_finish (inbound, vmm_test_wait (&inbound_wait), &error);
    g_assert_no_error (error);
  }
  g_object_unref (inbound_wait.result);
  g_assert_nonnull (result);
  /* it landed on e1, and the evacuation took it away again: e1 is empty */
  g_assert_true (empty);
  g_assert_cmpint (vmm_evacuation_entry_get_outcome (entry_for (entries, "x")), ==,
                   VMM_EVACUATION_MOVED);
  g_assert_cmpint (vmm_evacuation_entry_get_outcome (entry_for (entries, "r1")), ==,
                   VMM_EVACUATION_MOVED);
  g_assert_cmpstr (vmm_evacuation_entry_get_host (entry_for (entries, "x")), !=, "e1");
  {
    g_autoptr (GPtrArray) hosts = vmm_backend_list_hosts (VMM_BACKEND (sim), NULL, NULL);
    /* re-enabled at the end, as asked */
    g_assert_cmpint (vmm_host_info_get_state (g_ptr_array_index (hosts, 0)), ==,
                     VMM_HOST_STATE_CONNECTED);
  }
}

/* With fallback-cold in the template, running VMs no host takes live (a CPU
 * feature only the drained host has; an ISO on its local store) are stopped,
 * moved cold and started, after the live moves; the others still move live. */
static void
test_evacuate_cold_fallback (void)
{
  static const char *const vms[]
      = { VM ("r1", "e1", "running", ""),
          VM ("cpu1", "e1", "running", ", \"cpu-features\": [\"rare\"]"),
          VM ("iso1", "e1", "running",
              ", \"devices\": [{\"key\": \"cdrom-0\", \"kind\": \"cdrom\", "
              "\"datastore\": \"iso-e1\", \"path\": \"a.iso\"}]"),
          VM ("big", "e1", "running", ", \"vcpus\": 1000"), NULL };
  g_autofree char *list = g_strjoinv (",", (char **)vms);
  g_autoptr (VmmSimBackend) sim = make_cluster (list, 0);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) template = vmm_test_spec ("{\"fallback-cold\": true}");
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inventory = NULL;
  VmmTestWait wait = { NULL };
  gboolean empty = TRUE;
  VmmEvacuationEntry *e;

  vmm_engine_evacuate_async (engine, VMM_BACKEND (sim), "e1", template, VMM_EVACUATE_FLAGS_NONE,
                             NULL, vmm_test_wait_cb, &wait);
  entries = vmm_engine_evacuate_finish (engine, vmm_test_wait (&wait), &empty, &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 4);
  inventory = vmm_backend_query_inventory (VMM_BACKEND (sim), NULL, &error);
  g_assert_no_error (error);

  e = entry_for (entries, "r1");
  g_assert_cmpint (vmm_evacuation_entry_get_outcome (e), ==, VMM_EVACUATION_MOVED);
  g_assert_cmpint (vmm_migration_result_get_migration_type (vmm_evacuation_entry_get_result (e)),
                   ==, VMM_MIGRATION_TYPE_HOT_HOST);
  for (guint i = 0; i < 2; i++)
    {
      const char *name = i == 0 ? "cpu1" : "iso1";
      VmmVmInfo *vm = vmm_inventory_lookup_vm (inventory, name);

      e = entry_for (entries, name);
      g_assert_cmpint (vmm_evacuation_entry_get_outcome (e), ==, VMM_EVACUATION_MOVED);
      g_assert_cmpint (
          vmm_migration_result_get_migration_type (vmm_evacuation_entry_get_result (e)), ==,
          VMM_MIGRATION_TYPE_COLD);
      g_assert_cmpstr (vmm_vm_info_get_host (vm), !=, "e1");
      g_assert_cmpint (vmm_vm_info_get_power_state (vm), ==, VMM_POWER_STATE_RUNNING);
      vmm_test_assert_one_place (sim, name, vmm_vm_info_get_host (vm));
    }
  /* nothing takes it either way: skipped, with the reason for each way */
  e = entry_for (entries, "big");
  g_assert_cmpint (vmm_evacuation_entry_get_outcome (e), ==, VMM_EVACUATION_SKIPPED);
  g_test_message ("%s", vmm_evacuation_entry_get_message (e));
  g_assert_true (g_str_has_prefix (vmm_evacuation_entry_get_message (e), "live: "));
  g_assert_nonnull (strstr (vmm_evacuation_entry_get_message (e), "; cold: "));
  g_assert_cmpint (vmm_vm_info_get_power_state (vmm_inventory_lookup_vm (inventory, "big")), ==,
                   VMM_POWER_STATE_RUNNING);
  g_assert_false (empty);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/evacuation/mixed", test_evacuate_mixed);
  g_test_add_func ("/evacuation/two-hosts-at-once", test_evacuate_two_hosts_at_once);
  g_test_add_func ("/evacuation/catches-arrivals", test_evacuate_catches_arrivals);
  g_test_add_func ("/evacuation/cold-fallback", test_evacuate_cold_fallback);
  return g_test_run ();
}
