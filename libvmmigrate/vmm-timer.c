/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

/* One-shot timers kept in one binary heap per main context, behind one
 * GSource whose ready time is the earliest expiry.
 *
 * A GSource per timer costs about 260 bytes (the source, its callback, its
 * entry in the context's table of sources) and every main-loop iteration
 * looks at every source: with 10,000 migrations in flight, each with a
 * watchdog and a backend step waiting on a timer, that was 20,000 sources.
 * A VmmTimer lives inside its owner's structure; the heap holds a pointer
 * to it. */

typedef struct
{
  GSource source;
  GMainContext *context;
  GPtrArray *heap; /* VmmTimer*, earliest first */
  guint32 seq;
} TimerSource;

G_LOCK_DEFINE_STATIC (timers);
static GHashTable *timer_sources; /* GMainContext -> TimerSource */

static gboolean
earlier (const VmmTimer *a, const VmmTimer *b)
{
  return a->expiry != b->expiry ? a->expiry < b->expiry : (gint32)(a->seq - b->seq) < 0;
}

static void
heap_set (TimerSource *ts, guint i, VmmTimer *timer)
{
  ts->heap->pdata[i] = timer;
  timer->index = i + 1;
}

static void
heap_sift_up (TimerSource *ts, guint i)
{
  VmmTimer *timer = ts->heap->pdata[i];

  while (i > 0)
    {
      guint parent = (i - 1) / 2;
      VmmTimer *p = ts->heap->pdata[parent];

      if (!earlier (timer, p))
        break;
      heap_set (ts, i, p);
      i = parent;
    }
  heap_set (ts, i, timer);
}

static void
heap_sift_down (TimerSource *ts, guint i)
{
  VmmTimer *timer = ts->heap->pdata[i];
  guint n = ts->heap->len;

  for (;;)
    {
      guint child = 2 * i + 1;
      VmmTimer *c;

      if (child >= n)
        break;
      if (child + 1 < n && earlier (ts->heap->pdata[child + 1], ts->heap->pdata[child]))
        child++;
      c = ts->heap->pdata[child];
      if (!earlier (c, timer))
        break;
      heap_set (ts, i, c);
      i = child;
    }
  heap_set (ts, i, timer);
}

/* takes @timer out of its heap; with the lock held */
static void
heap_remove (TimerSource *ts, VmmTimer *timer)
{
  guint i = timer->index - 1;
  VmmTimer *last = g_ptr_array_steal_index (ts->heap, ts->heap->len - 1);

  timer->index = 0;
  timer->source = NULL;
  if (last == timer)
    return;
  heap_set (ts, i, last);
  if (i > 0 && earlier (last, ts->heap->pdata[(i - 1) / 2]))
    heap_sift_up (ts, i);
  else
    heap_sift_down (ts, i);
}

/* with the lock held */
static void
update_ready_time (TimerSource *ts)
{
  if (ts->heap->len == 0)
    /* dispatched once more, to go away while nothing waits */
    g_source_set_ready_time (&ts->source, 0);
  else
    g_source_set_ready_time (&ts->source, ((VmmTimer *)ts->heap->pdata[0])->expiry);
}

static gboolean
timer_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  TimerSource *ts = (TimerSource *)source;
  gint64 now = g_get_monotonic_time ();

  (void)callback;
  (void)user_data;
  for (;;)
    {
      VmmTimer *timer;
      GSourceFunc func;
      gpointer data;

      G_LOCK (timers);
      if (ts->heap->len == 0)
        {
          /* nothing waits: the next timer of this context makes a new source */
          if (g_hash_table_lookup (timer_sources, ts->context) == ts)
            g_hash_table_remove (timer_sources, ts->context);
          G_UNLOCK (timers);
          return G_SOURCE_REMOVE;
        }
      timer = ts->heap->pdata[0];
      if (timer->expiry > now)
        {
          update_ready_time (ts);
          G_UNLOCK (timers);
          return G_SOURCE_CONTINUE;
        }
      heap_remove (ts, timer);
      func = timer->func;
      data = timer->data;
      G_UNLOCK (timers);
      /* one-shot: the owner may start it again from here */
      func (data);
    }
}

static void
timer_source_finalize (GSource *source)
{
  TimerSource *ts = (TimerSource *)source;

  g_ptr_array_unref (ts->heap);
  g_main_context_unref (ts->context);
}

static GSourceFuncs timer_source_funcs = {
  .dispatch = timer_source_dispatch,
  .finalize = timer_source_finalize,
};

/* Starts @timer: @func (@data) runs once from @context (the global
 * default when NULL) after @interval_ms, unless stopped first. A timer
 * that runs is stopped first. */
void
vmm_timer_start (VmmTimer *timer, GMainContext *context, guint interval_ms, GSourceFunc func,
                 gpointer data)
{
  TimerSource *ts;

  vmm_timer_stop (timer);
  if (context == NULL)
    context = g_main_context_default ();
  G_LOCK (timers);
  if (timer_sources == NULL)
    timer_sources = g_hash_table_new (NULL, NULL);
  ts = g_hash_table_lookup (timer_sources, context);
  if (ts == NULL)
    {
      ts = (TimerSource *)g_source_new (&timer_source_funcs, sizeof (TimerSource));
      ts->context = g_main_context_ref (context);
      ts->heap = g_ptr_array_new ();
      g_source_set_static_name (&ts->source, "vmm-timers");
      g_hash_table_insert (timer_sources, context, ts);
      g_source_attach (&ts->source, context);
      g_source_unref (&ts->source); /* the context holds it until it is removed */
    }
  timer->expiry = g_get_monotonic_time () + (gint64)interval_ms * 1000;
  timer->seq = ts->seq++;
  timer->func = func;
  timer->data = data;
  timer->source = ts;
  g_ptr_array_add (ts->heap, timer);
  heap_sift_up (ts, ts->heap->len - 1);
  if (ts->heap->pdata[0] == timer)
    update_ready_time (ts);
  G_UNLOCK (timers);
}

/* Stops @timer if it waits; does nothing otherwise. */
void
vmm_timer_stop (VmmTimer *timer)
{
  TimerSource *ts;

  G_LOCK (timers);
  ts = timer->source;
  if (ts != NULL)
    {
      gboolean first = ts->heap->pdata[0] == timer;

      heap_remove (ts, timer);
      if (first)
        update_ready_time (ts);
    }
  G_UNLOCK (timers);
}

gboolean
vmm_timer_is_running (VmmTimer *timer)
{
  gboolean running;

  G_LOCK (timers);
  running = timer->source != NULL;
  G_UNLOCK (timers);
  return running;
}
