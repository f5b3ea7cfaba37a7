/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-migration.h"

#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* JSON progress events: at most one per interval, and always the last. */
#define JSON_PROGRESS_INTERVAL_US (200 * 1000)
/* The transfer rate is measured over windows of this length. */
#define RATE_WINDOW_US (250 * 1000)
#define BAR_WIDTH 20

struct _CliMigration
{
  VmmMigration parent_instance;

  CliOutput output;
  gboolean backend_started;
  gboolean ready_seen;
  guint n_started;
  gboolean bar_shown;

  double fraction; /* what was drawn: never goes back */
  guint64 bytes_done;
  guint64 bytes_total;
  gint64 eta_ms;
  double rate; /* bytes per second, smoothed */
  gint64 sample_time;
  guint64 sample_bytes;
  gint64 last_json_progress;
  double last_json_fraction;
  guint64 last_json_bytes;
};

G_DEFINE_FINAL_TYPE (CliMigration, cli_migration, VMM_TYPE_MIGRATION)

static JsonBuilder *
event_begin (const char *event)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, event);
  return b;
}

static void
event_end (JsonBuilder *b)
{
  json_builder_end_object (b);
  cli_json_print_builder (b, FALSE);
  g_object_unref (b);
}

static guint
terminal_width (void)
{
  struct winsize ws;

  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
    return ws.ws_col;
  return 80;
}

/* Clears the progress bar so that a line can be printed above it. */
static void
clear_bar (CliMigration *self)
{
  if (self->bar_shown)
    {
      g_print ("\r\033[K");
      self->bar_shown = FALSE;
    }
}

static void
draw_bar (CliMigration *self)
{
  VmmAction *current = vmm_migration_get_current_action (VMM_MIGRATION (self));
  g_autoptr (GString) line = g_string_new (NULL);
  guint filled = (guint)(self->fraction * BAR_WIDTH + 0.5);
  guint width = terminal_width ();

  g_string_append_c (line, '[');
  for (guint i = 0; i < BAR_WIDTH; i++)
    g_string_append_c (line, i < filled ? '#' : '.');
  g_string_append_printf (line, "] %3d%%", (int)(self->fraction * 100.0));
  if (current != NULL)
    g_string_append_printf (line, "  %s", vmm_action_get_name (current));
  if (self->bytes_total > 0)
    {
      g_autofree char *done = cli_format_bytes (self->bytes_done);
      g_autofree char *total = cli_format_bytes (self->bytes_total);

      g_string_append_printf (line, "  %s / %s", done, total);
      if (self->rate > 0)
        {
          g_autofree char *rate = cli_format_bytes ((guint64)self->rate);

          g_string_append_printf (line, "  %s/s", rate);
        }
      if (self->bytes_done < self->bytes_total)
        {
          g_autofree char *eta = cli_format_duration_ms (self->eta_ms);

          g_string_append_printf (line, "  ETA %s", eta);
        }
    }
  /* cut at a character boundary: sizes hold a non-breaking space */
  if (g_utf8_strlen (line->str, -1) >= (glong)width)
    g_string_truncate (line, g_utf8_offset_to_pointer (line->str, width - 1) - line->str);
  g_print ("\r\033[K%s", line->str);
  fflush (stdout);
  self->bar_shown = TRUE;
}

static void
cli_migration_action_started (VmmMigration *migration, VmmAction *action)
{
  CliMigration *self = CLI_MIGRATION (migration);
  VmmActionPerformer performer = vmm_action_get_performer (action);

  self->n_started++;
  /* ReserveDirectory and the like run among the checks; what runs after
   * the ready signal changes the platform */
  if (performer == VMM_ACTION_PERFORMER_BACKEND && self->ready_seen)
    self->backend_started = TRUE;
  if (self->output == CLI_OUTPUT_JSON)
    {
      JsonBuilder *b = event_begin ("action-started");

      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, vmm_action_get_name (action));
      json_builder_set_member_name (b, "index");
      json_builder_add_int_value (b, self->n_started);
      json_builder_set_member_name (b, "performer");
      json_builder_add_string_value (b, cli_enum_nick (VMM_TYPE_ACTION_PERFORMER, performer));
      event_end (b);
    }
  else if (self->output == CLI_OUTPUT_TTY)
    draw_bar (self);
}

static const char *
performer_note (VmmAction *action)
{
  switch (vmm_action_get_performer (action))
    {
    case VMM_ACTION_PERFORMER_BACKEND:
      return "";
    case VMM_ACTION_PERFORMER_PLATFORM:
      return " (done by the platform)";
    case VMM_ACTION_PERFORMER_NOBODY:
      return " (not needed)";
    case VMM_ACTION_PERFORMER_CALLER:
      return " (callbacks)";
    case VMM_ACTION_PERFORMER_ENGINE:
    default:
      return " (engine)";
    }
}

static void
cli_migration_action_finished (VmmMigration *migration, VmmAction *action, const GError *error)
{
  CliMigration *self = CLI_MIGRATION (migration);

  if (self->output == CLI_OUTPUT_JSON)
    {
      JsonBuilder *b = event_begin ("action-finished");

      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, vmm_action_get_name (action));
      json_builder_set_member_name (b, "error");
      if (error != NULL)
        json_builder_add_string_value (b, error->message);
      else
        json_builder_add_null_value (b);
      event_end (b);
      return;
    }
  clear_bar (self);
  if (error != NULL)
    g_print ("  failed  %s: %s\n", vmm_action_get_name (action), error->message);
  else
    g_print ("  done    %s%s\n", vmm_action_get_name (action), performer_note (action));
  if (self->output == CLI_OUTPUT_TTY)
    draw_bar (self);
}

static void
update_rate (CliMigration *self, guint64 bytes_done)
{
  gint64 now = g_get_monotonic_time ();

  if (self->sample_time == 0 || bytes_done < self->sample_bytes)
    {
      self->sample_time = now;
      self->sample_bytes = bytes_done;
      return;
    }
  if (now - self->sample_time >= RATE_WINDOW_US)
    {
      double rate = (double)(bytes_done - self->sample_bytes) * G_USEC_PER_SEC
                    / (double)(now - self->sample_time);

      self->rate = self->rate > 0 ? 0.7 * self->rate + 0.3 * rate : rate;
      self->sample_time = now;
      self->sample_bytes = bytes_done;
    }
}

static void
cli_migration_progress (VmmMigration *migration, double fraction, guint64 bytes_done,
                        guint64 bytes_total, gint64 eta_ms)
{
  CliMigration *self = CLI_MIGRATION (migration);
  gint64 now = g_get_monotonic_time ();

  /* the engine's progress never goes back; the display makes sure */
  self->fraction = MAX (self->fraction, CLAMP (fraction, 0.0, 1.0));
  update_rate (self, bytes_done);
  self->bytes_done = bytes_done;
  self->bytes_total = bytes_total;
  self->eta_ms = eta_ms;
  if (eta_ms < 0 && self->rate > 0 && bytes_total > bytes_done)
    self->eta_ms = (gint64)((double)(bytes_total - bytes_done) * 1000.0 / self->rate);

  if (self->output == CLI_OUTPUT_JSON)
    {
      JsonBuilder *b;

      if (self->fraction == self->last_json_fraction && bytes_done == self->last_json_bytes)
        return;
      if (self->fraction < 1.0 && now - self->last_json_progress < JSON_PROGRESS_INTERVAL_US)
        return;
      self->last_json_progress = now;
      self->last_json_fraction = self->fraction;
      self->last_json_bytes = bytes_done;
      b = event_begin ("progress");
      json_builder_set_member_name (b, "fraction");
      json_builder_add_double_value (b, self->fraction);
      json_builder_set_member_name (b, "bytes-done");
      json_builder_add_int_value (b, (gint64)bytes_done);
      json_builder_set_member_name (b, "bytes-total");
      json_builder_add_int_value (b, (gint64)bytes_total);
      json_builder_set_member_name (b, "rate-bps");
      json_builder_add_int_value (b, (gint64)self->rate);
      json_builder_set_member_name (b, "eta-ms");
      json_builder_add_int_value (b, self->eta_ms);
      json_builder_set_member_name (b, "action");
      if (vmm_migration_get_current_action (migration) != NULL)
        json_builder_add_string_value (
            b, vmm_action_get_name (vmm_migration_get_current_action (migration)));
      else
        json_builder_add_null_value (b);
      event_end (b);
    }
  else if (self->output == CLI_OUTPUT_TTY)
    draw_bar (self);
}

static void
cli_migration_warning (VmmMigration *migration, const char *message)
{
  CliMigration *self = CLI_MIGRATION (migration);

  cli_migration_note (self, "warning", message);
}

static void
cli_migration_state_changed (VmmMigration *migration, VmmMigrationState old_state,
                             VmmMigrationState new_state)
{
  CliMigration *self = CLI_MIGRATION (migration);

  if (self->output == CLI_OUTPUT_JSON)
    {
      JsonBuilder *b = event_begin ("state-changed");

      json_builder_set_member_name (b, "old-state");
      json_builder_add_string_value (b, cli_enum_nick (VMM_TYPE_MIGRATION_STATE, old_state));
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, cli_enum_nick (VMM_TYPE_MIGRATION_STATE, new_state));
      event_end (b);
      return;
    }
  if (new_state == VMM_MIGRATION_STATE_QUEUED)
    cli_migration_note (self, NULL, "queued: waiting for a free migration slot");
  else if (new_state == VMM_MIGRATION_STATE_ROLLING_BACK)
    cli_migration_note (self, NULL, "rolling back: undoing the completed actions");
}

static void
add_disks (JsonBuilder *b, GPtrArray *disks)
{
  json_builder_set_member_name (b, "disks");
  json_builder_begin_array (b);
  for (guint i = 0; disks != NULL && i < disks->len; i++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (disks, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, vmm_disk_info_get_key (disk));
      json_builder_set_member_name (b, "datastore");
      json_builder_add_string_value (b, vmm_disk_info_get_datastore (disk));
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, vmm_disk_info_get_path (disk));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* InvokeCallbacks: every check passed, nothing has moved yet. */
static gboolean
cli_migration_ready (VmmMigration *migration, VmmMigrationContext *context)
{
  CliMigration *self = CLI_MIGRATION (migration);
  VmmMigrationType type = vmm_migration_context_get_migration_type (context);

  self->ready_seen = TRUE;
  if (self->output == CLI_OUTPUT_JSON)
    {
      JsonBuilder *b = event_begin ("ready");

      json_builder_set_member_name (b, "vm");
      json_builder_add_string_value (b, vmm_migration_context_get_vm_name (context));
      json_builder_set_member_name (b, "migration-type");
      json_builder_add_string_value (b, vmm_migration_type_to_string (type));
      json_builder_set_member_name (b, "source-host");
      json_builder_add_string_value (b, vmm_migration_context_get_source_host (context));
      json_builder_set_member_name (b, "host");
      json_builder_add_string_value (b, vmm_migration_context_get_destination_host (context));
      json_builder_set_member_name (b, "resource-pool");
      json_builder_add_string_value (b, vmm_migration_context_get_destination_pool (context));
      json_builder_set_member_name (b, "datastore");
      json_builder_add_string_value (b, vmm_migration_context_get_destination_datastore (context));
      add_disks (b, vmm_migration_context_get_target_disks (context));
      event_end (b);
    }
  else
    {
      clear_bar (self);
      g_print ("%s: %s, host %s -> %s, pool %s, datastore %s\n",
               vmm_migration_context_get_vm_name (context), vmm_migration_type_to_string (type),
               vmm_migration_context_get_source_host (context),
               vmm_migration_context_get_destination_host (context),
               vmm_migration_context_get_destination_pool (context),
               vmm_migration_context_get_destination_datastore (context));
      if (self->output == CLI_OUTPUT_TTY)
        draw_bar (self);
    }
  return VMM_MIGRATION_CLASS (cli_migration_parent_class)->ready (migration, context);
}

static void
cli_migration_class_init (CliMigrationClass *klass)
{
  VmmMigrationClass *migration_class = VMM_MIGRATION_CLASS (klass);

  migration_class->action_started = cli_migration_action_started;
  migration_class->action_finished = cli_migration_action_finished;
  migration_class->progress = cli_migration_progress;
  migration_class->warning = cli_migration_warning;
  migration_class->state_changed = cli_migration_state_changed;
  migration_class->ready = cli_migration_ready;
}

static void
cli_migration_init (CliMigration *self)
{
  self->eta_ms = -1;
}

void
cli_migration_set_output (CliMigration *self, CliOutput output)
{
  self->output = output;
}

/* Whether an action that changes the platform started after every check
 * passed (the ready signal): before that, nothing moved. */
gboolean
cli_migration_get_backend_started (CliMigration *self)
{
  return self->backend_started;
}

/* A line above the progress bar, or a JSON event @event with a "message"
 * (no JSON output when @event is NULL). */
void
cli_migration_note (CliMigration *self, const char *event, const char *message)
{
  if (self->output == CLI_OUTPUT_JSON)
    {
      JsonBuilder *b;

      if (event == NULL)
        return;
      b = event_begin (event);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, message);
      event_end (b);
      return;
    }
  clear_bar (self);
  g_print ("  %s%s%s\n", event != NULL ? event : "", event != NULL ? ": " : "", message);
  if (self->output == CLI_OUTPUT_TTY)
    draw_bar (self);
}

/* Removes the progress bar for good. */
void
cli_migration_end_display (CliMigration *self)
{
  clear_bar (self);
  if (self->output == CLI_OUTPUT_TTY)
    fflush (stdout);
}
