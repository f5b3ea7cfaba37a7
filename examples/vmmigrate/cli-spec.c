/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-spec.h"

#include <string.h>

void
cli_spec_options_add_entries (CliSpecOptions *self, GOptionContext *context)
{
  const GOptionEntry entries[] = {
    { "spec", 0, 0, G_OPTION_ARG_FILENAME, &self->spec_file,
      "Read the whole relocate spec from FILE (JSON); not combined with the options below",
      "FILE" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &self->host, "Destination host", "HOST" },
    { "datastore", 0, 0, G_OPTION_ARG_STRING, &self->datastore,
      "Destination primary datastore (configuration and disks without a --disk)", "DATASTORE" },
    { "pool", 0, 0, G_OPTION_ARG_STRING, &self->pool, "Destination resource pool", "POOL" },
    { "folder", 0, 0, G_OPTION_ARG_STRING, &self->folder, "Destination folder", "FOLDER" },
    { "disk", 0, 0, G_OPTION_ARG_STRING_ARRAY, &self->disks,
      "Move one disk to its own datastore, optionally transformed (none, thin, thick, qcow2, "
      "raw); repeatable",
      "KEY=DATASTORE[:TRANSFORM]" },
    { "network", 0, 0, G_OPTION_ARG_STRING_ARRAY, &self->networks,
      "Reconnect the NICs on network OLD to network NEW; repeatable", "OLD=NEW" },
    { "hot", 0, 0, G_OPTION_ARG_NONE, &self->hot, "Only a live move (the VM must run)", NULL },
    { "cold", 0, 0, G_OPTION_ARG_NONE, &self->cold, "Only a cold move (the VM must be off)", NULL },
    { "max-downtime", 0, 0, G_OPTION_ARG_STRING, &self->max_downtime,
      "Longest acceptable switch-over pause of a live move", "MS" },
    { "bandwidth", 0, 0, G_OPTION_ARG_STRING, &self->bandwidth, "Bandwidth limit", "MIBPS" },
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &self->timeout, "Completion timeout", "SECONDS" },
    { "on-timeout", 0, 0, G_OPTION_ARG_STRING, &self->on_timeout,
      "What happens at the timeout: abort (default), force-complete, post-copy, suspend",
      "ACTION" },
    { "priority", 0, 0, G_OPTION_ARG_STRING, &self->priority, "Queue priority: low, default, high",
      "PRIORITY" },
    { "parallel-connections", 0, 0, G_OPTION_ARG_STRING, &self->parallel,
      "Parallel connections of the transfer", "N" },
    { "post-copy", 0, 0, G_OPTION_ARG_NONE, &self->post_copy,
      "Allow a live move to switch to post-copy", NULL },
    { "auto-converge", 0, 0, G_OPTION_ARG_NONE, &self->auto_converge,
      "Throttle the guest's CPUs so a live move converges", NULL },
    { "compression", 0, 0, G_OPTION_ARG_NONE, &self->compression, "Compress the transfer", NULL },
    { "allow-storage-class-change", 0, 0, G_OPTION_ARG_NONE, &self->allow_storage_class_change,
      "Allow disks to move between local and shared storage", NULL },
    { "allow-zone-change", 0, 0, G_OPTION_ARG_NONE, &self->allow_zone_change,
      "Allow a host in another availability zone", NULL },
    { "detach-unreachable-devices", 0, 0, G_OPTION_ARG_NONE, &self->detach_unreachable_devices,
      "Disconnect devices whose backing the destination cannot reach instead of refusing", NULL },
    { "fallback-other-host", 0, 0, G_OPTION_ARG_NONE, &self->fallback_other_host,
      "Retry a failed live move to another host", NULL },
    { "fallback-cold", 0, 0, G_OPTION_ARG_NONE, &self->fallback_cold,
      "Move the VM cold when it cannot move live (downtime)", NULL },
    { "keep-source-disks", 0, 0, G_OPTION_ARG_NONE, &self->keep_source_disks,
      "Leave the source's disk copies in place after a verified storage or cold move", NULL },
    { NULL },
  };

  /* the main group, so that `vmmigrate plan --help` lists them */
  g_option_context_add_main_entries (context, entries, NULL);
}

static gboolean
bad_value (GError **error, const char *option, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
bad_value (GError **error, const char *option, const char *format, ...)
{
  va_list args;
  g_autofree char *reason = NULL;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--%s: %s", option, reason);
  return FALSE;
}

static gboolean
parse_uint (const char *option, const char *text, guint max, guint *out, GError **error)
{
  guint64 value = 0;
  g_autoptr (GError) local_error = NULL;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, max, &value, &local_error))
    return bad_value (error, option, "'%s' is not a whole number from 1 to %u", text, max);
  *out = (guint)value;
  return TRUE;
}

/* An enum value by its nick, listing the accepted nicks when it is wrong. */
static gboolean
parse_nick (const char *option, GType type, const char *text, int *out, GError **error)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *value = g_enum_get_value_by_nick (klass, text);
  g_autoptr (GString) allowed = g_string_new (NULL);

  if (value != NULL)
    {
      *out = value->value;
      g_type_class_unref (klass);
      return TRUE;
    }
  for (guint i = 0; i < klass->n_values; i++)
    g_string_append_printf (allowed, "%s%s", i > 0 ? ", " : "", klass->values[i].value_nick);
  g_type_class_unref (klass);
  return bad_value (error, option, "'%s' is not one of %s", text, allowed->str);
}

/* Splits "NAME=VALUE" at the first '='; both sides non-empty. */
static gboolean
split_pair (const char *option, const char *text, const char *form, char **left, char **right,
            GError **error)
{
  const char *eq = strchr (text, '=');

  if (eq == NULL || eq == text || eq[1] == '\0')
    return bad_value (error, option, "'%s' is not of the form %s", text, form);
  *left = g_strndup (text, eq - text);
  *right = g_strdup (eq + 1);
  return TRUE;
}

static const char *
first_spec_option (CliSpecOptions *self)
{
  if (self->host != NULL)
    return "--host";
  if (self->datastore != NULL)
    return "--datastore";
  if (self->pool != NULL)
    return "--pool";
  if (self->folder != NULL)
    return "--folder";
  if (self->disks != NULL)
    return "--disk";
  if (self->networks != NULL)
    return "--network";
  if (self->hot)
    return "--hot";
  if (self->cold)
    return "--cold";
  if (self->max_downtime != NULL)
    return "--max-downtime";
  if (self->bandwidth != NULL)
    return "--bandwidth";
  if (self->timeout != NULL)
    return "--timeout";
  if (self->on_timeout != NULL)
    return "--on-timeout";
  if (self->priority != NULL)
    return "--priority";
  if (self->parallel != NULL)
    return "--parallel-connections";
  if (self->post_copy)
    return "--post-copy";
  if (self->auto_converge)
    return "--auto-converge";
  if (self->compression)
    return "--compression";
  if (self->allow_storage_class_change)
    return "--allow-storage-class-change";
  if (self->allow_zone_change)
    return "--allow-zone-change";
  if (self->detach_unreachable_devices)
    return "--detach-unreachable-devices";
  if (self->fallback_other_host)
    return "--fallback-other-host";
  if (self->fallback_cold)
    return "--fallback-cold";
  if (self->keep_source_disks)
    return "--keep-source-disks";
  return NULL;
}

static VmmRelocateSpec *
load_spec_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) local_error = NULL;
  VmmRelocateSpec *spec;

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "--spec: %s", local_error->message);
      return NULL;
    }
  spec = vmm_relocate_spec_new_from_json (contents, &local_error);
  if (spec == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code, "--spec %s: %s", path,
                   local_error->message);
      return NULL;
    }
  return spec;
}

static gboolean
add_disks (VmmRelocateSpec *spec, char **disks, GError **error)
{
  for (guint i = 0; disks != NULL && disks[i] != NULL; i++)
    {
      g_autofree char *key = NULL;
      g_autofree char *target = NULL;
      g_autoptr (VmmDiskLocator) locator = NULL;
      char *colon;
      int transform = VMM_DISK_TRANSFORM_NONE;

      if (!split_pair ("disk", disks[i], "KEY=DATASTORE[:TRANSFORM]", &key, &target, error))
        return FALSE;
      colon = strrchr (target, ':');
      if (colon != NULL)
        {
          *colon = '\0';
          if (!parse_nick ("disk", VMM_TYPE_DISK_TRANSFORM, colon + 1, &transform, error))
            return FALSE;
          if (*target == '\0')
            return bad_value (error, "disk", "'%s' names no datastore", disks[i]);
        }
      if (vmm_relocate_spec_lookup_disk (spec, key) != NULL)
        return bad_value (error, "disk", "disk '%s' is given twice", key);
      locator = vmm_disk_locator_new (key, target);
      vmm_disk_locator_set_transform (locator, transform);
      vmm_relocate_spec_add_disk (spec, locator);
    }
  return TRUE;
}

static gboolean
add_networks (VmmRelocateSpec *spec, char **networks, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; networks != NULL && networks[i] != NULL; i++)
    {
      g_autofree char *from = NULL;
      g_autofree char *to = NULL;

      if (!split_pair ("network", networks[i], "OLD=NEW", &from, &to, error))
        return FALSE;
      if (!g_hash_table_add (seen, g_strdup (from)))
        return bad_value (error, "network", "network '%s' is mapped twice", from);
      vmm_relocate_spec_add_network_map (spec, from, to);
    }
  return TRUE;
}

/* The spec the options describe; an empty spec lets the engine choose a
 * host. Errors are G_OPTION_ERROR (a bad option value or a conflict) or
 * VMM_ERROR_INVALID_SPEC (the spec file, or a spec the library refuses). */
VmmRelocateSpec *
cli_spec_options_build (CliSpecOptions *self, GError **error)
{
  g_autoptr (VmmRelocateSpec) spec = NULL;
  const char *other = first_spec_option (self);
  guint value = 0;
  int nick = 0;

  if (self->spec_file != NULL)
    {
      if (other != NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       "--spec cannot be combined with %s: put everything in the spec file", other);
          return NULL;
        }
      return load_spec_file (self->spec_file, error);
    }
  if (self->hot && self->cold)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "--hot and --cold cannot be combined");
      return NULL;
    }

  spec = vmm_relocate_spec_new ();
  vmm_relocate_spec_set_host (spec, self->host);
  vmm_relocate_spec_set_datastore (spec, self->datastore);
  vmm_relocate_spec_set_resource_pool (spec, self->pool);
  vmm_relocate_spec_set_folder (spec, self->folder);
  if (!add_disks (spec, self->disks, error) || !add_networks (spec, self->networks, error))
    return NULL;
  if (self->hot)
    vmm_relocate_spec_set_migration_type (spec, VMM_MIGRATION_PREFERENCE_HOT);
  if (self->cold)
    vmm_relocate_spec_set_migration_type (spec, VMM_MIGRATION_PREFERENCE_COLD);
  if (!parse_uint ("max-downtime", self->max_downtime, 600000, &value, error))
    return NULL;
  vmm_relocate_spec_set_max_downtime_ms (spec, value);
  value = 0;
  if (!parse_uint ("bandwidth", self->bandwidth, 1048576, &value, error))
    return NULL;
  vmm_relocate_spec_set_bandwidth_mibps (spec, value);
  value = 0;
  if (!parse_uint ("timeout", self->timeout, 604800, &value, error))
    return NULL;
  vmm_relocate_spec_set_completion_timeout_s (spec, value);
  value = 0;
  if (!parse_uint ("parallel-connections", self->parallel, 64, &value, error))
    return NULL;
  vmm_relocate_spec_set_parallel_connections (spec, value);
  if (self->on_timeout != NULL)
    {
      if (!parse_nick ("on-timeout", VMM_TYPE_ON_TIMEOUT_ACTION, self->on_timeout, &nick, error))
        return NULL;
      vmm_relocate_spec_set_on_timeout (spec, nick);
    }
  if (self->priority != NULL)
    {
      if (!parse_nick ("priority", VMM_TYPE_PRIORITY, self->priority, &nick, error))
        return NULL;
      vmm_relocate_spec_set_priority (spec, nick);
    }
  vmm_relocate_spec_set_post_copy (spec, self->post_copy);
  vmm_relocate_spec_set_auto_converge (spec, self->auto_converge);
  vmm_relocate_spec_set_compression (spec, self->compression);
  vmm_relocate_spec_set_allow_storage_class_change (spec, self->allow_storage_class_change);
  vmm_relocate_spec_set_allow_zone_change (spec, self->allow_zone_change);
  vmm_relocate_spec_set_detach_unreachable_devices (spec, self->detach_unreachable_devices);
  vmm_relocate_spec_set_fallback_other_host (spec, self->fallback_other_host);
  vmm_relocate_spec_set_fallback_cold (spec, self->fallback_cold);
  if (self->keep_source_disks)
    vmm_relocate_spec_set_keep_source_disks (spec, TRUE);
  if (!vmm_relocate_spec_validate (spec, error))
    return NULL;
  return g_steal_pointer (&spec);
}

void
cli_spec_options_clear (CliSpecOptions *self)
{
  g_free (self->spec_file);
  g_free (self->host);
  g_free (self->datastore);
  g_free (self->pool);
  g_free (self->folder);
  g_strfreev (self->disks);
  g_strfreev (self->networks);
  g_free (self->max_downtime);
  g_free (self->bandwidth);
  g_free (self->timeout);
  g_free (self->on_timeout);
  g_free (self->priority);
  g_free (self->parallel);
  memset (self, 0, sizeof (*self));
}
