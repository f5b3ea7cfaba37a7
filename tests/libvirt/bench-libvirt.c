/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark (not a test): the engine's live migration through the libvirt
 * backend against `virsh migrate --live --p2p` on the same idle guest and the
 * same two real hosts, alternating tool and direction each round. Prints each
 * move's wall time, the medians and their ratio (engine / virsh).
 *
 *   meson test -C BUILD --benchmark --suite libvirt
 *   VMM_BENCH_ROUNDS=9 BUILD/tests/libvirt/bench-libvirt
 */
#include "lv-peer.h"

static double
engine_move (const char *to)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *spec = g_strdup_printf ("{\"host\": \"%s\"}", to);
  gint64 start = g_get_monotonic_time ();
  g_autoptr (VmmMigrationResult) res = move ("bench1", spec, NULL, &error);
  double secs = (double)(g_get_monotonic_time () - start) / G_USEC_PER_SEC;

  if (res == NULL)
    g_error ("engine move to %s failed: %s", to, error->message);
  return secs;
}

static double
virsh_move (const char *from, const char *to)
{
  g_autofree char *dest = g_strdup_printf ("qemu+tcp://%s/system",
                                           g_str_equal (to, "kvm-a") ? "10.77.0.1" : "10.77.0.2");
  gint64 start = g_get_monotonic_time ();
  double secs;

  if (sh (NULL,
          "virsh -q -c '%s' migrate --live --p2p --persistent --undefinesource bench1 '%s' >&2",
          uri_of (from), dest)
      != 0)
    g_error ("virsh migrate from %s to %s failed", from, to);
  secs = (double)(g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_printerr ("# virsh move to %s in %.2f s\n", to, secs);
  return secs;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) engine = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) plain = g_array_new (FALSE, FALSE, sizeof (double));
  const char *rounds_env = g_getenv ("VMM_BENCH_ROUNDS");
  guint rounds = rounds_env != NULL ? (guint)g_ascii_strtoull (rounds_env, NULL, 10) : 5;
  const char *where = "kvm-a";
  double me, mv;

  start_hosts ();
  backend = vmm_backend_open (cluster_uri, NULL, &error);
  if (backend == NULL)
    g_error ("cannot open %s: %s", cluster_uri, error->message);
  guest ("idle", "bench1", "kvm-a");
  assert_alive ("bench1");
  {
    /* what the engine reads twice per move (plan, then run) */
    gint64 start = g_get_monotonic_time ();
    g_autoptr (VmmInventory) inv = vmm_backend_query_inventory (backend, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (inv);
    g_printerr ("# inventory query %.3f s\n",
                (double)(g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  }
  for (guint i = 0; i < rounds * 2; i++)
    {
      const char *to = g_str_equal (where, "kvm-a") ? "kvm-b" : "kvm-a";
      /* alternate which tool goes first, so neither always has the same direction */
      gboolean use_engine = (i % 2 == 0) == ((i / 2) % 2 == 0);
      double secs = use_engine ? engine_move (to) : virsh_move (where, to);

      g_array_append_val (use_engine ? engine : plain, secs);
      where = to;
      assert_runs_only_on ("bench1", where);
      assert_alive ("bench1");
    }
  me = median (engine);
  mv = median (plain);
  g_print ("libvirt live move of an idle 128 MiB guest, %u rounds: engine median %.3f s, "
           "virsh median %.3f s, ratio %.3f\n",
           rounds, me, mv, mv > 0 ? me / mv : 0.0);
  stop_hosts ();
  return 0;
}
