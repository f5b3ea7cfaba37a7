/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-test-utils.h"

#include <signal.h>
#include <sys/wait.h>

/* kill -9 at every journal point, recovery in a new process.
 *
 * A child process runs one migration on a sim platform that persists its
 * state to a file (sim:///FILE?persist=true, as a real platform outlives the
 * engine) with a SQLite journal, and kills itself with SIGKILL right after
 * its Nth journal record is durable. The parent then opens the platform and
 * the journal as a new engine would, recovers, and checks that the VM is in
 * exactly one place — the one the recovery names —, that nothing the move
 * created is left and that the journal has nothing unfinished. N runs from
 * the first record until the child finishes without being killed. */

typedef struct
{
  const char *name;
  const char *vm;
  const char *spec;
  VmmStep fail_step; /* VMM_STEP_LAST: none; else the move fails there and is undone */
  const char *source;
  const char *destination;
} MatrixCase;

static const MatrixCase cases[] = {
  { "hot-host", "hot1", "{\"host\": \"h2\"}", VMM_STEP_LAST, "h1", "h2" },
  { "hot-host-and-storage", "hot1", "{\"host\": \"h2\", \"datastore\": \"shared2\"}", VMM_STEP_LAST,
    "h1", "h2" },
  { "hot-storage", "hot1", "{\"datastore\": \"shared2\"}", VMM_STEP_LAST, "h1", "h1" },
  { "cold-host-and-storage", "cold1", "{\"host\": \"h2\", \"datastore\": \"shared2\"}",
    VMM_STEP_LAST, "h1", "h2" },
  { "cold-restart", "hot1",
    "{\"host\": \"h2\", \"migration-type\": \"cold\", \"fallback-cold\": true}", VMM_STEP_LAST,
    "h1", "h2" },
  { "hot-host-failing-and-undone", "hot1", "{\"host\": \"h2\", \"datastore\": \"shared2\"}",
    VMM_STEP_INITIATE_SOURCE, "h1", "h2" },
};

/* --- the child --- */

static gboolean (*real_append) (VmmJournal *, const char *, const char *, const char *, GError **);
static guint kill_at;
static guint appended;

static gboolean
append_then_die (VmmJournal *journal, const char *id, const char *kind, const char *data,
                 GError **error)
{
  gboolean ok = real_append (journal, id, kind, data, error);

  if (++appended == kill_at)
    kill (getpid (), SIGKILL);
  return ok;
}

static int
child_main (const char *db, const char *state, guint case_index, guint n)
{
  const MatrixCase *c = &cases[case_index];
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmJournal) journal = vmm_journal_new_sqlite (db, &error);
  g_autofree char *uri = g_strdup_printf ("sim://%s?persist=true", state);
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new_from_json (c->spec, &error);
  g_autoptr (VmmMigration) m = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;

  if (journal == NULL || spec == NULL || (backend = vmm_backend_open (uri, NULL, &error)) == NULL)
    {
      g_printerr ("child: %s\n", error->message);
      return 2;
    }
  if (c->fail_step != VMM_STEP_LAST)
    vmm_sim_backend_inject_fault (VMM_SIM_BACKEND (backend), c->vm, c->fail_step,
                                  VMM_SIM_FAULT_FAIL, VMM_ERROR_BACKEND, -1);
  /* the journal's own append, counted */
  real_append = VMM_JOURNAL_GET_CLASS (journal)->append;
  VMM_JOURNAL_GET_CLASS (journal)->append = append_then_die;
  kill_at = n;
  vmm_engine_set_journal (engine, journal);
  m = vmm_engine_create_migration (engine, backend, c->vm, spec, &error);
  if (m == NULL)
    {
      g_printerr ("child: %s\n", error->message);
      return 2;
    }
  result = vmm_migration_run_sync (m, NULL, &error);
  /* not killed: the move ended; the parent checks the end state */
  return 0;
}

/* --- the parent --- */

static char *
fresh_platform (const char *dir)
{
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "data", "inventory.json", NULL);
  g_autofree char *json = NULL;
  char *path = g_build_filename (dir, "platform.json", NULL);

  g_assert_true (g_file_get_contents (src, &json, NULL, NULL));
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  return path;
}

static void
remove_tree (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (dir);
}

static VmmPowerState
power_of (VmmBackend *backend, const char *vm)
{
  g_autoptr (VmmInventory) inventory = vmm_backend_query_inventory (backend, NULL, NULL);

  return vmm_vm_info_get_power_state (vmm_inventory_lookup_vm (inventory, vm));
}

/* Runs the child until its Nth record; TRUE when it was killed there. */
static gboolean
run_child (guint case_index, guint n, const char *db, const char *state)
{
  g_autofree char *self = g_test_build_filename (G_TEST_BUILT, "test-crash-matrix", NULL);
  g_autofree char *ci = g_strdup_printf ("%u", case_index);
  g_autofree char *ns = g_strdup_printf ("%u", n);
  const char *argv[] = { self, "--child", db, state, ci, ns, NULL };
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                               &status, &error));
  g_assert_no_error (error);
  if (WIFSIGNALED (status))
    {
      g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
      return TRUE;
    }
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  return FALSE;
}

static void
test_kill_at_every_record (gconstpointer data)
{
  guint case_index = GPOINTER_TO_UINT (data);
  const MatrixCase *c = &cases[case_index];
  guint n, rolled_back = 0, finished = 0, clean = 0;
  gboolean killed = TRUE;

  for (n = 1; killed; n++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("vmm-crash-XXXXXX", &error);
      g_autofree char *db = g_build_filename (dir, "journal.db", NULL);
      g_autofree char *state = fresh_platform (dir);
      g_autofree char *uri = g_strdup_printf ("sim://%s?persist=true", state);
      g_autoptr (VmmJournal) journal = NULL;
      g_autoptr (VmmBackend) backend = NULL;
      g_autoptr (VmmEngine) engine = vmm_engine_new ();
      g_autoptr (GPtrArray) entries = NULL;
      g_auto (GStrv) unfinished = NULL;
      g_auto (GStrv) places = NULL;
      VmmTestWait wait = { NULL };
      const char *where;

      g_assert_no_error (error);
      killed = run_child (case_index, n, db, state);

      /* a new process: the platform as the dead one left it, its journal */
      backend = vmm_backend_open (uri, NULL, &error);
      g_assert_no_error (error);
      journal = vmm_journal_new_sqlite (db, &error);
      g_assert_no_error (error);
      vmm_engine_set_journal (engine, journal);
      vmm_engine_recover_async (engine, backend, NULL, vmm_test_wait_cb, &wait);
      entries = vmm_engine_recover_finish (engine, vmm_test_wait (&wait), &error);
      g_object_unref (wait.result);
      g_assert_no_error (error);

      if (entries->len == 0)
        {
          /* killed before the migration was on record, or after its outcome */
          places = vmm_sim_backend_locate_vm (VMM_SIM_BACKEND (backend), c->vm);
          g_assert_cmpuint (g_strv_length (places), ==, 1);
          where = places[0];
          clean++;
        }
      else
        {
          VmmRecoveryEntry *e = g_ptr_array_index (entries, 0);

          g_assert_cmpuint (entries->len, ==, 1);
          if (vmm_recovery_entry_get_outcome (e) == VMM_RECOVERY_NEEDS_ATTENTION)
            g_error ("%s, killed after record %u: needs attention: %s", c->name, n,
                     vmm_recovery_entry_get_facts (e));
          where = vmm_recovery_entry_get_host (e);
          if (vmm_recovery_entry_get_outcome (e) == VMM_RECOVERY_ON_SOURCE)
            {
              g_assert_cmpstr (where, ==, c->source);
              rolled_back++;
            }
          else
            {
              g_assert_cmpstr (where, ==, c->destination);
              finished++;
            }
        }
      /* exactly one place, the one named; nothing left; nothing unfinished */
      vmm_test_assert_one_place (VMM_SIM_BACKEND (backend), c->vm, where);
      if (g_strcmp0 (c->vm, "hot1") == 0)
        g_assert_cmpint (power_of (backend, c->vm), ==, VMM_POWER_STATE_RUNNING);
      unfinished = vmm_journal_list_unfinished (journal, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_strv_length (unfinished), ==, 0);
      g_clear_object (&journal);
      remove_tree (dir);
    }
  g_test_message ("%s: killed at %u journal points: %u rolled back, %u finished, %u needed "
                  "nothing",
                  c->name, n - 2, rolled_back, finished, clean - 1);
  /* both directions were exercised where the move has a switch-over (a
   * cold move has none: until its outcome is on record it is undone) */
  g_assert_cmpuint (rolled_back, >, 0);
  if (c->fail_step == VMM_STEP_LAST && g_str_has_prefix (c->name, "hot-"))
    g_assert_cmpuint (finished, >, 0);
}

int
main (int argc, char **argv)
{
  if (argc == 6 && g_strcmp0 (argv[1], "--child") == 0)
    return child_main (argv[2], argv[3], (guint)g_ascii_strtoull (argv[4], NULL, 10),
                       (guint)g_ascii_strtoull (argv[5], NULL, 10));
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/crash-matrix/%s", cases[i].name);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_kill_at_every_record);
    }
  return g_test_run ();
}
