/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

#include <json-glib/json-glib.h>

/**
 * VmmPlan:
 *
 * What a migration would do: the migration type, the resolved destination,
 * where every disk would go and the full action queue (including the tail
 * ComputeSpec appends), each action with who performs it. A plan is made by
 * vmm_migration_plan() without touching the platform.
 *
 * Since: 1.0
 */

struct _VmmPlan
{
  GObject parent_instance;

  VmmMigrationType type;
  char *vm_name;
  const char *source_host;    /* interned */
  const char *dest_host;      /* interned */
  const char *dest_pool;      /* interned */
  const char *dest_datastore; /* interned */
  GPtrArray *actions;
  GPtrArray *disks;
  GStrv warnings;
  GPtrArray *checks;
  GPtrArray *candidates;
  gint64 estimated_duration_ms;
  gint64 estimated_downtime_ms;
};

G_DEFINE_FINAL_TYPE (VmmPlan, vmm_plan, G_TYPE_OBJECT)

static void
vmm_plan_finalize (GObject *object)
{
  VmmPlan *self = VMM_PLAN (object);

  g_free (self->vm_name);
  g_clear_pointer (&self->actions, g_ptr_array_unref);
  g_clear_pointer (&self->disks, g_ptr_array_unref);
  g_strfreev (self->warnings);
  g_clear_pointer (&self->checks, g_ptr_array_unref);
  g_clear_pointer (&self->candidates, g_ptr_array_unref);
  G_OBJECT_CLASS (vmm_plan_parent_class)->finalize (object);
}

static void
vmm_plan_class_init (VmmPlanClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vmm_plan_finalize;
}

static void
vmm_plan_init (VmmPlan *self)
{
}

static GPtrArray *
copy_objects (GPtrArray *objects)
{
  GPtrArray *copy;

  if (objects->len == 0)
    return NULL;
  copy = g_ptr_array_copy (objects, (GCopyFunc)(void (*) (void))g_object_ref, NULL);
  g_ptr_array_set_free_func (copy, g_object_unref);
  return copy;
}

static GPtrArray *
objects_of (GPtrArray **objects)
{
  if (*objects == NULL)
    *objects = g_ptr_array_new_with_free_func (g_object_unref);
  return *objects;
}

/* From a dry run's context, which ends with the plan: its target disks are
 * shared (nothing changes them after a dry run; a run has its own). */
VmmPlan *
vmm_plan_new_from_context (VmmMigrationContext *context)
{
  VmmPlan *self = g_object_new (VMM_TYPE_PLAN, NULL);
  GPtrArray *targets = vmm_migration_context_get_target_disks (context);

  self->type = vmm_migration_context_get_migration_type (context);
  self->vm_name = g_strdup (vmm_migration_context_get_vm_name (context));
  self->source_host = vmm_intern (vmm_migration_context_get_source_host (context));
  self->dest_host = vmm_intern (vmm_migration_context_get_destination_host (context));
  self->dest_pool = vmm_intern (vmm_migration_context_get_destination_pool (context));
  self->dest_datastore = vmm_intern (vmm_migration_context_get_destination_datastore (context));
  self->actions = g_ptr_array_copy (vmm_migration_context_get_queue (context),
                                    (GCopyFunc)(void (*) (void))g_object_ref, NULL);
  g_ptr_array_set_free_func (self->actions, g_object_unref);
  self->disks = g_ptr_array_new_full (targets->len, g_object_unref);
  for (guint i = 0; i < targets->len; i++)
    g_ptr_array_add (self->disks, g_object_ref (g_ptr_array_index (targets, i)));
  /* empty lists are made when first asked for */
  if (vmm_migration_context_get_warnings (context)[0] != NULL)
    self->warnings = g_strdupv ((GStrv)vmm_migration_context_get_warnings (context));
  self->checks = copy_objects (vmm_migration_context_get_checks (context));
  self->candidates = copy_objects (vmm_migration_context_get_candidates (context));
  self->estimated_duration_ms = vmm_migration_context_get_estimated_duration_ms (context);
  self->estimated_downtime_ms = vmm_migration_context_get_estimated_downtime_ms (context);
  return self;
}

/**
 * vmm_plan_get_migration_type:
 * @self: a #VmmPlan
 *
 * The migration type ComputeSpec chose.
 *
 * Returns: the type
 *
 * Since: 1.0
 */
VmmMigrationType
vmm_plan_get_migration_type (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), VMM_MIGRATION_TYPE_UNKNOWN);
  return self->type;
}

/**
 * vmm_plan_get_actions:
 * @self: a #VmmPlan
 *
 * The full action queue, in order.
 *
 * Returns: (transfer none) (element-type VmmAction): the actions
 *
 * Since: 1.0
 */
GPtrArray *
vmm_plan_get_actions (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), NULL);
  return self->actions;
}

/**
 * vmm_plan_get_action_names:
 * @self: a #VmmPlan
 *
 * The names of the queued actions, in order.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 *
 * Since: 1.0
 */
char **
vmm_plan_get_action_names (VmmPlan *self)
{
  GStrvBuilder *builder;
  char **names;

  g_return_val_if_fail (VMM_IS_PLAN (self), NULL);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->actions->len; i++)
    g_strv_builder_add (builder, vmm_action_get_name (g_ptr_array_index (self->actions, i)));
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return names;
}

/**
 * vmm_plan_get_vm_name:
 * @self: a #VmmPlan
 *
 * The VM the plan moves.
 *
 * Returns: the name
 *
 * Since: 1.0
 */
const char *
vmm_plan_get_vm_name (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), NULL);
  return self->vm_name;
}

/**
 * vmm_plan_get_source_host:
 * @self: a #VmmPlan
 *
 * Where the VM is.
 *
 * Returns: (nullable): the source host
 *
 * Since: 1.0
 */
const char *
vmm_plan_get_source_host (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), NULL);
  return self->source_host;
}

/**
 * vmm_plan_get_destination_host:
 * @self: a #VmmPlan
 *
 * Where the VM would go (chosen by the engine when the spec names no host).
 *
 * Returns: (nullable): the destination host
 *
 * Since: 1.0
 */
const char *
vmm_plan_get_destination_host (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), NULL);
  return self->dest_host;
}

/**
 * vmm_plan_get_destination_pool:
 * @self: a #VmmPlan
 *
 * The resource pool the VM would end in.
 *
 * Returns: (nullable): the pool
 *
 * Since: 1.0
 */
const char *
vmm_plan_get_destination_pool (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), NULL);
  return self->dest_pool;
}

/**
 * vmm_plan_get_destination_datastore:
 * @self: a #VmmPlan
 *
 * The primary datastore the VM would end on.
 *
 * Returns: (nullable): the datastore
 *
 * Since: 1.0
 */
const char *
vmm_plan_get_destination_datastore (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), NULL);
  return self->dest_datastore;
}

/**
 * vmm_plan_get_target_disks:
 * @self: a #VmmPlan
 *
 * Where each disk would go.
 *
 * Returns: (transfer none) (element-type VmmDiskInfo): the disks
 *
 * Since: 1.0
 */
GPtrArray *
vmm_plan_get_target_disks (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), NULL);
  return self->disks;
}

/**
 * vmm_plan_get_warnings:
 * @self: a #VmmPlan
 *
 * What the move may lose.
 *
 * Returns: (transfer none) (array zero-terminated=1): the warnings
 *
 * Since: 1.0
 */
const char *const *
vmm_plan_get_warnings (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), NULL);
  static const char *const none[] = { NULL };

  return self->warnings != NULL ? (const char *const *)self->warnings : none;
}

/**
 * vmm_plan_get_checks:
 * @self: a #VmmPlan
 *
 * Every precheck result: the errors that block the move and the warnings
 * about what it may lose.
 *
 * Returns: (transfer none) (element-type VmmCheck): the checks
 *
 * Since: 1.0
 */
GPtrArray *
vmm_plan_get_checks (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), NULL);
  return objects_of (&self->checks);
}

/**
 * vmm_plan_get_candidates:
 * @self: a #VmmPlan
 *
 * When the engine chose the host: every host it considered, best first,
 * suitable or not with the reasons.
 *
 * Returns: (transfer none) (element-type VmmCandidate): the candidates
 *
 * Since: 1.0
 */
GPtrArray *
vmm_plan_get_candidates (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), NULL);
  return objects_of (&self->candidates);
}

/**
 * vmm_plan_is_feasible:
 * @self: a #VmmPlan
 *
 * Whether no check blocks the move.
 *
 * Returns: %TRUE if the migration can run
 *
 * Since: 1.0
 */
gboolean
vmm_plan_is_feasible (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), FALSE);
  for (guint i = 0; i < objects_of (&self->checks)->len; i++)
    if (vmm_check_get_severity (g_ptr_array_index (objects_of (&self->checks), i))
        == VMM_CHECK_SEVERITY_ERROR)
      return FALSE;
  return self->type != VMM_MIGRATION_TYPE_UNKNOWN;
}

/**
 * vmm_plan_get_estimated_duration_ms:
 * @self: a #VmmPlan
 *
 * How long the data transfer is predicted to take (pre-copy passes over
 * memory and the disks that move).
 *
 * Returns: milliseconds, or -1 when unknown
 *
 * Since: 1.0
 */
gint64
vmm_plan_get_estimated_duration_ms (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), -1);
  return self->estimated_duration_ms;
}

/**
 * vmm_plan_get_estimated_downtime_ms:
 * @self: a #VmmPlan
 *
 * The predicted guest downtime at switch-over (live moves).
 *
 * Returns: milliseconds, or -1 when unknown
 *
 * Since: 1.0
 */
gint64
vmm_plan_get_estimated_downtime_ms (VmmPlan *self)
{
  g_return_val_if_fail (VMM_IS_PLAN (self), -1);
  return self->estimated_downtime_ms;
}

static const char *
performer_label (VmmActionPerformer performer)
{
  switch (performer)
    {
    case VMM_ACTION_PERFORMER_BACKEND:
      return "backend";
    case VMM_ACTION_PERFORMER_PLATFORM:
      return "done by the platform";
    case VMM_ACTION_PERFORMER_NOBODY:
      return "not needed";
    case VMM_ACTION_PERFORMER_CALLER:
      return "caller";
    case VMM_ACTION_PERFORMER_ENGINE:
    default:
      return "engine";
    }
}

/**
 * vmm_plan_to_string:
 * @self: a #VmmPlan
 *
 * A human-readable plan: type, destination, disks and the numbered action
 * queue with who performs each action.
 *
 * Returns: (transfer full): the text
 *
 * Since: 1.0
 */
char *
vmm_plan_to_string (VmmPlan *self)
{
  GString *out;

  g_return_val_if_fail (VMM_IS_PLAN (self), NULL);
  out = g_string_new (NULL);
  g_string_append_printf (out, "Plan for %s: %s\n", self->vm_name,
                          vmm_migration_type_to_string (self->type));
  g_string_append_printf (out, "  host:      %s -> %s\n", self->source_host,
                          self->dest_host != NULL ? self->dest_host : "(engine chooses)");
  g_string_append_printf (out, "  pool:      %s\n",
                          self->dest_pool != NULL ? self->dest_pool : "-");
  g_string_append_printf (out, "  datastore: %s\n",
                          self->dest_datastore != NULL ? self->dest_datastore : "-");
  for (guint i = 0; i < self->disks->len; i++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (self->disks, i);

      g_string_append_printf (out, "  disk %-8s -> [%s] %s\n", vmm_disk_info_get_key (disk),
                              vmm_disk_info_get_datastore (disk), vmm_disk_info_get_path (disk));
    }
  if (self->estimated_duration_ms >= 0)
    g_string_append_printf (out, "  estimate:  %.1f s transfer%s",
                            self->estimated_duration_ms / 1000.0,
                            self->estimated_downtime_ms >= 0 ? "" : "\n");
  if (self->estimated_duration_ms >= 0 && self->estimated_downtime_ms >= 0)
    g_string_append_printf (out, ", %" G_GINT64_FORMAT " ms downtime\n",
                            self->estimated_downtime_ms);
  for (guint i = 0; i < objects_of (&self->checks)->len; i++)
    {
      g_autofree char *text
          = vmm_check_to_string (g_ptr_array_index (objects_of (&self->checks), i));
      g_string_append_printf (out, "  check: %s\n", text);
    }
  for (guint i = 0; i < objects_of (&self->candidates)->len; i++)
    {
      g_autofree char *text
          = vmm_candidate_to_string (g_ptr_array_index (objects_of (&self->candidates), i));
      g_string_append_printf (out, "  candidate %s\n", text);
    }
  g_string_append (out, "  actions:\n");
  for (guint i = 0; i < self->actions->len; i++)
    {
      VmmAction *action = g_ptr_array_index (self->actions, i);

      g_string_append_printf (out, "  %3u. %-26s (%s)\n", i + 1, vmm_action_get_name (action),
                              performer_label (vmm_action_get_performer (action)));
    }
  return g_string_free (out, FALSE);
}

/**
 * vmm_plan_to_json:
 * @self: a #VmmPlan
 *
 * The plan as a JSON object, for programs.
 *
 * Returns: (transfer full): the JSON text
 *
 * Since: 1.0
 */
char *
vmm_plan_to_json (VmmPlan *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  GEnumClass *perf = g_type_class_ref (VMM_TYPE_ACTION_PERFORMER);

  g_return_val_if_fail (VMM_IS_PLAN (self), NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "vm");
  json_builder_add_string_value (b, self->vm_name);
  json_builder_set_member_name (b, "migration-type");
  json_builder_add_string_value (b, vmm_migration_type_to_string (self->type));
  json_builder_set_member_name (b, "source-host");
  json_builder_add_string_value (b, self->source_host);
  json_builder_set_member_name (b, "host");
  json_builder_add_string_value (b, self->dest_host);
  json_builder_set_member_name (b, "resource-pool");
  json_builder_add_string_value (b, self->dest_pool);
  json_builder_set_member_name (b, "datastore");
  json_builder_add_string_value (b, self->dest_datastore);
  json_builder_set_member_name (b, "disks");
  vmm_json_add_disks (b, self->disks);
  json_builder_set_member_name (b, "actions");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->actions->len; i++)
    {
      VmmAction *action = g_ptr_array_index (self->actions, i);
      GEnumValue *v = g_enum_get_value (perf, vmm_action_get_performer (action));

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, vmm_action_get_name (action));
      json_builder_set_member_name (b, "performer");
      json_builder_add_string_value (b, v != NULL ? v->value_nick : "engine");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; self->warnings != NULL && self->warnings[i] != NULL; i++)
    json_builder_add_string_value (b, self->warnings[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "checks");
  json_builder_begin_array (b);
  for (guint i = 0; i < objects_of (&self->checks)->len; i++)
    {
      VmmCheck *check = g_ptr_array_index (objects_of (&self->checks), i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, vmm_check_get_code (check));
      json_builder_set_member_name (b, "severity");
      json_builder_add_string_value (
          b, vmm_check_get_severity (check) == VMM_CHECK_SEVERITY_ERROR ? "error" : "warning");
      json_builder_set_member_name (b, "subject");
      json_builder_add_string_value (b, vmm_check_get_subject (check));
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, vmm_check_get_message (check));
      json_builder_set_member_name (b, "remedy");
      json_builder_add_string_value (b, vmm_check_get_remedy (check));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "candidates");
  json_builder_begin_array (b);
  for (guint i = 0; i < objects_of (&self->candidates)->len; i++)
    {
      VmmCandidate *c = g_ptr_array_index (objects_of (&self->candidates), i);
      GPtrArray *checks = vmm_candidate_get_checks (c);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "host");
      json_builder_add_string_value (b, vmm_candidate_get_host (c));
      json_builder_set_member_name (b, "suitable");
      json_builder_add_boolean_value (b, vmm_candidate_get_suitable (c));
      json_builder_set_member_name (b, "requires-storage-motion");
      json_builder_add_boolean_value (b, vmm_candidate_get_requires_storage_motion (c));
      json_builder_set_member_name (b, "score");
      json_builder_add_double_value (b, vmm_candidate_get_score (c));
      json_builder_set_member_name (b, "reasons");
      json_builder_begin_array (b);
      for (guint j = 0; j < checks->len; j++)
        json_builder_add_string_value (b, vmm_check_get_message (g_ptr_array_index (checks, j)));
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "estimated-duration-ms");
  json_builder_add_int_value (b, self->estimated_duration_ms);
  json_builder_set_member_name (b, "estimated-downtime-ms");
  json_builder_add_int_value (b, self->estimated_downtime_ms);
  json_builder_end_object (b);
  g_type_class_unref (perf);
  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}
