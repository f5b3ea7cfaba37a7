/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gstdio.h>
#include <vmmigrate.h>

#include "vmm-test-utils.h"

/* Bad input to the public API: every function given NULL, empty or
 * oversized arguments either sets a GError or emits a g_return_if_fail()
 * critical (expected here, so fatal-criticals does not abort), and never
 * crashes. */

#define VMM_EXPECT_CRITICAL(stmt)                                                                  \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_test_expect_message ("Vmm", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");                     \
    stmt;                                                                                          \
    g_test_assert_expected_messages ();                                                            \
  }                                                                                                \
  G_STMT_END

/* Sizes of the oversized arguments. */
#define LONG_NAME_BYTES (1024 * 1024)
#define BIG_JSON_BYTES (10 * 1024 * 1024)

static char *
long_string (gsize len, char c)
{
  char *s = g_malloc (len + 1);

  memset (s, c, len);
  s[len] = '\0';
  return s;
}

/* --- every method with a NULL instance (generated from the public headers) --- */

static void
test_null_self_action (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_action_get_name (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_action_get_performer (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_action_get_transfers_data (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_action_get_point_of_no_return (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_action_has_undo (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_action_get_description (NULL));
  VMM_EXPECT_CRITICAL (vmm_action_run_async (NULL, NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_action_run_finish (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_action_undo_async (NULL, NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_action_undo_finish (NULL, NULL, NULL));
}

static void
test_null_self_backend (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_backend_get_uri (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_get_capabilities (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_get_step_mode (NULL, 0));
  VMM_EXPECT_CRITICAL (vmm_backend_query_inventory_async (NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_query_inventory_finish (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_query_inventory (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_backend_list_hosts_async (NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_list_hosts_finish (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_list_hosts (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_backend_list_datastores_async (NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_list_datastores_finish (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_list_datastores (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_backend_list_networks_async (NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_list_networks_finish (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_list_networks (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_backend_list_vms_async (NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_list_vms_finish (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_list_vms (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_backend_get_vm_async (NULL, "x", NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_get_vm_finish (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_get_vm (NULL, "x", NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_backend_run_step_async (NULL, 0, NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_backend_undo_step_async (NULL, 0, NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_step_finish (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_abort (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_backend_cleanup_async (NULL, NULL, 0, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_backend_set_host_enabled_async (NULL, "x", 0, "x", NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_set_host_enabled_finish (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_backend_cleanup_finish (NULL, NULL, NULL));
}

static void
test_null_self_candidate (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_candidate_get_suitable (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_candidate_get_requires_storage_motion (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_candidate_get_score (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_candidate_get_checks (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_candidate_to_string (NULL));
}

static void
test_null_self_check (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_check_get_code (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_check_get_severity (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_check_get_error_code (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_check_get_subject (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_check_get_message (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_check_get_remedy (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_check_to_string (NULL));
}

static void
test_null_self_datastore_info (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_datastore_info_get_name (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_datastore_info_get_shared (NULL));
  VMM_EXPECT_CRITICAL (vmm_datastore_info_set_shared (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_datastore_info_get_online (NULL));
  VMM_EXPECT_CRITICAL (vmm_datastore_info_set_online (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_datastore_info_get_capacity (NULL));
  VMM_EXPECT_CRITICAL (vmm_datastore_info_set_capacity (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_datastore_info_get_free (NULL));
  VMM_EXPECT_CRITICAL (vmm_datastore_info_set_free (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_datastore_info_get_path (NULL));
  VMM_EXPECT_CRITICAL (vmm_datastore_info_set_path (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_datastore_info_get_hosts (NULL));
  VMM_EXPECT_CRITICAL (vmm_datastore_info_set_hosts (NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_datastore_info_is_mounted_on (NULL, "x"));
}

static void
test_null_self_device_info (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_device_info_get_key (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_device_info_get_kind (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_device_info_get_backing_datastore (NULL));
  VMM_EXPECT_CRITICAL (vmm_device_info_set_backing_datastore (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_device_info_get_backing_path (NULL));
  VMM_EXPECT_CRITICAL (vmm_device_info_set_backing_path (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_device_info_get_network (NULL));
  VMM_EXPECT_CRITICAL (vmm_device_info_set_network (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_device_info_get_connected (NULL));
  VMM_EXPECT_CRITICAL (vmm_device_info_set_connected (NULL, 0));
}

static void
test_null_self_disk_info (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_disk_info_copy (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_disk_info_get_key (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_disk_info_get_datastore (NULL));
  VMM_EXPECT_CRITICAL (vmm_disk_info_set_datastore (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_disk_info_get_path (NULL));
  VMM_EXPECT_CRITICAL (vmm_disk_info_set_path (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_disk_info_get_capacity (NULL));
  VMM_EXPECT_CRITICAL (vmm_disk_info_set_capacity (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_disk_info_get_allocation (NULL));
  VMM_EXPECT_CRITICAL (vmm_disk_info_set_allocation (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_disk_info_get_format (NULL));
  VMM_EXPECT_CRITICAL (vmm_disk_info_set_format (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_disk_info_get_snapshots (NULL));
  VMM_EXPECT_CRITICAL (vmm_disk_info_set_snapshots (NULL, 0));
}

static void
test_null_self_disk_locator (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_disk_locator_get_key (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_disk_locator_get_datastore (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_disk_locator_get_move_type (NULL));
  VMM_EXPECT_CRITICAL (vmm_disk_locator_set_move_type (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_disk_locator_get_transform (NULL));
  VMM_EXPECT_CRITICAL (vmm_disk_locator_set_transform (NULL, 0));
}

static void
test_null_self_engine (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_engine_create_migration (NULL, NULL, "x", NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_engine_create_migration_with_type (NULL, VMM_TYPE_MIGRATION, NULL,
                                                                    "x", NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_engine_get_max_per_source_host (NULL));
  VMM_EXPECT_CRITICAL (vmm_engine_set_max_per_source_host (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_engine_get_max_per_destination_host (NULL));
  VMM_EXPECT_CRITICAL (vmm_engine_set_max_per_destination_host (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_engine_get_max_per_datastore (NULL));
  VMM_EXPECT_CRITICAL (vmm_engine_set_max_per_datastore (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_engine_get_max_global (NULL));
  VMM_EXPECT_CRITICAL (vmm_engine_set_max_global (NULL, 0));
  VMM_EXPECT_CRITICAL (vmm_engine_find_candidates_async (NULL, NULL, "x", NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_engine_find_candidates_finish (NULL, NULL, NULL));
  /* not the blocking vmm_engine_find_candidates(): it has no argument
   * checks of its own and waits forever for the refused async call */
  VMM_EXPECT_CRITICAL ((void)vmm_engine_place_batch (NULL, NULL, NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_engine_evacuate_async (NULL, NULL, "x", NULL, 0, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_engine_evacuate_finish (NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_engine_get_progress_timeout_s (NULL));
  VMM_EXPECT_CRITICAL (vmm_engine_set_progress_timeout_s (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_engine_get_n_running (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_engine_get_n_queued (NULL));
}

static void
test_null_self_evacuation_entry (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_evacuation_entry_get_outcome (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_evacuation_entry_get_host (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_evacuation_entry_get_message (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_evacuation_entry_get_result (NULL));
}

static void
test_null_self_host_info (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_name (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_manager (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_manager (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_datacenter (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_datacenter (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_cluster (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_cluster (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_zone (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_zone (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_state (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_state (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_cpu_model (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_cpu_model (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_cpu_features (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_cpu_features (NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_has_cpu_feature (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_memory_mib (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_memory_mib (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_memory_used_mib (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_memory_used_mib (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_vcpus (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_vcpus (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_vcpus_used (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_vcpus_used (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_cpu_overcommit (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_cpu_overcommit (NULL, 1.0));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_networks (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_networks (NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_has_network (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_datastores (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_datastores (NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_has_datastore (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_pools (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_pools (NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_has_pool (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_default_pool (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_default_pool (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_host_info_get_metadata (NULL));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_metadata (NULL, NULL));
}

static void
test_null_self_inventory (void)
{
  VMM_EXPECT_CRITICAL (vmm_inventory_add_host (NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_inventory_add_datastore (NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_inventory_add_vm (NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_inventory_remove_vm (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_inventory_get_hosts (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_inventory_get_datastores (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_inventory_get_vms (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_inventory_get_networks (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_inventory_lookup_host (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_inventory_lookup_datastore (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_inventory_lookup_vm (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_inventory_get_vms_on_host (NULL, "x"));
}

static void
test_null_self_migration_context (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_backend (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_vm_name (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_vm (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_inventory (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_is_dry_run (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_source_host (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_source_pool (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_source_datastore (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_destination_host (NULL));
  VMM_EXPECT_CRITICAL (vmm_migration_context_set_destination_host (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_destination_pool (NULL));
  VMM_EXPECT_CRITICAL (vmm_migration_context_set_destination_pool (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_destination_datastore (NULL));
  VMM_EXPECT_CRITICAL (vmm_migration_context_set_destination_datastore (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_destination_folder (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_migration_type (NULL));
  VMM_EXPECT_CRITICAL (vmm_migration_context_set_migration_type (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_changes_host (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_changes_primary_datastore (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_changes_disk_datastores (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_changes_pool (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_is_cross_manager (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_target_disks (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_lookup_target_disk (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_disk_moves (NULL, "x"));
  VMM_EXPECT_CRITICAL (vmm_migration_context_append_action (NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_migration_context_report_transfer (NULL, 0, 0));
  VMM_EXPECT_CRITICAL (vmm_migration_context_add_warning (NULL, "x"));
  VMM_EXPECT_CRITICAL (vmm_migration_context_set_downtime_ms (NULL, 0));
  VMM_EXPECT_CRITICAL (vmm_migration_context_veto (NULL, "x"));
  VMM_EXPECT_CRITICAL (vmm_migration_context_add_check (NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_checks (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_context_get_backend_data (NULL));
  VMM_EXPECT_CRITICAL (vmm_migration_context_set_backend_data (NULL, NULL, NULL));
}

static void
test_null_self_migration_result (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_get_migration_type (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_get_moved (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_get_host (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_get_resource_pool (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_get_datastore (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_get_disks (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_lookup_disk (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_get_actions (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_get_duration_ms (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_get_downtime_ms (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_get_bytes_moved (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_get_warnings (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_get_attempts (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_result_to_json (NULL));
}

static void
test_null_self_migration (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_migration_get_vm_name (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_get_backend (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_get_spec (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_get_state (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_get_fraction (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_get_current_action (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_get_result (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_get_plan (NULL));
  VMM_EXPECT_CRITICAL (vmm_migration_plan_async (NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_plan_finish (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_plan (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL (vmm_migration_run_async (NULL, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_run_finish (NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_migration_run_sync (NULL, NULL, NULL));
}

static void
test_null_self_plan (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_plan_get_actions (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_get_action_names (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_get_vm_name (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_get_source_host (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_get_destination_host (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_get_destination_pool (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_get_destination_datastore (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_get_target_disks (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_get_warnings (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_get_checks (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_get_candidates (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_is_feasible (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_get_estimated_duration_ms (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_get_estimated_downtime_ms (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_to_string (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_plan_to_json (NULL));
}

static void
test_null_self_relocate_spec (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_to_json (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_validate (NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_copy (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_is_empty (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_host (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_host (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_resource_pool (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_resource_pool (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_datastore (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_datastore (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_folder (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_folder (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_service_locator (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_service_locator (NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_disks (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_add_disk (NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_lookup_disk (NULL, "x"));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_add_network_map (NULL, "x", "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_map_network (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_network_map (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_priority (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_priority (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_migration_type (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_migration_type (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_max_downtime_ms (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_max_downtime_ms (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_bandwidth_mibps (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_bandwidth_mibps (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_completion_timeout_s (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_completion_timeout_s (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_on_timeout (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_on_timeout (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_auto_converge (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_auto_converge (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_post_copy (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_post_copy (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_compression (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_compression (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_parallel_connections (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_parallel_connections (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_allow_storage_class_change (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_allow_storage_class_change (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_allow_zone_change (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_allow_zone_change (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_detach_unreachable_devices (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_detach_unreachable_devices (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_fallback_other_host (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_fallback_other_host (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_relocate_spec_get_fallback_cold (NULL));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_fallback_cold (NULL, 0));
}

static void
test_null_self_service_locator (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_service_locator_get_url (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_service_locator_get_credential (NULL));
  VMM_EXPECT_CRITICAL (vmm_service_locator_set_credential (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_service_locator_get_ssl_thumbprint (NULL));
  VMM_EXPECT_CRITICAL (vmm_service_locator_set_ssl_thumbprint (NULL, "x"));
}

static void
test_null_self_sim_backend (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_sim_backend_to_json (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_sim_backend_save (NULL, "x", NULL));
  VMM_EXPECT_CRITICAL (vmm_sim_backend_set_timing (NULL, 0, 0));
  VMM_EXPECT_CRITICAL (vmm_sim_backend_inject_fault (NULL, "x", 0, 0, 0, 0));
  VMM_EXPECT_CRITICAL (vmm_sim_backend_clear_faults (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_sim_backend_locate_vm (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_sim_backend_list_leftovers (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_sim_backend_set_datastore_online (NULL, "x", 0));
  VMM_EXPECT_CRITICAL ((void)vmm_sim_backend_get_step_count (NULL));
}

static void
test_null_self_vm_info (void)
{
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_copy (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_name (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_id (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_set_id (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_host (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_set_host (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_resource_pool (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_set_resource_pool (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_datastore (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_set_datastore (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_folder (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_set_folder (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_power_state (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_set_power_state (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_memory_mib (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_set_memory_mib (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_vcpus (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_set_vcpus (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_cpu_features (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_set_cpu_features (NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_migrating (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_set_migrating (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_disks (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_add_disk (NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_lookup_disk (NULL, "x"));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_devices (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_add_device (NULL, NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_dirty_rate (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_set_dirty_rate (NULL, 0));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_storage_size (NULL));
  VMM_EXPECT_CRITICAL ((void)vmm_vm_info_get_required_metadata (NULL));
  VMM_EXPECT_CRITICAL (vmm_vm_info_set_required_metadata (NULL, NULL));
}

/* --- oversized values through every setter of the fact classes and the
 * spec (generated from the public headers): kept whole --- */

#define N_MANY 20000

static GStrv
many_strings (void)
{
  GStrv strv = g_new0 (char *, N_MANY + 1);

  for (guint i = 0; i < N_MANY; i++)
    strv[i] = g_strdup_printf ("item-%06u", i);
  return strv;
}

static void
test_oversized_host_info (void)
{
  g_autoptr (VmmHostInfo) obj = vmm_host_info_new ("h");
  g_autofree char *big = long_string (LONG_NAME_BYTES, 'o');
  g_auto (GStrv) many = many_strings ();

  vmm_host_info_set_cluster (obj, big);
  g_assert_cmpstr (vmm_host_info_get_cluster (obj), ==, big);
  vmm_host_info_set_cpu_features (obj, (const char *const *)many);
  g_assert_cmpuint (g_strv_length ((char **)vmm_host_info_get_cpu_features (obj)), ==, N_MANY);
  vmm_host_info_set_cpu_model (obj, big);
  g_assert_cmpstr (vmm_host_info_get_cpu_model (obj), ==, big);
  vmm_host_info_set_datacenter (obj, big);
  g_assert_cmpstr (vmm_host_info_get_datacenter (obj), ==, big);
  vmm_host_info_set_datastores (obj, (const char *const *)many);
  g_assert_cmpuint (g_strv_length ((char **)vmm_host_info_get_datastores (obj)), ==, N_MANY);
  vmm_host_info_set_default_pool (obj, big);
  g_assert_cmpstr (vmm_host_info_get_default_pool (obj), ==, big);
  vmm_host_info_set_manager (obj, big);
  g_assert_cmpstr (vmm_host_info_get_manager (obj), ==, big);
  vmm_host_info_set_memory_mib (obj, G_MAXUINT64);
  g_assert_cmpuint (vmm_host_info_get_memory_mib (obj), ==, G_MAXUINT64);
  vmm_host_info_set_memory_used_mib (obj, G_MAXUINT64);
  g_assert_cmpuint (vmm_host_info_get_memory_used_mib (obj), ==, G_MAXUINT64);
  vmm_host_info_set_metadata (obj, (const char *const *)many);
  g_assert_cmpuint (g_strv_length ((char **)vmm_host_info_get_metadata (obj)), ==, N_MANY);
  vmm_host_info_set_networks (obj, (const char *const *)many);
  g_assert_cmpuint (g_strv_length ((char **)vmm_host_info_get_networks (obj)), ==, N_MANY);
  vmm_host_info_set_pools (obj, (const char *const *)many);
  g_assert_cmpuint (g_strv_length ((char **)vmm_host_info_get_pools (obj)), ==, N_MANY);
  vmm_host_info_set_zone (obj, big);
  g_assert_cmpstr (vmm_host_info_get_zone (obj), ==, big);
}

static void
test_oversized_vm_info (void)
{
  g_autoptr (VmmVmInfo) obj = vmm_vm_info_new ("v");
  g_autofree char *big = long_string (LONG_NAME_BYTES, 'o');
  g_auto (GStrv) many = many_strings ();

  vmm_vm_info_set_cpu_features (obj, (const char *const *)many);
  g_assert_cmpuint (g_strv_length ((char **)vmm_vm_info_get_cpu_features (obj)), ==, N_MANY);
  vmm_vm_info_set_datastore (obj, big);
  g_assert_cmpstr (vmm_vm_info_get_datastore (obj), ==, big);
  vmm_vm_info_set_dirty_rate (obj, G_MAXUINT64);
  g_assert_cmpuint (vmm_vm_info_get_dirty_rate (obj), ==, G_MAXUINT64);
  vmm_vm_info_set_folder (obj, big);
  g_assert_cmpstr (vmm_vm_info_get_folder (obj), ==, big);
  vmm_vm_info_set_host (obj, big);
  g_assert_cmpstr (vmm_vm_info_get_host (obj), ==, big);
  vmm_vm_info_set_id (obj, big);
  g_assert_cmpstr (vmm_vm_info_get_id (obj), ==, big);
  vmm_vm_info_set_memory_mib (obj, G_MAXUINT64);
  g_assert_cmpuint (vmm_vm_info_get_memory_mib (obj), ==, G_MAXUINT64);
  vmm_vm_info_set_required_metadata (obj, (const char *const *)many);
  g_assert_cmpuint (g_strv_length ((char **)vmm_vm_info_get_required_metadata (obj)), ==, N_MANY);
  vmm_vm_info_set_resource_pool (obj, big);
  g_assert_cmpstr (vmm_vm_info_get_resource_pool (obj), ==, big);
}

static void
test_oversized_datastore_info (void)
{
  g_autoptr (VmmDatastoreInfo) obj = vmm_datastore_info_new ("d");
  g_autofree char *big = long_string (LONG_NAME_BYTES, 'o');
  g_auto (GStrv) many = many_strings ();

  vmm_datastore_info_set_capacity (obj, G_MAXUINT64);
  g_assert_cmpuint (vmm_datastore_info_get_capacity (obj), ==, G_MAXUINT64);
  vmm_datastore_info_set_free (obj, G_MAXUINT64);
  g_assert_cmpuint (vmm_datastore_info_get_free (obj), ==, G_MAXUINT64);
  vmm_datastore_info_set_hosts (obj, (const char *const *)many);
  g_assert_cmpuint (g_strv_length ((char **)vmm_datastore_info_get_hosts (obj)), ==, N_MANY);
  vmm_datastore_info_set_path (obj, big);
  g_assert_cmpstr (vmm_datastore_info_get_path (obj), ==, big);
}

static void
test_oversized_disk_info (void)
{
  g_autoptr (VmmDiskInfo) obj = vmm_disk_info_new ("k", "d", "p");
  g_autofree char *big = long_string (LONG_NAME_BYTES, 'o');

  vmm_disk_info_set_allocation (obj, G_MAXUINT64);
  g_assert_cmpuint (vmm_disk_info_get_allocation (obj), ==, G_MAXUINT64);
  vmm_disk_info_set_capacity (obj, G_MAXUINT64);
  g_assert_cmpuint (vmm_disk_info_get_capacity (obj), ==, G_MAXUINT64);
  vmm_disk_info_set_datastore (obj, big);
  g_assert_cmpstr (vmm_disk_info_get_datastore (obj), ==, big);
  vmm_disk_info_set_format (obj, big);
  g_assert_cmpstr (vmm_disk_info_get_format (obj), ==, big);
  vmm_disk_info_set_path (obj, big);
  g_assert_cmpstr (vmm_disk_info_get_path (obj), ==, big);
}

static void
test_oversized_device_info (void)
{
  g_autoptr (VmmDeviceInfo) obj = vmm_device_info_new ("k", VMM_DEVICE_KIND_NIC);
  g_autofree char *big = long_string (LONG_NAME_BYTES, 'o');

  vmm_device_info_set_backing_datastore (obj, big);
  g_assert_cmpstr (vmm_device_info_get_backing_datastore (obj), ==, big);
  vmm_device_info_set_backing_path (obj, big);
  g_assert_cmpstr (vmm_device_info_get_backing_path (obj), ==, big);
  vmm_device_info_set_network (obj, big);
  g_assert_cmpstr (vmm_device_info_get_network (obj), ==, big);
}

static void
test_oversized_relocate_spec (void)
{
  g_autoptr (VmmRelocateSpec) obj = vmm_relocate_spec_new ();
  g_autofree char *big = long_string (LONG_NAME_BYTES, 'o');

  vmm_relocate_spec_set_datastore (obj, big);
  g_assert_cmpstr (vmm_relocate_spec_get_datastore (obj), ==, big);
  vmm_relocate_spec_set_folder (obj, big);
  g_assert_cmpstr (vmm_relocate_spec_get_folder (obj), ==, big);
  vmm_relocate_spec_set_host (obj, big);
  g_assert_cmpstr (vmm_relocate_spec_get_host (obj), ==, big);
  vmm_relocate_spec_set_resource_pool (obj, big);
  g_assert_cmpstr (vmm_relocate_spec_get_resource_pool (obj), ==, big);
}

/* --- constructors --- */

static void
test_constructors (void)
{
  g_autofree char *big = long_string (LONG_NAME_BYTES, 'n');
  g_autoptr (VmmHostInfo) host = NULL;
  g_autoptr (VmmVmInfo) vm = NULL;
  g_autoptr (VmmDatastoreInfo) ds = NULL;
  g_autoptr (VmmDiskInfo) disk = NULL;
  g_autoptr (VmmDeviceInfo) dev = NULL;
  g_autoptr (VmmDiskLocator) loc = NULL;
  g_autoptr (VmmServiceLocator) sl = NULL;
  g_autoptr (VmmInventory) inv = vmm_inventory_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();

  VMM_EXPECT_CRITICAL (g_assert_null (vmm_host_info_new (NULL)));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_vm_info_new (NULL)));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_datastore_info_new (NULL)));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_disk_info_new (NULL, "ds", "path")));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_device_info_new (NULL, VMM_DEVICE_KIND_NIC)));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_device_info_new ("nic-0", (VmmDeviceKind)99)));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_disk_locator_new (NULL, "ds")));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_disk_locator_new ("disk-0", NULL)));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_service_locator_new (NULL)));
  VMM_EXPECT_CRITICAL (g_assert_null (
      vmm_check_new (NULL, VMM_CHECK_SEVERITY_ERROR, VMM_ERROR_FAILED, "s", "m", "r")));

  /* oversized names are kept whole */
  host = vmm_host_info_new (big);
  vm = vmm_vm_info_new (big);
  ds = vmm_datastore_info_new (big);
  disk = vmm_disk_info_new (big, big, big);
  dev = vmm_device_info_new (big, VMM_DEVICE_KIND_OTHER);
  loc = vmm_disk_locator_new (big, big);
  sl = vmm_service_locator_new (big);
  g_assert_cmpstr (vmm_host_info_get_name (host), ==, big);
  g_assert_cmpstr (vmm_vm_info_get_name (vm), ==, big);
  g_assert_cmpstr (vmm_datastore_info_get_name (ds), ==, big);
  g_assert_cmpstr (vmm_disk_info_get_path (disk), ==, big);
  g_assert_cmpstr (vmm_device_info_get_key (dev), ==, big);
  g_assert_cmpstr (vmm_disk_locator_get_datastore (loc), ==, big);
  g_assert_cmpstr (vmm_service_locator_get_url (sl), ==, big);
  vmm_inventory_add_host (inv, host);
  vmm_inventory_add_vm (inv, vm);
  vmm_inventory_add_datastore (inv, ds);
  g_assert_true (vmm_inventory_lookup_host (inv, big) == host);
  g_assert_true (vmm_inventory_lookup_vm (inv, big) == vm);
  g_assert_true (vmm_inventory_lookup_datastore (inv, big) == ds);
  g_assert_null (vmm_inventory_lookup_vm (inv, ""));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_inventory_lookup_vm (inv, NULL)));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_inventory_lookup_host (inv, NULL)));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_inventory_lookup_datastore (inv, NULL)));
  VMM_EXPECT_CRITICAL (g_assert_false (vmm_inventory_remove_vm (inv, NULL)));
  VMM_EXPECT_CRITICAL (vmm_inventory_add_vm (inv, NULL));
  VMM_EXPECT_CRITICAL (vmm_inventory_add_host (inv, NULL));
  VMM_EXPECT_CRITICAL (vmm_inventory_add_datastore (inv, NULL));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_inventory_get_vms_on_host (inv, NULL)));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_state (host, (VmmHostState)42));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_cpu_overcommit (host, 0.0));
  VMM_EXPECT_CRITICAL (vmm_host_info_set_cpu_overcommit (host, -1.0));
  VMM_EXPECT_CRITICAL (g_assert_false (vmm_host_info_has_cpu_feature (host, NULL)));
  VMM_EXPECT_CRITICAL (vmm_vm_info_set_power_state (vm, (VmmPowerState)42));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_vm_info_lookup_disk (vm, NULL)));
  VMM_EXPECT_CRITICAL (g_assert_false (vmm_datastore_info_is_mounted_on (ds, NULL)));

  /* the engine's limits accept any value, 0 included */
  vmm_engine_set_max_global (engine, G_MAXUINT);
  g_assert_cmpuint (vmm_engine_get_max_global (engine), ==, G_MAXUINT);
  g_assert_true (vmm_relocate_spec_is_empty (spec));
}

/* --- the relocate spec --- */

static void
test_spec_setters (void)
{
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
  g_autofree char *big = long_string (LONG_NAME_BYTES, 'h');
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmRelocateSpec) copy = NULL;
  g_autoptr (VmmRelocateSpec) parsed = NULL;
  g_autofree char *json = NULL;

  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_priority (spec, (VmmPriority)99));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_migration_type (spec, (VmmMigrationPreference)99));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_set_on_timeout (spec, (VmmOnTimeoutAction)99));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_add_disk (spec, NULL));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_relocate_spec_lookup_disk (spec, NULL)));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_add_network_map (spec, NULL, "b"));
  VMM_EXPECT_CRITICAL (vmm_relocate_spec_add_network_map (spec, "a", NULL));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_relocate_spec_map_network (spec, NULL)));
  g_assert_true (vmm_relocate_spec_is_empty (spec));

  /* NULL unsets a name */
  vmm_relocate_spec_set_host (spec, "h1");
  vmm_relocate_spec_set_host (spec, NULL);
  g_assert_null (vmm_relocate_spec_get_host (spec));
  vmm_relocate_spec_set_service_locator (spec, NULL);
  g_assert_null (vmm_relocate_spec_get_service_locator (spec));

  /* empty names are refused by validate() with the path of the field */
  vmm_relocate_spec_set_host (spec, "");
  g_assert_false (vmm_relocate_spec_validate (spec, &error));
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_assert_true (g_str_has_prefix (error->message, "host: "));
  g_clear_error (&error);
  vmm_relocate_spec_set_host (spec, NULL);
  vmm_relocate_spec_add_network_map (spec, "", "");
  g_assert_false (vmm_relocate_spec_validate (spec, &error));
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_clear_error (&error);

  /* out-of-range tuning values are refused by validate() */
  spec = (g_object_unref (spec), vmm_relocate_spec_new ());
  vmm_relocate_spec_set_parallel_connections (spec, G_MAXUINT);
  g_assert_false (vmm_relocate_spec_validate (spec, &error));
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_assert_true (g_str_has_prefix (error->message, "parallel-connections: "));
  g_clear_error (&error);
  vmm_relocate_spec_set_parallel_connections (spec, 0);
  vmm_relocate_spec_set_max_downtime_ms (spec, G_MAXUINT);
  vmm_relocate_spec_set_bandwidth_mibps (spec, G_MAXUINT);
  vmm_relocate_spec_set_completion_timeout_s (spec, G_MAXUINT);
  g_assert_false (vmm_relocate_spec_validate (spec, &error));
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_clear_error (&error);

  /* oversized names survive copy and a JSON round trip */
  spec = (g_object_unref (spec), vmm_relocate_spec_new ());
  vmm_relocate_spec_set_host (spec, big);
  vmm_relocate_spec_set_datastore (spec, big);
  vmm_relocate_spec_add_network_map (spec, big, big);
  g_assert_true (vmm_relocate_spec_validate (spec, &error));
  g_assert_no_error (error);
  copy = vmm_relocate_spec_copy (spec);
  g_assert_cmpstr (vmm_relocate_spec_get_host (copy), ==, big);
  json = vmm_relocate_spec_to_json (spec);
  parsed = vmm_relocate_spec_new_from_json (json, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_relocate_spec_get_datastore (parsed), ==, big);
  g_assert_cmpstr (vmm_relocate_spec_map_network (parsed, big), ==, big);
}

static void
test_spec_json (void)
{
  const char *bad[] = {
    "",
    " ",
    "null",
    "[]",
    "42",
    "\"host\"",
    "{",
    "{\"host\": }",
    "{\"host\": null}",
    "{\"host\": 1}",
    "{\"host\": \"\"}",
    "{\"host\": [\"a\"]}",
    "{\"no-such-member\": 1}",
    "{\"disks\": {}}",
    "{\"disks\": [null]}",
    "{\"disks\": [{}]}",
    "{\"disks\": [{\"key\": \"d\"}]}",
    "{\"networks\": []}",
    "{\"networks\": {\"a\": 1}}",
    "{\"priority\": \"urgent\"}",
    "{\"max-downtime-ms\": -1}",
    "{\"max-downtime-ms\": 1e300}",
    "{\"max-downtime-ms\": 18446744073709551616}",
    "{\"parallel-connections\": 0.5}",
    "{\"auto-converge\": \"yes\"}",
    "{\"service-locator\": {\"url\": \"::\"}}",
    "{\"service-locator\": {\"url\": \"https://user:pw@vc/sdk\"}}",
    "{\"host\": \"a\", \"host\": \"b\", \"x\": 1}",
    "{\"host\": \"\\u0000\"}",
    "\xff\xfe{}",
    "{\"host\": \"a\"}{\"host\": \"b\"}",
    "{\"host\": \"a\"} [1]",
    "var spec = {\"host\": \"a\"};",
  };
  g_autoptr (GString) deep = g_string_new (NULL);
  g_autofree char *big_member = NULL;
  g_autofree char *big_json = NULL;

  VMM_EXPECT_CRITICAL (g_assert_null (vmm_relocate_spec_new_from_json (NULL, NULL)));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new_from_json (bad[i], &error);

      if (spec != NULL)
        g_error ("spec %u (%s) was accepted", i, bad[i]);
      g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
      g_assert_cmpstr (error->message, !=, "");
      /* a NULL error location is allowed too */
      g_assert_null (vmm_relocate_spec_new_from_json (bad[i], NULL));
    }

  /* deeply nested input */
  for (guint i = 0; i < 10000; i++)
    g_string_append (deep, "{\"host\":");
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new_from_json (deep->str, &error);

    g_assert_null (spec);
    g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  }

  /* an oversized document: one 10 MB member name */
  big_member = long_string (BIG_JSON_BYTES, 'm');
  big_json = g_strdup_printf ("{\"%s\": 1}", big_member);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new_from_json (big_json, &error);

    g_assert_null (spec);
    g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
    /* the message names the member, but does not copy 10 MB of it */
    g_assert_cmpuint (strlen (error->message), <, BIG_JSON_BYTES);
  }
}

/* --- backends --- */

static void
assert_open_fails (const char *uri, int code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = vmm_backend_open (uri, NULL, &error);

  if (backend != NULL)
    g_error ("backend URI '%.80s' was accepted", uri);
  g_assert_nonnull (error);
  if (error->domain != VMM_ERROR || (code >= 0 && error->code != code))
    g_error ("backend URI '%.80s': unexpected error %s:%d: %s", uri,
             g_quark_to_string (error->domain), error->code, error->message);
  g_assert_cmpstr (error->message, !=, "");
}

static void
test_backend_open (void)
{
  g_autofree char *tmpdir = g_dir_make_tmp ("vmm-robustness-XXXXXX", NULL);
  g_autofree char *binary = g_build_filename (tmpdir, "binary.json", NULL);
  g_autofree char *empty = g_build_filename (tmpdir, "empty.json", NULL);
  g_autofree char *dir_uri = g_strconcat ("sim://", tmpdir, NULL);
  g_autofree char *binary_uri = g_strconcat ("sim://", binary, NULL);
  g_autofree char *empty_uri = g_strconcat ("sim://", empty, NULL);
  g_autofree char *long_path = long_string (LONG_NAME_BYTES, 'p');
  g_autofree char *long_uri = g_strconcat ("sim:///", long_path, NULL);
  g_autofree char *long_scheme = g_strconcat (long_path, "://x", NULL);
  guint8 bytes[4096];
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < sizeof (bytes); i++)
    bytes[i] = (guint8)(i * 7919 + 13);
  g_assert_true (g_file_set_contents (binary, (const char *)bytes, sizeof (bytes), &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (empty, "", 0, &error));
  g_assert_no_error (error);

  VMM_EXPECT_CRITICAL (g_assert_null (vmm_backend_open (NULL, NULL, NULL)));
  VMM_EXPECT_CRITICAL (vmm_backend_open_async (NULL, NULL, NULL, NULL));
  assert_open_fails ("", VMM_ERROR_INVALID_SPEC);
  assert_open_fails ("::", VMM_ERROR_INVALID_SPEC);
  assert_open_fails ("sim", VMM_ERROR_INVALID_SPEC);
  assert_open_fails ("no-such-scheme://host/path", VMM_ERROR_NOT_FOUND);
  assert_open_fails (long_scheme, -1);
  assert_open_fails (long_uri, VMM_ERROR_NOT_FOUND);
  assert_open_fails (dir_uri, -1);
  assert_open_fails (binary_uri, VMM_ERROR_INVALID_SPEC);
  assert_open_fails (empty_uri, VMM_ERROR_INVALID_SPEC);
  assert_open_fails ("sim:///no/such/inventory.json", VMM_ERROR_NOT_FOUND);
  /* a NULL error location is allowed */
  g_assert_null (vmm_backend_open ("::", NULL, NULL));

  g_assert_cmpint (g_unlink (binary), ==, 0);
  g_assert_cmpint (g_unlink (empty), ==, 0);
  g_assert_cmpint (g_rmdir (tmpdir), ==, 0);
}

static void
test_backend_calls (void)
{
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  VmmBackend *backend = VMM_BACKEND (sim);
  g_autofree char *big = long_string (LONG_NAME_BYTES, 'v');
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmVmInfo) vm = NULL;
  g_auto (GStrv) places = NULL;

  VMM_EXPECT_CRITICAL (g_assert_null (vmm_backend_get_vm (backend, NULL, NULL, NULL)));
  vm = vmm_backend_get_vm (backend, "", NULL, &error);
  g_assert_null (vm);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND);
  g_clear_error (&error);
  vm = vmm_backend_get_vm (backend, big, NULL, &error);
  g_assert_null (vm);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND);
  g_clear_error (&error);

  VMM_EXPECT_CRITICAL (vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_LAST, VMM_SIM_FAULT_FAIL,
                                                     VMM_ERROR_BACKEND, 1));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_sim_backend_locate_vm (sim, NULL)));
  places = vmm_sim_backend_locate_vm (sim, big);
  g_assert_nonnull (places);
  g_assert_cmpuint (g_strv_length (places), ==, 0);
  g_assert_false (vmm_sim_backend_set_datastore_online (sim, big, FALSE));
  VMM_EXPECT_CRITICAL (g_assert_false (vmm_sim_backend_save (sim, NULL, NULL)));
  g_assert_false (vmm_sim_backend_save (sim, "/nonexistent-dir/inventory.json", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
}

/* --- functions without an instance --- */

static void
test_free_functions (void)
{
  g_auto (GStrv) schemes = vmm_backend_list_schemes ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = NULL;
  VmmTestWait wait = { NULL };

  g_assert_cmpstr (vmm_step_get_name (VMM_STEP_LAST), ==, "Unknown");
  g_assert_cmpstr (vmm_step_get_name ((VmmStep)-1), ==, "Unknown");
  g_assert_nonnull (vmm_migration_type_to_string ((VmmMigrationType)999));
  g_assert_true (g_strv_contains ((const char *const *)schemes, "sim"));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_backend_open_finish (NULL, NULL)));

  /* a bad URI opened asynchronously fails in the callback */
  vmm_backend_open_async ("::", NULL, vmm_test_wait_cb, &wait);
  backend = vmm_backend_open_finish (vmm_test_wait (&wait), &error);
  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_object_unref (wait.result);
}

/* --- the sim inventory JSON --- */

static void
test_sim_json (void)
{
  const char *bad[] = {
    "",
    "[]",
    "{\"hosts\": {}}",
    "{\"hosts\": [null]}",
    "{\"hosts\": [{}]}",
    "{\"hosts\": [{\"name\": \"\"}]}",
    "{\"hosts\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}",
    "{\"hosts\": [{\"name\": \"a\", \"cpu-overcommit\": 0}]}",
    "{\"hosts\": [{\"name\": \"a\", \"memory-mib\": 1e300}]}",
    "{\"hosts\": [{\"name\": \"a\", \"vcpus\": 4294967296}]}",
    "{\"hosts\": [{\"name\": \"a\", \"state\": \"on-fire\"}]}",
    "{\"hosts\": [{\"name\": \"a\", \"networks\": [1]}]}",
    "{\"datastores\": [{\"name\": \"d\", \"hosts\": [\"nowhere\"]}]}",
    "{\"datastores\": [{\"name\": \"d\"}, {\"name\": \"d\"}]}",
    "{\"datastores\": [{\"name\": \"d\", \"shared\": []}]}",
    "{\"datastores\": [{\"name\": \"d\", \"capacity-gib\": -1}]}",
    "{\"vms\": [{\"name\": \"v\"}]}",
    "{\"faults\": [{\"step\": \"NoSuchStep\"}]}",
    "{\"faults\": [{\"step\": \"InitiateSource\", \"count\": 1e300}]}",
    "{\"faults\": [{\"step\": 7}]}",
    "{\"settings\": {\"step-latency-ms\": 1e300}}",
    "{\"hosts\": []}{\"hosts\": [{\"name\": \"a\"}]}",
    "var inventory = {\"hosts\": []};",
  };
  g_autoptr (GString) big = g_string_sized_new (BIG_JSON_BYTES + 4096);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmInventory) inventory = NULL;
  g_autofree char *model = NULL;
  guint n_hosts = 0;

  VMM_EXPECT_CRITICAL (g_assert_null (vmm_sim_backend_new_from_json (NULL, NULL)));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) local = NULL;
      g_autoptr (VmmBackend) b = vmm_sim_backend_new_from_json (bad[i], &local);

      if (b != NULL)
        g_error ("inventory %u (%s) was accepted", i, bad[i]);
      g_assert_error (local, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
      g_assert_true (g_str_has_prefix (local->message, "sim inventory: "));
    }

  /* a 10 MB inventory loads, and the hosts are all there: 100 hosts with a
   * 100 KB CPU model each (many small hosts would measure the inventory's
   * speed rather than the parser's robustness) */
  model = long_string (BIG_JSON_BYTES / 100, 'c');
  g_string_append (big, "{\"hosts\": [");
  while (big->len < BIG_JSON_BYTES)
    {
      g_string_append_printf (big,
                              "%s{\"name\": \"host-%06u\", \"cpu-model\": \"%s\", "
                              "\"networks\": [\"net-a\", \"net-b\"], \"pools\": [\"Resources\"]}",
                              n_hosts > 0 ? ", " : "", n_hosts, model);
      n_hosts++;
    }
  g_string_append (big, "]}");
  backend = vmm_sim_backend_new_from_json (big->str, &error);
  g_assert_no_error (error);
  g_assert_nonnull (backend);
  inventory = vmm_backend_query_inventory (backend, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vmm_inventory_get_hosts (inventory)->len, ==, n_hosts);
  g_assert_cmpstr (
      vmm_host_info_get_cpu_model (g_ptr_array_index (vmm_inventory_get_hosts (inventory), 0)), ==,
      model);
  g_clear_object (&backend);

  /* the same 10 MB, cut in the middle */
  g_string_truncate (big, big->len / 2);
  backend = vmm_sim_backend_new_from_json (big->str, &error);
  g_assert_null (backend);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
}

/* --- the engine and migrations --- */

static void
test_engine_create (void)
{
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"host\": \"h2\"}");
  g_autofree char *big = long_string (LONG_NAME_BYTES, 'v');
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) migration = NULL;
  g_autoptr (VmmPlan) plan = NULL;

  VMM_EXPECT_CRITICAL (
      g_assert_null (vmm_engine_create_migration (engine, NULL, "hot1", spec, NULL)));
  VMM_EXPECT_CRITICAL (
      g_assert_null (vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", NULL, NULL)));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_engine_create_migration_with_type (
      engine, G_TYPE_OBJECT, VMM_BACKEND (sim), "hot1", spec, NULL)));

  migration = vmm_engine_create_migration (engine, VMM_BACKEND (sim), NULL, spec, &error);
  g_assert_null (migration);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_clear_error (&error);

  /* an empty or unknown VM fails when planned, with NOT_FOUND or INVALID_SPEC */
  for (guint i = 0; i < 2; i++)
    {
      const char *name = i == 0 ? "" : big;

      g_clear_object (&migration);
      migration = vmm_engine_create_migration (engine, VMM_BACKEND (sim), name, spec, &error);
      if (migration == NULL)
        {
          g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
          g_clear_error (&error);
          continue;
        }
      plan = vmm_migration_plan (migration, NULL, &error);
      g_assert_null (plan);
      g_assert_nonnull (error);
      g_assert_true (error->domain == VMM_ERROR);
      g_assert_true (error->code == VMM_ERROR_NOT_FOUND || error->code == VMM_ERROR_INVALID_SPEC);
      g_clear_error (&error);
    }

  VMM_EXPECT_CRITICAL (
      vmm_engine_find_candidates_async (engine, VMM_BACKEND (sim), NULL, spec, NULL, NULL, NULL));
  VMM_EXPECT_CRITICAL (
      vmm_engine_evacuate_async (engine, VMM_BACKEND (sim), NULL, spec, 0, NULL, NULL, NULL));
}

static void
test_migration_twice (void)
{
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"host\": \"h2\"}");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) migration = NULL;
  g_autoptr (VmmPlan) plan = NULL;
  g_autoptr (VmmPlan) plan2 = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (VmmMigrationResult) result2 = NULL;
  g_autoptr (VmmPlan) plan3 = NULL;

  migration = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, &error);
  g_assert_no_error (error);

  /* planning twice is a dry run twice: the same plan */
  plan = vmm_migration_plan (migration, NULL, &error);
  g_assert_no_error (error);
  plan2 = vmm_migration_plan (migration, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_plan_get_destination_host (plan), ==, vmm_plan_get_destination_host (plan2));

  result = vmm_migration_run_sync (migration, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vmm_migration_result_get_host (result), ==, "h2");
  vmm_test_assert_one_place (sim, "hot1", "h2");

  /* a second run is refused, and nothing moves */
  result2 = vmm_migration_run_sync (migration, NULL, &error);
  g_assert_null (result2);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BUSY);
  g_clear_error (&error);
  vmm_test_assert_one_place (sim, "hot1", "h2");

  /* planning after the run gives a plan or a precise error, never a crash */
  plan3 = vmm_migration_plan (migration, NULL, &error);
  if (plan3 == NULL)
    g_assert_true (error != NULL && error->domain == VMM_ERROR);
  g_clear_error (&error);

  VMM_EXPECT_CRITICAL (g_assert_null (vmm_migration_run_finish (migration, NULL, NULL)));
  VMM_EXPECT_CRITICAL (g_assert_null (vmm_migration_plan_finish (migration, NULL, NULL)));
}

static void
test_migration_concurrent_run (void)
{
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"host\": \"h2\"}");
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) migration = NULL;
  g_autoptr (VmmMigration) other = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (VmmMigrationResult) result2 = NULL;
  VmmTestWait first = { NULL };
  VmmTestWait second = { NULL };

  migration = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, &error);
  g_assert_no_error (error);
  vmm_migration_run_async (migration, NULL, vmm_test_wait_cb, &first);
  /* a second run while the first is going, and a second migration of the
   * same VM */
  vmm_migration_run_async (migration, NULL, vmm_test_wait_cb, &second);
  other = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, &error);
  if (other == NULL)
    {
      g_assert_error (error, VMM_ERROR, VMM_ERROR_BUSY);
      g_clear_error (&error);
    }
  result2 = vmm_migration_run_finish (migration, vmm_test_wait (&second), &error);
  g_assert_null (result2);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BUSY);
  g_clear_error (&error);
  result = vmm_migration_run_finish (migration, vmm_test_wait (&first), &error);
  g_assert_no_error (error);
  vmm_test_assert_one_place (sim, "hot1", "h2");
  g_object_unref (first.result);
  g_object_unref (second.result);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/robustness/null-self/action", test_null_self_action);
  g_test_add_func ("/robustness/null-self/backend", test_null_self_backend);
  g_test_add_func ("/robustness/null-self/candidate", test_null_self_candidate);
  g_test_add_func ("/robustness/null-self/check", test_null_self_check);
  g_test_add_func ("/robustness/null-self/datastore-info", test_null_self_datastore_info);
  g_test_add_func ("/robustness/null-self/device-info", test_null_self_device_info);
  g_test_add_func ("/robustness/null-self/disk-info", test_null_self_disk_info);
  g_test_add_func ("/robustness/null-self/disk-locator", test_null_self_disk_locator);
  g_test_add_func ("/robustness/null-self/engine", test_null_self_engine);
  g_test_add_func ("/robustness/null-self/evacuation-entry", test_null_self_evacuation_entry);
  g_test_add_func ("/robustness/null-self/host-info", test_null_self_host_info);
  g_test_add_func ("/robustness/null-self/inventory", test_null_self_inventory);
  g_test_add_func ("/robustness/null-self/migration-context", test_null_self_migration_context);
  g_test_add_func ("/robustness/null-self/migration-result", test_null_self_migration_result);
  g_test_add_func ("/robustness/null-self/migration", test_null_self_migration);
  g_test_add_func ("/robustness/null-self/plan", test_null_self_plan);
  g_test_add_func ("/robustness/null-self/relocate-spec", test_null_self_relocate_spec);
  g_test_add_func ("/robustness/null-self/service-locator", test_null_self_service_locator);
  g_test_add_func ("/robustness/null-self/sim-backend", test_null_self_sim_backend);
  g_test_add_func ("/robustness/null-self/vm-info", test_null_self_vm_info);
  g_test_add_func ("/robustness/constructors", test_constructors);
  g_test_add_func ("/robustness/oversized/host-info", test_oversized_host_info);
  g_test_add_func ("/robustness/oversized/vm-info", test_oversized_vm_info);
  g_test_add_func ("/robustness/oversized/datastore-info", test_oversized_datastore_info);
  g_test_add_func ("/robustness/oversized/disk-info", test_oversized_disk_info);
  g_test_add_func ("/robustness/oversized/device-info", test_oversized_device_info);
  g_test_add_func ("/robustness/oversized/relocate-spec", test_oversized_relocate_spec);
  g_test_add_func ("/robustness/spec/setters", test_spec_setters);
  g_test_add_func ("/robustness/spec/json", test_spec_json);
  g_test_add_func ("/robustness/backend/open", test_backend_open);
  g_test_add_func ("/robustness/backend/calls", test_backend_calls);
  g_test_add_func ("/robustness/free-functions", test_free_functions);
  g_test_add_func ("/robustness/sim/json", test_sim_json);
  g_test_add_func ("/robustness/engine/create", test_engine_create);
  g_test_add_func ("/robustness/migration/twice", test_migration_twice);
  g_test_add_func ("/robustness/migration/concurrent-run", test_migration_concurrent_run);
  return g_test_run ();
}
