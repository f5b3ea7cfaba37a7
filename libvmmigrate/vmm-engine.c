/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

#include <string.h>
#include <unistd.h>

/**
 * VmmEngine:
 *
 * The entry point: creates migrations, locks each VM for the duration of its
 * migration (one migration per VM at a time) and enforces concurrency limits
 * per source host, per destination host, per datastore (storage moves) and
 * globally. Migrations that find no free slot wait, and start in priority
 * order (then in the order they were started) as slots free.
 *
 * The engine is not thread-safe: use it from one thread.
 *
 * Since: 1.0
 */

/* One resource the engine limits ("G" global, "S<backend>/<host>" source
 * host, "D…" destination host, "T…" datastore): how many running
 * migrations hold it, and how many slots name it (the entry goes with the
 * last). */
typedef struct
{
  guint running;
  guint refs;
  char name[];
} SlotKey;

typedef struct
{
  VmmEngine *engine;       /* unowned */
  VmmMigration *migration; /* unowned: removed on finish/dispose */
  GMainContext *context;
  VmmEngineSlotFunc ready;
  guint64 seq;
  /* the keys this migration needs: the first ones here (global, source
   * and destination host), any more (datastores) in @more */
  SlotKey *keys[3];
  GPtrArray *more;
  VmmPriority priority;
  guint n_keys : 16;
  guint holding : 1;
} Slot;

struct _VmmEngine
{
  GObject parent_instance;

  guint max_src;
  guint max_dst;
  guint max_ds;
  guint max_global;
  guint progress_timeout_s;
  VmmJournal *journal;
  char *id;

  GHashTable *locks;    /* VmmBackend -> (VM name -> VmmMigration), both unowned */
  GHashTable *counts;   /* key name -> SlotKey (owned) */
  GList *waiting;       /* Slot*, sorted by priority then seq */
  GHashTable *draining; /* "backend/host" being evacuated -> count */
  guint n_running;
  guint64 seq;
};

enum
{
  PROP_0,
  PROP_MAX_PER_SOURCE_HOST,
  PROP_MAX_PER_DESTINATION_HOST,
  PROP_MAX_PER_DATASTORE,
  PROP_MAX_GLOBAL,
  PROP_PROGRESS_TIMEOUT_S,
  PROP_JOURNAL,
  N_PROPS
};

enum
{
  SIGNAL_READY,
  SIGNAL_MIGRATION_CREATED,
  SIGNAL_EVACUATION_PROGRESS,
  N_SIGNALS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VmmEngine, vmm_engine, G_TYPE_OBJECT)

static void
slot_free (Slot *slot)
{
  for (guint i = 0; i < slot->n_keys; i++)
    {
      SlotKey *key = i < G_N_ELEMENTS (slot->keys)
                         ? slot->keys[i]
                         : g_ptr_array_index (slot->more, i - G_N_ELEMENTS (slot->keys));

      if (--key->refs == 0)
        g_hash_table_remove (slot->engine->counts, key->name);
    }
  g_clear_pointer (&slot->more, g_ptr_array_unref);
  if (slot->context != NULL)
    g_main_context_unref (slot->context);
  g_free (slot);
}

static void
vmm_engine_finalize (GObject *object)
{
  VmmEngine *self = VMM_ENGINE (object);

  g_hash_table_unref (self->locks);
  g_hash_table_unref (self->counts);
  g_hash_table_unref (self->draining);
  g_clear_object (&self->journal);
  g_free (self->id);
  g_list_free (self->waiting);
  G_OBJECT_CLASS (vmm_engine_parent_class)->finalize (object);
}

static void
vmm_engine_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VmmEngine *self = VMM_ENGINE (object);

  switch (prop_id)
    {
    case PROP_MAX_PER_SOURCE_HOST:
      g_value_set_uint (value, self->max_src);
      break;
    case PROP_MAX_PER_DESTINATION_HOST:
      g_value_set_uint (value, self->max_dst);
      break;
    case PROP_MAX_PER_DATASTORE:
      g_value_set_uint (value, self->max_ds);
      break;
    case PROP_MAX_GLOBAL:
      g_value_set_uint (value, self->max_global);
      break;
    case PROP_PROGRESS_TIMEOUT_S:
      g_value_set_uint (value, self->progress_timeout_s);
      break;
    case PROP_JOURNAL:
      g_value_set_object (value, self->journal);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmm_engine_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VmmEngine *self = VMM_ENGINE (object);

  switch (prop_id)
    {
    case PROP_MAX_PER_SOURCE_HOST:
      vmm_engine_set_max_per_source_host (self, g_value_get_uint (value));
      break;
    case PROP_MAX_PER_DESTINATION_HOST:
      vmm_engine_set_max_per_destination_host (self, g_value_get_uint (value));
      break;
    case PROP_MAX_PER_DATASTORE:
      vmm_engine_set_max_per_datastore (self, g_value_get_uint (value));
      break;
    case PROP_MAX_GLOBAL:
      vmm_engine_set_max_global (self, g_value_get_uint (value));
      break;
    case PROP_PROGRESS_TIMEOUT_S:
      vmm_engine_set_progress_timeout_s (self, g_value_get_uint (value));
      break;
    case PROP_JOURNAL:
      vmm_engine_set_journal (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vmm_engine_class_init (VmmEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vmm_engine_finalize;
  object_class->get_property = vmm_engine_get_property;
  object_class->set_property = vmm_engine_set_property;

  /**
   * VmmEngine:max-per-source-host:
   *
   * At most this many migrations leave one host at a time (0: no limit).
   *
   * Since: 1.0
   */
  props[PROP_MAX_PER_SOURCE_HOST]
      = g_param_spec_uint ("max-per-source-host", NULL, NULL, 0, G_MAXUINT, 2,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * VmmEngine:max-per-destination-host:
   *
   * At most this many migrations arrive on one host at a time (0: no limit).
   *
   * Since: 1.0
   */
  props[PROP_MAX_PER_DESTINATION_HOST]
      = g_param_spec_uint ("max-per-destination-host", NULL, NULL, 0, G_MAXUINT, 2,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * VmmEngine:max-per-datastore:
   *
   * At most this many storage moves target one datastore at a time
   * (0: no limit). The default, 2, is the storage-motion default.
   *
   * Since: 1.0
   */
  props[PROP_MAX_PER_DATASTORE]
      = g_param_spec_uint ("max-per-datastore", NULL, NULL, 0, G_MAXUINT, 2,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * VmmEngine:max-global:
   *
   * At most this many migrations run at a time (0: no limit).
   *
   * Since: 1.0
   */
  props[PROP_MAX_GLOBAL]
      = g_param_spec_uint ("max-global", NULL, NULL, 0, G_MAXUINT, 0,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * VmmEngine:progress-timeout-s:
   *
   * A running migration that reports no progress (no transferred bytes, no
   * finished action) for this many seconds times out and its spec's
   * on-timeout action runs (0: never). The completion timeout is the spec's,
   * or when it gives none, 120 s plus 10 s per GiB the move transfers.
   *
   * Since: 1.0
   */
  props[PROP_PROGRESS_TIMEOUT_S]
      = g_param_spec_uint ("progress-timeout-s", NULL, NULL, 0, G_MAXUINT, 300,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * VmmEngine:journal:
   *
   * Where migrations record their progress before they act (see
   * #VmmJournal), or %NULL for none. Set it before creating migrations.
   *
   * Since: 1.0
   */
  props[PROP_JOURNAL]
      = g_param_spec_object ("journal", NULL, NULL, VMM_TYPE_JOURNAL,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * VmmEngine::ready:
   * @self: the engine
   * @migration: the migration about to move its VM
   * @context: the resolved migration
   *
   * Emitted for every migration at its InvokeCallbacks action, after the
   * migration's own #VmmMigration::ready. Return %FALSE (or call
   * vmm_migration_context_veto()) to refuse it.
   *
   * Returns: %TRUE to go on
   *
   * Since: 1.0
   */
  signals[SIGNAL_READY] = g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        g_signal_accumulator_first_wins, NULL, NULL, G_TYPE_BOOLEAN,
                                        2, VMM_TYPE_MIGRATION, VMM_TYPE_MIGRATION_CONTEXT);
  /**
   * VmmEngine::migration-created:
   * @self: the engine
   * @migration: a migration the engine created itself (one VM of an evacuation)
   *
   * Lets the caller follow each VM of a batch: connect to the migration's
   * own signals here.
   *
   * Since: 1.0
   */
  signals[SIGNAL_MIGRATION_CREATED]
      = g_signal_new ("migration-created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                      NULL, NULL, G_TYPE_NONE, 1, VMM_TYPE_MIGRATION);
  /**
   * VmmEngine::evacuation-progress:
   * @self: the engine
   * @host: the host being evacuated
   * @done: VMs dealt with (moved, failed or skipped)
   * @total: VMs found on the host so far
   *
   * An evacuation made progress.
   *
   * Since: 1.0
   */
  signals[SIGNAL_EVACUATION_PROGRESS]
      = g_signal_new ("evacuation-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                      NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT);
}

void
vmm_engine_emit_evacuation_progress (VmmEngine *self, const char *host, guint done, guint total)
{
  g_signal_emit (self, signals[SIGNAL_EVACUATION_PROGRESS], 0, host, done, total);
}

void
vmm_engine_emit_migration_created (VmmEngine *self, VmmMigration *migration)
{
  g_signal_emit (self, signals[SIGNAL_MIGRATION_CREATED], 0, migration);
}

static void
vmm_engine_init (VmmEngine *self)
{
  self->max_src = 2;
  self->max_dst = 2;
  self->max_ds = 2;
  self->max_global = 0;
  self->progress_timeout_s = 300;
  self->id = g_strdup_printf ("engine-%d-%08x", (int)getpid (), g_random_int ());
  self->locks = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)g_hash_table_unref);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  self->draining = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * vmm_engine_new:
 *
 * Creates an engine with the default limits: 2 migrations per source host,
 * 2 per destination host, 2 storage moves per datastore, no global limit.
 *
 * Returns: (transfer full): a new #VmmEngine
 *
 * Since: 1.0
 */
VmmEngine *
vmm_engine_new (void)
{
  return g_object_new (VMM_TYPE_ENGINE, NULL);
}

/* the migration that holds @vm of @backend, if any */
static VmmMigration *
lock_holder (VmmEngine *self, VmmBackend *backend, const char *vm)
{
  GHashTable *vms = g_hash_table_lookup (self->locks, backend);

  return vms != NULL ? g_hash_table_lookup (vms, vm) : NULL;
}

/**
 * vmm_engine_create_migration:
 * @self: a #VmmEngine
 * @backend: the backend that manages the VM
 * @vm: the VM's name
 * @spec: where the VM goes (the migration keeps its own copy)
 * @error: return location for a #GError
 *
 * Creates a migration of @vm. The VM is locked from now until the migration
 * ends (or is dropped without running): a second migration of the same VM
 * fails with %VMM_ERROR_BUSY.
 *
 * Returns: (transfer full): the migration, or %NULL with @error set
 *
 * Since: 1.0
 */
VmmMigration *
vmm_engine_create_migration (VmmEngine *self, VmmBackend *backend, const char *vm,
                             VmmRelocateSpec *spec, GError **error)
{
  return vmm_engine_create_migration_with_type (self, VMM_TYPE_MIGRATION, backend, vm, spec, error);
}

/**
 * vmm_engine_create_migration_with_type:
 * @self: a #VmmEngine
 * @migration_type: a #GType derived from #VmmMigration, so a program can
 *   override the signals' class handlers
 * @backend: the backend that manages the VM
 * @vm: the VM's name
 * @spec: where the VM goes
 * @error: return location for a #GError
 *
 * Like vmm_engine_create_migration(), with a subclass of #VmmMigration.
 *
 * Returns: (transfer full): the migration, or %NULL with @error set
 *
 * Since: 1.0
 */
VmmMigration *
vmm_engine_create_migration_with_type (VmmEngine *self, GType migration_type, VmmBackend *backend,
                                       const char *vm, VmmRelocateSpec *spec, GError **error)
{
  GHashTable *vms;
  VmmMigration *migration;

  g_return_val_if_fail (VMM_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_type_is_a (migration_type, VMM_TYPE_MIGRATION), NULL);
  g_return_val_if_fail (VMM_IS_BACKEND (backend), NULL);
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (spec), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (vm == NULL || *vm == '\0')
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "no VM named to migrate");
      return NULL;
    }
  if (!vmm_relocate_spec_validate (spec, error))
    return NULL;
  if (lock_holder (self, backend, vm) != NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY,
                   "VM '%s' already has a migration that has not ended", vm);
      return NULL;
    }
  migration = g_object_new (migration_type, NULL);
  vmm_migration_setup (migration, self, backend, vm, spec);
  vms = g_hash_table_lookup (self->locks, backend);
  if (vms == NULL)
    {
      vms = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (self->locks, backend, vms);
    }
  /* the key is the migration's own copy of the name: unlocked before it goes */
  g_hash_table_insert (vms, (gpointer)vmm_migration_get_vm_name (migration), migration);
  return migration;
}

void
vmm_engine_unlock_vm (VmmEngine *self, VmmMigration *migration)
{
  VmmBackend *backend = vmm_migration_get_backend (migration);
  const char *vm = vmm_migration_get_vm_name (migration);

  if (lock_holder (self, backend, vm) == migration)
    {
      GHashTable *vms = g_hash_table_lookup (self->locks, backend);

      g_hash_table_remove (vms, vm);
      if (g_hash_table_size (vms) == 0)
        g_hash_table_remove (self->locks, backend);
    }
  vmm_engine_release_slots (self, migration);
}

/* Keys of the engine's tables: a kind letter ('\0' for none), the
 * backend's address in hex, '/', a host or datastore name. Written into
 * @buf (KEY_BUF_SIZE bytes) when it fits, else into *@heap for the caller
 * to free; returns the key. Built for every move: no printf, no copy. */
#define KEY_BUF_SIZE 128

static const char *
engine_key (char *buf, char **heap, char kind, gconstpointer backend, const char *name)
{
  static const char digits[] = "0123456789abcdef";
  char addr[2 * sizeof (guintptr) + 1];
  guintptr value = (guintptr)backend;
  gsize n_addr = 0, len;
  char *out;

  if (name == NULL)
    name = ""; /* a datastore a backend left unnamed: one key for all of them */
  do
    {
      addr[sizeof addr - 1 - ++n_addr] = digits[value & 0xf];
      value >>= 4;
    }
  while (value != 0);
  len = (kind != '\0' ? 1 : 0) + n_addr + 1 + strlen (name);
  out = len < KEY_BUF_SIZE ? buf : (*heap = g_malloc (len + 1));
  if (kind != '\0')
    *out++ = kind;
  memcpy (out, addr + sizeof addr - 1 - n_addr, n_addr);
  out[n_addr] = '/';
  strcpy (out + n_addr + 1, name);
  return len < KEY_BUF_SIZE ? buf : *heap;
}

gboolean
vmm_engine_is_draining (VmmEngine *self, VmmBackend *backend, const char *host)
{
  char buf[KEY_BUF_SIZE];
  g_autofree char *heap = NULL;

  /* asked for every move: nothing to build when no host is draining */
  if (g_hash_table_size (self->draining) == 0)
    return FALSE;
  return g_hash_table_contains (self->draining, engine_key (buf, &heap, '\0', backend, host));
}

void
vmm_engine_set_draining (VmmEngine *self, VmmBackend *backend, const char *host, gboolean draining)
{
  char buf[KEY_BUF_SIZE];
  g_autofree char *heap = NULL;
  const char *key = engine_key (buf, &heap, '\0', backend, host);
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->draining, key));

  count = draining ? count + 1 : (count > 0 ? count - 1 : 0);
  if (count == 0)
    g_hash_table_remove (self->draining, key);
  else
    g_hash_table_insert (self->draining, g_strdup (key), GUINT_TO_POINTER (count));
}

guint
vmm_engine_count_inbound (VmmEngine *self, VmmBackend *backend, const char *host)
{
  char buf[KEY_BUF_SIZE];
  g_autofree char *heap = NULL;
  SlotKey *key = g_hash_table_lookup (self->counts, engine_key (buf, &heap, 'D', backend, host));

  return key != NULL ? key->running : 0;
}

gboolean
vmm_engine_emit_ready (VmmEngine *self, VmmMigration *migration, VmmMigrationContext *context)
{
  gboolean proceed = TRUE;

  if (!g_signal_has_handler_pending (self, signals[SIGNAL_READY], 0, FALSE))
    return TRUE;
  g_signal_emit (self, signals[SIGNAL_READY], 0, migration, context, &proceed);
  return proceed;
}

/* --- slots --- */

static guint
limit_for (VmmEngine *self, const char *key)
{
  switch (key[0])
    {
    case 'S':
      return self->max_src;
    case 'D':
      return self->max_dst;
    case 'T':
      return self->max_ds;
    case 'G':
    default:
      return self->max_global;
    }
}

static SlotKey *
slot_key (Slot *slot, guint i)
{
  return i < G_N_ELEMENTS (slot->keys)
             ? slot->keys[i]
             : g_ptr_array_index (slot->more, i - G_N_ELEMENTS (slot->keys));
}

static void
slot_add_key (Slot *slot, const char *name)
{
  GHashTable *counts = slot->engine->counts;
  SlotKey *key = g_hash_table_lookup (counts, name);

  if (key == NULL)
    {
      gsize len = strlen (name);

      key = g_malloc0 (sizeof (SlotKey) + len + 1);
      memcpy (key->name, name, len + 1);
      g_hash_table_insert (counts, key->name, key);
    }
  for (guint i = 0; i < slot->n_keys; i++)
    if (slot_key (slot, i) == key)
      return;
  key->refs++;
  if (slot->n_keys < G_N_ELEMENTS (slot->keys))
    slot->keys[slot->n_keys] = key;
  else
    {
      if (slot->more == NULL)
        slot->more = g_ptr_array_new ();
      g_ptr_array_add (slot->more, key);
    }
  slot->n_keys++;
}

static void
slot_add_key_for (Slot *slot, char kind, VmmBackend *backend, const char *name)
{
  char buf[KEY_BUF_SIZE];
  g_autofree char *heap = NULL;

  slot_add_key (slot, engine_key (buf, &heap, kind, backend, name));
}

static gboolean
slot_fits (VmmEngine *self, Slot *slot)
{
  for (guint i = 0; i < slot->n_keys; i++)
    {
      SlotKey *key = slot_key (slot, i);
      guint limit = limit_for (self, key->name);

      if (limit > 0 && key->running >= limit)
        return FALSE;
    }
  return TRUE;
}

static void
slot_take (VmmEngine *self, Slot *slot, int delta)
{
  for (guint i = 0; i < slot->n_keys; i++)
    {
      SlotKey *key = slot_key (slot, i);

      key->running = (guint)((int)key->running + delta);
    }
  slot->holding = delta > 0;
  if (delta > 0)
    self->n_running++;
  else
    self->n_running--;
}

static gint
slot_compare (gconstpointer a, gconstpointer b)
{
  const Slot *sa = a, *sb = b;

  if (sa->priority != sb->priority)
    return sa->priority > sb->priority ? -1 : 1;
  return sa->seq < sb->seq ? -1 : (sa->seq > sb->seq ? 1 : 0);
}

static gboolean
slot_start_idle (gpointer user_data)
{
  VmmMigration *migration = user_data;
  VmmEngine *self = NULL;
  Slot *slot;

  self = vmm_migration_peek_engine (migration);
  if (self == NULL)
    return G_SOURCE_REMOVE;
  slot = vmm_migration_get_slot (migration);
  if (slot != NULL && slot->holding)
    slot->ready (migration);
  return G_SOURCE_REMOVE;
}

static void
schedule_waiting (VmmEngine *self)
{
  GList *l = self->waiting;

  while (l != NULL)
    {
      Slot *slot = l->data;
      GList *next = l->next;

      if (slot_fits (self, slot))
        {
          GSource *source = g_idle_source_new ();

          self->waiting = g_list_delete_link (self->waiting, l);
          slot_take (self, slot, +1);
          g_source_set_callback (source, slot_start_idle, g_object_ref (slot->migration),
                                 g_object_unref);
          g_source_attach (source, slot->context);
          g_source_unref (source);
        }
      l = next;
    }
}

gboolean
vmm_engine_acquire_slots (VmmEngine *self, VmmMigration *migration, VmmMigrationContext *context,
                          VmmEngineSlotFunc ready)
{
  VmmBackend *backend = vmm_migration_get_backend (migration);
  Slot *slot;

  /* one slot per migration: a fallback's new attempt gives up the old one */
  vmm_engine_release_slots (self, migration);
  slot = g_new0 (Slot, 1);
  GMainContext *main_context = g_main_context_get_thread_default ();
  GPtrArray *targets = vmm_migration_context_get_target_disks (context);

  slot->engine = self;
  slot->migration = migration;
  slot->ready = ready;
  slot->context
      = g_main_context_ref (main_context != NULL ? main_context : g_main_context_default ());
  slot->priority = vmm_relocate_spec_get_priority (vmm_migration_get_spec (migration));
  slot->seq = self->seq++;
  slot_add_key (slot, "G");
  if (vmm_migration_context_changes_host (context))
    {
      slot_add_key_for (slot, 'S', backend, vmm_migration_context_get_source_host (context));
      slot_add_key_for (slot, 'D', backend, vmm_migration_context_get_destination_host (context));
    }
  if (vmm_migration_context_changes_primary_datastore (context))
    slot_add_key_for (slot, 'T', backend,
                      vmm_migration_context_get_destination_datastore (context));
  for (guint i = 0; i < targets->len; i++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (targets, i);

      if (vmm_migration_context_disk_moves (context, vmm_disk_info_get_key (disk)))
        slot_add_key_for (slot, 'T', backend, vmm_disk_info_get_datastore (disk));
    }
  vmm_migration_set_slot (migration, slot);
  if (self->waiting == NULL && slot_fits (self, slot))
    {
      slot_take (self, slot, +1);
      return TRUE;
    }
  self->waiting = g_list_insert_sorted (self->waiting, slot, slot_compare);
  /* A newcomer may fit even though older ones wait for other slots. */
  schedule_waiting (self);
  return FALSE;
}

void
vmm_engine_release_slots (VmmEngine *self, VmmMigration *migration)
{
  Slot *slot = vmm_migration_get_slot (migration);

  if (slot == NULL)
    return;
  if (slot->holding)
    slot_take (self, slot, -1);
  self->waiting = g_list_remove (self->waiting, slot);
  vmm_migration_set_slot (migration, NULL);
  slot_free (slot);
  schedule_waiting (self);
}

/**
 * vmm_engine_get_progress_timeout_s:
 * @self: a #VmmEngine
 *
 * How long a running migration may report no progress before it times out
 * (#VmmEngine:progress-timeout-s).
 *
 * Returns: the timeout in seconds, 0 for none
 *
 * Since: 1.0
 */
guint
vmm_engine_get_progress_timeout_s (VmmEngine *self)
{
  g_return_val_if_fail (VMM_IS_ENGINE (self), 0);
  return self->progress_timeout_s;
}

/**
 * vmm_engine_set_progress_timeout_s:
 * @self: a #VmmEngine
 * @seconds: the progress timeout, 0 for none
 *
 * Sets #VmmEngine:progress-timeout-s.
 *
 * Since: 1.0
 */
void
vmm_engine_set_progress_timeout_s (VmmEngine *self, guint seconds)
{
  g_return_if_fail (VMM_IS_ENGINE (self));
  if (self->progress_timeout_s == seconds)
    return;
  self->progress_timeout_s = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PROGRESS_TIMEOUT_S]);
}

/**
 * vmm_engine_get_journal:
 * @self: a #VmmEngine
 *
 * Where the engine's migrations record their progress before they act
 * (#VmmEngine:journal).
 *
 * Returns: (transfer none) (nullable): the journal, or %NULL for none
 *
 * Since: 1.0
 */
VmmJournal *
vmm_engine_get_journal (VmmEngine *self)
{
  g_return_val_if_fail (VMM_IS_ENGINE (self), NULL);
  return self->journal;
}

/**
 * vmm_engine_set_journal:
 * @self: a #VmmEngine
 * @journal: (nullable): the journal, or %NULL for none
 *
 * Sets #VmmEngine:journal.
 *
 * Since: 1.0
 */
void
vmm_engine_set_journal (VmmEngine *self, VmmJournal *journal)
{
  g_return_if_fail (VMM_IS_ENGINE (self));
  g_return_if_fail (journal == NULL || VMM_IS_JOURNAL (journal));
  if (g_set_object (&self->journal, journal))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_JOURNAL]);
}

/**
 * vmm_engine_get_id:
 * @self: a #VmmEngine
 *
 * The engine's identity in a shared journal (who holds a VM's lock).
 *
 * Returns: the identifier
 *
 * Since: 1.0
 */
const char *
vmm_engine_get_id (VmmEngine *self)
{
  g_return_val_if_fail (VMM_IS_ENGINE (self), NULL);
  return self->id;
}

/**
 * vmm_engine_get_n_running:
 * @self: a #VmmEngine
 *
 * How many migrations hold their slots now.
 *
 * Returns: the number
 *
 * Since: 1.0
 */
guint
vmm_engine_get_n_running (VmmEngine *self)
{
  g_return_val_if_fail (VMM_IS_ENGINE (self), 0);
  return self->n_running;
}

/**
 * vmm_engine_get_n_queued:
 * @self: a #VmmEngine
 *
 * How many migrations wait for a slot.
 *
 * Returns: the number
 *
 * Since: 1.0
 */
guint
vmm_engine_get_n_queued (VmmEngine *self)
{
  g_return_val_if_fail (VMM_IS_ENGINE (self), 0);
  return g_list_length (self->waiting);
}

#define DEFINE_LIMIT(name, field, prop)                                                            \
  guint vmm_engine_get_##name (VmmEngine *self)                                                    \
  {                                                                                                \
    g_return_val_if_fail (VMM_IS_ENGINE (self), 0);                                                \
    return self->field;                                                                            \
  }                                                                                                \
  void vmm_engine_set_##name (VmmEngine *self, guint limit)                                        \
  {                                                                                                \
    g_return_if_fail (VMM_IS_ENGINE (self));                                                       \
    if (self->field == limit)                                                                      \
      return;                                                                                      \
    self->field = limit;                                                                           \
    g_object_notify_by_pspec (G_OBJECT (self), props[prop]);                                       \
    schedule_waiting (self);                                                                       \
  }

/**
 * vmm_engine_get_max_per_source_host:
 * @self: a #VmmEngine
 *
 * How many migrations may run at once from one source host
 * (#VmmEngine:max-per-source-host).
 *
 * Returns: the limit, 0 for none
 *
 * Since: 1.0
 */
/**
 * vmm_engine_set_max_per_source_host:
 * @self: a #VmmEngine
 * @limit: the limit, 0 for none
 *
 * Sets #VmmEngine:max-per-source-host.
 *
 * Since: 1.0
 */
DEFINE_LIMIT (max_per_source_host, max_src, PROP_MAX_PER_SOURCE_HOST)
/**
 * vmm_engine_get_max_per_destination_host:
 * @self: a #VmmEngine
 *
 * How many migrations may run at once to one destination host
 * (#VmmEngine:max-per-destination-host).
 *
 * Returns: the limit, 0 for none
 *
 * Since: 1.0
 */
/**
 * vmm_engine_set_max_per_destination_host:
 * @self: a #VmmEngine
 * @limit: the limit, 0 for none
 *
 * Sets #VmmEngine:max-per-destination-host.
 *
 * Since: 1.0
 */
DEFINE_LIMIT (max_per_destination_host, max_dst, PROP_MAX_PER_DESTINATION_HOST)
/**
 * vmm_engine_get_max_per_datastore:
 * @self: a #VmmEngine
 *
 * How many storage moves may target one datastore at once
 * (#VmmEngine:max-per-datastore).
 *
 * Returns: the limit, 0 for none
 *
 * Since: 1.0
 */
/**
 * vmm_engine_set_max_per_datastore:
 * @self: a #VmmEngine
 * @limit: the limit, 0 for none
 *
 * Sets #VmmEngine:max-per-datastore.
 *
 * Since: 1.0
 */
DEFINE_LIMIT (max_per_datastore, max_ds, PROP_MAX_PER_DATASTORE)
/**
 * vmm_engine_get_max_global:
 * @self: a #VmmEngine
 *
 * How many migrations may run at once in all (#VmmEngine:max-global).
 *
 * Returns: the limit, 0 for none
 *
 * Since: 1.0
 */
/**
 * vmm_engine_set_max_global:
 * @self: a #VmmEngine
 * @limit: the limit, 0 for none
 *
 * Sets #VmmEngine:max-global.
 *
 * Since: 1.0
 */
DEFINE_LIMIT (max_global, max_global, PROP_MAX_GLOBAL)

/* --- where could a VM go? --- */

typedef struct
{
  char *vm;
  VmmRelocateSpec *spec;
} FindData;

static void
find_data_free (FindData *data)
{
  g_free (data->vm);
  g_clear_object (&data->spec);
  g_free (data);
}

VmmMigrationContext *
vmm_engine_new_context (VmmEngine *self, VmmBackend *backend, VmmInventory *inventory,
                        const char *vm_name, VmmRelocateSpec *spec, GError **error)
{
  VmmVmInfo *found = vmm_inventory_lookup_vm (inventory, vm_name);
  g_autoptr (VmmVmInfo) vm = NULL;
  VmmMigrationContext *ctx;

  if (found == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "no VM named '%s' on %s", vm_name,
                   vmm_backend_get_uri (backend) != NULL ? vmm_backend_get_uri (backend)
                                                         : "the backend");
      return NULL;
    }
  /* a read-only look (placement, candidates) needs no snapshot of the VM */
  vm = g_object_ref (found);
  ctx = vmm_migration_context_new (backend, vm_name, spec, TRUE);
  vmm_migration_context_set_engine (ctx, self);
  vmm_migration_context_set_inventory (ctx, inventory);
  vmm_migration_context_set_vm (ctx, vm);
  vmm_workflow_resolve (ctx, NULL);
  return ctx;
}

static void
find_inventory_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FindData *data = g_task_get_task_data (task);
  VmmEngine *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inventory
      = vmm_backend_query_inventory_finish (VMM_BACKEND (source), result, &error);
  g_autoptr (VmmMigrationContext) ctx = NULL;
  GPtrArray *out;

  if (inventory == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ctx = vmm_engine_new_context (self, VMM_BACKEND (source), inventory, data->vm, data->spec,
                                &error);
  if (ctx == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  out = g_ptr_array_new_with_free_func (g_object_unref);
  vmm_placement_rank (ctx, out);
  g_task_return_pointer (task, out, (GDestroyNotify)g_ptr_array_unref);
}

/**
 * vmm_engine_find_candidates_async:
 * @self: a #VmmEngine
 * @backend: the backend that manages the VM
 * @vm: the VM's name
 * @spec: (nullable): the move to consider (storage targets, options); %NULL
 *   for a plain host move
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the candidates
 * @user_data: data for @callback
 *
 * Asks where a VM could go, without migrating it: every other host of the
 * same manager, best first, suitable or not with the checks that decided,
 * and whether going there requires storage motion.
 *
 * Since: 1.0
 */
void
vmm_engine_find_candidates_async (VmmEngine *self, VmmBackend *backend, const char *vm,
                                  VmmRelocateSpec *spec, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  FindData *data;

  g_return_if_fail (VMM_IS_ENGINE (self));
  g_return_if_fail (VMM_IS_BACKEND (backend));
  g_return_if_fail (vm != NULL);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vmm_engine_find_candidates_async);
  data = g_new0 (FindData, 1);
  data->vm = g_strdup (vm);
  data->spec = spec != NULL ? vmm_relocate_spec_copy (spec) : vmm_relocate_spec_new ();
  g_task_set_task_data (task, data, (GDestroyNotify)find_data_free);
  vmm_backend_query_inventory_async (backend, cancellable, find_inventory_cb, task);
}

/**
 * vmm_engine_find_candidates_finish:
 * @self: a #VmmEngine
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_engine_find_candidates_async().
 *
 * Returns: (transfer container) (element-type VmmCandidate): the candidates
 *
 * Since: 1.0
 */
GPtrArray *
vmm_engine_find_candidates_finish (VmmEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * vmm_engine_find_candidates:
 * @self: a #VmmEngine
 * @backend: the backend that manages the VM
 * @vm: the VM's name
 * @spec: (nullable): the move to consider
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Like vmm_engine_find_candidates_async(), blocking the calling thread.
 *
 * Returns: (transfer container) (element-type VmmCandidate): the candidates
 *
 * Since: 1.0
 */
GPtrArray *
vmm_engine_find_candidates (VmmEngine *self, VmmBackend *backend, const char *vm,
                            VmmRelocateSpec *spec, GCancellable *cancellable, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  VmmSync data;

  /* the async call refuses these without calling back: refuse them here */
  g_return_val_if_fail (VMM_IS_ENGINE (self), NULL);
  g_return_val_if_fail (VMM_IS_BACKEND (backend), NULL);
  g_return_val_if_fail (vm != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  vmm_sync_begin (&data);
  vmm_engine_find_candidates_async (self, backend, vm, spec, cancellable, vmm_sync_cb, &data);
  result = vmm_sync_wait (&data);
  return vmm_engine_find_candidates_finish (self, result, error);
}
