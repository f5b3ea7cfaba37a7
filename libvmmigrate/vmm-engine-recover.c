/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

#include <json-glib/json-glib.h>

/**
 * VmmRecoveryEntry:
 *
 * What vmm_engine_recover_async() concluded for one migration a crashed
 * engine left unfinished, with the facts it read.
 *
 * Since: 1.0
 */

struct _VmmRecoveryEntry
{
  GObject parent_instance;

  char *id;
  char *vm;
  VmmRecoveryOutcome outcome;
  char *host;
  char *facts;
};

G_DEFINE_FINAL_TYPE (VmmRecoveryEntry, vmm_recovery_entry, G_TYPE_OBJECT)

static void
vmm_recovery_entry_finalize (GObject *object)
{
  VmmRecoveryEntry *self = VMM_RECOVERY_ENTRY (object);

  g_free (self->id);
  g_free (self->vm);
  g_free (self->host);
  g_free (self->facts);
  G_OBJECT_CLASS (vmm_recovery_entry_parent_class)->finalize (object);
}

static void
vmm_recovery_entry_class_init (VmmRecoveryEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vmm_recovery_entry_finalize;
}

static void
vmm_recovery_entry_init (VmmRecoveryEntry *self)
{
}

/**
 * vmm_recovery_entry_get_migration_id:
 * @self: a #VmmRecoveryEntry
 *
 * The migration's identifier in the journal.
 *
 * Returns: the identifier
 *
 * Since: 1.0
 */
const char *
vmm_recovery_entry_get_migration_id (VmmRecoveryEntry *self)
{
  g_return_val_if_fail (VMM_IS_RECOVERY_ENTRY (self), NULL);
  return self->id;
}

/**
 * vmm_recovery_entry_get_vm_name:
 * @self: a #VmmRecoveryEntry
 *
 * The VM.
 *
 * Returns: (nullable): its name
 *
 * Since: 1.0
 */
const char *
vmm_recovery_entry_get_vm_name (VmmRecoveryEntry *self)
{
  g_return_val_if_fail (VMM_IS_RECOVERY_ENTRY (self), NULL);
  return self->vm;
}

/**
 * vmm_recovery_entry_get_outcome:
 * @self: a #VmmRecoveryEntry
 *
 * The conclusion.
 *
 * Returns: the outcome
 *
 * Since: 1.0
 */
VmmRecoveryOutcome
vmm_recovery_entry_get_outcome (VmmRecoveryEntry *self)
{
  g_return_val_if_fail (VMM_IS_RECOVERY_ENTRY (self), VMM_RECOVERY_NEEDS_ATTENTION);
  return self->outcome;
}

/**
 * vmm_recovery_entry_get_host:
 * @self: a #VmmRecoveryEntry
 *
 * Where the VM is, when that is certain.
 *
 * Returns: (nullable): the host
 *
 * Since: 1.0
 */
const char *
vmm_recovery_entry_get_host (VmmRecoveryEntry *self)
{
  g_return_val_if_fail (VMM_IS_RECOVERY_ENTRY (self), NULL);
  return self->host;
}

/**
 * vmm_recovery_entry_get_facts:
 * @self: a #VmmRecoveryEntry
 *
 * What the journal and the hypervisors said.
 *
 * Returns: the facts
 *
 * Since: 1.0
 */
const char *
vmm_recovery_entry_get_facts (VmmRecoveryEntry *self)
{
  g_return_val_if_fail (VMM_IS_RECOVERY_ENTRY (self), NULL);
  return self->facts;
}

/* Steps that leave something on the platform until their undo runs. */
static const char *const leaving_steps[] = {
  "ReserveDirectory",
  "CreateInventoryVm",
  "CreateDummyVMotionDisks",
  "CreateDestinationVM",
  "RegisterDestinationVm",
  "UnregisterSourceVm",
  "ReconfigureVm",
  "RelayoutSnapshots",
  "PrepareSource",
  "PrepareDestination",
  "InitiateDestination",
  "SwitchHostAndPool",
  "PowerOffVm",
  "PowerOnVm",
  NULL,
};

typedef struct
{
  VmmEngine *engine;
  VmmBackend *backend;
  GStrv ids;
  guint index;
  GPtrArray *entries;
  /* the migration being looked at */
  char *vm;
  char *source;
  char *destination;
  char *owner;
  gboolean switched;
  gboolean switching; /* InitiateSource began and did not end on record */
  gboolean all_done;  /* every planned action completed: only the outcome is missing */
  gboolean cold;      /* the plan has no switch-over (InitiateSource) */
  gboolean retried;   /* a cold move could not be undone and is being finished */
  GPtrArray *pending; /* steps that may have left something, not undone */
  GPtrArray *data;    /* the backend's recovery data, oldest first, NULL-terminated */
  GString *facts;
  gboolean forward;
} Recovery;

static void
recovery_reset (Recovery *r)
{
  g_clear_pointer (&r->vm, g_free);
  g_clear_pointer (&r->source, g_free);
  g_clear_pointer (&r->destination, g_free);
  g_clear_pointer (&r->owner, g_free);
  g_clear_pointer (&r->pending, g_ptr_array_unref);
  g_clear_pointer (&r->data, g_ptr_array_unref);
  if (r->facts != NULL)
    g_string_free (g_steal_pointer (&r->facts), TRUE);
  r->switched = FALSE;
  r->switching = FALSE;
  r->all_done = FALSE;
  r->cold = FALSE;
  r->retried = FALSE;
  r->forward = FALSE;
}

static void
recovery_free (Recovery *r)
{
  recovery_reset (r);
  g_object_unref (r->engine);
  g_object_unref (r->backend);
  g_strfreev (r->ids);
  g_ptr_array_unref (r->entries);
  g_free (r);
}

static void
recovery_next (GTask *task);

static void
recovery_conclude (GTask *task, VmmRecoveryOutcome outcome, const char *host, const char *facts)
{
  Recovery *r = g_task_get_task_data (task);
  VmmJournal *journal = vmm_engine_get_journal (r->engine);
  const char *id = r->ids[r->index];
  VmmRecoveryEntry *entry = g_object_new (VMM_TYPE_RECOVERY_ENTRY, NULL);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *data = NULL;
  g_autoptr (GError) error = NULL;

  entry->id = g_strdup (id);
  entry->vm = g_strdup (r->vm);
  entry->outcome = outcome;
  entry->host = g_strdup (host);
  entry->facts = g_strdup (facts);
  g_ptr_array_add (r->entries, entry);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, outcome == VMM_RECOVERY_NEEDS_ATTENTION ? "needs-attention"
                                                                            : "recovered");
  json_builder_set_member_name (b, "moved");
  json_builder_add_boolean_value (b, outcome == VMM_RECOVERY_ON_DESTINATION);
  json_builder_set_member_name (b, "host");
  json_builder_add_string_value (b, host);
  json_builder_set_member_name (b, "facts");
  json_builder_add_string_value (b, facts);
  json_builder_set_member_name (b, "recovered-by");
  json_builder_add_string_value (b, vmm_engine_get_id (r->engine));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  data = json_to_string (root, FALSE);
  /* a migration needing attention stays locked: nobody moves it blindly */
  if (outcome != VMM_RECOVERY_NEEDS_ATTENTION)
    {
      if (!vmm_journal_append (journal, id, "outcome", data, &error))
        g_warning ("recovery could not record the outcome of %s: %s", id, error->message);
      else if (r->owner != NULL && r->vm != NULL)
        {
          g_autofree char *key = g_strdup_printf ("%s/%s",
                                                  vmm_backend_get_uri (r->backend) != NULL
                                                      ? vmm_backend_get_uri (r->backend)
                                                      : "backend",
                                                  r->vm);
          vmm_journal_unlock_vm (journal, key, r->owner);
        }
    }
  else if (!vmm_journal_append (journal, id, "recovery", data, &error))
    g_warning ("recovery could not record its facts for %s: %s", id, error->message);
  r->index++;
  recovery_next (task);
}

static gboolean
location_is (VmmVmLocation *location, const char *host)
{
  const char *const *running = vmm_vm_location_get_running_hosts (location);

  /* record, definitions and the running instance (if any) all on @host */
  return vmm_vm_location_is_consistent (location)
         && g_strcmp0 (vmm_vm_location_get_record_host (location), host) == 0
         && (running[0] == NULL || (g_strcmp0 (running[0], host) == 0 && running[1] == NULL));
}

static void
relocate_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Recovery *r = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmVmLocation) location
      = vmm_backend_locate_vm_finish (VMM_BACKEND (source), result, &error);
  g_autofree char *evidence = NULL;
  const char *host = r->forward ? r->destination : r->source;

  if (location == NULL)
    {
      g_string_append_printf (r->facts, "; afterwards the backend could not say where it is: %s",
                              error->message);
      recovery_conclude (task, VMM_RECOVERY_NEEDS_ATTENTION, NULL, r->facts->str);
      return;
    }
  evidence = vmm_vm_location_get_evidence (location);
  g_string_append_printf (r->facts, "; afterwards: %s", evidence);
  /* verified, not assumed */
  if (location_is (location, host))
    recovery_conclude (task, r->forward ? VMM_RECOVERY_ON_DESTINATION : VMM_RECOVERY_ON_SOURCE,
                       host, r->facts->str);
  else
    recovery_conclude (task, VMM_RECOVERY_NEEDS_ATTENTION, NULL, r->facts->str);
}

static void
repair_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
cold_relocate_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Recovery *r = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmVmLocation) location
      = vmm_backend_locate_vm_finish (VMM_BACKEND (source), result, &error);
  g_autofree char *evidence = location != NULL ? vmm_vm_location_get_evidence (location) : NULL;

  if (location == NULL || !location_is (location, r->destination))
    {
      if (evidence != NULL)
        g_string_append_printf (r->facts, "; then: %s", evidence);
      recovery_conclude (task, VMM_RECOVERY_NEEDS_ATTENTION, NULL, r->facts->str);
      return;
    }
  g_string_append_printf (r->facts, "; the platform had committed the cold move (%s): finishing it",
                          evidence);
  r->forward = TRUE;
  vmm_backend_recover_async (r->backend, r->vm, TRUE, r->source, r->destination,
                             (const char *const *)r->data->pdata, g_task_get_cancellable (task),
                             repair_cb, g_object_ref (task));
}

static void
repair_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Recovery *r = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!vmm_backend_recover_finish (VMM_BACKEND (source), result, &error))
    {
      g_string_append_printf (r->facts, "; %s the move failed: %s",
                              r->forward ? "finishing" : "undoing", error->message);
      /* A cold move has no switch-over on record: the platform may have
       * committed it (a confirmed resize, say) where undoing is no longer
       * possible. Finish it then, but only if the VM is, unambiguously, on
       * its destination alone. */
      if (r->cold && !r->forward && !r->retried && r->destination != NULL)
        {
          r->retried = TRUE;
          vmm_backend_locate_vm_async (r->backend, r->vm, g_task_get_cancellable (task),
                                       cold_relocate_cb, g_object_ref (task));
          return;
        }
      recovery_conclude (task, VMM_RECOVERY_NEEDS_ATTENTION, NULL, r->facts->str);
      return;
    }
  g_string_append_printf (r->facts, "; %s",
                          r->forward ? "finished the move on its destination"
                                     : "undid the move back to its source");
  vmm_backend_locate_vm_async (r->backend, r->vm, g_task_get_cancellable (task), relocate_cb,
                               g_object_ref (task));
}

static void
locate_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Recovery *r = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmVmLocation) location
      = vmm_backend_locate_vm_finish (VMM_BACKEND (source), result, &error);
  g_autofree char *evidence = NULL;
  const char *const *running;

  r->facts = g_string_new (NULL);
  g_string_append_printf (r->facts, "journal: move of '%s' from '%s' to '%s', %s the switch-over",
                          r->vm, r->source, r->destination != NULL ? r->destination : "?",
                          r->switched    ? "past"
                          : r->switching ? "during"
                                         : "before");
  if (r->pending->len > 0)
    {
      g_string_append (r->facts, "; steps done and not undone:");
      for (guint i = 0; i < r->pending->len; i++)
        g_string_append_printf (r->facts, " %s", (char *)g_ptr_array_index (r->pending, i));
    }
  if (location == NULL)
    {
      g_string_append_printf (r->facts, "; the backend could not say where the VM is: %s",
                              error->message);
      recovery_conclude (task, VMM_RECOVERY_NEEDS_ATTENTION, NULL, r->facts->str);
      return;
    }
  evidence = vmm_vm_location_get_evidence (location);
  g_string_append_printf (r->facts, "; %s", evidence);
  running = vmm_vm_location_get_running_hosts (location);

  /* Which way the move ends comes from the journal's phase; only when the
   * switch-over itself was in flight do the hypervisors decide, and only
   * when they are unambiguous. Never guess. */
  if (r->switched || r->all_done)
    r->forward = TRUE;
  else if (r->switching)
    {
      if (running[0] != NULL && running[1] == NULL && r->destination != NULL
          && g_strcmp0 (running[0], r->destination) == 0)
        r->forward = TRUE;
      else if (running[0] != NULL && running[1] == NULL && g_strcmp0 (running[0], r->source) == 0)
        r->forward = FALSE;
      else
        {
          g_string_append (r->facts, "; the switch-over was in flight and the VM does not run "
                                     "on exactly one of its hosts");
          recovery_conclude (task, VMM_RECOVERY_NEEDS_ATTENTION, NULL, r->facts->str);
          return;
        }
    }
  else
    r->forward = FALSE;
  if (r->forward && r->destination == NULL)
    {
      recovery_conclude (task, VMM_RECOVERY_NEEDS_ATTENTION, NULL, r->facts->str);
      return;
    }

  /* already right: nothing to undo or finish */
  if ((!r->forward && r->pending->len == 0 && r->data->len == 1
       && location_is (location, r->source))
      || (r->forward && r->data->len == 1 && location_is (location, r->destination)))
    {
      recovery_conclude (task, r->forward ? VMM_RECOVERY_ON_DESTINATION : VMM_RECOVERY_ON_SOURCE,
                         r->forward ? r->destination : r->source, r->facts->str);
      return;
    }
  if (VMM_BACKEND_GET_CLASS (r->backend)->recover_async == NULL)
    {
      g_string_append_printf (r->facts, "; the %s backend cannot %s the move by itself",
                              G_OBJECT_TYPE_NAME (r->backend), r->forward ? "finish" : "undo");
      recovery_conclude (task, VMM_RECOVERY_NEEDS_ATTENTION, NULL, r->facts->str);
      return;
    }
  vmm_backend_recover_async (r->backend, r->vm, r->forward, r->source, r->destination,
                             (const char *const *)r->data->pdata, g_task_get_cancellable (task),
                             repair_cb, g_object_ref (task));
}

static void
recovery_next (GTask *task)
{
  Recovery *r = g_task_get_task_data (task);
  VmmJournal *journal = vmm_engine_get_journal (r->engine);

  recovery_reset (r);
  while (r->ids[r->index] != NULL)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) records = vmm_journal_list_records (journal, r->ids[r->index], &error);
      g_autoptr (GHashTable) undone = g_hash_table_new (g_str_hash, g_str_equal);
      gboolean ours = FALSE;

      if (records == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      guint planned = 0, done = 0;
      gboolean initiated = FALSE;

      r->pending = g_ptr_array_new_with_free_func (g_free);
      r->data = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < records->len; i++)
        {
          VmmJournalRecord *record = g_ptr_array_index (records, i);
          const char *kind = vmm_journal_record_get_kind (record);
          g_autoptr (JsonNode) node = json_from_string (vmm_journal_record_get_data (record), NULL);
          JsonObject *obj
              = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
          const char *action
              = obj != NULL ? json_object_get_string_member_with_default (obj, "action", NULL)
                            : NULL;

          if (obj == NULL)
            continue;
          if (g_strcmp0 (kind, "migration") == 0)
            {
              ours = g_strcmp0 (json_object_get_string_member_with_default (obj, "backend", NULL),
                                vmm_backend_get_uri (r->backend))
                     == 0;
              r->vm = g_strdup (json_object_get_string_member_with_default (obj, "vm", NULL));
              r->source = g_strdup (
                  json_object_get_string_member_with_default (obj, "source-host", NULL));
              r->destination = g_strdup (
                  json_object_get_string_member_with_default (obj, "destination-host", NULL));
              r->owner
                  = g_strdup (json_object_get_string_member_with_default (obj, "engine", NULL));
              if (json_object_has_member (obj, "plan")
                  && JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "plan")))
                {
                  JsonArray *plan = json_object_get_array_member (obj, "plan");

                  planned = json_array_get_length (plan);
                  r->cold = TRUE;
                  for (guint a = 0; a < planned; a++)
                    if (g_strcmp0 (json_array_get_string_element (plan, a), "InitiateSource") == 0)
                      r->cold = FALSE;
                }
            }
          else if (g_strcmp0 (kind, "recovery-data") == 0)
            {
              const char *data = json_object_get_string_member_with_default (obj, "data", NULL);

              if (data != NULL)
                g_ptr_array_add (r->data, g_strdup (data));
            }
          /* an intent without completion may have acted: count it */
          else if ((g_strcmp0 (kind, "action") == 0 || g_strcmp0 (kind, "action-done") == 0)
                   && action != NULL)
            {
              if (g_strcmp0 (action, "InitiateSource") == 0 && g_strcmp0 (kind, "action-done") == 0)
                r->switched = TRUE;
              else if (g_strcmp0 (action, "InitiateSource") == 0)
                initiated = TRUE;
              if (g_strcmp0 (kind, "action-done") == 0)
                done++;
              if (g_strv_contains (leaving_steps, action)
                  && !g_ptr_array_find_with_equal_func (r->pending, action, g_str_equal, NULL))
                g_ptr_array_add (r->pending, g_strdup (action));
            }
          else if (g_strcmp0 (kind, "undo-done") == 0 && action != NULL)
            g_hash_table_add (undone, (gpointer)g_intern_string (action));
        }
      g_ptr_array_add (r->data, NULL);
      r->switching = initiated && !r->switched;
      r->all_done = planned > 0 && done >= planned;
      for (guint i = r->pending->len; i > 0; i--)
        if (g_hash_table_contains (undone, g_intern_string (g_ptr_array_index (r->pending, i - 1))))
          g_ptr_array_remove_index (r->pending, i - 1);
      if (!ours || r->vm == NULL)
        {
          /* another backend's migration: left for the caller that has it */
          r->index++;
          recovery_reset (r);
          continue;
        }
      vmm_backend_locate_vm_async (r->backend, r->vm, g_task_get_cancellable (task), locate_cb,
                                   g_object_ref (task));
      return;
    }
  g_task_return_pointer (task, g_ptr_array_ref (r->entries), (GDestroyNotify)g_ptr_array_unref);
}

/**
 * vmm_engine_recover_async:
 * @self: a #VmmEngine with a #VmmEngine:journal
 * @backend: the backend whose migrations to look at
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the conclusions
 * @user_data: data for @callback
 *
 * After a crash (the engine process killed at any point), reads every
 * migration of @backend the journal holds without an outcome, asks the
 * hypervisors where each VM really is (vmm_backend_locate_vm()) and ends
 * each move one way, without guessing: the journal's phase decides (before
 * the switch-over: undo; past it, or every action done: finish); only when
 * the switch-over itself was in flight do the hypervisors decide, and only
 * when the VM runs on exactly one of its hosts. The backend then undoes or
 * finishes the move with the data it recorded during it
 * (vmm_migration_context_record_recovery_data(), vmm_backend_recover_async()),
 * and the VM is located again: ON_SOURCE or ON_DESTINATION only when the
 * manager's record and the hypervisors agree on that host. Anything else —
 * a backend that cannot recover, a split brain, a failed repair — is
 * NEEDS_ATTENTION with the facts. Conclusions are recorded in the journal;
 * a migration that needs attention keeps its VM locked.
 *
 * Since: 1.0
 */
void
vmm_engine_recover_async (VmmEngine *self, VmmBackend *backend, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  Recovery *r;
  GStrv ids;

  g_return_if_fail (VMM_IS_ENGINE (self));
  g_return_if_fail (VMM_IS_BACKEND (backend));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vmm_engine_recover_async);
  if (vmm_engine_get_journal (self) == NULL)
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_FAILED,
                               "recovery needs the engine's journal");
      return;
    }
  ids = vmm_journal_list_unfinished (vmm_engine_get_journal (self), &error);
  if (ids == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  r = g_new0 (Recovery, 1);
  r->engine = g_object_ref (self);
  r->backend = g_object_ref (backend);
  r->ids = ids;
  r->entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, r, (GDestroyNotify)recovery_free);
  recovery_next (task);
}

/**
 * vmm_engine_recover_finish:
 * @self: a #VmmEngine
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_engine_recover_async().
 *
 * Returns: (transfer container) (element-type VmmRecoveryEntry): one entry
 *   per unfinished migration of the backend
 *
 * Since: 1.0
 */
GPtrArray *
vmm_engine_recover_finish (VmmEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
