/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark (not a test): evacuating N running guests (default 20) off kvm-a
 * onto kvm-b through the engine (vmm_engine_evacuate_async(), at most 2
 * moves leaving the host at a time) against the loop an operator writes
 * (seed 001: list the host's VMs, move one at a time, wait for each):
 *
 *   for vm in $(virsh list --name); do
 *     virsh migrate --live --p2p --persistent --undefinesource $vm qemu+tcp://kvm-b/system
 *   done
 *
 * Both timed runs go kvm-a -> kvm-b; the guests are moved back untimed (by
 * an engine evacuation of kvm-b) after each. Which one goes first alternates
 * each round. After every run each guest must run on its target only, its
 * console counter advancing, and the source must hold no definition.
 * Prints the commands, every run's wall time, the medians and their ratio
 * (engine / loop), and how the engine's time splits (planning, moves, the
 * concurrency reached).
 *
 *   meson test -C BUILD --benchmark --suite libvirt bench-libvirt-evacuation
 *   VMM_BENCH_ROUNDS=5 VMM_BENCH_GUESTS=20 BUILD/tests/libvirt/bench-libvirt-evacuation
 *
 * VMM_BENCH_LIMIT sets the engine's max-per-source-host and
 * max-per-destination-host (default 2, the engine's default). VMM_GUEST_MEMORY_MIB
 * (guest.sh) changes the guests' memory (default 128).
 */
#include "lv-peer.h"

static guint n_guests;
static guint limit; /* moves per source and per destination host at a time */
static GStrv names;
static char *names_joined;

static double
since (gint64 start)
{
  return (double)(g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

/* The machine's CPU time (all cores, jiffies) from /proc/stat: busy and
 * total. The cores are shared, so this counts everyone's work. */
typedef struct
{
  guint64 busy;
  guint64 total;
} Cpu;

static Cpu
cpu_now (void)
{
  g_autofree char *stat = NULL;
  g_auto (GStrv) fields = NULL;
  Cpu cpu = { 0, 0 };

  if (!g_file_get_contents ("/proc/stat", &stat, NULL, NULL))
    return cpu;
  *strchr (stat, '\n') = '\0';
  fields = g_strsplit_set (stat, " ", -1);
  /* "cpu  user nice system idle iowait irq softirq steal ..." */
  for (guint i = 1, col = 0; fields[i] != NULL; i++)
    {
      guint64 v;

      if (*fields[i] == '\0')
        continue;
      v = g_ascii_strtoull (fields[i], NULL, 10);
      cpu.total += v;
      if (col != 3 && col != 4)
        cpu.busy += v;
      col++;
    }
  return cpu;
}

/* cores busy on average since @then */
static double
cores_busy (Cpu then)
{
  Cpu now = cpu_now ();

  return now.total > then.total
             ? (double)(now.busy - then.busy) / (now.total - then.total) * g_get_num_processors ()
             : 0;
}

/* --- the engine's side: one evacuation, and when each of its moves ran --- */

typedef struct
{
  gint64 created;
  gint64 running; /* got its concurrency slots */
  gint64 ended;
  gint64 action_start;
  /* after running: the first action's start, the last one's end, their sum */
  gint64 first_action;
  gint64 last_action_end;
  gint64 in_actions;
} MoveTimes;

static void
on_move_state (VmmMigration *m, VmmMigrationState old_state, VmmMigrationState new_state,
               MoveTimes *t)
{
  if (new_state == VMM_MIGRATION_STATE_RUNNING && t->running == 0)
    t->running = g_get_monotonic_time ();
  if (new_state >= VMM_MIGRATION_STATE_SUCCEEDED)
    t->ended = g_get_monotonic_time ();
}

/* seconds spent in each action, summed over the moves: action name -> double */
static GHashTable *action_secs;

static void
on_move_action_started (VmmMigration *m, VmmAction *action, MoveTimes *t)
{
  t->action_start = g_get_monotonic_time ();
}

static void
on_move_action_finished (VmmMigration *m, VmmAction *action, const GError *error, MoveTimes *t)
{
  const char *name = vmm_action_get_name (action);
  gint64 now = g_get_monotonic_time ();
  double *sum = g_hash_table_lookup (action_secs, name);

  if (sum == NULL)
    {
      sum = g_new0 (double, 1);
      g_hash_table_insert (action_secs, g_strdup (name), sum);
    }
  *sum += (double)(now - t->action_start) / G_USEC_PER_SEC;
  if (t->running != 0)
    {
      if (t->first_action == 0)
        t->first_action = t->action_start;
      t->last_action_end = now;
      t->in_actions += now - t->action_start;
    }
}

static void
on_move_created (VmmEngine *engine, VmmMigration *m, GPtrArray *times)
{
  MoveTimes *t = g_new0 (MoveTimes, 1);

  t->created = g_get_monotonic_time ();
  g_ptr_array_add (times, t);
  g_signal_connect (m, "state-changed", G_CALLBACK (on_move_state), t);
  g_signal_connect (m, "action-started", G_CALLBACK (on_move_action_started), t);
  g_signal_connect (m, "action-finished", G_CALLBACK (on_move_action_finished), t);
}

/* the actions taking 2 ms or more per move on average */
static void
print_actions (guint n_moves)
{
  GHashTableIter iter;
  gpointer name, sum;
  g_autoptr (GString) line = g_string_new ("#   mean per move:");

  g_hash_table_iter_init (&iter, action_secs);
  while (g_hash_table_iter_next (&iter, &name, &sum))
    if (*(double *)sum / n_moves >= 0.002)
      g_string_append_printf (line, " %s %.3f s,", (char *)name, *(double *)sum / n_moves);
  g_printerr ("%s\n", line->str);
  g_hash_table_remove_all (action_secs);
}

/* Largest number of moves running at once, from their [running, ended]. */
static guint
max_overlap (GPtrArray *times)
{
  guint best = 0;

  for (guint i = 0; i < times->len; i++)
    {
      gint64 at = ((MoveTimes *)g_ptr_array_index (times, i))->running;
      guint n = 0;

      for (guint j = 0; j < times->len; j++)
        {
          MoveTimes *t = g_ptr_array_index (times, j);

          n += t->running <= at && at < t->ended;
        }
      best = MAX (best, n);
    }
  return best;
}

static double
engine_evacuate (const char *from, const char *to, gboolean timed)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  /* freed after the migrations, which the evacuation's result holds */
  g_autoptr (GPtrArray) times = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  gboolean empty = FALSE;
  gint64 start;
  double secs, busy = 0, first_run = 0, before = 0, between = 0, after = 0;
  guint moved = 0;
  Cpu cpu;

  vmm_engine_set_max_per_source_host (engine, limit);
  vmm_engine_set_max_per_destination_host (engine, limit);
  g_signal_connect (engine, "migration-created", G_CALLBACK (on_move_created), times);
  cpu = cpu_now ();
  start = g_get_monotonic_time ();
  vmm_engine_evacuate_async (engine, backend, from, NULL, VMM_EVACUATE_FLAGS_NONE, NULL, done_cb,
                             &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  entries = vmm_engine_evacuate_finish (engine, result, &empty, &error);
  secs = since (start);
  if (entries == NULL)
    g_error ("evacuation of %s failed: %s", from, error->message);
  for (guint i = 0; i < entries->len; i++)
    {
      VmmEvacuationEntry *e = g_ptr_array_index (entries, i);

      if (vmm_evacuation_entry_get_outcome (e) != VMM_EVACUATION_MOVED
          || g_strcmp0 (vmm_evacuation_entry_get_host (e), to) != 0)
        g_error ("evacuation of %s: %s ended on %s (outcome %d): %s", from,
                 vmm_evacuation_entry_get_vm_name (e), vmm_evacuation_entry_get_host (e),
                 vmm_evacuation_entry_get_outcome (e),
                 vmm_evacuation_entry_get_message (e) ? vmm_evacuation_entry_get_message (e) : "");
      moved++;
    }
  if (moved != n_guests || !empty || times->len != n_guests)
    g_error ("evacuation of %s: %u moved, %u migrations, host %s", from, moved, times->len,
             empty ? "empty" : "not empty");
  for (guint i = 0; i < times->len; i++)
    {
      MoveTimes *t = g_ptr_array_index (times, i);

      g_assert_cmpint (t->running, >, 0);
      g_assert_cmpint (t->ended, >=, t->running);
      busy += (double)(t->ended - t->running) / G_USEC_PER_SEC;
      if (t->first_action != 0)
        {
          before += (double)(t->first_action - t->running) / G_USEC_PER_SEC;
          between
              += (double)(t->last_action_end - t->first_action - t->in_actions) / G_USEC_PER_SEC;
          after += (double)(t->ended - t->last_action_end) / G_USEC_PER_SEC;
        }
      first_run = i == 0 ? (double)(t->running - start) / G_USEC_PER_SEC
                         : MIN (first_run, (double)(t->running - start) / G_USEC_PER_SEC);
    }
  g_printerr ("# engine evacuation %s -> %s%s: %.2f s; first move running after %.2f s, "
              "%.2f s per move from its slot to its end (mean), %.2f moves at a time on "
              "average (busy time / wall), at most %u; %.2f cores busy\n",
              from, to, timed ? "" : " (moving back, untimed)", secs, first_run, busy / times->len,
              busy / secs, max_overlap (times), cores_busy (cpu));
  g_printerr ("#   per move outside its actions (mean): %.3f s before the first, %.3f s between "
              "them, %.3f s after the last\n",
              before / times->len, between / times->len, after / times->len);
  print_actions (times->len);
  return secs;
}

/* --- the operator's loop --- */

static char *
loop_command (const char *from, const char *to)
{
  return g_strdup_printf ("for vm in $(virsh -q -c '%s' list --name); do "
                          "virsh -q -c '%s' migrate --live --p2p --persistent --undefinesource "
                          "\"$vm\" qemu+tcp://%s/system || exit 1; done",
                          uri_of (from), uri_of (from),
                          g_str_equal (to, "kvm-a") ? "10.77.0.1" : "10.77.0.2");
}

static double
virsh_loop (const char *from, const char *to)
{
  g_autofree char *cmd = loop_command (from, to);
  Cpu cpu = cpu_now ();
  gint64 start = g_get_monotonic_time ();
  double secs;

  if (sh (NULL, "%s >&2", cmd) != 0)
    g_error ("the virsh loop from %s to %s failed", from, to);
  secs = since (start);
  g_printerr ("# virsh loop %s -> %s: %.2f s, %.2f s per guest; %.2f cores busy\n", from, to, secs,
              secs / n_guests, cores_busy (cpu));
  return secs;
}

/* --- checks, untimed --- */

/* every guest runs on @host only and its console counter advances; @other
 * holds no definition */
static void
assert_all_on (const char *host)
{
  const char *other = g_str_equal (host, "kvm-a") ? "kvm-b" : "kvm-a";
  g_autofree char *left = virsh (other, "list --all --name");

  for (guint i = 0; i < n_guests; i++)
    assert_runs_only_on (names[i], host);
  g_assert_cmpstr (left, ==, "");
  g_assert_cmpint (sh (NULL,
                       "pids=(); for vm in %s; do '%s/guest.sh' alive '%s' $vm 120 >&2 & "
                       "pids+=($!); done; rc=0; for p in \"${pids[@]}\"; do wait $p || rc=1; "
                       "done; exit $rc",
                       names_joined, scripts, statedir),
                   ==, 0);
}

static void
destroy_all (void)
{
  const char *hosts[] = { "kvm-a", "kvm-b" };

  for (guint h = 0; h < G_N_ELEMENTS (hosts); h++)
    {
      g_autofree char *left = NULL;

      sh (NULL,
          /* in parallel: each destroy waits for its QEMU to exit */
          "for vm in $(virsh -q -c '%s' list --all --name); do (virsh -q -c '%s' destroy \"$vm\"; "
          "virsh -q -c '%s' undefine \"$vm\") & done >/dev/null 2>&1; wait",
          uri_of (hosts[h]), uri_of (hosts[h]), uri_of (hosts[h]));
      left = virsh (hosts[h], "list --all --name");
      g_assert_cmpstr (left, ==, "");
    }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) engine = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) loop = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GString) runs_e = g_string_new (NULL);
  g_autoptr (GString) runs_l = g_string_new (NULL);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *cmd = NULL;
  const char *rounds_env = g_getenv ("VMM_BENCH_ROUNDS");
  const char *guests_env = g_getenv ("VMM_BENCH_GUESTS");
  const char *limit_env = g_getenv ("VMM_BENCH_LIMIT");
  guint rounds = rounds_env != NULL ? (guint)g_ascii_strtoull (rounds_env, NULL, 10) : 3;
  double me, ml;
  gint64 start;

  n_guests = guests_env != NULL ? (guint)g_ascii_strtoull (guests_env, NULL, 10) : 20;
  limit = limit_env != NULL ? (guint)g_ascii_strtoull (limit_env, NULL, 10) : 2;
  if (rounds == 0 || n_guests == 0 || n_guests > 99 || limit == 0)
    g_error ("VMM_BENCH_ROUNDS and VMM_BENCH_LIMIT must be at least 1, VMM_BENCH_GUESTS 1 to 99");
  for (guint i = 0; i < n_guests; i++)
    {
      g_autofree char *name = g_strdup_printf ("evac%02u", i + 1);

      g_strv_builder_add (builder, name);
    }
  names = g_strv_builder_end (builder);
  action_secs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  names_joined = g_strjoinv (" ", names);

  start_hosts ();
  backend = vmm_backend_open (cluster_uri, NULL, &error);
  if (backend == NULL)
    g_error ("cannot open %s: %s", cluster_uri, error->message);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_guests; i++)
    guest ("idle", names[i], "kvm-a");
  assert_all_on ("kvm-a");
  g_printerr ("# %u guests started and running on kvm-a in %.1f s\n", n_guests, since (start));
  {
    Cpu cpu = cpu_now ();

    g_usleep (5 * G_USEC_PER_SEC);
    g_printerr ("# with the %u guests idling, %.2f of %d cores busy\n", n_guests, cores_busy (cpu),
                g_get_num_processors ());
  }
  {
    /* what each move reads when it plans and when it gets its slots */
    g_autoptr (VmmInventory) inv = NULL;

    start = g_get_monotonic_time ();
    inv = vmm_backend_query_inventory (backend, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (inv);
    g_printerr ("# inventory query with %u guests: %.3f s\n", n_guests, since (start));
  }
  cmd = loop_command ("kvm-a", "kvm-b");
  g_print ("# engine: vmm_engine_evacuate_async (engine, backend, \"kvm-a\", NULL, "
           "VMM_EVACUATE_FLAGS_NONE, ...) with max-per-source-host and "
           "max-per-destination-host %u\n",
           limit);
  g_print ("# loop:   %s\n", cmd);
  for (guint r = 0; r < rounds; r++)
    for (guint k = 0; k < 2; k++)
      {
        /* alternate which one goes first */
        gboolean use_engine = (k == 0) == (r % 2 == 0);
        double secs
            = use_engine ? engine_evacuate ("kvm-a", "kvm-b", TRUE) : virsh_loop ("kvm-a", "kvm-b");

        g_array_append_val (use_engine ? engine : loop, secs);
        g_string_append_printf (use_engine ? runs_e : runs_l, " %.2f", secs);
        assert_all_on ("kvm-b");
        engine_evacuate ("kvm-b", "kvm-a", FALSE);
        assert_all_on ("kvm-a");
      }
  me = median (engine);
  ml = median (loop);
  g_print ("# engine runs (s):%s\n# loop runs (s):%s\n", runs_e->str, runs_l->str);
  g_print ("libvirt evacuation of %u idle guests kvm-a -> kvm-b, %u rounds: engine (%u at a "
           "time) median %.2f s, virsh loop median %.2f s, ratio %.3f\n",
           n_guests, rounds, limit, me, ml, ml > 0 ? me / ml : 0.0);
  destroy_all ();
  stop_hosts ();
  g_strfreev (names);
  g_free (names_joined);
  g_hash_table_unref (action_secs);
  return 0;
}
