/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmmigrate: list, plan and migrate VMs from the command line.
 *
 * An example of the public API: every command opens a backend by URI, asks
 * it or the engine, and prints for people (a live progress bar on a
 * terminal) or for programs (--json). See vmmigrate(1). */
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli-migration.h"
#include "cli-spec.h"

/* --- global options (every command takes them) --- */

static char *opt_uri;
static char *opt_credentials;
static gboolean opt_json;

static const GOptionEntry global_entries[] = {
  { "connect", 'c', 0, G_OPTION_ARG_STRING, &opt_uri,
    "Backend URI (default: $VMMIGRATE_URI, else sim://)", "URI" },
  { "credentials", 0, 0, G_OPTION_ARG_FILENAME, &opt_credentials,
    "Read the backend's credentials from FILE (default: $VMMIGRATE_CREDENTIALS)", "FILE" },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "Print JSON for programs", NULL },
  { NULL },
};

static char command_name[64] = "vmmigrate";
/* migrate --json prints events: its failures are "error" event lines too */
static gboolean json_events;

/* Prints the one line that explains a failure on stderr (and, with --json,
 * the same as an object on stdout) and returns @code. */
static int
fail (CliExit code, const GError *error)
{
  g_autofree char *line = g_strdup (error->message);

  g_strdelimit (line, "\n\r", ' ');
  g_printerr ("%s: %s\n", command_name, line);
  if (opt_json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      if (json_events)
        {
          json_builder_set_member_name (b, "event");
          json_builder_add_string_value (b, "error");
        }
      cli_json_add_error (b, error, code);
      if (json_events)
        {
          json_builder_set_member_name (b, "result");
          json_builder_add_null_value (b);
        }
      json_builder_end_object (b);
      cli_json_print_builder (b, !json_events);
    }
  return code;
}

static int
fail_literal (CliExit code, GQuark domain, int error_code, const char *message)
{
  g_autoptr (GError) error = g_error_new_literal (domain, error_code, message);

  return fail (code, error);
}

/* --- credentials: from a file or the environment, never from options --- */

static gboolean
valid_env_name (const char *name)
{
  if (!g_ascii_isalpha (name[0]) && name[0] != '_')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

/* Reads FILE's [environment] group into the process environment, where the
 * backends read their secrets (OS_PASSWORD, GOVC_PASSWORD, LIBVIRT_AUTH_FILE,
 * ...). The file must be readable by its owner only, like ssh keys. */
static gboolean
load_credentials (const char *path, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_auto (GStrv) keys = NULL;
  struct stat st;

  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "credentials file %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "credentials file %s is accessible by other users (chmod 600 it)", path);
      return FALSE;
    }
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "credentials file %s: ", path);
      return FALSE;
    }
  keys = g_key_file_get_keys (file, "environment", NULL, error);
  if (keys == NULL)
    {
      g_prefix_error (error, "credentials file %s: ", path);
      return FALSE;
    }
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *value = NULL;

      if (!valid_env_name (keys[i]))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "credentials file %s: '%s' is not an environment variable name", path,
                       keys[i]);
          return FALSE;
        }
      value = g_key_file_get_string (file, "environment", keys[i], error);
      if (value == NULL)
        return FALSE;
      g_setenv (keys[i], value, TRUE);
    }
  return TRUE;
}

/* The URI must not carry a secret: it shows in `ps` and in shell history. */
static gboolean
check_uri (const char *uri, GError **error)
{
  static const char *const secret_params[]
      = { "password", "passwd", "token", "secret", "api-key", "apikey", NULL };
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
  g_autoptr (GHashTable) params = NULL;
  const char *userinfo;

  if (parsed == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "-c: not a URI (expected for example sim:// or sim:///path/inventory.json)");
      return FALSE;
    }
  userinfo = g_uri_get_userinfo (parsed);
  if (userinfo != NULL && strchr (userinfo, ':') != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "-c: the URI must not contain a password; use --credentials FILE or the "
                   "environment");
      return FALSE;
    }
  if (g_uri_get_query (parsed) != NULL)
    {
      params = g_uri_parse_params (g_uri_get_query (parsed), -1, "&", G_URI_PARAMS_CASE_INSENSITIVE,
                                   NULL);
      for (guint i = 0; params != NULL && secret_params[i] != NULL; i++)
        if (g_hash_table_contains (params, secret_params[i]))
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "-c: the URI must not contain a %s; use --credentials FILE or the "
                         "environment",
                         secret_params[i]);
            return FALSE;
          }
    }
  return TRUE;
}

static const char *
backend_uri (void)
{
  if (opt_uri != NULL)
    return opt_uri;
  if (g_getenv ("VMMIGRATE_URI") != NULL && *g_getenv ("VMMIGRATE_URI") != '\0')
    return g_getenv ("VMMIGRATE_URI");
  return "sim://";
}

/* Opens the backend; on failure prints why and sets *exit_code. */
static VmmBackend *
open_backend (GCancellable *cancellable, int *exit_code)
{
  g_autoptr (GError) error = NULL;
  const char *credentials = opt_credentials;
  VmmBackend *backend;

  if (credentials == NULL && g_getenv ("VMMIGRATE_CREDENTIALS") != NULL)
    credentials = g_getenv ("VMMIGRATE_CREDENTIALS");
  if (!check_uri (backend_uri (), &error)
      || (credentials != NULL && !load_credentials (credentials, &error)))
    {
      *exit_code = fail (CLI_EXIT_INVALID, error);
      return NULL;
    }
  backend = vmm_backend_open (backend_uri (), cancellable, &error);
  if (backend == NULL)
    {
      g_prefix_error (&error, "cannot open %s: ", backend_uri ());
      *exit_code = fail (cli_exit_for_open_error (error), error);
    }
  return backend;
}

/* The VM the command names; an unknown VM is invalid input. */
static VmmVmInfo *
lookup_vm (VmmBackend *backend, const char *name, GCancellable *cancellable, int *exit_code)
{
  g_autoptr (GError) error = NULL;
  VmmVmInfo *vm = vmm_backend_get_vm (backend, name, cancellable, &error);

  if (vm == NULL)
    {
      if (g_error_matches (error, VMM_ERROR, VMM_ERROR_NOT_FOUND))
        {
          g_autoptr (GError) e = g_error_new (VMM_ERROR, VMM_ERROR_NOT_FOUND,
                                              "no VM named '%s' on %s", name, backend_uri ());
          *exit_code = fail (CLI_EXIT_INVALID, e);
        }
      else
        *exit_code = fail (cli_exit_for_open_error (error), error);
    }
  return vm;
}

static CliOutput
output_mode (void)
{
  if (opt_json)
    return CLI_OUTPUT_JSON;
  return isatty (STDOUT_FILENO) ? CLI_OUTPUT_TTY : CLI_OUTPUT_PLAIN;
}

/* --- signals: SIGINT and SIGTERM cancel through the GCancellable --- */

typedef struct
{
  GCancellable *cancellable;
  CliMigration *migration; /* nullable */
  guint count;
} Interrupt;

static gboolean
on_signal (gpointer user_data)
{
  Interrupt *interrupt = user_data;

  interrupt->count++;
  if (interrupt->migration != NULL)
    cli_migration_note (interrupt->migration, "cancel-requested",
                        interrupt->count == 1
                            ? "cancelling: the migration stops where the engine allows it"
                            : "still cancelling: waiting until the VM is in one place");
  g_cancellable_cancel (interrupt->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
watch_signals (Interrupt *interrupt, guint ids[2])
{
  ids[0] = g_unix_signal_add (SIGINT, on_signal, interrupt);
  ids[1] = g_unix_signal_add (SIGTERM, on_signal, interrupt);
}

static void
unwatch_signals (guint ids[2])
{
  g_source_remove (ids[0]);
  g_source_remove (ids[1]);
}

/* --- list-vms, list-hosts, show --- */

static const char *
power_name (VmmPowerState state)
{
  return cli_enum_nick (VMM_TYPE_POWER_STATE, state);
}

static void
add_string (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b, const char *member, gint64 value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_int_value (b, value);
}

static void
add_strv (JsonBuilder *b, const char *member, const char *const *values)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

static const char *
or_dash (const char *value)
{
  return value != NULL && *value != '\0' ? value : "-";
}

static VmmInventory *
query_inventory (VmmBackend *backend, GCancellable *cancellable, int *exit_code)
{
  g_autoptr (GError) error = NULL;
  VmmInventory *inventory = vmm_backend_query_inventory (backend, cancellable, &error);

  if (inventory == NULL)
    *exit_code = fail (cli_exit_for_open_error (error), error);
  return inventory;
}

static int
cmd_list_vms (char **args, GCancellable *cancellable)
{
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmInventory) inventory = NULL;
  GPtrArray *vms;
  int code = CLI_EXIT_OK;

  if ((backend = open_backend (cancellable, &code)) == NULL
      || (inventory = query_inventory (backend, cancellable, &code)) == NULL)
    return code;
  vms = vmm_inventory_get_vms (inventory);
  if (opt_json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "vms");
      json_builder_begin_array (b);
      for (guint i = 0; i < vms->len; i++)
        {
          VmmVmInfo *vm = g_ptr_array_index (vms, i);

          json_builder_begin_object (b);
          add_string (b, "name", vmm_vm_info_get_name (vm));
          add_string (b, "host", vmm_vm_info_get_host (vm));
          add_string (b, "resource-pool", vmm_vm_info_get_resource_pool (vm));
          add_string (b, "datastore", vmm_vm_info_get_datastore (vm));
          add_string (b, "power-state", power_name (vmm_vm_info_get_power_state (vm)));
          add_int (b, "memory-mib", (gint64)vmm_vm_info_get_memory_mib (vm));
          add_int (b, "vcpus", vmm_vm_info_get_vcpus (vm));
          add_int (b, "storage-bytes", (gint64)vmm_vm_info_get_storage_size (vm));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      cli_json_print_builder (b, TRUE);
      return CLI_EXIT_OK;
    }
  g_print ("%-16s %-9s %-12s %-12s %-16s %9s %5s %10s\n", "NAME", "POWER", "HOST", "POOL",
           "DATASTORE", "MEMORY", "VCPUS", "STORAGE");
  for (guint i = 0; i < vms->len; i++)
    {
      VmmVmInfo *vm = g_ptr_array_index (vms, i);
      g_autofree char *storage = cli_format_bytes (vmm_vm_info_get_storage_size (vm));
      g_autofree char *memory
          = cli_format_bytes (vmm_vm_info_get_memory_mib (vm) * G_GUINT64_CONSTANT (1048576));

      g_print ("%-16s %-9s %-12s %-12s %-16s %9s %5u %10s\n", vmm_vm_info_get_name (vm),
               power_name (vmm_vm_info_get_power_state (vm)), or_dash (vmm_vm_info_get_host (vm)),
               or_dash (vmm_vm_info_get_resource_pool (vm)),
               or_dash (vmm_vm_info_get_datastore (vm)), memory, vmm_vm_info_get_vcpus (vm),
               storage);
    }
  return CLI_EXIT_OK;
}

static int
cmd_list_hosts (char **args, GCancellable *cancellable)
{
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmInventory) inventory = NULL;
  GPtrArray *hosts;
  int code = CLI_EXIT_OK;

  if ((backend = open_backend (cancellable, &code)) == NULL
      || (inventory = query_inventory (backend, cancellable, &code)) == NULL)
    return code;
  hosts = vmm_inventory_get_hosts (inventory);
  if (opt_json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "hosts");
      json_builder_begin_array (b);
      for (guint i = 0; i < hosts->len; i++)
        {
          VmmHostInfo *host = g_ptr_array_index (hosts, i);
          g_autoptr (GPtrArray) vms
              = vmm_inventory_get_vms_on_host (inventory, vmm_host_info_get_name (host));

          json_builder_begin_object (b);
          add_string (b, "name", vmm_host_info_get_name (host));
          add_string (b, "state",
                      cli_enum_nick (VMM_TYPE_HOST_STATE, vmm_host_info_get_state (host)));
          add_string (b, "manager", vmm_host_info_get_manager (host));
          add_string (b, "datacenter", vmm_host_info_get_datacenter (host));
          add_string (b, "cluster", vmm_host_info_get_cluster (host));
          add_string (b, "zone", vmm_host_info_get_zone (host));
          add_string (b, "cpu-model", vmm_host_info_get_cpu_model (host));
          add_strv (b, "cpu-features", vmm_host_info_get_cpu_features (host));
          add_int (b, "memory-mib", (gint64)vmm_host_info_get_memory_mib (host));
          add_int (b, "memory-used-mib", (gint64)vmm_host_info_get_memory_used_mib (host));
          add_int (b, "vcpus", vmm_host_info_get_vcpus (host));
          add_int (b, "vcpus-used", vmm_host_info_get_vcpus_used (host));
          add_strv (b, "datastores", vmm_host_info_get_datastores (host));
          add_strv (b, "networks", vmm_host_info_get_networks (host));
          add_strv (b, "pools", vmm_host_info_get_pools (host));
          json_builder_set_member_name (b, "vms");
          json_builder_begin_array (b);
          for (guint v = 0; v < vms->len; v++)
            json_builder_add_string_value (b, vmm_vm_info_get_name (g_ptr_array_index (vms, v)));
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      cli_json_print_builder (b, TRUE);
      return CLI_EXIT_OK;
    }
  g_print ("%-12s %-11s %-10s %-6s %-20s %17s %9s %4s\n", "NAME", "STATE", "CLUSTER", "ZONE", "CPU",
           "MEMORY USED", "VCPUS", "VMS");
  for (guint i = 0; i < hosts->len; i++)
    {
      VmmHostInfo *host = g_ptr_array_index (hosts, i);
      g_autoptr (GPtrArray) vms
          = vmm_inventory_get_vms_on_host (inventory, vmm_host_info_get_name (host));
      g_autofree char *memory = g_strdup_printf ("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " MiB",
                                                 vmm_host_info_get_memory_used_mib (host),
                                                 vmm_host_info_get_memory_mib (host));
      g_autofree char *vcpus = g_strdup_printf ("%u/%u", vmm_host_info_get_vcpus_used (host),
                                                vmm_host_info_get_vcpus (host));

      g_print ("%-12s %-11s %-10s %-6s %-20s %17s %9s %4u\n", vmm_host_info_get_name (host),
               cli_enum_nick (VMM_TYPE_HOST_STATE, vmm_host_info_get_state (host)),
               or_dash (vmm_host_info_get_cluster (host)), or_dash (vmm_host_info_get_zone (host)),
               or_dash (vmm_host_info_get_cpu_model (host)), memory, vcpus, vms->len);
    }
  return CLI_EXIT_OK;
}

static int
cmd_show (char **args, GCancellable *cancellable)
{
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmVmInfo) vm = NULL;
  GPtrArray *disks, *devices;
  int code = CLI_EXIT_OK;

  if ((backend = open_backend (cancellable, &code)) == NULL
      || (vm = lookup_vm (backend, args[0], cancellable, &code)) == NULL)
    return code;
  disks = vmm_vm_info_get_disks (vm);
  devices = vmm_vm_info_get_devices (vm);
  if (opt_json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_string (b, "name", vmm_vm_info_get_name (vm));
      add_string (b, "id", vmm_vm_info_get_id (vm));
      add_string (b, "host", vmm_vm_info_get_host (vm));
      add_string (b, "resource-pool", vmm_vm_info_get_resource_pool (vm));
      add_string (b, "datastore", vmm_vm_info_get_datastore (vm));
      add_string (b, "folder", vmm_vm_info_get_folder (vm));
      add_string (b, "power-state", power_name (vmm_vm_info_get_power_state (vm)));
      add_int (b, "memory-mib", (gint64)vmm_vm_info_get_memory_mib (vm));
      add_int (b, "vcpus", vmm_vm_info_get_vcpus (vm));
      add_strv (b, "cpu-features", vmm_vm_info_get_cpu_features (vm));
      json_builder_set_member_name (b, "migrating");
      json_builder_add_boolean_value (b, vmm_vm_info_get_migrating (vm));
      json_builder_set_member_name (b, "disks");
      json_builder_begin_array (b);
      for (guint i = 0; i < disks->len; i++)
        {
          VmmDiskInfo *disk = g_ptr_array_index (disks, i);

          json_builder_begin_object (b);
          add_string (b, "key", vmm_disk_info_get_key (disk));
          add_string (b, "datastore", vmm_disk_info_get_datastore (disk));
          add_string (b, "path", vmm_disk_info_get_path (disk));
          add_string (b, "format", vmm_disk_info_get_format (disk));
          add_int (b, "capacity", (gint64)vmm_disk_info_get_capacity (disk));
          add_int (b, "snapshots", vmm_disk_info_get_snapshots (disk));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "devices");
      json_builder_begin_array (b);
      for (guint i = 0; i < devices->len; i++)
        {
          VmmDeviceInfo *dev = g_ptr_array_index (devices, i);

          json_builder_begin_object (b);
          add_string (b, "key", vmm_device_info_get_key (dev));
          add_string (b, "kind",
                      cli_enum_nick (VMM_TYPE_DEVICE_KIND, vmm_device_info_get_kind (dev)));
          add_string (b, "network", vmm_device_info_get_network (dev));
          add_string (b, "backing-datastore", vmm_device_info_get_backing_datastore (dev));
          add_string (b, "backing-path", vmm_device_info_get_backing_path (dev));
          json_builder_set_member_name (b, "connected");
          json_builder_add_boolean_value (b, vmm_device_info_get_connected (dev));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      cli_json_print_builder (b, TRUE);
      return CLI_EXIT_OK;
    }
  {
    g_autofree char *memory
        = cli_format_bytes (vmm_vm_info_get_memory_mib (vm) * G_GUINT64_CONSTANT (1048576));
    g_autofree char *features = NULL;

    if (vmm_vm_info_get_cpu_features (vm) != NULL)
      features = g_strjoinv (" ", (char **)vmm_vm_info_get_cpu_features (vm));
    g_print ("VM:           %s (id %s)\n", vmm_vm_info_get_name (vm),
             or_dash (vmm_vm_info_get_id (vm)));
    g_print ("Power:        %s%s\n", power_name (vmm_vm_info_get_power_state (vm)),
             vmm_vm_info_get_migrating (vm) ? " (migrating)" : "");
    g_print ("Host:         %s\n", or_dash (vmm_vm_info_get_host (vm)));
    g_print ("Pool:         %s\n", or_dash (vmm_vm_info_get_resource_pool (vm)));
    g_print ("Datastore:    %s\n", or_dash (vmm_vm_info_get_datastore (vm)));
    g_print ("Folder:       %s\n", or_dash (vmm_vm_info_get_folder (vm)));
    g_print ("Memory:       %s\n", memory);
    g_print ("vCPUs:        %u\n", vmm_vm_info_get_vcpus (vm));
    g_print ("CPU features: %s\n", or_dash (features));
  }
  for (guint i = 0; i < disks->len; i++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (disks, i);
      g_autofree char *size = cli_format_bytes (vmm_disk_info_get_capacity (disk));

      g_print ("Disk %s: [%s] %s (%s, %s, %u snapshots)\n", vmm_disk_info_get_key (disk),
               vmm_disk_info_get_datastore (disk), vmm_disk_info_get_path (disk), size,
               or_dash (vmm_disk_info_get_format (disk)), vmm_disk_info_get_snapshots (disk));
    }
  for (guint i = 0; i < devices->len; i++)
    {
      VmmDeviceInfo *dev = g_ptr_array_index (devices, i);

      g_print ("Device %s: %s", vmm_device_info_get_key (dev),
               cli_enum_nick (VMM_TYPE_DEVICE_KIND, vmm_device_info_get_kind (dev)));
      if (vmm_device_info_get_network (dev) != NULL)
        g_print (" on network %s", vmm_device_info_get_network (dev));
      if (vmm_device_info_get_backing_datastore (dev) != NULL)
        g_print (" backed by [%s] %s", vmm_device_info_get_backing_datastore (dev),
                 or_dash (vmm_device_info_get_backing_path (dev)));
      g_print ("%s\n", vmm_device_info_get_connected (dev) ? "" : " (disconnected)");
    }
  return CLI_EXIT_OK;
}

/* --- plan and migrate --- */

static CliSpecOptions spec_options;

/* Everything before the run: the spec, the backend, the VM, the migration. */
static CliMigration *
prepare_migration (const char *vm_name, VmmEngine *engine, VmmBackend **backend_out,
                   GCancellable *cancellable, int *exit_code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmRelocateSpec) spec = cli_spec_options_build (&spec_options, &error);
  g_autoptr (VmmVmInfo) vm = NULL;
  VmmMigration *migration;

  if (spec == NULL)
    {
      *exit_code = fail (CLI_EXIT_INVALID, error);
      return NULL;
    }
  if ((*backend_out = open_backend (cancellable, exit_code)) == NULL
      || (vm = lookup_vm (*backend_out, vm_name, cancellable, exit_code)) == NULL)
    return NULL;
  migration = vmm_engine_create_migration_with_type (engine, CLI_TYPE_MIGRATION, *backend_out,
                                                     vm_name, spec, &error);
  if (migration == NULL)
    {
      *exit_code = fail (cli_exit_for_migration_error (error, FALSE, NULL), error);
      return NULL;
    }
  cli_migration_set_output (CLI_MIGRATION (migration), output_mode ());
  return CLI_MIGRATION (migration);
}

typedef struct
{
  GMainLoop *loop;
  GObject *object;
  GError *error;
} AsyncWait;

static void
plan_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  AsyncWait *wait = user_data;

  wait->object = (GObject *)vmm_migration_plan_finish (VMM_MIGRATION (source), res, &wait->error);
  g_main_loop_quit (wait->loop);
}

static int
cmd_plan (char **args, GCancellable *cancellable)
{
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (CliMigration) migration = NULL;
  g_autoptr (VmmPlan) plan = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncWait wait = { loop, NULL, NULL };
  Interrupt interrupt = { cancellable, NULL, 0 };
  guint signal_ids[2];
  int code = CLI_EXIT_OK;

  migration = prepare_migration (args[0], engine, &backend, cancellable, &code);
  if (migration == NULL)
    return code;
  watch_signals (&interrupt, signal_ids);
  vmm_migration_plan_async (VMM_MIGRATION (migration), cancellable, plan_done, &wait);
  g_main_loop_run (loop);
  unwatch_signals (signal_ids);
  plan = VMM_PLAN (wait.object);
  if (plan == NULL)
    {
      g_autoptr (GError) error = wait.error;
      VmmPlan *refused = vmm_migration_get_plan (VMM_MIGRATION (migration));

      code = cli_exit_for_migration_error (error, FALSE, NULL);
      if (refused == NULL || !opt_json)
        {
          /* the whole story: every check and candidate, then why */
          if (refused != NULL)
            {
              g_autofree char *text = vmm_plan_to_string (refused);

              g_print ("%s", text);
            }
          opt_json = FALSE;
          return fail (code, error);
        }
      {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autofree char *json = vmm_plan_to_json (refused);
        g_autofree char *line = g_strdup (error->message);

        g_strdelimit (line, "\n\r", ' ');
        g_printerr ("%s: %s\n", command_name, line);
        json_builder_begin_object (b);
        cli_json_add_error (b, error, code);
        json_builder_set_member_name (b, "plan");
        json_builder_add_value (b, cli_json_parse (json));
        json_builder_end_object (b);
        cli_json_print_builder (b, TRUE);
        return code;
      }
    }
  if (opt_json)
    {
      g_autofree char *json = vmm_plan_to_json (plan);

      g_print ("%s\n", json);
    }
  else
    {
      g_autofree char *text = vmm_plan_to_string (plan);

      g_print ("%s", text);
    }
  return CLI_EXIT_OK;
}

/* The running migrations of this user, so that `vmmigrate abort VM` finds
 * the process that migrates VM: $XDG_RUNTIME_DIR/vmmigrate/<key>.pid holds
 * its pid, <key>.outcome.json what it ended with. */
static char *
registry_path (const char *vm, const char *suffix)
{
  g_autofree char *id = g_strdup_printf ("%s\n%s", backend_uri (), vm);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, id, -1);
  g_autofree char *name = g_strdup_printf ("%.16s%s", sum, suffix);

  return g_build_filename (g_get_user_runtime_dir (), "vmmigrate", name, NULL);
}

static gboolean
process_alive (pid_t pid)
{
  return pid > 0 && (kill (pid, 0) == 0 || errno == EPERM);
}

static pid_t
read_pid (const char *path)
{
  g_autofree char *text = NULL;
  guint64 pid = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  g_strstrip (text);
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT, &pid, NULL))
    return 0;
  return (pid_t)pid;
}

/* Registers this process as the one migrating @vm; fails with BUSY when
 * another live vmmigrate process migrates it. */
static gboolean
registry_claim (const char *vm, GError **error)
{
  g_autofree char *path = registry_path (vm, ".pid");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *text = g_strdup_printf ("%d\n", (int)getpid ());

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return TRUE; /* no runtime directory: abort will not find us, nothing else breaks */
  for (int attempt = 0; attempt < 2; attempt++)
    {
      int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      pid_t other;

      if (fd >= 0)
        {
          gboolean ok = write (fd, text, strlen (text)) == (ssize_t)strlen (text);

          close (fd);
          return ok;
        }
      if (errno != EEXIST)
        return TRUE;
      other = read_pid (path);
      if (process_alive (other))
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_BUSY,
                       "VM '%s' is already being migrated by vmmigrate process %d", vm, (int)other);
          return FALSE;
        }
      g_unlink (path); /* left by a process that died */
    }
  return TRUE;
}

static void
registry_release (const char *vm, CliExit code, const char *message)
{
  g_autofree char *path = registry_path (vm, ".pid");
  g_autofree char *outcome_path = registry_path (vm, ".outcome.json");
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *json = NULL;

  if (read_pid (path) != getpid ())
    return;
  json_builder_begin_object (b);
  add_int (b, "exit-code", code);
  add_string (b, "status", cli_exit_describe (code));
  add_string (b, "message", message);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json = json_to_string (root, FALSE);
  g_file_set_contents (outcome_path, json, -1, NULL);
  g_unlink (path);
}

static void
run_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  AsyncWait *wait = user_data;

  wait->object = (GObject *)vmm_migration_run_finish (VMM_MIGRATION (source), res, &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
print_result (VmmMigrationResult *result)
{
  GPtrArray *disks = vmm_migration_result_get_disks (result);
  const char *const *warnings = vmm_migration_result_get_warnings (result);
  g_autofree char *moved = cli_format_bytes (vmm_migration_result_get_bytes_moved (result));
  g_autofree char *downtime = NULL;

  if (vmm_migration_result_get_downtime_ms (result) >= 0)
    downtime = g_strdup_printf (", downtime %" G_GINT64_FORMAT " ms",
                                vmm_migration_result_get_downtime_ms (result));
  g_print ("%s is on host %s, pool %s, datastore %s (%s in %" G_GINT64_FORMAT " ms%s, %s moved)\n",
           vmm_migration_result_get_vm_name (result),
           or_dash (vmm_migration_result_get_host (result)),
           or_dash (vmm_migration_result_get_resource_pool (result)),
           or_dash (vmm_migration_result_get_datastore (result)),
           vmm_migration_type_to_string (vmm_migration_result_get_migration_type (result)),
           vmm_migration_result_get_duration_ms (result), downtime != NULL ? downtime : "", moved);
  for (guint i = 0; i < disks->len; i++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (disks, i);

      g_print ("  disk %s: [%s] %s\n", vmm_disk_info_get_key (disk),
               vmm_disk_info_get_datastore (disk), vmm_disk_info_get_path (disk));
    }
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    g_print ("  warning: %s\n", warnings[i]);
}

static int
cmd_migrate (char **args, GCancellable *cancellable)
{
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (CliMigration) migration = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GError) error = NULL;
  AsyncWait wait = { loop, NULL, NULL };
  Interrupt interrupt = { cancellable, NULL, 0 };
  guint signal_ids[2];
  int code = CLI_EXIT_OK;

  json_events = TRUE;
  migration = prepare_migration (args[0], engine, &backend, cancellable, &code);
  if (migration == NULL)
    return code;
  if (!registry_claim (args[0], &error))
    return fail (CLI_EXIT_REFUSED, error);

  interrupt.migration = migration;
  watch_signals (&interrupt, signal_ids);
  vmm_migration_run_async (VMM_MIGRATION (migration), cancellable, run_done, &wait);
  g_main_loop_run (loop);
  unwatch_signals (signal_ids);
  cli_migration_end_display (migration);

  result = VMM_MIGRATION_RESULT (wait.object);
  error = wait.error;
  if (result != NULL)
    {
      g_autofree char *where
          = g_strdup_printf ("%s is on host %s", vmm_migration_result_get_vm_name (result),
                             vmm_migration_result_get_host (result));

      registry_release (args[0], CLI_EXIT_OK, where);
      if (opt_json)
        {
          g_autofree char *json = vmm_migration_result_to_json (result);
          g_autoptr (JsonBuilder) b = json_builder_new ();

          json_builder_begin_object (b);
          add_string (b, "event", "result");
          add_int (b, "exit-code", CLI_EXIT_OK);
          add_string (b, "status", cli_exit_describe (CLI_EXIT_OK));
          json_builder_set_member_name (b, "result");
          json_builder_add_value (b, cli_json_parse (json));
          json_builder_end_object (b);
          cli_json_print_builder (b, FALSE);
        }
      else
        print_result (result);
      return CLI_EXIT_OK;
    }

  code = cli_exit_for_migration_error (error, cli_migration_get_backend_started (migration),
                                       vmm_migration_get_result (VMM_MIGRATION (migration)));
  registry_release (args[0], code, error->message);
  {
    g_autofree char *line = g_strdup (error->message);

    g_strdelimit (line, "\n\r", ' ');
    g_printerr ("%s: %s\n", command_name, line);
  }
  if (opt_json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      VmmMigrationResult *partial = vmm_migration_get_result (VMM_MIGRATION (migration));

      json_builder_begin_object (b);
      add_string (b, "event", "error");
      cli_json_add_error (b, error, code);
      json_builder_set_member_name (b, "result");
      if (partial != NULL)
        {
          g_autofree char *json = vmm_migration_result_to_json (partial);

          json_builder_add_value (b, cli_json_parse (json));
        }
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      cli_json_print_builder (b, FALSE);
    }
  return code;
}

/* --- abort --- */

static char *opt_wait;

static const GOptionEntry abort_entries[] = {
  { "wait", 0, 0, G_OPTION_ARG_STRING, &opt_wait,
    "Wait at most SECONDS for the migration to stop (default 600; 0: do not wait)", "SECONDS" },
  { NULL },
};

static int
cmd_abort (char **args, GCancellable *cancellable)
{
  const char *vm = args[0];
  g_autofree char *path = registry_path (vm, ".pid");
  g_autofree char *outcome_path = registry_path (vm, ".outcome.json");
  g_autofree char *outcome = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  guint64 wait_s = 600;
  gint64 deadline;
  pid_t pid;
  JsonObject *obj;
  CliExit migrate_code;
  const char *message;

  if (opt_wait != NULL && !g_ascii_string_to_unsigned (opt_wait, 10, 0, 86400, &wait_s, NULL))
    return fail_literal (CLI_EXIT_INVALID, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "--wait: not a whole number of seconds from 0 to 86400");
  pid = read_pid (path);
  if (!process_alive (pid))
    {
      g_autofree char *msg = g_strdup_printf (
          "no `vmmigrate migrate %s` with -c %s is running for this user on this machine "
          "(a migration run by another program can only be stopped by that program)",
          vm, backend_uri ());

      return fail_literal (CLI_EXIT_INVALID, VMM_ERROR, VMM_ERROR_NOT_FOUND, msg);
    }
  g_unlink (outcome_path);
  if (kill (pid, SIGINT) != 0 && errno != ESRCH)
    {
      g_autofree char *msg = g_strdup_printf ("cannot signal vmmigrate process %d: %s", (int)pid,
                                              g_strerror (errno));

      return fail_literal (CLI_EXIT_FAILURE, G_IO_ERROR, g_io_error_from_errno (errno), msg);
    }
  if (wait_s == 0)
    {
      if (opt_json)
        {
          g_autoptr (JsonBuilder) b = json_builder_new ();

          json_builder_begin_object (b);
          add_string (b, "status", "requested");
          add_int (b, "pid", pid);
          json_builder_end_object (b);
          cli_json_print_builder (b, TRUE);
        }
      else
        g_print ("asked vmmigrate process %d to cancel the migration of %s\n", (int)pid, vm);
      return CLI_EXIT_OK;
    }
  deadline = g_get_monotonic_time () + (gint64)wait_s * G_USEC_PER_SEC;
  while (process_alive (pid) && read_pid (path) == pid && g_get_monotonic_time () < deadline
         && !g_cancellable_is_cancelled (cancellable))
    g_usleep (100 * 1000);
  if (!g_file_get_contents (outcome_path, &outcome, NULL, NULL)
      || !json_parser_load_from_data (parser, outcome, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_autofree char *msg = g_strdup_printf (
          "vmmigrate process %d was asked to cancel the migration of %s but has not ended yet",
          (int)pid, vm);

      return fail_literal (CLI_EXIT_FAILURE, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, msg);
    }
  obj = json_node_get_object (json_parser_get_root (parser));
  migrate_code = (CliExit)json_object_get_int_member_with_default (obj, "exit-code", 1);
  message = json_object_get_string_member_with_default (obj, "message", "");
  if (opt_json)
    {
      cli_json_print (json_parser_get_root (parser), TRUE);
    }
  else
    g_print ("%s: %s\n", cli_exit_describe (migrate_code), message);
  switch (migrate_code)
    {
    case CLI_EXIT_CANCELLED:
    case CLI_EXIT_FAILED:
    case CLI_EXIT_REFUSED:
      return CLI_EXIT_OK; /* stopped: the VM is on its source */
    case CLI_EXIT_ATTENTION:
      return CLI_EXIT_ATTENTION;
    default:
      {
        g_autofree char *msg
            = g_strdup_printf ("the migration of %s could not be stopped: %s", vm, message);

        g_printerr ("%s: %s\n", command_name, msg);
        return CLI_EXIT_FAILURE;
      }
    }
}

/* --- candidates and evacuate --- */

static void
add_candidate (JsonBuilder *b, VmmCandidate *c)
{
  GPtrArray *checks = vmm_candidate_get_checks (c);

  json_builder_begin_object (b);
  add_string (b, "host", vmm_candidate_get_host (c));
  json_builder_set_member_name (b, "suitable");
  json_builder_add_boolean_value (b, vmm_candidate_get_suitable (c));
  json_builder_set_member_name (b, "requires-storage-motion");
  json_builder_add_boolean_value (b, vmm_candidate_get_requires_storage_motion (c));
  json_builder_set_member_name (b, "score");
  json_builder_add_double_value (b, vmm_candidate_get_score (c));
  json_builder_set_member_name (b, "reasons");
  json_builder_begin_array (b);
  for (guint i = 0; i < checks->len; i++)
    json_builder_add_string_value (b, vmm_check_get_message (g_ptr_array_index (checks, i)));
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static int
cmd_candidates (char **args, GCancellable *cancellable)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmRelocateSpec) spec = cli_spec_options_build (&spec_options, &error);
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmVmInfo) vm = NULL;
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GPtrArray) candidates = NULL;
  gboolean any = FALSE;
  int code = CLI_EXIT_OK;

  if (spec == NULL)
    return fail (CLI_EXIT_INVALID, error);
  if ((backend = open_backend (cancellable, &code)) == NULL
      || (vm = lookup_vm (backend, args[0], cancellable, &code)) == NULL)
    return code;
  candidates = vmm_engine_find_candidates (engine, backend, args[0], spec, cancellable, &error);
  if (candidates == NULL)
    return fail (cli_exit_for_open_error (error), error);
  for (guint i = 0; i < candidates->len; i++)
    any |= vmm_candidate_get_suitable (g_ptr_array_index (candidates, i));
  if (opt_json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_string (b, "vm", args[0]);
      add_string (b, "host", vmm_vm_info_get_host (vm));
      json_builder_set_member_name (b, "candidates");
      json_builder_begin_array (b);
      for (guint i = 0; i < candidates->len; i++)
        add_candidate (b, g_ptr_array_index (candidates, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      cli_json_print_builder (b, TRUE);
    }
  else
    {
      g_print ("Where %s (now on %s) could go, best first:\n", args[0], vmm_vm_info_get_host (vm));
      g_print ("%-16s %-10s %-14s %8s  %s\n", "HOST", "SUITABLE", "STORAGE-MOTION", "SCORE", "WHY NOT");
      for (guint i = 0; i < candidates->len; i++)
        {
          VmmCandidate *c = g_ptr_array_index (candidates, i);
          GPtrArray *checks = vmm_candidate_get_checks (c);
          g_autoptr (GString) why = g_string_new (NULL);

          for (guint j = 0; j < checks->len; j++)
            g_string_append_printf (why, "%s%s", j > 0 ? "; " : "",
                                    vmm_check_get_message (g_ptr_array_index (checks, j)));
          g_print ("%-16s %-10s %-14s %8.1f  %s\n", vmm_candidate_get_host (c),
                   vmm_candidate_get_suitable (c) ? "yes" : "no",
                   vmm_candidate_get_requires_storage_motion (c) ? "required" : "-",
                   vmm_candidate_get_score (c), why->str);
        }
    }
  return any ? CLI_EXIT_OK : CLI_EXIT_REFUSED;
}

static gboolean opt_disable_host;
static gboolean opt_reenable_host;
static gboolean opt_skip_powered_off;
static char *opt_max_per_host;

static const GOptionEntry evacuate_entries[] = {
  { "disable-host", 0, 0, G_OPTION_ARG_NONE, &opt_disable_host,
    "Disable the host for new VMs first (where the backend can)", NULL },
  { "reenable-host", 0, 0, G_OPTION_ARG_NONE, &opt_reenable_host,
    "Enable the host again at the end", NULL },
  { "skip-powered-off", 0, 0, G_OPTION_ARG_NONE, &opt_skip_powered_off,
    "Leave powered-off VMs where they are", NULL },
  { "max-per-host", 0, 0, G_OPTION_ARG_STRING, &opt_max_per_host,
    "Move at most N VMs out of the host at a time (default 2)", "N" },
  { NULL },
};

typedef struct
{
  GMainLoop *loop;
  GPtrArray *entries;
  gboolean empty;
  GError *error;
} EvacuateWait;

static void
evacuate_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  EvacuateWait *wait = user_data;

  wait->entries = vmm_engine_evacuate_finish (VMM_ENGINE (source), res, &wait->empty, &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
on_evacuation_migration (VmmEngine *engine, VmmMigration *migration, gpointer data)
{
  const char *to = vmm_relocate_spec_get_host (vmm_migration_get_spec (migration));

  if (opt_json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_string (b, "event", "vm-started");
      add_string (b, "vm", vmm_migration_get_vm_name (migration));
      add_string (b, "host", to);
      json_builder_end_object (b);
      cli_json_print_builder (b, FALSE);
    }
  else
    g_print ("  moving %s to %s\n", vmm_migration_get_vm_name (migration), to);
}

static void
on_evacuation_progress (VmmEngine *engine, const char *host, guint done, guint total, gpointer data)
{
  if (opt_json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_string (b, "event", "progress");
      add_string (b, "host", host);
      json_builder_set_member_name (b, "done");
      json_builder_add_int_value (b, done);
      json_builder_set_member_name (b, "total");
      json_builder_add_int_value (b, total);
      json_builder_end_object (b);
      cli_json_print_builder (b, FALSE);
    }
  else
    g_print ("  %u of %u VMs dealt with\n", done, total);
}

static int
cmd_evacuate (char **args, GCancellable *cancellable)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmRelocateSpec) spec = cli_spec_options_build (&spec_options, &error);
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GPtrArray) hosts = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  EvacuateWait wait = { loop, NULL, FALSE, NULL };
  Interrupt interrupt = { cancellable, NULL, 0 };
  VmmEvacuateFlags flags = VMM_EVACUATE_FLAGS_NONE;
  guint signal_ids[2];
  gboolean known = FALSE;
  guint moved = 0, failed = 0, skipped = 0;
  int code = CLI_EXIT_OK;

  if (spec == NULL)
    return fail (CLI_EXIT_INVALID, error);
  if (vmm_relocate_spec_get_host (spec) != NULL)
    {
      g_set_error (&error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                   "--host: evacuate chooses a host for each VM; give options every move follows");
      return fail (CLI_EXIT_INVALID, error);
    }
  if (opt_max_per_host != NULL)
    {
      guint64 n = 0;

      if (!g_ascii_string_to_unsigned (opt_max_per_host, 10, 1, 1000, &n, &error))
        {
          g_prefix_error (&error, "--max-per-host: ");
          return fail (CLI_EXIT_INVALID, error);
        }
      vmm_engine_set_max_per_source_host (engine, (guint) n);
    }
  if ((backend = open_backend (cancellable, &code)) == NULL)
    return code;
  hosts = vmm_backend_list_hosts (backend, cancellable, &error);
  if (hosts == NULL)
    return fail (cli_exit_for_open_error (error), error);
  for (guint i = 0; i < hosts->len; i++)
    known |= g_strcmp0 (vmm_host_info_get_name (g_ptr_array_index (hosts, i)), args[0]) == 0;
  if (!known)
    {
      g_set_error (&error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "no host named '%s'", args[0]);
      return fail (CLI_EXIT_INVALID, error);
    }
  if (opt_disable_host)
    flags |= VMM_EVACUATE_FLAGS_DISABLE_HOST;
  if (opt_reenable_host)
    flags |= VMM_EVACUATE_FLAGS_REENABLE_HOST;
  if (opt_skip_powered_off)
    flags |= VMM_EVACUATE_FLAGS_SKIP_POWERED_OFF;
  g_signal_connect (engine, "migration-created", G_CALLBACK (on_evacuation_migration), NULL);
  g_signal_connect (engine, "evacuation-progress", G_CALLBACK (on_evacuation_progress), NULL);
  if (!opt_json)
    g_print ("Evacuating %s\n", args[0]);
  watch_signals (&interrupt, signal_ids);
  vmm_engine_evacuate_async (engine, backend, args[0], spec, flags, cancellable, evacuate_done, &wait);
  g_main_loop_run (loop);
  unwatch_signals (signal_ids);
  if (wait.entries == NULL)
    {
      g_autoptr (GError) e = wait.error;

      return fail (cli_exit_for_open_error (e), e);
    }
  for (guint i = 0; i < wait.entries->len; i++)
    switch (vmm_evacuation_entry_get_outcome (g_ptr_array_index (wait.entries, i)))
      {
      case VMM_EVACUATION_MOVED:
        moved++;
        break;
      case VMM_EVACUATION_FAILED:
        failed++;
        break;
      case VMM_EVACUATION_SKIPPED:
      default:
        skipped++;
        break;
      }
  if (opt_json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_string (b, "event", "finished");
      add_string (b, "host", args[0]);
      json_builder_set_member_name (b, "empty");
      json_builder_add_boolean_value (b, wait.empty);
      json_builder_set_member_name (b, "vms");
      json_builder_begin_array (b);
      for (guint i = 0; i < wait.entries->len; i++)
        {
          VmmEvacuationEntry *e = g_ptr_array_index (wait.entries, i);

          json_builder_begin_object (b);
          add_string (b, "vm", vmm_evacuation_entry_get_vm_name (e));
          add_string (b, "outcome", cli_enum_nick (VMM_TYPE_EVACUATION_OUTCOME, vmm_evacuation_entry_get_outcome (e)));
          add_string (b, "host", vmm_evacuation_entry_get_host (e));
          add_string (b, "message", vmm_evacuation_entry_get_message (e));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      cli_json_print_builder (b, FALSE);
    }
  else
    {
      g_print ("%-16s %-8s %-16s %s\n", "VM", "OUTCOME", "HOST", "WHY");
      for (guint i = 0; i < wait.entries->len; i++)
        {
          VmmEvacuationEntry *e = g_ptr_array_index (wait.entries, i);

          g_print ("%-16s %-8s %-16s %s\n", vmm_evacuation_entry_get_vm_name (e),
                   cli_enum_nick (VMM_TYPE_EVACUATION_OUTCOME, vmm_evacuation_entry_get_outcome (e)),
                   vmm_evacuation_entry_get_host (e) != NULL ? vmm_evacuation_entry_get_host (e) : "-",
                   vmm_evacuation_entry_get_message (e) != NULL ? vmm_evacuation_entry_get_message (e) : "");
        }
      g_print ("%u moved, %u failed, %u skipped; host %s is %s\n", moved, failed, skipped, args[0],
               wait.empty ? "empty" : "not empty");
    }
  g_ptr_array_unref (wait.entries);
  if (g_cancellable_is_cancelled (cancellable))
    return CLI_EXIT_CANCELLED;
  return wait.empty ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

/* --- the command table --- */

typedef struct
{
  const char *name;
  const char *args; /* positional arguments; each is required */
  guint n_args;
  const char *summary;
  const char *description;
  const GOptionEntry *entries;
  gboolean spec_options;
  int (*run) (char **args, GCancellable *cancellable);
} CliCommand;

static const CliCommand commands[] = {
  { "list-vms", "", 0, "List the VMs of the backend",
    "Columns: name, power state, host, resource pool, primary datastore, memory, vCPUs and "
    "storage. With --json: {\"vms\": [...]}.",
    NULL, FALSE, cmd_list_vms },
  { "list-hosts", "", 0, "List the hosts of the backend",
    "Columns: name, state, cluster, zone, CPU model, memory and vCPUs in use, number of VMs. "
    "With --json: {\"hosts\": [...]} with datastores, networks, pools and VMs of each host.",
    NULL, FALSE, cmd_list_hosts },
  { "show", "VM", 1, "Show one VM: placement, resources, disks and devices",
    "Exit status 2 when there is no such VM.", NULL, FALSE, cmd_show },
  { "plan", "VM", 1, "Dry run: the checks, the destination and the action queue",
    "Runs every check and expands the whole action queue without touching the platform: the "
    "migration type, the destination host, pool and datastore, where every disk goes and who "
    "performs each action (engine, backend, done by the platform). With no spec option the "
    "engine chooses a host. Exit status 3 when the checks refuse the move.",
    NULL, TRUE, cmd_plan },
  { "migrate", "VM", 1, "Migrate a VM, showing its progress",
    "Plans and runs the migration. On a terminal a progress bar shows the percent (it never goes "
    "back), bytes, rate, time left and the current action; with --json every event is one JSON "
    "object per line. SIGINT (Ctrl+C) or SIGTERM cancels: a cold or storage-only move stops "
    "anywhere, a live host move until InitiateSource and then only through the backend's abort; "
    "after the switch-over the move completes.",
    NULL, TRUE, cmd_migrate },
  { "abort", "VM", 1, "Cancel the `vmmigrate migrate VM` running on this machine",
    "Sends SIGINT to the vmmigrate process that migrates VM with the same -c URI for this user "
    "on this machine, waits for it to end and reports where the VM is. A migration run by "
    "another program cannot be reached. Exit status 0 when the migration stopped with the VM "
    "on its source.",
    abort_entries, FALSE, cmd_abort },
  { "candidates", "VM", 1, "Where could a VM go: every host, suitable or not, and why",
    "Evaluates every other host of the VM's manager with the engine's checks, best first: "
    "suitable or not with the reasons, whether it requires storage motion, and the score. Spec "
    "options describe the move to consider. Exit status 3 when no host is suitable.",
    NULL, TRUE, cmd_candidates },
  { "evacuate", "HOST", 1, "Move every VM off a host",
    "Places every VM of HOST at once, moves running VMs hot and powered-off ones cold under the "
    "engine's limits, goes on past failures and picks up VMs that land on HOST meanwhile. Spec "
    "options (not --host) apply to every move. Exit status 0 when HOST ends empty, 4 when VMs are "
    "left (each one's reason is reported), 130 when cancelled.",
    evacuate_entries, TRUE, cmd_evacuate },
  { NULL },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage:\n  vmmigrate [-c URI] [--json] COMMAND [ARGS...]\n\nCommands:\n");
  for (const CliCommand *c = commands; c->name != NULL; c++)
    {
      g_autofree char *call = g_strdup_printf ("%s %s", c->name, c->args);

      fprintf (out, "  %-18s %s\n", call, c->summary);
    }
  fprintf (out, "\nGlobal options:\n"
                "  -c, --connect URI      Backend URI (default: $VMMIGRATE_URI, else sim://)\n"
                "  --credentials FILE     The backend's credentials (default: "
                "$VMMIGRATE_CREDENTIALS)\n"
                "  --json                 Print JSON for programs\n"
                "  --version              Print the version\n"
                "\nvmmigrate COMMAND --help shows a command's options; see vmmigrate(1).\n");
}

static gboolean
option_takes_value (const char *arg)
{
  return g_str_equal (arg, "-c") || g_str_equal (arg, "--connect")
         || g_str_equal (arg, "--credentials");
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  const CliCommand *command = NULL;
  int index = 0;
  int result;

  setlocale (LC_ALL, "");
  for (int i = 1; i < argc && index == 0; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (argv[i][0] != '-')
        index = i;
      else if (option_takes_value (argv[i]))
        i++;
    }
  if (index == 0)
    {
      for (int i = 1; i < argc; i++)
        {
          if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
            {
              print_usage (stdout);
              return CLI_EXIT_OK;
            }
          if (g_str_equal (argv[i], "--version"))
            {
              g_print ("vmmigrate %s\n", VMM_VERSION_S);
              return CLI_EXIT_OK;
            }
        }
      g_printerr ("vmmigrate: no command given (vmmigrate --help lists them)\n");
      return CLI_EXIT_INVALID;
    }
  for (const CliCommand *c = commands; c->name != NULL; c++)
    if (g_str_equal (c->name, argv[index]))
      command = c;
  if (command == NULL)
    {
      g_printerr ("vmmigrate: unknown command '%s' (vmmigrate --help lists them)\n", argv[index]);
      return CLI_EXIT_INVALID;
    }
  g_snprintf (command_name, sizeof (command_name), "vmmigrate %s", command->name);
  memmove (&argv[index], &argv[index + 1], (argc - index) * sizeof (char *));
  argc--;

  /* "Usage: vmmigrate COMMAND [OPTION…] ARGS" */
  g_set_prgname (command_name);
  context = g_option_context_new (command->args);
  g_option_context_set_summary (context, command->summary);
  g_option_context_set_description (context, command->description);
  if (command->spec_options)
    cli_spec_options_add_entries (&spec_options, context);
  if (command->entries != NULL)
    g_option_context_add_main_entries (context, command->entries, NULL);
  g_option_context_add_main_entries (context, global_entries, NULL);
  g_option_context_set_strict_posix (context, FALSE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    result = fail (CLI_EXIT_INVALID, error);
  else if ((guint)argc - 1 != command->n_args)
    {
      g_autofree char *msg
          = command->n_args == 0
                ? g_strdup_printf ("takes no arguments (see vmmigrate %s --help)", command->name)
                : g_strdup_printf ("expects %s (see vmmigrate %s --help)", command->args,
                                   command->name);

      result = fail_literal (CLI_EXIT_INVALID, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, msg);
    }
  else
    result = command->run (&argv[1], cancellable);
  cli_spec_options_clear (&spec_options);
  g_clear_pointer (&opt_uri, g_free);
  g_clear_pointer (&opt_credentials, g_free);
  g_clear_pointer (&opt_wait, g_free);
  return result;
}
