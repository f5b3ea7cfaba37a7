/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include "vmm-evacuation-entry.h"
#include "vmm-journal.h"
#include "vmm-recovery-entry.h"
#include "vmm-migration.h"

G_BEGIN_DECLS

#define VMM_TYPE_ENGINE (vmm_engine_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VmmEngine, vmm_engine, VMM, ENGINE, GObject)

VMM_AVAILABLE_IN_ALL
VmmEngine *vmm_engine_new (void);
VMM_AVAILABLE_IN_ALL
VmmMigration *vmm_engine_create_migration (VmmEngine *self,
                                           VmmBackend *backend,
                                           const char *vm,
                                           VmmRelocateSpec *spec,
                                           GError **error);
VMM_AVAILABLE_IN_ALL
VmmMigration *vmm_engine_create_migration_with_type (VmmEngine *self,
                                                     GType migration_type,
                                                     VmmBackend *backend,
                                                     const char *vm,
                                                     VmmRelocateSpec *spec,
                                                     GError **error);

VMM_AVAILABLE_IN_ALL
guint vmm_engine_get_max_per_source_host (VmmEngine *self);
VMM_AVAILABLE_IN_ALL
void vmm_engine_set_max_per_source_host (VmmEngine *self, guint limit);
VMM_AVAILABLE_IN_ALL
guint vmm_engine_get_max_per_destination_host (VmmEngine *self);
VMM_AVAILABLE_IN_ALL
void vmm_engine_set_max_per_destination_host (VmmEngine *self, guint limit);
VMM_AVAILABLE_IN_ALL
guint vmm_engine_get_max_per_datastore (VmmEngine *self);
VMM_AVAILABLE_IN_ALL
void vmm_engine_set_max_per_datastore (VmmEngine *self, guint limit);
VMM_AVAILABLE_IN_ALL
guint vmm_engine_get_max_global (VmmEngine *self);
VMM_AVAILABLE_IN_ALL
void vmm_engine_set_max_global (VmmEngine *self, guint limit);
VMM_AVAILABLE_IN_ALL
void vmm_engine_find_candidates_async (VmmEngine *self,
                                       VmmBackend *backend,
                                       const char *vm,
                                       VmmRelocateSpec *spec,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_engine_find_candidates_finish (VmmEngine *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_engine_find_candidates (VmmEngine *self,
                                       VmmBackend *backend,
                                       const char *vm,
                                       VmmRelocateSpec *spec,
                                       GCancellable *cancellable,
                                       GError **error);

VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_engine_place_batch (VmmEngine *self,
                                   VmmBackend *backend,
                                   VmmInventory *inventory,
                                   const char *const *vms,
                                   VmmRelocateSpec *spec,
                                   GError **error);
VMM_AVAILABLE_IN_ALL
void vmm_engine_evacuate_async (VmmEngine *self,
                                VmmBackend *backend,
                                const char *host,
                                VmmRelocateSpec *template,
                                VmmEvacuateFlags flags,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_engine_evacuate_finish (VmmEngine *self,
                                       GAsyncResult *result,
                                       gboolean *host_empty,
                                       GError **error);

VMM_AVAILABLE_IN_ALL
guint vmm_engine_get_progress_timeout_s (VmmEngine *self);
VMM_AVAILABLE_IN_ALL
void vmm_engine_set_progress_timeout_s (VmmEngine *self, guint seconds);
VMM_AVAILABLE_IN_ALL
VmmJournal *vmm_engine_get_journal (VmmEngine *self);
VMM_AVAILABLE_IN_ALL
void vmm_engine_set_journal (VmmEngine *self, VmmJournal *journal);
VMM_AVAILABLE_IN_ALL
const char *vmm_engine_get_id (VmmEngine *self);
VMM_AVAILABLE_IN_ALL
void vmm_engine_recover_async (VmmEngine *self,
                               VmmBackend *backend,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
VMM_AVAILABLE_IN_ALL
GPtrArray *vmm_engine_recover_finish (VmmEngine *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
guint vmm_engine_get_n_running (VmmEngine *self);
VMM_AVAILABLE_IN_ALL
guint vmm_engine_get_n_queued (VmmEngine *self);

G_END_DECLS
