/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The engine's benchmarks on the sim backend with zero latency (issue #10):
 *
 *   --figure=throughput  hot host moves per second, N at a time (N = 1 is one
 *                        after another), against a floor measured in the same
 *                        run: chains of --floor-steps GTasks dispatched
 *                        through the same main loop, N chains at a time;
 *   --figure=memory      heap per in-flight migration with N migrations
 *                        parked inside their first backend step (allocator
 *                        count from mallinfo2() and RSS);
 *   --figure=plan        latency of one dry run on an inventory of --hosts
 *                        hosts, against the same plan on a 10-host inventory;
 *   --figure=journal     hot host moves with the engine's journal on, against
 *                        off in the same run;
 *   --figure=placement   batch placement of --count VMs onto --hosts hosts,
 *                        every result checked (target 100 ms, no violation);
 *   --figure=floor       the floor alone.
 *
 * Every figure prints the command, each run, the median and the ratio, then
 * one machine-readable line for tests/bench/run.sh:
 *   RESULT<TAB>figure<TAB>median<TAB>unit<TAB>baseline<TAB>baseline median<TAB>ratio
 * The process is pinned to one core. */

#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <vmmigrate.h>

#ifdef HAVE_CALLGRIND_H
#include <valgrind/callgrind.h>
#include <valgrind/valgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT
#define VALGRIND_MONITOR_COMMAND(c) ((void)(c))
#endif

#define CLUSTER_SIZE 10

static char *opt_figure = NULL;
static int opt_concurrency = 1;
static int opt_count = 0;
static int opt_runs = 5;
static int opt_hosts = 1000;
static int opt_vms = 10000;
static int opt_floor_steps = 15;
static gboolean opt_choose = FALSE;
static gboolean opt_no_baseline = FALSE;
static gboolean opt_own_cancellables = FALSE;
static char *opt_journal = NULL;
static int opt_host_memory_mib = 4194304;

static const GOptionEntry entries[] = {
  { "figure", 'f', 0, G_OPTION_ARG_STRING, &opt_figure, "throughput, memory, plan or floor",
    "NAME" },
  { "concurrency", 'n', 0, G_OPTION_ARG_INT, &opt_concurrency, "migrations in flight (default 1)",
    "N" },
  { "count", 'c', 0, G_OPTION_ARG_INT, &opt_count, "migrations (or plans) per run", "M" },
  { "runs", 'r', 0, G_OPTION_ARG_INT, &opt_runs, "runs; the median is reported (default 5)", "R" },
  { "hosts", 0, 0, G_OPTION_ARG_INT, &opt_hosts,
    "hosts in the inventory (multiple of 10, default 1000)", "H" },
  { "vms", 0, 0, G_OPTION_ARG_INT, &opt_vms, "VMs in the inventory (default 10000)", "V" },
  { "floor-steps", 0, 0, G_OPTION_ARG_INT, &opt_floor_steps, "GTasks per floor chain (default 15)",
    "K" },
  { "choose", 0, 0, G_OPTION_ARG_NONE, &opt_choose, "plan: let the engine choose the host", NULL },
  { "host-memory-mib", 0, 0, G_OPTION_ARG_INT, &opt_host_memory_mib,
    "memory of every host (default 4 TiB; each VM has 1 GiB)", "MIB" },
  { "journal", 0, 0, G_OPTION_ARG_STRING, &opt_journal,
    "journal figure: sqlite (a WAL file in $TMPDIR, the default) or memory", "KIND" },
  { "own-cancellables", 0, 0, G_OPTION_ARG_NONE, &opt_own_cancellables,
    "memory figure: a cancellable per migration (the default: one for all, as an evacuation)",
    NULL },
  { "no-baseline", 0, 0, G_OPTION_ARG_NONE, &opt_no_baseline, "skip the baseline (for callgrind)",
    NULL },
  { NULL }
};

/* --- helpers --- */

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double da = *(const double *)a, db = *(const double *)b;

  return da < db ? -1 : (da > db ? 1 : 0);
}

static double
median (GArray *values)
{
  g_autoptr (GArray) sorted = g_array_copy (values);
  guint n = sorted->len;

  g_array_sort (sorted, compare_double);
  if (n == 0)
    return 0;
  if (n % 2 == 1)
    return g_array_index (sorted, double, n / 2);
  return (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
}

static void
print_runs (const char *what, GArray *values, const char *unit)
{
  g_autoptr (GString) s = g_string_new (NULL);

  for (guint i = 0; i < values->len; i++)
    g_string_append_printf (s, " %.1f", g_array_index (values, double, i));
  g_print ("# %s runs (%s):%s\n", what, unit, s->str);
  g_print ("# %s median: %.1f %s\n", what, median (values), unit);
}

static void
print_result (const char *figure, double value, const char *unit, const char *baseline,
              double baseline_value, double ratio)
{
  g_print ("RESULT\t%s\t%.1f\t%s\t%s\t%.1f\t%.3f\n", figure, value, unit, baseline, baseline_value,
           ratio);
}

static void
pin_to_one_core (void)
{
  cpu_set_t set;
  int cpu = sched_getcpu ();

  CPU_ZERO (&set);
  CPU_SET (cpu >= 0 ? cpu : 0, &set);
  if (sched_setaffinity (0, sizeof (set), &set) != 0)
    g_printerr ("# could not pin to one core: %s\n", g_strerror (errno));
}

static gsize
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

static gsize
rss_bytes (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL)
      || sscanf (statm, "%lu %lu", &size, &resident) != 2)
    return 0;
  return resident * (gsize)sysconf (_SC_PAGESIZE);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* --- the inventory: clusters of 10 hosts, each sharing one datastore; VM i
 * runs on host i mod H with one disk on its cluster's datastore and one NIC.
 * A hot host move goes to the next host of the same cluster. --- */

static char *
inventory_json (int hosts, int vms)
{
  GString *s = g_string_new (
      "{\"settings\": {\"step-latency-ms\": 0, \"transfer-mibps\": 0},\n\"hosts\": [\n");

  for (int h = 0; h < hosts; h++)
    g_string_append_printf (s,
                            "%s{\"name\": \"h%04d\", \"manager\": \"vc1\", \"cluster\": \"c%03d\", "
                            "\"memory-mib\": %d, \"vcpus\": 1024, \"cpu-overcommit\": 4.0, "
                            "\"cpu-features\": [\"sse4_2\", \"avx2\", \"aes\"], "
                            "\"networks\": [\"prod\"], \"pools\": [\"Resources\"], "
                            "\"default-pool\": \"Resources\"}\n",
                            h > 0 ? "," : "", h, h / CLUSTER_SIZE, opt_host_memory_mib);
  g_string_append (s, "],\n\"datastores\": [\n");
  for (int c = 0; c < hosts / CLUSTER_SIZE; c++)
    {
      g_string_append_printf (
          s, "%s{\"name\": \"san%03d\", \"shared\": true, \"capacity-gib\": 100000, \"hosts\": [",
          c > 0 ? "," : "", c);
      for (int h = 0; h < CLUSTER_SIZE; h++)
        g_string_append_printf (s, "%s\"h%04d\"", h > 0 ? ", " : "", c * CLUSTER_SIZE + h);
      g_string_append (s, "]}\n");
    }
  g_string_append (s, "],\n\"vms\": [\n");
  for (int v = 0; v < vms; v++)
    {
      int h = v % hosts;

      g_string_append_printf (
          s,
          "%s{\"name\": \"vm%05d\", \"host\": \"h%04d\", \"datastore\": \"san%03d\", "
          "\"power\": \"running\", \"memory-mib\": 1024, \"vcpus\": 1, "
          "\"cpu-features\": [\"sse4_2\"], "
          "\"disks\": [{\"key\": \"disk-0\", \"capacity-gib\": 8}], "
          "\"devices\": [{\"key\": \"nic-0\", \"kind\": \"nic\", \"network\": \"prod\"}]}\n",
          v > 0 ? "," : "", v, h, h / CLUSTER_SIZE);
    }
  g_string_append (s, "]}\n");
  return g_string_free (s, FALSE);
}

static VmmBackend *
sim_new (int hosts, int vms)
{
  g_autofree char *json = inventory_json (hosts, vms);
  g_autoptr (GError) error = NULL;
  VmmBackend *backend = vmm_sim_backend_new_from_json (json, &error);

  if (backend == NULL)
    g_error ("inventory: %s", error->message);
  return backend;
}

static int
next_host (int host)
{
  return (host / CLUSTER_SIZE) * CLUSTER_SIZE + (host % CLUSTER_SIZE + 1) % CLUSTER_SIZE;
}

/* --- the floor: chains of K GTasks, each created and returned in one
 * main-loop iteration (so it completes from an idle, as the engine's
 * steps do), the next one started from the previous one's callback. --- */

typedef struct
{
  int started;
  int finished;
  int total;
  int steps;
} FloorRun;

typedef struct
{
  FloorRun *run;
  int left;
} FloorChain;

static void
floor_step (FloorChain *chain);
static void
floor_chain_start (FloorRun *run);

static void
floor_step_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FloorChain *chain = user_data;

  g_task_propagate_boolean (G_TASK (result), NULL);
  if (--chain->left > 0)
    {
      floor_step (chain);
      return;
    }
  chain->run->finished++;
  if (chain->run->started < chain->run->total)
    {
      chain->left = chain->run->steps;
      chain->run->started++;
      floor_step (chain);
      return;
    }
  g_free (chain);
}

static void
floor_step (FloorChain *chain)
{
  GTask *task = g_task_new (NULL, NULL, floor_step_cb, chain);

  g_task_set_source_tag (task, floor_step);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
floor_chain_start (FloorRun *run)
{
  FloorChain *chain = g_new0 (FloorChain, 1);

  chain->run = run;
  chain->left = run->steps;
  run->started++;
  floor_step (chain);
}

/* Returns chains per second. */
G_NO_INLINE double
bench_floor_run (int concurrency, int count, int steps, gboolean measured);

G_NO_INLINE double
bench_floor_run (int concurrency, int count, int steps, gboolean measured)
{
  FloorRun run = { 0, 0, count, steps };
  gint64 start = g_get_monotonic_time ();

  if (measured)
    CALLGRIND_TOGGLE_COLLECT;
  for (int i = 0; i < concurrency && run.started < count; i++)
    floor_chain_start (&run);
  while (run.finished < count)
    g_main_context_iteration (NULL, TRUE);
  if (measured)
    CALLGRIND_TOGGLE_COLLECT;
  return count / ((g_get_monotonic_time () - start) / 1e6);
}

/* --- throughput: hot host moves, N in flight --- */

typedef struct
{
  VmmEngine *engine;
  VmmBackend *backend;
  int *host_of; /* VM index -> host index */
  gboolean *busy;
  GStrv vm_names; /* made once: a caller has its VMs' and hosts' names */
  GStrv host_names;
  int n_vms;
  int n_hosts;
  int next_vm;
  int started;
  int finished;
  int failed;
  int total;
  GCancellable *cancellable;
  GPtrArray *own_cancellables; /* when each migration has its own */
  gboolean expect_cancel;
} MoveRun;

static void
move_start (MoveRun *run);

static void
move_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MoveRun *run = user_data;
  VmmMigration *migration = VMM_MIGRATION (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = vmm_migration_run_finish (migration, result, &error);
  /* "vm%05d": no data of the benchmark's own on the migration, whose heap
   * the memory figure counts */
  int vm = atoi (vmm_migration_get_vm_name (migration) + 2);

  if (res == NULL && run->expect_cancel
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    run->failed++;
  else if (res == NULL)
    {
      g_printerr ("migration of vm%05d failed: %s\n", vm, error->message);
      run->failed++;
    }
  else
    run->host_of[vm] = next_host (run->host_of[vm]);
  run->busy[vm] = FALSE;
  run->finished++;
  g_object_unref (migration);
  if (run->started < run->total)
    move_start (run);
}

static void
move_start (MoveRun *run)
{
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
  g_autoptr (GError) error = NULL;
  VmmMigration *migration;
  int vm = run->next_vm;

  while (run->busy[vm])
    vm = (vm + 1) % run->n_vms;
  run->next_vm = (vm + 1) % run->n_vms;
  vmm_relocate_spec_set_host (spec, run->host_names[next_host (run->host_of[vm])]);
  migration
      = vmm_engine_create_migration (run->engine, run->backend, run->vm_names[vm], spec, &error);
  if (migration == NULL)
    g_error ("create_migration: %s", error->message);
  run->busy[vm] = TRUE;
  run->started++;
  if (run->own_cancellables != NULL)
    {
      GCancellable *own = g_cancellable_new ();

      g_ptr_array_add (run->own_cancellables, own);
      vmm_migration_run_async (migration, own, move_done_cb, run);
      return;
    }
  vmm_migration_run_async (migration, run->cancellable, move_done_cb, run);
}

static MoveRun *
move_run_new (VmmBackend *backend, int n_hosts, int n_vms)
{
  MoveRun *run = g_new0 (MoveRun, 1);

  run->engine = vmm_engine_new ();
  /* engine overhead, not its limits: no per-host or per-datastore queueing */
  vmm_engine_set_max_per_source_host (run->engine, 0);
  vmm_engine_set_max_per_destination_host (run->engine, 0);
  vmm_engine_set_max_per_datastore (run->engine, 0);
  run->backend = g_object_ref (backend);
  run->n_vms = n_vms;
  run->n_hosts = n_hosts;
  run->host_of = g_new (int, n_vms);
  run->busy = g_new0 (gboolean, n_vms);
  run->vm_names = g_new0 (char *, n_vms + 1);
  run->host_names = g_new0 (char *, n_hosts + 1);
  for (int v = 0; v < n_vms; v++)
    {
      run->host_of[v] = v % n_hosts;
      run->vm_names[v] = g_strdup_printf ("vm%05d", v);
    }
  for (int h = 0; h < n_hosts; h++)
    run->host_names[h] = g_strdup_printf ("h%04d", h);
  return run;
}

static void
move_run_free (MoveRun *run)
{
  g_object_unref (run->engine);
  g_object_unref (run->backend);
  g_clear_object (&run->cancellable);
  g_free (run->host_of);
  g_free (run->busy);
  g_strfreev (run->vm_names);
  g_strfreev (run->host_names);
  g_free (run);
}

/* Returns migrations per second. */
static inline G_ALWAYS_INLINE double
moves_run (MoveRun *run, int concurrency, int count)
{
  gint64 start = g_get_monotonic_time ();

  run->started = run->finished = run->failed = 0;
  run->total = count;
  for (int i = 0; i < concurrency && run->started < count; i++)
    move_start (run);
  while (run->finished < count)
    g_main_context_iteration (NULL, TRUE);
  if (run->failed > 0)
    g_error ("%d of %d migrations failed", run->failed, count);
  return count / ((g_get_monotonic_time () - start) / 1e6);
}

/* The measured runs apart from the warm-up: under callgrind
 * (--collect-atstart=no) only they are collected. */
G_NO_INLINE double
bench_moves_run (MoveRun *run, int concurrency, int count);
G_NO_INLINE double
bench_moves_warm_up (MoveRun *run, int concurrency, int count);

static int measured_runs = 0;

G_NO_INLINE double
bench_moves_run (MoveRun *run, int concurrency, int count)
{
  double rate;

  measured_runs++;
  CALLGRIND_TOGGLE_COLLECT;
  rate = moves_run (run, concurrency, count);
  CALLGRIND_TOGGLE_COLLECT;
  return rate;
}

G_NO_INLINE double
bench_moves_warm_up (MoveRun *run, int concurrency, int count)
{
  return moves_run (run, concurrency, count);
}

static int
figure_throughput (void)
{
  g_autoptr (VmmBackend) backend = sim_new (opt_hosts, opt_vms);
  MoveRun *run = move_run_new (backend, opt_hosts, opt_vms);
  g_autoptr (GArray) rates = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) floors = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *figure = NULL;
  g_autofree char *baseline = NULL;
  int count = opt_count > 0 ? opt_count : MAX (opt_concurrency, 10000);
  const char *slice = g_getenv ("G_SLICE");

  if (opt_concurrency > opt_vms)
    g_error ("--concurrency %d exceeds --vms %d", opt_concurrency, opt_vms);
  /* warm-up: types, classes, allocator */
  bench_moves_warm_up (run, MIN (opt_concurrency, 100), MIN (count, 200));
  if (!opt_no_baseline)
    bench_floor_run (MIN (opt_concurrency, 100), 200, opt_floor_steps, FALSE);
  for (int r = 0; r < opt_runs; r++)
    {
      double rate, floor_rate;

      /* alternate A/B so drift hits both */
      rate = bench_moves_run (run, opt_concurrency, count);
      g_array_append_val (rates, rate);
      if (!opt_no_baseline)
        {
          floor_rate = bench_floor_run (opt_concurrency, count, opt_floor_steps, TRUE);
          g_array_append_val (floors, floor_rate);
        }
    }
  /* GLib 2.74 allocates objects and tasks from GSlice's slabs unless the
   * environment says G_SLICE=always-malloc (GLib >= 2.76 always uses malloc) */
  figure = g_strdup_printf ("throughput, hot host moves, N=%d%s", opt_concurrency,
                            g_strrstr (slice != NULL ? slice : "", "always-malloc") != NULL
                                ? ", malloc instead of GSlice"
                                : "");
  baseline = g_strdup_printf ("floor, %d chained GTasks, N=%d, in chains/s", opt_floor_steps,
                              opt_concurrency);
  g_assert (measured_runs == opt_runs);
  print_runs ("engine", rates, "migrations/s");
  if (!opt_no_baseline)
    {
      print_runs ("floor", floors, "chains/s");
      g_print ("# ratio engine/floor: %.3f (target: 20000 migrations/s)\n",
               median (rates) / median (floors));
      print_result (figure, median (rates), "migrations/s", baseline, median (floors),
                    median (rates) / median (floors));
    }
  else
    print_result (figure, median (rates), "migrations/s", "none", 0, 0);
  move_run_free (run);
  return 0;
}

/* Hot host moves with the engine's journal on, against off in the same run
 * (alternating; one engine, its journal set or unset between runs). */
static int
figure_journal (void)
{
  g_autoptr (VmmBackend) backend = sim_new (opt_hosts, opt_vms);
  MoveRun *run = move_run_new (backend, opt_hosts, opt_vms);
  g_autoptr (GArray) on = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) off = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (VmmJournal) journal = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *figure = NULL;
  const char *kind = opt_journal != NULL ? opt_journal : "sqlite";
  int count = opt_count > 0 ? opt_count : 2000;

  if (g_strcmp0 (kind, "memory") == 0)
    journal = vmm_journal_new_memory ();
  else if (g_strcmp0 (kind, "sqlite") == 0)
    {
      dir = g_dir_make_tmp ("vmm-bench-XXXXXX", &error);
      if (dir == NULL)
        g_error ("journal directory: %s", error->message);
      path = g_build_filename (dir, "journal.db", NULL);
      journal = vmm_journal_new_sqlite (path, &error);
      if (journal == NULL)
        g_error ("journal: %s", error->message);
    }
  else
    g_error ("--journal must be sqlite or memory");
  if (opt_concurrency > opt_vms)
    g_error ("--concurrency %d exceeds --vms %d", opt_concurrency, opt_vms);
  bench_moves_warm_up (run, MIN (opt_concurrency, 100), MIN (count, 200));
  for (int r = 0; r < opt_runs; r++)
    {
      double rate;

      vmm_engine_set_journal (run->engine, NULL);
      rate = bench_moves_run (run, opt_concurrency, count);
      g_array_append_val (off, rate);
      vmm_engine_set_journal (run->engine, journal);
      rate = bench_moves_run (run, opt_concurrency, count);
      g_array_append_val (on, rate);
    }
  vmm_engine_set_journal (run->engine, NULL);
  figure = g_strdup_printf ("throughput with the journal on (%s), N=%d", kind, opt_concurrency);
  print_runs ("journal on", on, "migrations/s");
  print_runs ("journal off", off, "migrations/s");
  g_print ("# ratio on/off: %.3f\n", median (on) / median (off));
  print_result (figure, median (on), "migrations/s", "journal off, in migrations/s", median (off),
                median (on) / median (off));
  move_run_free (run);
  g_clear_object (&journal);
  if (path != NULL)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);

      g_unlink (wal);
      g_unlink (shm);
      g_unlink (path);
      g_rmdir (dir);
    }
  return 0;
}

/* Batch placement (vmm_engine_place_batch()) of --count VMs onto the
 * inventory's hosts, each placed result checked independently: a host other
 * than the VM's own, that mounts the VM's datastore (a host move without
 * storage motion), and no host given more memory or vCPUs than it has free. */
static int
figure_placement (void)
{
  g_autoptr (VmmBackend) backend = sim_new (opt_hosts, opt_vms);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inventory = vmm_backend_query_inventory (backend, NULL, &error);
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *figure = NULL;
  int count = opt_count > 0 ? MIN (opt_count, opt_vms) : opt_vms;
  guint violations = 0, unplaced = 0;

  if (inventory == NULL)
    g_error ("inventory: %s", error->message);
  for (int v = 0; v < count; v++)
    g_ptr_array_add (names, g_strdup_printf ("vm%05d", v));
  g_ptr_array_add (names, NULL);
  for (int r = 0; r < opt_runs; r++)
    {
      g_autoptr (GPtrArray) placed = NULL;
      g_autoptr (GHashTable) mem = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr (GHashTable) cpu = g_hash_table_new (g_str_hash, g_str_equal);
      gint64 start = g_get_monotonic_time ();
      double ms;

      placed = vmm_engine_place_batch (engine, backend, inventory,
                                       (const char *const *)names->pdata, NULL, &error);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      if (placed == NULL)
        g_error ("place_batch: %s", error->message);
      g_array_append_val (times, ms);
      violations = unplaced = 0;
      for (guint i = 0; i < placed->len; i++)
        {
          VmmCandidate *c = g_ptr_array_index (placed, i);
          VmmVmInfo *vm = vmm_inventory_lookup_vm (inventory, g_ptr_array_index (names, i));
          const char *host = vmm_candidate_get_host (c);
          VmmHostInfo *info = host != NULL ? vmm_inventory_lookup_host (inventory, host) : NULL;
          VmmDatastoreInfo *ds
              = vmm_inventory_lookup_datastore (inventory, vmm_vm_info_get_datastore (vm));
          guint64 m;
          guint64 n;

          if (host == NULL)
            {
              unplaced++;
              continue;
            }
          m = GPOINTER_TO_SIZE (g_hash_table_lookup (mem, host)) + vmm_vm_info_get_memory_mib (vm);
          n = GPOINTER_TO_SIZE (g_hash_table_lookup (cpu, host)) + vmm_vm_info_get_vcpus (vm);
          g_hash_table_insert (mem, (gpointer)host, GSIZE_TO_POINTER (m));
          g_hash_table_insert (cpu, (gpointer)host, GSIZE_TO_POINTER (n));
          if (info == NULL || g_strcmp0 (host, vmm_vm_info_get_host (vm)) == 0
              || !vmm_datastore_info_is_mounted_on (ds, host)
              || vmm_host_info_get_memory_used_mib (info) + m > vmm_host_info_get_memory_mib (info)
              || vmm_host_info_get_vcpus_used (info) + n
                     > vmm_host_info_get_vcpus (info) * vmm_host_info_get_cpu_overcommit (info))
            violations++;
        }
      g_print ("# run %d: %.1f ms, %u placed, %u not placed, %u violations\n", r, ms,
               placed->len - unplaced, unplaced, violations);
      if (violations > 0)
        g_printerr ("placement: %u violations\n", violations);
    }
  figure
      = g_strdup_printf ("placement, %d VMs onto %d hosts of %d MiB (%u violations, %u not placed)",
                         count, opt_hosts, opt_host_memory_mib, violations, unplaced);
  print_runs ("placement", times, "ms");
  g_print ("# ratio against the target (100 ms): %.3f\n", median (times) / 100.0);
  print_result (figure, median (times), "ms", "target 100 ms", 100, median (times) / 100.0);
  return violations > 0 ? 1 : 0;
}

/* The floor alone (for callgrind). */
static int
figure_floor (void)
{
  g_autoptr (GArray) floors = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *figure = NULL;
  int count = opt_count > 0 ? opt_count : MAX (opt_concurrency, 10000);

  bench_floor_run (MIN (opt_concurrency, 100), 200, opt_floor_steps, FALSE);
  for (int r = 0; r < opt_runs; r++)
    {
      double rate = bench_floor_run (opt_concurrency, count, opt_floor_steps, TRUE);
      g_array_append_val (floors, rate);
    }
  figure = g_strdup_printf ("floor: %d chained GTasks, N=%d", opt_floor_steps, opt_concurrency);
  print_runs ("floor", floors, "chains/s");
  print_result (figure, median (floors), "chains/s", "none", 0, 0);
  return 0;
}

/* --- memory: N migrations parked in their first backend step --- */

/* Under `valgrind --tool=massif`, with VMM_BENCH_MASSIF_DIR set, writes a
 * detailed heap snapshot before the migrations start and once they are
 * parked (DIR/before-RUN.massif, DIR/parked-RUN.massif): the difference
 * says which call sites hold the memory of an in-flight migration
 * (tests/bench/massif-diff.py). */
static void
massif_snapshot (int r, const char *when)
{
  const char *dir = g_getenv ("VMM_BENCH_MASSIF_DIR");
  g_autofree char *command = NULL;

  if (dir == NULL)
    return;
  command = g_strdup_printf ("detailed_snapshot %s/%s-%d.massif", dir, when, r);
  VALGRIND_MONITOR_COMMAND (command);
}

static int
figure_memory (void)
{
  g_autoptr (VmmBackend) backend = sim_new (opt_hosts, opt_vms);
  MoveRun *run = move_run_new (backend, opt_hosts, opt_vms);
  g_autoptr (GArray) heap = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) rss = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *figure = NULL;
  int n = opt_concurrency;

  if (n > opt_vms)
    g_error ("--concurrency %d exceeds --vms %d", n, opt_vms);
  /* warm-up at zero latency, so classes and caches exist before counting */
  bench_moves_warm_up (run, MIN (n, 100), MIN (n, 200));
  for (int r = 0; r < opt_runs; r++)
    {
      g_autoptr (GCancellable) cancellable = g_cancellable_new ();
      gsize heap0, rss0;
      double per_heap, per_rss;
      int parked;

      drain ();
      malloc_trim (0);
      massif_snapshot (r, "before");
      heap0 = heap_in_use ();
      rss0 = rss_bytes ();
      /* a long step latency parks every migration inside PrepareSource */
      vmm_sim_backend_set_timing (VMM_SIM_BACKEND (backend), 3600 * 1000, 0);
      run->started = run->finished = run->failed = 0;
      run->total = n;
      run->cancellable = g_object_ref (cancellable);
      if (opt_own_cancellables)
        run->own_cancellables = g_ptr_array_new_full ((guint)n, g_object_unref);
      run->expect_cancel = TRUE;
      for (int i = 0; i < n; i++)
        move_start (run);
      drain ();
      massif_snapshot (r, "parked");
      parked = (int)vmm_engine_get_n_running (run->engine);
      per_heap = (double)(heap_in_use () - heap0) / n;
      per_rss = (double)(rss_bytes () - rss0) / n;
      g_array_append_val (heap, per_heap);
      g_array_append_val (rss, per_rss);
      g_print ("# run %d: %d of %d migrations in flight; heap %+.0f B, RSS %+.0f B per migration\n",
               r, parked, n, per_heap, per_rss);
      if (parked != n)
        g_error ("only %d of %d migrations are in flight", parked, n);
      /* let them end: before InitiateSource a live move stops when cancelled
       * and rolls back, leaving every VM where it was */
      vmm_sim_backend_set_timing (VMM_SIM_BACKEND (backend), 0, 0);
      g_cancellable_cancel (cancellable);
      for (guint i = 0; run->own_cancellables != NULL && i < run->own_cancellables->len; i++)
        g_cancellable_cancel (g_ptr_array_index (run->own_cancellables, i));
      while (run->finished < n)
        g_main_context_iteration (NULL, TRUE);
      if (run->failed != n)
        g_error ("%d of %d parked migrations did not stop when cancelled", n - run->failed, n);
      g_clear_object (&run->cancellable);
      g_clear_pointer (&run->own_cancellables, g_ptr_array_unref);
    }
  figure = g_strdup_printf ("memory per in-flight migration, N=%d%s (heap, mallinfo2)", n,
                            opt_own_cancellables ? ", a cancellable each" : "");
  print_runs ("heap", heap, "B/migration");
  print_runs ("RSS", rss, "B/migration");
  g_print ("# ratio heap/target (4096 B): %.3f\n", median (heap) / 4096.0);
  print_result (figure, median (heap), "B/migration", "target 4096 B", 4096,
                median (heap) / 4096.0);
  {
    g_autofree char *rss_figure
        = g_strdup_printf ("memory per in-flight migration, N=%d%s (RSS)", n,
                           opt_own_cancellables ? ", a cancellable each" : "");
    print_result (rss_figure, median (rss), "B/migration", "target 4096 B", 4096,
                  median (rss) / 4096.0);
  }
  move_run_free (run);
  return 0;
}

/* --- plan latency --- */

typedef struct
{
  VmmPlan *plan;
  GError *error;
  gboolean done;
} PlanWait;

static void
plan_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PlanWait *wait = user_data;

  wait->plan = vmm_migration_plan_finish (VMM_MIGRATION (source), result, &wait->error);
  wait->done = TRUE;
}

/* Returns the median of @count plans in microseconds. */
G_NO_INLINE double
bench_plan_run (VmmMigration *migration, int count);

G_NO_INLINE double
bench_plan_run (VmmMigration *migration, int count)
{
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (int i = 0; i < count; i++)
    {
      PlanWait wait = { NULL, NULL, FALSE };
      gint64 start = g_get_monotonic_time ();
      double us;

      vmm_migration_plan_async (migration, NULL, plan_cb, &wait);
      while (!wait.done)
        g_main_context_iteration (NULL, TRUE);
      us = (double)(g_get_monotonic_time () - start);
      if (wait.plan == NULL)
        g_error ("plan: %s", wait.error->message);
      g_object_unref (wait.plan);
      g_array_append_val (times, us);
    }
  return median (times);
}

static VmmMigration *
plan_migration (VmmEngine *engine, VmmBackend *backend)
{
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
  g_autoptr (GError) error = NULL;
  VmmMigration *migration;

  if (!opt_choose)
    vmm_relocate_spec_set_host (spec, "h0001");
  migration = vmm_engine_create_migration (engine, backend, "vm00000", spec, &error);
  if (migration == NULL)
    g_error ("create_migration: %s", error->message);
  return migration;
}

static int
figure_plan (void)
{
  g_autoptr (VmmBackend) big = sim_new (opt_hosts, 1);
  g_autoptr (VmmBackend) small = sim_new (CLUSTER_SIZE, 1);
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmMigration) on_big = plan_migration (engine, big);
  g_autoptr (VmmMigration) on_small = plan_migration (engine, small);
  g_autoptr (GArray) big_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) small_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *figure = NULL;
  g_autofree char *baseline = NULL;
  int count = opt_count > 0 ? opt_count : 200;

  bench_plan_run (on_big, 10);
  if (!opt_no_baseline)
    bench_plan_run (on_small, 10);
  for (int r = 0; r < opt_runs; r++)
    {
      double b = bench_plan_run (on_big, count);

      g_array_append_val (big_us, b);
      if (!opt_no_baseline)
        {
          double s = bench_plan_run (on_small, count);
          g_array_append_val (small_us, s);
        }
    }
  figure = g_strdup_printf ("plan latency, 1 VM, %d hosts, %s", opt_hosts,
                            opt_choose ? "engine chooses the host" : "host given");
  baseline = g_strdup_printf ("same plan on %d hosts, in us", CLUSTER_SIZE);
  print_runs ("plan", big_us, "us");
  if (!opt_no_baseline)
    {
      print_runs ("baseline", small_us, "us");
      g_print ("# ratio: %.3f\n", median (big_us) / median (small_us));
      print_result (figure, median (big_us), "us", baseline, median (small_us),
                    median (big_us) / median (small_us));
    }
  else
    print_result (figure, median (big_us), "us", "none", 0, 0);
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- libvmmigrate engine benchmarks");
  g_autoptr (GError) error = NULL;
  g_autofree char *command = g_strjoinv (" ", argv);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (opt_hosts < CLUSTER_SIZE || opt_hosts % CLUSTER_SIZE != 0 || opt_vms < 1
      || opt_concurrency < 1 || opt_runs < 1 || opt_floor_steps < 1)
    {
      g_printerr ("--hosts must be a multiple of %d; --vms, --concurrency, --runs, --floor-steps "
                  "at least 1\n",
                  CLUSTER_SIZE);
      return 2;
    }
  pin_to_one_core ();
  g_print ("# command: %s\n", command);
  if (g_strcmp0 (opt_figure, "throughput") == 0)
    return figure_throughput ();
  if (g_strcmp0 (opt_figure, "memory") == 0)
    return figure_memory ();
  if (g_strcmp0 (opt_figure, "plan") == 0)
    return figure_plan ();
  if (g_strcmp0 (opt_figure, "floor") == 0)
    return figure_floor ();
  if (g_strcmp0 (opt_figure, "journal") == 0)
    return figure_journal ();
  if (g_strcmp0 (opt_figure, "placement") == 0)
    return figure_placement ();
  g_printerr ("--figure must be throughput, memory, plan, journal, placement or floor\n");
  return 2;
}
