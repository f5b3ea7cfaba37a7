/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

#include <sqlite3.h>

/* The embedded journal store: SQLite in WAL mode. A record is committed
 * before vmm_journal_append() returns; in WAL mode a committed transaction
 * survives the process being killed (synchronous=NORMAL syncs at checkpoints,
 * which guards against power loss only up to the last checkpoint). */

#define VMM_TYPE_SQLITE_JOURNAL (vmm_sqlite_journal_get_type ())
G_DECLARE_FINAL_TYPE (VmmSqliteJournal, vmm_sqlite_journal, VMM, SQLITE_JOURNAL, VmmJournal)

struct _VmmSqliteJournal
{
  VmmJournal parent_instance;

  sqlite3 *db;
  sqlite3_stmt *insert;
  sqlite3_stmt *finish;
};

G_DEFINE_FINAL_TYPE (VmmSqliteJournal, vmm_sqlite_journal, VMM_TYPE_JOURNAL)

static void
vmm_sqlite_journal_finalize (GObject *object)
{
  VmmSqliteJournal *self = VMM_SQLITE_JOURNAL (object);

  sqlite3_finalize (self->insert);
  sqlite3_finalize (self->finish);
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

static gboolean
sqlite_append (VmmJournal *journal, const char *id, const char *kind, const char *data,
               GError **error)
{
  VmmSqliteJournal *self = VMM_SQLITE_JOURNAL (journal);
  gboolean outcome = g_strcmp0 (kind, "outcome") == 0;

  if (outcome && sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    return db_error (self, "begin", error);
  sqlite3_reset (self->insert);
  sqlite3_bind_text (self->insert, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (self->insert, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (self->insert, 3, data, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (self->insert, 4, g_get_real_time ());
  if (sqlite3_step (self->insert) != SQLITE_DONE)
    {
      if (outcome)
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return db_error (self, "append", error);
    }
  if (outcome)
    {
      sqlite3_reset (self->finish);
      sqlite3_bind_text (self->finish, 1, id, -1, SQLITE_STATIC);
      if (sqlite3_step (self->finish) != SQLITE_DONE
          || sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return db_error (self, "finish", error);
        }
    }
  return TRUE;
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
  sqlite3_stmt *stmt = NULL;
  g_autofree char *holder = NULL;

  if (sqlite3_prepare_v2 (self->db, "INSERT OR IGNORE INTO locks (vm, owner) VALUES (?1, ?2)", -1,
                          &stmt, NULL)
      != SQLITE_OK)
    return db_error (self, "lock", error);
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, owner, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3_finalize (stmt);
      return db_error (self, "lock", error);
    }
  sqlite3_finalize (stmt);
  if (sqlite3_prepare_v2 (self->db, "SELECT owner FROM locks WHERE vm = ?1", -1, &stmt, NULL)
      != SQLITE_OK)
    return db_error (self, "lock", error);
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    holder = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
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
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, "DELETE FROM locks WHERE vm = ?1 AND owner = ?2", -1, &stmt,
                          NULL)
      != SQLITE_OK)
    return;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, owner, -1, SQLITE_STATIC);
  sqlite3_step (stmt);
  sqlite3_finalize (stmt);
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
        "PRAGMA busy_timeout=5000;"
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('format', 1);"
        "CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " migration TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL, time INTEGER NOT NULL);"
        "CREATE INDEX IF NOT EXISTS records_migration ON records (migration);"
        "CREATE TABLE IF NOT EXISTS finished (migration TEXT PRIMARY KEY);"
        "CREATE TABLE IF NOT EXISTS locks (vm TEXT PRIMARY KEY, owner TEXT NOT NULL);";

  g_return_val_if_fail (path != NULL, NULL);
  self = g_object_new (VMM_TYPE_SQLITE_JOURNAL, NULL);
  if (sqlite3_open_v2 (path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL)
          != SQLITE_OK
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
  if (sqlite3_prepare_v2 (
          self->db, "INSERT INTO records (migration, kind, data, time) VALUES (?1, ?2, ?3, ?4)", -1,
          &self->insert, NULL)
          != SQLITE_OK
      || sqlite3_prepare_v2 (self->db, "INSERT OR IGNORE INTO finished (migration) VALUES (?1)", -1,
                             &self->finish, NULL)
             != SQLITE_OK)
    {
      db_error (self, "prepare", error);
      return NULL;
    }
  return VMM_JOURNAL (g_steal_pointer (&self));
}
