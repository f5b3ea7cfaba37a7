/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <json-glib/json-glib.h>

#include "vmm-private.h"
#include "vmm-test-utils.h"

/* Load (issue #9): 1,000 migrations of mixed kinds through one engine at
 * once, on a generated zero-latency sim inventory, with faults injected into
 * about 10 % of them (a step fails, a step hangs until the completion
 * timeout, an undo fails) and about 10 % cancelled at a random moment. Then,
 * for every VM: it ended in a named state; the result or the error names
 * exactly one place and the backend agrees; nothing is left behind (except
 * what a failed undo names); a move that did not pass its switch-over left
 * the VM's record byte-identical; the journal's outcome says the same; the
 * engine's limits were never exceeded and it ends idle.
 *
 * The PRNG seed is printed; VMM_LOAD_SEED=<n> replays a run and
 * VMM_LOAD_VMS=<n> changes the number of VMs. */

#define N_HOSTS 50
#define N_DATASTORES 20

typedef enum
{
  KIND_HOT_HOST,
  KIND_HOT_STORAGE,
  KIND_HOT_HOST_AND_STORAGE,
  KIND_COLD_HOST,
  KIND_COLD_HOST_AND_STORAGE,
  N_KINDS
} Kind;

static const char *const fault_names[] = { "none", "fail", "hang", "fail+undo-fails" };

static const char *const kind_names[N_KINDS]
    = { "hot host", "hot storage", "hot host+storage", "cold host", "cold host+storage" };

typedef enum
{
  FAULT_NONE,
  FAULT_FAIL,
  FAULT_HANG,
  FAULT_FAIL_UNDO,
} FaultPlan;

/* One backend action of a kind's plan. */
typedef struct
{
  VmmStep step;
  gboolean after_switchover; /* runs after the point of no return */
} PlanStep;

typedef struct _Load Load;

typedef struct
{
  Load *load;
  char *name;
  Kind kind;
  char *src_host;
  char *src_ds;
  char *dst_host; /* NULL: the host does not change */
  char *dst_ds;   /* NULL: the storage does not change */
  char *before;   /* the VM's record in the sim's JSON before the run */
  FaultPlan fault;
  VmmStep fault_step;
  gboolean fault_after_switchover;
  int fault_count;
  VmmStep undo_step;
  gboolean cancel;
  guint cancel_ms;
  GCancellable *cancellable;
  VmmMigration *migration;
  VmmMigrationResult *result;
  GError *error;
  gboolean done;
  gboolean holding;
  gboolean ran;
  GPtrArray *keys; /* the engine's slot keys this migration needs */
} Vm;

struct _Load
{
  guint32 seed;
  GRand *rand;
  VmmSimBackend *sim;
  VmmEngine *engine;
  VmmJournal *journal;
  GArray *plans[N_KINDS]; /* PlanStep */
  Vm *vms;
  guint n_vms;
  guint n_done;
  GHashTable *counts; /* slot key -> migrations between RUNNING and their end */
  guint max_global_seen;
  GHashTable *problems; /* format -> GPtrArray of messages */
};

/* A broken invariant: kept, counted by what broke, and reported at the
 * end, so that one run shows every kind of violation it met. */
static void
vm_problem (Vm *vm, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
vm_problem (Vm *vm, const char *fmt, ...)
{
  Load *load = vm->load;
  va_list args;
  g_autofree char *what = NULL;
  g_autofree char *cancel = vm->cancel ? g_strdup_printf ("at %u ms", vm->cancel_ms) : NULL;
  GPtrArray *examples;

  va_start (args, fmt);
  what = g_strdup_vprintf (fmt, args);
  va_end (args);
  examples = g_hash_table_lookup (load->problems, fmt);
  if (examples == NULL)
    {
      examples = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (load->problems, (gpointer)fmt, examples);
    }
  g_ptr_array_add (
      examples,
      g_strdup_printf (
          "VM %s (%s %s/%s -> %s/%s, fault %s%s%s%s, cancel %s): %s; error: %s", vm->name,
          kind_names[vm->kind], vm->src_host, vm->src_ds, vm->dst_host != NULL ? vm->dst_host : "-",
          vm->dst_ds != NULL ? vm->dst_ds : "-", fault_names[vm->fault],
          vm->fault != FAULT_NONE ? " at " : "",
          vm->fault != FAULT_NONE ? vmm_step_get_name (vm->fault_step) : "",
          vm->fault == FAULT_FAIL_UNDO ? ", its undo fails" : "", cancel != NULL ? cancel : "no",
          what, vm->error != NULL ? vm->error->message : "(none)"));
}

#define FAIL(vm, ...)                                                                              \
  do                                                                                               \
    {                                                                                              \
      vm_problem (vm, __VA_ARGS__);                                                                \
      return;                                                                                      \
    }                                                                                              \
  while (0)

static gboolean
kind_is_hot (Kind kind)
{
  return kind <= KIND_HOT_HOST_AND_STORAGE;
}

/* --- the inventory --- */

static char *
generate_inventory (Load *load)
{
  g_autoptr (GString) json = g_string_new ("{\"settings\": {\"step-latency-ms\": 0, "
                                           "\"transfer-mibps\": 0}, \"hosts\": [");

  for (guint h = 0; h < N_HOSTS; h++)
    g_string_append_printf (json,
                            "%s{\"name\": \"h%02u\", \"cluster\": \"c\", \"memory-mib\": 10000000, "
                            "\"vcpus\": 100000, \"networks\": [\"n\"]}",
                            h > 0 ? ", " : "", h);
  g_string_append (json, "], \"datastores\": [");
  for (guint d = 0; d < N_DATASTORES; d++)
    {
      g_string_append_printf (
          json,
          "%s{\"name\": \"ds%02u\", \"shared\": true, \"capacity-gib\": 1000000, \"hosts\": [",
          d > 0 ? ", " : "", d);
      for (guint h = 0; h < N_HOSTS; h++)
        g_string_append_printf (json, "%s\"h%02u\"", h > 0 ? ", " : "", h);
      g_string_append (json, "]}");
    }
  g_string_append (json, "], \"vms\": [");
  for (guint i = 0; i < load->n_vms; i++)
    {
      Vm *vm = &load->vms[i];
      guint n_disks = g_rand_int_range (load->rand, 1, 3);

      g_string_append_printf (json,
                              "%s{\"name\": \"%s\", \"host\": \"%s\", \"datastore\": \"%s\", "
                              "\"power\": \"%s\", \"memory-mib\": 256, \"vcpus\": 1, \"disks\": [",
                              i > 0 ? ", " : "", vm->name, vm->src_host, vm->src_ds,
                              kind_is_hot (vm->kind) ? "running" : "off");
      for (guint d = 0; d < n_disks; d++)
        g_string_append_printf (json, "%s{\"key\": \"disk-%u\", \"capacity-gib\": 1%s}",
                                d > 0 ? ", " : "", d,
                                g_rand_boolean (load->rand) ? ", \"snapshots\": 1" : "");
      g_string_append (json, "], \"devices\": [{\"key\": \"nic-0\", \"kind\": \"nic\", "
                             "\"network\": \"n\"}]}");
    }
  g_string_append (json, "]}");
  return g_string_free (g_steal_pointer (&json), FALSE);
}

/* The VM's record in the sim's saved JSON, as text. */
static GHashTable *
records_by_vm (VmmSimBackend *sim)
{
  g_autofree char *json = vmm_sim_backend_to_json (sim);
  g_autoptr (JsonNode) root = json_from_string (json, NULL);
  JsonArray *vms = json_object_get_array_member (json_node_get_object (root), "vms");
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < json_array_get_length (vms); i++)
    {
      JsonNode *node = json_array_get_element (vms, i);
      const char *name = json_object_get_string_member (json_node_get_object (node), "name");

      g_hash_table_insert (out, g_strdup (name), json_to_string (node, FALSE));
    }
  return out;
}

static char *
spec_json (Vm *vm)
{
  g_autoptr (GString) s = g_string_new ("{");

  if (vm->dst_host != NULL)
    g_string_append_printf (s, "\"host\": \"%s\"", vm->dst_host);
  if (vm->dst_ds != NULL)
    g_string_append_printf (s, "%s\"datastore\": \"%s\"", vm->dst_host != NULL ? ", " : "",
                            vm->dst_ds);
  /* a hung step is ended by the completion timeout */
  if (vm->fault == FAULT_HANG)
    g_string_append (s, ", \"completion-timeout-s\": 1");
  g_string_append (s, "}");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* --- the plan of each kind, to choose where faults go --- */

static GArray *
plan_steps (VmmSimBackend *sim, Vm *vm)
{
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autofree char *json = spec_json (vm);
  g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (json);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigration) m
      = vmm_engine_create_migration (engine, VMM_BACKEND (sim), vm->name, spec, &error);
  g_autoptr (VmmPlan) plan = NULL;
  GArray *steps = g_array_new (FALSE, FALSE, sizeof (PlanStep));
  GPtrArray *actions;
  gboolean switched = FALSE;

  g_assert_no_error (error);
  plan = vmm_migration_plan (m, NULL, &error);
  g_assert_no_error (error);
  actions = vmm_plan_get_actions (plan);
  for (guint i = 0; i < actions->len; i++)
    {
      VmmAction *action = g_ptr_array_index (actions, i);
      PlanStep ps = { 0 };

      /* the backend's steps: the ones a fault can be injected into */
      if (!vmm_action_step_get_step (action, &ps.step))
        continue;
      ps.after_switchover = switched;
      if (vmm_action_get_point_of_no_return (action))
        switched = TRUE;
      g_array_append_val (steps, ps);
    }
  g_assert_cmpuint (steps->len, >, 0);
  return steps;
}

/* Undoing these leaves something visible when the undo fails: a reserved
 * directory, dummy disk files, an incoming VM half. */
static gboolean
undo_leaves_something (VmmStep step)
{
  return step == VMM_STEP_RESERVE_DIRECTORY || step == VMM_STEP_CREATE_DUMMY_DISKS
         || step == VMM_STEP_INITIATE_DESTINATION;
}

/* Where a failed undo can go in @steps: an undo step that leaves something,
 * with a later step before the switch-over to fail. */
static gboolean
choose_undo_fault (Load *load, GArray *steps, Vm *vm)
{
  g_autoptr (GArray) undo = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i + 1 < steps->len; i++)
    {
      PlanStep *ps = &g_array_index (steps, PlanStep, i);

      if (undo_leaves_something (ps->step)
          && !g_array_index (steps, PlanStep, i + 1).after_switchover)
        g_array_append_val (undo, i);
    }
  if (undo->len == 0)
    return FALSE;
  {
    guint u = g_array_index (undo, guint, g_rand_int_range (load->rand, 0, undo->len));
    guint last = u + 1;
    guint f;

    while (last + 1 < steps->len && !g_array_index (steps, PlanStep, last + 1).after_switchover)
      last++;
    f = g_rand_int_range (load->rand, u + 1, last + 1);
    vm->undo_step = g_array_index (steps, PlanStep, u).step;
    vm->fault_step = g_array_index (steps, PlanStep, f).step;
  }
  return TRUE;
}

static void
choose_faults (Load *load)
{
  guint n_undo = 0;

  for (guint i = 0; i < load->n_vms; i++)
    {
      Vm *vm = &load->vms[i];
      GArray *steps = load->plans[vm->kind];
      double r = g_rand_double (load->rand);

      vm->fault = FAULT_NONE;
      vm->fault_step = VMM_STEP_LAST;
      vm->undo_step = VMM_STEP_LAST;
      if (r < 0.015 && n_undo < 15 && choose_undo_fault (load, steps, vm))
        {
          vm->fault = FAULT_FAIL_UNDO;
          n_undo++;
        }
      else if (r < 0.04)
        {
          /* a step before the switch-over hangs; the completion timeout ends it */
          guint pre = 0;
          PlanStep *ps;

          while (pre < steps->len && !g_array_index (steps, PlanStep, pre).after_switchover)
            pre++;
          ps = &g_array_index (steps, PlanStep, g_rand_int_range (load->rand, 0, pre));
          vm->fault = FAULT_HANG;
          vm->fault_step = ps->step;
        }
      else if (r < 0.10)
        {
          PlanStep *ps
              = &g_array_index (steps, PlanStep, g_rand_int_range (load->rand, 0, steps->len));

          vm->fault = FAULT_FAIL;
          vm->fault_step = ps->step;
          vm->fault_after_switchover = ps->after_switchover;
          /* past the switch-over a failure is retried: once passes, always does not */
          vm->fault_count = ps->after_switchover && g_rand_boolean (load->rand) ? 1 : -1;
        }
      switch (vm->fault)
        {
        case FAULT_NONE:
          break;
        case FAULT_FAIL:
          vmm_sim_backend_inject_fault (load->sim, vm->name, vm->fault_step, VMM_SIM_FAULT_FAIL,
                                        VMM_ERROR_BACKEND, vm->fault_count);
          break;
        case FAULT_HANG:
          vmm_sim_backend_inject_fault (load->sim, vm->name, vm->fault_step, VMM_SIM_FAULT_HANG,
                                        VMM_ERROR_BACKEND, -1);
          break;
        case FAULT_FAIL_UNDO:
          vmm_sim_backend_inject_fault (load->sim, vm->name, vm->fault_step, VMM_SIM_FAULT_FAIL,
                                        VMM_ERROR_BACKEND, -1);
          vmm_sim_backend_inject_fault (load->sim, vm->name, vm->undo_step, VMM_SIM_FAULT_FAIL_UNDO,
                                        VMM_ERROR_BACKEND, -1);
          break;
        }
    }
}

/* --- watching the engine's limits through the state signals --- */

static guint
limit_of (Load *load, const char *key)
{
  switch (key[0])
    {
    case 'S':
      return vmm_engine_get_max_per_source_host (load->engine);
    case 'D':
      return vmm_engine_get_max_per_destination_host (load->engine);
    case 'T':
      return vmm_engine_get_max_per_datastore (load->engine);
    default:
      return vmm_engine_get_max_global (load->engine);
    }
}

static void
take_keys (Vm *vm, int delta)
{
  Load *load = vm->load;

  for (guint i = 0; i < vm->keys->len; i++)
    {
      const char *key = g_ptr_array_index (vm->keys, i);
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (load->counts, key));
      guint limit = limit_of (load, key);

      count = (guint)((int)count + delta);
      if (delta > 0 && limit > 0 && count > limit)
        vm_problem (vm, "%u migrations hold '%s' at once, the limit is %u", count, key, limit);
      g_hash_table_insert (load->counts, g_strdup (key), GUINT_TO_POINTER (count));
      if (key[0] == 'G')
        load->max_global_seen = MAX (load->max_global_seen, count);
    }
  vm->holding = delta > 0;
}

static void
on_state (VmmMigration *m, VmmMigrationState old, VmmMigrationState state, Vm *vm)
{
  if (state == VMM_MIGRATION_STATE_RUNNING)
    {
      if (vm->holding || vm->ran)
        FAIL (vm, "entered RUNNING twice (from %d)", old);
      vm->ran = TRUE;
      take_keys (vm, +1);
    }
  else if (state == VMM_MIGRATION_STATE_SUCCEEDED || state == VMM_MIGRATION_STATE_FAILED
           || state == VMM_MIGRATION_STATE_CANCELLED)
    {
      if (vm->holding)
        take_keys (vm, -1);
    }
  else if (state == VMM_MIGRATION_STATE_ROLLING_BACK && old != VMM_MIGRATION_STATE_RUNNING)
    FAIL (vm, "rolling back from state %d", old);
}

/* --- running --- */

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Vm *vm = user_data;

  if (vm->done)
    FAIL (vm, "finished twice");
  vm->result = vmm_migration_run_finish (VMM_MIGRATION (source), result, &vm->error);
  if ((vm->result == NULL) == (vm->error == NULL))
    FAIL (vm, "a result and an error, or neither");
  vm->done = TRUE;
  vm->load->n_done++;
}

static gboolean
cancel_cb (gpointer user_data)
{
  Vm *vm = user_data;

  g_cancellable_cancel (vm->cancellable);
  return G_SOURCE_REMOVE;
}

static void
compute_keys (Vm *vm)
{
  vm->keys = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (vm->keys, g_strdup ("G"));
  if (vm->dst_host != NULL)
    {
      g_ptr_array_add (vm->keys, g_strdup_printf ("S%s", vm->src_host));
      g_ptr_array_add (vm->keys, g_strdup_printf ("D%s", vm->dst_host));
    }
  if (vm->dst_ds != NULL)
    g_ptr_array_add (vm->keys, g_strdup_printf ("T%s", vm->dst_ds));
}

static char *
other_host (Load *load, const char * not )
{
  for (;;)
    {
      char *h = g_strdup_printf ("h%02u", g_rand_int_range (load->rand, 0, N_HOSTS));

      if (g_strcmp0 (h, not ) != 0)
        return h;
      g_free (h);
    }
}

static char *
other_ds (Load *load, const char * not )
{
  for (;;)
    {
      char *d = g_strdup_printf ("ds%02u", g_rand_int_range (load->rand, 0, N_DATASTORES));

      if (g_strcmp0 (d, not ) != 0)
        return d;
      g_free (d);
    }
}

static void
load_setup (Load *load)
{
  const char *env_seed = g_getenv ("VMM_LOAD_SEED");
  const char *env_vms = g_getenv ("VMM_LOAD_VMS");
  g_autofree char *inventory = NULL;
  g_autoptr (GError) error = NULL;
  gboolean planned[N_KINDS] = { FALSE };

  load->seed = env_seed != NULL ? (guint32)g_ascii_strtoull (env_seed, NULL, 10) : g_random_int ();
  load->n_vms = env_vms != NULL ? (guint)g_ascii_strtoull (env_vms, NULL, 10) : 1000;
  g_assert_cmpuint (load->n_vms, >=, N_KINDS);
  g_test_message ("seed %u (replay: VMM_LOAD_SEED=%u), %u VMs", load->seed, load->seed,
                  load->n_vms);
  load->rand = g_rand_new_with_seed (load->seed);
  load->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  load->problems
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
  load->vms = g_new0 (Vm, load->n_vms);
  for (guint i = 0; i < load->n_vms; i++)
    {
      Vm *vm = &load->vms[i];

      vm->load = load;
      vm->name = g_strdup_printf ("vm%04u", i);
      /* every kind at least once, then at random */
      vm->kind = i < N_KINDS ? i : (Kind)g_rand_int_range (load->rand, 0, N_KINDS);
      vm->src_host = g_strdup_printf ("h%02u", g_rand_int_range (load->rand, 0, N_HOSTS));
      vm->src_ds = g_strdup_printf ("ds%02u", g_rand_int_range (load->rand, 0, N_DATASTORES));
      if (vm->kind != KIND_HOT_STORAGE)
        vm->dst_host = other_host (load, vm->src_host);
      if (vm->kind == KIND_HOT_STORAGE || vm->kind == KIND_HOT_HOST_AND_STORAGE
          || vm->kind == KIND_COLD_HOST_AND_STORAGE)
        vm->dst_ds = other_ds (load, vm->src_ds);
      compute_keys (vm);
    }
  inventory = generate_inventory (load);
  load->sim = VMM_SIM_BACKEND (vmm_sim_backend_new_from_json (inventory, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < load->n_vms; i++)
    if (!planned[load->vms[i].kind])
      {
        load->plans[load->vms[i].kind] = plan_steps (load->sim, &load->vms[i]);
        planned[load->vms[i].kind] = TRUE;
      }
  choose_faults (load);
  for (guint i = 0; i < load->n_vms; i++)
    {
      Vm *vm = &load->vms[i];

      if (g_rand_double (load->rand) < 0.10)
        {
          vm->cancel = TRUE;
          /* mostly while the run is busy, some at once (planning, queued) */
          vm->cancel_ms = g_rand_boolean (load->rand) ? g_rand_int_range (load->rand, 0, 20)
                                                      : g_rand_int_range (load->rand, 0, 1500);
        }
    }
  {
    g_autoptr (GHashTable) records = records_by_vm (load->sim);

    for (guint i = 0; i < load->n_vms; i++)
      load->vms[i].before = g_strdup (g_hash_table_lookup (records, load->vms[i].name));
  }
  load->engine = vmm_engine_new ();
  /* the default per-host and per-datastore limits, and a global one */
  vmm_engine_set_max_global (load->engine, 64);
  load->journal = vmm_journal_new_memory ();
  vmm_engine_set_journal (load->engine, load->journal);
}

static void
load_run (Load *load)
{
  for (guint i = 0; i < load->n_vms; i++)
    {
      Vm *vm = &load->vms[i];
      g_autofree char *json = spec_json (vm);
      g_autoptr (VmmRelocateSpec) spec = vmm_test_spec (json);
      g_autoptr (GError) error = NULL;

      vm->migration = vmm_engine_create_migration (load->engine, VMM_BACKEND (load->sim), vm->name,
                                                   spec, &error);
      if (vm->migration == NULL)
        g_error ("%s: not created: %s", vm->name, error->message);
      g_signal_connect (vm->migration, "state-changed", G_CALLBACK (on_state), vm);
      if (vm->cancel)
        {
          vm->cancellable = g_cancellable_new ();
          g_timeout_add (vm->cancel_ms, cancel_cb, vm);
        }
    }
  for (guint i = 0; i < load->n_vms; i++)
    vmm_migration_run_async (load->vms[i].migration, load->vms[i].cancellable, run_done,
                             &load->vms[i]);
  while (load->n_done < load->n_vms)
    g_main_context_iteration (NULL, TRUE);
  /* the cancellation timers that had nothing left to cancel */
  for (guint i = 0; i < load->n_vms; i++)
    if (load->vms[i].cancel)
      while (!g_cancellable_is_cancelled (load->vms[i].cancellable))
        g_main_context_iteration (NULL, TRUE);
}

/* --- checking --- */

/* The one place an error names: "the VM is on its source host 'X'" or
 * "the VM runs on its destination host 'X'". */
static char *
place_named_by (Vm *vm, const char *message, gboolean *moved)
{
  g_autoptr (GRegex) re = g_regex_new (
      "the VM (is on its source|runs on its destination) host '([^']+)'", 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  char *host = NULL;
  guint n = 0;

  g_regex_match (re, message, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *which = g_match_info_fetch (match, 1);

      g_free (host);
      host = g_match_info_fetch (match, 2);
      *moved = g_str_has_prefix (which, "runs");
      n++;
      g_match_info_next (match, NULL);
    }
  if (n != 1)
    {
      vm_problem (vm, "the error names %u places, not one", n);
      g_clear_pointer (&host, g_free);
    }
  return host;
}

static void
check_location (Vm *vm, const char *host, const char *datastore, gboolean stale_source)
{
  Load *load = vm->load;
  g_auto (GStrv) places = vmm_sim_backend_locate_vm (load->sim, vm->name);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmVmLocation) location
      = vmm_backend_locate_vm (VMM_BACKEND (load->sim), vm->name, NULL, &error);
  g_autoptr (VmmVmInfo) info = vmm_backend_get_vm (VMM_BACKEND (load->sim), vm->name, NULL, NULL);
  const char *const *hosts;

  guint active = 0;

  for (guint i = 0; places[i] != NULL; i++)
    {
      g_autofree char *stale = g_strdup_printf ("%s (stale)", vm->src_host);

      if (g_strcmp0 (places[i], host) == 0)
        active++;
      /* a step after the switch-over that kept failing can leave the
       * source's half: check_leftovers() requires the error to name it */
      else if (!stale_source || g_strcmp0 (places[i], stale) != 0)
        active += 100;
    }
  if (active != 1)
    {
      g_autofree char *p = g_strjoinv (" | ", places);
      FAIL (vm, "expected only on %s, the sim finds it on: %s", host, p);
    }
  if (location == NULL)
    FAIL (vm, "vmm_backend_locate_vm: %s", error->message);
  hosts = vmm_vm_location_get_hosts (location);
  /* a record left stale after the switch-over is acceptable only when the
   * error says so, naming the host the record still names */
  if (g_strcmp0 (vmm_vm_location_get_record_host (location), host) != 0 && vm->error != NULL)
    {
      g_autofree char *said = g_strdup_printf ("the manager's record still names host '%s'",
                                               vmm_vm_location_get_record_host (location));

      if (strstr (vm->error->message, said) != NULL && g_strv_length ((GStrv)hosts) == 1
          && g_strcmp0 (hosts[0], host) == 0)
        return;
    }
  if (!g_strv_contains (hosts, host)
      || g_strv_length ((GStrv)hosts) != (stale_source ? g_strv_length (places) : 1)
      || g_strcmp0 (vmm_vm_location_get_record_host (location), host) != 0
      || (!stale_source && !vmm_vm_location_is_consistent (location)))
    {
      g_autofree char *evidence = vmm_vm_location_get_evidence (location);
      FAIL (vm, "vmm_backend_locate_vm disagrees with %s: %s", host, evidence);
    }
  if (info == NULL || g_strcmp0 (vmm_vm_info_get_host (info), host) != 0)
    FAIL (vm, "the inventory's record is not on %s", host);
  if (datastore != NULL)
    {
      GPtrArray *disks = vmm_vm_info_get_disks (info);

      if (g_strcmp0 (vmm_vm_info_get_datastore (info), datastore) != 0)
        FAIL (vm, "its files are on %s, not %s", vmm_vm_info_get_datastore (info), datastore);
      for (guint i = 0; i < disks->len; i++)
        if (g_strcmp0 (vmm_disk_info_get_datastore (g_ptr_array_index (disks, i)), datastore) != 0)
          FAIL (vm, "a disk is on %s, not %s",
                vmm_disk_info_get_datastore (g_ptr_array_index (disks, i)), datastore);
    }
}

static void
check_journal (Vm *vm, const char *state, const char *host)
{
  Load *load = vm->load;
  const char *id = vmm_migration_get_journal_id (vm->migration);
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) outcome = NULL;
  JsonObject *obj;
  VmmJournalRecord *last;

  if (!vm->ran)
    {
      /* nothing touched the platform: nothing to journal */
      if (id != NULL)
        {
          records = vmm_journal_list_records (load->journal, id, &error);
          g_assert_no_error (error);
          if (records->len != 0)
            FAIL (vm, "never ran, yet has %u journal records", records->len);
        }
      return;
    }
  if (id == NULL)
    FAIL (vm, "ran without a journal id");
  records = vmm_journal_list_records (load->journal, id, &error);
  g_assert_no_error (error);
  if (records->len < 2)
    FAIL (vm, "%u journal records", records->len);
  last = g_ptr_array_index (records, records->len - 1);
  if (g_strcmp0 (vmm_journal_record_get_kind (last), "outcome") != 0)
    FAIL (vm, "the journal's last record is '%s'", vmm_journal_record_get_kind (last));
  outcome = json_from_string (vmm_journal_record_get_data (last), NULL);
  obj = json_node_get_object (outcome);
  if (g_strcmp0 (json_object_get_string_member (obj, "state"), state) != 0
      || g_strcmp0 (json_object_get_string_member_with_default (obj, "host", NULL), host) != 0)
    FAIL (vm, "the journal's outcome (%s on %s) is not %s on %s",
          json_object_get_string_member (obj, "state"),
          json_object_get_string_member_with_default (obj, "host", "(none)"), state, host);
}

typedef struct
{
  guint succeeded, failed, cancelled, rollback_failed, timed_out, moved_with_error;
} Tally;

static void
check_vm (Vm *vm, GHashTable *after, Tally *tally)
{
  VmmMigrationState state = vmm_migration_get_state (vm->migration);
  const char *expected_host = vm->dst_host != NULL ? vm->dst_host : vm->src_host;
  const char *expected_ds = vm->dst_ds != NULL ? vm->dst_ds : vm->src_ds;
  g_autofree char *named = NULL;
  gboolean moved = FALSE;

  if (!vm->done)
    FAIL (vm, "never finished");
  if (vm->holding)
    FAIL (vm, "still counted as running after its end");
  if (vm->result != NULL)
    {
      if (state != VMM_MIGRATION_STATE_SUCCEEDED)
        FAIL (vm, "a result, but state %d", state);
      named = g_strdup (vmm_migration_result_get_host (vm->result));
      if (g_strcmp0 (named, expected_host) != 0)
        FAIL (vm, "succeeded onto %s, the spec asked for %s", named, expected_host);
      if (!vmm_migration_result_get_moved (vm->result))
        FAIL (vm, "succeeded without moving");
      /* what must fail could not have succeeded */
      if ((vm->fault == FAULT_FAIL && (!vm->fault_after_switchover || vm->fault_count < 0))
          || vm->fault == FAULT_HANG || vm->fault == FAULT_FAIL_UNDO)
        FAIL (vm, "succeeded despite its fault");
      check_location (vm, expected_host, expected_ds, FALSE);
      check_journal (vm, "succeeded", expected_host);
      tally->succeeded++;
      return;
    }

  named = place_named_by (vm, vm->error->message, &moved);
  if (named == NULL)
    return;
  if (g_error_matches (vm->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (state != VMM_MIGRATION_STATE_CANCELLED)
        FAIL (vm, "cancelled, but state %d", state);
      if (!vm->cancel)
        FAIL (vm, "cancelled, yet nobody cancelled it");
      tally->cancelled++;
    }
  else
    {
      if (state != VMM_MIGRATION_STATE_FAILED)
        FAIL (vm, "failed, but state %d", state);
      if (vm->fault == FAULT_NONE)
        FAIL (vm, "failed without a fault");
      tally->failed++;
    }
  /* left alone, each fault ends its migration its own way */
  if (!vm->cancel && vm->fault == FAULT_HANG
      && !g_error_matches (vm->error, VMM_ERROR, VMM_ERROR_TIMEOUT))
    FAIL (vm, "a hung step did not end in a timeout");
  if (!vm->cancel && vm->fault == FAULT_FAIL
      && (!g_error_matches (vm->error, VMM_ERROR, VMM_ERROR_BACKEND)
          || strstr (vm->error->message, vmm_step_get_name (vm->fault_step)) == NULL))
    FAIL (vm, "the failure of a step is not the error, or does not name the step");
  if (g_error_matches (vm->error, VMM_ERROR, VMM_ERROR_ROLLBACK_FAILED))
    tally->rollback_failed++;
  if (g_error_matches (vm->error, VMM_ERROR, VMM_ERROR_TIMEOUT))
    {
      if (vm->fault != FAULT_HANG)
        FAIL (vm, "timed out without a hung step");
      tally->timed_out++;
    }
  if (vm->result != NULL || vmm_migration_get_result (vm->migration) != NULL)
    {
      VmmMigrationResult *where = vmm_migration_get_result (vm->migration);

      if (g_strcmp0 (vmm_migration_result_get_host (where), named) != 0
          || vmm_migration_result_get_moved (where) != moved)
        FAIL (vm, "the error names %s, the migration's result %s", named,
              vmm_migration_result_get_host (where));
    }

  if (moved)
    {
      /* past the switch-over: the VM is where the spec asked */
      if (g_strcmp0 (named, expected_host) != 0)
        FAIL (vm, "moved to %s, the spec asked for %s", named, expected_host);
      if (!(vm->fault == FAULT_FAIL && vm->fault_after_switchover))
        FAIL (vm, "an error after the switch-over without a fault there");
      check_location (vm, named, expected_ds, TRUE);
      tally->moved_with_error++;
    }
  else
    {
      if (g_strcmp0 (named, vm->src_host) != 0)
        FAIL (vm, "the error names %s, the VM's source is %s", named, vm->src_host);
      if (g_error_matches (vm->error, VMM_ERROR, VMM_ERROR_ROLLBACK_FAILED))
        {
          /* only where an undo was made to fail; the leftovers are checked below */
          if (vm->fault != FAULT_FAIL_UNDO)
            FAIL (vm, "ROLLBACK_FAILED without a failed undo");
          if (strstr (vm->error->message, vmm_step_get_name (vm->undo_step)) == NULL)
            FAIL (vm, "ROLLBACK_FAILED does not name the undo of %s",
                  vmm_step_get_name (vm->undo_step));
        }
      else
        {
          if (vm->fault == FAULT_FAIL_UNDO && !vm->cancel)
            FAIL (vm, "its undo was made to fail, yet no ROLLBACK_FAILED");
          /* everything as it was, byte for byte */
          if (g_strcmp0 (vm->before, g_hash_table_lookup (after, vm->name)) != 0)
            FAIL (vm, "its record changed:\nbefore %s\nafter  %s", vm->before,
                  (char *)g_hash_table_lookup (after, vm->name));
          check_location (vm, vm->src_host, vm->src_ds, FALSE);
        }
    }
  check_journal (
      vm, g_error_matches (vm->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? "cancelled" : "failed",
      named);
}

/* Every leftover belongs to a VM whose undo was made to fail (its
 * ROLLBACK_FAILED error) or whose move failed after the switch-over, and
 * that error names it. */
static void
check_leftovers (Load *load)
{
  g_auto (GStrv) leftovers = vmm_sim_backend_list_leftovers (load->sim);
  g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < load->n_vms; i++)
    g_hash_table_insert (by_name, load->vms[i].name, &load->vms[i]);
  for (guint i = 0; leftovers[i] != NULL; i++)
    {
      g_autoptr (GRegex) re = g_regex_new ("vm[0-9]{4}", 0, 0, NULL);
      g_autoptr (GMatchInfo) match = NULL;
      g_autofree char *owner = NULL;
      Vm *vm;

      if (!g_regex_match (re, leftovers[i], 0, &match))
        g_error ("seed %u: a leftover of no VM: %s", load->seed, leftovers[i]);
      owner = g_match_info_fetch (match, 0);
      vm = g_hash_table_lookup (by_name, owner);
      g_assert_nonnull (vm);
      if (vm->result != NULL
          || (!g_error_matches (vm->error, VMM_ERROR, VMM_ERROR_ROLLBACK_FAILED)
              && !vmm_migration_result_get_moved (vmm_migration_get_result (vm->migration))))
        {
          vm_problem (vm, "left %s behind", leftovers[i]);
          continue;
        }
      /* the error must say what is left and where: the leftover's own words
       * (a file's "[datastore] path", or the host of a VM half) */
      {
        const char *what = strchr (leftovers[i], '[');
        g_autofree char *host = NULL;

        if (what == NULL)
          {
            const char *on = strstr (leftovers[i], "on host ");
            host = on != NULL ? g_strdup (on + strlen ("on host ")) : NULL;
            what = host;
          }
        if (what == NULL || strstr (vm->error->message, what) == NULL)
          vm_problem (vm, "the error does not name what the migration left behind: %s",
                      leftovers[i]);
      }
    }
}

static void
load_free (Load *load)
{
  for (guint i = 0; i < load->n_vms; i++)
    {
      Vm *vm = &load->vms[i];

      g_free (vm->name);
      g_free (vm->src_host);
      g_free (vm->src_ds);
      g_free (vm->dst_host);
      g_free (vm->dst_ds);
      g_free (vm->before);
      g_clear_object (&vm->cancellable);
      g_clear_object (&vm->migration);
      g_clear_object (&vm->result);
      g_clear_error (&vm->error);
      g_ptr_array_unref (vm->keys);
    }
  g_free (load->vms);
  for (guint k = 0; k < N_KINDS; k++)
    g_clear_pointer (&load->plans[k], g_array_unref);
  g_hash_table_unref (load->counts);
  g_hash_table_unref (load->problems);
  g_clear_object (&load->engine);
  g_clear_object (&load->journal);
  g_clear_object (&load->sim);
  g_rand_free (load->rand);
}

static void
test_load_mixed (void)
{
  Load load = { 0 };
  Tally tally = { 0 };
  g_autoptr (GHashTable) after = NULL;
  guint faulted = 0, cancelled = 0, undo = 0;
  g_auto (GStrv) unfinished = NULL;
  g_autoptr (GError) error = NULL;

  load_setup (&load);
  load_run (&load);

  after = records_by_vm (load.sim);
  for (guint i = 0; i < load.n_vms; i++)
    {
      check_vm (&load.vms[i], after, &tally);
      faulted += load.vms[i].fault != FAULT_NONE;
      undo += load.vms[i].fault == FAULT_FAIL_UNDO;
      cancelled += load.vms[i].cancel;
    }
  check_leftovers (&load);

  /* the engine is idle, nothing queued, no migration left in the journal */
  g_assert_cmpuint (vmm_engine_get_n_running (load.engine), ==, 0);
  g_assert_cmpuint (vmm_engine_get_n_queued (load.engine), ==, 0);
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, load.counts);
    while (g_hash_table_iter_next (&iter, &key, &value))
      if (GPOINTER_TO_UINT (value) != 0)
        g_error ("seed %u: %u migrations still hold %s", load.seed, GPOINTER_TO_UINT (value),
                 (char *)key);
  }
  unfinished = vmm_journal_list_unfinished (load.journal, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (unfinished), ==, 0);

  g_test_message ("%u VMs, %u with faults (%u failed undos), %u cancelled at random: %u "
                  "succeeded, %u failed (%u timed out, %u ROLLBACK_FAILED, %u past the "
                  "switch-over), %u cancelled; at most %u running at once (limit %u)",
                  load.n_vms, faulted, undo, cancelled, tally.succeeded, tally.failed,
                  tally.timed_out, tally.rollback_failed, tally.moved_with_error, tally.cancelled,
                  load.max_global_seen, vmm_engine_get_max_global (load.engine));
  if (g_hash_table_size (load.problems) > 0)
    {
      g_autoptr (GString) report = g_string_new (NULL);
      GHashTableIter iter;
      gpointer key, value;

      g_string_append_printf (
          report, "seed %u (replay: VMM_LOAD_SEED=%u): broken invariants:", load.seed, load.seed);
      g_hash_table_iter_init (&iter, load.problems);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          GPtrArray *examples = value;

          g_string_append_printf (report, "\n- %u VM(s): %s", examples->len, (char *)key);
          for (guint i = 0; i < MIN (examples->len, 3); i++)
            g_string_append_printf (report, "\n    %s", (char *)g_ptr_array_index (examples, i));
        }
      g_test_message ("%s", report->str);
      g_test_fail ();
    }
  /* the run mixed what it was meant to mix */
  g_assert_cmpuint (tally.succeeded + tally.failed + tally.cancelled, ==, load.n_vms);
  if (load.n_vms >= 1000)
    {
      g_assert_cmpuint (tally.succeeded, >, 0);
      g_assert_cmpuint (tally.failed, >, 0);
      g_assert_cmpuint (tally.cancelled, >, 0);
      g_assert_cmpuint (tally.timed_out, >, 0);
      g_assert_cmpuint (tally.rollback_failed, >, 0);
      g_assert_cmpuint (load.max_global_seen, >, 1);
    }
  load_free (&load);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/load/1000-mixed-faults-cancellations", test_load_mixed);
  return g_test_run ();
}
