/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include <glib-object.h>

#include "vmm-version.h"

G_BEGIN_DECLS

/**
 * VMM_JOURNAL_FORMAT_VERSION:
 *
 * The version of the journal's record format. A journal written by a newer
 * format is refused rather than misread.
 *
 * Since: 1.0
 */
#define VMM_JOURNAL_FORMAT_VERSION 1

#define VMM_TYPE_JOURNAL_RECORD (vmm_journal_record_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmJournalRecord, vmm_journal_record, VMM, JOURNAL_RECORD, GObject)

VMM_AVAILABLE_IN_ALL
const char *vmm_journal_record_get_migration_id (VmmJournalRecord *self);
VMM_AVAILABLE_IN_ALL
guint64 vmm_journal_record_get_sequence (VmmJournalRecord *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_journal_record_get_kind (VmmJournalRecord *self);
VMM_AVAILABLE_IN_ALL
const char *vmm_journal_record_get_data (VmmJournalRecord *self);
VMM_AVAILABLE_IN_ALL
gint64 vmm_journal_record_get_time (VmmJournalRecord *self);

#define VMM_TYPE_JOURNAL (vmm_journal_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (VmmJournal, vmm_journal, VMM, JOURNAL, GObject)

/**
 * VmmJournalClass:
 * @parent_class: the parent class
 * @append: make one record durable (write-ahead: it returns only once the
 *   record would survive the process being killed)
 * @list_records: every record of the migrations that have no outcome yet
 *   (or of one migration), in order
 * @lock_vm: take the lock of a VM for an owner; %FALSE with
 *   %VMM_ERROR_BUSY when another owner holds it
 * @unlock_vm: release it
 *
 * The store behind the journal: small on purpose, so that a shared store
 * can later let engines on several machines share locks and recovery.
 *
 * Since: 1.0
 */
struct _VmmJournalClass
{
  GObjectClass parent_class;

  gboolean (*append) (VmmJournal *self,
                      const char *migration_id,
                      const char *kind,
                      const char *data,
                      GError **error);
  GPtrArray *(*list_records) (VmmJournal *self, const char *migration_id, GError **error);
  gboolean (*lock_vm) (VmmJournal *self, const char *vm_key, const char *owner, GError **error);
  void (*unlock_vm) (VmmJournal *self, const char *vm_key, const char *owner);

  /*< private >*/
  gpointer padding[12];
};

VMM_AVAILABLE_IN_ALL
VmmJournal *vmm_journal_new_sqlite (const char *path, GError **error);
VMM_AVAILABLE_IN_ALL
VmmJournal *vmm_journal_new_memory (void);
VMM_AVAILABLE_IN_ALL
gboolean vmm_journal_append (VmmJournal *self,
                             const char *migration_id,
                             const char *kind,
                             const char *data,
                             GError **error);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_journal_list_records (VmmJournal *self, const char *migration_id, GError **error);
VMM_AVAILABLE_IN_ALL
char **vmm_journal_list_unfinished (VmmJournal *self, GError **error);
VMM_AVAILABLE_IN_ALL
gboolean vmm_journal_lock_vm (VmmJournal *self, const char *vm_key, const char *owner, GError **error);
VMM_AVAILABLE_IN_ALL
void vmm_journal_unlock_vm (VmmJournal *self, const char *vm_key, const char *owner);

G_END_DECLS
