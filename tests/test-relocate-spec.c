/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmmigrate.h"

#include <string.h>

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */
/* ------------------------------------------------------------------------ */

static char *
load_spec_file (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "specs", name, NULL);
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    g_error ("%s: %s", path, error->message);
  /* the files end with a newline; to_json() output does not */
  return g_strchomp (contents);
}

static void
assert_network_maps_equal (GHashTable *a, GHashTable *b)
{
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpstr (g_hash_table_lookup (b, key), ==, value);
}

static void
assert_specs_equal (VmmRelocateSpec *a, VmmRelocateSpec *b)
{
  VmmServiceLocator *la = vmm_relocate_spec_get_service_locator (a);
  VmmServiceLocator *lb = vmm_relocate_spec_get_service_locator (b);
  GPtrArray *da = vmm_relocate_spec_get_disks (a);
  GPtrArray *db = vmm_relocate_spec_get_disks (b);

  g_assert_cmpstr (vmm_relocate_spec_get_host (a), ==, vmm_relocate_spec_get_host (b));
  g_assert_cmpstr (vmm_relocate_spec_get_resource_pool (a), ==,
                   vmm_relocate_spec_get_resource_pool (b));
  g_assert_cmpstr (vmm_relocate_spec_get_datastore (a), ==, vmm_relocate_spec_get_datastore (b));
  g_assert_cmpstr (vmm_relocate_spec_get_folder (a), ==, vmm_relocate_spec_get_folder (b));

  g_assert_true ((la == NULL) == (lb == NULL));
  if (la != NULL)
    {
      g_assert_true (la != lb);
      g_assert_cmpstr (vmm_service_locator_get_url (la), ==, vmm_service_locator_get_url (lb));
      g_assert_cmpstr (vmm_service_locator_get_credential (la), ==,
                       vmm_service_locator_get_credential (lb));
      g_assert_cmpstr (vmm_service_locator_get_ssl_thumbprint (la), ==,
                       vmm_service_locator_get_ssl_thumbprint (lb));
    }

  g_assert_cmpuint (da->len, ==, db->len);
  for (guint i = 0; i < da->len; i++)
    {
      VmmDiskLocator *x = g_ptr_array_index (da, i);
      VmmDiskLocator *y = g_ptr_array_index (db, i);
      g_assert_true (x != y);
      g_assert_cmpstr (vmm_disk_locator_get_key (x), ==, vmm_disk_locator_get_key (y));
      g_assert_cmpstr (vmm_disk_locator_get_datastore (x), ==, vmm_disk_locator_get_datastore (y));
      g_assert_cmpint (vmm_disk_locator_get_move_type (x), ==, vmm_disk_locator_get_move_type (y));
      g_assert_cmpint (vmm_disk_locator_get_transform (x), ==, vmm_disk_locator_get_transform (y));
    }

  assert_network_maps_equal (vmm_relocate_spec_get_network_map (a),
                             vmm_relocate_spec_get_network_map (b));

  g_assert_cmpint (vmm_relocate_spec_get_priority (a), ==, vmm_relocate_spec_get_priority (b));
  g_assert_cmpint (vmm_relocate_spec_get_migration_type (a), ==,
                   vmm_relocate_spec_get_migration_type (b));
  g_assert_cmpuint (vmm_relocate_spec_get_max_downtime_ms (a), ==,
                    vmm_relocate_spec_get_max_downtime_ms (b));
  g_assert_cmpuint (vmm_relocate_spec_get_bandwidth_mibps (a), ==,
                    vmm_relocate_spec_get_bandwidth_mibps (b));
  g_assert_cmpuint (vmm_relocate_spec_get_completion_timeout_s (a), ==,
                    vmm_relocate_spec_get_completion_timeout_s (b));
  g_assert_cmpint (vmm_relocate_spec_get_on_timeout (a), ==, vmm_relocate_spec_get_on_timeout (b));
  g_assert_cmpint (vmm_relocate_spec_get_auto_converge (a), ==,
                   vmm_relocate_spec_get_auto_converge (b));
  g_assert_cmpint (vmm_relocate_spec_get_post_copy (a), ==, vmm_relocate_spec_get_post_copy (b));
  g_assert_cmpint (vmm_relocate_spec_get_compression (a), ==,
                   vmm_relocate_spec_get_compression (b));
  g_assert_cmpuint (vmm_relocate_spec_get_parallel_connections (a), ==,
                    vmm_relocate_spec_get_parallel_connections (b));
}

/* The spec of data/specs/full.json, built through the API. */
static VmmRelocateSpec *
build_full_spec (void)
{
  VmmRelocateSpec *spec = vmm_relocate_spec_new ();
  g_autoptr (VmmServiceLocator) locator = vmm_service_locator_new ("https://vc2.example/sdk");
  g_autoptr (VmmDiskLocator) disk0 = vmm_disk_locator_new ("disk-0", "ds-3");
  g_autoptr (VmmDiskLocator) disk1 = vmm_disk_locator_new ("disk-1", "ds-4");

  vmm_relocate_spec_set_host (spec, "esx-02");
  vmm_relocate_spec_set_resource_pool (spec, "prod");
  vmm_relocate_spec_set_datastore (spec, "ds-2");
  vmm_relocate_spec_set_folder (spec, "vm/prod");
  vmm_service_locator_set_credential (locator, "vc2-admin");
  vmm_service_locator_set_ssl_thumbprint (
      locator, "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01");
  vmm_relocate_spec_set_service_locator (spec, locator);
  vmm_disk_locator_set_move_type (disk0, VMM_DISK_MOVE_TYPE_MOVE_CHILD_MOST);
  vmm_disk_locator_set_transform (disk0, VMM_DISK_TRANSFORM_THIN);
  vmm_relocate_spec_add_disk (spec, disk0);
  vmm_relocate_spec_add_disk (spec, disk1);
  /* added in the other order: the JSON is sorted */
  vmm_relocate_spec_add_network_map (spec, "VM Network", "prod-net");
  vmm_relocate_spec_add_network_map (spec, "Storage Network", "prod-storage");
  vmm_relocate_spec_set_priority (spec, VMM_PRIORITY_HIGH);
  vmm_relocate_spec_set_migration_type (spec, VMM_MIGRATION_PREFERENCE_HOT);
  vmm_relocate_spec_set_max_downtime_ms (spec, 300);
  vmm_relocate_spec_set_bandwidth_mibps (spec, 1000);
  vmm_relocate_spec_set_completion_timeout_s (spec, 600);
  vmm_relocate_spec_set_on_timeout (spec, VMM_ON_TIMEOUT_POST_COPY);
  vmm_relocate_spec_set_auto_converge (spec, TRUE);
  vmm_relocate_spec_set_post_copy (spec, TRUE);
  vmm_relocate_spec_set_compression (spec, TRUE);
  vmm_relocate_spec_set_parallel_connections (spec, 4);
  return spec;
}

/* new_from_json(x) then to_json() gives x back, and new_from_json(to_json(s))
 * equals s field by field. */
static VmmRelocateSpec *
assert_json_round_trip (const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new_from_json (json, &error);
  g_autoptr (VmmRelocateSpec) again = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out_again = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (spec);
  g_assert_true (vmm_relocate_spec_validate (spec, &error));
  g_assert_no_error (error);

  out = vmm_relocate_spec_to_json (spec);
  g_assert_cmpstr (out, ==, json);

  again = vmm_relocate_spec_new_from_json (out, &error);
  g_assert_no_error (error);
  assert_specs_equal (spec, again);
  out_again = vmm_relocate_spec_to_json (again);
  g_assert_cmpstr (out_again, ==, json);
  return g_steal_pointer (&spec);
}

/* ------------------------------------------------------------------------ */
/* tests                                                                     */
/* ------------------------------------------------------------------------ */

static void
test_defaults (void)
{
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
  g_autoptr (VmmRelocateSpec) parsed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;

  g_assert_null (vmm_relocate_spec_get_host (spec));
  g_assert_null (vmm_relocate_spec_get_resource_pool (spec));
  g_assert_null (vmm_relocate_spec_get_datastore (spec));
  g_assert_null (vmm_relocate_spec_get_folder (spec));
  g_assert_null (vmm_relocate_spec_get_service_locator (spec));
  g_assert_cmpuint (vmm_relocate_spec_get_disks (spec)->len, ==, 0);
  g_assert_cmpuint (g_hash_table_size (vmm_relocate_spec_get_network_map (spec)), ==, 0);
  g_assert_cmpint (vmm_relocate_spec_get_priority (spec), ==, VMM_PRIORITY_DEFAULT);
  g_assert_cmpint (vmm_relocate_spec_get_migration_type (spec), ==, VMM_MIGRATION_PREFERENCE_AUTO);
  g_assert_cmpuint (vmm_relocate_spec_get_max_downtime_ms (spec), ==, 0);
  g_assert_cmpuint (vmm_relocate_spec_get_bandwidth_mibps (spec), ==, 0);
  g_assert_cmpuint (vmm_relocate_spec_get_completion_timeout_s (spec), ==, 0);
  g_assert_cmpint (vmm_relocate_spec_get_on_timeout (spec), ==, VMM_ON_TIMEOUT_ABORT);
  g_assert_false (vmm_relocate_spec_get_auto_converge (spec));
  g_assert_false (vmm_relocate_spec_get_post_copy (spec));
  g_assert_false (vmm_relocate_spec_get_compression (spec));
  g_assert_cmpuint (vmm_relocate_spec_get_parallel_connections (spec), ==, 0);
  g_assert_false (vmm_relocate_spec_get_keep_source_disks (spec));
  g_assert_true (vmm_relocate_spec_is_empty (spec));
  g_assert_true (vmm_relocate_spec_validate (spec, &error));
  g_assert_no_error (error);

  json = vmm_relocate_spec_to_json (spec);
  g_assert_cmpstr (json, ==, "{}");
  parsed = vmm_relocate_spec_new_from_json (json, &error);
  g_assert_no_error (error);
  assert_specs_equal (spec, parsed);
  g_assert_true (vmm_relocate_spec_is_empty (parsed));
}

/* Each boolean member is read on its own: one set to true does not carry
 * over to the members after it (keep-source-disks after fallback-cold). */
static void
test_json_booleans_independent (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmRelocateSpec) cold
      = vmm_relocate_spec_new_from_json ("{\"host\": \"h\", \"fallback-cold\": true}", &error);
  g_autoptr (VmmRelocateSpec) keep = NULL;
  g_autofree char *json = NULL;

  g_assert_no_error (error);
  g_assert_true (vmm_relocate_spec_get_fallback_cold (cold));
  g_assert_false (vmm_relocate_spec_get_keep_source_disks (cold));
  keep = vmm_relocate_spec_new_from_json ("{\"datastore\": \"d\", \"keep-source-disks\": true}",
                                          &error);
  g_assert_no_error (error);
  g_assert_true (vmm_relocate_spec_get_keep_source_disks (keep));
  g_assert_false (vmm_relocate_spec_get_fallback_cold (keep));
  json = vmm_relocate_spec_to_json (keep);
  g_assert_nonnull (strstr (json, "\"keep-source-disks\""));
  g_clear_object (&keep);
  keep = assert_json_round_trip (json);
  g_assert_true (vmm_relocate_spec_get_keep_source_disks (keep));
}

static void
test_json_full (void)
{
  g_autofree char *json = load_spec_file ("full.json");
  g_autoptr (VmmRelocateSpec) spec = assert_json_round_trip (json);
  g_autoptr (VmmRelocateSpec) built = build_full_spec ();
  g_autofree char *built_json = NULL;
  VmmServiceLocator *locator;
  VmmDiskLocator *disk;

  /* the document says what the API built */
  assert_specs_equal (spec, built);
  built_json = vmm_relocate_spec_to_json (built);
  g_assert_cmpstr (built_json, ==, json);

  /* spot checks against the file itself */
  g_assert_cmpstr (vmm_relocate_spec_get_host (spec), ==, "esx-02");
  g_assert_cmpstr (vmm_relocate_spec_get_folder (spec), ==, "vm/prod");
  locator = vmm_relocate_spec_get_service_locator (spec);
  g_assert_nonnull (locator);
  g_assert_cmpstr (vmm_service_locator_get_url (locator), ==, "https://vc2.example/sdk");
  g_assert_cmpstr (vmm_service_locator_get_credential (locator), ==, "vc2-admin");
  disk = vmm_relocate_spec_lookup_disk (spec, "disk-0");
  g_assert_nonnull (disk);
  g_assert_cmpstr (vmm_disk_locator_get_datastore (disk), ==, "ds-3");
  g_assert_cmpint (vmm_disk_locator_get_move_type (disk), ==, VMM_DISK_MOVE_TYPE_MOVE_CHILD_MOST);
  g_assert_cmpint (vmm_disk_locator_get_transform (disk), ==, VMM_DISK_TRANSFORM_THIN);
  disk = vmm_relocate_spec_lookup_disk (spec, "disk-1");
  g_assert_nonnull (disk);
  g_assert_cmpint (vmm_disk_locator_get_move_type (disk), ==, VMM_DISK_MOVE_TYPE_MOVE_ALL);
  g_assert_cmpint (vmm_disk_locator_get_transform (disk), ==, VMM_DISK_TRANSFORM_NONE);
  g_assert_null (vmm_relocate_spec_lookup_disk (spec, "disk-2"));
  g_assert_cmpstr (vmm_relocate_spec_map_network (spec, "VM Network"), ==, "prod-net");
  g_assert_cmpint (vmm_relocate_spec_get_on_timeout (spec), ==, VMM_ON_TIMEOUT_POST_COPY);
  g_assert_cmpuint (vmm_relocate_spec_get_parallel_connections (spec), ==, 4);
  g_assert_false (vmm_relocate_spec_is_empty (spec));
}

static void
test_json_minimal (void)
{
  g_autofree char *json = load_spec_file ("minimal.json");
  g_autoptr (VmmRelocateSpec) spec = assert_json_round_trip (json);
  g_autoptr (VmmRelocateSpec) built = vmm_relocate_spec_new ();
  g_autofree char *built_json = NULL;

  vmm_relocate_spec_set_host (built, "esx-02");
  assert_specs_equal (spec, built);
  built_json = vmm_relocate_spec_to_json (built);
  g_assert_cmpstr (built_json, ==, json);
}

static void
test_json_examples (void)
{
  const char *names[] = { "cold.json", "cross-manager.json" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *json = load_spec_file (names[i]);
      g_autoptr (VmmRelocateSpec) spec = NULL;

      g_test_message ("%s", names[i]);
      spec = assert_json_round_trip (json);
      g_assert_false (vmm_relocate_spec_is_empty (spec));
    }
}

static void
test_json_canonical (void)
{
  /* any order, explicit defaults, compact: written back canonically */
  const char *json = "{\"post-copy\":false,\"priority\":\"default\",\"on-timeout\":\"abort\","
                     "\"disks\":[{\"transform\":\"none\",\"move-type\":\"move-all\","
                     "\"datastore\":\"ds-3\",\"key\":\"disk-0\"}],\"migration-type\":\"auto\","
                     "\"networks\":{\"b\":\"y\",\"a\":\"x\"},\"disks\" :[],\"host\":\"esx-02\"}";
  const char *json_ok = "{\"post-copy\":false,\"priority\":\"default\",\"on-timeout\":\"abort\","
                        "\"disks\":[{\"transform\":\"none\",\"move-type\":\"move-all\","
                        "\"datastore\":\"ds-3\",\"key\":\"disk-0\"}],\"migration-type\":\"auto\","
                        "\"networks\":{\"b\":\"y\",\"a\":\"x\"},\"host\":\"esx-02\"}";
  const char *canonical = "{\n"
                          "  \"host\" : \"esx-02\",\n"
                          "  \"disks\" : [\n"
                          "    {\n"
                          "      \"key\" : \"disk-0\",\n"
                          "      \"datastore\" : \"ds-3\"\n"
                          "    }\n"
                          "  ],\n"
                          "  \"networks\" : {\n"
                          "    \"a\" : \"x\",\n"
                          "    \"b\" : \"y\"\n"
                          "  }\n"
                          "}";
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmRelocateSpec) spec = NULL;
  g_autofree char *out = NULL;

  /* "disks" given twice is refused */
  spec = vmm_relocate_spec_new_from_json (json, &error);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_assert_true (g_str_has_prefix (error->message, "disks: duplicate member"));
  g_assert_null (spec);
  g_clear_error (&error);

  spec = vmm_relocate_spec_new_from_json (json_ok, &error);
  g_assert_no_error (error);
  out = vmm_relocate_spec_to_json (spec);
  g_assert_cmpstr (out, ==, canonical);
  g_clear_object (&spec);
  spec = assert_json_round_trip (canonical);
}

static void
test_json_unicode (void)
{
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
  g_autoptr (VmmRelocateSpec) parsed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;

  vmm_relocate_spec_set_host (spec, "hôte \"quoted\" \\ back/slash\ttab");
  vmm_relocate_spec_add_network_map (spec, "Réseau VM", "prod\nnet");
  json = vmm_relocate_spec_to_json (spec);
  parsed = vmm_relocate_spec_new_from_json (json, &error);
  g_assert_no_error (error);
  assert_specs_equal (spec, parsed);
}

static void
notify_count_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  GHashTable *counts = user_data;
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, pspec->name));

  g_hash_table_insert (counts, (gpointer)pspec->name, GUINT_TO_POINTER (count + 1));
}

static guint
notify_count (GHashTable *counts, const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}

static void
test_properties_notify (void)
{
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
  g_autoptr (GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (VmmServiceLocator) locator = vmm_service_locator_new ("https://vc2/sdk");
  g_autoptr (VmmServiceLocator) locator_out = NULL;
  g_autofree char *host = NULL;
  VmmPriority priority = VMM_PRIORITY_DEFAULT;
  VmmMigrationPreference pref = VMM_MIGRATION_PREFERENCE_AUTO;
  VmmOnTimeoutAction on_timeout = VMM_ON_TIMEOUT_ABORT;
  guint downtime = 0;
  guint parallel = 0;
  gboolean compression = FALSE;
  const char *names[] = {
    "host",       "resource-pool",  "datastore",       "folder",          "service-locator",
    "priority",   "migration-type", "max-downtime-ms", "bandwidth-mibps", "completion-timeout-s",
    "on-timeout", "auto-converge",  "post-copy",       "compression",     "parallel-connections",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_nonnull (g_object_class_find_property (G_OBJECT_GET_CLASS (spec), names[i]));
  g_signal_connect (spec, "notify", G_CALLBACK (notify_count_cb), counts);

  /* setters notify once per change, never when nothing changes */
  vmm_relocate_spec_set_host (spec, "esx-02");
  vmm_relocate_spec_set_host (spec, "esx-02");
  g_assert_cmpuint (notify_count (counts, "host"), ==, 1);
  vmm_relocate_spec_set_host (spec, NULL);
  g_assert_cmpuint (notify_count (counts, "host"), ==, 2);
  vmm_relocate_spec_set_resource_pool (spec, "prod");
  vmm_relocate_spec_set_datastore (spec, "ds-2");
  vmm_relocate_spec_set_folder (spec, "vm");
  vmm_relocate_spec_set_service_locator (spec, locator);
  vmm_relocate_spec_set_service_locator (spec, locator);
  vmm_relocate_spec_set_priority (spec, VMM_PRIORITY_LOW);
  vmm_relocate_spec_set_priority (spec, VMM_PRIORITY_LOW);
  vmm_relocate_spec_set_migration_type (spec, VMM_MIGRATION_PREFERENCE_HOT);
  vmm_relocate_spec_set_max_downtime_ms (spec, 200);
  vmm_relocate_spec_set_max_downtime_ms (spec, 200);
  vmm_relocate_spec_set_bandwidth_mibps (spec, 10);
  vmm_relocate_spec_set_completion_timeout_s (spec, 60);
  vmm_relocate_spec_set_on_timeout (spec, VMM_ON_TIMEOUT_SUSPEND);
  vmm_relocate_spec_set_auto_converge (spec, TRUE);
  vmm_relocate_spec_set_auto_converge (spec, 2); /* still TRUE */
  vmm_relocate_spec_set_post_copy (spec, TRUE);
  vmm_relocate_spec_set_compression (spec, TRUE);
  vmm_relocate_spec_set_parallel_connections (spec, 8);
  for (guint i = 1; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpuint (notify_count (counts, names[i]), ==, 1);

  /* the same through GObject properties */
  g_object_set (spec, "host", "esx-03", "priority", VMM_PRIORITY_HIGH, "max-downtime-ms", 400,
                "compression", FALSE, "service-locator", NULL, NULL);
  g_assert_cmpuint (notify_count (counts, "host"), ==, 3);
  g_assert_cmpuint (notify_count (counts, "priority"), ==, 2);
  g_assert_cmpuint (notify_count (counts, "max-downtime-ms"), ==, 2);
  g_assert_cmpuint (notify_count (counts, "compression"), ==, 2);
  g_assert_cmpuint (notify_count (counts, "service-locator"), ==, 2);
  g_assert_cmpstr (vmm_relocate_spec_get_host (spec), ==, "esx-03");
  g_assert_null (vmm_relocate_spec_get_service_locator (spec));

  vmm_relocate_spec_set_service_locator (spec, locator);
  g_object_get (spec, "host", &host, "priority", &priority, "migration-type", &pref, "on-timeout",
                &on_timeout, "max-downtime-ms", &downtime, "parallel-connections", &parallel,
                "compression", &compression, "service-locator", &locator_out, NULL);
  g_assert_cmpstr (host, ==, "esx-03");
  g_assert_cmpint (priority, ==, VMM_PRIORITY_HIGH);
  g_assert_cmpint (pref, ==, VMM_MIGRATION_PREFERENCE_HOT);
  g_assert_cmpint (on_timeout, ==, VMM_ON_TIMEOUT_SUSPEND);
  g_assert_cmpuint (downtime, ==, 400);
  g_assert_cmpuint (parallel, ==, 8);
  g_assert_false (compression);
  g_assert_true (locator_out == locator);
}

static void
test_locators (void)
{
  g_autoptr (VmmDiskLocator) disk = vmm_disk_locator_new ("disk-0", "ds-3");
  g_autoptr (VmmDiskLocator) disk2 = NULL;
  g_autoptr (VmmServiceLocator) locator = vmm_service_locator_new ("https://vc2/sdk");
  g_autoptr (GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *key = NULL;
  g_autofree char *url = NULL;
  VmmDiskTransform transform = VMM_DISK_TRANSFORM_NONE;

  g_assert_cmpstr (vmm_disk_locator_get_key (disk), ==, "disk-0");
  g_assert_cmpstr (vmm_disk_locator_get_datastore (disk), ==, "ds-3");
  g_assert_cmpint (vmm_disk_locator_get_move_type (disk), ==, VMM_DISK_MOVE_TYPE_MOVE_ALL);
  g_assert_cmpint (vmm_disk_locator_get_transform (disk), ==, VMM_DISK_TRANSFORM_NONE);
  g_signal_connect (disk, "notify", G_CALLBACK (notify_count_cb), counts);
  vmm_disk_locator_set_move_type (disk, VMM_DISK_MOVE_TYPE_CREATE_NEW_CHILD);
  vmm_disk_locator_set_move_type (disk, VMM_DISK_MOVE_TYPE_CREATE_NEW_CHILD);
  vmm_disk_locator_set_transform (disk, VMM_DISK_TRANSFORM_QCOW2);
  g_assert_cmpuint (notify_count (counts, "move-type"), ==, 1);
  g_assert_cmpuint (notify_count (counts, "transform"), ==, 1);
  g_object_get (disk, "key", &key, "transform", &transform, NULL);
  g_assert_cmpstr (key, ==, "disk-0");
  g_assert_cmpint (transform, ==, VMM_DISK_TRANSFORM_QCOW2);

  disk2 = g_object_new (VMM_TYPE_DISK_LOCATOR, "key", "vdb", "datastore", "pool-1", "move-type",
                        VMM_DISK_MOVE_TYPE_MOVE_CHILD_MOST, NULL);
  g_assert_cmpstr (vmm_disk_locator_get_datastore (disk2), ==, "pool-1");
  g_assert_cmpint (vmm_disk_locator_get_move_type (disk2), ==, VMM_DISK_MOVE_TYPE_MOVE_CHILD_MOST);

  g_hash_table_remove_all (counts);
  g_assert_cmpstr (vmm_service_locator_get_url (locator), ==, "https://vc2/sdk");
  g_assert_null (vmm_service_locator_get_credential (locator));
  g_assert_null (vmm_service_locator_get_ssl_thumbprint (locator));
  g_signal_connect (locator, "notify", G_CALLBACK (notify_count_cb), counts);
  vmm_service_locator_set_credential (locator, "vc2-admin");
  vmm_service_locator_set_credential (locator, "vc2-admin");
  vmm_service_locator_set_ssl_thumbprint (locator, "AB:CD");
  vmm_service_locator_set_ssl_thumbprint (locator, NULL);
  g_assert_cmpuint (notify_count (counts, "credential"), ==, 1);
  g_assert_cmpuint (notify_count (counts, "ssl-thumbprint"), ==, 2);
  g_assert_null (vmm_service_locator_get_ssl_thumbprint (locator));
  g_object_get (locator, "url", &url, NULL);
  g_assert_cmpstr (url, ==, "https://vc2/sdk");
}

static void
test_copy (void)
{
  g_autoptr (VmmRelocateSpec) spec = build_full_spec ();
  g_autoptr (VmmRelocateSpec) copy = vmm_relocate_spec_copy (spec);
  g_autoptr (VmmRelocateSpec) pristine = build_full_spec ();
  g_autofree char *json = NULL;
  g_autofree char *json_copy = NULL;
  g_autoptr (VmmDiskLocator) disk = vmm_disk_locator_new ("disk-9", "ds-9");

  assert_specs_equal (spec, copy);
  json = vmm_relocate_spec_to_json (spec);
  json_copy = vmm_relocate_spec_to_json (copy);
  g_assert_cmpstr (json, ==, json_copy);

  /* nothing is shared: changing the copy in depth leaves the original */
  vmm_relocate_spec_set_host (copy, "esx-99");
  vmm_service_locator_set_credential (vmm_relocate_spec_get_service_locator (copy), "other");
  vmm_disk_locator_set_transform (g_ptr_array_index (vmm_relocate_spec_get_disks (copy), 0),
                                  VMM_DISK_TRANSFORM_RAW);
  vmm_relocate_spec_add_disk (copy, disk);
  vmm_relocate_spec_add_network_map (copy, "VM Network", "elsewhere");
  vmm_relocate_spec_set_parallel_connections (copy, 1);
  vmm_relocate_spec_set_post_copy (copy, FALSE);
  assert_specs_equal (spec, pristine);

  /* a copy of an empty spec is empty */
  g_clear_object (&copy);
  g_clear_object (&spec);
  spec = vmm_relocate_spec_new ();
  copy = vmm_relocate_spec_copy (spec);
  g_assert_true (vmm_relocate_spec_is_empty (copy));
  assert_specs_equal (spec, copy);
}

static void
test_is_empty (void)
{
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
  g_autoptr (VmmServiceLocator) locator = vmm_service_locator_new ("https://vc2/sdk");
  g_autoptr (VmmDiskLocator) disk = vmm_disk_locator_new ("disk-0", "ds-1");

  /* priority, preference and tuning alone move nothing */
  vmm_relocate_spec_set_priority (spec, VMM_PRIORITY_HIGH);
  vmm_relocate_spec_set_migration_type (spec, VMM_MIGRATION_PREFERENCE_HOT);
  vmm_relocate_spec_set_max_downtime_ms (spec, 100);
  vmm_relocate_spec_set_bandwidth_mibps (spec, 100);
  vmm_relocate_spec_set_completion_timeout_s (spec, 100);
  vmm_relocate_spec_set_compression (spec, TRUE);
  vmm_relocate_spec_set_parallel_connections (spec, 2);
  g_assert_true (vmm_relocate_spec_is_empty (spec));

  vmm_relocate_spec_set_host (spec, "esx-02");
  g_assert_false (vmm_relocate_spec_is_empty (spec));
  vmm_relocate_spec_set_host (spec, NULL);
  g_assert_true (vmm_relocate_spec_is_empty (spec));
  vmm_relocate_spec_set_resource_pool (spec, "prod");
  g_assert_false (vmm_relocate_spec_is_empty (spec));
  vmm_relocate_spec_set_resource_pool (spec, NULL);
  vmm_relocate_spec_set_datastore (spec, "ds-2");
  g_assert_false (vmm_relocate_spec_is_empty (spec));
  vmm_relocate_spec_set_datastore (spec, NULL);
  vmm_relocate_spec_set_folder (spec, "vm/prod");
  g_assert_false (vmm_relocate_spec_is_empty (spec));
  vmm_relocate_spec_set_folder (spec, NULL);
  vmm_relocate_spec_set_service_locator (spec, locator);
  g_assert_false (vmm_relocate_spec_is_empty (spec));
  vmm_relocate_spec_set_service_locator (spec, NULL);
  g_assert_true (vmm_relocate_spec_is_empty (spec));
  vmm_relocate_spec_add_disk (spec, disk);
  g_assert_false (vmm_relocate_spec_is_empty (spec));

  g_clear_object (&spec);
  spec = vmm_relocate_spec_new ();
  vmm_relocate_spec_add_network_map (spec, "VM Network", "prod-net");
  g_assert_false (vmm_relocate_spec_is_empty (spec));
}

static void
test_disks_and_networks (void)
{
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
  g_autoptr (VmmDiskLocator) disk0 = vmm_disk_locator_new ("disk-0", "ds-1");
  g_autoptr (VmmDiskLocator) disk1 = vmm_disk_locator_new ("disk-1", "ds-1");
  g_autoptr (VmmDiskLocator) disk0b = vmm_disk_locator_new ("disk-0", "ds-2");
  GPtrArray *disks = vmm_relocate_spec_get_disks (spec);

  vmm_relocate_spec_add_disk (spec, disk0);
  vmm_relocate_spec_add_disk (spec, disk1);
  vmm_relocate_spec_add_disk (spec, disk1);
  g_assert_cmpuint (disks->len, ==, 2);
  /* a second locator for a disk replaces the first in its place */
  vmm_relocate_spec_add_disk (spec, disk0b);
  g_assert_cmpuint (disks->len, ==, 2);
  g_assert_true (g_ptr_array_index (disks, 0) == disk0b);
  g_assert_true (g_ptr_array_index (disks, 1) == disk1);
  g_assert_true (vmm_relocate_spec_lookup_disk (spec, "disk-0") == disk0b);
  g_assert_true (vmm_relocate_spec_lookup_disk (spec, "disk-1") == disk1);
  g_assert_null (vmm_relocate_spec_lookup_disk (spec, "disk-2"));
  g_assert_true (vmm_relocate_spec_validate (spec, NULL));

  vmm_relocate_spec_add_network_map (spec, "VM Network", "prod-net");
  vmm_relocate_spec_add_network_map (spec, "VM Network", "prod-net-2");
  g_assert_cmpuint (g_hash_table_size (vmm_relocate_spec_get_network_map (spec)), ==, 1);
  g_assert_cmpstr (vmm_relocate_spec_map_network (spec, "VM Network"), ==, "prod-net-2");
  /* a network that is not remapped keeps its name */
  g_assert_cmpstr (vmm_relocate_spec_map_network (spec, "Backup"), ==, "Backup");
}

/* ------------------------------------------------------------------------ */
/* invalid specs                                                             */
/* ------------------------------------------------------------------------ */

typedef struct
{
  const char *json;
  const char *path;   /* the message starts with "<path>: " */
  const char *reason; /* and contains this */
} InvalidSpec;

#define SL_URL "\"url\": \"https://vc2.example/sdk\""

static const InvalidSpec invalid_specs[] = {
  /* documents */
  { "{\"host\": \"a\",}", "(root)", "invalid JSON: <data>:1:" },
  { "{\n  \"host\": \"a\"\n  \"datastore\": \"b\"\n}", "(root)", "<data>:2:" },
  { "", "(root)", "empty document" },
  { "[{\"host\": \"a\"}]", "(root)", "must be a JSON object, not an array" },
  { "\"esx-02\"", "(root)", "must be a JSON object, not a string" },
  /* members */
  { "{\"hots\": \"esx-02\"}", "hots", "unknown member (did you mean \"host\"?)" },
  { "{\"Host\": \"esx-02\"}", "Host", "did you mean \"host\"?" },
  { "{\"resource_pool\": \"prod\"}", "resource_pool", "did you mean \"resource-pool\"?" },
  { "{\"frobnicate\": 1}", "frobnicate", "unknown member (known members: host, resource-pool" },
  { "{\"host\": \"a\", \"host\": \"b\"}", "host", "duplicate member" },
  /* names */
  { "{\"host\": 1}", "host", "must be a string, not an integer" },
  { "{\"host\": \"\"}", "host", "empty string" },
  { "{\"resource-pool\": null}", "resource-pool", "must be a string, not null" },
  { "{\"datastore\": [\"ds-1\"]}", "datastore", "must be a string, not an array" },
  { "{\"folder\": \"\"}", "folder", "empty string" },
  /* service locator */
  { "{\"service-locator\": \"https://vc2.example/sdk\"}", "service-locator", "must be an object" },
  { "{\"service-locator\": {}}", "service-locator.url", "missing" },
  { "{\"service-locator\": {\"url\": \"\"}}", "service-locator.url", "empty string" },
  { "{\"service-locator\": {\"url\": 443}}", "service-locator.url", "must be a string" },
  { "{\"service-locator\": {\"url\": \"vc2.example\"}}", "service-locator.url", "not a valid URL" },
  { "{\"service-locator\": {\"url\": \"https://[::1/sdk\"}}", "service-locator.url",
    "not a valid URL" },
  { "{\"service-locator\": {\"url\": \"ftp://vc2.example/sdk\"}}", "service-locator.url",
    "unsupported scheme \"ftp\" (expected http or https)" },
  { "{\"service-locator\": {\"url\": \"https:///sdk\"}}", "service-locator.url", "no host" },
  { "{\"service-locator\": {\"url\": \"https://admin:hunter2@vc2.example/sdk\"}}",
    "service-locator.url", "must not contain a password" },
  { "{\"service-locator\": {" SL_URL ", \"credentials\": \"vc2-admin\"}}",
    "service-locator.credentials", "did you mean \"credential\"?" },
  { "{\"service-locator\": {" SL_URL ", \"credential\": \"\"}}", "service-locator.credential",
    "empty string" },
  { "{\"service-locator\": {" SL_URL ", \"ssl-thumbprint\": \"AB:CD\"}}",
    "service-locator.ssl-thumbprint", "expected 20 colon-separated pairs of hex digits for SHA-1" },
  { "{\"service-locator\": {" SL_URL ", \"ssl-thumbprint\": \"ABCD\"}}",
    "service-locator.ssl-thumbprint", "is not a pair of hex digits" },
  { "{\"service-locator\": {" SL_URL ", \"ssl-thumbprint\": "
    "\"AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:0G\"}}",
    "service-locator.ssl-thumbprint", "\"0G\" (byte 20) is not a pair of hex digits" },
  { "{\"service-locator\": {" SL_URL ", " SL_URL "}}", "service-locator.url", "duplicate member" },
  /* disks */
  { "{\"disks\": {\"key\": \"disk-0\"}}", "disks", "must be an array" },
  { "{\"disks\": [\"disk-0\"]}", "disks[0]", "must be an object" },
  { "{\"disks\": [{\"key\": \"disk-0\", \"datastore\": \"ds-3\"}, {\"key\": \"disk-1\"}]}",
    "disks[1].datastore", "missing (each disk locator needs a target datastore)" },
  { "{\"disks\": [{\"datastore\": \"ds-3\"}]}", "disks[0].key", "missing" },
  { "{\"disks\": [{\"key\": \"\", \"datastore\": \"ds-3\"}]}", "disks[0].key", "empty string" },
  { "{\"disks\": [{\"key\": \"disk-0\", \"datastore\": \"\"}]}", "disks[0].datastore",
    "empty string" },
  { "{\"disks\": [{\"key\": \"disk-0\", \"datastore\": 3}]}", "disks[0].datastore",
    "must be a string, not an integer" },
  { "{\"disks\": [{\"key\": \"d0\", \"datastore\": \"a\"}, {\"key\": \"d1\", \"datastore\": \"b\"},"
    " {\"key\": \"d0\", \"datastore\": \"c\"}]}",
    "disks[2].key", "duplicate disk key \"d0\" (already in disks[0]" },
  { "{\"disks\": [{\"key\": \"d0\", \"datastore\": \"a\", \"move-type\": \"move-everything\"}]}",
    "disks[0].move-type",
    "unknown value \"move-everything\" (expected one of: move-all, move-child-most, "
    "create-new-child)" },
  { "{\"disks\": [{\"key\": \"d0\", \"datastore\": \"a\", \"transform\": \"thn\"}]}",
    "disks[0].transform", "(expected one of: none, thin, thick, qcow2, raw)" },
  { "{\"disks\": [{\"key\": \"d0\", \"datastore\": \"a\", \"move-type\": 1}]}",
    "disks[0].move-type", "must be a string, not an integer" },
  { "{\"disks\": [{\"key\": \"d0\", \"datastor\": \"a\"}]}", "disks[0].datastor",
    "did you mean \"datastore\"?" },
  { "{\"disks\": [{\"key\": \"d0\", \"key\": \"d1\", \"datastore\": \"a\"}]}", "disks[0].key",
    "duplicate member" },
  /* networks */
  { "{\"networks\": [\"VM Network\"]}", "networks", "must be an object" },
  { "{\"networks\": {\"VM Network\": 5}}", "networks[\"VM Network\"]",
    "must be a string (the destination network's name), not an integer" },
  { "{\"networks\": {\"\": \"prod-net\"}}", "networks[\"\"]", "empty source network name" },
  { "{\"networks\": {\"VM Network\": \"\"}}", "networks[\"VM Network\"]",
    "empty destination network name" },
  { "{\"networks\": {\"a\": \"b\", \"a\": \"c\"}}", "networks[\"a\"]", "duplicate member" },
  /* enums */
  { "{\"priority\": \"urgent\"}", "priority",
    "unknown value \"urgent\" (expected one of: low, default, high)" },
  { "{\"priority\": 2}", "priority", "must be a string, not an integer" },
  { "{\"migration-type\": \"live\"}", "migration-type", "(expected one of: auto, hot, cold)" },
  { "{\"on-timeout\": \"retry\"}", "on-timeout",
    "(expected one of: abort, force-complete, post-copy, suspend)" },
  /* numbers */
  { "{\"max-downtime-ms\": -5}", "max-downtime-ms", "must not be negative" },
  { "{\"max-downtime-ms\": 2.5}", "max-downtime-ms",
    "must be an integer written without a fraction" },
  { "{\"max-downtime-ms\": 1e3}", "max-downtime-ms",
    "must be an integer written without a fraction" },
  { "{\"max-downtime-ms\": \"300\"}", "max-downtime-ms", "must be an integer, not a string" },
  { "{\"max-downtime-ms\": 600001}", "max-downtime-ms", "600001 is out of range (1..600000" },
  { "{\"max-downtime-ms\": 0}", "max-downtime-ms", "0 is out of range" },
  { "{\"bandwidth-mibps\": 1048577}", "bandwidth-mibps", "out of range (1..1048576 MiB/s)" },
  { "{\"bandwidth-mibps\": true}", "bandwidth-mibps", "must be an integer, not a boolean" },
  { "{\"completion-timeout-s\": 604801}", "completion-timeout-s", "out of range (1..604800" },
  { "{\"parallel-connections\": 65}", "parallel-connections", "out of range (1..64" },
  { "{\"parallel-connections\": 4294967297}", "parallel-connections",
    "4294967297 is out of range" },
  /* booleans */
  { "{\"auto-converge\": \"yes\"}", "auto-converge", "must be a boolean (true or false)" },
  { "{\"compression\": 1}", "compression", "must be a boolean" },
  { "{\"post-copy\": null}", "post-copy", "must be a boolean" },
  /* rules across members */
  { "{\"on-timeout\": \"post-copy\"}", "on-timeout", "needs \"post-copy\": true" },
  { "{\"migration-type\": \"cold\", \"max-downtime-ms\": 300}", "max-downtime-ms",
    "only applies to a live (hot) move, but migration-type is \"cold\"" },
  { "{\"migration-type\": \"cold\", \"auto-converge\": true}", "auto-converge",
    "only applies to a live (hot) move" },
  { "{\"migration-type\": \"cold\", \"post-copy\": true}", "post-copy",
    "only applies to a live (hot) move" },
  { "{\"migration-type\": \"cold\", \"post-copy\": true, \"on-timeout\": \"post-copy\"}",
    "on-timeout", "\"post-copy\" only applies to a live (hot) move" },
};

static void
test_invalid_json (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_specs); i++)
    {
      const InvalidSpec *item = &invalid_specs[i];
      g_autoptr (GError) error = NULL;
      g_autoptr (VmmRelocateSpec) spec = NULL;
      g_autofree char *prefix = g_strdup_printf ("%s: ", item->path);

      g_test_message ("[%u] %s", i, item->json);
      spec = vmm_relocate_spec_new_from_json (item->json, &error);
      g_assert_null (spec);
      g_assert_nonnull (error);
      g_test_message ("    -> %s", error->message);
      g_assert_true (g_error_matches (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC));
      if (!g_str_has_prefix (error->message, prefix)
          || strstr (error->message, item->reason) == NULL)
        g_error ("[%u] %s\n  got:      %s\n  expected: %s... %s", i, item->json, error->message,
                 prefix, item->reason);
    }
  g_assert_cmpuint (G_N_ELEMENTS (invalid_specs), >=, 20);
}

static void
test_invalid_no_secrets (void)
{
  const char *urls[] = {
    "https://admin:hunter2@vc2.example/sdk",
    "https://admin:hunter2@[::1/sdk",
    "gopher://admin:hunter2@vc2.example/",
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
      g_autoptr (VmmServiceLocator) locator = vmm_service_locator_new (urls[i]);
      g_autoptr (GError) error = NULL;

      vmm_relocate_spec_set_service_locator (spec, locator);
      g_assert_false (vmm_relocate_spec_validate (spec, &error));
      g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
      g_assert_true (g_str_has_prefix (error->message, "service-locator.url: "));
      g_assert_null (strstr (error->message, "hunter2"));
    }
}

typedef void (*SpecBreaker) (VmmRelocateSpec *spec);

static void
break_empty_host (VmmRelocateSpec *spec)
{
  vmm_relocate_spec_set_host (spec, "");
}

static void
break_disk_without_datastore (VmmRelocateSpec *spec)
{
  g_autoptr (VmmDiskLocator) disk = g_object_new (VMM_TYPE_DISK_LOCATOR, "key", "disk-1", NULL);
  vmm_relocate_spec_add_disk (spec, disk);
}

static void
break_disk_without_key (VmmRelocateSpec *spec)
{
  g_autoptr (VmmDiskLocator) disk = g_object_new (VMM_TYPE_DISK_LOCATOR, "datastore", "ds-1", NULL);
  vmm_relocate_spec_add_disk (spec, disk);
}

static void
break_duplicate_disk (VmmRelocateSpec *spec)
{
  /* add_disk() replaces; the array itself can still be abused */
  g_ptr_array_add (vmm_relocate_spec_get_disks (spec), vmm_disk_locator_new ("disk-0", "ds-9"));
}

static void
break_url (VmmRelocateSpec *spec)
{
  g_autoptr (VmmServiceLocator) locator = vmm_service_locator_new ("sftp://vc2.example/sdk");
  vmm_relocate_spec_set_service_locator (spec, locator);
}

static void
break_thumbprint (VmmRelocateSpec *spec)
{
  g_autoptr (VmmServiceLocator) locator = vmm_service_locator_new ("https://vc2.example/sdk");
  vmm_service_locator_set_ssl_thumbprint (locator, "AB:CD:EF");
  vmm_relocate_spec_set_service_locator (spec, locator);
}

static void
break_credential (VmmRelocateSpec *spec)
{
  g_autoptr (VmmServiceLocator) locator = vmm_service_locator_new ("https://vc2.example/sdk");
  vmm_service_locator_set_credential (locator, "");
  vmm_relocate_spec_set_service_locator (spec, locator);
}

static void
break_network (VmmRelocateSpec *spec)
{
  vmm_relocate_spec_add_network_map (spec, "VM Network", "");
}

static void
break_downtime (VmmRelocateSpec *spec)
{
  vmm_relocate_spec_set_max_downtime_ms (spec, 600001);
}

static void
break_bandwidth (VmmRelocateSpec *spec)
{
  vmm_relocate_spec_set_bandwidth_mibps (spec, G_MAXUINT);
}

static void
break_timeout (VmmRelocateSpec *spec)
{
  vmm_relocate_spec_set_completion_timeout_s (spec, 604801);
}

static void
break_parallel (VmmRelocateSpec *spec)
{
  vmm_relocate_spec_set_parallel_connections (spec, 100);
}

static void
break_on_timeout (VmmRelocateSpec *spec)
{
  vmm_relocate_spec_set_on_timeout (spec, VMM_ON_TIMEOUT_POST_COPY);
}

static void
break_cold_post_copy (VmmRelocateSpec *spec)
{
  vmm_relocate_spec_set_migration_type (spec, VMM_MIGRATION_PREFERENCE_COLD);
  vmm_relocate_spec_set_post_copy (spec, TRUE);
}

static void
break_cold_downtime (VmmRelocateSpec *spec)
{
  vmm_relocate_spec_set_migration_type (spec, VMM_MIGRATION_PREFERENCE_COLD);
  vmm_relocate_spec_set_max_downtime_ms (spec, 100);
}

static void
test_validate (void)
{
  const struct
  {
    SpecBreaker breaker;
    const char *path;
    const char *reason;
  } cases[] = {
    { break_empty_host, "host", "empty string" },
    { break_disk_without_datastore, "disks[1].datastore",
      "missing (each disk locator needs a target datastore)" },
    { break_disk_without_key, "disks[1].key", "missing" },
    { break_duplicate_disk, "disks[1].key", "duplicate disk key \"disk-0\"" },
    { break_url, "service-locator.url", "unsupported scheme \"sftp\"" },
    { break_thumbprint, "service-locator.ssl-thumbprint", "3 bytes" },
    { break_credential, "service-locator.credential", "empty string" },
    { break_network, "networks[\"VM Network\"]", "empty destination network name" },
    { break_downtime, "max-downtime-ms", "600001 is out of range" },
    { break_bandwidth, "bandwidth-mibps", "out of range" },
    { break_timeout, "completion-timeout-s", "out of range" },
    { break_parallel, "parallel-connections", "100 is out of range (1..64 connections)" },
    { break_on_timeout, "on-timeout", "needs \"post-copy\": true" },
    { break_cold_post_copy, "post-copy", "only applies to a live (hot) move" },
    { break_cold_downtime, "max-downtime-ms", "only applies to a live (hot) move" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
      g_autoptr (VmmDiskLocator) disk = vmm_disk_locator_new ("disk-0", "ds-3");
      g_autoptr (GError) error = NULL;
      g_autofree char *prefix = g_strdup_printf ("%s: ", cases[i].path);

      /* a valid spec, then one thing wrong */
      vmm_relocate_spec_set_host (spec, "esx-02");
      vmm_relocate_spec_add_disk (spec, disk);
      g_assert_true (vmm_relocate_spec_validate (spec, NULL));
      cases[i].breaker (spec);

      g_assert_false (vmm_relocate_spec_validate (spec, &error));
      g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
      g_test_message ("[%u] %s", i, error->message);
      g_assert_true (g_str_has_prefix (error->message, prefix));
      g_assert_nonnull (strstr (error->message, cases[i].reason));
    }
}

static void
test_validate_same_rules (void)
{
  /* the API and the document get the same message for the same mistake */
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
  g_autoptr (VmmRelocateSpec) parsed = NULL;
  g_autoptr (VmmDiskLocator) disk = g_object_new (VMM_TYPE_DISK_LOCATOR, "key", "disk-0", NULL);
  g_autoptr (GError) error_api = NULL;
  g_autoptr (GError) error_json = NULL;

  vmm_relocate_spec_add_disk (spec, disk);
  g_assert_false (vmm_relocate_spec_validate (spec, &error_api));
  parsed = vmm_relocate_spec_new_from_json ("{\"disks\": [{\"key\": \"disk-0\"}]}", &error_json);
  g_assert_null (parsed);
  g_assert_nonnull (error_api);
  g_assert_nonnull (error_json);
  g_assert_cmpstr (error_api->message, ==, error_json->message);

  /* 0 is "the backend's default" through the API, but not a value in JSON */
  g_clear_object (&spec);
  spec = vmm_relocate_spec_new ();
  vmm_relocate_spec_set_parallel_connections (spec, 0);
  g_assert_true (vmm_relocate_spec_validate (spec, NULL));
}

static void
test_thumbprints (void)
{
  const char *good[] = {
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01",
    "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01",
    /* SHA-256 */
    ("00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
     "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"),
  };
  const char *bad[] = {
    "",
    "AB",
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23",
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:",
    "AB-CD-EF-01-23-45-67-89-AB-CD-EF-01-23-45-67-89-AB-CD-EF-01",
    "ABC:D:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01",
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF: 1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good) + G_N_ELEMENTS (bad); i++)
    {
      gboolean ok = i < G_N_ELEMENTS (good);
      const char *thumbprint = ok ? good[i] : bad[i - G_N_ELEMENTS (good)];
      g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
      g_autoptr (VmmServiceLocator) locator = vmm_service_locator_new ("https://vc2/sdk");
      g_autoptr (GError) error = NULL;

      vmm_service_locator_set_ssl_thumbprint (locator, thumbprint);
      vmm_relocate_spec_set_service_locator (spec, locator);
      g_assert_cmpint (vmm_relocate_spec_validate (spec, &error), ==, ok);
      if (!ok)
        {
          g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
          g_assert_true (g_str_has_prefix (error->message, "service-locator.ssl-thumbprint: "));
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/relocate-spec/defaults", test_defaults);
  g_test_add_func ("/relocate-spec/json/full", test_json_full);
  g_test_add_func ("/relocate-spec/json/booleans-independent", test_json_booleans_independent);
  g_test_add_func ("/relocate-spec/json/minimal", test_json_minimal);
  g_test_add_func ("/relocate-spec/json/examples", test_json_examples);
  g_test_add_func ("/relocate-spec/json/canonical", test_json_canonical);
  g_test_add_func ("/relocate-spec/json/unicode", test_json_unicode);
  g_test_add_func ("/relocate-spec/json/invalid", test_invalid_json);
  g_test_add_func ("/relocate-spec/json/no-secrets", test_invalid_no_secrets);
  g_test_add_func ("/relocate-spec/properties", test_properties_notify);
  g_test_add_func ("/relocate-spec/locators", test_locators);
  g_test_add_func ("/relocate-spec/copy", test_copy);
  g_test_add_func ("/relocate-spec/is-empty", test_is_empty);
  g_test_add_func ("/relocate-spec/disks-and-networks", test_disks_and_networks);
  g_test_add_func ("/relocate-spec/validate", test_validate);
  g_test_add_func ("/relocate-spec/validate/same-rules", test_validate_same_rules);
  g_test_add_func ("/relocate-spec/validate/thumbprints", test_thumbprints);

  return g_test_run ();
}
