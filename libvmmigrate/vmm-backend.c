/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

/**
 * VmmBackend:
 *
 * The driver contract: a backend answers inventory questions with facts
 * (#VmmInventory) and performs the platform side of each workflow step.
 *
 * Backends are found through the #GIOExtensionPoint named
 * %VMM_BACKEND_EXTENSION_POINT_NAME, keyed by URI scheme; the built-in `sim`
 * backend is always there, other backends register when they are built in or
 * when a module from `$VMM_BACKEND_PATH` is loaded.
 *
 * Since: 1.0
 */

typedef struct
{
  char *uri;
} VmmBackendPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (VmmBackend, vmm_backend, G_TYPE_OBJECT)

static void
vmm_backend_finalize (GObject *object)
{
  VmmBackendPrivate *priv = vmm_backend_get_instance_private (VMM_BACKEND (object));

  g_free (priv->uri);
  G_OBJECT_CLASS (vmm_backend_parent_class)->finalize (object);
}

static VmmBackendCapabilities
vmm_backend_real_get_capabilities (VmmBackend *self)
{
  return VMM_BACKEND_CAPABILITY_NONE;
}

static VmmBackendStepFunc
vmm_backend_step_func (VmmBackendClass *klass, VmmStep step)
{
  switch (step)
    {
    case VMM_STEP_RESERVE_DIRECTORY:
      return klass->reserve_directory;
    case VMM_STEP_CREATE_INVENTORY_VM:
      return klass->create_inventory_vm;
    case VMM_STEP_CREATE_DUMMY_DISKS:
      return klass->create_dummy_disks;
    case VMM_STEP_CREATE_DESTINATION_VM:
      return klass->create_destination_vm;
    case VMM_STEP_REGISTER_DESTINATION_VM:
      return klass->register_destination_vm;
    case VMM_STEP_UNREGISTER_SOURCE_VM:
      return klass->unregister_source_vm;
    case VMM_STEP_RECONFIGURE_VM:
      return klass->reconfigure_vm;
    case VMM_STEP_RELAYOUT_SNAPSHOTS:
      return klass->relayout_snapshots;
    case VMM_STEP_PREPARE_SOURCE:
      return klass->prepare_source;
    case VMM_STEP_PREPARE_DESTINATION:
      return klass->prepare_destination;
    case VMM_STEP_INITIATE_DESTINATION:
      return klass->initiate_destination;
    case VMM_STEP_INITIATE_SOURCE:
      return klass->initiate_source;
    case VMM_STEP_SWITCH_HOST_AND_POOL:
      return klass->switch_host_and_pool;
    case VMM_STEP_COMPLETE_SOURCE:
      return klass->complete_source;
    case VMM_STEP_COMPLETE_DESTINATION:
      return klass->complete_destination;
    case VMM_STEP_POWER_OFF:
      return klass->power_off;
    case VMM_STEP_POWER_ON:
      return klass->power_on;
    case VMM_STEP_LAST:
    default:
      return NULL;
    }
}

static VmmStepMode
vmm_backend_real_get_step_mode (VmmBackend *self, VmmStep step)
{
  return vmm_backend_step_func (VMM_BACKEND_GET_CLASS (self), step) != NULL
             ? VMM_STEP_MODE_BACKEND
             : VMM_STEP_MODE_UNSUPPORTED;
}

static void
vmm_backend_class_init (VmmBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vmm_backend_finalize;
  klass->get_capabilities = vmm_backend_real_get_capabilities;
  klass->get_step_mode = vmm_backend_real_get_step_mode;
}

static void
vmm_backend_init (VmmBackend *self)
{
}

/* --- registry --- */

static GIOExtensionPoint *
vmm_backend_extension_point (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      GIOExtensionPoint *ep = g_io_extension_point_register (VMM_BACKEND_EXTENSION_POINT_NAME);
      const char *path = g_getenv ("VMM_BACKEND_PATH");

      g_io_extension_point_set_required_type (ep, VMM_TYPE_BACKEND);
      vmm_backends_ensure_builtin ();
      if (path != NULL && *path != '\0')
        {
          g_auto (GStrv) dirs = g_strsplit (path, G_SEARCHPATH_SEPARATOR_S, -1);

          for (guint i = 0; dirs[i] != NULL; i++)
            g_io_modules_scan_all_in_directory (dirs[i]);
        }
      g_once_init_leave (&once, 1);
    }
  return g_io_extension_point_lookup (VMM_BACKEND_EXTENSION_POINT_NAME);
}

/**
 * vmm_backend_list_schemes:
 *
 * The URI schemes of every backend that can be opened.
 *
 * Returns: (transfer full): the schemes, sorted
 *
 * Since: 1.0
 */
char **
vmm_backend_list_schemes (void)
{
  GIOExtensionPoint *ep = vmm_backend_extension_point ();
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  char **result;

  for (GList *l = g_io_extension_point_get_extensions (ep); l != NULL; l = l->next)
    g_strv_builder_add (builder, g_io_extension_get_name (l->data));
  result = g_strv_builder_end (builder);
  qsort (result, g_strv_length (result), sizeof (char *), (GCompareFunc)g_strcmp0);
  return result;
}

static VmmBackend *
vmm_backend_create (const char *uri, GUri **parsed, GError **error)
{
  g_autoptr (GUri) guri = NULL;
  g_autoptr (GError) local_error = NULL;
  GIOExtension *ext;
  VmmBackendPrivate *priv;
  VmmBackend *backend;
  const char *scheme;

  guri = g_uri_parse (uri, G_URI_FLAGS_NONE, &local_error);
  if (guri == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "backend URI is not valid: %s",
                   local_error->message);
      return NULL;
    }
  scheme = g_uri_get_scheme (guri);
  ext = g_io_extension_point_get_extension_by_name (vmm_backend_extension_point (), scheme);
  if (ext == NULL)
    {
      g_auto (GStrv) schemes = vmm_backend_list_schemes ();
      g_autofree char *known = g_strjoinv (", ", schemes);

      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                   "no backend opens URIs of scheme '%s' (known schemes: %s)", scheme, known);
      return NULL;
    }
  backend = g_object_new (g_io_extension_get_type (ext), NULL);
  priv = vmm_backend_get_instance_private (backend);
  /* Never keep a password that a URI may carry. */
  priv->uri = g_uri_to_string_partial (guri, G_URI_HIDE_PASSWORD | G_URI_HIDE_AUTH_PARAMS);
  *parsed = g_steal_pointer (&guri);
  return backend;
}

/**
 * vmm_backend_open:
 * @uri: the platform to open: `sim://`, `sim:///path/inventory.json`...
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Opens the backend registered for @uri's scheme and connects it. This call
 * blocks while the backend connects.
 *
 * Returns: (transfer full): the backend, or %NULL with @error set
 *
 * Since: 1.0
 */
VmmBackend *
vmm_backend_open (const char *uri, GCancellable *cancellable, GError **error)
{
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (GUri) parsed = NULL;
  VmmBackendClass *klass;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  backend = vmm_backend_create (uri, &parsed, error);
  if (backend == NULL)
    return NULL;
  klass = VMM_BACKEND_GET_CLASS (backend);
  if (klass->open != NULL && !klass->open (backend, parsed, cancellable, error))
    return NULL;
  return g_steal_pointer (&backend);
}

static void
open_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  VmmBackend *backend = vmm_backend_open (task_data, cancellable, &error);

  if (backend == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, backend, g_object_unref);
}

/**
 * vmm_backend_open_async:
 * @uri: the platform to open
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the backend is open
 * @user_data: data for @callback
 *
 * Opens a backend without blocking the caller: the backend connects in a
 * worker thread.
 *
 * Since: 1.0
 */
void
vmm_backend_open_async (const char *uri, GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (uri != NULL);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, vmm_backend_open_async);
  g_task_set_task_data (task, g_strdup (uri), g_free);
  g_task_run_in_thread (task, open_thread);
}

/**
 * vmm_backend_open_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_backend_open_async().
 *
 * Returns: (transfer full): the backend, or %NULL with @error set
 *
 * Since: 1.0
 */
VmmBackend *
vmm_backend_open_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vmm_backend_open_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * vmm_backend_get_uri:
 * @self: a #VmmBackend
 *
 * The URI the backend was opened with, without any password it carried.
 *
 * Returns: (nullable): the URI
 *
 * Since: 1.0
 */
const char *
vmm_backend_get_uri (VmmBackend *self)
{
  VmmBackendPrivate *priv;

  g_return_val_if_fail (VMM_IS_BACKEND (self), NULL);
  priv = vmm_backend_get_instance_private (self);
  return priv->uri;
}

/**
 * vmm_backend_get_capabilities:
 * @self: a #VmmBackend
 *
 * What the backend can do.
 *
 * Returns: the capability flags
 *
 * Since: 1.0
 */
VmmBackendCapabilities
vmm_backend_get_capabilities (VmmBackend *self)
{
  g_return_val_if_fail (VMM_IS_BACKEND (self), VMM_BACKEND_CAPABILITY_NONE);
  return VMM_BACKEND_GET_CLASS (self)->get_capabilities (self);
}

/**
 * vmm_backend_get_step_mode:
 * @self: a #VmmBackend
 * @step: a workflow step
 *
 * Who performs @step on this backend.
 *
 * Returns: the step's mode
 *
 * Since: 1.0
 */
VmmStepMode
vmm_backend_get_step_mode (VmmBackend *self, VmmStep step)
{
  g_return_val_if_fail (VMM_IS_BACKEND (self), VMM_STEP_MODE_UNSUPPORTED);
  g_return_val_if_fail ((guint)step < VMM_STEP_LAST, VMM_STEP_MODE_UNSUPPORTED);
  return VMM_BACKEND_GET_CLASS (self)->get_step_mode (self, step);
}

/* --- inventory --- */

/**
 * vmm_backend_query_inventory_async:
 * @self: a #VmmBackend
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the facts
 * @user_data: data for @callback
 *
 * Reads the platform's facts: hosts, datastores, networks and VMs.
 *
 * The inventory is read-only to its receiver: a backend may hand one
 * inventory to several callers (the sim backend's is its live record; the
 * libvirt backend answers the requests made in the same main-loop iteration
 * with one read).
 *
 * Since: 1.0
 */
void
vmm_backend_query_inventory_async (VmmBackend *self, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  VmmBackendClass *klass;

  g_return_if_fail (VMM_IS_BACKEND (self));
  klass = VMM_BACKEND_GET_CLASS (self);
  if (klass->query_inventory_async == NULL)
    {
      g_task_report_new_error (self, callback, user_data, vmm_backend_query_inventory_async,
                               VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                               "the %s backend cannot read an inventory",
                               G_OBJECT_TYPE_NAME (self));
      return;
    }
  klass->query_inventory_async (self, cancellable, callback, user_data);
}

/**
 * vmm_backend_query_inventory_finish:
 * @self: a #VmmBackend
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_backend_query_inventory_async().
 *
 * Returns: (transfer full): the facts, or %NULL with @error set
 *
 * Since: 1.0
 */
VmmInventory *
vmm_backend_query_inventory_finish (VmmBackend *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (VMM_IS_BACKEND (self), NULL);
  if (g_async_result_is_tagged (result, vmm_backend_query_inventory_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  return VMM_BACKEND_GET_CLASS (self)->query_inventory_finish (self, result, error);
}

/**
 * vmm_backend_query_inventory:
 * @self: a #VmmBackend
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the platform's facts. Blocks the calling thread.
 *
 * Returns: (transfer full): the facts, or %NULL with @error set
 *
 * Since: 1.0
 */
VmmInventory *
vmm_backend_query_inventory (VmmBackend *self, GCancellable *cancellable, GError **error)
{
  VmmSync data;
  g_autoptr (GAsyncResult) result = NULL;

  g_return_val_if_fail (VMM_IS_BACKEND (self), NULL);
  vmm_sync_begin (&data);
  vmm_backend_query_inventory_async (self, cancellable, vmm_sync_cb, &data);
  result = vmm_sync_wait (&data);
  return vmm_backend_query_inventory_finish (self, result, error);
}

/* The list and get calls all read the inventory and pick from it. */
typedef enum
{
  PICK_HOSTS,
  PICK_DATASTORES,
  PICK_NETWORKS,
  PICK_VMS,
  PICK_VM,
} Pick;

typedef struct
{
  Pick pick;
  char *name;
} PickData;

static void
pick_data_free (PickData *data)
{
  g_free (data->name);
  g_free (data);
}

static GPtrArray *
ptr_array_ref_copy (GPtrArray *array)
{
  return g_ptr_array_copy (array, (GCopyFunc)(void (*) (void))g_object_ref, NULL);
}

static void
pick_inventory_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  PickData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inventory = NULL;
  GPtrArray *array;

  inventory = vmm_backend_query_inventory_finish (VMM_BACKEND (source), result, &error);
  if (inventory == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  switch (data->pick)
    {
    case PICK_HOSTS:
      array = ptr_array_ref_copy (vmm_inventory_get_hosts (inventory));
      g_ptr_array_set_free_func (array, g_object_unref);
      g_task_return_pointer (task, array, (GDestroyNotify)g_ptr_array_unref);
      break;
    case PICK_DATASTORES:
      array = ptr_array_ref_copy (vmm_inventory_get_datastores (inventory));
      g_ptr_array_set_free_func (array, g_object_unref);
      g_task_return_pointer (task, array, (GDestroyNotify)g_ptr_array_unref);
      break;
    case PICK_VMS:
      array = ptr_array_ref_copy (vmm_inventory_get_vms (inventory));
      g_ptr_array_set_free_func (array, g_object_unref);
      g_task_return_pointer (task, array, (GDestroyNotify)g_ptr_array_unref);
      break;
    case PICK_NETWORKS:
      g_task_return_pointer (task, vmm_inventory_get_networks (inventory),
                             (GDestroyNotify)g_strfreev);
      break;
    case PICK_VM:
      {
        VmmVmInfo *vm = vmm_inventory_lookup_vm (inventory, data->name);

        if (vm == NULL)
          g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_NOT_FOUND, "no VM named '%s' on %s",
                                   data->name, vmm_backend_get_uri (VMM_BACKEND (source)));
        else
          g_task_return_pointer (task, vmm_vm_info_copy (vm), g_object_unref);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
pick_async (VmmBackend *self, Pick pick, const char *name, gpointer tag, GCancellable *cancellable,
            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_check_cancellable (task, FALSE);
  PickData *data = g_new0 (PickData, 1);

  data->pick = pick;
  data->name = g_strdup (name);
  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, data, (GDestroyNotify)pick_data_free);
  vmm_backend_query_inventory_async (self, cancellable, pick_inventory_cb, task);
}

static gpointer
pick_finish (VmmBackend *self, GAsyncResult *result, gpointer tag, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
pick_sync (VmmBackend *self, Pick pick, const char *name, gpointer tag, GCancellable *cancellable,
           GError **error)
{
  VmmSync data;
  g_autoptr (GAsyncResult) result = NULL;

  vmm_sync_begin (&data);
  pick_async (self, pick, name, tag, cancellable, vmm_sync_cb, &data);
  result = vmm_sync_wait (&data);
  return pick_finish (self, result, tag, error);
}

/**
 * vmm_backend_list_hosts_async:
 * @self: a #VmmBackend
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the hosts
 * @user_data: data for @callback
 *
 * Lists the hosts the backend manages.
 *
 * Since: 1.0
 */
void
vmm_backend_list_hosts_async (VmmBackend *self, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (VMM_IS_BACKEND (self));
  pick_async (self, PICK_HOSTS, NULL, vmm_backend_list_hosts_async, cancellable, callback,
              user_data);
}

/**
 * vmm_backend_list_hosts_finish:
 * @self: a #VmmBackend
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_backend_list_hosts_async().
 *
 * Returns: (transfer container) (element-type VmmHostInfo): the hosts
 *
 * Since: 1.0
 */
GPtrArray *
vmm_backend_list_hosts_finish (VmmBackend *self, GAsyncResult *result, GError **error)
{
  return pick_finish (self, result, vmm_backend_list_hosts_async, error);
}

/**
 * vmm_backend_list_hosts:
 * @self: a #VmmBackend
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the hosts. Blocks the calling thread.
 *
 * Returns: (transfer container) (element-type VmmHostInfo): the hosts
 *
 * Since: 1.0
 */
GPtrArray *
vmm_backend_list_hosts (VmmBackend *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (VMM_IS_BACKEND (self), NULL);
  return pick_sync (self, PICK_HOSTS, NULL, vmm_backend_list_hosts_async, cancellable, error);
}

/**
 * vmm_backend_list_datastores_async:
 * @self: a #VmmBackend
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the datastores
 * @user_data: data for @callback
 *
 * Lists the datastores (storage pools).
 *
 * Since: 1.0
 */
void
vmm_backend_list_datastores_async (VmmBackend *self, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (VMM_IS_BACKEND (self));
  pick_async (self, PICK_DATASTORES, NULL, vmm_backend_list_datastores_async, cancellable, callback,
              user_data);
}

/**
 * vmm_backend_list_datastores_finish:
 * @self: a #VmmBackend
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_backend_list_datastores_async().
 *
 * Returns: (transfer container) (element-type VmmDatastoreInfo): the datastores
 *
 * Since: 1.0
 */
GPtrArray *
vmm_backend_list_datastores_finish (VmmBackend *self, GAsyncResult *result, GError **error)
{
  return pick_finish (self, result, vmm_backend_list_datastores_async, error);
}

/**
 * vmm_backend_list_datastores:
 * @self: a #VmmBackend
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the datastores. Blocks the calling thread.
 *
 * Returns: (transfer container) (element-type VmmDatastoreInfo): the datastores
 *
 * Since: 1.0
 */
GPtrArray *
vmm_backend_list_datastores (VmmBackend *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (VMM_IS_BACKEND (self), NULL);
  return pick_sync (self, PICK_DATASTORES, NULL, vmm_backend_list_datastores_async, cancellable,
                    error);
}

/**
 * vmm_backend_list_networks_async:
 * @self: a #VmmBackend
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the networks
 * @user_data: data for @callback
 *
 * Lists the networks any host offers.
 *
 * Since: 1.0
 */
void
vmm_backend_list_networks_async (VmmBackend *self, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (VMM_IS_BACKEND (self));
  pick_async (self, PICK_NETWORKS, NULL, vmm_backend_list_networks_async, cancellable, callback,
              user_data);
}

/**
 * vmm_backend_list_networks_finish:
 * @self: a #VmmBackend
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_backend_list_networks_async().
 *
 * Returns: (transfer full) (array zero-terminated=1): the network names
 *
 * Since: 1.0
 */
char **
vmm_backend_list_networks_finish (VmmBackend *self, GAsyncResult *result, GError **error)
{
  return pick_finish (self, result, vmm_backend_list_networks_async, error);
}

/**
 * vmm_backend_list_networks:
 * @self: a #VmmBackend
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the networks. Blocks the calling thread.
 *
 * Returns: (transfer full) (array zero-terminated=1): the network names
 *
 * Since: 1.0
 */
char **
vmm_backend_list_networks (VmmBackend *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (VMM_IS_BACKEND (self), NULL);
  return pick_sync (self, PICK_NETWORKS, NULL, vmm_backend_list_networks_async, cancellable, error);
}

/**
 * vmm_backend_list_vms_async:
 * @self: a #VmmBackend
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the VMs
 * @user_data: data for @callback
 *
 * Lists the VMs.
 *
 * Since: 1.0
 */
void
vmm_backend_list_vms_async (VmmBackend *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (VMM_IS_BACKEND (self));
  pick_async (self, PICK_VMS, NULL, vmm_backend_list_vms_async, cancellable, callback, user_data);
}

/**
 * vmm_backend_list_vms_finish:
 * @self: a #VmmBackend
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_backend_list_vms_async().
 *
 * Returns: (transfer container) (element-type VmmVmInfo): the VMs
 *
 * Since: 1.0
 */
GPtrArray *
vmm_backend_list_vms_finish (VmmBackend *self, GAsyncResult *result, GError **error)
{
  return pick_finish (self, result, vmm_backend_list_vms_async, error);
}

/**
 * vmm_backend_list_vms:
 * @self: a #VmmBackend
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the VMs. Blocks the calling thread.
 *
 * Returns: (transfer container) (element-type VmmVmInfo): the VMs
 *
 * Since: 1.0
 */
GPtrArray *
vmm_backend_list_vms (VmmBackend *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (VMM_IS_BACKEND (self), NULL);
  return pick_sync (self, PICK_VMS, NULL, vmm_backend_list_vms_async, cancellable, error);
}

/**
 * vmm_backend_get_vm_async:
 * @self: a #VmmBackend
 * @name: the VM's name
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the VM
 * @user_data: data for @callback
 *
 * Reads one VM's details: disks, devices, power state, location.
 *
 * Since: 1.0
 */
void
vmm_backend_get_vm_async (VmmBackend *self, const char *name, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (VMM_IS_BACKEND (self));
  g_return_if_fail (name != NULL);
  pick_async (self, PICK_VM, name, vmm_backend_get_vm_async, cancellable, callback, user_data);
}

/**
 * vmm_backend_get_vm_finish:
 * @self: a #VmmBackend
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_backend_get_vm_async().
 *
 * Returns: (transfer full): a copy of the VM's details, or %NULL with @error
 *   set (%VMM_ERROR_NOT_FOUND when there is no such VM)
 *
 * Since: 1.0
 */
VmmVmInfo *
vmm_backend_get_vm_finish (VmmBackend *self, GAsyncResult *result, GError **error)
{
  return pick_finish (self, result, vmm_backend_get_vm_async, error);
}

/**
 * vmm_backend_get_vm:
 * @self: a #VmmBackend
 * @name: the VM's name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads one VM's details. Blocks the calling thread.
 *
 * Returns: (transfer full): a copy of the VM's details, or %NULL with @error set
 *
 * Since: 1.0
 */
VmmVmInfo *
vmm_backend_get_vm (VmmBackend *self, const char *name, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (VMM_IS_BACKEND (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return pick_sync (self, PICK_VM, name, vmm_backend_get_vm_async, cancellable, error);
}

/* --- workflow steps --- */

/**
 * vmm_backend_run_step_async:
 * @self: a #VmmBackend
 * @step: the step
 * @context: the migration's context
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the step is done
 * @user_data: data for @callback
 *
 * Runs one workflow step on the platform. A step the backend does not
 * implement fails with %VMM_ERROR_UNSUPPORTED.
 *
 * Since: 1.0
 */
void
vmm_backend_run_step_async (VmmBackend *self, VmmStep step, VmmMigrationContext *context,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  VmmBackendStepFunc func;

  g_return_if_fail (VMM_IS_BACKEND (self));
  g_return_if_fail (VMM_IS_MIGRATION_CONTEXT (context));
  func = vmm_backend_step_func (VMM_BACKEND_GET_CLASS (self), step);
  if (func == NULL)
    {
      g_task_report_new_error (self, callback, user_data, vmm_backend_run_step_async, VMM_ERROR,
                               VMM_ERROR_UNSUPPORTED, "the %s backend cannot do %s",
                               G_OBJECT_TYPE_NAME (self), vmm_step_get_name (step));
      return;
    }
  func (self, context, cancellable, callback, user_data);
}

/**
 * vmm_backend_undo_step_async:
 * @self: a #VmmBackend
 * @step: the step to compensate
 * @context: the migration's context
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the compensation is done
 * @user_data: data for @callback
 *
 * Compensates a step that completed, because a later one failed.
 *
 * Since: 1.0
 */
void
vmm_backend_undo_step_async (VmmBackend *self, VmmStep step, VmmMigrationContext *context,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  VmmBackendClass *klass;

  g_return_if_fail (VMM_IS_BACKEND (self));
  klass = VMM_BACKEND_GET_CLASS (self);
  if (klass->undo_step == NULL)
    {
      g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
      g_task_set_check_cancellable (task, FALSE);

      g_task_set_source_tag (task, vmm_backend_undo_step_async);
      g_task_return_boolean (task, TRUE);
      return;
    }
  klass->undo_step (self, step, context, cancellable, callback, user_data);
}

/**
 * vmm_backend_step_finish:
 * @self: a #VmmBackend
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes a step, its undo or a cleanup.
 *
 * Returns: %TRUE when the step succeeded
 *
 * Since: 1.0
 */
gboolean
vmm_backend_step_finish (VmmBackend *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (VMM_IS_BACKEND (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * vmm_backend_abort:
 * @self: a #VmmBackend
 * @context: the migration whose step is in flight
 * @error: return location for a #GError
 *
 * Asks the step in flight to stop. The step then fails with
 * %G_IO_ERROR_CANCELLED and the engine rolls the migration back.
 *
 * Returns: %TRUE if the abort was requested
 *
 * Since: 1.0
 */
gboolean
vmm_backend_abort (VmmBackend *self, VmmMigrationContext *context, GError **error)
{
  VmmBackendClass *klass;

  g_return_val_if_fail (VMM_IS_BACKEND (self), FALSE);
  klass = VMM_BACKEND_GET_CLASS (self);
  if (klass->abort == NULL
      || (vmm_backend_get_capabilities (self) & VMM_BACKEND_CAPABILITY_ABORT) == 0)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                   "the %s backend cannot abort a move in flight", G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  return klass->abort (self, context, error);
}

/**
 * vmm_backend_cleanup_async:
 * @self: a #VmmBackend
 * @context: the migration's context
 * @succeeded: whether the migration succeeded
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Lets the backend remove what a migration left behind, once, when it ends.
 *
 * Since: 1.0
 */
void
vmm_backend_cleanup_async (VmmBackend *self, VmmMigrationContext *context, gboolean succeeded,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  VmmBackendClass *klass;

  g_return_if_fail (VMM_IS_BACKEND (self));
  klass = VMM_BACKEND_GET_CLASS (self);
  if (klass->cleanup == NULL)
    {
      g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
      g_task_set_check_cancellable (task, FALSE);

      g_task_set_source_tag (task, vmm_backend_cleanup_async);
      g_task_return_boolean (task, TRUE);
      return;
    }
  klass->cleanup (self, context, succeeded, cancellable, callback, user_data);
}

/**
 * vmm_backend_cleanup_finish:
 * @self: a #VmmBackend
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_backend_cleanup_async().
 *
 * Returns: %TRUE when everything was cleaned up
 *
 * Since: 1.0
 */
gboolean
vmm_backend_cleanup_finish (VmmBackend *self, GAsyncResult *result, GError **error)
{
  return vmm_backend_step_finish (self, result, error);
}

/**
 * vmm_backend_set_host_enabled_async:
 * @self: a #VmmBackend
 * @host: the host
 * @enabled: %FALSE to disable the host for new VMs, %TRUE to enable it again
 * @reason: (nullable): why (recorded by platforms that keep a reason)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Disables a host for new placements (the first step of draining it) or
 * enables it again. Fails with %VMM_ERROR_UNSUPPORTED on a backend without
 * %VMM_BACKEND_CAPABILITY_DISABLE_HOST.
 *
 * Since: 1.0
 */
void
vmm_backend_set_host_enabled_async (VmmBackend *self, const char *host, gboolean enabled,
                                    const char *reason, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  VmmBackendClass *klass;

  g_return_if_fail (VMM_IS_BACKEND (self));
  g_return_if_fail (host != NULL);
  klass = VMM_BACKEND_GET_CLASS (self);
  if (klass->set_host_enabled_async == NULL
      || (vmm_backend_get_capabilities (self) & VMM_BACKEND_CAPABILITY_DISABLE_HOST) == 0)
    {
      g_task_report_new_error (self, callback, user_data, vmm_backend_set_host_enabled_async,
                               VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                               "the %s backend cannot disable or enable hosts",
                               G_OBJECT_TYPE_NAME (self));
      return;
    }
  klass->set_host_enabled_async (self, host, enabled, reason, cancellable, callback, user_data);
}

/**
 * vmm_backend_set_host_enabled_finish:
 * @self: a #VmmBackend
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_backend_set_host_enabled_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
vmm_backend_set_host_enabled_finish (VmmBackend *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (VMM_IS_BACKEND (self), FALSE);
  if (g_async_result_is_tagged (result, vmm_backend_set_host_enabled_async)
      || VMM_BACKEND_GET_CLASS (self)->set_host_enabled_finish == NULL)
    return g_task_propagate_boolean (G_TASK (result), error);
  return VMM_BACKEND_GET_CLASS (self)->set_host_enabled_finish (self, result, error);
}

/**
 * vmm_backend_locate_vm_async:
 * @self: a #VmmBackend
 * @vm: the VM's name
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the location
 * @user_data: data for @callback
 *
 * Asks the hypervisors themselves where a VM is defined and runs and where
 * its disks are, beside what the manager's record says. Fails with
 * %VMM_ERROR_UNSUPPORTED on a backend that cannot look.
 *
 * Since: 1.0
 */
void
vmm_backend_locate_vm_async (VmmBackend *self, const char *vm, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  VmmBackendClass *klass;

  g_return_if_fail (VMM_IS_BACKEND (self));
  g_return_if_fail (vm != NULL);
  klass = VMM_BACKEND_GET_CLASS (self);
  if (klass->locate_vm_async == NULL)
    {
      g_task_report_new_error (
          self, callback, user_data, vmm_backend_locate_vm_async, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
          "the %s backend cannot ask its hypervisors where a VM is", G_OBJECT_TYPE_NAME (self));
      return;
    }
  klass->locate_vm_async (self, vm, cancellable, callback, user_data);
}

/**
 * vmm_backend_locate_vm_finish:
 * @self: a #VmmBackend
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_backend_locate_vm_async().
 *
 * Returns: (transfer full): the location, or %NULL with @error set
 *
 * Since: 1.0
 */
VmmVmLocation *
vmm_backend_locate_vm_finish (VmmBackend *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (VMM_IS_BACKEND (self), NULL);
  if (g_async_result_is_tagged (result, vmm_backend_locate_vm_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  return VMM_BACKEND_GET_CLASS (self)->locate_vm_finish (self, result, error);
}

/**
 * vmm_backend_locate_vm:
 * @self: a #VmmBackend
 * @vm: the VM's name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Like vmm_backend_locate_vm_async(), blocking the calling thread.
 *
 * Returns: (transfer full): the location, or %NULL with @error set
 *
 * Since: 1.0
 */
VmmVmLocation *
vmm_backend_locate_vm (VmmBackend *self, const char *vm, GCancellable *cancellable, GError **error)
{
  VmmSync data;
  g_autoptr (GAsyncResult) result = NULL;

  g_return_val_if_fail (VMM_IS_BACKEND (self), NULL);
  vmm_sync_begin (&data);
  vmm_backend_locate_vm_async (self, vm, cancellable, vmm_sync_cb, &data);
  result = vmm_sync_wait (&data);
  return vmm_backend_locate_vm_finish (self, result, error);
}

/**
 * vmm_backend_update_record_async:
 * @self: a #VmmBackend
 * @vm: the VM's name
 * @host: the host where the VM really is
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Makes the manager's record (cloud database, vCenter inventory) name @host
 * for @vm: the explicit repair after vmm_backend_locate_vm() found a
 * mismatch. Never called by the engine on its own.
 *
 * Since: 1.0
 */
void
vmm_backend_update_record_async (VmmBackend *self, const char *vm, const char *host,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  VmmBackendClass *klass;

  g_return_if_fail (VMM_IS_BACKEND (self));
  g_return_if_fail (vm != NULL && host != NULL);
  klass = VMM_BACKEND_GET_CLASS (self);
  if (klass->update_record_async == NULL)
    {
      g_task_report_new_error (self, callback, user_data, vmm_backend_update_record_async,
                               VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                               "the %s backend cannot change the manager's record",
                               G_OBJECT_TYPE_NAME (self));
      return;
    }
  klass->update_record_async (self, vm, host, cancellable, callback, user_data);
}

/**
 * vmm_backend_update_record_finish:
 * @self: a #VmmBackend
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_backend_update_record_async().
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
vmm_backend_update_record_finish (VmmBackend *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (VMM_IS_BACKEND (self), FALSE);
  if (g_async_result_is_tagged (result, vmm_backend_update_record_async)
      || VMM_BACKEND_GET_CLASS (self)->update_record_finish == NULL)
    return g_task_propagate_boolean (G_TASK (result), error);
  return VMM_BACKEND_GET_CLASS (self)->update_record_finish (self, result, error);
}

/**
 * vmm_backend_apply_timeout_action:
 * @self: a #VmmBackend
 * @context: the migration whose move timed out
 * @action: what the spec asks for: force-complete, post-copy or suspend
 * @error: return location for a #GError
 *
 * Makes the move in flight finish another way after its timeout; the step
 * in flight then completes (or fails) as usual. A backend that cannot
 * answers %VMM_ERROR_UNSUPPORTED and the engine aborts instead.
 *
 * Returns: %TRUE if the action was applied
 *
 * Since: 1.0
 */
gboolean
vmm_backend_apply_timeout_action (VmmBackend *self, VmmMigrationContext *context,
                                  VmmOnTimeoutAction action, GError **error)
{
  VmmBackendClass *klass;

  g_return_val_if_fail (VMM_IS_BACKEND (self), FALSE);
  klass = VMM_BACKEND_GET_CLASS (self);
  if (action == VMM_ON_TIMEOUT_ABORT)
    return vmm_backend_abort (self, context, error);
  if (klass->apply_timeout_action == NULL)
    {
      GEnumClass *enum_class = g_type_class_ref (VMM_TYPE_ON_TIMEOUT_ACTION);

      g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                   "the %s backend cannot %s a move in flight", G_OBJECT_TYPE_NAME (self),
                   g_enum_get_value (enum_class, action)->value_nick);
      g_type_class_unref (enum_class);
      return FALSE;
    }
  return klass->apply_timeout_action (self, context, action, error);
}

/**
 * vmm_backend_recover_async:
 * @self: a #VmmBackend
 * @vm: the VM's name
 * @forward: %TRUE to finish the move (the VM switched over to
 *   @destination_host), %FALSE to undo it (the VM stays on @source_host)
 * @source_host: where the move started
 * @destination_host: (nullable): where it was going
 * @data: (array zero-terminated=1): what the backend recorded with
 *   vmm_migration_context_record_recovery_data() during the move, oldest
 *   first (may be empty)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Puts the platform right after the engine process died in the middle of a
 * move: vmm_engine_recover_async() calls it once it knows from the journal
 * and the hypervisors' facts which way the move must end. Idempotent: what
 * is already right is left alone. Fails with %VMM_ERROR_UNSUPPORTED when the
 * backend cannot, and the engine then reports the migration as needing
 * attention.
 *
 * Since: 1.0
 */
void
vmm_backend_recover_async (VmmBackend *self, const char *vm, gboolean forward,
                           const char *source_host, const char *destination_host,
                           const char *const *data, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  VmmBackendClass *klass;
  static const char *const none[] = { NULL };

  g_return_if_fail (VMM_IS_BACKEND (self));
  g_return_if_fail (vm != NULL && source_host != NULL);
  klass = VMM_BACKEND_GET_CLASS (self);
  if (klass->recover_async == NULL)
    {
      g_task_report_new_error (
          self, callback, user_data, vmm_backend_recover_async, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
          "the %s backend cannot finish or undo a move after a crash", G_OBJECT_TYPE_NAME (self));
      return;
    }
  klass->recover_async (self, vm, forward, source_host, destination_host,
                        data != NULL ? data : none, cancellable, callback, user_data);
}

/**
 * vmm_backend_recover_finish:
 * @self: a #VmmBackend
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes vmm_backend_recover_async().
 *
 * Returns: %TRUE when the platform is right
 *
 * Since: 1.0
 */
gboolean
vmm_backend_recover_finish (VmmBackend *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (VMM_IS_BACKEND (self), FALSE);
  if (g_async_result_is_tagged (result, vmm_backend_recover_async)
      || VMM_BACKEND_GET_CLASS (self)->recover_finish == NULL)
    return g_task_propagate_boolean (G_TASK (result), error);
  return VMM_BACKEND_GET_CLASS (self)->recover_finish (self, result, error);
}
