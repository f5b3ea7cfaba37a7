/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-action-private.h"

#include <json-glib/json-glib.h>

/**
 * VmmMigration:
 *
 * One VM's migration: the queue of workflow actions and its runner.
 *
 * A migration first *plans* (vmm_migration_plan(): a dry run that expands the
 * whole queue, including the tail ComputeSpec appends, without touching the
 * platform) and then *runs*: actions run in order on the caller's
 * thread-default #GMainContext, signals report each action, the progress and
 * warnings, and when an action fails the completed actions are undone in
 * reverse order, so that the VM stays where it was.
 *
 * Cancellation follows vCenter's rules: a cold or storage-only move stops at
 * any action boundary and inside long copies; a live host move stops until
 * InitiateSource starts, after that only through the backend's abort (where
 * the backend has one; otherwise the move goes on and a warning says so).
 * Once the VM has switched over to its destination, nothing is undone.
 *
 * Since: 1.0
 */

typedef struct
{
  VmmEngine *engine;
  VmmBackend *backend;
  char *vm_name;
  VmmRelocateSpec *spec;
  VmmAction *current;
  VmmMigrationResult *result;
  VmmPlan *last_plan;

  /* a plan or run in progress */
  GTask *task;
  GTask *run_task; /* the run's, while its plan is made */
  GMainContext *main_context;
  VmmMigrationContext *ctx;
  VmmInventory *inventory;
  VmmPlan *plan;
  GPtrArray *done;
  GError *failure;
  GPtrArray *undo_errors;
  GCancellable *user_cancellable;
  struct _CancelWatch *watch; /* of user_cancellable, with the other watchers */
  VmmMigration *watch_prev;
  VmmMigration *watch_next;
  GCancellable *step_cancellable;
  VmmTimer watchdog;
  char *timeout_reason;
  GPtrArray *attempts;
  GHashTable *excluded;
  GPtrArray *forward_errors; /* steps after the switch-over that failed for good */
  VmmJournal *journal;
  char *id;
  char *lock_key;
  gpointer slot; /* the engine's */

  double fraction;
  gint64 deadline;
  gint64 last_progress;
  gint64 start_time;
  double total_weight;
  double queue_weight; /* of the first @weighed actions of the queue */
  double done_weight;
  gint64 transfer_start;

  VmmMigrationState state;
  guint index;
  guint retries;
  guint progress_timeout_s;
  guint other_host_tries;
  guint weighed;

  guint dry_run : 1;
  guint past_ponr : 1;
  guint in_step_call : 1; /* inside the backend's step function */
  guint in_transfer : 1;
  guint cancel_requested : 1;
  guint timed_out : 1;
  guint queued : 1;
  guint ctx_ready : 1;
  guint select_host : 1;
  guint plan_for_run : 1; /* the dry run is a run's first part */
  guint cold_restart : 1;
} VmmMigrationPrivate;

enum
{
  SIGNAL_ACTION_STARTED,
  SIGNAL_ACTION_FINISHED,
  SIGNAL_PROGRESS,
  SIGNAL_WARNING,
  SIGNAL_STATE_CHANGED,
  SIGNAL_READY,
  N_SIGNALS
};

enum
{
  PROP_0,
  PROP_STATE,
  PROP_VM_NAME,
  PROP_FRACTION,
  N_PROPS
};

static guint signals[N_SIGNALS];
static GParamSpec *props[N_PROPS];

G_DEFINE_TYPE_WITH_PRIVATE (VmmMigration, vmm_migration, G_TYPE_OBJECT)

#define MAX_ROLL_FORWARD_TRIES 3

static void
run_next (VmmMigration *self);
static void
unwatch_user_cancellable (VmmMigration *self);
static void
begin_real_run (gpointer migration);
static void
run_plan_done (VmmMigration *self, VmmPlan *plan_in, GError *error_in);
static void
plan_for_run (VmmMigration *self, GTask *run_task);
static gboolean
try_fallback (VmmMigration *self, GTask *task, const GError *error, const char *failed_host);

static void
vmm_migration_dispose (GObject *object)
{
  VmmMigration *self = VMM_MIGRATION (object);
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  if (priv->engine != NULL)
    {
      vmm_engine_unlock_vm (priv->engine, self);
      g_clear_object (&priv->engine);
    }
  G_OBJECT_CLASS (vmm_migration_parent_class)->dispose (object);
}

static void
vmm_migration_finalize (GObject *object)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (VMM_MIGRATION (object));

  vmm_timer_stop (&priv->watchdog);
  unwatch_user_cancellable (VMM_MIGRATION (object));
  g_clear_object (&priv->backend);
  g_clear_object (&priv->spec);
  g_clear_object (&priv->result);
  g_clear_object (&priv->current);
  g_clear_object (&priv->ctx);
  g_clear_object (&priv->inventory);
  g_clear_object (&priv->plan);
  g_clear_object (&priv->run_task);
  g_clear_object (&priv->last_plan);
  g_clear_object (&priv->step_cancellable);
  g_clear_pointer (&priv->done, g_ptr_array_unref);
  g_clear_pointer (&priv->undo_errors, g_ptr_array_unref);
  g_clear_error (&priv->failure);
  g_free (priv->vm_name);
  g_free (priv->timeout_reason);
  g_clear_object (&priv->journal);
  g_free (priv->id);
  g_free (priv->lock_key);
  g_clear_pointer (&priv->attempts, g_ptr_array_unref);
  g_clear_pointer (&priv->excluded, g_hash_table_unref);
  g_clear_pointer (&priv->forward_errors, g_ptr_array_unref);
  G_OBJECT_CLASS (vmm_migration_parent_class)->finalize (object);
}

static void
vmm_migration_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (VMM_MIGRATION (object));

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, priv->state);
      break;
    case PROP_VM_NAME:
      g_value_set_string (value, priv->vm_name);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, priv->fraction);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
ready_accumulator (GSignalInvocationHint *hint, GValue *return_accu, const GValue *handler_return,
                   gpointer data)
{
  gboolean proceed = g_value_get_boolean (handler_return);

  g_value_set_boolean (return_accu, proceed);
  return proceed;
}

static gboolean
vmm_migration_real_ready (VmmMigration *self, VmmMigrationContext *context)
{
  return TRUE;
}

static void
vmm_migration_class_init (VmmMigrationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vmm_migration_dispose;
  object_class->finalize = vmm_migration_finalize;
  object_class->get_property = vmm_migration_get_property;
  klass->ready = vmm_migration_real_ready;

  /**
   * VmmMigration:state:
   *
   * Where the migration is in its life cycle.
   *
   * Since: 1.0
   */
  props[PROP_STATE]
      = g_param_spec_enum ("state", NULL, NULL, VMM_TYPE_MIGRATION_STATE, VMM_MIGRATION_STATE_NEW,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * VmmMigration:vm-name:
   *
   * The VM that moves.
   *
   * Since: 1.0
   */
  props[PROP_VM_NAME] = g_param_spec_string ("vm-name", NULL, NULL, NULL,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * VmmMigration:fraction:
   *
   * The progress, from 0 to 1; it never goes backwards.
   *
   * Since: 1.0
   */
  props[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * VmmMigration::action-started:
   * @self: the migration
   * @action: the action
   *
   * An action starts.
   *
   * Since: 1.0
   */
  signals[SIGNAL_ACTION_STARTED]
      = g_signal_new ("action-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                      G_STRUCT_OFFSET (VmmMigrationClass, action_started), NULL, NULL, NULL,
                      G_TYPE_NONE, 1, VMM_TYPE_ACTION);
  /**
   * VmmMigration::action-finished:
   * @self: the migration
   * @action: the action
   * @error: (nullable): why it failed, or %NULL when it succeeded
   *
   * An action finished.
   *
   * Since: 1.0
   */
  signals[SIGNAL_ACTION_FINISHED]
      = g_signal_new ("action-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                      G_STRUCT_OFFSET (VmmMigrationClass, action_finished), NULL, NULL, NULL,
                      G_TYPE_NONE, 2, VMM_TYPE_ACTION, G_TYPE_ERROR);
  /**
   * VmmMigration::progress:
   * @self: the migration
   * @fraction: the whole migration's progress, 0 to 1, never going backwards
   * @bytes_done: bytes the move has transferred
   * @bytes_total: bytes the move transfers
   * @eta_ms: estimated milliseconds left, or -1 when unknown
   *
   * The migration made progress.
   *
   * Since: 1.0
   */
  signals[SIGNAL_PROGRESS]
      = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                      G_STRUCT_OFFSET (VmmMigrationClass, progress), NULL, NULL, NULL, G_TYPE_NONE,
                      4, G_TYPE_DOUBLE, G_TYPE_UINT64, G_TYPE_UINT64, G_TYPE_INT64);
  /**
   * VmmMigration::warning:
   * @self: the migration
   * @message: the warning
   *
   * Something the move may lose, or a request the engine could not follow.
   *
   * Since: 1.0
   */
  signals[SIGNAL_WARNING] = g_signal_new ("warning", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          G_STRUCT_OFFSET (VmmMigrationClass, warning), NULL, NULL,
                                          NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * VmmMigration::state-changed:
   * @self: the migration
   * @old_state: the previous state
   * @new_state: the new state
   *
   * The migration's state changed.
   *
   * Since: 1.0
   */
  signals[SIGNAL_STATE_CHANGED]
      = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                      G_STRUCT_OFFSET (VmmMigrationClass, state_changed), NULL, NULL, NULL,
                      G_TYPE_NONE, 2, VMM_TYPE_MIGRATION_STATE, VMM_TYPE_MIGRATION_STATE);
  /**
   * VmmMigration::ready:
   * @self: the migration
   * @context: the resolved migration: destination, type, copy spec
   *
   * The InvokeCallbacks action: every check passed and the plan is final;
   * nothing has moved yet. Return %FALSE (or call
   * vmm_migration_context_veto()) to refuse the migration.
   *
   * Returns: %TRUE to go on
   *
   * Since: 1.0
   */
  signals[SIGNAL_READY]
      = g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                      G_STRUCT_OFFSET (VmmMigrationClass, ready), ready_accumulator, NULL, NULL,
                      G_TYPE_BOOLEAN, 1, VMM_TYPE_MIGRATION_CONTEXT);
}

static void
vmm_migration_init (VmmMigration *self)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  priv->state = VMM_MIGRATION_STATE_NEW;
}

/* made when first asked for: most migrations run without a journal */
static const char *
journal_id (VmmMigrationPrivate *priv)
{
  if (priv->id == NULL)
    priv->id = g_uuid_string_random ();
  return priv->id;
}

gpointer
vmm_migration_get_slot (VmmMigration *self)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  return priv->slot;
}

void
vmm_migration_set_slot (VmmMigration *self, gpointer slot)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  priv->slot = slot;
}

VmmEngine *
vmm_migration_peek_engine (VmmMigration *self)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  return priv->engine;
}

void
vmm_migration_setup (VmmMigration *self, gpointer engine, VmmBackend *backend, const char *vm,
                     VmmRelocateSpec *spec)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  priv->engine = g_object_ref (engine);
  priv->backend = g_object_ref (backend);
  priv->vm_name = g_strdup (vm);
  priv->spec = vmm_relocate_spec_copy (spec);
  priv->journal = vmm_engine_get_journal (engine) != NULL
                      ? g_object_ref (vmm_engine_get_journal (engine))
                      : NULL;
}

static void
set_state (VmmMigration *self, VmmMigrationState state)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  VmmMigrationState old = priv->state;

  if (old == state)
    return;
  priv->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, old, state);
}

/* --- progress --- */

static double
action_weight (VmmAction *action)
{
  if (vmm_action_peek_transfers_data (action))
    return 20.0;
  switch (vmm_action_peek_performer (action))
    {
    case VMM_ACTION_PERFORMER_BACKEND:
      return 2.0;
    case VMM_ACTION_PERFORMER_PLATFORM:
    case VMM_ACTION_PERFORMER_NOBODY:
      return 0.1;
    case VMM_ACTION_PERFORMER_ENGINE:
    case VMM_ACTION_PERFORMER_CALLER:
    default:
      return 0.5;
    }
}

static void
update_total_weight (VmmMigrationPrivate *priv)
{
  GPtrArray *queue = vmm_migration_context_get_queue (priv->ctx);

  /* the queue only grows and an action's weight never changes: add the
   * weights of the actions appended since the last call */
  for (; priv->weighed < queue->len; priv->weighed++)
    priv->queue_weight += action_weight (g_ptr_array_index (queue, priv->weighed));
  priv->total_weight = MAX (priv->total_weight, priv->queue_weight);
}

static void
emit_progress (VmmMigration *self, double in_action_fraction)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  guint64 done = vmm_migration_context_get_bytes_done (priv->ctx);
  guint64 total = vmm_migration_context_get_bytes_total (priv->ctx);
  double weight = priv->current != NULL ? action_weight (priv->current) : 0;
  double fraction;
  gint64 eta_ms = -1;

  if (priv->total_weight <= 0)
    return;
  fraction
      = (priv->done_weight + weight * CLAMP (in_action_fraction, 0.0, 1.0)) / priv->total_weight;
  fraction = CLAMP (fraction, 0.0, 1.0);
  if (fraction < priv->fraction)
    fraction = priv->fraction;
  if (priv->in_transfer && done > 0 && total > done)
    {
      gint64 elapsed_us = g_get_monotonic_time () - priv->transfer_start;

      if (elapsed_us > 0)
        eta_ms = (gint64)((double)(total - done) * ((double)elapsed_us / 1000.0) / (double)done);
    }
  priv->fraction = fraction;
  priv->last_progress = g_get_monotonic_time ();
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, fraction, done, total, eta_ms);
}

static void
sink_transfer (gpointer owner, guint64 done, guint64 total)
{
  VmmMigration *self = owner;
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  if (!priv->in_transfer)
    {
      priv->in_transfer = TRUE;
      priv->transfer_start = g_get_monotonic_time ();
    }
  emit_progress (self, total > 0 ? (double)done / (double)total : 0.0);
}

static void
sink_warning (gpointer owner, const char *message)
{
  g_signal_emit (owner, signals[SIGNAL_WARNING], 0, message);
}

static gboolean
sink_invoke_callbacks (gpointer owner, VmmMigrationContext *context, GError **error)
{
  VmmMigration *self = owner;
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  gboolean proceed = TRUE;

  /* an emission with a return value costs about 2,400 instructions: none
   * when nothing would run */
  if (VMM_MIGRATION_GET_CLASS (self)->ready != NULL
      || g_signal_has_handler_pending (self, signals[SIGNAL_READY], 0, FALSE))
    g_signal_emit (self, signals[SIGNAL_READY], 0, context, &proceed);
  if (proceed && vmm_migration_context_get_veto_reason (context) == NULL)
    proceed = vmm_engine_emit_ready (priv->engine, self, context);
  if (!proceed || vmm_migration_context_get_veto_reason (context) != NULL)
    {
      const char *reason = vmm_migration_context_get_veto_reason (context);

      g_set_error (error, VMM_ERROR, VMM_ERROR_VETOED,
                   "a pre-migration callback refused the move%s%s", reason != NULL ? ": " : "",
                   reason != NULL ? reason : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
journal_recovery_data (VmmMigrationPrivate *priv, const char *data, GError **error);

static gboolean
sink_record_recovery_data (gpointer owner, const char *data, GError **error)
{
  return journal_recovery_data (vmm_migration_get_instance_private (owner), data, error);
}

static gboolean
sink_wants_recovery_data (gpointer owner)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (owner);

  return priv->journal != NULL && !priv->dry_run && priv->lock_key != NULL;
}

static const VmmContextSink migration_sink = {
  sink_transfer,
  sink_warning,
  sink_invoke_callbacks,
  sink_record_recovery_data,
  sink_wants_recovery_data,
};

/* --- journal --- */

/* Writes one record: the builder holds an open object, which this closes. */
static gboolean
journal_write (VmmMigrationPrivate *priv, const char *kind, JsonBuilder *b, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *data = NULL;

  json_builder_end_object (b);
  root = json_builder_get_root (b);
  data = json_to_string (root, FALSE);
  return vmm_journal_append (priv->journal, journal_id (priv), kind, data, error);
}

static JsonBuilder *
journal_begin (void)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  return b;
}

static void
journal_add_string (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* The intent of an action, durable before the action touches the platform. */
static gboolean
journal_action (VmmMigrationPrivate *priv, const char *kind, VmmAction *action,
                const GError *failure, GError **error)
{
  g_autoptr (JsonBuilder) b = NULL;

  if (priv->journal == NULL || priv->dry_run)
    return TRUE;
  b = journal_begin ();
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, priv->index);
  journal_add_string (b, "action", vmm_action_get_name (action));
  if (failure != NULL)
    journal_add_string (b, "error", failure->message);
  return journal_write (priv, kind, b, error);
}

/* A backend's write-ahead data for recovery, durable before it acts. */
static gboolean
journal_recovery_data (VmmMigrationPrivate *priv, const char *data, GError **error)
{
  g_autoptr (JsonBuilder) b = NULL;

  if (priv->journal == NULL || priv->dry_run || priv->lock_key == NULL)
    return TRUE;
  b = journal_begin ();
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, priv->index);
  journal_add_string (b, "action",
                      priv->current != NULL ? vmm_action_get_name (priv->current) : NULL);
  journal_add_string (b, "data", data);
  if (!journal_write (priv, "recovery-data", b, error))
    {
      g_prefix_error (error, "the journal could not record what recovery would need: ");
      return FALSE;
    }
  return TRUE;
}

static void
journal_note (VmmMigration *self, const char *kind, VmmAction *action, const GError *failure)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  g_autoptr (GError) error = NULL;

  if (!journal_action (priv, kind, action, failure, &error) && priv->ctx != NULL)
    {
      g_autofree char *msg
          = g_strdup_printf ("the journal could not record %s: %s", kind, error->message);
      vmm_migration_context_add_warning (priv->ctx, msg);
    }
}

static gboolean
journal_start (VmmMigration *self, GError **error)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  g_autoptr (JsonBuilder) b = NULL;
  g_autofree char *spec = NULL;
  g_auto (GStrv) actions = NULL;

  if (priv->journal == NULL)
    return TRUE;
  priv->lock_key = g_strdup_printf (
      "%s/%s",
      vmm_backend_get_uri (priv->backend) != NULL ? vmm_backend_get_uri (priv->backend) : "backend",
      priv->vm_name);
  if (!vmm_journal_lock_vm (priv->journal, priv->lock_key, vmm_engine_get_id (priv->engine), error))
    {
      g_clear_pointer (&priv->lock_key, g_free);
      return FALSE;
    }
  b = journal_begin ();
  journal_add_string (b, "vm", priv->vm_name);
  journal_add_string (b, "backend", vmm_backend_get_uri (priv->backend));
  journal_add_string (b, "engine", vmm_engine_get_id (priv->engine));
  spec = vmm_relocate_spec_to_json (priv->spec);
  journal_add_string (b, "spec", spec);
  journal_add_string (b, "migration-type",
                      vmm_migration_type_to_string (vmm_plan_get_migration_type (priv->plan)));
  journal_add_string (b, "source-host", vmm_plan_get_source_host (priv->plan));
  journal_add_string (b, "destination-host", vmm_plan_get_destination_host (priv->plan));
  json_builder_set_member_name (b, "plan");
  json_builder_begin_array (b);
  actions = vmm_plan_get_action_names (priv->plan);
  for (guint i = 0; actions[i] != NULL; i++)
    json_builder_add_string_value (b, actions[i]);
  json_builder_end_array (b);
  return journal_write (priv, "migration", b, error);
}

static void
journal_outcome (VmmMigration *self, const GError *failure)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (GError) error = NULL;

  if (priv->journal == NULL || priv->lock_key == NULL)
    return;
  b = journal_begin ();
  journal_add_string (b, "state",
                      failure == NULL                                               ? "succeeded"
                      : g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? "cancelled"
                                                                                    : "failed");
  json_builder_set_member_name (b, "moved");
  json_builder_add_boolean_value (b, failure == NULL || priv->past_ponr);
  journal_add_string (b, "host",
                      priv->result != NULL ? vmm_migration_result_get_host (priv->result) : NULL);
  journal_add_string (b, "error", failure != NULL ? failure->message : NULL);
  if (!journal_write (priv, "outcome", b, &error))
    g_warning ("the journal could not record the outcome of %s: %s", priv->vm_name, error->message);
  vmm_journal_unlock_vm (priv->journal, priv->lock_key, vmm_engine_get_id (priv->engine));
  g_clear_pointer (&priv->lock_key, g_free);
}

/* --- ending --- */

/* Cancellables the caller passed, watched once however many migrations
 * they stop: an evacuation, a tool or a program often passes one to all its
 * migrations, and a signal connection costs about 400 bytes each. */
typedef struct _CancelWatch
{
  GCancellable *cancellable; /* unowned: the watchers' tasks hold it */
  gulong handler;
  VmmMigration *first;
} CancelWatch;

static GRecMutex cancel_watch_lock;
static GHashTable *cancel_watches; /* GCancellable -> CancelWatch */

static void
user_cancelled_cb (GCancellable *cancellable, gpointer user_data);

static void
cancel_watch_cb (GCancellable *cancellable, gpointer user_data)
{
  CancelWatch *watch = user_data;

  g_rec_mutex_lock (&cancel_watch_lock);
  for (VmmMigration *m = watch->first; m != NULL;)
    {
      VmmMigrationPrivate *mp = vmm_migration_get_instance_private (m);

      user_cancelled_cb (cancellable, m);
      m = mp->watch_next;
    }
  g_rec_mutex_unlock (&cancel_watch_lock);
}

static void
watch_user_cancellable (VmmMigration *self, GCancellable *cancellable)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  CancelWatch *watch;

  unwatch_user_cancellable (self);
  priv->user_cancellable = cancellable;
  if (cancellable == NULL)
    return;
  g_rec_mutex_lock (&cancel_watch_lock);
  if (cancel_watches == NULL)
    cancel_watches = g_hash_table_new (NULL, NULL);
  watch = g_hash_table_lookup (cancel_watches, cancellable);
  if (watch == NULL)
    {
      watch = g_new0 (CancelWatch, 1);
      watch->cancellable = cancellable;
      g_hash_table_insert (cancel_watches, cancellable, watch);
      /* runs cancel_watch_cb at once if it is cancelled already: the lock
       * is recursive, and this migration is not on the list yet */
      watch->handler
          = g_cancellable_connect (cancellable, G_CALLBACK (cancel_watch_cb), watch, NULL);
    }
  priv->watch = watch;
  priv->watch_prev = NULL;
  priv->watch_next = watch->first;
  if (watch->first != NULL)
    ((VmmMigrationPrivate *)vmm_migration_get_instance_private (watch->first))->watch_prev = self;
  watch->first = self;
  g_rec_mutex_unlock (&cancel_watch_lock);
  if (g_cancellable_is_cancelled (cancellable))
    user_cancelled_cb (cancellable, self);
}

static void
unwatch_user_cancellable (VmmMigration *self)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  CancelWatch *watch = priv->watch;
  CancelWatch *unused = NULL;

  if (watch == NULL)
    return;
  g_rec_mutex_lock (&cancel_watch_lock);
  if (priv->watch_prev != NULL)
    ((VmmMigrationPrivate *)vmm_migration_get_instance_private (priv->watch_prev))->watch_next
        = priv->watch_next;
  else
    watch->first = priv->watch_next;
  if (priv->watch_next != NULL)
    ((VmmMigrationPrivate *)vmm_migration_get_instance_private (priv->watch_next))->watch_prev
        = priv->watch_prev;
  priv->watch = NULL;
  priv->watch_prev = priv->watch_next = NULL;
  if (watch->first == NULL)
    {
      g_hash_table_remove (cancel_watches, watch->cancellable);
      unused = watch;
    }
  g_rec_mutex_unlock (&cancel_watch_lock);
  if (unused != NULL)
    {
      /* outside the lock: this waits for a handler running in another thread */
      g_cancellable_disconnect (unused->cancellable, unused->handler);
      g_free (unused);
    }
}

static void
disconnect_cancellable (VmmMigration *self)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  unwatch_user_cancellable (self);
  vmm_timer_stop (&priv->watchdog);
}

static const char *
current_location (VmmMigrationPrivate *priv)
{
  return priv->past_ponr ? vmm_migration_context_get_destination_host (priv->ctx)
                         : vmm_migration_context_get_source_host (priv->ctx);
}

static void
finish (VmmMigration *self, GError *error)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  g_autoptr (GTask) task = g_steal_pointer (&priv->task);
  gboolean dry = priv->dry_run;
  gint64 duration = priv->start_time > 0 ? (g_get_monotonic_time () - priv->start_time) / 1000 : 0;

  disconnect_cancellable (self);
  g_clear_object (&priv->current);
  if (dry)
    {
      g_autoptr (VmmMigrationContext) ctx = g_steal_pointer (&priv->ctx);

      /* the whole story, also when a check failed */
      g_clear_object (&priv->last_plan);
      if (ctx != NULL)
        priv->last_plan = vmm_plan_new_from_context (ctx);
      if (priv->plan_for_run)
        {
          /* the run goes on from here, without a task of the plan's */
          priv->plan_for_run = FALSE;
          g_object_ref (self); /* through whatever the run's callback drops */
          run_plan_done (self, error == NULL ? g_object_ref (priv->last_plan) : NULL, error);
          g_object_unref (self);
          return;
        }
      /* returning may start the run at once: touch nothing of priv after */
      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, g_object_ref (priv->last_plan), g_object_unref);
      return;
    }

  if (priv->engine != NULL)
    {
      vmm_engine_release_slots (priv->engine, self);
      vmm_engine_unlock_vm (priv->engine, self);
    }
  if (priv->ctx != NULL)
    {
      g_clear_object (&priv->result);
      priv->result = vmm_migration_result_new (priv->vm_name);
      vmm_migration_result_fill (priv->result, priv->ctx, error == NULL || priv->past_ponr,
                                 priv->done, duration);
      vmm_migration_result_set_attempts (priv->result, priv->attempts);
    }
  if (error == NULL)
    {
      journal_outcome (self, NULL);
      priv->current = NULL;
      emit_progress (self, 1.0);
      priv->fraction = 1.0;
      set_state (self, VMM_MIGRATION_STATE_SUCCEEDED);
      g_task_return_pointer (task, g_object_ref (priv->result), g_object_unref);
      return;
    }
  if (priv->ctx != NULL
      && try_fallback (self, task, error, vmm_migration_context_get_destination_host (priv->ctx)))
    {
      g_error_free (error);
      return;
    }
  journal_outcome (self, error);
  set_state (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                       ? VMM_MIGRATION_STATE_CANCELLED
                       : VMM_MIGRATION_STATE_FAILED);
  g_task_return_error (task, error);
}

/* Builds the final error: what failed, why, and where the VM is. */
static GError *
final_error (VmmMigrationPrivate *priv)
{
  const char *where = current_location (priv);
  GError *cause = priv->failure;
  GQuark domain = cause->domain;
  int code = cause->code;
  g_autoptr (GString) msg = g_string_new (cause->message);

  if (priv->timed_out)
    {
      domain = VMM_ERROR;
      code = VMM_ERROR_TIMEOUT;
      if (priv->timeout_reason != NULL)
        {
          g_autofree char *why = g_strdup_printf ("the move %s; ", priv->timeout_reason);
          g_string_prepend (msg, why);
        }
    }
  if (priv->attempts != NULL && priv->attempts->len > 0)
    {
      g_string_append (msg, "; earlier attempts:");
      for (guint i = 0; i < priv->attempts->len; i++)
        g_string_append_printf (msg, " %s;", (char *)g_ptr_array_index (priv->attempts, i));
      g_string_truncate (msg, msg->len - 1);
    }
  if (priv->undo_errors != NULL && priv->undo_errors->len > 0)
    {
      domain = VMM_ERROR;
      code = VMM_ERROR_ROLLBACK_FAILED;
      g_string_append (msg, "; the rollback could not undo everything:");
      for (guint i = 0; i < priv->undo_errors->len; i++)
        g_string_append_printf (msg, " %s;", (char *)g_ptr_array_index (priv->undo_errors, i));
      g_string_truncate (msg, msg->len - 1);
    }
  if (priv->past_ponr)
    g_string_append_printf (msg, "; the VM runs on its destination host '%s'", where);
  else if (priv->ctx != NULL && where != NULL)
    g_string_append_printf (msg, "; the VM is on its source host '%s'", where);
  return g_error_new_literal (domain, code, msg->str);
}

/* Whether a failed live move may be tried again cold: the spec allows it,
 * the VM runs and is still on its source, the backend can stop and start
 * it, and the reason is one a cold move does not share (the live transfer,
 * CPU features, a device the destination cannot reach live). */
static gboolean
cold_fallback_applies (VmmMigrationPrivate *priv, const GError *error)
{
  VmmVmInfo *vm
      = priv->inventory != NULL ? vmm_inventory_lookup_vm (priv->inventory, priv->vm_name) : NULL;

  /* a move that was cold already (asked for, or planned as a cold restart)
   * has nothing to fall back to */
  return vmm_relocate_spec_get_fallback_cold (priv->spec) && !priv->cold_restart && !priv->past_ponr
         && vmm_relocate_spec_get_migration_type (priv->spec) != VMM_MIGRATION_PREFERENCE_COLD
         && (priv->ctx == NULL || !vmm_migration_context_get_cold_restart (priv->ctx)) && vm != NULL
         && vmm_vm_info_get_power_state (vm) == VMM_POWER_STATE_RUNNING
         && vmm_backend_get_step_mode (priv->backend, VMM_STEP_POWER_OFF)
                != VMM_STEP_MODE_UNSUPPORTED
         && vmm_backend_get_step_mode (priv->backend, VMM_STEP_POWER_ON)
                != VMM_STEP_MODE_UNSUPPORTED
         && error->domain == VMM_ERROR
         && (error->code == VMM_ERROR_INCOMPATIBLE || error->code == VMM_ERROR_UNSUPPORTED
             || error->code == VMM_ERROR_BACKEND || error->code == VMM_ERROR_TIMEOUT);
}

/* The fallback chain: a move that failed with the VM still on its source is
 * tried again, when the spec allows it: first live to another suitable host
 * the engine picks (for a reason tied to the destination, twice at most),
 * then cold (stop, move, start) to the host the spec asked for. Each attempt
 * is recorded. */
static gboolean
try_fallback (VmmMigration *self, GTask *task, const GError *error, const char *failed_host)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  gboolean other, cold;
  /* the cause, without what final_error() added (attempts, where the VM is) */
  const char *cause = priv->failure != NULL ? priv->failure->message : error->message;

  if (priv->past_ponr
      || (priv->user_cancellable != NULL && g_cancellable_is_cancelled (priv->user_cancellable)))
    return FALSE;
  other
      = vmm_relocate_spec_get_fallback_other_host (priv->spec) && !priv->cold_restart
        && failed_host != NULL && error->domain == VMM_ERROR
        && (error->code == VMM_ERROR_INCOMPATIBLE || error->code == VMM_ERROR_INSUFFICIENT_CAPACITY
            || error->code == VMM_ERROR_BACKEND || error->code == VMM_ERROR_TIMEOUT)
        && priv->other_host_tries < 2;
  cold = !other && cold_fallback_applies (priv, error);
  if (!other && !cold)
    return FALSE;
  if (priv->attempts == NULL)
    priv->attempts = g_ptr_array_new_with_free_func (g_free);
  if (priv->excluded == NULL)
    priv->excluded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (failed_host != NULL)
    g_ptr_array_add (priv->attempts,
                     g_strdup_printf ("move to host '%s' failed: %s", failed_host, cause));
  else
    g_ptr_array_add (priv->attempts, g_strdup_printf ("live move failed: %s", cause));
  if (other)
    {
      g_hash_table_add (priv->excluded, g_strdup (failed_host));
      priv->select_host = TRUE;
      priv->other_host_tries++;
    }
  else
    {
      /* cold: back to the destination the spec asked for (or the engine's
       * choice among every host); what failed live may take it cold */
      g_hash_table_remove_all (priv->excluded);
      priv->select_host = FALSE;
      priv->cold_restart = TRUE;
    }
  priv->past_ponr = FALSE;
  priv->timed_out = FALSE;
  priv->queued = FALSE;
  g_clear_pointer (&priv->timeout_reason, g_free);
  g_clear_error (&priv->failure);
  g_clear_pointer (&priv->undo_errors, g_ptr_array_unref);
  g_clear_object (&priv->plan);
  g_clear_object (&priv->ctx);
  if (priv->engine != NULL)
    vmm_engine_release_slots (priv->engine, self);
  /* plan again (another host, or cold), then run: the same path as the first try */
  priv->task = NULL;
  plan_for_run (self, g_object_ref (task));
  return TRUE;
}

static void
cleanup_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VmmMigration *self = user_data;
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  g_autoptr (GError) error = NULL;

  if (!vmm_backend_cleanup_finish (VMM_BACKEND (source), result, &error))
    {
      g_autofree char *msg
          = g_strdup_printf ("cleanup after the move left something behind: %s", error->message);
      vmm_migration_context_add_warning (priv->ctx, msg);
    }
  if (priv->failure != NULL)
    finish (self, final_error (priv));
  else
    finish (self, NULL);
  g_object_unref (self);
}

static void
run_cleanup (VmmMigration *self, gboolean succeeded)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  vmm_backend_cleanup_async (priv->backend, priv->ctx, succeeded, NULL, cleanup_done_cb,
                             g_object_ref (self));
}

static void
undo_next (VmmMigration *self);

static void
undo_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VmmMigration *self = user_data;
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  VmmAction *action = VMM_ACTION (source);
  g_autoptr (GError) error = NULL;

  gboolean ok = vmm_action_undo_finish (action, result, &error);

  journal_note (self, ok ? "undo-done" : "undo-failed", action, error);
  if (!ok)
    {
      if (priv->undo_errors == NULL)
        priv->undo_errors = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (
          priv->undo_errors,
          g_strdup_printf ("undo of %s failed: %s", vmm_action_get_name (action), error->message));
    }
  g_ptr_array_remove_index (priv->done, priv->done->len - 1);
  undo_next (self);
  g_object_unref (self);
}

static void
undo_next (VmmMigration *self)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  VmmAction *action;

  /* The undo stack is the list of completed actions, newest first. */
  while (priv->done->len > 0)
    {
      action = g_ptr_array_index (priv->done, priv->done->len - 1);
      if (vmm_action_has_undo (action))
        {
          journal_note (self, "undo", action, NULL);
          vmm_action_undo_async (action, priv->ctx, NULL, undo_done_cb, g_object_ref (self));
          return;
        }
      g_ptr_array_remove_index (priv->done, priv->done->len - 1);
    }
  run_cleanup (self, FALSE);
}

static void
fail (VmmMigration *self, VmmAction *action, GError *error)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  if (action != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_prefix_error (&error, "%s: ", vmm_action_get_name (action));
  else if (action != NULL)
    g_prefix_error (&error, "%s during %s: ", priv->timed_out ? "timed out" : "cancelled",
                    vmm_action_get_name (action));
  g_clear_error (&priv->failure);
  priv->failure = error;
  g_clear_object (&priv->current);

  if (priv->dry_run)
    {
      finish (self, g_error_copy (priv->failure));
      return;
    }
  if (priv->past_ponr)
    {
      /* The VM already runs at its destination: nothing to undo. */
      run_cleanup (self, FALSE);
      return;
    }
  set_state (self, VMM_MIGRATION_STATE_ROLLING_BACK);
  undo_next (self);
}

/* --- cancellation and timeout --- */

static gboolean
phase_is_cancellable (VmmMigrationPrivate *priv)
{
  VmmMigrationType type;
  VmmStep step;

  if (priv->past_ponr)
    return FALSE;
  type = vmm_migration_context_get_migration_type (priv->ctx);
  if (type == VMM_MIGRATION_TYPE_UNKNOWN || !vmm_migration_type_is_hot (type)
      || type == VMM_MIGRATION_TYPE_HOT_STORAGE || type == VMM_MIGRATION_TYPE_HOT_DISKS_ONLY)
    return TRUE;
  /* A live host move: cancellable until InitiateSource starts. */
  if (priv->current != NULL && vmm_action_step_get_step (priv->current, &step)
      && step == VMM_STEP_INITIATE_SOURCE)
    return FALSE;
  return TRUE;
}

static void
stop_now (VmmMigration *self, const char *why)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  g_autoptr (GError) error = NULL;

  if (priv->past_ponr)
    {
      g_autofree char *msg = g_strdup_printf (
          "%s ignored: the VM has already switched over to host '%s'; the move completes", why,
          vmm_migration_context_get_destination_host (priv->ctx));
      vmm_migration_context_add_warning (priv->ctx, msg);
      return;
    }
  if (phase_is_cancellable (priv))
    {
      priv->cancel_requested = TRUE;
      g_cancellable_cancel (priv->step_cancellable);
      return;
    }
  if (vmm_backend_abort (priv->backend, priv->ctx, &error))
    {
      priv->cancel_requested = TRUE;
      return;
    }
  {
    g_autofree char *msg = g_strdup_printf (
        "%s ignored: the live move is transferring and the backend cannot abort it (%s); the move "
        "goes on",
        why, error->message);
    vmm_migration_context_add_warning (priv->ctx, msg);
  }
}

static gboolean
user_cancelled_idle (gpointer user_data)
{
  VmmMigration *self = user_data;
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  if (priv->task == NULL)
    return G_SOURCE_REMOVE;
  if (priv->ctx == NULL || priv->state == VMM_MIGRATION_STATE_QUEUED
      || priv->state == VMM_MIGRATION_STATE_NEW)
    {
      /* Still planning or waiting for a slot: nothing has moved. */
      priv->cancel_requested = TRUE;
      if (priv->state == VMM_MIGRATION_STATE_QUEUED)
        {
          vmm_engine_release_slots (priv->engine, self);
          finish (self,
                  g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "migration of '%s' cancelled before it started; the VM is on "
                               "its source host '%s'",
                               priv->vm_name,
                               priv->ctx != NULL ? vmm_migration_context_get_source_host (priv->ctx)
                                                 : "(unchanged)"));
        }
      return G_SOURCE_REMOVE;
    }
  if (priv->state == VMM_MIGRATION_STATE_RUNNING)
    stop_now (self, "cancellation");
  return G_SOURCE_REMOVE;
}

static void
user_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  VmmMigration *self = user_data;
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  GSource *source = g_idle_source_new ();

  /* May run in another thread: act in the migration's own context. */
  g_source_set_callback (source, user_cancelled_idle, g_object_ref (self), g_object_unref);
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_attach (source, priv->main_context);
  g_source_unref (source);
}

static gboolean
watchdog_cb (gpointer user_data);

static void
watchdog_stop (VmmMigrationPrivate *priv)
{
  vmm_timer_stop (&priv->watchdog);
}

/* The watchdog wakes when a timeout could first expire (the completion
 * deadline, or the progress timeout after the last progress), not on a
 * fixed tick: thousands of migrations in flight cost no wake-ups. */
static void
watchdog_arm (VmmMigration *self)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  gint64 next = priv->deadline;
  gint64 wait_ms;

  if (priv->progress_timeout_s > 0)
    next = MIN (next, priv->last_progress + (gint64)priv->progress_timeout_s * G_USEC_PER_SEC);
  watchdog_stop (priv);
  if (next == G_MAXINT64)
    return;
  wait_ms = (next - g_get_monotonic_time ()) / 1000 + 1;
  vmm_timer_start (&priv->watchdog, priv->main_context, (guint)CLAMP (wait_ms, 1, G_MAXINT32),
                   watchdog_cb, self);
}

static gboolean
watchdog_cb (gpointer user_data)
{
  VmmMigration *self = user_data;
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  VmmOnTimeoutAction action = vmm_relocate_spec_get_on_timeout (priv->spec);
  gint64 now = g_get_monotonic_time ();

  if (priv->task == NULL || priv->state != VMM_MIGRATION_STATE_RUNNING || priv->past_ponr
      || priv->timed_out)
    {
      /* nothing to watch any more: timeouts end at the switch-over */
      watchdog_stop (priv);
      return G_SOURCE_REMOVE;
    }
  if (now >= priv->deadline)
    priv->timeout_reason = g_strdup_printf ("did not complete within %" G_GINT64_FORMAT " s",
                                            (priv->deadline - priv->start_time) / G_USEC_PER_SEC);
  else if (priv->progress_timeout_s > 0
           && now - priv->last_progress >= (gint64)priv->progress_timeout_s * G_USEC_PER_SEC)
    priv->timeout_reason = g_strdup_printf ("made no progress for %u s", priv->progress_timeout_s);
  else
    {
      watchdog_arm (self); /* progress was made: wake at the new time */
      return G_SOURCE_REMOVE;
    }
  if (action != VMM_ON_TIMEOUT_ABORT)
    {
      GEnumClass *klass = g_type_class_ref (VMM_TYPE_ON_TIMEOUT_ACTION);
      const char *nick = g_enum_get_value (klass, action)->value_nick;
      g_autoptr (GError) error = NULL;
      g_autofree char *msg = NULL;

      g_type_class_unref (klass);
      if (priv->current != NULL && vmm_action_peek_transfers_data (priv->current)
          && vmm_backend_apply_timeout_action (priv->backend, priv->ctx, action, &error))
        {
          /* the move goes on, finishing the way the spec asked: watch no more */
          msg = g_strdup_printf ("the move %s; applied on-timeout %s", priv->timeout_reason, nick);
          vmm_migration_context_add_warning (priv->ctx, msg);
          g_clear_pointer (&priv->timeout_reason, g_free);
          priv->deadline = G_MAXINT64;
          priv->progress_timeout_s = 0;
          watchdog_stop (priv);
          return G_SOURCE_REMOVE;
        }
      msg = g_strdup_printf ("on-timeout %s is not available for this move (%s); aborting instead",
                             nick, error != NULL ? error->message : "no transfer in flight");
      vmm_migration_context_add_warning (priv->ctx, msg);
    }
  priv->timed_out = TRUE;
  watchdog_stop (priv);
  stop_now (self, "the timeout");
  return G_SOURCE_REMOVE;
}

/* How long a move may take when the spec does not say: two minutes, plus ten
 * seconds per GiB it transfers (memory of a live move and the disks that
 * move). */
static guint
default_completion_timeout_s (VmmMigrationPrivate *priv)
{
  VmmVmInfo *vm
      = priv->inventory != NULL ? vmm_inventory_lookup_vm (priv->inventory, priv->vm_name) : NULL;
  GPtrArray *disks = priv->plan != NULL ? vmm_plan_get_target_disks (priv->plan) : NULL;
  guint64 bytes = 0;

  if (vm != NULL && vmm_vm_info_get_power_state (vm) == VMM_POWER_STATE_RUNNING)
    bytes += vmm_vm_info_get_memory_mib (vm) << 20;
  for (guint i = 0; vm != NULL && disks != NULL && i < disks->len; i++)
    {
      VmmDiskInfo *t = g_ptr_array_index (disks, i);
      VmmDiskInfo *d = vmm_vm_info_lookup_disk (vm, vmm_disk_info_get_key (t));

      if (d != NULL
          && g_strcmp0 (vmm_disk_info_get_datastore (d), vmm_disk_info_get_datastore (t)) != 0)
        bytes += vmm_disk_info_get_capacity (t);
    }
  return 120 + (guint)(10 * ((bytes + (1ULL << 30) - 1) >> 30));
}

/* --- the runner --- */

static GCancellable *
step_cancellable_for (VmmMigrationPrivate *priv)
{
  return priv->step_cancellable;
}

static gboolean
retry_idle (gpointer user_data)
{
  run_next (user_data);
  return G_SOURCE_REMOVE;
}

/* The current action ended (@error: transfer full, set when !@ok). */
static void
action_completed (VmmMigration *self, VmmAction *action, gboolean ok, GError *error_in)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  g_autoptr (GError) error = error_in;

  priv->in_transfer = FALSE;
  if (ok && priv->cancel_requested && !priv->past_ponr
      && !vmm_action_peek_point_of_no_return (action))
    {
      /* Cancelled while an action that could not see it ran: stop at the
       * boundary, undoing this action too. */
      g_ptr_array_add (priv->done, g_object_ref (action));
      if (!priv->dry_run)
        g_signal_emit (self, signals[SIGNAL_ACTION_FINISHED], 0, action, NULL);
      fail (self, action,
            g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the migration was stopped"));
      return;
    }
  if (!priv->dry_run)
    {
      journal_note (self, ok ? "action-done" : "action-failed", action, ok ? NULL : error);
      g_signal_emit (self, signals[SIGNAL_ACTION_FINISHED], 0, action, ok ? NULL : error);
    }
  if (!ok)
    {
      if (priv->past_ponr && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && ++priv->retries < MAX_ROLL_FORWARD_TRIES)
        {
          /* After the switch-over the only way is forward: try again. */
          g_autofree char *msg
              = g_strdup_printf ("%s failed after the switch-over (%s); trying again (%u of %u)",
                                 vmm_action_get_name (action), error->message, priv->retries + 1,
                                 MAX_ROLL_FORWARD_TRIES);
          vmm_migration_context_add_warning (priv->ctx, msg);
          g_clear_object (&priv->current);
          {
            GSource *idle = g_idle_source_new ();

            g_source_set_callback (idle, retry_idle, g_object_ref (self), g_object_unref);
            g_source_attach (idle, priv->main_context);
            g_source_unref (idle);
          }
          return;
        }
      if (priv->past_ponr && !priv->dry_run)
        {
          /* The VM runs at its destination: finish what can be finished
           * (the other steps do not depend on this one), then report this
           * step's failure and what it left. The source's leftovers are
           * kept: the destination was not fully completed. */
          g_autofree char *msg = NULL;

          g_prefix_error (&error, "%s: ", vmm_action_get_name (action));
          msg = g_strdup_printf ("%s failed after the switch-over; going on with the remaining "
                                 "steps",
                                 error->message);
          vmm_migration_context_add_warning (priv->ctx, msg);
          if (priv->forward_errors == NULL)
            priv->forward_errors = g_ptr_array_new_with_free_func ((GDestroyNotify)g_error_free);
          g_ptr_array_add (priv->forward_errors, g_steal_pointer (&error));
          priv->retries = 0;
          priv->index++;
          g_clear_object (&priv->current);
          run_next (self);
          return;
        }
      fail (self, action, g_steal_pointer (&error));
      return;
    }
  priv->retries = 0;
  g_ptr_array_add (priv->done, g_object_ref (action));
  if (vmm_action_peek_point_of_no_return (action) && !priv->dry_run)
    {
      priv->past_ponr = TRUE;
      /* a stop asked for while the switch-over ran comes too late */
      if (priv->cancel_requested || g_cancellable_is_cancelled (priv->step_cancellable))
        {
          g_autofree char *msg = g_strdup_printf (
              "cancellation ignored: the VM switched over to host '%s'; the move completes",
              vmm_migration_context_get_destination_host (priv->ctx));

          vmm_migration_context_add_warning (priv->ctx, msg);
          priv->cancel_requested = FALSE;
          g_clear_object (&priv->step_cancellable);
          priv->step_cancellable = g_cancellable_new ();
        }
    }
  priv->done_weight += action_weight (action);
  priv->index++;
  if (!priv->dry_run)
    {
      update_total_weight (priv);
      emit_progress (self, 0.0);
    }
  g_clear_object (&priv->current);
  run_next (self);
}

/* An action that ran at once, completed from an idle of the migration's
 * context at the priority a GTask would use. */
typedef struct
{
  VmmMigration *self;
  VmmAction *action;
  gboolean ok;
  GError *error;
} Completion;

static void
completion_free (gpointer data)
{
  Completion *completion = data;

  g_object_unref (completion->self);
  g_object_unref (completion->action);
  g_clear_error (&completion->error);
  g_free (completion);
}

static gboolean
completion_idle (gpointer data)
{
  Completion *completion = data;

  action_completed (completion->self, completion->action, completion->ok,
                    g_steal_pointer (&completion->error));
  return G_SOURCE_REMOVE;
}

static void
complete_in_idle (VmmMigration *self, VmmAction *action, gboolean ok, GError *error)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  Completion *completion = g_new0 (Completion, 1);
  GSource *source = g_idle_source_new ();

  completion->self = g_object_ref (self);
  completion->action = g_object_ref (action);
  completion->ok = ok;
  completion->error = error;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, completion_idle, completion, completion_free);
  g_source_attach (source, priv->main_context);
  g_source_unref (source);
}

static void
action_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VmmMigration) self = user_data;
  VmmAction *action = VMM_ACTION (source);
  GError *error = NULL;
  gboolean ok = vmm_action_run_finish (action, result, &error);

  action_completed (self, action, ok, error);
}

/* A backend step, called without a task of the action's in between (one
 * GTask less per migration in flight); the action is priv->current. */
static void
backend_step_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VmmMigration) self = user_data;
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  g_autoptr (VmmAction) action = g_object_ref (priv->current);
  GError *error = NULL;
  gboolean ok = vmm_backend_step_finish (VMM_BACKEND (source), result, &error);

  /* a backend that completes before returning: as a task would, later */
  if (priv->in_step_call)
    complete_in_idle (self, action, ok, error);
  else
    action_completed (self, action, ok, error);
}

static void
run_next (VmmMigration *self)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  GPtrArray *queue = vmm_migration_context_get_queue (priv->ctx);
  VmmAction *action;

  if (priv->cancel_requested && !priv->past_ponr && priv->index < queue->len)
    {
      VmmAction *next = g_ptr_array_index (queue, priv->index);

      fail (self, next,
            g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the migration was stopped"));
      return;
    }
  if (priv->index >= queue->len)
    {
      if (priv->dry_run)
        finish (self, NULL);
      else if (priv->forward_errors != NULL)
        {
          /* the first failure after the switch-over, with the others */
          GError *first = g_error_copy (g_ptr_array_index (priv->forward_errors, 0));

          for (guint i = 1; i < priv->forward_errors->len; i++)
            {
              g_autofree char *more = g_strdup_printf (
                  "%s; %s", first->message,
                  ((GError *)g_ptr_array_index (priv->forward_errors, i))->message);
              g_free (first->message);
              first->message = g_steal_pointer (&more);
            }
          g_clear_error (&priv->failure);
          priv->failure = first;
          run_cleanup (self, FALSE);
        }
      else
        run_cleanup (self, TRUE);
      return;
    }
  action = g_ptr_array_index (queue, priv->index);
  {
    GError *error = NULL;

    /* write-ahead: no intent on record, no action */
    if (!journal_action (priv, "action", action, NULL, &error))
      {
        fail (self, action, error);
        return;
      }
  }
  g_set_object (&priv->current, action);
  if (!priv->dry_run)
    g_signal_emit (self, signals[SIGNAL_ACTION_STARTED], 0, action);
  {
    gboolean ok;
    GError *error = NULL;

    if (vmm_action_run_now (action, priv->ctx, &ok, &error))
      {
        /* Built-in actions run one after the other without a main-loop
         * turn each (a dry run emits nothing and touches nothing; a run's
         * engine actions only read and decide). A cancellation that arrived
         * meanwhile (a signal handler, another thread) is acted on first,
         * from the main loop, at the same boundary as before. */
        if (priv->dry_run
            || ((priv->user_cancellable == NULL
                 || !g_cancellable_is_cancelled (priv->user_cancellable))
                && !g_cancellable_is_cancelled (priv->step_cancellable)))
          action_completed (self, action, ok, error);
        else
          complete_in_idle (self, action, ok, error);
        return;
      }
  }
  {
    VmmStep step;

    if (vmm_action_step_get_step (action, &step)
        && vmm_action_peek_performer (action) == VMM_ACTION_PERFORMER_BACKEND)
      {
        priv->in_step_call = TRUE;
        vmm_backend_run_step_async (vmm_migration_context_get_backend (priv->ctx), step, priv->ctx,
                                    step_cancellable_for (priv), backend_step_done_cb,
                                    g_object_ref (self));
        priv->in_step_call = FALSE;
        return;
      }
  }
  vmm_action_run_async (action, priv->ctx, step_cancellable_for (priv), action_done_cb,
                        g_object_ref (self));
}

static void
apply_fallback_state (VmmMigrationPrivate *priv, VmmMigrationContext *ctx)
{
  GHashTableIter iter;
  gpointer host;

  if (priv->cold_restart)
    vmm_migration_context_set_cold_restart (ctx, TRUE);
  if (priv->excluded == NULL)
    return;
  vmm_migration_context_set_select_host (ctx, priv->select_host);
  g_hash_table_iter_init (&iter, priv->excluded);
  while (g_hash_table_iter_next (&iter, &host, NULL))
    vmm_migration_context_exclude_host (ctx, host);
}

/* A new context for @vm (a snapshot of the VM as found), resolved against
 * @inventory; the run pins the host its plan chose. */
static gboolean
prepare_context (VmmMigration *self, VmmInventory *inventory, VmmVmInfo *vm, GError **error)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  g_clear_object (&priv->ctx);
  priv->ctx = vmm_migration_context_new (priv->backend, priv->vm_name, priv->spec, priv->dry_run);
  vmm_migration_context_set_engine (priv->ctx, priv->engine);
  vmm_migration_context_set_inventory (priv->ctx, inventory);
  vmm_migration_context_set_vm (priv->ctx, vm);
  apply_fallback_state (priv, priv->ctx);
  if (!priv->dry_run)
    {
      vmm_migration_context_set_sink (priv->ctx, &migration_sink, self);
      if (priv->plan != NULL)
        vmm_migration_context_set_pinned_host (priv->ctx,
                                               vmm_plan_get_destination_host (priv->plan));
    }
  return vmm_workflow_resolve (priv->ctx, error);
}

/* Runs the queue on the context prepare_context() made. */
static void
start_queue (VmmMigration *self)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  vmm_workflow_build_initial_queue (priv->ctx);
  g_clear_pointer (&priv->done, g_ptr_array_unref);
  priv->done = g_ptr_array_new_with_free_func (g_object_unref);
  priv->index = 0;
  priv->done_weight = 0;
  priv->total_weight = 0;
  priv->queue_weight = 0;
  priv->weighed = 0;
  if (!priv->dry_run)
    {
      GPtrArray *planned = vmm_plan_get_actions (priv->plan);

      for (guint i = 0; i < planned->len; i++)
        priv->total_weight += action_weight (g_ptr_array_index (planned, i));
      update_total_weight (priv);
    }
  run_next (self);
}

/* prepare_context() then start_queue(). */
static void
prepare_and_start_queue (VmmMigration *self, VmmInventory *inventory, VmmVmInfo *vm)
{
  g_autoptr (GError) error = NULL;

  if (!prepare_context (self, inventory, vm, &error))
    {
      finish (self, g_steal_pointer (&error));
      return;
    }
  start_queue (self);
}

static void
inventory_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VmmMigration) self = user_data;
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inventory = NULL;
  g_autoptr (VmmVmInfo) vm = NULL;
  VmmVmInfo *found;

  inventory = vmm_backend_query_inventory_finish (VMM_BACKEND (source), result, &error);
  if (inventory == NULL)
    {
      g_prefix_error (&error, "reading the inventory of %s: ", vmm_backend_get_uri (priv->backend));
      finish (self, g_steal_pointer (&error));
      return;
    }
  if (priv->cancel_requested)
    {
      finish (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 "migration of '%s' cancelled before it started", priv->vm_name));
      return;
    }
  found = vmm_inventory_lookup_vm (inventory, priv->vm_name);
  if (found == NULL)
    {
      finish (self, g_error_new (VMM_ERROR, VMM_ERROR_NOT_FOUND, "no VM named '%s' on %s",
                                 priv->vm_name, vmm_backend_get_uri (priv->backend)));
      return;
    }
  /* The VM as found: the backend's live record changes as the VM moves, so
   * a run works on a copy. A dry run reads it and ends before the main loop
   * turns again (its actions run one after the other, the target disks are
   * copies): no other move can change it meanwhile. */
  vm = priv->dry_run ? g_object_ref (found) : vmm_vm_info_copy (found);
  g_set_object (&priv->inventory, inventory);
  prepare_and_start_queue (self, inventory, vm);
}

static void
begin (VmmMigration *self, GCancellable *cancellable)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  g_clear_object (&priv->step_cancellable);
  priv->step_cancellable = g_cancellable_new ();
  priv->cancel_requested = FALSE;
  priv->main_context = g_main_context_get_thread_default ();
  if (priv->main_context == NULL)
    priv->main_context = g_main_context_default ();
  watch_user_cancellable (self, cancellable);
  vmm_backend_query_inventory_async (priv->backend, NULL, inventory_cb, g_object_ref (self));
}

/**
 * vmm_migration_plan_async:
 * @self: a #VmmMigration
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the plan
 * @user_data: data for @callback
 *
 * Plans the migration: reads the backend's facts, runs the checks, chooses
 * the destination and expands the whole action queue, without touching the
 * platform. A check that fails fails the plan with the same error the run
 * would give.
 *
 * Since: 1.0
 */
void
vmm_migration_plan_async (VmmMigration *self, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  VmmMigrationPrivate *priv;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (VMM_IS_MIGRATION (self));
  priv = vmm_migration_get_instance_private (self);
  if (priv->task != NULL)
    {
      g_task_report_new_error (
          self, callback, user_data, vmm_migration_plan_async, VMM_ERROR, VMM_ERROR_BUSY,
          "the migration of '%s' is already planning or running", priv->vm_name);
      return;
    }
  if (!vmm_relocate_spec_validate (priv->spec, &error))
    {
      g_task_report_error (self, callback, user_data, vmm_migration_plan_async,
                           g_steal_pointer (&error));
      return;
    }
  priv->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_check_cancellable (priv->task, FALSE);
  vmm_task_set_source_tag (priv->task, vmm_migration_plan_async);
  priv->dry_run = TRUE;
  begin (self, cancellable);
}

/**
 * vmm_migration_plan_finish:
 * @self: a #VmmMigration
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_migration_plan_async().
 *
 * Returns: (transfer full): the plan, or %NULL with @error set
 *
 * Since: 1.0
 */
VmmPlan *
vmm_migration_plan_finish (VmmMigration *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (VMM_IS_MIGRATION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * vmm_migration_plan:
 * @self: a #VmmMigration
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Plans the migration (a dry run). Blocks the calling thread; see
 * vmm_migration_plan_async().
 *
 * Returns: (transfer full): the plan, or %NULL with @error set
 *
 * Since: 1.0
 */
VmmPlan *
vmm_migration_plan (VmmMigration *self, GCancellable *cancellable, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  VmmSync data;

  /* the async call refuses these without calling back: refuse them here */
  g_return_val_if_fail (VMM_IS_MIGRATION (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  vmm_sync_begin (&data);
  vmm_migration_plan_async (self, cancellable, vmm_sync_cb, &data);
  result = vmm_sync_wait (&data);
  return vmm_migration_plan_finish (self, result, error);
}

/* The run: plan first (nothing moves if any check fails or the backend lacks
 * a step), then wait for the engine's slots, then run the real queue. */

/* The dry run that starts a run (@run_task: transfer full). While it runs
 * the run's task stands for the plan's; finish() hands the plan to
 * run_plan_done(). */
static void
plan_for_run (VmmMigration *self, GTask *run_task)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);

  priv->run_task = run_task;
  priv->task = g_object_ref (run_task);
  priv->plan_for_run = TRUE;
  priv->dry_run = TRUE;
  begin (self, g_task_get_cancellable (run_task));
}

static void
run_plan_done (VmmMigration *self, VmmPlan *plan_in, GError *error_in)
{
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  g_autoptr (GError) error = error_in;
  g_autoptr (VmmPlan) plan = plan_in;
  GTask *run_task = g_steal_pointer (&priv->run_task);

  priv->task = run_task;
  priv->dry_run = FALSE;
  if (plan == NULL)
    {
      VmmPlan *story = priv->last_plan;
      const char *failed = story != NULL ? vmm_plan_get_destination_host (story) : NULL;

      if (failed != NULL && g_strcmp0 (failed, vmm_plan_get_source_host (story)) == 0)
        failed = NULL; /* not a destination's fault */
      if (try_fallback (self, run_task, error, failed))
        {
          g_object_unref (run_task);
          return;
        }
      if (priv->attempts != NULL && priv->attempts->len > 0)
        {
          g_autoptr (GString) msg = g_string_new (error->message);

          g_string_append (msg, "; earlier attempts:");
          for (guint i = 0; i < priv->attempts->len; i++)
            g_string_append_printf (msg, " %s;", (char *)g_ptr_array_index (priv->attempts, i));
          g_string_truncate (msg, msg->len - 1);
          g_free (error->message);
          error->message = g_string_free (g_steal_pointer (&msg), FALSE);
        }
      if (priv->engine != NULL)
        vmm_engine_unlock_vm (priv->engine, self);
      set_state (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                           ? VMM_MIGRATION_STATE_CANCELLED
                           : VMM_MIGRATION_STATE_FAILED);
      g_task_return_error (g_steal_pointer (&priv->task), g_steal_pointer (&error));
      g_object_unref (run_task);
      return;
    }
  g_set_object (&priv->plan, plan);
  /* re-arm cancellation for the run */
  watch_user_cancellable (self, g_task_get_cancellable (run_task));
  /* The run's context, resolved as the plan was: the engine reserves its
   * slots with it, and the run starts on it when the slots are free now. */
  {
    g_autoptr (VmmVmInfo) vm
        = vmm_vm_info_copy (vmm_inventory_lookup_vm (priv->inventory, priv->vm_name));
    g_autoptr (GError) resolve_error = NULL;

    priv->ctx_ready = prepare_context (self, priv->inventory, vm, &resolve_error);
  }
  if (vmm_engine_acquire_slots (priv->engine, self, priv->ctx, begin_real_run))
    begin_real_run (self);
  else
    {
      priv->queued = TRUE;
      set_state (self, VMM_MIGRATION_STATE_QUEUED);
    }
}

static void
real_run_inventory_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VmmMigration) self = user_data;
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inventory
      = vmm_backend_query_inventory_finish (VMM_BACKEND (source), result, &error);
  VmmVmInfo *found;
  g_autoptr (VmmVmInfo) vm = NULL;

  if (inventory == NULL)
    {
      finish (self, g_steal_pointer (&error));
      return;
    }
  found = vmm_inventory_lookup_vm (inventory, priv->vm_name);
  if (found == NULL)
    {
      finish (self, g_error_new (VMM_ERROR, VMM_ERROR_NOT_FOUND,
                                 "VM '%s' disappeared while its migration waited", priv->vm_name));
      return;
    }
  vm = vmm_vm_info_copy (found);
  g_set_object (&priv->inventory, inventory);
  prepare_and_start_queue (self, inventory, vm);
}

static void
begin_real_run (gpointer migration)
{
  VmmMigration *self = migration;
  VmmMigrationPrivate *priv = vmm_migration_get_instance_private (self);
  guint timeout_s = vmm_relocate_spec_get_completion_timeout_s (priv->spec);

  if (priv->task == NULL)
    return;
  {
    g_autoptr (GError) error = NULL;

    if (!journal_start (self, &error))
      {
        g_prefix_error (&error, "before anything moved: ");
        finish (self, g_steal_pointer (&error));
        return;
      }
  }
  priv->start_time = g_get_monotonic_time ();
  priv->last_progress = priv->start_time;
  if (timeout_s == 0)
    timeout_s = default_completion_timeout_s (priv);
  priv->deadline = priv->start_time + (gint64)timeout_s * G_USEC_PER_SEC;
  priv->progress_timeout_s = vmm_engine_get_progress_timeout_s (priv->engine);
  set_state (self, VMM_MIGRATION_STATE_RUNNING);
  watchdog_arm (self);
  if (priv->queued)
    {
      /* Facts may have changed while the migration waited: read them again. */
      priv->ctx_ready = FALSE;
      vmm_backend_query_inventory_async (priv->backend, NULL, real_run_inventory_cb,
                                         g_object_ref (self));
      return;
    }
  if (priv->ctx_ready)
    {
      /* the facts were not read again since run_plan_done() prepared it */
      priv->ctx_ready = FALSE;
      start_queue (self);
      return;
    }
  {
    g_autoptr (VmmVmInfo) vm
        = vmm_vm_info_copy (vmm_inventory_lookup_vm (priv->inventory, priv->vm_name));
    prepare_and_start_queue (self, priv->inventory, vm);
  }
}

/**
 * vmm_migration_run_async:
 * @self: a #VmmMigration
 * @cancellable: (nullable): cancels the migration where its phase allows
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Runs the migration: plans it (any failed check or missing backend step
 * fails it here, before anything moves), waits for the engine's concurrency
 * slots in priority order, then runs the action queue.
 *
 * Since: 1.0
 */
void
vmm_migration_run_async (VmmMigration *self, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  VmmMigrationPrivate *priv;
  GTask *run_task;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (VMM_IS_MIGRATION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  priv = vmm_migration_get_instance_private (self);
  if (priv->state != VMM_MIGRATION_STATE_NEW || priv->task != NULL)
    {
      g_task_report_new_error (
          self, callback, user_data, vmm_migration_run_async, VMM_ERROR, VMM_ERROR_BUSY,
          "the migration of '%s' has already run or is running", priv->vm_name);
      return;
    }
  run_task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_check_cancellable (run_task, FALSE);
  vmm_task_set_source_tag (run_task, vmm_migration_run_async);
  if (!vmm_relocate_spec_validate (priv->spec, &error))
    {
      set_state (self, VMM_MIGRATION_STATE_FAILED);
      if (priv->engine != NULL)
        vmm_engine_unlock_vm (priv->engine, self);
      g_task_return_error (run_task, g_steal_pointer (&error));
      g_object_unref (run_task);
      return;
    }
  plan_for_run (self, run_task);
}

/**
 * vmm_migration_run_finish:
 * @self: a #VmmMigration
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_migration_run_async(). On failure the error names the action
 * that failed, the cause and where the VM is; vmm_migration_get_result()
 * still tells where the VM and its disks are.
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 *
 * Since: 1.0
 */
VmmMigrationResult *
vmm_migration_run_finish (VmmMigration *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (VMM_IS_MIGRATION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * vmm_migration_run_sync:
 * @self: a #VmmMigration
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs the migration and blocks the calling thread until it ends (it runs
 * on a private #GMainContext). Do not use it when other migrations of the
 * same engine run on another context and could hold the slots it needs.
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 *
 * Since: 1.0
 */
VmmMigrationResult *
vmm_migration_run_sync (VmmMigration *self, GCancellable *cancellable, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  VmmSync data;

  /* the async call refuses these without calling back: refuse them here */
  g_return_val_if_fail (VMM_IS_MIGRATION (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  vmm_sync_begin (&data);
  vmm_migration_run_async (self, cancellable, vmm_sync_cb, &data);
  result = vmm_sync_wait (&data);
  return vmm_migration_run_finish (self, result, error);
}

/**
 * vmm_migration_get_vm_name:
 * @self: a #VmmMigration
 *
 * The VM that moves.
 *
 * Returns: the name
 *
 * Since: 1.0
 */
const char *
vmm_migration_get_vm_name (VmmMigration *self)
{
  VmmMigrationPrivate *priv;

  g_return_val_if_fail (VMM_IS_MIGRATION (self), NULL);
  priv = vmm_migration_get_instance_private (self);
  return priv->vm_name;
}

/**
 * vmm_migration_get_backend:
 * @self: a #VmmMigration
 *
 * The backend that moves the VM.
 *
 * Returns: (transfer none): the backend
 *
 * Since: 1.0
 */
VmmBackend *
vmm_migration_get_backend (VmmMigration *self)
{
  VmmMigrationPrivate *priv;

  g_return_val_if_fail (VMM_IS_MIGRATION (self), NULL);
  priv = vmm_migration_get_instance_private (self);
  return priv->backend;
}

/**
 * vmm_migration_get_spec:
 * @self: a #VmmMigration
 *
 * The migration's own copy of the relocate spec.
 *
 * Returns: (transfer none): the spec
 *
 * Since: 1.0
 */
VmmRelocateSpec *
vmm_migration_get_spec (VmmMigration *self)
{
  VmmMigrationPrivate *priv;

  g_return_val_if_fail (VMM_IS_MIGRATION (self), NULL);
  priv = vmm_migration_get_instance_private (self);
  return priv->spec;
}

/**
 * vmm_migration_get_state:
 * @self: a #VmmMigration
 *
 * Where the migration is in its life cycle.
 *
 * Returns: the state
 *
 * Since: 1.0
 */
VmmMigrationState
vmm_migration_get_state (VmmMigration *self)
{
  VmmMigrationPrivate *priv;

  g_return_val_if_fail (VMM_IS_MIGRATION (self), VMM_MIGRATION_STATE_NEW);
  priv = vmm_migration_get_instance_private (self);
  return priv->state;
}

/**
 * vmm_migration_get_fraction:
 * @self: a #VmmMigration
 *
 * The progress so far.
 *
 * Returns: 0 to 1
 *
 * Since: 1.0
 */
double
vmm_migration_get_fraction (VmmMigration *self)
{
  VmmMigrationPrivate *priv;

  g_return_val_if_fail (VMM_IS_MIGRATION (self), 0.0);
  priv = vmm_migration_get_instance_private (self);
  return priv->fraction;
}

/**
 * vmm_migration_get_current_action:
 * @self: a #VmmMigration
 *
 * The action running now.
 *
 * Returns: (transfer none) (nullable): the action
 *
 * Since: 1.0
 */
VmmAction *
vmm_migration_get_current_action (VmmMigration *self)
{
  VmmMigrationPrivate *priv;

  g_return_val_if_fail (VMM_IS_MIGRATION (self), NULL);
  priv = vmm_migration_get_instance_private (self);
  return priv->current;
}

/**
 * vmm_migration_get_result:
 * @self: a #VmmMigration
 *
 * Where the migration left the VM, once it ended (also after a failure).
 *
 * Returns: (transfer none) (nullable): the result, or %NULL before the end
 *
 * Since: 1.0
 */
VmmMigrationResult *
vmm_migration_get_result (VmmMigration *self)
{
  VmmMigrationPrivate *priv;

  g_return_val_if_fail (VMM_IS_MIGRATION (self), NULL);
  priv = vmm_migration_get_instance_private (self);
  return priv->result;
}

/**
 * vmm_migration_get_plan:
 * @self: a #VmmMigration
 *
 * The plan the last vmm_migration_plan() or run computed — also when it
 * failed: then it holds every check (vmm_plan_get_checks()) and candidate,
 * so a caller can show the whole story, not only the first blocking error.
 *
 * Returns: (transfer none) (nullable): the plan, or %NULL before any
 *
 * Since: 1.0
 */
VmmPlan *
vmm_migration_get_plan (VmmMigration *self)
{
  VmmMigrationPrivate *priv;

  g_return_val_if_fail (VMM_IS_MIGRATION (self), NULL);
  priv = vmm_migration_get_instance_private (self);
  return priv->last_plan;
}

/**
 * vmm_migration_get_journal_id:
 * @self: a #VmmMigration
 *
 * The migration's identifier in the engine's journal (see #VmmJournal).
 *
 * Returns: the identifier
 *
 * Since: 1.0
 */
const char *
vmm_migration_get_journal_id (VmmMigration *self)
{
  VmmMigrationPrivate *priv;

  g_return_val_if_fail (VMM_IS_MIGRATION (self), NULL);
  priv = vmm_migration_get_instance_private (self);
  return journal_id (priv);
}
