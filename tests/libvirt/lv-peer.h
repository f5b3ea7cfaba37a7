/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The libvirt suite's peer, shared by the test and the benchmark (header
 * only, static): two real libvirt hosts started once with hosts.sh in a
 * fresh state directory and stopped at exit, also on a failed assertion,
 * a crash or SIGTERM from the test runner. */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vmmigrate.h>

static char *statedir;
static char *scripts;
static char *cluster_uri;
static char *uri_a;
static char *uri_b;
static VmmBackend *backend;
static gboolean hosts_started;

/* --- the peer: started once, stopped whatever happens --- */

static inline int
run_argv (const char *const *argv, char **out)
{
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN,
                     NULL, NULL, out, NULL, &status, &error))
    {
      g_printerr ("# cannot run %s: %s\n", argv[0], error->message);
      return -1;
    }
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static inline int
sh (char **out, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static inline int
sh (char **out, const char *fmt, ...)
{
  g_autofree char *cmd = NULL;
  va_list args;
  const char *argv[] = { "bash", "-c", NULL, NULL };

  va_start (args, fmt);
  cmd = g_strdup_vprintf (fmt, args);
  va_end (args);
  argv[2] = cmd;
  return run_argv (argv, out);
}

static inline void
stop_hosts (void)
{
  if (!hosts_started)
    return;
  /* the hosts still count as started meanwhile: a crash while the backend
   * closes its connections still stops them (fatal_signal) */
  g_clear_object (&backend);
  hosts_started = FALSE;
  /* hosts.sh stop exits 1 when a process outlived SIGKILL's grace period and
   * keeps that namespace for another try */
  for (guint attempt = 0; attempt < 3; attempt++)
    if (sh (NULL, "'%s/hosts.sh' stop '%s' >&2", scripts, statedir) == 0)
      {
        sh (NULL, "rm -rf '%s'", statedir);
        return;
      }
  g_printerr ("# hosts.sh stop failed three times; state kept in %s\n", statedir);
}

static inline void
fatal_signal (int sig)
{
  /* an assertion, a fatal GLib message (SIGTRAP), a crash or the runner's
   * timeout: take the daemons and guests down first */
  if (hosts_started)
    {
      g_autofree char *cmd
          = g_strdup_printf ("'%s/hosts.sh' stop '%s' >&2 || '%s/hosts.sh' stop '%s' >&2", scripts,
                             statedir, scripts, statedir);

      hosts_started = FALSE;
      if (system (cmd) != 0)
        g_printerr ("# hosts.sh stop failed\n");
    }
  signal (sig, SIG_DFL);
  raise (sig);
}

static inline void
start_hosts (void)
{
  char tmpl[] = "/tmp/vmm-lv-XXXXXX";
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");

  scripts = g_build_filename (srcdir != NULL ? srcdir : ".", "libvirt", NULL);
  if (g_mkdtemp (tmpl) == NULL)
    g_error ("mkdtemp: %s", g_strerror (errno));
  statedir = g_strdup (tmpl);
  if (g_getenv ("VMM_TEST_CACHE") == NULL)
    g_setenv ("VMM_TEST_CACHE", "/var/tmp/vmmigrate-test-cache", TRUE);
  atexit (stop_hosts);
  {
    const int fatal[]
        = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGTERM, SIGINT, SIGHUP, SIGQUIT };

    for (guint i = 0; i < G_N_ELEMENTS (fatal); i++)
      signal (fatal[i], fatal_signal);
  }
  hosts_started = TRUE;
  if (sh (NULL, "'%s/hosts.sh' start '%s' >&2", scripts, statedir) != 0)
    {
      /* a suite whose peer cannot start fails */
      g_print ("Bail out! the libvirt hosts did not start (tests/libvirt/hosts.sh start %s)\n",
               statedir);
      exit (1);
    }
  cluster_uri = g_strdup_printf ("libvirt://%s/cluster.json", statedir);
  uri_a = g_strdup_printf ("qemu+unix:///system?socket=%s/kvm-a/run/libvirt-sock", statedir);
  uri_b = g_strdup_printf ("qemu+unix:///system?socket=%s/kvm-b/run/libvirt-sock", statedir);
}

/* --- helpers --- */

static inline const char *
uri_of (const char *host)
{
  return g_str_equal (host, "kvm-a") ? uri_a : uri_b;
}

static inline void
guest (const char *kind, const char *name, const char *host)
{
  g_assert_cmpint (
      sh (NULL, "'%s/guest.sh' %s '%s' %s %s >&2", scripts, kind, statedir, name, host), ==, 0);
}

static inline void
disk_guest (const char *name, const char *host, const char *pool)
{
  g_assert_cmpint (
      sh (NULL, "'%s/guest.sh' disk '%s' %s %s %s >&2", scripts, statedir, name, host, pool), ==,
      0);
}

/* the guest's console counter must advance: it really runs */
static inline void
assert_alive (const char *name)
{
  g_assert_cmpint (sh (NULL, "'%s/guest.sh' alive '%s' %s 60 >&2", scripts, statedir, name), ==, 0);
}

static inline char *
virsh (const char *host, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static inline char *
virsh (const char *host, const char *fmt, ...)
{
  g_autofree char *args = NULL;
  char *out = NULL;
  va_list ap;

  va_start (ap, fmt);
  args = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  sh (&out, "virsh -q -c '%s' %s 2>/dev/null", uri_of (host), args);
  return g_strstrip (out != NULL ? out : g_strdup (""));
}

static inline char *
domstate (const char *host, const char *vm)
{
  g_autofree char *state = virsh (host, "domstate %s", vm);

  return g_strdup (*state != '\0' ? state : "absent");
}

/* running on @host and nowhere else */
static inline void
assert_runs_only_on (const char *vm, const char *host)
{
  const char *other = g_str_equal (host, "kvm-a") ? "kvm-b" : "kvm-a";
  g_autofree char *here = domstate (host, vm);
  g_autofree char *there = domstate (other, vm);

  g_assert_cmpstr (here, ==, "running");
  g_assert_cmpstr (there, !=, "running");
}

static inline char *
disk_path (const char *host, const char *vm, const char *dev, gboolean inactive)
{
  g_autofree char *out = virsh (host, "domblklist %s %s", vm, inactive ? "--inactive" : "");
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) cols = g_strsplit_set (g_strstrip (lines[i]), " \t", 2);

      if (cols[0] != NULL && g_str_equal (cols[0], dev) && cols[1] != NULL)
        return g_strdup (g_strstrip (cols[1]));
    }
  return NULL;
}

static inline void
destroy_guest (const char *vm)
{
  const char *hosts[] = { "kvm-a", "kvm-b" };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_free (virsh (hosts[i], "destroy %s", vm));
      g_free (virsh (hosts[i], "undefine %s --snapshots-metadata", vm));
    }
}

/* --- benchmarks --- */

static inline int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static inline double
median (GArray *values)
{
  g_array_sort (values, cmp_double);
  if (values->len == 0)
    return 0;
  if (values->len % 2 == 1)
    return g_array_index (values, double, values->len / 2);
  return (g_array_index (values, double, values->len / 2 - 1)
          + g_array_index (values, double, values->len / 2))
         / 2;
}

typedef struct
{
  double last_fraction;
  guint64 last_done;
  guint n_progress;
  gboolean monotone;
  GCancellable *cancel_at_progress;
  guint64 cancel_after_bytes;
  char *run_at_progress;
  gboolean ran;
  GPtrArray *warnings;
  const char *run_at_action; /* a shell command run each time this action starts */
  char *run_at_action_cmd;
  guint ran_at_action;
  gint64 action_start;
  gint64 move_start;
} Watch;

static inline void
on_progress (VmmMigration *m, double fraction, guint64 done, guint64 total, gint64 eta, Watch *w)
{
  if (fraction + 1e-9 < w->last_fraction || done < w->last_done)
    w->monotone = FALSE;
  w->last_fraction = fraction;
  w->last_done = done;
  w->n_progress++;
  if (w->cancel_at_progress != NULL && done >= w->cancel_after_bytes && done > 0)
    g_cancellable_cancel (w->cancel_at_progress);
  if (w->run_at_progress != NULL && !w->ran && done >= w->cancel_after_bytes && done > 0)
    {
      w->ran = TRUE;
      g_assert_cmpint (sh (NULL, "%s", w->run_at_progress), ==, 0);
    }
}

static inline void
on_action_started (VmmMigration *m, VmmAction *action, Watch *w)
{
  w->action_start = g_get_monotonic_time ();
  if (w->run_at_action != NULL && g_str_equal (vmm_action_get_name (action), w->run_at_action))
    {
      w->ran_at_action++;
      g_assert_cmpint (sh (NULL, "%s", w->run_at_action_cmd), ==, 0);
    }
}

static inline void
on_state_changed (VmmMigration *m, VmmMigrationState old_state, VmmMigrationState new_state,
                  Watch *w)
{
  if (g_getenv ("VMM_TEST_TIMINGS") != NULL)
    g_printerr ("#   state %d -> %d at %.3f s\n", old_state, new_state,
                (double)(g_get_monotonic_time () - w->move_start) / G_USEC_PER_SEC);
}

static inline void
on_action_finished (VmmMigration *m, VmmAction *action, const GError *error, Watch *w)
{
  if (g_getenv ("VMM_TEST_TIMINGS") != NULL)
    g_printerr ("#   %s %.3f s\n", vmm_action_get_name (action),
                (double)(g_get_monotonic_time () - w->action_start) / G_USEC_PER_SEC);
}

static inline void
on_warning (VmmMigration *m, const char *message, Watch *w)
{
  g_printerr ("# warning: %s\n", message);
  g_ptr_array_add (w->warnings, g_strdup (message));
}

static inline void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  if (g_getenv ("VMM_TEST_TIMINGS") != NULL)
    g_printerr ("#   done at %" G_GINT64_FORMAT "\n", g_get_monotonic_time () / 1000);
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static inline VmmMigrationResult *
move (const char *vm, const char *spec_json, Watch *watch, GError **error)
{
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GError) local_error = NULL;
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new_from_json (spec_json, &local_error);
  g_autoptr (VmmMigration) migration = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  Watch local = { 0 };
  VmmMigrationResult *res;
  gint64 start = g_get_monotonic_time ();

  g_assert_no_error (local_error);
  if (watch == NULL)
    watch = &local;
  watch->monotone = TRUE;
  if (watch->warnings == NULL)
    watch->warnings = g_ptr_array_new_with_free_func (g_free);
  migration = vmm_engine_create_migration (engine, backend, vm, spec, &local_error);
  g_assert_no_error (local_error);
  g_signal_connect (migration, "progress", G_CALLBACK (on_progress), watch);
  g_signal_connect (migration, "warning", G_CALLBACK (on_warning), watch);
  g_signal_connect (migration, "action-started", G_CALLBACK (on_action_started), watch);
  g_signal_connect (migration, "state-changed", G_CALLBACK (on_state_changed), watch);
  watch->move_start = start;
  g_signal_connect (migration, "action-finished", G_CALLBACK (on_action_finished), watch);
  vmm_migration_run_async (migration, watch->cancel_at_progress, done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (g_getenv ("VMM_TEST_TIMINGS") != NULL)
    g_printerr ("#   loop left at %.3f s\n",
                (double)(g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  res = vmm_migration_run_finish (migration, result, error);
  g_printerr ("# move of %s %s in %.2f s%s%s\n", vm, spec_json,
              (double)(g_get_monotonic_time () - start) / G_USEC_PER_SEC,
              res == NULL && error != NULL && *error != NULL ? ": " : "",
              res == NULL && error != NULL && *error != NULL ? (*error)->message : "");
  if (watch == &local)
    g_ptr_array_unref (local.warnings);
  return res;
}
