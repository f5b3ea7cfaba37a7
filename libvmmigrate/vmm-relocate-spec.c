/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"
#include "vmmigrate.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

/**
 * VmmRelocateSpec:
 *
 * What to move where: the target host, resource pool, primary datastore and
 * folder of a VM, another manager to move it to (#VmmServiceLocator), one
 * #VmmDiskLocator per disk that goes somewhere other than the primary
 * datastore, a map of network names (source network to destination
 * network), and how to move it: hot or cold, priority and tuning (maximum
 * downtime, bandwidth, completion timeout and what to do when it expires,
 * post-copy, auto-converge, compression, parallel connections).
 *
 * Everything is optional: an unset name keeps the VM where it is in that
 * respect, and a tuning value of 0 (or %FALSE) leaves the choice to the
 * backend.
 *
 * A spec round-trips to JSON with vmm_relocate_spec_new_from_json() and
 * vmm_relocate_spec_to_json(). vmm_relocate_spec_validate() checks a spec
 * built through the API with the same rules as the JSON parser, and reports
 * the first problem as %VMM_ERROR_INVALID_SPEC with a message that starts
 * with the path of the bad field in the JSON format, for example
 * `disks[1].datastore: missing (each disk locator needs a target datastore)`.
 *
 * Since: 1.0
 */

struct _VmmRelocateSpec
{
  GObject parent_instance;
  char *host;
  char *resource_pool;
  char *datastore;
  char *folder;
  VmmServiceLocator *service_locator;
  GPtrArray *disks;     /* (element-type VmmDiskLocator) */
  GHashTable *networks; /* source network name → destination network name */
  VmmPriority priority;
  VmmMigrationPreference migration_type;
  guint max_downtime_ms;
  guint bandwidth_mibps;
  guint completion_timeout_s;
  VmmOnTimeoutAction on_timeout;
  gboolean auto_converge;
  gboolean post_copy;
  gboolean compression;
  gboolean allow_storage_class_change;
  gboolean allow_zone_change;
  gboolean detach_unreachable_devices;
  gboolean fallback_other_host;
  gboolean fallback_cold;
  gboolean keep_source_disks;
  guint parallel_connections;
};

G_DEFINE_FINAL_TYPE (VmmRelocateSpec, vmm_relocate_spec, G_TYPE_OBJECT)

static GPtrArray *
disk_list (VmmRelocateSpec *self);

enum
{
  PROP_0,
  PROP_HOST,
  PROP_RESOURCE_POOL,
  PROP_DATASTORE,
  PROP_FOLDER,
  PROP_SERVICE_LOCATOR,
  PROP_PRIORITY,
  PROP_MIGRATION_TYPE,
  PROP_MAX_DOWNTIME_MS,
  PROP_BANDWIDTH_MIBPS,
  PROP_COMPLETION_TIMEOUT_S,
  PROP_ON_TIMEOUT,
  PROP_AUTO_CONVERGE,
  PROP_POST_COPY,
  PROP_COMPRESSION,
  PROP_ALLOW_STORAGE_CLASS_CHANGE,
  PROP_ALLOW_ZONE_CHANGE,
  PROP_DETACH_UNREACHABLE_DEVICES,
  PROP_FALLBACK_OTHER_HOST,
  PROP_FALLBACK_COLD,
  PROP_KEEP_SOURCE_DISKS,
  PROP_PARALLEL_CONNECTIONS,
  N_PROPS
};

static GParamSpec *props[N_PROPS] = { NULL };

/* ------------------------------------------------------------------------ */
/* The JSON vocabulary                                                       */
/* ------------------------------------------------------------------------ */

/* Enum values in JSON, indexed by the enum value. */
static const char *const priority_names[] = {
  [VMM_PRIORITY_LOW] = "low",
  [VMM_PRIORITY_DEFAULT] = "default",
  [VMM_PRIORITY_HIGH] = "high",
  [VMM_PRIORITY_HIGH + 1] = NULL,
};

static const char *const migration_type_names[] = {
  [VMM_MIGRATION_PREFERENCE_AUTO] = "auto",
  [VMM_MIGRATION_PREFERENCE_HOT] = "hot",
  [VMM_MIGRATION_PREFERENCE_COLD] = "cold",
  [VMM_MIGRATION_PREFERENCE_COLD + 1] = NULL,
};

static const char *const on_timeout_names[] = {
  [VMM_ON_TIMEOUT_ABORT] = "abort",         [VMM_ON_TIMEOUT_FORCE_COMPLETE] = "force-complete",
  [VMM_ON_TIMEOUT_POST_COPY] = "post-copy", [VMM_ON_TIMEOUT_SUSPEND] = "suspend",
  [VMM_ON_TIMEOUT_SUSPEND + 1] = NULL,
};

static const char *const move_type_names[] = {
  [VMM_DISK_MOVE_TYPE_MOVE_ALL] = "move-all",
  [VMM_DISK_MOVE_TYPE_MOVE_CHILD_MOST] = "move-child-most",
  [VMM_DISK_MOVE_TYPE_CREATE_NEW_CHILD] = "create-new-child",
  [VMM_DISK_MOVE_TYPE_CREATE_NEW_CHILD + 1] = NULL,
};

static const char *const transform_names[] = {
  [VMM_DISK_TRANSFORM_NONE] = "none",   [VMM_DISK_TRANSFORM_THIN] = "thin",
  [VMM_DISK_TRANSFORM_THICK] = "thick", [VMM_DISK_TRANSFORM_QCOW2] = "qcow2",
  [VMM_DISK_TRANSFORM_RAW] = "raw",     [VMM_DISK_TRANSFORM_RAW + 1] = NULL,
};

/* Known members of each JSON object, in the order vmm_relocate_spec_to_json()
 * writes them. */
static const char *const spec_members[] = {
  "host",
  "resource-pool",
  "datastore",
  "folder",
  "service-locator",
  "disks",
  "networks",
  "priority",
  "migration-type",
  "max-downtime-ms",
  "bandwidth-mibps",
  "completion-timeout-s",
  "on-timeout",
  "auto-converge",
  "post-copy",
  "compression",
  "parallel-connections",
  "allow-storage-class-change",
  "allow-zone-change",
  "detach-unreachable-devices",
  "fallback-other-host",
  "fallback-cold",
  "keep-source-disks",
  NULL,
};

static const char *const service_locator_members[] = {
  "url",
  "credential",
  "ssl-thumbprint",
  NULL,
};

static const char *const disk_members[] = {
  "key", "datastore", "move-type", "transform", NULL,
};

/* The numeric tuning members: 0 means "the backend's default" in the API, and
 * is not written to (nor accepted from) JSON. */
typedef struct
{
  const char *member;
  guint min;
  guint max;
  const char *unit;
} VmmSpecRange;

static const VmmSpecRange range_max_downtime_ms = { "max-downtime-ms", 1, 600000, "milliseconds" };
static const VmmSpecRange range_bandwidth_mibps = { "bandwidth-mibps", 1, 1048576, "MiB/s" };
static const VmmSpecRange range_completion_timeout_s
    = { "completion-timeout-s", 1, 604800, "seconds" };
static const VmmSpecRange range_parallel_connections
    = { "parallel-connections", 1, 64, "connections" };

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* Sets a VMM_ERROR_INVALID_SPEC error "<path>: <reason>" and returns FALSE. */
static gboolean
vmm_spec_error (GError **error, const char *path, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
vmm_spec_error (GError **error, const char *path, const char *format, ...)
{
  va_list args;
  g_autofree char *reason = NULL;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "%s: %s", path, reason);
  return FALSE;
}

/* Names and values from the caller are echoed in messages at most this many
 * characters long, so that a huge bad input does not make a huge error. */
#define VMM_SPEC_ECHO_MAX 64

/* @text clipped to VMM_SPEC_ECHO_MAX characters (valid UTF-8, "..." marks a cut). */
static char *
vmm_spec_clip (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *head = NULL;

  if (g_utf8_strlen (valid, -1) <= VMM_SPEC_ECHO_MAX)
    return g_steal_pointer (&valid);
  head = g_utf8_substring (valid, 0, VMM_SPEC_ECHO_MAX);
  return g_strconcat (head, "...", NULL);
}

static char *
vmm_spec_member_path (const char *path, const char *member)
{
  g_autofree char *clipped = vmm_spec_clip (member);

  if (path == NULL || path[0] == '\0')
    return g_steal_pointer (&clipped);
  return g_strdup_printf ("%s.%s", path, clipped);
}

/* networks["@name"], with @name clipped */
static char *
vmm_spec_network_path (const char *name)
{
  g_autofree char *clipped = vmm_spec_clip (name);

  return g_strdup_printf ("networks[\"%s\"]", clipped);
}

/* ------------------------------------------------------------------------ */
/* The semantic rules, shared by vmm_relocate_spec_validate() and the JSON    */
/* parser                                                                    */
/* ------------------------------------------------------------------------ */

/* @hint says what to write instead of an empty string */
static gboolean
vmm_spec_check_name (const char *path, const char *value, const char *hint, GError **error)
{
  if (value != NULL && value[0] == '\0')
    return vmm_spec_error (error, path, "empty string (%s)", hint);
  return TRUE;
}

static gboolean
vmm_spec_check_range (const VmmSpecRange *range, guint64 value, gboolean zero_is_default,
                      GError **error)
{
  if (value == 0 && zero_is_default)
    return TRUE;
  if (value >= range->min && value <= range->max)
    return TRUE;
  if (value == 0)
    return vmm_spec_error (error, range->member,
                           "0 is out of range (%u..%u %s; leave the member out for the "
                           "backend's default)",
                           range->min, range->max, range->unit);
  return vmm_spec_error (error, range->member, "%" G_GUINT64_FORMAT " is out of range (%u..%u %s)",
                         value, range->min, range->max, range->unit);
}

static gboolean
vmm_spec_check_thumbprint (const char *path, const char *thumbprint, GError **error)
{
  g_auto (GStrv) pairs = NULL;
  guint n_pairs;

  if (thumbprint == NULL)
    return TRUE;
  if (thumbprint[0] == '\0')
    return vmm_spec_error (error, path,
                           "empty string (give the certificate's SHA-1 or SHA-256 "
                           "fingerprint, or leave the member out)");

  pairs = g_strsplit (thumbprint, ":", -1);
  n_pairs = g_strv_length (pairs);
  for (guint i = 0; i < n_pairs; i++)
    {
      const char *pair = pairs[i];
      if (strlen (pair) != 2 || !g_ascii_isxdigit (pair[0]) || !g_ascii_isxdigit (pair[1]))
        {
          g_autofree char *clipped = vmm_spec_clip (pair);
          return vmm_spec_error (error, path,
                                 "\"%s\" (byte %u) is not a pair of hex digits (expected a "
                                 "fingerprint such as AB:CD:EF:...)",
                                 clipped, i + 1);
        }
    }
  if (n_pairs != 20 && n_pairs != 32)
    return vmm_spec_error (error, path,
                           "%u bytes is not the length of a fingerprint (expected 20 "
                           "colon-separated pairs of hex digits for SHA-1, or 32 for SHA-256)",
                           n_pairs);
  return TRUE;
}

static gboolean
vmm_spec_check_service_locator (VmmServiceLocator *locator, GError **error)
{
  const char *url = vmm_service_locator_get_url (locator);
  const char *scheme;
  const char *host;
  const char *userinfo;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) error_local = NULL;

  if (url == NULL)
    return vmm_spec_error (error, "service-locator.url",
                           "missing (a service locator needs the URL of the other manager's "
                           "API endpoint)");
  if (url[0] == '\0')
    return vmm_spec_error (error, "service-locator.url",
                           "empty string (give the URL of the other manager's API endpoint)");

  /* the URL is never echoed: a mistyped one might carry a password */
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error_local);
  if (uri == NULL)
    {
      if (strchr (url, '@') != NULL)
        return vmm_spec_error (error, "service-locator.url", "not a valid URL");
      return vmm_spec_error (error, "service-locator.url", "not a valid URL (%s)",
                             error_local->message);
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    {
      g_autofree char *clipped = vmm_spec_clip (scheme);
      return vmm_spec_error (error, "service-locator.url",
                             "unsupported scheme \"%s\" (expected http or https)", clipped);
    }
  userinfo = g_uri_get_userinfo (uri);
  if (userinfo != NULL && strchr (userinfo, ':') != NULL)
    return vmm_spec_error (error, "service-locator.url",
                           "must not contain a password (name a credentials entry in "
                           "service-locator.credential instead)");
  host = g_uri_get_host (uri);
  if (host == NULL || host[0] == '\0')
    return vmm_spec_error (error, "service-locator.url", "no host in the URL");

  if (!vmm_spec_check_name ("service-locator.credential",
                            vmm_service_locator_get_credential (locator),
                            "name a credentials entry, or leave the member out", error))
    return FALSE;
  return vmm_spec_check_thumbprint ("service-locator.ssl-thumbprint",
                                    vmm_service_locator_get_ssl_thumbprint (locator), error);
}

static gboolean
vmm_spec_check_disks (GPtrArray *disks, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < disks->len; i++)
    {
      VmmDiskLocator *disk = g_ptr_array_index (disks, i);
      const char *key = vmm_disk_locator_get_key (disk);
      const char *datastore = vmm_disk_locator_get_datastore (disk);
      g_autofree char *path_key = g_strdup_printf ("disks[%u].key", i);
      g_autofree char *path_datastore = g_strdup_printf ("disks[%u].datastore", i);
      gpointer first;

      if (key == NULL)
        return vmm_spec_error (error, path_key,
                               "missing (each disk locator names the disk it moves)");
      if (!vmm_spec_check_name (path_key, key, "name the disk this locator moves", error))
        return FALSE;
      first = g_hash_table_lookup (seen, key);
      if (first != NULL)
        {
          g_autofree char *clipped = vmm_spec_clip (key);
          return vmm_spec_error (error, path_key,
                                 "duplicate disk key \"%s\" (already in disks[%u]; each disk "
                                 "can have one locator)",
                                 clipped, GPOINTER_TO_UINT (first) - 1);
        }
      g_hash_table_insert (seen, (gpointer)key, GUINT_TO_POINTER (i + 1));

      if (datastore == NULL)
        return vmm_spec_error (error, path_datastore,
                               "missing (each disk locator needs a target datastore)");
      if (!vmm_spec_check_name (path_datastore, datastore, "name the datastore the disk moves to",
                                error))
        return FALSE;
    }
  return TRUE;
}

static gint
vmm_spec_strcmp_ptr (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

/* The keys of the network map in the order they are checked and written. */
static const char **
vmm_spec_network_names_sorted (GHashTable *networks, guint *n_names)
{
  const char **names = (const char **)g_hash_table_get_keys_as_array (networks, n_names);
  qsort (names, *n_names, sizeof (const char *), vmm_spec_strcmp_ptr);
  return names;
}

static gboolean
vmm_spec_check_networks (GHashTable *networks, GError **error)
{
  guint n_names = 0;
  g_autofree const char **names = vmm_spec_network_names_sorted (networks, &n_names);

  for (guint i = 0; i < n_names; i++)
    {
      const char *target = g_hash_table_lookup (networks, names[i]);
      g_autofree char *path = vmm_spec_network_path (names[i]);

      if (names[i][0] == '\0')
        return vmm_spec_error (error, path,
                               "empty source network name (name the network the VM's NICs "
                               "are on now)");
      if (target == NULL || target[0] == '\0')
        return vmm_spec_error (error, path,
                               "empty destination network name (name the network the NICs "
                               "move to)");
    }
  return TRUE;
}

/* @what is "" or the value of @member that only a live move can use */
static gboolean
vmm_spec_check_hot_only (VmmRelocateSpec *self, const char *member, const char *what,
                         gboolean is_set, GError **error)
{
  if (is_set && self->migration_type == VMM_MIGRATION_PREFERENCE_COLD)
    return vmm_spec_error (
        error, member, "%sonly applies to a live (hot) move, but migration-type is \"cold\"", what);
  return TRUE;
}

/* Every semantic rule, in the order of the JSON members. */
static gboolean
vmm_relocate_spec_check (VmmRelocateSpec *self, GError **error)
{
  if (!vmm_spec_check_name ("host", self->host, "name a host, or leave the member out", error))
    return FALSE;
  if (!vmm_spec_check_name ("resource-pool", self->resource_pool,
                            "name a resource pool, or leave the member out", error))
    return FALSE;
  if (!vmm_spec_check_name ("datastore", self->datastore,
                            "name a datastore, or leave the member out", error))
    return FALSE;
  if (!vmm_spec_check_name ("folder", self->folder, "name a folder, or leave the member out",
                            error))
    return FALSE;
  if (self->service_locator != NULL
      && !vmm_spec_check_service_locator (self->service_locator, error))
    return FALSE;
  if (self->disks != NULL && !vmm_spec_check_disks (self->disks, error))
    return FALSE;
  if (self->networks != NULL && !vmm_spec_check_networks (self->networks, error))
    return FALSE;

  /* tuning */
  if (!vmm_spec_check_range (&range_max_downtime_ms, self->max_downtime_ms, TRUE, error))
    return FALSE;
  if (!vmm_spec_check_hot_only (self, "max-downtime-ms", "", self->max_downtime_ms != 0, error))
    return FALSE;
  if (!vmm_spec_check_range (&range_bandwidth_mibps, self->bandwidth_mibps, TRUE, error))
    return FALSE;
  if (!vmm_spec_check_range (&range_completion_timeout_s, self->completion_timeout_s, TRUE, error))
    return FALSE;
  if (self->on_timeout == VMM_ON_TIMEOUT_POST_COPY)
    {
      if (!vmm_spec_check_hot_only (self, "on-timeout", "\"post-copy\" ", TRUE, error))
        return FALSE;
      if (!self->post_copy)
        return vmm_spec_error (error, "on-timeout",
                               "\"post-copy\" needs \"post-copy\": true (post-copy must be "
                               "allowed for the move to switch to it)");
    }
  if (!vmm_spec_check_hot_only (self, "auto-converge", "", self->auto_converge, error))
    return FALSE;
  if (!vmm_spec_check_hot_only (self, "post-copy", "", self->post_copy, error))
    return FALSE;
  if (!vmm_spec_check_range (&range_parallel_connections, self->parallel_connections, TRUE, error))
    return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* JSON reading helpers (structure and types only; values are checked by     */
/* vmm_relocate_spec_check())                                                */
/* ------------------------------------------------------------------------ */

/* Finds the objects with a duplicate member while JsonParser builds the tree
 * (JsonObject silently keeps the last value). */
typedef struct
{
  JsonObject *object; /* (owned) */
  char *member;
} VmmJsonDup;

static void
vmm_json_dup_free (VmmJsonDup *dup)
{
  json_object_unref (dup->object);
  g_free (dup->member);
  g_free (dup);
}

typedef struct
{
  /* JsonObject (a reference, so that no address is reused by another object
   * while parsing) → number of members parsed */
  GHashTable *member_counts;
  GPtrArray *dups; /* (element-type VmmJsonDup) */
} VmmJsonDupTracker;

static void
vmm_json_dup_tracker_init (VmmJsonDupTracker *tracker)
{
  tracker->member_counts
      = g_hash_table_new_full (NULL, NULL, (GDestroyNotify)json_object_unref, NULL);
  tracker->dups = g_ptr_array_new_with_free_func ((GDestroyNotify)vmm_json_dup_free);
}

static void
vmm_json_dup_tracker_clear (VmmJsonDupTracker *tracker)
{
  g_clear_pointer (&tracker->member_counts, g_hash_table_unref);
  g_clear_pointer (&tracker->dups, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VmmJsonDupTracker, vmm_json_dup_tracker_clear)

/* json-glib 1.6 reads a sequence of values ("{...}{...}", "{...} [...]")
 * as one document whose root is the first value, and accepts a JavaScript
 * assignment ("var x = {...}"). These count the objects and arrays that
 * end at the top level, so that such input is refused. */
typedef struct
{
  guint depth;
  guint n_values;
} VmmJsonTopLevel;

static void
vmm_json_top_level_start_cb (JsonParser *parser, gpointer user_data)
{
  VmmJsonTopLevel *top = user_data;

  top->depth++;
}

static void
vmm_json_top_level_end (VmmJsonTopLevel *top)
{
  if (top->depth > 0 && --top->depth == 0)
    top->n_values++;
}

static void
vmm_json_top_level_object_end_cb (JsonParser *parser, JsonObject *object, gpointer user_data)
{
  vmm_json_top_level_end (user_data);
}

static void
vmm_json_top_level_array_end_cb (JsonParser *parser, JsonArray *array, gpointer user_data)
{
  vmm_json_top_level_end (user_data);
}

static void
vmm_json_top_level_connect (JsonParser *parser, VmmJsonTopLevel *top)
{
  g_signal_connect (parser, "object-start", G_CALLBACK (vmm_json_top_level_start_cb), top);
  g_signal_connect (parser, "array-start", G_CALLBACK (vmm_json_top_level_start_cb), top);
  g_signal_connect (parser, "object-end", G_CALLBACK (vmm_json_top_level_object_end_cb), top);
  g_signal_connect (parser, "array-end", G_CALLBACK (vmm_json_top_level_array_end_cb), top);
}

static void
vmm_json_dup_tracker_object_member_cb (JsonParser *parser, JsonObject *object, const char *member,
                                       gpointer user_data)
{
  VmmJsonDupTracker *tracker = user_data;
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (tracker->member_counts, object)) + 1;

  /* when the key is already there, the table drops the new reference */
  g_hash_table_insert (tracker->member_counts, json_object_ref (object), GUINT_TO_POINTER (count));

  /* the signal comes after the member is set: a duplicate did not grow it */
  if (count > json_object_get_size (object))
    {
      VmmJsonDup *dup = g_new0 (VmmJsonDup, 1);
      dup->object = json_object_ref (object);
      dup->member = g_strdup (member);
      g_ptr_array_add (tracker->dups, dup);
      /* count it once more only if it shows up again */
      g_hash_table_insert (tracker->member_counts, json_object_ref (object),
                           GUINT_TO_POINTER (json_object_get_size (object)));
    }
}

/* The first duplicate member of @object, or NULL. */
static const char *
vmm_json_dup_tracker_find (VmmJsonDupTracker *tracker, JsonObject *object)
{
  for (guint i = 0; i < tracker->dups->len; i++)
    {
      VmmJsonDup *dup = g_ptr_array_index (tracker->dups, i);
      if (dup->object == object)
        return dup->member;
    }
  return NULL;
}

static const char *
vmm_json_describe (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_INT64:
      return "an integer";
    case G_TYPE_DOUBLE:
      return "a fractional number";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    default:
      return "an unknown value";
    }
}

static gboolean
vmm_json_holds (JsonNode *node, GType type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* Levenshtein distance, for "did you mean" suggestions. */
static guint
vmm_edit_distance (const char *a, const char *b)
{
  gsize len_b = strlen (b);
  g_autofree guint *row = g_new (guint, len_b + 1);

  for (gsize j = 0; j <= len_b; j++)
    row[j] = j;
  for (gsize i = 0; a[i] != '\0'; i++)
    {
      guint diagonal = row[0];
      row[0] = i + 1;
      for (gsize j = 1; j <= len_b; j++)
        {
          guint above = row[j];
          guint cost = a[i] == b[j - 1] ? 0 : 1;
          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[len_b];
}

static const char *
vmm_json_suggest_member (const char *member, const char *const *known)
{
  const char *best = NULL;
  guint best_distance = 3;

  for (guint i = 0; known[i] != NULL; i++)
    {
      guint distance = vmm_edit_distance (member, known[i]);
      if (distance < best_distance)
        {
          best = known[i];
          best_distance = distance;
        }
    }
  return best;
}

/* Rejects duplicate and unknown members of @object, found at @path. */
static gboolean
vmm_json_check_members (JsonObject *object, const char *path, const char *const *known,
                        VmmJsonDupTracker *tracker, GError **error)
{
  g_autoptr (GList) members = NULL;
  const char *dup = vmm_json_dup_tracker_find (tracker, object);

  if (dup != NULL)
    {
      g_autofree char *member_path = vmm_spec_member_path (path, dup);
      return vmm_spec_error (error, member_path, "duplicate member (give each member once)");
    }

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;
      g_autofree char *member_path = NULL;
      g_autofree char *known_list = NULL;
      const char *suggestion;

      if (g_strv_contains (known, member))
        continue;
      member_path = vmm_spec_member_path (path, member);
      /* no suggestion for a name far longer than any known one */
      suggestion
          = strlen (member) <= VMM_SPEC_ECHO_MAX ? vmm_json_suggest_member (member, known) : NULL;
      if (suggestion != NULL)
        return vmm_spec_error (error, member_path, "unknown member (did you mean \"%s\"?)",
                               suggestion);
      known_list = g_strjoinv (", ", (char **)known);
      return vmm_spec_error (error, member_path, "unknown member (known members: %s)", known_list);
    }
  return TRUE;
}

/* Gets the string member @member; *value is NULL when the member is absent. */
static gboolean
vmm_json_get_string (JsonObject *object, const char *path, const char *member, const char **value,
                     GError **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *value = NULL;
  if (node == NULL)
    return TRUE;
  if (!vmm_json_holds (node, G_TYPE_STRING))
    {
      g_autofree char *member_path = vmm_spec_member_path (path, member);
      return vmm_spec_error (error, member_path, "must be a string, not %s",
                             vmm_json_describe (node));
    }
  *value = json_node_get_string (node);
  return TRUE;
}

/* Gets the enum member @member as the index of its value in @names; *value is
 * left alone when the member is absent. */
static gboolean
vmm_json_get_enum (JsonObject *object, const char *path, const char *member,
                   const char *const *names, guint *value, GError **error)
{
  const char *str = NULL;
  g_autofree char *member_path = NULL;
  g_autofree char *allowed = NULL;
  g_autofree char *clipped = NULL;

  if (!vmm_json_get_string (object, path, member, &str, error))
    return FALSE;
  if (str == NULL)
    return TRUE;
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_strcmp0 (str, names[i]) == 0)
        {
          *value = i;
          return TRUE;
        }
    }
  member_path = vmm_spec_member_path (path, member);
  allowed = g_strjoinv (", ", (char **)names);
  clipped = vmm_spec_clip (str);
  return vmm_spec_error (error, member_path, "unknown value \"%s\" (expected one of: %s)", clipped,
                         allowed);
}

static gboolean
vmm_json_get_boolean (JsonObject *object, const char *member, gboolean *value, GError **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    return TRUE;
  if (!vmm_json_holds (node, G_TYPE_BOOLEAN))
    return vmm_spec_error (error, member, "must be a boolean (true or false), not %s",
                           vmm_json_describe (node));
  *value = json_node_get_boolean (node);
  return TRUE;
}

/* Gets a numeric tuning member of the root object; *value is left alone when
 * the member is absent. */
static gboolean
vmm_json_get_tuning (JsonObject *object, const VmmSpecRange *range, guint *value, GError **error)
{
  JsonNode *node = json_object_get_member (object, range->member);
  gint64 number;

  if (node == NULL)
    return TRUE;
  if (vmm_json_holds (node, G_TYPE_DOUBLE))
    return vmm_spec_error (error, range->member,
                           "must be an integer written without a fraction or an exponent "
                           "(got %g)",
                           json_node_get_double (node));
  if (!vmm_json_holds (node, G_TYPE_INT64))
    return vmm_spec_error (error, range->member, "must be an integer, not %s",
                           vmm_json_describe (node));
  number = json_node_get_int (node);
  if (number < 0)
    return vmm_spec_error (error, range->member, "must not be negative (%" G_GINT64_FORMAT ")",
                           number);
  /* 0 is only the API's "unset": the document leaves the member out */
  if (!vmm_spec_check_range (range, (guint64)number, FALSE, error))
    return FALSE;
  *value = (guint)number;
  return TRUE;
}

static VmmServiceLocator *
vmm_json_load_service_locator (JsonNode *node, VmmJsonDupTracker *tracker, GError **error)
{
  const char *path = "service-locator";
  JsonObject *object;
  const char *url = NULL;
  const char *credential = NULL;
  const char *thumbprint = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      vmm_spec_error (error, path,
                      "must be an object with \"url\", \"credential\" and "
                      "\"ssl-thumbprint\", not %s",
                      vmm_json_describe (node));
      return NULL;
    }
  object = json_node_get_object (node);
  if (!vmm_json_check_members (object, path, service_locator_members, tracker, error))
    return NULL;
  if (!vmm_json_get_string (object, path, "url", &url, error))
    return NULL;
  if (!vmm_json_get_string (object, path, "credential", &credential, error))
    return NULL;
  if (!vmm_json_get_string (object, path, "ssl-thumbprint", &thumbprint, error))
    return NULL;
  return g_object_new (VMM_TYPE_SERVICE_LOCATOR, "url", url, "credential", credential,
                       "ssl-thumbprint", thumbprint, NULL);
}

static VmmDiskLocator *
vmm_json_load_disk (JsonNode *node, guint idx, VmmJsonDupTracker *tracker, GError **error)
{
  g_autofree char *path = g_strdup_printf ("disks[%u]", idx);
  JsonObject *object;
  const char *key = NULL;
  const char *datastore = NULL;
  guint move_type = VMM_DISK_MOVE_TYPE_MOVE_ALL;
  guint transform = VMM_DISK_TRANSFORM_NONE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      vmm_spec_error (error, path, "must be an object with \"key\" and \"datastore\", not %s",
                      vmm_json_describe (node));
      return NULL;
    }
  object = json_node_get_object (node);
  if (!vmm_json_check_members (object, path, disk_members, tracker, error))
    return NULL;
  if (!vmm_json_get_string (object, path, "key", &key, error))
    return NULL;
  if (!vmm_json_get_string (object, path, "datastore", &datastore, error))
    return NULL;
  if (!vmm_json_get_enum (object, path, "move-type", move_type_names, &move_type, error))
    return NULL;
  if (!vmm_json_get_enum (object, path, "transform", transform_names, &transform, error))
    return NULL;

  /* a missing key or datastore is left to vmm_relocate_spec_check() */
  return g_object_new (VMM_TYPE_DISK_LOCATOR, "key", key, "datastore", datastore, "move-type",
                       move_type, "transform", transform, NULL);
}

static gboolean
vmm_relocate_spec_load_disks (VmmRelocateSpec *self, JsonNode *node, VmmJsonDupTracker *tracker,
                              GError **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return vmm_spec_error (error, "disks", "must be an array of disk locators, not %s",
                           vmm_json_describe (node));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      VmmDiskLocator *disk
          = vmm_json_load_disk (json_array_get_element (array, i), i, tracker, error);
      if (disk == NULL)
        return FALSE;
      /* kept as given, so that vmm_relocate_spec_check() names duplicate keys
       * with their index in the document */
      g_ptr_array_add (disk_list (self), disk);
    }
  return TRUE;
}

static gboolean
vmm_relocate_spec_load_networks (VmmRelocateSpec *self, JsonNode *node, VmmJsonDupTracker *tracker,
                                 GError **error)
{
  JsonObject *object;
  g_autoptr (GList) members = NULL;
  const char *dup;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return vmm_spec_error (error, "networks",
                           "must be an object mapping source network names to destination "
                           "network names, not %s",
                           vmm_json_describe (node));
  object = json_node_get_object (node);
  dup = vmm_json_dup_tracker_find (tracker, object);
  if (dup != NULL)
    {
      g_autofree char *path = vmm_spec_network_path (dup);
      return vmm_spec_error (error, path, "duplicate member (map each network once)");
    }
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *target = json_object_get_member (object, name);

      if (!vmm_json_holds (target, G_TYPE_STRING))
        {
          g_autofree char *path = vmm_spec_network_path (name);
          return vmm_spec_error (error, path,
                                 "must be a string (the destination network's name), not %s",
                                 vmm_json_describe (target));
        }
      vmm_relocate_spec_add_network_map (self, name, json_node_get_string (target));
    }
  return TRUE;
}

static gboolean
vmm_relocate_spec_load_json (VmmRelocateSpec *self, JsonObject *root, VmmJsonDupTracker *tracker,
                             GError **error)
{
  const char *str = NULL;
  JsonNode *node;
  guint value;
  gboolean enabled;

  if (!vmm_json_check_members (root, NULL, spec_members, tracker, error))
    return FALSE;

  if (!vmm_json_get_string (root, NULL, "host", &str, error))
    return FALSE;
  vmm_relocate_spec_set_host (self, str);
  if (!vmm_json_get_string (root, NULL, "resource-pool", &str, error))
    return FALSE;
  vmm_relocate_spec_set_resource_pool (self, str);
  if (!vmm_json_get_string (root, NULL, "datastore", &str, error))
    return FALSE;
  vmm_relocate_spec_set_datastore (self, str);
  if (!vmm_json_get_string (root, NULL, "folder", &str, error))
    return FALSE;
  vmm_relocate_spec_set_folder (self, str);

  node = json_object_get_member (root, "service-locator");
  if (node != NULL)
    {
      g_autoptr (VmmServiceLocator) locator = vmm_json_load_service_locator (node, tracker, error);
      if (locator == NULL)
        return FALSE;
      vmm_relocate_spec_set_service_locator (self, locator);
    }
  node = json_object_get_member (root, "disks");
  if (node != NULL && !vmm_relocate_spec_load_disks (self, node, tracker, error))
    return FALSE;
  node = json_object_get_member (root, "networks");
  if (node != NULL && !vmm_relocate_spec_load_networks (self, node, tracker, error))
    return FALSE;

  value = self->priority;
  if (!vmm_json_get_enum (root, NULL, "priority", priority_names, &value, error))
    return FALSE;
  vmm_relocate_spec_set_priority (self, value);
  value = self->migration_type;
  if (!vmm_json_get_enum (root, NULL, "migration-type", migration_type_names, &value, error))
    return FALSE;
  vmm_relocate_spec_set_migration_type (self, value);

  value = 0;
  if (!vmm_json_get_tuning (root, &range_max_downtime_ms, &value, error))
    return FALSE;
  vmm_relocate_spec_set_max_downtime_ms (self, value);
  value = 0;
  if (!vmm_json_get_tuning (root, &range_bandwidth_mibps, &value, error))
    return FALSE;
  vmm_relocate_spec_set_bandwidth_mibps (self, value);
  value = 0;
  if (!vmm_json_get_tuning (root, &range_completion_timeout_s, &value, error))
    return FALSE;
  vmm_relocate_spec_set_completion_timeout_s (self, value);

  value = self->on_timeout;
  if (!vmm_json_get_enum (root, NULL, "on-timeout", on_timeout_names, &value, error))
    return FALSE;
  vmm_relocate_spec_set_on_timeout (self, value);

  enabled = FALSE;
  if (!vmm_json_get_boolean (root, "auto-converge", &enabled, error))
    return FALSE;
  vmm_relocate_spec_set_auto_converge (self, enabled);
  enabled = FALSE;
  if (!vmm_json_get_boolean (root, "post-copy", &enabled, error))
    return FALSE;
  vmm_relocate_spec_set_post_copy (self, enabled);
  enabled = FALSE;
  if (!vmm_json_get_boolean (root, "compression", &enabled, error))
    return FALSE;
  vmm_relocate_spec_set_compression (self, enabled);
  enabled = FALSE;
  if (!vmm_json_get_boolean (root, "allow-storage-class-change", &enabled, error))
    return FALSE;
  vmm_relocate_spec_set_allow_storage_class_change (self, enabled);
  enabled = FALSE;
  if (!vmm_json_get_boolean (root, "allow-zone-change", &enabled, error))
    return FALSE;
  vmm_relocate_spec_set_allow_zone_change (self, enabled);
  enabled = FALSE;
  if (!vmm_json_get_boolean (root, "detach-unreachable-devices", &enabled, error))
    return FALSE;
  vmm_relocate_spec_set_detach_unreachable_devices (self, enabled);
  enabled = FALSE;
  if (!vmm_json_get_boolean (root, "fallback-other-host", &enabled, error))
    return FALSE;
  vmm_relocate_spec_set_fallback_other_host (self, enabled);
  enabled = FALSE;
  if (!vmm_json_get_boolean (root, "fallback-cold", &enabled, error))
    return FALSE;
  vmm_relocate_spec_set_fallback_cold (self, enabled);
  enabled = FALSE;
  if (!vmm_json_get_boolean (root, "keep-source-disks", &enabled, error))
    return FALSE;
  vmm_relocate_spec_set_keep_source_disks (self, enabled);

  value = 0;
  if (!vmm_json_get_tuning (root, &range_parallel_connections, &value, error))
    return FALSE;
  vmm_relocate_spec_set_parallel_connections (self, value);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                   */
/* ------------------------------------------------------------------------ */

static void
vmm_relocate_spec_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VmmRelocateSpec *self = VMM_RELOCATE_SPEC (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_RESOURCE_POOL:
      g_value_set_string (value, self->resource_pool);
      break;
    case PROP_DATASTORE:
      g_value_set_string (value, self->datastore);
      break;
    case PROP_FOLDER:
      g_value_set_string (value, self->folder);
      break;
    case PROP_SERVICE_LOCATOR:
      g_value_set_object (value, self->service_locator);
      break;
    case PROP_PRIORITY:
      g_value_set_enum (value, self->priority);
      break;
    case PROP_MIGRATION_TYPE:
      g_value_set_enum (value, self->migration_type);
      break;
    case PROP_MAX_DOWNTIME_MS:
      g_value_set_uint (value, self->max_downtime_ms);
      break;
    case PROP_BANDWIDTH_MIBPS:
      g_value_set_uint (value, self->bandwidth_mibps);
      break;
    case PROP_COMPLETION_TIMEOUT_S:
      g_value_set_uint (value, self->completion_timeout_s);
      break;
    case PROP_ON_TIMEOUT:
      g_value_set_enum (value, self->on_timeout);
      break;
    case PROP_AUTO_CONVERGE:
      g_value_set_boolean (value, self->auto_converge);
      break;
    case PROP_POST_COPY:
      g_value_set_boolean (value, self->post_copy);
      break;
    case PROP_COMPRESSION:
      g_value_set_boolean (value, self->compression);
      break;
    case PROP_ALLOW_STORAGE_CLASS_CHANGE:
      g_value_set_boolean (value, self->allow_storage_class_change);
      break;
    case PROP_ALLOW_ZONE_CHANGE:
      g_value_set_boolean (value, self->allow_zone_change);
      break;
    case PROP_DETACH_UNREACHABLE_DEVICES:
      g_value_set_boolean (value, self->detach_unreachable_devices);
      break;
    case PROP_FALLBACK_OTHER_HOST:
      g_value_set_boolean (value, self->fallback_other_host);
      break;
    case PROP_FALLBACK_COLD:
      g_value_set_boolean (value, self->fallback_cold);
      break;
    case PROP_KEEP_SOURCE_DISKS:
      g_value_set_boolean (value, self->keep_source_disks);
      break;
    case PROP_PARALLEL_CONNECTIONS:
      g_value_set_uint (value, self->parallel_connections);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_relocate_spec_set_property (GObject *object, guint prop_id, const GValue *value,
                                GParamSpec *pspec)
{
  VmmRelocateSpec *self = VMM_RELOCATE_SPEC (object);

  switch (prop_id)
    {
    case PROP_HOST:
      vmm_relocate_spec_set_host (self, g_value_get_string (value));
      break;
    case PROP_RESOURCE_POOL:
      vmm_relocate_spec_set_resource_pool (self, g_value_get_string (value));
      break;
    case PROP_DATASTORE:
      vmm_relocate_spec_set_datastore (self, g_value_get_string (value));
      break;
    case PROP_FOLDER:
      vmm_relocate_spec_set_folder (self, g_value_get_string (value));
      break;
    case PROP_SERVICE_LOCATOR:
      vmm_relocate_spec_set_service_locator (self, g_value_get_object (value));
      break;
    case PROP_PRIORITY:
      vmm_relocate_spec_set_priority (self, g_value_get_enum (value));
      break;
    case PROP_MIGRATION_TYPE:
      vmm_relocate_spec_set_migration_type (self, g_value_get_enum (value));
      break;
    case PROP_MAX_DOWNTIME_MS:
      vmm_relocate_spec_set_max_downtime_ms (self, g_value_get_uint (value));
      break;
    case PROP_BANDWIDTH_MIBPS:
      vmm_relocate_spec_set_bandwidth_mibps (self, g_value_get_uint (value));
      break;
    case PROP_COMPLETION_TIMEOUT_S:
      vmm_relocate_spec_set_completion_timeout_s (self, g_value_get_uint (value));
      break;
    case PROP_ON_TIMEOUT:
      vmm_relocate_spec_set_on_timeout (self, g_value_get_enum (value));
      break;
    case PROP_AUTO_CONVERGE:
      vmm_relocate_spec_set_auto_converge (self, g_value_get_boolean (value));
      break;
    case PROP_POST_COPY:
      vmm_relocate_spec_set_post_copy (self, g_value_get_boolean (value));
      break;
    case PROP_COMPRESSION:
      vmm_relocate_spec_set_compression (self, g_value_get_boolean (value));
      break;
    case PROP_ALLOW_STORAGE_CLASS_CHANGE:
      vmm_relocate_spec_set_allow_storage_class_change (self, g_value_get_boolean (value));
      break;
    case PROP_ALLOW_ZONE_CHANGE:
      vmm_relocate_spec_set_allow_zone_change (self, g_value_get_boolean (value));
      break;
    case PROP_DETACH_UNREACHABLE_DEVICES:
      vmm_relocate_spec_set_detach_unreachable_devices (self, g_value_get_boolean (value));
      break;
    case PROP_FALLBACK_OTHER_HOST:
      vmm_relocate_spec_set_fallback_other_host (self, g_value_get_boolean (value));
      break;
    case PROP_FALLBACK_COLD:
      vmm_relocate_spec_set_fallback_cold (self, g_value_get_boolean (value));
      break;
    case PROP_KEEP_SOURCE_DISKS:
      vmm_relocate_spec_set_keep_source_disks (self, g_value_get_boolean (value));
      break;
    case PROP_PARALLEL_CONNECTIONS:
      vmm_relocate_spec_set_parallel_connections (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_relocate_spec_dispose (GObject *object)
{
  VmmRelocateSpec *self = VMM_RELOCATE_SPEC (object);

  g_clear_object (&self->service_locator);
  if (self->disks != NULL)
    g_ptr_array_set_size (self->disks, 0);

  G_OBJECT_CLASS (vmm_relocate_spec_parent_class)->dispose (object);
}

static void
vmm_relocate_spec_finalize (GObject *object)
{
  VmmRelocateSpec *self = VMM_RELOCATE_SPEC (object);

  g_free (self->host);
  g_free (self->resource_pool);
  g_free (self->datastore);
  g_free (self->folder);
  g_clear_pointer (&self->disks, g_ptr_array_unref);
  g_clear_pointer (&self->networks, g_hash_table_unref);

  G_OBJECT_CLASS (vmm_relocate_spec_parent_class)->finalize (object);
}

static GParamSpec *
vmm_spec_param_string (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
vmm_spec_param_uint (const char *name)
{
  return g_param_spec_uint (name, NULL, NULL, 0, G_MAXUINT, 0,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
vmm_spec_param_boolean (const char *name)
{
  return g_param_spec_boolean (name, NULL, NULL, FALSE,
                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                   | G_PARAM_STATIC_STRINGS);
}

static void
vmm_relocate_spec_class_init (VmmRelocateSpecClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vmm_relocate_spec_get_property;
  object_class->set_property = vmm_relocate_spec_set_property;
  object_class->dispose = vmm_relocate_spec_dispose;
  object_class->finalize = vmm_relocate_spec_finalize;

  /**
   * VmmRelocateSpec:host:
   *
   * The host to move the VM to, or %NULL to keep its host (or let the
   * engine choose one).
   *
   * Since: 1.0
   */
  props[PROP_HOST] = vmm_spec_param_string ("host");

  /**
   * VmmRelocateSpec:resource-pool:
   *
   * The resource pool to move the VM to, or %NULL to keep it.
   *
   * Since: 1.0
   */
  props[PROP_RESOURCE_POOL] = vmm_spec_param_string ("resource-pool");

  /**
   * VmmRelocateSpec:datastore:
   *
   * The primary datastore (where the VM's configuration and the disks
   * without a #VmmDiskLocator go), or %NULL to keep it.
   *
   * Since: 1.0
   */
  props[PROP_DATASTORE] = vmm_spec_param_string ("datastore");

  /**
   * VmmRelocateSpec:folder:
   *
   * The inventory folder to move the VM to, or %NULL to keep it.
   *
   * Since: 1.0
   */
  props[PROP_FOLDER] = vmm_spec_param_string ("folder");

  /**
   * VmmRelocateSpec:service-locator:
   *
   * The other manager to move the VM to, or %NULL to stay with the current
   * one.
   *
   * Since: 1.0
   */
  props[PROP_SERVICE_LOCATOR]
      = g_param_spec_object ("service-locator", NULL, NULL, VMM_TYPE_SERVICE_LOCATOR,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmmRelocateSpec:priority:
   *
   * The priority of the migration among those waiting for the engine's
   * concurrency slots.
   *
   * Since: 1.0
   */
  props[PROP_PRIORITY]
      = g_param_spec_enum ("priority", NULL, NULL, VMM_TYPE_PRIORITY, VMM_PRIORITY_DEFAULT,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmmRelocateSpec:migration-type:
   *
   * Which kind of move the caller accepts.
   *
   * Since: 1.0
   */
  props[PROP_MIGRATION_TYPE] = g_param_spec_enum (
      "migration-type", NULL, NULL, VMM_TYPE_MIGRATION_PREFERENCE, VMM_MIGRATION_PREFERENCE_AUTO,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmmRelocateSpec:max-downtime-ms:
   *
   * The longest the guest may be paused when a live move switches over, in
   * milliseconds (1 to 600000), or 0 for the backend's default. Only for hot
   * moves.
   *
   * Since: 1.0
   */
  props[PROP_MAX_DOWNTIME_MS] = vmm_spec_param_uint ("max-downtime-ms");

  /**
   * VmmRelocateSpec:bandwidth-mibps:
   *
   * The bandwidth limit of the move in MiB/s (1 to 1048576), or 0 for the
   * backend's default.
   *
   * Since: 1.0
   */
  props[PROP_BANDWIDTH_MIBPS] = vmm_spec_param_uint ("bandwidth-mibps");

  /**
   * VmmRelocateSpec:completion-timeout-s:
   *
   * How long the move may take, in seconds (1 to 604800), before
   * #VmmRelocateSpec:on-timeout applies, or 0 for no timeout of the
   * engine's own.
   *
   * Since: 1.0
   */
  props[PROP_COMPLETION_TIMEOUT_S] = vmm_spec_param_uint ("completion-timeout-s");

  /**
   * VmmRelocateSpec:on-timeout:
   *
   * What to do when the move exceeds #VmmRelocateSpec:completion-timeout-s.
   * %VMM_ON_TIMEOUT_POST_COPY needs #VmmRelocateSpec:post-copy.
   *
   * Since: 1.0
   */
  props[PROP_ON_TIMEOUT] = g_param_spec_enum (
      "on-timeout", NULL, NULL, VMM_TYPE_ON_TIMEOUT_ACTION, VMM_ON_TIMEOUT_ABORT,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmmRelocateSpec:auto-converge:
   *
   * Whether a live move may throttle the guest's CPUs so that it converges.
   * Only for hot moves.
   *
   * Since: 1.0
   */
  props[PROP_AUTO_CONVERGE] = vmm_spec_param_boolean ("auto-converge");

  /**
   * VmmRelocateSpec:post-copy:
   *
   * Whether a live move may switch to post-copy. Only for hot moves.
   *
   * Since: 1.0
   */
  props[PROP_POST_COPY] = vmm_spec_param_boolean ("post-copy");

  /**
   * VmmRelocateSpec:compression:
   *
   * Whether the data moved is compressed on the wire.
   *
   * Since: 1.0
   */
  props[PROP_COMPRESSION] = vmm_spec_param_boolean ("compression");

  /**
   * VmmRelocateSpec:allow-storage-class-change:
   *
   * Whether a disk may move between local and shared storage (refused by default: the storage class
   * is part of what the VM was given).
   *
   * Since: 1.0
   */
  props[PROP_ALLOW_STORAGE_CLASS_CHANGE] = vmm_spec_param_boolean ("allow-storage-class-change");

  /**
   * VmmRelocateSpec:allow-zone-change:
   *
   * Whether the VM may move to a host in another availability zone.
   *
   * Since: 1.0
   */
  props[PROP_ALLOW_ZONE_CHANGE] = vmm_spec_param_boolean ("allow-zone-change");

  /**
   * VmmRelocateSpec:detach-unreachable-devices:
   *
   * Whether devices whose backing the destination cannot reach (an ISO on a datastore local to the
   * source) are disconnected for the move instead of blocking it.
   *
   * Since: 1.0
   */
  props[PROP_DETACH_UNREACHABLE_DEVICES] = vmm_spec_param_boolean ("detach-unreachable-devices");

  /**
   * VmmRelocateSpec:fallback-other-host:
   *
   * Whether a live move that fails may be tried again to another suitable host the engine picks.
   *
   * Since: 1.0
   */
  props[PROP_FALLBACK_OTHER_HOST] = vmm_spec_param_boolean ("fallback-other-host");

  /**
   * VmmRelocateSpec:fallback-cold:
   *
   * Whether a VM that cannot move live may be stopped, moved cold and started again at its
   * destination (downtime allowed).
   *
   * Since: 1.0
   */
  props[PROP_FALLBACK_COLD] = vmm_spec_param_boolean ("fallback-cold");

  /**
   * VmmRelocateSpec:keep-source-disks:
   *
   * Whether a move that copies disks (a storage move, a cold move to other
   * storage) leaves the source's copies in place once the destination is
   * verified, instead of deleting them. The result's warnings name what was
   * kept.
   *
   * Since: 1.0
   */
  props[PROP_KEEP_SOURCE_DISKS] = vmm_spec_param_boolean ("keep-source-disks");

  /**
   * VmmRelocateSpec:parallel-connections:
   *
   * The number of parallel connections the move uses (1 to 64), or 0 for the
   * backend's default.
   *
   * Since: 1.0
   */
  props[PROP_PARALLEL_CONNECTIONS] = vmm_spec_param_uint ("parallel-connections");

  g_object_class_install_properties (object_class, N_PROPS, props);
}

/* the disk locators, made on first use: most specs place no disk apart */
static GPtrArray *
disk_list (VmmRelocateSpec *self)
{
  if (self->disks == NULL)
    self->disks = g_ptr_array_new_with_free_func (g_object_unref);
  return self->disks;
}

GPtrArray *
vmm_relocate_spec_peek_disks (VmmRelocateSpec *self)
{
  return self->disks;
}

/* the network map, made on first use: most specs remap no network */
static GHashTable *
network_map (VmmRelocateSpec *self)
{
  if (self->networks == NULL)
    self->networks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self->networks;
}

static void
vmm_relocate_spec_init (VmmRelocateSpec *self)
{
  self->priority = VMM_PRIORITY_DEFAULT;
  self->migration_type = VMM_MIGRATION_PREFERENCE_AUTO;
  self->on_timeout = VMM_ON_TIMEOUT_ABORT;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */
/* ------------------------------------------------------------------------ */

/**
 * vmm_relocate_spec_new:
 *
 * Creates an empty spec: it moves nothing until a target is set.
 *
 * Returns: (transfer full): a new #VmmRelocateSpec
 *
 * Since: 1.0
 */
VmmRelocateSpec *
vmm_relocate_spec_new (void)
{
  return g_object_new (VMM_TYPE_RELOCATE_SPEC, NULL);
}

/**
 * vmm_relocate_spec_new_from_json:
 * @json: a spec as a JSON document (UTF-8)
 * @error: return location for a #GError
 *
 * Parses and validates a spec. The document is one JSON object; every member
 * is optional, and a member left out keeps its default:
 *
 * ```json
 * {
 *   "host" : "esx-02",
 *   "resource-pool" : "prod",
 *   "datastore" : "ds-2",
 *   "folder" : "vm/prod",
 *   "service-locator" : {
 *     "url" : "https://vc2.example/sdk",
 *     "credential" : "vc2-admin",
 *     "ssl-thumbprint" : "AB:CD:..."
 *   },
 *   "disks" : [
 *     {
 *       "key" : "disk-0",
 *       "datastore" : "ds-3",
 *       "move-type" : "move-child-most",
 *       "transform" : "thin"
 *     }
 *   ],
 *   "networks" : {
 *     "VM Network" : "prod-net"
 *   },
 *   "priority" : "high",
 *   "migration-type" : "hot",
 *   "max-downtime-ms" : 300,
 *   "bandwidth-mibps" : 1000,
 *   "completion-timeout-s" : 600,
 *   "on-timeout" : "post-copy",
 *   "auto-converge" : true,
 *   "post-copy" : true,
 *   "compression" : true,
 *   "parallel-connections" : 4
 * }
 * ```
 *
 * - `host`, `resource-pool`, `datastore`, `folder`: non-empty names; left out,
 *   the VM keeps its current one.
 * - `service-locator`: another manager to move to. `url` is required, an
 *   http or https URL with a host and without a password; `credential` is
 *   the *name* of a credentials entry, never a secret; `ssl-thumbprint` is a
 *   SHA-1 (20 bytes) or SHA-256 (32 bytes) fingerprint written as
 *   colon-separated pairs of hex digits.
 * - `disks`: an array of disk locators, each with a required `key` (unique in
 *   the array) and `datastore`, an optional `move-type` (`"move-all"`, the
 *   default, `"move-child-most"` or `"create-new-child"`) and an optional
 *   `transform` (`"none"`, the default, `"thin"`, `"thick"`, `"qcow2"` or
 *   `"raw"`).
 * - `networks`: maps the name of a source network to the name of the
 *   destination network its NICs move to.
 * - `priority`: `"low"`, `"default"` (the default) or `"high"`.
 * - `migration-type`: `"auto"` (the default), `"hot"` or `"cold"`.
 * - `max-downtime-ms` (1 to 600000), `bandwidth-mibps` (1 to 1048576),
 *   `completion-timeout-s` (1 to 604800), `parallel-connections` (1 to 64):
 *   integers; left out, the backend's default applies (0, the API's value for
 *   "default", is not written in a document).
 * - `on-timeout`: `"abort"` (the default), `"force-complete"`,
 *   `"post-copy"` (needs `"post-copy": true`) or `"suspend"`.
 * - `auto-converge`, `post-copy`, `compression`: booleans, %FALSE by default.
 * - `max-downtime-ms`, `auto-converge`, `post-copy` and an `on-timeout` of
 *   `"post-copy"` only apply to live moves, and are refused together with
 *   `"migration-type": "cold"`.
 *
 * Anything else is refused with %VMM_ERROR_INVALID_SPEC, and the message
 * starts with the path of the offending member and says why, for example
 * `disks[1].datastore: missing (each disk locator needs a target datastore)`,
 * `hots: unknown member (did you mean "host"?)` or
 * `networks["VM Network"]: must be a string (...), not an integer`. A
 * document that is not JSON is refused with json-glib's message, which gives
 * the line and the column; problems of the document as a whole use the path
 * `(root)`. A member given twice in one object is refused as well, rather
 * than silently keeping the last value.
 *
 * vmm_relocate_spec_to_json() writes this format back.
 *
 * Returns: (transfer full): a new valid #VmmRelocateSpec, or %NULL on error
 *
 * Since: 1.0
 */
VmmRelocateSpec *
vmm_relocate_spec_new_from_json (const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (VmmJsonDupTracker) tracker = { NULL };
  VmmJsonTopLevel top = { 0 };
  gboolean ret;
  g_autoptr (GError) error_local = NULL;
  g_autoptr (VmmRelocateSpec) self = NULL;
  JsonNode *root;

  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  vmm_json_dup_tracker_init (&tracker);
  g_signal_connect (parser, "object-member", G_CALLBACK (vmm_json_dup_tracker_object_member_cb),
                    &tracker);
  vmm_json_top_level_connect (parser, &top);
  ret = json_parser_load_from_data (parser, json, -1, &error_local);
  g_signal_handlers_disconnect_by_data (parser, &tracker);
  g_signal_handlers_disconnect_by_data (parser, &top);
  if (!ret)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "(root): invalid JSON: %s",
                   error_local->message);
      return NULL;
    }
  if (json_parser_has_assignment (parser, NULL))
    {
      vmm_spec_error (error, "(root)",
                      "invalid JSON: a JavaScript assignment (expected a JSON object)");
      return NULL;
    }
  if (top.n_values > 1)
    {
      vmm_spec_error (error, "(root)",
                      "invalid JSON: %u values one after the other (expected one JSON object)",
                      top.n_values);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      vmm_spec_error (error, "(root)", "empty document (expected a JSON object)");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      vmm_spec_error (error, "(root)", "must be a JSON object, not %s", vmm_json_describe (root));
      return NULL;
    }

  self = vmm_relocate_spec_new ();
  if (!vmm_relocate_spec_load_json (self, json_node_get_object (root), &tracker, error))
    return NULL;
  if (tracker.dups->len > 0)
    {
      /* not reached: the walk above visits every object of a valid spec */
      VmmJsonDup *dup = g_ptr_array_index (tracker.dups, 0);
      vmm_spec_error (error, dup->member, "duplicate member (give each member once)");
      return NULL;
    }
  if (!vmm_relocate_spec_check (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

static void
vmm_json_add_string (JsonBuilder *builder, const char *member, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

static void
vmm_json_add_uint (JsonBuilder *builder, const char *member, guint value)
{
  if (value == 0)
    return;
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

static void
vmm_json_add_boolean (JsonBuilder *builder, const char *member, gboolean value)
{
  if (!value)
    return;
  json_builder_set_member_name (builder, member);
  json_builder_add_boolean_value (builder, TRUE);
}

static void
vmm_json_add_enum (JsonBuilder *builder, const char *member, const char *const *names, guint value,
                   guint default_value)
{
  if (value == default_value)
    return;
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, names[value]);
}

/**
 * vmm_relocate_spec_to_json:
 * @self: a #VmmRelocateSpec
 *
 * Writes @self in the format vmm_relocate_spec_new_from_json() reads,
 * pretty-printed with an indent of two spaces and without a final newline.
 * Only the members that differ from their default are written, in the
 * order of the format, and the network map is sorted by source network, so
 * a valid spec survives the round trip unchanged and equal specs give the
 * same text.
 *
 * The spec is not validated first; vmm_relocate_spec_validate() tells
 * whether vmm_relocate_spec_new_from_json() will accept the result.
 *
 * Returns: (transfer full): the JSON document
 *
 * Since: 1.0
 */
char *
vmm_relocate_spec_to_json (VmmRelocateSpec *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), NULL);

  json_builder_begin_object (builder);
  vmm_json_add_string (builder, "host", self->host);
  vmm_json_add_string (builder, "resource-pool", self->resource_pool);
  vmm_json_add_string (builder, "datastore", self->datastore);
  vmm_json_add_string (builder, "folder", self->folder);

  if (self->service_locator != NULL)
    {
      VmmServiceLocator *locator = self->service_locator;

      json_builder_set_member_name (builder, "service-locator");
      json_builder_begin_object (builder);
      vmm_json_add_string (builder, "url", vmm_service_locator_get_url (locator));
      vmm_json_add_string (builder, "credential", vmm_service_locator_get_credential (locator));
      vmm_json_add_string (builder, "ssl-thumbprint",
                           vmm_service_locator_get_ssl_thumbprint (locator));
      json_builder_end_object (builder);
    }

  if (self->disks != NULL && self->disks->len > 0)
    {
      json_builder_set_member_name (builder, "disks");
      json_builder_begin_array (builder);
      for (guint i = 0; i < self->disks->len; i++)
        {
          VmmDiskLocator *disk = g_ptr_array_index (self->disks, i);

          json_builder_begin_object (builder);
          vmm_json_add_string (builder, "key", vmm_disk_locator_get_key (disk));
          vmm_json_add_string (builder, "datastore", vmm_disk_locator_get_datastore (disk));
          vmm_json_add_enum (builder, "move-type", move_type_names,
                             vmm_disk_locator_get_move_type (disk), VMM_DISK_MOVE_TYPE_MOVE_ALL);
          vmm_json_add_enum (builder, "transform", transform_names,
                             vmm_disk_locator_get_transform (disk), VMM_DISK_TRANSFORM_NONE);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  if (self->networks != NULL && g_hash_table_size (self->networks) > 0)
    {
      guint n_names = 0;
      g_autofree const char **names = vmm_spec_network_names_sorted (self->networks, &n_names);

      json_builder_set_member_name (builder, "networks");
      json_builder_begin_object (builder);
      for (guint i = 0; i < n_names; i++)
        vmm_json_add_string (builder, names[i], g_hash_table_lookup (self->networks, names[i]));
      json_builder_end_object (builder);
    }

  vmm_json_add_enum (builder, "priority", priority_names, self->priority, VMM_PRIORITY_DEFAULT);
  vmm_json_add_enum (builder, "migration-type", migration_type_names, self->migration_type,
                     VMM_MIGRATION_PREFERENCE_AUTO);
  vmm_json_add_uint (builder, "max-downtime-ms", self->max_downtime_ms);
  vmm_json_add_uint (builder, "bandwidth-mibps", self->bandwidth_mibps);
  vmm_json_add_uint (builder, "completion-timeout-s", self->completion_timeout_s);
  vmm_json_add_enum (builder, "on-timeout", on_timeout_names, self->on_timeout,
                     VMM_ON_TIMEOUT_ABORT);
  vmm_json_add_boolean (builder, "auto-converge", self->auto_converge);
  vmm_json_add_boolean (builder, "post-copy", self->post_copy);
  vmm_json_add_boolean (builder, "compression", self->compression);
  vmm_json_add_uint (builder, "parallel-connections", self->parallel_connections);
  vmm_json_add_boolean (builder, "allow-storage-class-change", self->allow_storage_class_change);
  vmm_json_add_boolean (builder, "allow-zone-change", self->allow_zone_change);
  vmm_json_add_boolean (builder, "detach-unreachable-devices", self->detach_unreachable_devices);
  vmm_json_add_boolean (builder, "fallback-other-host", self->fallback_other_host);
  vmm_json_add_boolean (builder, "fallback-cold", self->fallback_cold);
  vmm_json_add_boolean (builder, "keep-source-disks", self->keep_source_disks);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_indent_char (generator, ' ');
  return json_generator_to_data (generator, NULL);
}

/**
 * vmm_relocate_spec_validate:
 * @self: a #VmmRelocateSpec
 * @error: return location for a #GError
 *
 * Checks a spec built through the API with the rules that
 * vmm_relocate_spec_new_from_json() applies to a document: non-empty names,
 * a service locator with a usable http(s) URL without a password and a
 * well-formed fingerprint, one locator per disk key with a target datastore,
 * non-empty network names, tuning values in range (0 meaning the backend's
 * default), an on-timeout of %VMM_ON_TIMEOUT_POST_COPY only with post-copy
 * allowed, and no live-only tuning on a cold move.
 *
 * It does not look anything up: whether the host or datastore exists is for
 * the engine's prechecks.
 *
 * Returns: %TRUE if @self is valid; otherwise %FALSE with @error set to
 *   %VMM_ERROR_INVALID_SPEC, its message starting with the path of the bad
 *   field in the JSON format (for example `disks[1].datastore`)
 *
 * Since: 1.0
 */
gboolean
vmm_relocate_spec_validate (VmmRelocateSpec *self, GError **error)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return vmm_relocate_spec_check (self, error);
}

static VmmServiceLocator *
vmm_spec_service_locator_dup (VmmServiceLocator *locator)
{
  return g_object_new (VMM_TYPE_SERVICE_LOCATOR, "url", vmm_service_locator_get_url (locator),
                       "credential", vmm_service_locator_get_credential (locator), "ssl-thumbprint",
                       vmm_service_locator_get_ssl_thumbprint (locator), NULL);
}

static VmmDiskLocator *
vmm_spec_disk_locator_dup (VmmDiskLocator *disk)
{
  return g_object_new (VMM_TYPE_DISK_LOCATOR, "key", vmm_disk_locator_get_key (disk), "datastore",
                       vmm_disk_locator_get_datastore (disk), "move-type",
                       vmm_disk_locator_get_move_type (disk), "transform",
                       vmm_disk_locator_get_transform (disk), NULL);
}

/**
 * vmm_relocate_spec_copy:
 * @self: a #VmmRelocateSpec
 *
 * Copies @self deeply: the copy has its own service locator, disk locators
 * and network map, so changing one spec never changes the other.
 *
 * Returns: (transfer full): a new #VmmRelocateSpec equal to @self
 *
 * Since: 1.0
 */
VmmRelocateSpec *
vmm_relocate_spec_copy (VmmRelocateSpec *self)
{
  VmmRelocateSpec *copy;
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), NULL);

  copy = vmm_relocate_spec_new ();
  copy->host = g_strdup (self->host);
  copy->resource_pool = g_strdup (self->resource_pool);
  copy->datastore = g_strdup (self->datastore);
  copy->folder = g_strdup (self->folder);
  if (self->service_locator != NULL)
    copy->service_locator = vmm_spec_service_locator_dup (self->service_locator);
  for (guint i = 0; self->disks != NULL && i < self->disks->len; i++)
    g_ptr_array_add (disk_list (copy),
                     vmm_spec_disk_locator_dup (g_ptr_array_index (self->disks, i)));
  if (self->networks != NULL && g_hash_table_size (self->networks) > 0)
    {
      g_hash_table_iter_init (&iter, self->networks);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (network_map (copy), g_strdup (key), g_strdup (value));
    }
  copy->priority = self->priority;
  copy->migration_type = self->migration_type;
  copy->max_downtime_ms = self->max_downtime_ms;
  copy->bandwidth_mibps = self->bandwidth_mibps;
  copy->completion_timeout_s = self->completion_timeout_s;
  copy->on_timeout = self->on_timeout;
  copy->auto_converge = self->auto_converge;
  copy->post_copy = self->post_copy;
  copy->compression = self->compression;
  copy->allow_storage_class_change = self->allow_storage_class_change;
  copy->allow_zone_change = self->allow_zone_change;
  copy->detach_unreachable_devices = self->detach_unreachable_devices;
  copy->fallback_other_host = self->fallback_other_host;
  copy->fallback_cold = self->fallback_cold;
  copy->keep_source_disks = self->keep_source_disks;
  copy->parallel_connections = self->parallel_connections;
  return copy;
}

/**
 * vmm_relocate_spec_is_empty:
 * @self: a #VmmRelocateSpec
 *
 * Tells whether @self moves nothing: no host, resource pool, datastore,
 * folder, service locator, disk locator or network mapping is set. Priority,
 * migration type and tuning alone do not move a VM.
 *
 * Returns: %TRUE if the spec names no target
 *
 * Since: 1.0
 */
gboolean
vmm_relocate_spec_is_empty (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), TRUE);

  return self->host == NULL && self->resource_pool == NULL && self->datastore == NULL
         && self->folder == NULL && self->service_locator == NULL
         && (self->disks == NULL || self->disks->len == 0)
         && (self->networks == NULL || g_hash_table_size (self->networks) == 0);
}

static void
vmm_spec_set_string (VmmRelocateSpec *self, char **field, const char *value, guint prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop_id]);
}

static void
vmm_spec_set_uint (VmmRelocateSpec *self, guint *field, guint value, guint prop_id)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop_id]);
}

static void
vmm_spec_set_boolean (VmmRelocateSpec *self, gboolean *field, gboolean value, guint prop_id)
{
  value = value ? TRUE : FALSE;
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop_id]);
}

/**
 * vmm_relocate_spec_get_host:
 * @self: a #VmmRelocateSpec
 *
 * Gets the host to move the VM to.
 *
 * Returns: (nullable): the host, or %NULL to keep the VM's host
 *
 * Since: 1.0
 */
const char *
vmm_relocate_spec_get_host (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), NULL);
  return self->host;
}

/**
 * vmm_relocate_spec_set_host:
 * @self: a #VmmRelocateSpec
 * @host: (nullable): the host to move the VM to, or %NULL to keep its host
 *
 * Sets the host to move the VM to.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_host (VmmRelocateSpec *self, const char *host)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_string (self, &self->host, host, PROP_HOST);
}

/**
 * vmm_relocate_spec_get_resource_pool:
 * @self: a #VmmRelocateSpec
 *
 * Gets the resource pool to move the VM to.
 *
 * Returns: (nullable): the resource pool, or %NULL to keep the VM's pool
 *
 * Since: 1.0
 */
const char *
vmm_relocate_spec_get_resource_pool (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), NULL);
  return self->resource_pool;
}

/**
 * vmm_relocate_spec_set_resource_pool:
 * @self: a #VmmRelocateSpec
 * @pool: (nullable): the resource pool to move the VM to, or %NULL to keep
 *   its pool
 *
 * Sets the resource pool to move the VM to.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_resource_pool (VmmRelocateSpec *self, const char *pool)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_string (self, &self->resource_pool, pool, PROP_RESOURCE_POOL);
}

/**
 * vmm_relocate_spec_get_datastore:
 * @self: a #VmmRelocateSpec
 *
 * Gets the primary datastore to move the VM to.
 *
 * Returns: (nullable): the datastore, or %NULL to keep the VM's datastore
 *
 * Since: 1.0
 */
const char *
vmm_relocate_spec_get_datastore (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), NULL);
  return self->datastore;
}

/**
 * vmm_relocate_spec_set_datastore:
 * @self: a #VmmRelocateSpec
 * @datastore: (nullable): the primary datastore to move the VM to, or %NULL
 *   to keep it
 *
 * Sets the primary datastore: where the VM's configuration and every disk
 * without a #VmmDiskLocator go.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_datastore (VmmRelocateSpec *self, const char *datastore)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_string (self, &self->datastore, datastore, PROP_DATASTORE);
}

/**
 * vmm_relocate_spec_get_folder:
 * @self: a #VmmRelocateSpec
 *
 * Gets the inventory folder to move the VM to.
 *
 * Returns: (nullable): the folder, or %NULL to keep the VM's folder
 *
 * Since: 1.0
 */
const char *
vmm_relocate_spec_get_folder (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), NULL);
  return self->folder;
}

/**
 * vmm_relocate_spec_set_folder:
 * @self: a #VmmRelocateSpec
 * @folder: (nullable): the inventory folder to move the VM to, or %NULL to
 *   keep it
 *
 * Sets the inventory folder to move the VM to.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_folder (VmmRelocateSpec *self, const char *folder)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_string (self, &self->folder, folder, PROP_FOLDER);
}

/**
 * vmm_relocate_spec_get_service_locator:
 * @self: a #VmmRelocateSpec
 *
 * Gets the other manager to move the VM to.
 *
 * Returns: (transfer none) (nullable): the service locator, or %NULL to stay
 *   with the current manager
 *
 * Since: 1.0
 */
VmmServiceLocator *
vmm_relocate_spec_get_service_locator (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), NULL);
  return self->service_locator;
}

/**
 * vmm_relocate_spec_set_service_locator:
 * @self: a #VmmRelocateSpec
 * @locator: (nullable): the other manager to move the VM to, or %NULL
 *
 * Sets the other manager to move the VM to. The spec keeps a reference to
 * @locator.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_service_locator (VmmRelocateSpec *self, VmmServiceLocator *locator)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  g_return_if_fail (locator == NULL || VMM_IS_SERVICE_LOCATOR (locator));

  if (g_set_object (&self->service_locator, locator))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SERVICE_LOCATOR]);
}

/**
 * vmm_relocate_spec_get_disks:
 * @self: a #VmmRelocateSpec
 *
 * Gets the disk locators, in the order they were added.
 *
 * Returns: (transfer none) (element-type VmmDiskLocator): the disk locators
 *
 * Since: 1.0
 */
GPtrArray *
vmm_relocate_spec_get_disks (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), NULL);
  return disk_list (self);
}

/**
 * vmm_relocate_spec_add_disk:
 * @self: a #VmmRelocateSpec
 * @disk: a #VmmDiskLocator
 *
 * Adds a disk locator. A locator for a disk key that the spec already has
 * replaces the old one in its place, so each disk has at most one locator.
 * The spec keeps a reference to @disk.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_add_disk (VmmRelocateSpec *self, VmmDiskLocator *disk)
{
  const char *key;

  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  g_return_if_fail (VMM_IS_DISK_LOCATOR (disk));

  key = vmm_disk_locator_get_key (disk);
  for (guint i = 0; key != NULL && self->disks != NULL && i < self->disks->len; i++)
    {
      VmmDiskLocator *old = g_ptr_array_index (self->disks, i);
      if (g_strcmp0 (vmm_disk_locator_get_key (old), key) == 0)
        {
          g_ptr_array_index (self->disks, i) = g_object_ref (disk);
          g_object_unref (old);
          return;
        }
    }
  g_ptr_array_add (disk_list (self), g_object_ref (disk));
}

/**
 * vmm_relocate_spec_lookup_disk:
 * @self: a #VmmRelocateSpec
 * @key: a disk key
 *
 * Finds the locator of the disk @key.
 *
 * Returns: (transfer none) (nullable): the disk locator, or %NULL if the disk
 *   has none (it then follows the primary datastore)
 *
 * Since: 1.0
 */
VmmDiskLocator *
vmm_relocate_spec_lookup_disk (VmmRelocateSpec *self, const char *key)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; self->disks != NULL && i < self->disks->len; i++)
    {
      VmmDiskLocator *disk = g_ptr_array_index (self->disks, i);
      if (g_strcmp0 (vmm_disk_locator_get_key (disk), key) == 0)
        return disk;
    }
  return NULL;
}

/**
 * vmm_relocate_spec_add_network_map:
 * @self: a #VmmRelocateSpec
 * @old_network: the name of a network the VM's NICs are on now
 * @new_network: the name of the network at the destination they move to
 *
 * Maps the NICs on @old_network to @new_network, replacing an earlier
 * mapping of @old_network.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_add_network_map (VmmRelocateSpec *self, const char *old_network,
                                   const char *new_network)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  g_return_if_fail (old_network != NULL);
  g_return_if_fail (new_network != NULL);

  g_hash_table_replace (network_map (self), g_strdup (old_network), g_strdup (new_network));
}

/**
 * vmm_relocate_spec_map_network:
 * @self: a #VmmRelocateSpec
 * @network: the name of a network the VM's NICs are on now
 *
 * Tells which network the NICs on @network move to.
 *
 * Returns: (transfer none): the destination network mapped from @network,
 *   or @network itself when it is not remapped
 *
 * Since: 1.0
 */
const char *
vmm_relocate_spec_map_network (VmmRelocateSpec *self, const char *network)
{
  const char *target;

  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), NULL);
  g_return_val_if_fail (network != NULL, NULL);

  target = self->networks != NULL ? g_hash_table_lookup (self->networks, network) : NULL;
  return target != NULL ? target : network;
}

GHashTable *
vmm_relocate_spec_peek_network_map (VmmRelocateSpec *self)
{
  return self->networks;
}

/**
 * vmm_relocate_spec_get_network_map:
 * @self: a #VmmRelocateSpec
 *
 * Gets the network map: source network name to destination network name.
 *
 * Returns: (transfer none) (element-type utf8 utf8): the network map
 *
 * Since: 1.0
 */
GHashTable *
vmm_relocate_spec_get_network_map (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), NULL);
  return network_map (self);
}

/**
 * vmm_relocate_spec_get_priority:
 * @self: a #VmmRelocateSpec
 *
 * Gets the priority of the migration.
 *
 * Returns: the priority, %VMM_PRIORITY_DEFAULT by default
 *
 * Since: 1.0
 */
VmmPriority
vmm_relocate_spec_get_priority (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), VMM_PRIORITY_DEFAULT);
  return self->priority;
}

/**
 * vmm_relocate_spec_set_priority:
 * @self: a #VmmRelocateSpec
 * @priority: a #VmmPriority
 *
 * Sets the priority of the migration.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_priority (VmmRelocateSpec *self, VmmPriority priority)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  g_return_if_fail ((guint)priority <= VMM_PRIORITY_HIGH);
  if (self->priority == priority)
    return;
  self->priority = priority;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PRIORITY]);
}

/**
 * vmm_relocate_spec_get_migration_type:
 * @self: a #VmmRelocateSpec
 *
 * Gets which kind of move the caller accepts.
 *
 * Returns: the preference, %VMM_MIGRATION_PREFERENCE_AUTO by default
 *
 * Since: 1.0
 */
VmmMigrationPreference
vmm_relocate_spec_get_migration_type (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), VMM_MIGRATION_PREFERENCE_AUTO);
  return self->migration_type;
}

/**
 * vmm_relocate_spec_set_migration_type:
 * @self: a #VmmRelocateSpec
 * @pref: a #VmmMigrationPreference
 *
 * Sets which kind of move the caller accepts.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_migration_type (VmmRelocateSpec *self, VmmMigrationPreference pref)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  g_return_if_fail ((guint)pref <= VMM_MIGRATION_PREFERENCE_COLD);
  if (self->migration_type == pref)
    return;
  self->migration_type = pref;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MIGRATION_TYPE]);
}

/**
 * vmm_relocate_spec_get_max_downtime_ms:
 * @self: a #VmmRelocateSpec
 *
 * Gets the longest the guest may be paused when a live move switches over.
 *
 * Returns: the maximum downtime in milliseconds, or 0 for the backend's
 *   default
 *
 * Since: 1.0
 */
guint
vmm_relocate_spec_get_max_downtime_ms (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), 0);
  return self->max_downtime_ms;
}

/**
 * vmm_relocate_spec_set_max_downtime_ms:
 * @self: a #VmmRelocateSpec
 * @ms: the maximum downtime in milliseconds (1 to 600000), or 0 for the
 *   backend's default
 *
 * Sets the longest the guest may be paused when a live move switches over.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_max_downtime_ms (VmmRelocateSpec *self, guint ms)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_uint (self, &self->max_downtime_ms, ms, PROP_MAX_DOWNTIME_MS);
}

/**
 * vmm_relocate_spec_get_bandwidth_mibps:
 * @self: a #VmmRelocateSpec
 *
 * Gets the bandwidth limit of the move.
 *
 * Returns: the limit in MiB/s, or 0 for the backend's default
 *
 * Since: 1.0
 */
guint
vmm_relocate_spec_get_bandwidth_mibps (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), 0);
  return self->bandwidth_mibps;
}

/**
 * vmm_relocate_spec_set_bandwidth_mibps:
 * @self: a #VmmRelocateSpec
 * @mibps: the limit in MiB/s (1 to 1048576), or 0 for the backend's default
 *
 * Sets the bandwidth limit of the move.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_bandwidth_mibps (VmmRelocateSpec *self, guint mibps)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_uint (self, &self->bandwidth_mibps, mibps, PROP_BANDWIDTH_MIBPS);
}

/**
 * vmm_relocate_spec_get_completion_timeout_s:
 * @self: a #VmmRelocateSpec
 *
 * Gets how long the move may take before the on-timeout action applies.
 *
 * Returns: the timeout in seconds, or 0 for none
 *
 * Since: 1.0
 */
guint
vmm_relocate_spec_get_completion_timeout_s (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), 0);
  return self->completion_timeout_s;
}

/**
 * vmm_relocate_spec_set_completion_timeout_s:
 * @self: a #VmmRelocateSpec
 * @seconds: the timeout in seconds (1 to 604800), or 0 for none
 *
 * Sets how long the move may take before the on-timeout action applies.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_completion_timeout_s (VmmRelocateSpec *self, guint seconds)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_uint (self, &self->completion_timeout_s, seconds, PROP_COMPLETION_TIMEOUT_S);
}

/**
 * vmm_relocate_spec_get_on_timeout:
 * @self: a #VmmRelocateSpec
 *
 * Gets what happens when the move exceeds its completion timeout.
 *
 * Returns: the action, %VMM_ON_TIMEOUT_ABORT by default
 *
 * Since: 1.0
 */
VmmOnTimeoutAction
vmm_relocate_spec_get_on_timeout (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), VMM_ON_TIMEOUT_ABORT);
  return self->on_timeout;
}

/**
 * vmm_relocate_spec_set_on_timeout:
 * @self: a #VmmRelocateSpec
 * @action: a #VmmOnTimeoutAction
 *
 * Sets what happens when the move exceeds its completion timeout.
 * %VMM_ON_TIMEOUT_POST_COPY needs vmm_relocate_spec_set_post_copy().
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_on_timeout (VmmRelocateSpec *self, VmmOnTimeoutAction action)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  g_return_if_fail ((guint)action <= VMM_ON_TIMEOUT_SUSPEND);
  if (self->on_timeout == action)
    return;
  self->on_timeout = action;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ON_TIMEOUT]);
}

/**
 * vmm_relocate_spec_get_auto_converge:
 * @self: a #VmmRelocateSpec
 *
 * Gets whether a live move may throttle the guest's CPUs to converge.
 *
 * Returns: %TRUE if auto-converge is allowed
 *
 * Since: 1.0
 */
gboolean
vmm_relocate_spec_get_auto_converge (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), FALSE);
  return self->auto_converge;
}

/**
 * vmm_relocate_spec_set_auto_converge:
 * @self: a #VmmRelocateSpec
 * @enabled: whether auto-converge is allowed
 *
 * Sets whether a live move may throttle the guest's CPUs to converge.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_auto_converge (VmmRelocateSpec *self, gboolean enabled)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_boolean (self, &self->auto_converge, enabled, PROP_AUTO_CONVERGE);
}

/**
 * vmm_relocate_spec_get_post_copy:
 * @self: a #VmmRelocateSpec
 *
 * Gets whether a live move may switch to post-copy.
 *
 * Returns: %TRUE if post-copy is allowed
 *
 * Since: 1.0
 */
gboolean
vmm_relocate_spec_get_post_copy (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), FALSE);
  return self->post_copy;
}

/**
 * vmm_relocate_spec_set_post_copy:
 * @self: a #VmmRelocateSpec
 * @enabled: whether post-copy is allowed
 *
 * Sets whether a live move may switch to post-copy.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_post_copy (VmmRelocateSpec *self, gboolean enabled)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_boolean (self, &self->post_copy, enabled, PROP_POST_COPY);
}

/**
 * vmm_relocate_spec_get_compression:
 * @self: a #VmmRelocateSpec
 *
 * Gets whether the data moved is compressed on the wire.
 *
 * Returns: %TRUE if compression is on
 *
 * Since: 1.0
 */
gboolean
vmm_relocate_spec_get_compression (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), FALSE);
  return self->compression;
}

/**
 * vmm_relocate_spec_set_compression:
 * @self: a #VmmRelocateSpec
 * @enabled: whether to compress the data moved
 *
 * Sets whether the data moved is compressed on the wire.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_compression (VmmRelocateSpec *self, gboolean enabled)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_boolean (self, &self->compression, enabled, PROP_COMPRESSION);
}

/**
 * vmm_relocate_spec_get_parallel_connections:
 * @self: a #VmmRelocateSpec
 *
 * Gets the number of parallel connections the move uses.
 *
 * Returns: the number of connections, or 0 for the backend's default
 *
 * Since: 1.0
 */
guint
vmm_relocate_spec_get_parallel_connections (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), 0);
  return self->parallel_connections;
}

/**
 * vmm_relocate_spec_set_parallel_connections:
 * @self: a #VmmRelocateSpec
 * @connections: the number of connections (1 to 64), or 0 for the backend's
 *   default
 *
 * Sets the number of parallel connections the move uses.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_parallel_connections (VmmRelocateSpec *self, guint connections)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_uint (self, &self->parallel_connections, connections, PROP_PARALLEL_CONNECTIONS);
}

/**
 * vmm_relocate_spec_get_allow_storage_class_change:
 * @self: a #VmmRelocateSpec
 *
 * Gets #VmmRelocateSpec:allow-storage-class-change.
 *
 * Returns: the value
 *
 * Since: 1.0
 */
gboolean
vmm_relocate_spec_get_allow_storage_class_change (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), FALSE);
  return self->allow_storage_class_change;
}

/**
 * vmm_relocate_spec_set_allow_storage_class_change:
 * @self: a #VmmRelocateSpec
 * @enabled: the value
 *
 * Sets #VmmRelocateSpec:allow-storage-class-change.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_allow_storage_class_change (VmmRelocateSpec *self, gboolean enabled)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_boolean (self, &self->allow_storage_class_change, enabled,
                        PROP_ALLOW_STORAGE_CLASS_CHANGE);
}

/**
 * vmm_relocate_spec_get_allow_zone_change:
 * @self: a #VmmRelocateSpec
 *
 * Gets #VmmRelocateSpec:allow-zone-change.
 *
 * Returns: the value
 *
 * Since: 1.0
 */
gboolean
vmm_relocate_spec_get_allow_zone_change (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), FALSE);
  return self->allow_zone_change;
}

/**
 * vmm_relocate_spec_set_allow_zone_change:
 * @self: a #VmmRelocateSpec
 * @enabled: the value
 *
 * Sets #VmmRelocateSpec:allow-zone-change.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_allow_zone_change (VmmRelocateSpec *self, gboolean enabled)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_boolean (self, &self->allow_zone_change, enabled, PROP_ALLOW_ZONE_CHANGE);
}

/**
 * vmm_relocate_spec_get_detach_unreachable_devices:
 * @self: a #VmmRelocateSpec
 *
 * Gets #VmmRelocateSpec:detach-unreachable-devices.
 *
 * Returns: the value
 *
 * Since: 1.0
 */
gboolean
vmm_relocate_spec_get_detach_unreachable_devices (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), FALSE);
  return self->detach_unreachable_devices;
}

/**
 * vmm_relocate_spec_set_detach_unreachable_devices:
 * @self: a #VmmRelocateSpec
 * @enabled: the value
 *
 * Sets #VmmRelocateSpec:detach-unreachable-devices.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_detach_unreachable_devices (VmmRelocateSpec *self, gboolean enabled)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_boolean (self, &self->detach_unreachable_devices, enabled,
                        PROP_DETACH_UNREACHABLE_DEVICES);
}

/**
 * vmm_relocate_spec_get_fallback_other_host:
 * @self: a #VmmRelocateSpec
 *
 * Gets #VmmRelocateSpec:fallback-other-host.
 *
 * Returns: the value
 *
 * Since: 1.0
 */
gboolean
vmm_relocate_spec_get_fallback_other_host (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), FALSE);
  return self->fallback_other_host;
}

/**
 * vmm_relocate_spec_set_fallback_other_host:
 * @self: a #VmmRelocateSpec
 * @enabled: the value
 *
 * Sets #VmmRelocateSpec:fallback-other-host.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_fallback_other_host (VmmRelocateSpec *self, gboolean enabled)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_boolean (self, &self->fallback_other_host, enabled, PROP_FALLBACK_OTHER_HOST);
}

/**
 * vmm_relocate_spec_get_fallback_cold:
 * @self: a #VmmRelocateSpec
 *
 * Gets #VmmRelocateSpec:fallback-cold.
 *
 * Returns: the value
 *
 * Since: 1.0
 */
gboolean
vmm_relocate_spec_get_fallback_cold (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), FALSE);
  return self->fallback_cold;
}

/**
 * vmm_relocate_spec_set_fallback_cold:
 * @self: a #VmmRelocateSpec
 * @enabled: the value
 *
 * Sets #VmmRelocateSpec:fallback-cold.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_fallback_cold (VmmRelocateSpec *self, gboolean enabled)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_boolean (self, &self->fallback_cold, enabled, PROP_FALLBACK_COLD);
}

/**
 * vmm_relocate_spec_get_keep_source_disks:
 * @self: a #VmmRelocateSpec
 *
 * Gets #VmmRelocateSpec:keep-source-disks.
 *
 * Returns: the value
 *
 * Since: 1.0
 */
gboolean
vmm_relocate_spec_get_keep_source_disks (VmmRelocateSpec *self)
{
  g_return_val_if_fail (VMM_IS_RELOCATE_SPEC (self), FALSE);
  return self->keep_source_disks;
}

/**
 * vmm_relocate_spec_set_keep_source_disks:
 * @self: a #VmmRelocateSpec
 * @enabled: the value
 *
 * Sets #VmmRelocateSpec:keep-source-disks.
 *
 * Since: 1.0
 */
void
vmm_relocate_spec_set_keep_source_disks (VmmRelocateSpec *self, gboolean enabled)
{
  g_return_if_fail (VMM_IS_RELOCATE_SPEC (self));
  vmm_spec_set_boolean (self, &self->keep_source_disks, enabled, PROP_KEEP_SOURCE_DISKS);
}
