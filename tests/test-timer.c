/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's one-shot timers (vmm-timer.c): one heap per main context
 * behind one GSource, serving watchdogs and the sim's steps. */
#include "vmm-private.h"
#include "vmmigrate.h"

#define N_TIMERS 300

typedef struct
{
  VmmTimer timer;
  guint id;
  guint interval_ms;
  gint64 expiry; /* as armed */
  guint fired;
  guint rearm; /* how many more times it arms itself from its callback */
  GPtrArray *order;
} Probe;

static gboolean
probe_fired (gpointer data)
{
  Probe *p = data;

  g_assert_false (vmm_timer_is_running (&p->timer)); /* one-shot: out of the heap first */
  p->fired++;
  g_ptr_array_add (p->order, p);
  if (p->rearm > 0)
    {
      p->rearm--;
      vmm_timer_start (&p->timer, g_main_context_get_thread_default (), p->interval_ms, probe_fired,
                       p);
      p->expiry = p->timer.expiry;
    }
  return G_SOURCE_REMOVE;
}

static void
run_until_idle (GMainContext *context, Probe *probes, guint n)
{
  for (;;)
    {
      gboolean waiting = FALSE;

      for (guint i = 0; i < n; i++)
        waiting = waiting || vmm_timer_is_running (&probes[i].timer);
      if (!waiting)
        break;
      g_main_context_iteration (context, TRUE);
    }
}

/* Every timer fires once, never before its expiry, and in the order of
 * their expiries; stopped ones never fire. */
static void
test_order_and_stop (void)
{
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  g_autofree Probe *probes = g_new0 (Probe, N_TIMERS);
  GRand *rand = g_rand_new_with_seed (20261123);
  guint stopped = 0;

  for (guint i = 0; i < N_TIMERS; i++)
    {
      probes[i].id = i;
      probes[i].interval_ms = (guint)g_rand_int_range (rand, 0, 60);
      probes[i].order = order;
      vmm_timer_start (&probes[i].timer, NULL, probes[i].interval_ms, probe_fired, &probes[i]);
      probes[i].expiry = probes[i].timer.expiry;
      g_assert_true (vmm_timer_is_running (&probes[i].timer));
    }
  /* stop every third, some of them the earliest */
  for (guint i = 0; i < N_TIMERS; i += 3)
    {
      vmm_timer_stop (&probes[i].timer);
      vmm_timer_stop (&probes[i].timer); /* twice: nothing happens */
      g_assert_false (vmm_timer_is_running (&probes[i].timer));
      stopped++;
    }
  run_until_idle (NULL, probes, N_TIMERS);
  g_assert_cmpuint (order->len, ==, N_TIMERS - stopped);
  for (guint i = 0; i < N_TIMERS; i++)
    g_assert_cmpuint (probes[i].fired, ==, i % 3 == 0 ? 0 : 1);
  for (guint i = 1; i < order->len; i++)
    {
      Probe *a = g_ptr_array_index (order, i - 1);
      Probe *b = g_ptr_array_index (order, i);

      g_assert_cmpint (a->expiry, <=, b->expiry);
    }
  g_rand_free (rand);
}

/* A timer started again while it waits moves; one started again from its
 * own callback fires again; a timer stopped from another's callback does
 * not fire. */
static gboolean
stop_other (gpointer data)
{
  Probe *pair = data;

  vmm_timer_stop (&pair[1].timer);
  pair[0].fired++;
  return G_SOURCE_REMOVE;
}

static void
test_restart (void)
{
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  Probe p[3] = { { .order = NULL } };
  Probe pair[2] = { { .order = NULL } };

  for (guint i = 0; i < 3; i++)
    p[i].order = order;
  /* p[0] restarted later than p[1] while waiting: fires after it */
  vmm_timer_start (&p[0].timer, NULL, 0, probe_fired, &p[0]);
  vmm_timer_start (&p[1].timer, NULL, 5, probe_fired, &p[1]);
  vmm_timer_start (&p[0].timer, NULL, 30, probe_fired, &p[0]);
  /* p[2] arms itself four more times */
  p[2].rearm = 4;
  p[2].interval_ms = 1;
  vmm_timer_start (&p[2].timer, NULL, 1, probe_fired, &p[2]);
  run_until_idle (NULL, p, 3);
  g_assert_cmpuint (p[0].fired, ==, 1);
  g_assert_cmpuint (p[1].fired, ==, 1);
  g_assert_cmpuint (p[2].fired, ==, 5);
  g_assert_true (g_ptr_array_index (order, order->len - 1) == &p[0]);

  /* both due at once (the same or a later expiry, started second):
   * pair[0] runs first and stops pair[1] */
  pair[1].order = order;
  vmm_timer_start (&pair[0].timer, NULL, 0, stop_other, pair);
  vmm_timer_start (&pair[1].timer, NULL, 0, probe_fired, &pair[1]);
  while (vmm_timer_is_running (&pair[0].timer))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (pair[0].fired, ==, 1);
  g_assert_cmpuint (pair[1].fired, ==, 0);
  g_assert_false (vmm_timer_is_running (&pair[1].timer));
}

/* Timers fire in the main context they were started for, and nothing is
 * left attached to a context once no timer waits there. */
static void
test_contexts (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  Probe p[2] = { { .order = NULL } };

  p[0].order = p[1].order = order;
  g_main_context_push_thread_default (context);
  vmm_timer_start (&p[0].timer, context, 1, probe_fired, &p[0]);
  g_main_context_pop_thread_default (context);
  vmm_timer_start (&p[1].timer, NULL, 1, probe_fired, &p[1]);
  run_until_idle (NULL, &p[1], 1);
  g_assert_cmpuint (p[1].fired, ==, 1);
  g_assert_cmpuint (p[0].fired, ==, 0); /* its context was not iterated */
  run_until_idle (context, &p[0], 1);
  g_assert_cmpuint (p[0].fired, ==, 1);
  /* the emptied heap's source removes itself at its next dispatch */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_assert_false (g_main_context_pending (context));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/timer/order-and-stop", test_order_and_stop);
  g_test_add_func ("/timer/restart", test_restart);
  g_test_add_func ("/timer/contexts", test_contexts);
  return g_test_run ();
}
