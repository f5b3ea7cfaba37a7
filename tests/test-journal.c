/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <sqlite3.h>

#include <sys/wait.h>

#include <json-glib/json-glib.h>

#include "vmm-test-utils.h"

static void
remove_db (char *path);

static char *
temp_db (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vmm-journal-XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, "journal.db", NULL);
  g_test_queue_destroy ((GDestroyNotify)remove_db, g_strdup (path));
  return path;
}

/* Removes the database, its WAL files and the directory. */
static void
remove_db (char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
  g_free (path);
}

static GPtrArray *
kinds_of (GPtrArray *records)
{
  GPtrArray *kinds = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < records->len; i++)
    {
      VmmJournalRecord *r = g_ptr_array_index (records, i);
      g_autoptr (JsonNode) node = json_from_string (vmm_journal_record_get_data (r), NULL);
      JsonObject *obj = json_node_get_object (node);

      if (json_object_has_member (obj, "action"))
        g_ptr_array_add (kinds, g_strdup_printf ("%s:%s", vmm_journal_record_get_kind (r),
                                                 json_object_get_string_member (obj, "action")));
      else
        g_ptr_array_add (kinds, g_strdup (vmm_journal_record_get_kind (r)));
    }
  return kinds;
}

static void
check_write_ahead (GPtrArray *kinds)
{
  /* every action's intent is on record before its completion, in order */
  for (guint i = 0; i < kinds->len; i++)
    {
      const char *k = g_ptr_array_index (kinds, i);

      if (g_str_has_prefix (k, "action-done:") || g_str_has_prefix (k, "action-failed:"))
        {
          const char *name = strchr (k, ':') + 1;
          guint j = i - 1;
          const char *prev;

          /* what the backend recorded for recovery while the action ran */
          while (j > 0 && g_str_has_prefix (g_ptr_array_index (kinds, j), "recovery-data:"))
            j--;
          prev = g_ptr_array_index (kinds, j);

          g_assert_true (g_str_has_prefix (prev, "action:"));
          g_assert_cmpstr (strchr (prev, ':') + 1, ==, name);
        }
    }
}

static void
test_journal_records_a_run (void)
{
  g_autofree char *path = temp_db ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmJournal) journal = vmm_journal_new_sqlite (path, &error);
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"host\": \"h2\"}");
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GPtrArray) kinds = NULL;
  g_autoptr (JsonNode) first = NULL;
  g_auto (GStrv) unfinished = NULL;
  const char *id;

  g_assert_no_error (error);
  vmm_engine_set_journal (engine, journal);
  m = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, NULL);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_no_error (error);

  /* nothing is left unfinished */
  unfinished = vmm_journal_list_unfinished (journal, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (unfinished), ==, 0);

  records = vmm_journal_list_records (journal, vmm_migration_get_journal_id (m), &error);
  g_assert_no_error (error);
  kinds = kinds_of (records);
  g_assert_cmpstr (g_ptr_array_index (kinds, 0), ==, "migration");
  g_assert_cmpstr (g_ptr_array_index (kinds, 1), ==, "action:InvokePrechecks");
  g_assert_cmpstr (g_ptr_array_index (kinds, 2), ==, "action-done:InvokePrechecks");
  g_assert_cmpstr (g_ptr_array_index (kinds, kinds->len - 1), ==, "outcome");
  check_write_ahead (kinds);
  /* 12 actions, each an intent and a completion, plus the migration and its
   * outcome, plus the VM as it was, which the backend recorded before its
   * first change (PrepareSource) */
  g_assert_cmpuint (records->len, ==, 2 + 2 * 12 + 1);
  for (guint i = 0; i < kinds->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (kinds, i), "recovery-data"))
      {
        g_assert_cmpstr (g_ptr_array_index (kinds, i), ==, "recovery-data:PrepareSource");
        g_assert_cmpstr (g_ptr_array_index (kinds, i - 1), ==, "action:PrepareSource");
        g_assert_nonnull (
            strstr (vmm_journal_record_get_data (g_ptr_array_index (records, i)), "before"));
      }
  first = json_from_string (vmm_journal_record_get_data (g_ptr_array_index (records, 0)), NULL);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (first), "vm"), ==, "hot1");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (first), "destination-host"),
                   ==, "h2");
  id = vmm_journal_record_get_migration_id (g_ptr_array_index (records, 0));
  g_assert_cmpstr (id, ==, vmm_migration_get_journal_id (m));
}

static void
test_journal_records_undo (void)
{
  g_autoptr (VmmJournal) journal = vmm_journal_new_memory ();
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"host\": \"h2\"}");
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GPtrArray) kinds = NULL;
  g_autoptr (JsonNode) outcome = NULL;

  vmm_engine_set_journal (engine, journal);
  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_INITIATE_SOURCE, VMM_SIM_FAULT_FAIL,
                                VMM_ERROR_BACKEND, 1);
  m = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, NULL);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  records = vmm_journal_list_records (journal, vmm_migration_get_journal_id (m), NULL);
  kinds = kinds_of (records);
  check_write_ahead (kinds);
  /* the failure, then the undo of each completed backend step, newest first */
  {
    g_autofree char *joined = NULL;
    g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
    g_auto (GStrv) strv = NULL;

    for (guint i = 0; i < kinds->len; i++)
      g_strv_builder_add (b, g_ptr_array_index (kinds, i));
    strv = g_strv_builder_end (b);
    joined = g_strjoinv (" ", strv);
    g_assert_nonnull (strstr (joined, "action-failed:InitiateSource undo:InitiateDestination "
                                      "undo-done:InitiateDestination undo:PrepareDestination "
                                      "undo-done:PrepareDestination undo:PrepareSource "
                                      "undo-done:PrepareSource outcome"));
  }
  outcome = json_from_string (
      vmm_journal_record_get_data (g_ptr_array_index (records, records->len - 1)), NULL);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (outcome), "state"), ==,
                   "failed");
  g_assert_false (json_object_get_boolean_member (json_node_get_object (outcome), "moved"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (outcome), "host"), ==,
                   "h1");
}

/* Write-ahead survives kill -9: a child runs a migration that hangs inside
 * InitiateSource; once the journal holds that intent, the parent kills it. */
static void
child_run (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmJournal) journal = vmm_journal_new_sqlite (path, &error);
  g_autofree char *inventory
      = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "data", "inventory.json", NULL);
  g_autofree char *json = NULL;
  g_autoptr (VmmBackend) backend = NULL;
  VmmSimBackend *sim;
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new_from_json ("{\"host\": \"h2\"}", NULL);
  g_autoptr (VmmMigration) m = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (inventory, &json, NULL, NULL));
  backend = vmm_sim_backend_new_from_json (json, NULL);
  sim = VMM_SIM_BACKEND (backend);
  vmm_engine_set_journal (engine, journal);
  vmm_sim_backend_inject_fault (sim, "hot1", VMM_STEP_INITIATE_SOURCE, VMM_SIM_FAULT_HANG,
                                VMM_ERROR_BACKEND, -1);
  m = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, NULL);
  vmm_migration_run_sync (m, NULL, NULL);
  g_assert_not_reached ();
}

static void
test_journal_survives_kill (void)
{
  g_autofree char *path = temp_db ();
  g_autoptr (GError) error = NULL;
  const char *argv[] = { NULL, "--child", NULL, NULL };
  GPid pid;
  gboolean seen = FALSE;

  argv[0] = g_test_get_filename (G_TEST_BUILT, "test-journal", NULL);
  argv[2] = path;
  g_assert_true (
      g_spawn_async (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  for (guint tries = 0; tries < 500 && !seen; tries++)
    {
      g_autoptr (VmmJournal) journal = NULL;
      g_autoptr (GPtrArray) records = NULL;

      g_usleep (10000);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      journal = vmm_journal_new_sqlite (path, NULL);
      records = journal != NULL ? vmm_journal_list_records (journal, NULL, NULL) : NULL;
      /* the "migration" record lists the whole plan, InitiateSource included:
       * wait for the action record itself */
      for (guint i = 0; records != NULL && i < records->len; i++)
        {
          VmmJournalRecord *r = g_ptr_array_index (records, i);

          if (g_strcmp0 (vmm_journal_record_get_kind (r), "action") == 0
              && strstr (vmm_journal_record_get_data (r), "\"InitiateSource\"") != NULL)
            seen = TRUE;
        }
    }
  g_assert_true (seen);
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);

  /* a new process reads what the dead one was doing */
  {
    g_autoptr (VmmJournal) journal = vmm_journal_new_sqlite (path, &error);
    g_auto (GStrv) unfinished = vmm_journal_list_unfinished (journal, &error);
    g_autoptr (GPtrArray) records = NULL;
    VmmJournalRecord *last;

    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (unfinished), ==, 1);
    records = vmm_journal_list_records (journal, unfinished[0], &error);
    last = g_ptr_array_index (records, records->len - 1);
    g_assert_cmpstr (vmm_journal_record_get_kind (last), ==, "action");
    g_assert_nonnull (strstr (vmm_journal_record_get_data (last), "\"InitiateSource\""));
    /* the dead engine's lock on the VM is still there for recovery to resolve */
    g_assert_false (vmm_journal_lock_vm (journal, "backend/hot1", "someone-else", NULL));
  }
}

static void
test_journal_locks (void)
{
  g_autofree char *path = temp_db ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmJournal) a = vmm_journal_new_sqlite (path, &error);
  g_autoptr (VmmJournal) b = vmm_journal_new_sqlite (path, &error);

  g_assert_no_error (error);
  g_assert_true (vmm_journal_lock_vm (a, "x/vm1", "engine-a", &error));
  g_assert_true (vmm_journal_lock_vm (a, "x/vm1", "engine-a", &error));
  g_assert_false (vmm_journal_lock_vm (b, "x/vm1", "engine-b", &error));
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BUSY);
  g_clear_error (&error);
  vmm_journal_unlock_vm (b, "x/vm1", "engine-b"); /* not the holder: no effect */
  g_assert_false (vmm_journal_lock_vm (b, "x/vm1", "engine-b", NULL));
  vmm_journal_unlock_vm (a, "x/vm1", "engine-a");
  g_assert_true (vmm_journal_lock_vm (b, "x/vm1", "engine-b", &error));
}

static void
test_journal_busy_vm_across_engines (void)
{
  g_autofree char *path = temp_db ();
  g_autoptr (VmmJournal) journal = vmm_journal_new_sqlite (path, NULL);
  g_autoptr (VmmSimBackend) sim = vmm_test_sim_new ();
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec ("{\"host\": \"h2\"}");
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;

  /* another engine sharing the journal holds the VM */
  key = g_strdup_printf ("%s/hot1", vmm_backend_get_uri (VMM_BACKEND (sim)) != NULL
                                        ? vmm_backend_get_uri (VMM_BACKEND (sim))
                                        : "backend");
  g_assert_true (vmm_journal_lock_vm (journal, key, "engine-elsewhere", NULL));
  vmm_engine_set_journal (engine, journal);
  m = vmm_engine_create_migration (engine, VMM_BACKEND (sim), "hot1", spec, NULL);
  result = vmm_migration_run_sync (m, NULL, &error);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "engine-elsewhere"));
  vmm_test_assert_one_place (sim, "hot1", "h1");
  g_assert_cmpuint (vmm_sim_backend_get_step_count (sim), ==, 0);
}

static void
test_journal_format_refused (void)
{
  g_autofree char *path = temp_db ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmJournal) journal = vmm_journal_new_sqlite (path, &error);
  g_autoptr (VmmJournal) again = NULL;
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (journal);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (
      sqlite3_exec (db, "UPDATE meta SET value = 99 WHERE key = 'format'", NULL, NULL, NULL), ==,
      SQLITE_OK);
  sqlite3_close (db);
  again = vmm_journal_new_sqlite (path, &error);
  g_assert_null (again);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "format 99"));
}

/* Group commit: a completion ("action-done", ...) waits in memory for the
 * next record that must be durable (an intent, a migration, an outcome), and
 * is committed with it, ahead of it. Another handle on the file shows what a
 * crash would leave. */
static void
test_journal_completions_wait_for_next_intent (void)
{
  g_autofree char *path = temp_db ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmJournal) writer = vmm_journal_new_sqlite (path, &error);
  g_autoptr (VmmJournal) reader = vmm_journal_new_sqlite (path, &error);
  g_autoptr (GPtrArray) seen = NULL;
  g_autoptr (GPtrArray) kinds = NULL;

  g_assert_no_error (error);
  g_assert_true (vmm_journal_append (writer, "m1", "migration", "{\"vm\": \"a\"}", &error));
  g_assert_true (vmm_journal_append (writer, "m1", "action", "{\"action\": \"A\"}", &error));
  /* an intent is in the file when append returns */
  seen = vmm_journal_list_records (reader, "m1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, 2);
  g_clear_pointer (&seen, g_ptr_array_unref);

  /* a completion is not, yet */
  g_assert_true (vmm_journal_append (writer, "m1", "action-done", "{\"action\": \"A\"}", &error));
  g_assert_true (vmm_journal_append (writer, "m2", "undo-done", "{\"action\": \"U\"}", &error));
  seen = vmm_journal_list_records (reader, NULL, &error);
  g_assert_cmpuint (seen->len, ==, 2);
  g_clear_pointer (&seen, g_ptr_array_unref);

  /* the next intent, of any migration, takes them along, in order */
  g_assert_true (vmm_journal_append (writer, "m3", "action", "{\"action\": \"B\"}", &error));
  seen = vmm_journal_list_records (reader, NULL, &error);
  kinds = kinds_of (seen);
  g_assert_cmpuint (kinds->len, ==, 5);
  g_assert_cmpstr (g_ptr_array_index (kinds, 2), ==, "action-done:A");
  g_assert_cmpstr (g_ptr_array_index (kinds, 3), ==, "undo-done:U");
  g_assert_cmpstr (g_ptr_array_index (kinds, 4), ==, "action:B");
  for (guint i = 1; i < seen->len; i++)
    g_assert_cmpuint (vmm_journal_record_get_sequence (g_ptr_array_index (seen, i - 1)), <,
                      vmm_journal_record_get_sequence (g_ptr_array_index (seen, i)));
  g_assert_cmpstr (vmm_journal_record_get_migration_id (g_ptr_array_index (seen, 3)), ==, "m2");
  g_clear_pointer (&seen, g_ptr_array_unref);

  /* the writer's own reads see what it holds back */
  g_assert_true (vmm_journal_append (writer, "m3", "action-failed", "{\"action\": \"B\"}", &error));
  seen = vmm_journal_list_records (writer, "m3", &error);
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpstr (vmm_journal_record_get_kind (g_ptr_array_index (seen, 1)), ==, "action-failed");
  g_clear_pointer (&seen, g_ptr_array_unref);

  /* an outcome commits what waits and ends the migration; releasing a lock
   * and closing the store commit what waits, too */
  g_assert_true (vmm_journal_append (writer, "m1", "action-done", "{\"action\": \"C\"}", &error));
  g_assert_true (
      vmm_journal_append (writer, "m1", "outcome", "{\"state\": \"succeeded\"}", &error));
  seen = vmm_journal_list_records (reader, "m1", &error);
  g_assert_cmpuint (seen->len, ==, 5);
  g_assert_cmpstr (vmm_journal_record_get_kind (g_ptr_array_index (seen, 3)), ==, "action-done");
  g_assert_cmpstr (vmm_journal_record_get_kind (g_ptr_array_index (seen, 4)), ==, "outcome");
  g_clear_pointer (&seen, g_ptr_array_unref);
  {
    g_auto (GStrv) unfinished = vmm_journal_list_unfinished (reader, &error);

    g_assert_no_error (error);
    g_assert_false (g_strv_contains ((const char *const *)unfinished, "m1"));
  }
  g_assert_true (vmm_journal_lock_vm (writer, "x/vm", "me", &error));
  g_assert_true (vmm_journal_append (writer, "m2", "undo-done", "{\"action\": \"V\"}", &error));
  vmm_journal_unlock_vm (writer, "x/vm", "me");
  seen = vmm_journal_list_records (reader, "m2", &error);
  g_assert_cmpuint (seen->len, ==, 2);
  g_clear_pointer (&seen, g_ptr_array_unref);
  g_assert_true (vmm_journal_lock_vm (reader, "x/vm", "other", &error));
  g_assert_true (vmm_journal_append (writer, "m2", "undo-failed", "{\"action\": \"W\"}", &error));
  g_clear_object (&writer);
  seen = vmm_journal_list_records (reader, "m2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, 3);
  g_assert_cmpstr (vmm_journal_record_get_kind (g_ptr_array_index (seen, 2)), ==, "undo-failed");
}

/* kill -9 with completions held back: every intent is there, the held-back
 * completion is lost, and nothing the process did not write appears. */
static void
child_buffered (const char *path, const char *marker)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmJournal) journal = vmm_journal_new_sqlite (path, &error);

  g_assert_no_error (error);
  g_assert_true (vmm_journal_append (journal, "m", "migration", "{\"vm\": \"a\"}", &error));
  g_assert_true (vmm_journal_append (journal, "m", "action", "{\"action\": \"A\"}", &error));
  g_assert_true (vmm_journal_append (journal, "m", "action-done", "{\"action\": \"A\"}", &error));
  g_assert_true (vmm_journal_append (journal, "m", "action", "{\"action\": \"B\"}", &error));
  g_assert_true (vmm_journal_append (journal, "m", "action-done", "{\"action\": \"B\"}", &error));
  g_assert_true (g_file_set_contents (marker, "", 0, &error));
  for (;;)
    g_usleep (G_USEC_PER_SEC);
}

static void
test_journal_kill_with_completions_waiting (void)
{
  g_autofree char *path = temp_db ();
  g_autofree char *marker = g_strconcat (path, "-ready", NULL);
  g_autoptr (GError) error = NULL;
  const char *argv[] = { NULL, "--child-buffered", NULL, NULL, NULL };
  GPid pid;

  argv[0] = g_test_get_filename (G_TEST_BUILT, "test-journal", NULL);
  argv[2] = path;
  argv[3] = marker;
  g_assert_true (
      g_spawn_async (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  for (guint tries = 0; tries < 1000 && !g_file_test (marker, G_FILE_TEST_EXISTS); tries++)
    g_usleep (10000);
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  g_unlink (marker);
  {
    g_autoptr (VmmJournal) journal = vmm_journal_new_sqlite (path, &error);
    g_autoptr (GPtrArray) records = vmm_journal_list_records (journal, "m", &error);
    g_autoptr (GPtrArray) kinds = NULL;
    g_auto (GStrv) unfinished = vmm_journal_list_unfinished (journal, &error);

    g_assert_no_error (error);
    kinds = kinds_of (records);
    g_assert_cmpuint (kinds->len, ==, 4);
    g_assert_cmpstr (g_ptr_array_index (kinds, 0), ==, "migration");
    g_assert_cmpstr (g_ptr_array_index (kinds, 1), ==, "action:A");
    g_assert_cmpstr (g_ptr_array_index (kinds, 2), ==, "action-done:A");
    /* B's intent survives; its completion, held back, is lost: recovery
     * sees an action that may or may not have happened and asks the backend */
    g_assert_cmpstr (g_ptr_array_index (kinds, 3), ==, "action:B");
    g_assert_cmpuint (g_strv_length (unfinished), ==, 1);
    g_assert_cmpstr (unfinished[0], ==, "m");
  }
}

int
main (int argc, char **argv)
{
  if (argc == 3 && g_strcmp0 (argv[1], "--child") == 0)
    {
      child_run (argv[2]);
      return 1;
    }
  if (argc == 4 && g_strcmp0 (argv[1], "--child-buffered") == 0)
    {
      child_buffered (argv[2], argv[3]);
      return 1;
    }
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/journal/records-a-run", test_journal_records_a_run);
  g_test_add_func ("/journal/records-undo", test_journal_records_undo);
  g_test_add_func ("/journal/survives-kill", test_journal_survives_kill);
  g_test_add_func ("/journal/locks", test_journal_locks);
  g_test_add_func ("/journal/busy-vm-across-engines", test_journal_busy_vm_across_engines);
  g_test_add_func ("/journal/format-refused", test_journal_format_refused);
  g_test_add_func ("/journal/completions-wait-for-next-intent",
                   test_journal_completions_wait_for_next_intent);
  g_test_add_func ("/journal/kill-with-completions-waiting",
                   test_journal_kill_with_completions_waiting);
  return g_test_run ();
}
