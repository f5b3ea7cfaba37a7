/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

/**
 * VmmJournal:
 *
 * Where migrations write their progress before they act, so that what a
 * crashed engine was doing can be found afterwards: the spec and the plan,
 * each action's intent before it touches the platform and its completion,
 * each undo, and the outcome. vmm_journal_new_sqlite() is the embedded
 * default (SQLite in WAL mode); vmm_journal_new_memory() keeps records in
 * memory only, for callers that ask for no durability.
 *
 * Record kinds: `migration` (the VM, backend and spec), `plan`, `action`
 * (intent, before the action runs), `action-done`, `undo`, `undo-done` and
 * `outcome`; the data of each is a JSON object.
 *
 * Since: 1.0
 */

/**
 * VmmJournalRecord:
 *
 * One record of a migration in the journal.
 *
 * Since: 1.0
 */

struct _VmmJournalRecord
{
  GObject parent_instance;

  char *migration_id;
  guint64 sequence;
  char *kind;
  char *data;
  gint64 time;
};

G_DEFINE_FINAL_TYPE (VmmJournalRecord, vmm_journal_record, G_TYPE_OBJECT)

static void
vmm_journal_record_finalize (GObject *object)
{
  VmmJournalRecord *self = VMM_JOURNAL_RECORD (object);

  g_free (self->migration_id);
  g_free (self->kind);
  g_free (self->data);
  G_OBJECT_CLASS (vmm_journal_record_parent_class)->finalize (object);
}

static void
vmm_journal_record_class_init (VmmJournalRecordClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vmm_journal_record_finalize;
}

static void
vmm_journal_record_init (VmmJournalRecord *self)
{
}

VmmJournalRecord *
vmm_journal_record_new (const char *migration_id, guint64 sequence, const char *kind,
                        const char *data, gint64 time)
{
  VmmJournalRecord *self = g_object_new (VMM_TYPE_JOURNAL_RECORD, NULL);

  self->migration_id = g_strdup (migration_id);
  self->sequence = sequence;
  self->kind = g_strdup (kind);
  self->data = g_strdup (data);
  self->time = time;
  return self;
}

/**
 * vmm_journal_record_get_migration_id:
 * @self: a #VmmJournalRecord
 *
 * The migration the record belongs to.
 *
 * Returns: its identifier
 *
 * Since: 1.0
 */
const char *
vmm_journal_record_get_migration_id (VmmJournalRecord *self)
{
  g_return_val_if_fail (VMM_IS_JOURNAL_RECORD (self), NULL);
  return self->migration_id;
}

/**
 * vmm_journal_record_get_sequence:
 * @self: a #VmmJournalRecord
 *
 * The record's position in the journal.
 *
 * Returns: the sequence number
 *
 * Since: 1.0
 */
guint64
vmm_journal_record_get_sequence (VmmJournalRecord *self)
{
  g_return_val_if_fail (VMM_IS_JOURNAL_RECORD (self), 0);
  return self->sequence;
}

/**
 * vmm_journal_record_get_kind:
 * @self: a #VmmJournalRecord
 *
 * What the record says: `migration`, `plan`, `action`, `action-done`,
 * `undo`, `undo-done` or `outcome`.
 *
 * Returns: the kind
 *
 * Since: 1.0
 */
const char *
vmm_journal_record_get_kind (VmmJournalRecord *self)
{
  g_return_val_if_fail (VMM_IS_JOURNAL_RECORD (self), NULL);
  return self->kind;
}

/**
 * vmm_journal_record_get_data:
 * @self: a #VmmJournalRecord
 *
 * The record's content, a JSON object.
 *
 * Returns: the JSON text
 *
 * Since: 1.0
 */
const char *
vmm_journal_record_get_data (VmmJournalRecord *self)
{
  g_return_val_if_fail (VMM_IS_JOURNAL_RECORD (self), NULL);
  return self->data;
}

/**
 * vmm_journal_record_get_time:
 * @self: a #VmmJournalRecord
 *
 * When the record was written (microseconds since the epoch).
 *
 * Returns: the time
 *
 * Since: 1.0
 */
gint64
vmm_journal_record_get_time (VmmJournalRecord *self)
{
  g_return_val_if_fail (VMM_IS_JOURNAL_RECORD (self), 0);
  return self->time;
}

G_DEFINE_ABSTRACT_TYPE (VmmJournal, vmm_journal, G_TYPE_OBJECT)

static void
vmm_journal_class_init (VmmJournalClass *klass)
{
}

static void
vmm_journal_init (VmmJournal *self)
{
}

/**
 * vmm_journal_append:
 * @self: a #VmmJournal
 * @migration_id: the migration
 * @kind: the record kind
 * @data: the record, a JSON object
 * @error: return location for a #GError
 *
 * Makes a record durable before the caller acts on it.
 *
 * Returns: %TRUE once the record is stored
 *
 * Since: 1.0
 */
gboolean
vmm_journal_append (VmmJournal *self, const char *migration_id, const char *kind, const char *data,
                    GError **error)
{
  g_return_val_if_fail (VMM_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (migration_id != NULL && kind != NULL && data != NULL, FALSE);
  return VMM_JOURNAL_GET_CLASS (self)->append (self, migration_id, kind, data, error);
}

/**
 * vmm_journal_list_records:
 * @self: a #VmmJournal
 * @migration_id: (nullable): one migration, or %NULL for every migration
 *   that has no outcome yet
 * @error: return location for a #GError
 *
 * Reads records back, in the order they were written.
 *
 * Returns: (transfer container) (element-type VmmJournalRecord): the records
 *
 * Since: 1.0
 */
GPtrArray *
vmm_journal_list_records (VmmJournal *self, const char *migration_id, GError **error)
{
  g_return_val_if_fail (VMM_IS_JOURNAL (self), NULL);
  return VMM_JOURNAL_GET_CLASS (self)->list_records (self, migration_id, error);
}

/**
 * vmm_journal_list_unfinished:
 * @self: a #VmmJournal
 * @error: return location for a #GError
 *
 * The migrations that started and have no outcome: what a crash left.
 *
 * Returns: (transfer full) (array zero-terminated=1): their identifiers
 *
 * Since: 1.0
 */
char **
vmm_journal_list_unfinished (VmmJournal *self, GError **error)
{
  g_autoptr (GPtrArray) records = vmm_journal_list_records (self, NULL, error);
  g_autoptr (GStrvBuilder) builder = NULL;
  g_autoptr (GHashTable) seen = NULL;

  if (records == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < records->len; i++)
    {
      const char *id = vmm_journal_record_get_migration_id (g_ptr_array_index (records, i));

      if (g_hash_table_add (seen, (gpointer)id))
        g_strv_builder_add (builder, id);
    }
  return g_strv_builder_end (builder);
}

/**
 * vmm_journal_lock_vm:
 * @self: a #VmmJournal
 * @vm_key: the VM (backend and name)
 * @owner: who takes the lock
 * @error: return location for a #GError
 *
 * Takes a VM's lock in the store, so that two engines sharing it never move
 * the same VM at once.
 *
 * Returns: %TRUE if the lock was taken (or already held by @owner)
 *
 * Since: 1.0
 */
gboolean
vmm_journal_lock_vm (VmmJournal *self, const char *vm_key, const char *owner, GError **error)
{
  g_return_val_if_fail (VMM_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (vm_key != NULL && owner != NULL, FALSE);
  return VMM_JOURNAL_GET_CLASS (self)->lock_vm (self, vm_key, owner, error);
}

/**
 * vmm_journal_unlock_vm:
 * @self: a #VmmJournal
 * @vm_key: the VM
 * @owner: who holds the lock
 *
 * Releases a VM's lock.
 *
 * Since: 1.0
 */
void
vmm_journal_unlock_vm (VmmJournal *self, const char *vm_key, const char *owner)
{
  g_return_if_fail (VMM_IS_JOURNAL (self));
  VMM_JOURNAL_GET_CLASS (self)->unlock_vm (self, vm_key, owner);
}

/* --- the in-memory store --- */

#define VMM_TYPE_MEMORY_JOURNAL (vmm_memory_journal_get_type ())
G_DECLARE_FINAL_TYPE (VmmMemoryJournal, vmm_memory_journal, VMM, MEMORY_JOURNAL, VmmJournal)

struct _VmmMemoryJournal
{
  VmmJournal parent_instance;

  GPtrArray *records;
  GHashTable *finished;
  GHashTable *locks;
  guint64 sequence;
};

G_DEFINE_FINAL_TYPE (VmmMemoryJournal, vmm_memory_journal, VMM_TYPE_JOURNAL)

static void
vmm_memory_journal_finalize (GObject *object)
{
  VmmMemoryJournal *self = VMM_MEMORY_JOURNAL (object);

  g_ptr_array_unref (self->records);
  g_hash_table_unref (self->finished);
  g_hash_table_unref (self->locks);
  G_OBJECT_CLASS (vmm_memory_journal_parent_class)->finalize (object);
}

static gboolean
memory_append (VmmJournal *journal, const char *id, const char *kind, const char *data,
               GError **error)
{
  VmmMemoryJournal *self = VMM_MEMORY_JOURNAL (journal);

  g_ptr_array_add (self->records,
                   vmm_journal_record_new (id, ++self->sequence, kind, data, g_get_real_time ()));
  if (g_strcmp0 (kind, "outcome") == 0)
    g_hash_table_add (self->finished, g_strdup (id));
  return TRUE;
}

static GPtrArray *
memory_list (VmmJournal *journal, const char *id, GError **error)
{
  VmmMemoryJournal *self = VMM_MEMORY_JOURNAL (journal);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->records->len; i++)
    {
      VmmJournalRecord *record = g_ptr_array_index (self->records, i);

      if (id != NULL ? g_strcmp0 (record->migration_id, id) == 0
                     : !g_hash_table_contains (self->finished, record->migration_id))
        g_ptr_array_add (out, g_object_ref (record));
    }
  return out;
}

static gboolean
memory_lock (VmmJournal *journal, const char *key, const char *owner, GError **error)
{
  VmmMemoryJournal *self = VMM_MEMORY_JOURNAL (journal);
  const char *holder = g_hash_table_lookup (self->locks, key);

  if (holder != NULL && g_strcmp0 (holder, owner) != 0)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY, "VM %s is locked by %s", key, holder);
      return FALSE;
    }
  g_hash_table_insert (self->locks, g_strdup (key), g_strdup (owner));
  return TRUE;
}

static void
memory_unlock (VmmJournal *journal, const char *key, const char *owner)
{
  VmmMemoryJournal *self = VMM_MEMORY_JOURNAL (journal);

  if (g_strcmp0 (g_hash_table_lookup (self->locks, key), owner) == 0)
    g_hash_table_remove (self->locks, key);
}

static void
vmm_memory_journal_class_init (VmmMemoryJournalClass *klass)
{
  VmmJournalClass *journal_class = VMM_JOURNAL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = vmm_memory_journal_finalize;
  journal_class->append = memory_append;
  journal_class->list_records = memory_list;
  journal_class->lock_vm = memory_lock;
  journal_class->unlock_vm = memory_unlock;
}

static void
vmm_memory_journal_init (VmmMemoryJournal *self)
{
  self->records = g_ptr_array_new_with_free_func (g_object_unref);
  self->finished = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->locks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * vmm_journal_new_memory:
 *
 * A journal that keeps its records in memory only: nothing survives the
 * process. Use it only when durability is not wanted.
 *
 * Returns: (transfer full): the journal
 *
 * Since: 1.0
 */
VmmJournal *
vmm_journal_new_memory (void)
{
  return g_object_new (VMM_TYPE_MEMORY_JOURNAL, NULL);
}
