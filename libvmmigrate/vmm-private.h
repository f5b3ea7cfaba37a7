/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vmmigrate.h"

G_BEGIN_DECLS

/* g_task_set_source_tag() without its macro, which also names the task
 * after the tag with a copy of the string (GLib 2.74): a name per task in
 * flight, for debugging output the library does not print. */
#define vmm_task_set_source_tag(task, tag) (g_task_set_source_tag) ((task), (tag))

/* Names of inventory objects (hosts, pools, datastores, networks, disk
 * keys, formats) are interned: a bounded set, shared by every VM, disk,
 * context and plan that names them instead of a copy each.
 * vmm_intern() is g_intern_string() that answers at once, without
 * g_intern_string()'s lock and hash, for a name it interned before on
 * this thread (most names come from another record's interned field). */
const char *
vmm_intern (const char *value);

static inline void
vmm_set_name (const char **field, const char *value)
{
  *field = vmm_intern (value);
}

/* A one-shot timer that lives inside its owner's structure (vmm-timer.c):
 * one GSource per main context serves them all. Zero-initialise it. */
typedef struct
{
  gint64 expiry;
  GSourceFunc func; /* its return value is ignored */
  gpointer data;
  gpointer source;
  guint32 seq; /* order among equal expiries */
  guint32 index;
} VmmTimer;

void
vmm_timer_start (VmmTimer *timer, GMainContext *context, guint interval_ms, GSourceFunc func,
                 gpointer data);
void
vmm_timer_stop (VmmTimer *timer);
gboolean
vmm_timer_is_running (VmmTimer *timer);

/* --- blocking wrappers (vmm-sync.c) --- */
typedef struct
{
  GMainContext *context;
  GAsyncResult *result;
} VmmSync;

void
vmm_sync_begin (VmmSync *sync);
void
vmm_sync_cb (GObject *source, GAsyncResult *result, gpointer user_data);
/* Returns the result (transfer full) once the call completed. */
GAsyncResult *
vmm_sync_wait (VmmSync *sync);

/* --- backend registry --- */
void
vmm_backends_ensure_builtin (void);
/* Each built-in backend registers its URI schemes on the extension point. */
void
vmm_sim_backend_register (void);
void
vmm_libvirt_backend_register (void);
void
vmm_nova_backend_register (void);
void
vmm_vsphere_backend_register (void);

/* --- migration context --- */
typedef struct
{
  void (*transfer) (gpointer owner, guint64 done, guint64 total);
  void (*warning) (gpointer owner, const char *message);
  gboolean (*invoke_callbacks) (gpointer owner, VmmMigrationContext *context, GError **error);
  gboolean (*record_recovery_data) (gpointer owner, const char *data, GError **error);
  gboolean (*wants_recovery_data) (gpointer owner);
} VmmContextSink;

/* whether vmm_migration_context_record_recovery_data() records anything
 * (a journal is set): backends skip building the data otherwise */
gboolean
vmm_migration_context_wants_recovery_data (VmmMigrationContext *self);

VmmMigrationContext *
vmm_migration_context_new (VmmBackend *backend, const char *vm_name, VmmRelocateSpec *spec,
                           gboolean dry_run);
void
vmm_migration_context_set_sink (VmmMigrationContext *self, const VmmContextSink *sink,
                                gpointer owner);
void
vmm_migration_context_set_inventory (VmmMigrationContext *self, VmmInventory *inventory);
void
vmm_migration_context_set_vm (VmmMigrationContext *self, VmmVmInfo *vm);
void
vmm_migration_context_set_pinned_host (VmmMigrationContext *self, const char *host);
const char *
vmm_migration_context_get_pinned_host (VmmMigrationContext *self);
void
vmm_migration_context_set_changes (VmmMigrationContext *self, gboolean host,
                                   gboolean primary_datastore, gboolean disk_datastores,
                                   gboolean pool, gboolean cross_manager);
void
vmm_migration_context_set_target_disks (VmmMigrationContext *self, GPtrArray *disks);
GPtrArray *
vmm_migration_context_get_queue (VmmMigrationContext *self);
/* the spec's network map, or NULL when none was ever set (the public
 * getter makes an empty one) */
GHashTable *
vmm_relocate_spec_peek_network_map (VmmRelocateSpec *self);
/* the spec's disk locators, or NULL when none was ever set */
GPtrArray *
vmm_relocate_spec_peek_disks (VmmRelocateSpec *self);
const char *const *
vmm_migration_context_get_warnings (VmmMigrationContext *self);
guint64
vmm_migration_context_get_bytes_done (VmmMigrationContext *self);
guint64
vmm_migration_context_get_bytes_total (VmmMigrationContext *self);
gint64
vmm_migration_context_get_downtime_ms (VmmMigrationContext *self);
const char *
vmm_migration_context_get_veto_reason (VmmMigrationContext *self);
gboolean
vmm_migration_context_invoke_callbacks (VmmMigrationContext *self, GError **error);

/* Capacity already promised to earlier placements of the same batch. */
typedef struct
{
  guint64 memory_mib;
  guint vcpus;
  guint64 bytes;
} VmmLoad;
void
vmm_migration_context_set_reservations (VmmMigrationContext *self, GHashTable *reservations);
const VmmLoad *
vmm_migration_context_get_reservation (VmmMigrationContext *self, const char *name);
GPtrArray *
vmm_migration_context_get_candidates (VmmMigrationContext *self);
void
vmm_migration_context_set_estimates (VmmMigrationContext *self, gint64 duration_ms,
                                     gint64 downtime_ms);
gint64
vmm_migration_context_get_estimated_duration_ms (VmmMigrationContext *self);
gint64
vmm_migration_context_get_estimated_downtime_ms (VmmMigrationContext *self);
void
vmm_migration_context_set_engine (VmmMigrationContext *self, VmmEngine *engine);
VmmEngine *
vmm_migration_context_get_engine (VmmMigrationContext *self);
void
vmm_migration_context_exclude_host (VmmMigrationContext *self, const char *host);
gboolean
vmm_migration_context_is_host_excluded (VmmMigrationContext *self, const char *host);
void
vmm_migration_context_set_select_host (VmmMigrationContext *self, gboolean select_host);
void
vmm_migration_context_set_cold_restart (VmmMigrationContext *self, gboolean cold_restart);
gboolean
vmm_migration_context_get_select_host (VmmMigrationContext *self);
void
vmm_migration_result_set_attempts (VmmMigrationResult *self, GPtrArray *attempts);
VmmCandidate *
vmm_candidate_new (const char *host, GPtrArray *checks, gboolean storage_motion, double score);

/* --- actions (libvmmigrate/actions/) --- */
VmmAction *
vmm_action_invoke_prechecks_new (void);
VmmAction *
vmm_action_select_destination_new (void);
VmmAction *
vmm_action_check_permission_new (void);
VmmAction *
vmm_action_check_compatibility_new (void);
VmmAction *
vmm_action_compute_spec_new (void);
VmmAction *
vmm_action_invoke_callbacks_new (void);
VmmAction *
vmm_action_step_new (VmmBackend *backend, VmmStep step);
gboolean
vmm_action_step_get_step (VmmAction *action, VmmStep *step);
void
vmm_workflow_build_initial_queue (VmmMigrationContext *context);
gboolean
vmm_workflow_resolve (VmmMigrationContext *context, GError **error);
gboolean
vmm_workflow_check_supported (VmmMigrationContext *context, GError **error);
gboolean
vmm_migration_type_is_hot (VmmMigrationType type);

/* --- journal --- */
VmmJournalRecord *
vmm_journal_record_new (const char *migration_id, guint64 sequence, const char *kind,
                        const char *data, gint64 time);

/* --- plan / result --- */
VmmPlan *
vmm_plan_new_from_context (VmmMigrationContext *context);
VmmMigrationResult *
vmm_migration_result_new (const char *vm_name);
/* Where each disk is, as the plan and the result write it (JSON). */
typedef struct _JsonBuilder JsonBuilder;
void
vmm_json_add_disks (JsonBuilder *builder, GPtrArray *disks);
void
vmm_migration_result_fill (VmmMigrationResult *self, VmmMigrationContext *context, gboolean moved,
                           GPtrArray *actions_done, gint64 duration_ms);

/* --- engine internals used by VmmMigration --- */
typedef void (*VmmEngineSlotFunc) (gpointer migration);
void
vmm_migration_setup (VmmMigration *self, gpointer engine, VmmBackend *backend, const char *vm,
                     VmmRelocateSpec *spec);
gboolean
vmm_engine_acquire_slots (VmmEngine *self, VmmMigration *migration, VmmMigrationContext *context,
                          VmmEngineSlotFunc ready);
void
vmm_engine_release_slots (VmmEngine *self, VmmMigration *migration);
void
vmm_engine_unlock_vm (VmmEngine *self, VmmMigration *migration);
/* the engine that made @self, until it is disposed */
VmmEngine *
vmm_migration_peek_engine (VmmMigration *self);
/* the engine's concurrency slot of the migration (the engine's own type) */
gpointer
vmm_migration_get_slot (VmmMigration *self);
void
vmm_migration_set_slot (VmmMigration *self, gpointer slot);
VmmMigrationContext *
vmm_engine_new_context (VmmEngine *self, VmmBackend *backend, VmmInventory *inventory,
                        const char *vm_name, VmmRelocateSpec *spec, GError **error);
void
vmm_placement_rank (VmmMigrationContext *context, GPtrArray *out);
GPtrArray *
vmm_placement_batch (VmmEngine *engine, VmmBackend *backend, VmmInventory *inventory,
                     const char *const *vms, VmmRelocateSpec *spec, GHashTable *excluded);
void
vmm_engine_emit_evacuation_progress (VmmEngine *self, const char *host, guint done, guint total);
void
vmm_engine_emit_migration_created (VmmEngine *self, VmmMigration *migration);
VmmEvacuationEntry *
vmm_evacuation_entry_new (const char *vm, VmmEvacuationOutcome outcome, const char *host,
                          const char *message, VmmMigrationResult *result);
gboolean
vmm_engine_is_draining (VmmEngine *self, VmmBackend *backend, const char *host);
void
vmm_engine_set_draining (VmmEngine *self, VmmBackend *backend, const char *host, gboolean draining);
guint
vmm_engine_count_inbound (VmmEngine *self, VmmBackend *backend, const char *host);
gboolean
vmm_engine_emit_ready (VmmEngine *self, VmmMigration *migration, VmmMigrationContext *context);

/* helpers */
char *
vmm_strv_join_quoted (const char *const *strv);

G_END_DECLS
