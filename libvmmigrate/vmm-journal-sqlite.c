/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

#include <sqlite3.h>

/* The embedded journal store: SQLite in WAL mode (synchronous=NORMAL: a
 * committed transaction survives the process being killed; the WAL is
 * synced at checkpoints, which guards against power loss up to the last
 * checkpoint).
 *
 * Write-ahead with group commit: a record that states an intent (`action`,
 * `undo`, `recovery-data`), starts a migration (`migration`) or ends it
 * (`outcome`), and any kind this store does not know, is committed before
 * vmm_journal_append() returns. A record that only reports a completion
 * (`action-done`, `action-failed`, `undo-done`, `undo-failed`) is kept in
 * memory and committed in the same transaction as the next committed
 * record of any migration, ahead of it, so the order in the file is the
 * order of the calls. A crash can therefore lose only completions whose
 * effects no later record depends on: the journal then shows an intent
 * without its completion, which recovery treats as "may or may not have
 * happened" and settles by asking the backend. It never shows a completion
 * without its intent, nor anything that did not happen. Reading the
 * journal, releasing a lock and disposing of the store commit what is
 * pending first. */

/* Completions held back at most: beyond, they are committed on their own. */
#define MAX_PENDING 512

#define VMM_TYPE_SQLITE_JOURNAL (vmm_sqlite_journal_get_type ())
G_DECLARE_FINAL_TYPE (VmmSqliteJournal, vmm_sqlite_journal, VMM, SQLITE_JOURNAL, VmmJournal)

typedef struct
{
  char *migration;
  char *kind;
  char *data;
  gint64 time;
} Pending;

struct _VmmSqliteJournal
{
  VmmJournal parent_instance;

  sqlite3 *db;
  sqlite3_stmt *insert;
  sqlite3_stmt *finish;
  sqlite3_stmt *begin;
  sqlite3_stmt *commit;
  sqlite3_stmt *rollback;
  sqlite3_stmt *lock;
  sqlite3_stmt *holder;
  sqlite3_stmt *unlock;
  GArray *pending; /* Pending: completions not committed yet, in order */
};

G_DEFINE_FINAL_TYPE (VmmSqliteJournal, vmm_sqlite_journal, VMM_TYPE_JOURNAL)

static void
pending_clear (Pending *p)
{
  g_free (p->migration);
  g_free (p->kind);
  g_free (p->data);
}

static gboolean
flush_pending (VmmSqliteJournal *self, GError **error);

static void
vmm_sqlite_journal_finalize (GObject *object)
{
  VmmSqliteJournal *self = VMM_SQLITE_JOURNAL (object);
  g_autoptr (GError) error = NULL;

  if (self->db != NULL && self->pending->len > 0 && !flush_pending (self, &error))
    g_warning ("%s", error->message);
  g_array_unref (self->pending);
  sqlite3_finalize (self->insert);
  sqlite3_finalize (self->finish);
  sqlite3_finalize (self->begin);
  sqlite3_finalize (self->commit);
  sqlite3_finalize (self->rollback);
  sqlite3_finalize (self->lock);
  sqlite3_finalize (self->holder);
  sqlite3_finalize (self->unlock);
  if (self->db != NULL)
    sqlite3_close (self->db);
  G_OBJECT_CLASS (vmm_sqlite_journal_parent_class)->finalize (object);
}

static gboolean
db_error (VmmSqliteJournal *self, const char *what, GError **error)
{
  g_set_error (error, VMM_ERROR, VMM_ERROR_FAILED, "journal: %s: %s", what,
               self->db != NULL ? sqlite3_errmsg (self->db) : "no database");
  return FALSE;
}

/* Runs a prepared statement that returns no row. */
static gboolean
run (VmmSqliteJournal *self, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_error (self, what, error);
  return TRUE;
}

static gboolean
insert_record (VmmSqliteJournal *self, const char *id, const char *kind, const char *data,
               gint64 time, GError **error)
{
  sqlite3_bind_text (self->insert, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (self->insert, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (self->insert, 3, data, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (self->insert, 4, time);
  if (!run (self, self->insert, "append", error))
    {
      sqlite3_clear_bindings (self->insert);
      return FALSE;
    }
  sqlite3_clear_bindings (self->insert);
  return TRUE;
}

/* Opens a write transaction and writes what is pending into it. */
static gboolean
write_begin (VmmSqliteJournal *self, GError **error)
{
  if (!run (self, self->begin, "begin", error))
    return FALSE;
  for (guint i = 0; i < self->pending->len; i++)
    {
      Pending *p = &g_array_index (self->pending, Pending, i);

      if (!insert_record (self, p->migration, p->kind, p->data, p->time, error))
        {
          run (self, self->rollback, "rollback", NULL);
          return FALSE;
        }
    }
  return TRUE;
}

/* Commits; what was pending is then on disk. On failure nothing of the
 * transaction is, and the pending records stay pending. */
static gboolean
write_commit (VmmSqliteJournal *self, GError **error)
{
  if (!run (self, self->commit, "commit", error))
    {
      run (self, self->rollback, "rollback", NULL);
      return FALSE;
    }
  g_array_set_size (self->pending, 0);
  return TRUE;
}

static gboolean
flush_pending (VmmSqliteJournal *self, GError **error)
{
  if (self->pending->len == 0)
    return TRUE;
  return write_begin (self, error) && write_commit (self, error);
}

/* Records that report a completion only: the next commit takes them. */
static gboolean
kind_may_wait (const char *kind)
{
  return strcmp (kind, "action-done") == 0 || strcmp (kind, "action-failed") == 0
         || strcmp (kind, "undo-done") == 0 || strcmp (kind, "undo-failed") == 0;
}

static gboolean
sqlite_append (VmmJournal *journal, const char *id, const char *kind, const char *data,
               GError **error)
{
  VmmSqliteJournal *self = VMM_SQLITE_JOURNAL (journal);
  gint64 now = g_get_real_time ();

  if (kind_may_wait (kind))
    {
      Pending p = { g_strdup (id), g_strdup (kind), g_strdup (data), now };

      g_array_append_val (self->pending, p);
      if (self->pending->len >= MAX_PENDING)
        return flush_pending (self, error);
      return TRUE;
    }
  if (!write_begin (self, error))
    return FALSE;
  if (!insert_record (self, id, kind, data, now, error))
    {
      run (self, self->rollback, "rollback", NULL);
      return FALSE;
    }
  if (strcmp (kind, "outcome") == 0)
    {
      sqlite3_bind_text (self->finish, 1, id, -1, SQLITE_STATIC);
      if (!run (self, self->finish, "finish", error))
        {
          sqlite3_clear_bindings (self->finish);
          run (self, self->rollback, "rollback", NULL);
          return FALSE;
        }
      sqlite3_clear_bindings (self->finish);
    }
  return write_commit (self, error);
}

static GPtrArray *
sqlite_list (VmmJournal *journal, const char *id, GError **error)
{
  VmmSqliteJournal *self = VMM_SQLITE_JOURNAL (journal);
  const char *sql
      = id != NULL ? "SELECT migration, seq, kind, data, time FROM records WHERE migration = ?1 "
                     "ORDER BY seq"
                   : "SELECT migration, seq, kind, data, time FROM records WHERE migration NOT IN "
                     "(SELECT migration FROM finished) ORDER BY seq";
  sqlite3_stmt *stmt = NULL;
  GPtrArray *out;
  int rc;

  if (!flush_pending (self, error))
    return NULL;
  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      db_error (self, "list", error);
      return NULL;
    }
  if (id != NULL)
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  out = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, vmm_journal_record_new ((const char *)sqlite3_column_text (stmt, 0),
                                                  (guint64)sqlite3_column_int64 (stmt, 1),
                                                  (const char *)sqlite3_column_text (stmt, 2),
                                                  (const char *)sqlite3_column_text (stmt, 3),
                                                  sqlite3_column_int64 (stmt, 4)));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_ptr_array_unref (out);
      db_error (self, "list", error);
      return NULL;
    }
  return out;
}

static gboolean
sqlite_lock (VmmJournal *journal, const char *key, const char *owner, GError **error)
{
  VmmSqliteJournal *self = VMM_SQLITE_JOURNAL (journal);
  g_autofree char *holder = NULL;
  gboolean taken;

  sqlite3_bind_text (self->lock, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (self->lock, 2, owner, -1, SQLITE_STATIC);
  taken = run (self, self->lock, "lock", error);
  sqlite3_clear_bindings (self->lock);
  if (!taken)
    return FALSE;
  if (sqlite3_changes (self->db) == 1)
    return TRUE;
  /* held already: by whom */
  sqlite3_bind_text (self->holder, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (self->holder) == SQLITE_ROW)
    holder = g_strdup ((const char *)sqlite3_column_text (self->holder, 0));
  sqlite3_reset (self->holder);
  sqlite3_clear_bindings (self->holder);
  if (g_strcmp0 (holder, owner) != 0)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY, "VM %s is locked by %s", key,
                   holder != NULL ? holder : "another engine");
      return FALSE;
    }
  return TRUE;
}

static void
sqlite_unlock (VmmJournal *journal, const char *key, const char *owner)
{
  VmmSqliteJournal *self = VMM_SQLITE_JOURNAL (journal);
  g_autoptr (GError) error = NULL;

  /* what is pending goes with it: one transaction */
  if (!write_begin (self, &error))
    {
      g_warning ("%s", error->message);
      return;
    }
  sqlite3_bind_text (self->unlock, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (self->unlock, 2, owner, -1, SQLITE_STATIC);
  if (!run (self, self->unlock, "unlock", &error) || !write_commit (self, &error))
    {
      run (self, self->rollback, "rollback", NULL);
      g_warning ("%s", error->message);
    }
  sqlite3_clear_bindings (self->unlock);
}

static void
vmm_sqlite_journal_class_init (VmmSqliteJournalClass *klass)
{
  VmmJournalClass *journal_class = VMM_JOURNAL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = vmm_sqlite_journal_finalize;
  journal_class->append = sqlite_append;
  journal_class->list_records = sqlite_list;
  journal_class->lock_vm = sqlite_lock;
  journal_class->unlock_vm = sqlite_unlock;
}

static void
vmm_sqlite_journal_init (VmmSqliteJournal *self)
{
  self->pending = g_array_new (FALSE, FALSE, sizeof (Pending));
  g_array_set_clear_func (self->pending, (GDestroyNotify)pending_clear);
}

static gboolean
prepare (VmmSqliteJournal *self, const char *sql, sqlite3_stmt **stmt, GError **error)
{
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
    return db_error (self, "prepare", error);
  return TRUE;
}

/**
 * vmm_journal_new_sqlite:
 * @path: the database file (created when missing)
 * @error: return location for a #GError
 *
 * Opens the embedded journal: an SQLite database in WAL mode. Several
 * processes may open the same file; a VM's lock taken by one is seen by the
 * others.
 *
 * Returns: (transfer full): the journal, or %NULL with @error set (a file of
 *   a newer journal format is refused)
 *
 * Since: 1.0
 */
VmmJournal *
vmm_journal_new_sqlite (const char *path, GError **error)
{
  g_autoptr (VmmSqliteJournal) self = NULL;
  sqlite3_stmt *stmt = NULL;
  int format = 0;
  static const char schema[]
      = "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('format', 1);"
        /* records are never deleted, so the rowid alone keeps growing:
         * no AUTOINCREMENT, whose counter table is one more page to write
         * per commit (a file made with it reads and writes the same) */
        "CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY,"
        " migration TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL, time INTEGER NOT NULL);"
        "CREATE INDEX IF NOT EXISTS records_migration ON records (migration);"
        "CREATE TABLE IF NOT EXISTS finished (migration TEXT PRIMARY KEY);"
        "CREATE TABLE IF NOT EXISTS locks (vm TEXT PRIMARY KEY, owner TEXT NOT NULL);";

  g_return_val_if_fail (path != NULL, NULL);
  self = g_object_new (VMM_TYPE_SQLITE_JOURNAL, NULL);
  if (sqlite3_open_v2 (path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL)
          != SQLITE_OK
      /* before anything that locks: another process may be opening the
       * same file, switching it to WAL or creating the tables */
      || sqlite3_busy_timeout (self->db, 5000) != SQLITE_OK
      || sqlite3_exec (self->db, schema, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_FAILED, "journal %s: %s", path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : "cannot open");
      return NULL;
    }
  if (sqlite3_prepare_v2 (self->db, "SELECT value FROM meta WHERE key = 'format'", -1, &stmt, NULL)
          == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    format = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  if (format != VMM_JOURNAL_FORMAT_VERSION)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                   "journal %s has format %d; this library reads format %d", path, format,
                   VMM_JOURNAL_FORMAT_VERSION);
      return NULL;
    }
  if (!prepare (self, "INSERT INTO records (migration, kind, data, time) VALUES (?1, ?2, ?3, ?4)",
                &self->insert, error)
      || !prepare (self, "INSERT OR IGNORE INTO finished (migration) VALUES (?1)", &self->finish,
                   error)
      || !prepare (self, "BEGIN IMMEDIATE", &self->begin, error)
      || !prepare (self, "COMMIT", &self->commit, error)
      || !prepare (self, "ROLLBACK", &self->rollback, error)
      || !prepare (self, "INSERT OR IGNORE INTO locks (vm, owner) VALUES (?1, ?2)", &self->lock,
                   error)
      || !prepare (self, "SELECT owner FROM locks WHERE vm = ?1", &self->holder, error)
      || !prepare (self, "DELETE FROM locks WHERE vm = ?1 AND owner = ?2", &self->unlock, error))
    return NULL;
  return VMM_JOURNAL (g_steal_pointer (&self));
}
