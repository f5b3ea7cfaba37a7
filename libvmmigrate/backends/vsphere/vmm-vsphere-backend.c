/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-vsphere-backend.h"

#include <json-glib/json-glib.h>
#include <libxml/tree.h>
#include <string.h>

#include "vmm-vsphere-client.h"

/* The vSphere backend: a vCenter (or anything speaking vim25) opened as
 * vsphere+https://HOST[:PORT]/sdk?credentials=FILE&ca=FILE (see
 * vmm-vsphere-client.c for every parameter).
 *
 * Inventory facts come from one PropertyCollector RetrievePropertiesEx
 * that traverses the inventory from the root folder. The platform performs
 * the whole move in one RelocateVM_Task: InitiateSource runs it for a
 * powered-on VM and waits for its task; SwitchHostAndPool runs it for a cold
 * or pool-only move (where there is no InitiateSource) and, in every case,
 * verifies from the VM's own properties where vCenter put it;
 * CompleteDestination verifies the datastore and every disk and puts their
 * real locations in the context (and so in the result). Every other step is
 * done by the platform inside the task. After a failed task, no answer or a
 * timeout, the backend reads the VM again and names where it really is. */

struct _VmmVsphereBackend
{
  VmmBackend parent_instance;

  VmmVsphereClient *client;

  /* names <-> managed object ids, from the last inventory read */
  GHashTable *ids;         /* "Kind:name" -> moref id (Kind: host, ds, pool, net, vm, folder) */
  GHashTable *ambiguous;   /* "Kind:name" of names more than one object has */
  GHashTable *names;       /* moref id -> display name */
  GHashTable *host_pool;   /* host id -> its compute resource's root pool id */
  GHashTable *pool_owner;  /* pool id -> compute resource id */
  GHashTable *host_owner;  /* host id -> compute resource id */
  GHashTable *dvpg_key;    /* dv portgroup id -> key */
  GHashTable *dvpg_switch; /* dv portgroup id -> switch uuid */

  /* inventory reads: one in flight; queries arriving meanwhile share the
   * next one (sent after they asked, so never older than the query) */
  GPtrArray *inv_waiting; /* GTask */
  GPtrArray *inv_reading; /* GTask, answered by the read in flight */
  guint inv_logins;       /* the client's login count when it was sent */
};

/* Not final: the extension point keeps one scheme per GType, so plain
 * http gets an empty subtype registered below. */
G_DEFINE_TYPE (VmmVsphereBackend, vmm_vsphere_backend, VMM_TYPE_BACKEND)

void
vmm_vsphere_backend_register (void)
{
  GType http_type = g_type_register_static_simple (
      VMM_TYPE_VSPHERE_BACKEND, "VmmVsphereHttpBackend", sizeof (VmmVsphereBackendClass), NULL,
      sizeof (VmmVsphereBackend), NULL, 0);

  g_io_extension_point_implement (VMM_BACKEND_EXTENSION_POINT_NAME, VMM_TYPE_VSPHERE_BACKEND,
                                  "vsphere+https", 0);
  g_io_extension_point_implement (VMM_BACKEND_EXTENSION_POINT_NAME, http_type, "vsphere+http", 0);
}

/* How many times the backend logged in (tests: a session expiry re-logs in). */
guint
vmm_vsphere_backend_get_n_logins (VmmVsphereBackend *self)
{
  return self->client != NULL ? vmm_vsphere_client_get_n_logins (self->client) : 0;
}

static const char *
id_of (VmmVsphereBackend *self, const char *kind, const char *name)
{
  g_autofree char *key = NULL;

  if (name == NULL)
    return NULL;
  key = g_strdup_printf ("%s:%s", kind, name);
  return g_hash_table_lookup (self->ids, key);
}

/* Sets ERROR when NAME names more than one object of KIND. */
static gboolean
check_unique (VmmVsphereBackend *self, const char *kind, const char *what, const char *name,
              GError **error)
{
  g_autofree char *key = NULL;

  if (name == NULL)
    return TRUE;
  key = g_strdup_printf ("%s:%s", kind, name);
  if (!g_hash_table_contains (self->ambiguous, key))
    return TRUE;
  g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
               "vCenter has more than one %s named '%s' (in different folders or datacenters); "
               "the backend cannot tell which one is meant",
               what, name);
  return FALSE;
}

static const char *
name_of (VmmVsphereBackend *self, const char *id)
{
  const char *name;

  if (id == NULL)
    return NULL;
  name = g_hash_table_lookup (self->names, id);
  return name != NULL ? name : id;
}

/* Every error a step or query returns is in VMM_ERROR (or a cancellation). */
static GError *
to_vmm_error (GError *error)
{
  GError *out;

  if (error->domain == VMM_ERROR || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;
  out = g_error_new_literal (VMM_ERROR, VMM_ERROR_BACKEND, error->message);
  g_error_free (error);
  return out;
}

/* --- property collection --- */

typedef struct
{
  char *type;
  char *id;
  GHashTable *props; /* name -> xmlNode (val), owned by the set's documents */
} MoObject;

typedef struct
{
  GPtrArray *docs;    /* xmlDoc */
  GPtrArray *objects; /* MoObject, in answer order */
  GHashTable *by_id;
} MoSet;

static void
mo_object_free (MoObject *o)
{
  g_free (o->type);
  g_free (o->id);
  g_hash_table_unref (o->props);
  g_free (o);
}

static void
mo_set_free (MoSet *set)
{
  g_ptr_array_unref (set->objects);
  g_hash_table_unref (set->by_id);
  g_ptr_array_unref (set->docs);
  g_free (set);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MoSet, mo_set_free)

static MoSet *
mo_set_new (void)
{
  MoSet *set = g_new0 (MoSet, 1);

  set->docs = g_ptr_array_new_with_free_func ((GDestroyNotify)xmlFreeDoc);
  set->objects = g_ptr_array_new_with_free_func ((GDestroyNotify)mo_object_free);
  set->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  return set;
}

/* Adds the objects of one RetrieveResult; returns its paging token, if any. */
static char *
mo_set_add (MoSet *set, xmlDoc *doc)
{
  xmlNode *ret = vmm_vsphere_child (vmm_vsphere_response (doc), "returnval");

  g_ptr_array_add (set->docs, doc);
  for (xmlNode *o = vmm_vsphere_child (ret, "objects"); o != NULL;
       o = vmm_vsphere_next (o, "objects"))
    {
      xmlNode *obj = vmm_vsphere_child (o, "obj");
      MoObject *mo;

      if (obj == NULL)
        continue;
      mo = g_new0 (MoObject, 1);
      mo->type = vmm_vsphere_moref_type (obj);
      mo->id = vmm_vsphere_text (obj);
      mo->props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (xmlNode *p = vmm_vsphere_child (o, "propSet"); p != NULL;
           p = vmm_vsphere_next (p, "propSet"))
        {
          g_autofree char *name = vmm_vsphere_child_text (p, "name");
          xmlNode *val = vmm_vsphere_child (p, "val");

          if (name != NULL && val != NULL)
            g_hash_table_replace (mo->props, g_steal_pointer (&name), val);
        }
      if (mo->id == NULL || g_hash_table_contains (set->by_id, mo->id))
        {
          mo_object_free (mo);
          continue;
        }
      g_ptr_array_add (set->objects, mo);
      g_hash_table_insert (set->by_id, mo->id, mo);
    }
  return vmm_vsphere_child_text (ret, "token");
}

static xmlNode *
prop (MoObject *o, const char *name)
{
  return o != NULL ? g_hash_table_lookup (o->props, name) : NULL;
}

static char *
prop_text (MoObject *o, const char *name)
{
  return vmm_vsphere_text (prop (o, name));
}

static guint64
prop_u64 (MoObject *o, const char *name)
{
  g_autofree char *text = prop_text (o, name);
  guint64 v = 0;

  if (text != NULL)
    g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &v, NULL);
  return v;
}

static gboolean
prop_bool (MoObject *o, const char *name, gboolean def)
{
  g_autofree char *text = prop_text (o, name);

  if (text == NULL)
    return def;
  return g_str_equal (text, "true") || g_str_equal (text, "1");
}

/* The ids of an ArrayOfManagedObjectReference value. */
static GPtrArray *
prop_morefs (MoObject *o, const char *name)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  xmlNode *val = prop (o, name);

  for (xmlNode *r = vmm_vsphere_child (val, "ManagedObjectReference"); r != NULL;
       r = vmm_vsphere_next (r, "ManagedObjectReference"))
    g_ptr_array_add (ids, vmm_vsphere_text (r));
  return ids;
}

/* RetrievePropertiesEx _this=propertyCollector; returns the specSet to fill. */
static xmlDoc *
retrieve_request (VmmVsphereBackend *self, xmlNode **spec_set)
{
  xmlNode *m;
  xmlDoc *doc = vmm_vsphere_request_new (
      "RetrievePropertiesEx", "PropertyCollector",
      vmm_vsphere_client_get_service (self->client, "propertyCollector"), &m);

  *spec_set = xmlNewChild (m, m->ns, BAD_CAST "specSet", NULL);
  xmlNewChild (m, m->ns, BAD_CAST "options", NULL);
  return doc;
}

static void
add_prop_set (xmlNode *spec_set, const char *type, const char *const *paths)
{
  xmlNode *ps = xmlNewChild (spec_set, spec_set->ns, BAD_CAST "propSet", NULL);

  vmm_vsphere_add_text (ps, "type", type);
  for (guint i = 0; paths[i] != NULL; i++)
    vmm_vsphere_add_text (ps, "pathSet", paths[i]);
}

static void
add_object (xmlNode *spec_set, const char *type, const char *id)
{
  xmlNode *os = xmlNewChild (spec_set, spec_set->ns, BAD_CAST "objectSet", NULL);

  vmm_vsphere_add_moref (os, "obj", type, id);
  vmm_vsphere_add_text (os, "skip", "false");
}

static void
add_traversal (xmlNode *parent, const char *name, const char *type, const char *path,
               const char *const *next)
{
  xmlNode *sel = xmlNewChild (parent, parent->ns, BAD_CAST "selectSet", NULL);

  vmm_vsphere_set_xsi_type (sel, "TraversalSpec");
  vmm_vsphere_add_text (sel, "name", name);
  vmm_vsphere_add_text (sel, "type", type);
  vmm_vsphere_add_text (sel, "path", path);
  vmm_vsphere_add_text (sel, "skip", "false");
  for (guint i = 0; next != NULL && next[i] != NULL; i++)
    {
      xmlNode *ref = xmlNewChild (sel, sel->ns, BAD_CAST "selectSet", NULL);

      vmm_vsphere_add_text (ref, "name", next[i]);
    }
}

/* The whole inventory from the root folder: folders, datacenters, compute
 * resources, pools. No session-scoped view to keep, and always current
 * (vcsim's ContainerView does not see objects created after it). */
static void
add_inventory_traversal (xmlNode *spec_set, const char *root)
{
  xmlNode *os = xmlNewChild (spec_set, spec_set->ns, BAD_CAST "objectSet", NULL);
  const char *const from_folder[] = { "folder", "dcHost", "dcVm",     "dcDs",   "dcNet",
                                      "crHost", "crPool", "poolPool", "poolVm", NULL };
  const char *const to_folder[] = { "folder", NULL };
  const char *const to_pools[] = { "poolPool", "poolVm", NULL };

  vmm_vsphere_add_moref (os, "obj", "Folder", root);
  vmm_vsphere_add_text (os, "skip", "false");
  add_traversal (os, "folder", "Folder", "childEntity", from_folder);
  add_traversal (os, "dcHost", "Datacenter", "hostFolder", to_folder);
  add_traversal (os, "dcVm", "Datacenter", "vmFolder", to_folder);
  add_traversal (os, "dcDs", "Datacenter", "datastoreFolder", to_folder);
  add_traversal (os, "dcNet", "Datacenter", "networkFolder", to_folder);
  add_traversal (os, "crHost", "ComputeResource", "host", NULL);
  add_traversal (os, "crPool", "ComputeResource", "resourcePool", to_pools);
  add_traversal (os, "poolPool", "ResourcePool", "resourcePool", to_pools);
  add_traversal (os, "poolVm", "ResourcePool", "vm", NULL);
}

/* Runs a RetrievePropertiesEx and follows ContinueRetrievePropertiesEx
 * tokens (vCenter pages big answers; vcsim never does). */
static void
retrieve_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
retrieve_async (VmmVsphereBackend *self, xmlDoc *request, GCancellable *cancellable,
                GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, retrieve_async);
  g_task_set_task_data (task, mo_set_new (), (GDestroyNotify)mo_set_free);
  vmm_vsphere_client_call_async (self->client, request, cancellable, retrieve_cb, task);
}

static void
retrieve_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VmmVsphereBackend *self = g_task_get_source_object (task);
  MoSet *set = g_task_get_task_data (task);
  GError *error = NULL;
  xmlDoc *doc = vmm_vsphere_client_call_finish (VMM_VSPHERE_CLIENT (source), result, &error);
  g_autofree char *token = NULL;

  if (doc == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  token = mo_set_add (set, doc);
  if (token != NULL)
    {
      xmlNode *m;
      xmlDoc *next = vmm_vsphere_request_new (
          "ContinueRetrievePropertiesEx", "PropertyCollector",
          vmm_vsphere_client_get_service (self->client, "propertyCollector"), &m);

      vmm_vsphere_add_text (m, "token", token);
      vmm_vsphere_client_call_async (self->client, next, g_task_get_cancellable (task), retrieve_cb,
                                     task);
      return;
    }
  {
    /* hand the answer over; the task data keeps an empty set */
    MoSet *out = g_new0 (MoSet, 1);

    *out = *set;
    set->docs = g_ptr_array_new ();
    set->objects = g_ptr_array_new ();
    set->by_id = g_hash_table_new (g_str_hash, g_str_equal);
    g_task_return_pointer (task, out, (GDestroyNotify)mo_set_free);
  }
  g_object_unref (task);
}

static MoSet *
retrieve_finish (VmmVsphereBackend *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- open --- */

static gboolean
vmm_vsphere_backend_open (VmmBackend *backend, GUri *uri, GCancellable *cancellable, GError **error)
{
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (backend);

  GError *local = NULL;

  self->client = vmm_vsphere_client_new (uri, error);
  if (self->client == NULL)
    return FALSE;
  if (!vmm_vsphere_client_connect (self->client, cancellable, &local))
    {
      g_propagate_error (error, to_vmm_error (local));
      return FALSE;
    }
  return TRUE;
}

static VmmBackendCapabilities
vmm_vsphere_backend_get_capabilities (VmmBackend *backend)
{
  /* What RelocateVM_Task does. Not claimed: ABORT (CancelTask is only tried
   * when vCenter marks the task cancelable, so an abort cannot be promised),
   * CROSS_MANAGER (a RelocateSpec.service with another vCenter's
   * credentials is not built), FORCE_COMPLETE, POST_COPY, DISABLE_HOST,
   * DIRTY_RATE and TUNE_LIVE (vim25 exposes none of them for a vMotion). */
  return VMM_BACKEND_CAPABILITY_HOT_HOST | VMM_BACKEND_CAPABILITY_HOT_STORAGE
         | VMM_BACKEND_CAPABILITY_HOT_HOST_AND_STORAGE | VMM_BACKEND_CAPABILITY_COLD
         | VMM_BACKEND_CAPABILITY_POOL_CHANGE;
}

static VmmStepMode
vmm_vsphere_backend_get_step_mode (VmmBackend *backend, VmmStep step)
{
  switch (step)
    {
    case VMM_STEP_INITIATE_SOURCE:
    case VMM_STEP_SWITCH_HOST_AND_POOL:
    case VMM_STEP_COMPLETE_DESTINATION:
    case VMM_STEP_POWER_OFF:
    case VMM_STEP_POWER_ON:
      return VMM_STEP_MODE_BACKEND;
    case VMM_STEP_CREATE_INVENTORY_VM:
      return VMM_STEP_MODE_UNSUPPORTED;
    case VMM_STEP_RESERVE_DIRECTORY:
    case VMM_STEP_CREATE_DUMMY_DISKS:
    case VMM_STEP_CREATE_DESTINATION_VM:
    case VMM_STEP_REGISTER_DESTINATION_VM:
    case VMM_STEP_UNREGISTER_SOURCE_VM:
    case VMM_STEP_RECONFIGURE_VM:
    case VMM_STEP_RELAYOUT_SNAPSHOTS:
    case VMM_STEP_PREPARE_SOURCE:
    case VMM_STEP_PREPARE_DESTINATION:
    case VMM_STEP_INITIATE_DESTINATION:
    case VMM_STEP_COMPLETE_SOURCE:
      return VMM_STEP_MODE_PLATFORM;
    case VMM_STEP_LAST:
    default:
      return VMM_STEP_MODE_UNSUPPORTED;
    }
}

/* --- inventory --- */

static const char *const host_paths[] = { "name",
                                          "parent",
                                          "runtime.connectionState",
                                          "runtime.inMaintenanceMode",
                                          "summary.hardware.numCpuThreads",
                                          "summary.hardware.numCpuCores",
                                          "summary.hardware.cpuModel",
                                          "summary.hardware.memorySize",
                                          "summary.quickStats.overallMemoryUsage",
                                          "datastore",
                                          "network",
                                          "vm",
                                          NULL };
static const char *const ds_paths[] = { "name",
                                        "summary.type",
                                        "summary.accessible",
                                        "summary.capacity",
                                        "summary.freeSpace",
                                        "summary.url",
                                        "summary.multipleHostAccess",
                                        "host",
                                        NULL };
static const char *const net_paths[] = { "name", NULL };
static const char *const dvpg_paths[] = { "name", "key", "config.distributedVirtualSwitch", NULL };
static const char *const dvs_paths[] = { "name", "uuid", NULL };
static const char *const pool_paths[] = { "name", "parent", "owner", NULL };
static const char *const cr_paths[] = { "name", "resourcePool", NULL };
static const char *const folder_paths[] = { "name", "parent", NULL };
static const char *const vm_paths[] = { "name",
                                        "parent",
                                        "runtime.powerState",
                                        "runtime.host",
                                        "resourcePool",
                                        "datastore",
                                        "config.hardware.numCPU",
                                        "config.hardware.memoryMB",
                                        "config.hardware.device",
                                        "config.files.vmPathName",
                                        "config.template",
                                        "guest.toolsRunningStatus",
                                        "recentTask",
                                        NULL };

/* Every fact of the inventory, read from the root folder, and the session
 * it is read in. */
static void
add_inventory_props (VmmVsphereBackend *self, xmlNode *spec)
{
  const char *const session_paths[] = { "currentSession", NULL };

  add_prop_set (spec, "HostSystem", host_paths);
  add_prop_set (spec, "Datastore", ds_paths);
  add_prop_set (spec, "Network", net_paths);
  add_prop_set (spec, "DistributedVirtualPortgroup", dvpg_paths);
  add_prop_set (spec, "DistributedVirtualSwitch", dvs_paths);
  add_prop_set (spec, "ResourcePool", pool_paths);
  add_prop_set (spec, "ComputeResource", cr_paths);
  add_prop_set (spec, "VirtualMachine", vm_paths);
  add_prop_set (spec, "Folder", folder_paths);
  add_prop_set (spec, "Datacenter", folder_paths);
  add_inventory_traversal (spec, vmm_vsphere_client_get_service (self->client, "rootFolder"));
  /* and the session it was read in: vcsim answers property reads without a
   * session (with fewer objects) instead of faulting NotAuthenticated */
  add_prop_set (spec, "SessionManager", session_paths);
  add_object (spec, "SessionManager",
              vmm_vsphere_client_get_service (self->client, "sessionManager"));
}

/* Whether SET was read inside a session. */
static gboolean
set_has_session (VmmVsphereBackend *self, MoSet *set)
{
  MoObject *sm = g_hash_table_lookup (
      set->by_id, vmm_vsphere_client_get_service (self->client, "sessionManager"));

  return prop (sm, "currentSession") != NULL;
}

static void
inventory_props_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
inventory_send (VmmVsphereBackend *self)
{
  xmlNode *spec;
  xmlDoc *req = retrieve_request (self, &spec);
  GPtrArray *tmp = self->inv_reading;

  /* the queries waiting now are answered by this read */
  self->inv_reading = self->inv_waiting;
  self->inv_waiting = tmp;
  /* one RetrievePropertiesEx for every fact */
  add_inventory_props (self, spec);
  self->inv_logins = vmm_vsphere_client_get_n_logins (self->client);
  /* not cancellable: other queries may wait for it; a cancelled query gets
   * G_IO_ERROR_CANCELLED when it is answered */
  retrieve_async (self, req, NULL, inventory_props_cb, g_object_ref (self));
}

static void
vmm_vsphere_backend_query_inventory_async (VmmBackend *backend, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data)
{
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (backend);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, vmm_vsphere_backend_query_inventory_async);
  g_ptr_array_add (self->inv_waiting, task);
  if (self->inv_reading->len == 0)
    inventory_send (self);
}

/* "[ds] dir/file" -> "ds" (the datastore path format, not XML). */
static char *
datastore_of_path (const char *path)
{
  const char *end;

  if (path == NULL || path[0] != '[' || (end = strchr (path, ']')) == NULL)
    return NULL;
  return g_strndup (path + 1, end - path - 1);
}

static char *
pool_path (VmmVsphereBackend *self, MoSet *set, const char *pool_id, guint depth)
{
  MoObject *pool = g_hash_table_lookup (set->by_id, pool_id);
  g_autofree char *name = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *owner = NULL;
  MoObject *parent_obj;

  if (pool == NULL || depth > 64)
    return g_strdup (pool_id);
  name = prop_text (pool, "name");
  parent = prop_text (pool, "parent");
  parent_obj = parent != NULL ? g_hash_table_lookup (set->by_id, parent) : NULL;
  if (parent_obj != NULL && g_strcmp0 (parent_obj->type, "ResourcePool") == 0)
    {
      g_autofree char *up = pool_path (self, set, parent, depth + 1);
      return g_strdup_printf ("%s/%s", up, name);
    }
  owner = prop_text (pool, "owner");
  {
    MoObject *cr = owner != NULL ? g_hash_table_lookup (set->by_id, owner) : NULL;
    g_autofree char *cr_name = cr != NULL ? prop_text (cr, "name") : g_strdup (owner);

    return g_strdup_printf ("%s/%s", cr_name, name);
  }
}

/* A folder's inventory path, as govc prints it: /DC0/vm/sub. */
static char *
folder_path (VmmVsphereBackend *self, MoSet *set, const char *id, guint depth)
{
  MoObject *o = g_hash_table_lookup (set->by_id, id);
  g_autofree char *name = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *up = NULL;

  if (g_strcmp0 (id, vmm_vsphere_client_get_service (self->client, "rootFolder")) == 0)
    return g_strdup ("");
  if (o == NULL || depth > 64)
    return g_strdup (id);
  name = prop_text (o, "name");
  parent = prop_text (o, "parent");
  up = parent != NULL ? folder_path (self, set, parent, depth + 1) : g_strdup ("");
  return g_strdup_printf ("%s/%s", up, name);
}

static void
remember (VmmVsphereBackend *self, const char *kind, const char *name, const char *id)
{
  g_autofree char *key = g_strdup_printf ("%s:%s", kind, name);
  const char *known = g_hash_table_lookup (self->ids, key);

  /* vCenter names are unique per folder or datacenter only */
  if (known != NULL && g_strcmp0 (known, id) != 0)
    g_hash_table_add (self->ambiguous, g_strdup (key));
  g_hash_table_replace (self->ids, g_steal_pointer (&key), g_strdup (id));
  g_hash_table_replace (self->names, g_strdup (id), g_strdup (name));
}

static VmmPowerState
power_state (const char *text)
{
  if (g_strcmp0 (text, "poweredOn") == 0)
    return VMM_POWER_STATE_RUNNING;
  if (g_strcmp0 (text, "poweredOff") == 0)
    return VMM_POWER_STATE_OFF;
  if (g_strcmp0 (text, "suspended") == 0)
    return VMM_POWER_STATE_SUSPENDED;
  return VMM_POWER_STATE_UNKNOWN;
}

/* A VM's disks and devices from config.hardware.device. */
static void
parse_devices (VmmVsphereBackend *self, xmlNode *devices, VmmVmInfo *vm)
{
  for (xmlNode *d = vmm_vsphere_child (devices, "VirtualDevice"); d != NULL;
       d = vmm_vsphere_next (d, "VirtualDevice"))
    {
      g_autofree char *type = vmm_vsphere_xsi_type (d);
      g_autofree char *key = vmm_vsphere_child_text (d, "key");
      xmlNode *backing = vmm_vsphere_child (d, "backing");
      g_autofree char *file = vmm_vsphere_child_text (backing, "fileName");
      xmlNode *ds_node = vmm_vsphere_child (backing, "datastore");
      g_autofree char *ds_id = vmm_vsphere_text (ds_node);
      g_autofree char *ds_name = NULL;

      if (key == NULL || type == NULL)
        continue;
      ds_name = ds_id != NULL ? g_strdup (name_of (self, ds_id)) : datastore_of_path (file);
      if (g_str_equal (type, "VirtualDisk"))
        {
          g_autoptr (VmmDiskInfo) disk = vmm_disk_info_new (key, ds_name, file);
          g_autofree char *kb = vmm_vsphere_child_text (d, "capacityInKB");
          g_autofree char *bytes = vmm_vsphere_child_text (d, "capacityInBytes");
          g_autofree char *thin = vmm_vsphere_child_text (backing, "thinProvisioned");
          guint64 v = 0;

          if (bytes != NULL && g_ascii_string_to_unsigned (bytes, 10, 0, G_MAXUINT64, &v, NULL))
            vmm_disk_info_set_capacity (disk, v);
          else if (kb != NULL
                   && g_ascii_string_to_unsigned (kb, 10, 0, G_MAXUINT64 / 1024, &v, NULL))
            vmm_disk_info_set_capacity (disk, v * 1024);
          vmm_disk_info_set_format (disk, g_strcmp0 (thin, "true") == 0 ? "thin" : "thick");
          vmm_vm_info_add_disk (vm, disk);
        }
      else
        {
          VmmDeviceKind kind = VMM_DEVICE_KIND_OTHER;
          g_autoptr (VmmDeviceInfo) dev = NULL;
          xmlNode *connectable = vmm_vsphere_child (d, "connectable");
          g_autofree char *connected = vmm_vsphere_child_text (connectable, "connected");

          if (g_str_equal (type, "VirtualCdrom"))
            kind = VMM_DEVICE_KIND_CDROM;
          else if (g_str_equal (type, "VirtualFloppy"))
            kind = VMM_DEVICE_KIND_FLOPPY;
          else if (g_str_equal (type, "VirtualSerialPort"))
            kind = VMM_DEVICE_KIND_SERIAL;
          else if (vmm_vsphere_child (d, "macAddress") != NULL)
            kind = VMM_DEVICE_KIND_NIC;
          if (kind == VMM_DEVICE_KIND_OTHER)
            continue;
          dev = vmm_device_info_new (key, kind);
          vmm_device_info_set_connected (dev, g_strcmp0 (connected, "true") == 0);
          if (kind == VMM_DEVICE_KIND_NIC)
            {
              g_autofree char *net_id = vmm_vsphere_child_text (backing, "network");
              g_autofree char *dev_name = vmm_vsphere_child_text (backing, "deviceName");
              g_autofree char *pg
                  = vmm_vsphere_child_text (vmm_vsphere_child (backing, "port"), "portgroupKey");

              if (pg != NULL)
                vmm_device_info_set_network (dev, name_of (self, pg));
              else if (net_id != NULL)
                vmm_device_info_set_network (dev, name_of (self, net_id));
              else
                vmm_device_info_set_network (dev, dev_name);
            }
          else if (file != NULL)
            {
              /* ISO/floppy image: vcsim sends no <datastore>, only "[ds] path" */
              vmm_device_info_set_backing_path (dev, file);
              vmm_device_info_set_backing_datastore (dev, ds_name);
            }
          vmm_vm_info_add_device (vm, dev);
        }
    }
}

/* The VM's primary datastore: its only one, or the one holding its .vmx. */
static char *
primary_datastore (VmmVsphereBackend *self, MoObject *vm)
{
  g_autoptr (GPtrArray) ds = prop_morefs (vm, "datastore");
  g_autofree char *vmx = prop_text (vm, "config.files.vmPathName");
  g_autofree char *vmx_ds = datastore_of_path (vmx);

  if (ds->len == 1)
    return g_strdup (name_of (self, g_ptr_array_index (ds, 0)));
  for (guint i = 0; i < ds->len; i++)
    if (g_strcmp0 (name_of (self, g_ptr_array_index (ds, i)), vmx_ds) == 0)
      return g_steal_pointer (&vmx_ds);
  if (ds->len > 0)
    return g_strdup (name_of (self, g_ptr_array_index (ds, 0)));
  return g_steal_pointer (&vmx_ds);
}

static VmmVmInfo *
vm_info_from (VmmVsphereBackend *self, MoObject *o, const char *pool_name)
{
  g_autofree char *name = prop_text (o, "name");
  g_autofree char *power = prop_text (o, "runtime.powerState");
  g_autofree char *host = prop_text (o, "runtime.host");
  g_autofree char *ds = primary_datastore (self, o);
  VmmVmInfo *vm = vmm_vm_info_new (name);

  vmm_vm_info_set_id (vm, o->id);
  vmm_vm_info_set_host (vm, name_of (self, host));
  vmm_vm_info_set_resource_pool (vm, pool_name);
  {
    g_autofree char *parent = prop_text (o, "parent");

    if (parent != NULL && g_hash_table_contains (self->names, parent))
      vmm_vm_info_set_folder (vm, name_of (self, parent));
  }
  vmm_vm_info_set_datastore (vm, ds);
  vmm_vm_info_set_power_state (vm, power_state (power));
  vmm_vm_info_set_vcpus (vm, (guint)prop_u64 (o, "config.hardware.numCPU"));
  vmm_vm_info_set_memory_mib (vm, prop_u64 (o, "config.hardware.memoryMB"));
  parse_devices (self, prop (o, "config.hardware.device"), vm);
  return vm;
}

static VmmInventory *
build_inventory (VmmVsphereBackend *self, MoSet *set)
{
  VmmInventory *inv = vmm_inventory_new ();
  /* datastore id -> host names mounting it (HostSystem.datastore) */
  g_autoptr (GHashTable) ds_hosts
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  g_autoptr (GHashTable) pool_names = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr (GHashTable) host_vcpus = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_remove_all (self->ids);
  g_hash_table_remove_all (self->ambiguous);
  g_hash_table_remove_all (self->names);
  g_hash_table_remove_all (self->host_pool);
  g_hash_table_remove_all (self->pool_owner);
  g_hash_table_remove_all (self->host_owner);
  g_hash_table_remove_all (self->dvpg_key);
  g_hash_table_remove_all (self->dvpg_switch);

  /* names first: every other fact refers to objects by id */
  for (guint i = 0; i < set->objects->len; i++)
    {
      MoObject *o = g_ptr_array_index (set->objects, i);
      g_autofree char *name = prop_text (o, "name");

      if (name == NULL)
        continue;
      if (g_str_equal (o->type, "HostSystem"))
        remember (self, "host", name, o->id);
      else if (g_str_equal (o->type, "Datastore"))
        remember (self, "ds", name, o->id);
      else if (g_str_equal (o->type, "Network") || g_str_equal (o->type, "OpaqueNetwork")
               || g_str_equal (o->type, "DistributedVirtualPortgroup"))
        remember (self, "net", name, o->id);
      else if (g_str_equal (o->type, "VirtualMachine"))
        remember (self, "vm", name, o->id);
      else
        g_hash_table_replace (self->names, g_strdup (o->id), g_strdup (name));
    }
  for (guint i = 0; i < set->objects->len; i++)
    {
      MoObject *o = g_ptr_array_index (set->objects, i);

      if (g_str_equal (o->type, "Folder")
          && g_strcmp0 (o->id, vmm_vsphere_client_get_service (self->client, "rootFolder")) != 0)
        {
          g_autofree char *path = folder_path (self, set, o->id, 0);

          remember (self, "folder", path, o->id);
        }
      else if (g_str_equal (o->type, "ResourcePool"))
        {
          char *path = pool_path (self, set, o->id, 0);

          remember (self, "pool", path, o->id);
          g_hash_table_insert (pool_names, o->id, path);
          g_hash_table_replace (self->pool_owner, g_strdup (o->id), prop_text (o, "owner"));
        }
      else if (g_str_equal (o->type, "DistributedVirtualPortgroup"))
        {
          g_autofree char *dvs = prop_text (o, "config.distributedVirtualSwitch");
          MoObject *sw = dvs != NULL ? g_hash_table_lookup (set->by_id, dvs) : NULL;

          g_hash_table_replace (self->dvpg_key, g_strdup (o->id), prop_text (o, "key"));
          if (sw != NULL)
            g_hash_table_replace (self->dvpg_switch, g_strdup (o->id), prop_text (sw, "uuid"));
        }
    }

  /* VMs (also counts the vCPUs each host runs) */
  for (guint i = 0; i < set->objects->len; i++)
    {
      MoObject *o = g_ptr_array_index (set->objects, i);
      g_autofree char *pool = NULL;
      g_autofree char *host = NULL;
      g_autoptr (VmmVmInfo) vm = NULL;

      if (!g_str_equal (o->type, "VirtualMachine") || prop_bool (o, "config.template", FALSE)
          || prop (o, "name") == NULL)
        continue;
      pool = prop_text (o, "resourcePool");
      vm = vm_info_from (self, o, pool != NULL ? g_hash_table_lookup (pool_names, pool) : NULL);
      host = prop_text (o, "runtime.host");
      if (host != NULL && vmm_vm_info_get_power_state (vm) == VMM_POWER_STATE_RUNNING)
        {
          const char *hname = name_of (self, host);
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (host_vcpus, hname));

          g_hash_table_insert (host_vcpus, (gpointer)hname,
                               GUINT_TO_POINTER (n + vmm_vm_info_get_vcpus (vm)));
        }
      vmm_inventory_add_vm (inv, vm);
    }

  /* hosts */
  for (guint i = 0; i < set->objects->len; i++)
    {
      MoObject *o = g_ptr_array_index (set->objects, i);
      g_autofree char *name = NULL;
      g_autofree char *parent = NULL;
      g_autofree char *conn = NULL;
      g_autoptr (VmmHostInfo) host = NULL;
      g_autoptr (GPtrArray) nets = NULL;
      g_autoptr (GPtrArray) dss = NULL;
      g_autoptr (GStrvBuilder) nb = g_strv_builder_new ();
      g_autoptr (GStrvBuilder) db = g_strv_builder_new ();
      g_autoptr (GStrvBuilder) pb = g_strv_builder_new ();
      g_auto (GStrv) net_names = NULL;
      g_auto (GStrv) ds_names = NULL;
      g_auto (GStrv) pools = NULL;
      g_autofree char *model = NULL;
      MoObject *cr;
      guint64 threads;
      GHashTableIter iter;
      gpointer key, value;

      if (!g_str_equal (o->type, "HostSystem") || prop (o, "name") == NULL)
        continue;
      name = prop_text (o, "name");
      host = vmm_host_info_new (name);
      vmm_host_info_set_manager (host, vmm_vsphere_client_get_endpoint (self->client));
      parent = prop_text (o, "parent");
      cr = parent != NULL ? g_hash_table_lookup (set->by_id, parent) : NULL;
      if (cr != NULL)
        {
          g_autofree char *root = prop_text (cr, "resourcePool");

          if (g_strcmp0 (cr->type, "ClusterComputeResource") == 0)
            vmm_host_info_set_cluster (host, name_of (self, cr->id));
          g_hash_table_replace (self->host_owner, g_strdup (o->id), g_strdup (cr->id));
          if (root != NULL)
            {
              vmm_host_info_set_default_pool (host, g_hash_table_lookup (pool_names, root));
              g_hash_table_replace (self->host_pool, g_strdup (o->id), g_strdup (root));
            }
          g_hash_table_iter_init (&iter, self->pool_owner);
          while (g_hash_table_iter_next (&iter, &key, &value))
            if (g_strcmp0 (value, cr->id) == 0)
              g_strv_builder_add (pb, g_hash_table_lookup (pool_names, key));
        }
      conn = prop_text (o, "runtime.connectionState");
      if (g_strcmp0 (conn, "connected") != 0)
        vmm_host_info_set_state (host, VMM_HOST_STATE_DOWN);
      else if (prop_bool (o, "runtime.inMaintenanceMode", FALSE))
        vmm_host_info_set_state (host, VMM_HOST_STATE_MAINTENANCE);
      else
        vmm_host_info_set_state (host, VMM_HOST_STATE_CONNECTED);
      model = prop_text (o, "summary.hardware.cpuModel");
      vmm_host_info_set_cpu_model (host, model);
      /* physical cores; ESXi does not admit VMs by vCPU count, its
       * configuration maximum is 32 vCPUs per core */
      threads = prop_u64 (o, "summary.hardware.numCpuCores");
      if (threads == 0)
        threads = prop_u64 (o, "summary.hardware.numCpuThreads");
      vmm_host_info_set_vcpus (host, (guint)threads);
      vmm_host_info_set_cpu_overcommit (host, 32.0);
      vmm_host_info_set_vcpus_used (host,
                                    GPOINTER_TO_UINT (g_hash_table_lookup (host_vcpus, name)));
      vmm_host_info_set_memory_mib (host,
                                    prop_u64 (o, "summary.hardware.memorySize") / (1024 * 1024));
      vmm_host_info_set_memory_used_mib (host,
                                         prop_u64 (o, "summary.quickStats.overallMemoryUsage"));
      nets = prop_morefs (o, "network");
      for (guint j = 0; j < nets->len; j++)
        if (g_hash_table_contains (self->names, g_ptr_array_index (nets, j)))
          g_strv_builder_add (nb, name_of (self, g_ptr_array_index (nets, j)));
      net_names = g_strv_builder_end (nb);
      vmm_host_info_set_networks (host, (const char *const *)net_names);
      dss = prop_morefs (o, "datastore");
      for (guint j = 0; j < dss->len; j++)
        {
          const char *ds_id = g_ptr_array_index (dss, j);
          GPtrArray *mounted = g_hash_table_lookup (ds_hosts, ds_id);

          g_strv_builder_add (db, name_of (self, ds_id));
          if (mounted == NULL)
            {
              mounted = g_ptr_array_new_with_free_func (g_free);
              g_hash_table_insert (ds_hosts, g_strdup (ds_id), mounted);
            }
          g_ptr_array_add (mounted, g_strdup (name));
        }
      ds_names = g_strv_builder_end (db);
      vmm_host_info_set_datastores (host, (const char *const *)ds_names);
      pools = g_strv_builder_end (pb);
      vmm_host_info_set_pools (host, (const char *const *)pools);
      vmm_inventory_add_host (inv, host);
    }

  /* datastores */
  for (guint i = 0; i < set->objects->len; i++)
    {
      MoObject *o = g_ptr_array_index (set->objects, i);
      g_autofree char *name = NULL;
      g_autofree char *url = NULL;
      g_autoptr (VmmDatastoreInfo) ds = NULL;
      g_autoptr (GStrvBuilder) hb = g_strv_builder_new ();
      g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_auto (GStrv) hosts = NULL;
      xmlNode *mounts = prop (o, "host");
      GPtrArray *mounted = g_hash_table_lookup (ds_hosts, o->id);
      guint n_hosts = 0;

      if (!g_str_equal (o->type, "Datastore") || prop (o, "name") == NULL)
        continue;
      name = prop_text (o, "name");
      ds = vmm_datastore_info_new (name);
      url = prop_text (o, "summary.url");
      vmm_datastore_info_set_path (ds, url);
      vmm_datastore_info_set_online (ds, prop_bool (o, "summary.accessible", TRUE));
      vmm_datastore_info_set_capacity (ds, prop_u64 (o, "summary.capacity"));
      vmm_datastore_info_set_free (ds, prop_u64 (o, "summary.freeSpace"));
      for (xmlNode *m = vmm_vsphere_child (mounts, "DatastoreHostMount"); m != NULL;
           m = vmm_vsphere_next (m, "DatastoreHostMount"))
        {
          g_autofree char *hid = vmm_vsphere_child_text (m, "key");
          xmlNode *info = vmm_vsphere_child (m, "mountInfo");
          g_autofree char *is_mounted = vmm_vsphere_child_text (info, "mounted");
          g_autofree char *accessible = vmm_vsphere_child_text (info, "accessible");

          if (hid == NULL || g_strcmp0 (is_mounted, "false") == 0
              || g_strcmp0 (accessible, "false") == 0)
            continue;
          if (g_hash_table_add (seen, g_strdup (name_of (self, hid))))
            {
              g_strv_builder_add (hb, name_of (self, hid));
              n_hosts++;
            }
        }
      /* vcsim lists one mount per datastore; the hosts list them all */
      for (guint j = 0; mounted != NULL && j < mounted->len; j++)
        if (g_hash_table_add (seen, g_strdup (g_ptr_array_index (mounted, j))))
          {
            g_strv_builder_add (hb, g_ptr_array_index (mounted, j));
            n_hosts++;
          }
      hosts = g_strv_builder_end (hb);
      vmm_datastore_info_set_hosts (ds, (const char *const *)hosts);
      vmm_datastore_info_set_shared (ds, n_hosts > 1
                                             || prop_bool (o, "summary.multipleHostAccess", FALSE));
      vmm_inventory_add_datastore (inv, ds);
    }
  return inv;
}

static void
inventory_props_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VmmVsphereBackend) self = user_data;
  GError *error = NULL;
  g_autoptr (MoSet) set = retrieve_finish (self, result, &error);
  g_autoptr (GPtrArray) answered = g_steal_pointer (&self->inv_reading);

  self->inv_reading = g_ptr_array_new ();
  if (set != NULL && !set_has_session (self, set))
    {
      /* read without a session (it expired or was terminated): log in and
       * read again, once per query */
      vmm_vsphere_client_expire_session (self->client, self->inv_logins);
      for (guint i = 0; i < answered->len; i++)
        {
          GTask *task = g_ptr_array_index (answered, i);

          if (g_task_get_task_data (task) == NULL)
            {
              g_task_set_task_data (task, GUINT_TO_POINTER (1), NULL); /* retried */
              g_ptr_array_insert (self->inv_waiting, 0, task);
              continue;
            }
          g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_PERMISSION_DENIED,
                                   "vCenter at %s answered the inventory read outside any session",
                                   vmm_vsphere_client_get_endpoint (self->client));
          g_object_unref (task);
        }
    }
  else
    for (guint i = 0; i < answered->len; i++)
      {
        GTask *task = g_ptr_array_index (answered, i);

        if (set == NULL)
          g_task_return_error (task, to_vmm_error (g_error_copy (error)));
        else
          g_task_return_pointer (task, build_inventory (self, set), g_object_unref);
        g_object_unref (task);
      }
  g_clear_error (&error);
  if (self->inv_waiting->len > 0)
    inventory_send (self);
}

static VmmInventory *
vmm_vsphere_backend_query_inventory_finish (VmmBackend *backend, GAsyncResult *result,
                                            GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, backend), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- where a VM is --- */

typedef struct
{
  char *host;
  char *pool;
  char *datastore;
  char *folder;
  char *tools; /* guest.toolsRunningStatus */
  VmmPowerState power;
  GPtrArray *disks;   /* VmmDiskInfo */
  GPtrArray *devices; /* VmmDeviceInfo */
} Location;

static void
location_free (Location *loc)
{
  g_free (loc->host);
  g_free (loc->pool);
  g_free (loc->datastore);
  g_free (loc->folder);
  g_free (loc->tools);
  g_clear_pointer (&loc->disks, g_ptr_array_unref);
  g_clear_pointer (&loc->devices, g_ptr_array_unref);
  g_free (loc);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Location, location_free)

static char *
location_describe (Location *loc)
{
  return g_strdup_printf ("host '%s', resource pool '%s', datastore '%s'%s%s%s", loc->host,
                          loc->pool, loc->datastore, loc->folder != NULL ? ", folder '" : "",
                          loc->folder != NULL ? loc->folder : "", loc->folder != NULL ? "'" : "");
}

static const char *const vm_location_paths[] = { "name",
                                                 "parent",
                                                 "runtime.powerState",
                                                 "runtime.host",
                                                 "resourcePool",
                                                 "datastore",
                                                 "config.hardware.device",
                                                 "config.files.vmPathName",
                                                 "guest.toolsRunningStatus",
                                                 NULL };

static void
read_location_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* Reads where vCenter says VM_ID is now (host, pool, datastore, disks). */
static void
read_location_async (VmmVsphereBackend *self, const char *vm_id, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  xmlNode *spec;
  xmlDoc *req = retrieve_request (self, &spec);

  g_task_set_source_tag (task, read_location_async);
  add_prop_set (spec, "VirtualMachine", vm_location_paths);
  add_object (spec, "VirtualMachine", vm_id);
  g_task_set_task_data (task, g_strdup (vm_id), g_free);
  retrieve_async (self, req, cancellable, read_location_cb, task);
}

/* Where VM_ID is, from a property set holding its vm_location_paths. */
static Location *
location_from_set (VmmVsphereBackend *self, MoSet *set, const char *vm_id, GError **error)
{
  MoObject *o = g_hash_table_lookup (set->by_id, vm_id);
  Location *loc;
  g_autofree char *host = NULL;
  g_autofree char *pool = NULL;
  g_autoptr (VmmVmInfo) vm = NULL;
  GPtrArray *disks;

  if (o == NULL || prop (o, "name") == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                   "vCenter returned no properties for VM %s", vm_id);
      return NULL;
    }
  loc = g_new0 (Location, 1);
  host = prop_text (o, "runtime.host");
  pool = prop_text (o, "resourcePool");
  vm = vm_info_from (self, o, NULL);
  loc->host = g_strdup (name_of (self, host));
  loc->pool = g_strdup (name_of (self, pool));
  loc->datastore = g_strdup (vmm_vm_info_get_datastore (vm));
  loc->folder = g_strdup (vmm_vm_info_get_folder (vm));
  loc->power = vmm_vm_info_get_power_state (vm);
  loc->tools = prop_text (o, "guest.toolsRunningStatus");
  disks = vmm_vm_info_get_disks (vm);
  loc->disks = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < disks->len; i++)
    g_ptr_array_add (loc->disks, vmm_disk_info_copy (g_ptr_array_index (disks, i)));
  /* the objects, not the array: the VM info empties its array when freed */
  loc->devices = g_ptr_array_copy (vmm_vm_info_get_devices (vm),
                                   (GCopyFunc)(void (*) (void))g_object_ref, NULL);
  g_ptr_array_set_free_func (loc->devices, g_object_unref);
  return loc;
}

static void
read_location_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (source);
  GError *error = NULL;
  g_autoptr (MoSet) set = retrieve_finish (self, result, &error);
  Location *loc
      = set != NULL ? location_from_set (self, set, g_task_get_task_data (task), &error) : NULL;

  if (loc == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, loc, (GDestroyNotify)location_free);
}

static Location *
read_location_finish (VmmVsphereBackend *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- the relocation --- */

typedef struct
{
  gboolean started;      /* RelocateVM_Task was sent for this migration */
  gboolean done;         /* ... and vCenter finished it successfully */
  gboolean by_switch;    /* sent by SwitchHostAndPool (cold / pool-only) */
  gboolean nics_checked; /* remapped NICs compared (warn once) */
  gboolean powered_off;  /* PowerOffVm stopped the VM (its undo starts it) */
  gboolean powered_on;   /* PowerOnVm started it (its undo stops it) */
  gboolean recorded;     /* the VM as it was is in the journal */
  Location *after;       /* the VM, read with the TaskInfo that said success */
} Reloc;

static void
reloc_free (Reloc *r)
{
  g_clear_pointer (&r->after, location_free);
  g_free (r);
}

static Reloc *
reloc_get (VmmMigrationContext *ctx)
{
  Reloc *r = vmm_migration_context_get_backend_data (ctx);

  if (r == NULL)
    {
      r = g_new0 (Reloc, 1);
      vmm_migration_context_set_backend_data (ctx, r, (GDestroyNotify)reloc_free);
    }
  return r;
}

static const char *
power_name (VmmPowerState state)
{
  switch (state)
    {
    case VMM_POWER_STATE_RUNNING:
      return "poweredOn";
    case VMM_POWER_STATE_OFF:
      return "poweredOff";
    case VMM_POWER_STATE_SUSPENDED:
      return "suspended";
    default:
      return "unknown";
    }
}

static void
add_member (JsonBuilder *b, const char *name, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/* Write-ahead for vmm_backend_recover_async(): STEP is about to change the
 * platform (TASK: NULL), or vCenter has just returned its task (TASK). The
 * first record of a migration also holds the VM as it was before the move:
 * host, pool, datastore, folder, power state and each disk's file. */
static gboolean
record_step (VmmMigrationContext *ctx, const char *step, const char *vm_id, const char *task,
             GError **error)
{
  Reloc *reloc = reloc_get (ctx);
  VmmVmInfo *vm = vmm_migration_context_get_vm (ctx);
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *data = NULL;
  gboolean before = !reloc->recorded && vm != NULL;

  if (!vmm_migration_context_wants_recovery_data (ctx))
    return TRUE;
  b = json_builder_new ();
  json_builder_begin_object (b);
  add_member (b, "step", step);
  add_member (b, "vm-id", vm_id);
  add_member (b, "task", task);
  if (before)
    {
      const char *host = vmm_migration_context_get_source_host (ctx);
      const char *pool = vmm_migration_context_get_source_pool (ctx);
      const char *ds = vmm_migration_context_get_source_datastore (ctx);
      GPtrArray *disks = vmm_vm_info_get_disks (vm);

      json_builder_set_member_name (b, "before");
      json_builder_begin_object (b);
      add_member (b, "host", host != NULL ? host : vmm_vm_info_get_host (vm));
      add_member (b, "pool", pool != NULL ? pool : vmm_vm_info_get_resource_pool (vm));
      add_member (b, "datastore", ds != NULL ? ds : vmm_vm_info_get_datastore (vm));
      add_member (b, "folder", vmm_vm_info_get_folder (vm));
      add_member (b, "power", power_name (vmm_vm_info_get_power_state (vm)));
      json_builder_set_member_name (b, "disks");
      json_builder_begin_array (b);
      for (guint i = 0; i < disks->len; i++)
        {
          VmmDiskInfo *d = g_ptr_array_index (disks, i);

          json_builder_begin_object (b);
          add_member (b, "key", vmm_disk_info_get_key (d));
          add_member (b, "datastore", vmm_disk_info_get_datastore (d));
          add_member (b, "path", vmm_disk_info_get_path (d));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  data = json_to_string (root, FALSE);
  if (!vmm_migration_context_record_recovery_data (ctx, data, error))
    return FALSE;
  if (before)
    reloc->recorded = TRUE;
  return TRUE;
}

/* The task vCenter returned, in the journal; the step goes on either way. */
static void
record_task (VmmMigrationContext *ctx, VmmStep step, gboolean undo, const char *vm_id,
             const char *task)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("%s%s", undo ? "undo " : "", vmm_step_get_name (step));

  if (!record_step (ctx, name, vm_id, task, &error))
    {
      g_autofree char *msg
          = g_strdup_printf ("%s: the journal did not take task %s (%s); recovery after a crash "
                             "looks for it among the VM's recent tasks",
                             name, task, error->message);

      vmm_migration_context_add_warning (ctx, msg);
    }
}

typedef struct
{
  VmmMigrationContext *ctx;
  VmmStep step;
  gboolean undo; /* move the VM back where it was */
  char *vm_id;
  char *task_id;
  char *target;    /* "host 'X', pool 'Y', datastore 'Z'" for messages */
  char *want_host; /* what the relocation asks for (NULL: unchanged) */
  char *want_pool;
  char *want_ds;
  char *want_folder;
  gint64 deadline;
  guint wait_s;              /* how long the task may run */
  gint64 orphan_deadline;    /* after no answer: look for the task until then */
  gboolean resend_if_unseen; /* unanswered on a kept-alive connection: send again on a new
                              * one if neither a task nor the move shows */
  gboolean resent;
  guint64 total;
  GError *cause; /* why the relocation failed, before the fresh look */
  GSource *timer;
  GCancellable *cancellable;
  gulong cancel_id;
  gint cancel_seen;
  gboolean cancel_sent;
  /* PowerOffVm / PowerOnVm and their undo */
  gboolean power_on;      /* the state wanted: on or off */
  gboolean shutting_down; /* ShutdownGuest sent, waiting for poweredOff */
  gboolean power_sent;    /* PowerOnVM_Task / PowerOffVM_Task sent */
} Run;

static void
run_free (Run *run)
{
  if (run->timer != NULL)
    {
      g_source_destroy (run->timer);
      g_source_unref (run->timer);
    }
  if (run->cancellable != NULL)
    g_cancellable_disconnect (run->cancellable, run->cancel_id);
  g_clear_object (&run->cancellable);
  g_clear_object (&run->ctx);
  g_free (run->vm_id);
  g_free (run->task_id);
  g_free (run->target);
  g_free (run->want_host);
  g_free (run->want_pool);
  g_free (run->want_ds);
  g_free (run->want_folder);
  g_clear_error (&run->cause);
  g_free (run);
}

static const char *
disk_move_type (VmmDiskMoveType t)
{
  switch (t)
    {
    case VMM_DISK_MOVE_TYPE_MOVE_CHILD_MOST:
      return "moveChildMostDiskBacking";
    case VMM_DISK_MOVE_TYPE_CREATE_NEW_CHILD:
      return "createNewChildDiskBacking";
    case VMM_DISK_MOVE_TYPE_MOVE_ALL:
    default:
      return "moveAllDiskBackingsAndDisallowSharing";
    }
}

/* The NIC's new backing (VirtualDeviceConfigSpec, operation edit). */
static gboolean
add_network_change (VmmVsphereBackend *self, xmlNode *spec, VmmDeviceInfo *nic, const char *network,
                    GError **error)
{
  const char *net_id = id_of (self, "net", network);
  const char *pg_key = net_id != NULL ? g_hash_table_lookup (self->dvpg_key, net_id) : NULL;
  xmlNode *change;
  xmlNode *dev;
  xmlNode *backing;

  if (net_id == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "networks: vCenter has no network '%s'",
                   network);
      return FALSE;
    }
  change = xmlNewChild (spec, spec->ns, BAD_CAST "deviceChange", NULL);
  vmm_vsphere_add_text (change, "operation", "edit");
  dev = xmlNewChild (change, change->ns, BAD_CAST "device", NULL);
  vmm_vsphere_set_xsi_type (dev, "VirtualEthernetCard");
  vmm_vsphere_add_text (dev, "key", vmm_device_info_get_key (nic));
  backing = xmlNewChild (dev, dev->ns, BAD_CAST "backing", NULL);
  if (pg_key != NULL)
    {
      const char *uuid = g_hash_table_lookup (self->dvpg_switch, net_id);
      xmlNode *port;

      if (uuid == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                       "networks: the distributed switch of port group '%s' is unknown", network);
          return FALSE;
        }
      vmm_vsphere_set_xsi_type (backing, "VirtualEthernetCardDistributedVirtualPortBackingInfo");
      port = xmlNewChild (backing, backing->ns, BAD_CAST "port", NULL);
      vmm_vsphere_add_text (port, "switchUuid", uuid);
      vmm_vsphere_add_text (port, "portgroupKey", pg_key);
    }
  else
    {
      vmm_vsphere_set_xsi_type (backing, "VirtualEthernetCardNetworkBackingInfo");
      vmm_vsphere_add_text (backing, "deviceName", network);
      vmm_vsphere_add_moref (backing, "network", "Network", net_id);
    }
  return TRUE;
}

/* The VirtualMachineRelocateSpec, fields in schema order: folder, datastore,
 * diskMoveType, pool, host, disk[], transform, deviceChange[]. */
static xmlDoc *
relocate_request (VmmVsphereBackend *self, Run *run, GError **error)
{
  VmmMigrationContext *ctx = run->ctx;
  VmmRelocateSpec *rspec = vmm_migration_context_get_spec (ctx);
  VmmVmInfo *vm = vmm_migration_context_get_vm (ctx);
  GPtrArray *locators = run->undo ? NULL : vmm_relocate_spec_get_disks (rspec);
  GHashTable *map = run->undo ? NULL : vmm_relocate_spec_get_network_map (rspec);
  const char *ds_id = NULL;
  const char *pool_id = NULL;
  const char *host_id = NULL;
  const char *folder_id = NULL;
  const char *transform = NULL;
  g_autoptr (xmlDoc) doc = NULL;
  xmlNode *m;
  xmlNode *spec;

  if (!check_unique (self, "host", "host", run->want_host, error)
      || !check_unique (self, "ds", "datastore", run->want_ds, error))
    return NULL;
  for (guint i = 0; locators != NULL && i < locators->len; i++)
    if (!check_unique (self, "ds", "datastore",
                       vmm_disk_locator_get_datastore (g_ptr_array_index (locators, i)), error))
      return NULL;
  if (run->want_folder != NULL && (folder_id = id_of (self, "folder", run->want_folder)) == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "vCenter has no folder '%s'",
                   run->want_folder);
      return NULL;
    }
  if (run->want_ds != NULL && (ds_id = id_of (self, "ds", run->want_ds)) == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "vCenter has no datastore '%s'",
                   run->want_ds);
      return NULL;
    }
  if (run->want_host != NULL && (host_id = id_of (self, "host", run->want_host)) == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "vCenter has no host '%s'",
                   run->want_host);
      return NULL;
    }
  if (run->want_pool != NULL && (pool_id = id_of (self, "pool", run->want_pool)) == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "vCenter has no resource pool '%s'",
                   run->want_pool);
      return NULL;
    }
  for (guint i = 0; locators != NULL && i < locators->len; i++)
    {
      VmmDiskLocator *loc = g_ptr_array_index (locators, i);
      VmmDiskTransform t = vmm_disk_locator_get_transform (loc);
      const char *want = t == VMM_DISK_TRANSFORM_THIN    ? "sparse"
                         : t == VMM_DISK_TRANSFORM_THICK ? "flat"
                                                         : NULL;

      if (t == VMM_DISK_TRANSFORM_QCOW2 || t == VMM_DISK_TRANSFORM_RAW)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                       "disks[%u].transform: vSphere disks are VMDK; qcow2/raw is not a vim25 "
                       "transform",
                       i);
          return NULL;
        }
      if (want != NULL && transform != NULL && g_strcmp0 (want, transform) != 0)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                       "disks[%u].transform: vim25's RelocateSpec.transform applies to every "
                       "disk, so all disks must ask for the same one",
                       i);
          return NULL;
        }
      if (want != NULL)
        transform = want;
      if (id_of (self, "ds", vmm_disk_locator_get_datastore (loc)) == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                       "disks[%u].datastore: vCenter has no datastore '%s'", i,
                       vmm_disk_locator_get_datastore (loc));
          return NULL;
        }
    }

  doc = vmm_vsphere_request_new ("RelocateVM_Task", "VirtualMachine", run->vm_id, &m);
  spec = xmlNewChild (m, m->ns, BAD_CAST "spec", NULL);
  if (folder_id != NULL)
    vmm_vsphere_add_moref (spec, "folder", "Folder", folder_id);
  if (ds_id != NULL)
    vmm_vsphere_add_moref (spec, "datastore", "Datastore", ds_id);
  if (pool_id != NULL)
    vmm_vsphere_add_moref (spec, "pool", "ResourcePool", pool_id);
  if (host_id != NULL)
    vmm_vsphere_add_moref (spec, "host", "HostSystem", host_id);
  for (guint i = 0; locators != NULL && i < locators->len; i++)
    {
      VmmDiskLocator *loc = g_ptr_array_index (locators, i);
      xmlNode *d = xmlNewChild (spec, spec->ns, BAD_CAST "disk", NULL);

      vmm_vsphere_add_text (d, "diskId", vmm_disk_locator_get_key (loc));
      vmm_vsphere_add_moref (d, "datastore", "Datastore",
                             id_of (self, "ds", vmm_disk_locator_get_datastore (loc)));
      vmm_vsphere_add_text (d, "diskMoveType",
                            disk_move_type (vmm_disk_locator_get_move_type (loc)));
    }
  if (transform != NULL)
    vmm_vsphere_add_text (spec, "transform", transform);
  if (map != NULL && vm != NULL)
    {
      GPtrArray *devices = vmm_vm_info_get_devices (vm);

      for (guint i = 0; i < devices->len; i++)
        {
          VmmDeviceInfo *dev = g_ptr_array_index (devices, i);
          const char *to;

          if (vmm_device_info_get_kind (dev) != VMM_DEVICE_KIND_NIC
              || vmm_device_info_get_network (dev) == NULL)
            continue;
          to = g_hash_table_lookup (map, vmm_device_info_get_network (dev));
          if (to != NULL && g_strcmp0 (to, vmm_device_info_get_network (dev)) != 0
              && !add_network_change (self, spec, dev, to, error))
            return NULL;
        }
    }
  vmm_vsphere_add_text (m, "priority", "defaultPriority");
  return g_steal_pointer (&doc);
}

static void
relocate_sent_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void
poll_task (GTask *task);
static void
fresh_look (GTask *task);
static void
verify_start (GTask *task);

static void
run_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  Run *run = user_data;

  /* only a flag: the next poll acts on it in the migration's own context */
  g_atomic_int_set (&run->cancel_seen, TRUE);
}

static VmmVsphereBackend *
run_backend (GTask *task)
{
  return VMM_VSPHERE_BACKEND (g_task_get_source_object (task));
}

/* Starts RelocateVM_Task for the step in TASK. */
static void
relocate_start (GTask *task)
{
  VmmVsphereBackend *self = run_backend (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  xmlDoc *req = relocate_request (self, run, &error);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (req == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (cancellable != NULL && run->cancellable == NULL)
    {
      run->cancellable = g_object_ref (cancellable);
      run->cancel_id
          = g_cancellable_connect (cancellable, G_CALLBACK (run_cancelled_cb), run, NULL);
    }
  {
    g_autofree char *name
        = g_strdup_printf ("%s%s", run->undo ? "undo " : "", vmm_step_get_name (run->step));

    if (!record_step (run->ctx, name, run->vm_id, NULL, &error))
      {
        xmlFreeDoc (req);
        g_task_return_error (task, error);
        g_object_unref (task);
        return;
      }
  }
  if (!run->undo)
    reloc_get (run->ctx)->started = TRUE;
  /* the URI's task-timeout, or the spec's completion timeout if shorter */
  run->wait_s = vmm_vsphere_client_get_task_timeout (self->client);
  {
    guint spec_s
        = vmm_relocate_spec_get_completion_timeout_s (vmm_migration_context_get_spec (run->ctx));

    if (spec_s > 0 && spec_s < run->wait_s)
      run->wait_s = spec_s;
  }
  run->deadline = g_get_monotonic_time () + (gint64)run->wait_s * G_USEC_PER_SEC;
  /* Not cancellable once sent: vCenter would carry on with the move anyway
   * (it does not stop a RelocateVM_Task because its HTTP request went away);
   * a cancellation is turned into CancelTask when the task allows it. On a
   * kept-alive connection (a new TLS handshake per relocation costs more
   * than the relocation on a fast vCenter): libsoup never resends it, and
   * relocate_sent_cb() handles that connection turning out closed. */
  vmm_vsphere_client_call_full_async (self->client, req, VMM_VSPHERE_CALL_REUSE_CONNECTION, NULL,
                                      relocate_sent_cb, task);
}

/* The RelocateVM_Task went unanswered on a kept-alive connection and
 * vCenter shows neither a task nor the move: sends it once more, on a
 * connection of its own. */
static void
relocate_resend (GTask *task)
{
  VmmVsphereBackend *self = run_backend (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  xmlDoc *req = relocate_request (self, run, &error);
  g_autofree char *msg = NULL;

  if (req == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  msg = g_strdup_printf ("RelocateVM_Task of %s went unanswered (%s); vCenter shows no "
                         "relocation task and no move, so it was sent once more on a new "
                         "connection",
                         run->vm_id, run->cause->message);
  g_debug ("vsphere: %s", msg);
  vmm_migration_context_add_warning (run->ctx, msg);
  g_clear_error (&run->cause);
  run->resent = TRUE;
  run->resend_if_unseen = FALSE;
  vmm_vsphere_client_call_full_async (self->client, req, VMM_VSPHERE_CALL_NEW_CONNECTION, NULL,
                                      relocate_sent_cb, task);
}

static void
find_orphan_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
orphan_not_found (GTask *task);

/* Looks for the relocation task vCenter made for a call it did not answer. */
static void
orphan_search (GTask *task)
{
  VmmVsphereBackend *self = run_backend (task);
  xmlNode *spec;
  xmlDoc *req = retrieve_request (self, &spec);
  const char *const paths[] = { "recentTask", NULL };

  add_prop_set (spec, "TaskManager", paths);
  add_object (spec, "TaskManager", vmm_vsphere_client_get_service (self->client, "taskManager"));
  retrieve_async (self, req, NULL, find_orphan_cb, task);
}

static gboolean
orphan_timer_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->timer, g_source_unref);
  orphan_search (task);
  return G_SOURCE_REMOVE;
}

static gboolean
location_matches (Run *run, Location *loc);

static void
orphan_look_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (source);
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (Location) loc = read_location_finish (self, result, &error);

  if ((loc != NULL && location_matches (run, loc))
      || g_get_monotonic_time () > run->orphan_deadline)
    {
      /* moved after all (fresh_look says so), or nothing happened in time */
      fresh_look (task);
      return;
    }
  if (loc != NULL && run->resend_if_unseen)
    {
      relocate_resend (task);
      return;
    }
  run->timer = g_timeout_source_new (vmm_vsphere_client_get_poll_interval_ms (self->client));
  g_source_set_callback (run->timer, orphan_timer_cb, task, NULL);
  g_source_attach (run->timer, g_main_context_get_thread_default ());
}

/* No task yet: is the VM already where it was sent? */
static void
orphan_not_found (GTask *task)
{
  VmmVsphereBackend *self = run_backend (task);
  Run *run = g_task_get_task_data (task);

  read_location_async (self, run->vm_id, NULL, orphan_look_cb, task);
}

static void
relocate_sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (xmlDoc) doc
      = vmm_vsphere_client_call_finish (VMM_VSPHERE_CLIENT (source), result, &error);

  if (doc == NULL)
    {
      run->cause = error;
      /* Unanswered on a kept-alive connection: most likely vCenter had
       * closed it and never read the call. Sent again only if one look at
       * vCenter's recent tasks (any unfinished relocation of this VM is
       * taken as ours) and at the VM shows nothing; a relocation vCenter
       * did run and fail at once would then be tried a second time, never
       * run twice at once. */
      run->resend_if_unseen = vmm_vsphere_error_is_unanswered_reuse (error) && !run->resent;
      if (vmm_vsphere_error_is_transport (error))
        {
          /* No answer: vCenter may have created the task anyway, or may
           * still do (vcsim runs a delayed call after its client gave up).
           * Look for the task, and for the VM at its target, for a while. */
          run->orphan_deadline
              = g_get_monotonic_time () + (gint64)MIN (run->wait_s, 30) * G_USEC_PER_SEC;
          orphan_search (task);
          return;
        }
      fresh_look (task);
      return;
    }
  run->task_id = vmm_vsphere_child_text (vmm_vsphere_response (doc), "returnval");
  if (run->task_id == NULL)
    {
      run->cause = g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                "vCenter answered RelocateVM_Task without a task");
      fresh_look (task);
      return;
    }
  record_task (run->ctx, run->step, run->undo, run->vm_id, run->task_id);
  poll_task (task);
}

static void
find_orphan_infos_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VmmVsphereBackend *self = run_backend (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (MoSet) set = retrieve_finish (self, result, &error);
  g_autoptr (GDateTime) newest = NULL;

  if (set == NULL)
    run->resend_if_unseen = FALSE; /* the tasks could not be read: never resend blind */

  /* the newest unfinished relocation of this VM (an older one may be an
   * orphan of an earlier dropped call that never ends) */
  for (guint i = 0; set != NULL && i < set->objects->len; i++)
    {
      MoObject *o = g_ptr_array_index (set->objects, i);
      xmlNode *info = prop (o, "info");
      g_autofree char *entity = vmm_vsphere_child_text (info, "entity");
      g_autofree char *what = vmm_vsphere_child_text (info, "descriptionId");
      g_autofree char *state = vmm_vsphere_child_text (info, "state");
      g_autofree char *queued = vmm_vsphere_child_text (info, "queueTime");
      g_autoptr (GDateTime) when
          = queued != NULL ? g_date_time_new_from_iso8601 (queued, NULL) : NULL;

      if (g_strcmp0 (entity, run->vm_id) != 0 || g_strcmp0 (what, "VirtualMachine.relocateVm") != 0
          || (g_strcmp0 (state, "running") != 0 && g_strcmp0 (state, "queued") != 0))
        continue;
      if (run->task_id != NULL && newest != NULL
          && (when == NULL || g_date_time_compare (when, newest) <= 0))
        continue;
      g_free (run->task_id);
      run->task_id = g_strdup (o->id);
      g_clear_pointer (&newest, g_date_time_unref);
      newest = g_steal_pointer (&when);
    }
  if (run->task_id != NULL)
    {
      g_autofree char *msg = g_strdup_printf (
          "vCenter did not answer RelocateVM_Task (%s); found its task %s and waits for it",
          run->cause->message, run->task_id);

      vmm_migration_context_add_warning (run->ctx, msg);
      poll_task (task);
      return;
    }
  orphan_not_found (task);
}

static void
find_orphan_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VmmVsphereBackend *self = run_backend (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (MoSet) set = retrieve_finish (self, result, &error);
  MoObject *tm = set != NULL && set->objects->len > 0 ? g_ptr_array_index (set->objects, 0) : NULL;
  g_autoptr (GPtrArray) tasks = tm != NULL ? prop_morefs (tm, "recentTask") : NULL;
  const char *const paths[] = { "info", NULL };
  xmlNode *spec;
  xmlDoc *req;

  if (set == NULL)
    ((Run *)g_task_get_task_data (task))->resend_if_unseen = FALSE;
  if (tasks == NULL || tasks->len == 0)
    {
      orphan_not_found (task);
      return;
    }
  req = retrieve_request (self, &spec);
  add_prop_set (spec, "Task", paths);
  for (guint i = 0; i < tasks->len; i++)
    add_object (spec, "Task", g_ptr_array_index (tasks, i));
  retrieve_async (self, req, NULL, find_orphan_infos_cb, task);
}

static void
task_info_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static gboolean
poll_timer_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->timer, g_source_unref);
  poll_task (task);
  return G_SOURCE_REMOVE;
}

/* Reads the TaskInfo of vCenter's task @task_id for @task. */
static void
retrieve_task_info (VmmVsphereBackend *self, const char *task_id, GAsyncReadyCallback callback,
                    GTask *task)
{
  const char *const paths[] = { "info", NULL };
  xmlNode *spec;
  xmlDoc *req = retrieve_request (self, &spec);

  add_prop_set (spec, "Task", paths);
  add_object (spec, "Task", task_id);
  retrieve_async (self, req, NULL, callback, task);
}

/* Reads the TaskInfo of the run's task. */
static void
read_task_info (GTask *task, GAsyncReadyCallback callback)
{
  Run *run = g_task_get_task_data (task);

  retrieve_task_info (run_backend (task), run->task_id, callback, task);
}

/* The fault of a TaskInfo in state error, as a VMM_ERROR. */
static void
task_info_error (xmlNode *info, const char *method, GError **error)
{
  xmlNode *err = vmm_vsphere_child (info, "error");
  g_autofree char *msg = vmm_vsphere_child_text (err, "localizedMessage");
  g_autofree char *type = vmm_vsphere_xsi_type (vmm_vsphere_child (err, "fault"));

  vmm_vsphere_fault_to_error (type, msg, method, error);
}

/* The TaskInfo and, in the same RetrievePropertiesEx, where the VM is: when
 * the task says success, that read shows the VM after the relocation and
 * the verification steps need no read of their own. */
static void
poll_task (GTask *task)
{
  VmmVsphereBackend *self = run_backend (task);
  Run *run = g_task_get_task_data (task);
  const char *const paths[] = { "info", NULL };
  xmlNode *spec;
  xmlDoc *req = retrieve_request (self, &spec);

  add_prop_set (spec, "Task", paths);
  add_prop_set (spec, "VirtualMachine", vm_location_paths);
  add_object (spec, "Task", run->task_id);
  add_object (spec, "VirtualMachine", run->vm_id);
  retrieve_async (self, req, NULL, task_info_cb, task);
}

static void
cancel_task_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VmmMigrationContext) ctx = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (xmlDoc) doc
      = vmm_vsphere_client_call_finish (VMM_VSPHERE_CLIENT (source), result, &error);

  if (doc == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("cancellation requested, but vCenter did not cancel "
                                              "the relocation (%s); the move goes on",
                                              error->message);
      vmm_migration_context_add_warning (ctx, msg);
    }
}

static void
task_info_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (source);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (MoSet) set = retrieve_finish (self, result, &error);
  MoObject *o;
  xmlNode *info;
  g_autofree char *state = NULL;
  g_autofree char *progress = NULL;
  g_autofree char *cancelable = NULL;
  guint64 percent = 0;

  if (set == NULL)
    {
      run->cause = error;
      fresh_look (task);
      return;
    }
  o = g_hash_table_lookup (set->by_id, run->task_id);
  info = prop (o, "info");
  state = vmm_vsphere_child_text (info, "state");
  progress = vmm_vsphere_child_text (info, "progress");
  cancelable = vmm_vsphere_child_text (info, "cancelable");
  if (progress != NULL)
    g_ascii_string_to_unsigned (progress, 10, 0, 100, &percent, NULL);
  if (g_strcmp0 (state, "success") == 0)
    {
      vmm_migration_context_report_transfer (run->ctx, run->total, run->total);
      if (g_atomic_int_get (&run->cancel_seen) && !run->undo)
        vmm_migration_context_add_warning (
            run->ctx, "cancellation requested while RelocateVM_Task ran; vCenter completed the "
                      "relocation before it could be cancelled");
      if (!run->undo)
        {
          Reloc *reloc = reloc_get (run->ctx);

          reloc->done = TRUE;
          g_clear_pointer (&reloc->after, location_free);
          reloc->after = location_from_set (self, set, run->vm_id, NULL);
        }
      if (run->step == VMM_STEP_INITIATE_SOURCE)
        {
          /* a live move: SwitchHostAndPool and CompleteDestination verify */
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
          return;
        }
      verify_start (task);
      return;
    }
  if (g_strcmp0 (state, "error") == 0)
    {
      task_info_error (info, "RelocateVM_Task", &run->cause);
      fresh_look (task);
      return;
    }
  if (o == NULL || state == NULL)
    {
      run->cause = g_error_new (VMM_ERROR, VMM_ERROR_BACKEND, "vCenter returned no TaskInfo for %s",
                                run->task_id);
      fresh_look (task);
      return;
    }
  /* queued or running */
  vmm_migration_context_report_transfer (run->ctx, run->total * percent / 100, run->total);
  if (g_atomic_int_get (&run->cancel_seen) && !run->cancel_sent)
    {
      run->cancel_sent = TRUE;
      if (g_strcmp0 (cancelable, "true") == 0)
        {
          xmlDoc *req = vmm_vsphere_request_new ("CancelTask", "Task", run->task_id, NULL);

          vmm_vsphere_client_call_async (self->client, req, NULL, cancel_task_cb,
                                         g_object_ref (run->ctx));
        }
      else
        vmm_migration_context_add_warning (
            run->ctx, "cancellation requested, but vCenter marks the relocation task as not "
                      "cancelable; the move goes on");
    }
  if (g_get_monotonic_time () > run->deadline)
    {
      run->cause
          = g_error_new (VMM_ERROR, VMM_ERROR_TIMEOUT, "RelocateVM_Task %s is still %s after %u s",
                         run->task_id, state, run->wait_s);
      fresh_look (task);
      return;
    }
  run->timer = g_timeout_source_new (vmm_vsphere_client_get_poll_interval_ms (self->client));
  g_source_set_callback (run->timer, poll_timer_cb, task, NULL);
  g_source_attach (run->timer, g_main_context_get_thread_default ());
}

/* --- after the task: where is the VM? --- */

static gboolean
location_matches (Run *run, Location *loc)
{
  return (run->want_host == NULL || g_strcmp0 (run->want_host, loc->host) == 0)
         && (run->want_pool == NULL || g_strcmp0 (run->want_pool, loc->pool) == 0)
         && (run->want_ds == NULL || g_strcmp0 (run->want_ds, loc->datastore) == 0)
         && (run->want_folder == NULL || g_strcmp0 (run->want_folder, loc->folder) == 0);
}

/* Puts what vCenter says into the context: the result names it. */
static void
context_take_location (VmmVsphereBackend *self, Run *run, Location *loc)
{
  GPtrArray *targets = vmm_migration_context_get_target_disks (run->ctx);
  g_autoptr (GPtrArray) disks = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTable *map = vmm_relocate_spec_get_network_map (vmm_migration_context_get_spec (run->ctx));
  VmmVmInfo *vm = vmm_migration_context_get_vm (run->ctx);

  vmm_migration_context_set_destination_host (run->ctx, loc->host);
  vmm_migration_context_set_destination_pool (run->ctx, loc->pool);
  vmm_migration_context_set_destination_datastore (run->ctx, loc->datastore);
  for (guint i = 0; i < loc->disks->len; i++)
    {
      VmmDiskInfo *now = g_ptr_array_index (loc->disks, i);
      VmmDiskInfo *asked = NULL;

      for (guint j = 0; targets != NULL && j < targets->len; j++)
        if (g_strcmp0 (vmm_disk_info_get_key (g_ptr_array_index (targets, j)),
                       vmm_disk_info_get_key (now))
            == 0)
          asked = g_ptr_array_index (targets, j);
      if (asked != NULL
          && g_strcmp0 (vmm_disk_info_get_datastore (asked), vmm_disk_info_get_datastore (now))
                 != 0)
        {
          g_autofree char *msg = g_strdup_printf (
              "disk %s: asked for datastore '%s', vCenter reports it on '%s' (%s)",
              vmm_disk_info_get_key (now), vmm_disk_info_get_datastore (asked),
              vmm_disk_info_get_datastore (now), vmm_disk_info_get_path (now));
          vmm_migration_context_add_warning (run->ctx, msg);
        }
      g_ptr_array_add (disks, vmm_disk_info_copy (now));
    }
  vmm_migration_context_set_target_disks (run->ctx, disks);

  /* the NICs the spec remaps: are they on their new networks? */
  if (reloc_get (run->ctx)->nics_checked)
    map = NULL;
  reloc_get (run->ctx)->nics_checked = TRUE;
  for (guint i = 0; map != NULL && i < loc->devices->len; i++)
    {
      VmmDeviceInfo *now = g_ptr_array_index (loc->devices, i);
      VmmDeviceInfo *was = NULL;
      GPtrArray *old = vm != NULL ? vmm_vm_info_get_devices (vm) : NULL;
      const char *want;

      if (vmm_device_info_get_kind (now) != VMM_DEVICE_KIND_NIC)
        continue;
      for (guint j = 0; old != NULL && j < old->len; j++)
        if (g_strcmp0 (vmm_device_info_get_key (g_ptr_array_index (old, j)),
                       vmm_device_info_get_key (now))
            == 0)
          was = g_ptr_array_index (old, j);
      want = was != NULL && vmm_device_info_get_network (was) != NULL
                 ? g_hash_table_lookup (map, vmm_device_info_get_network (was))
                 : NULL;
      if (want != NULL && g_strcmp0 (want, vmm_device_info_get_network (now)) != 0)
        {
          g_autofree char *msg = g_strdup_printf (
              "NIC %s: asked for network '%s', vCenter reports it on '%s'",
              vmm_device_info_get_key (now), want, vmm_device_info_get_network (now));
          vmm_migration_context_add_warning (run->ctx, msg);
        }
    }
}

/* Compares where vCenter says the VM is (LOC) with the target; puts it in
 * the context (the result) either way. */
static void
verify_location (GTask *task, Location *loc)
{
  VmmVsphereBackend *self = run_backend (task);
  Run *run = g_task_get_task_data (task);
  g_autofree char *where = location_describe (loc);

  if (!run->undo)
    context_take_location (self, run, loc);
  if (!location_matches (run, loc))
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_BACKEND,
                               "vCenter reported RelocateVM_Task of VM '%s' done, but the VM is "
                               "on %s, not on %s",
                               vmm_migration_context_get_vm_name (run->ctx), where, run->target);
      return;
    }
  g_debug ("vsphere: %s: VM %s verified on %s", vmm_step_get_name (run->step),
           vmm_migration_context_get_vm_name (run->ctx), where);
  g_task_return_boolean (task, TRUE);
}

static void
verify_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (source);
  GError *error = NULL;
  g_autoptr (Location) loc = read_location_finish (self, result, &error);

  if (loc == NULL)
    {
      g_prefix_error (&error, "vCenter finished RelocateVM_Task but the VM could not be read: ");
      g_task_return_error (task, to_vmm_error (error));
      return;
    }
  verify_location (task, loc);
}

static void
verify_start (GTask *task)
{
  VmmVsphereBackend *self = run_backend (task);
  Run *run = g_task_get_task_data (task);
  Location *after = run->undo ? NULL : reloc_get (run->ctx)->after;

  /* the VM as read with the finished task; a fresh read when that read
   * does not show it where it was sent (a property collector may answer
   * the VM from before the task's end) */
  if (after != NULL && location_matches (run, after))
    {
      verify_location (task, after);
      g_object_unref (task);
      return;
    }
  read_location_async (self, run->vm_id, NULL, verify_cb, task);
}

static void
fresh_look_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (source);
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (Location) loc = read_location_finish (self, result, &error);
  GError *cause = g_steal_pointer (&run->cause);
  g_autofree char *where = NULL;

  cause = to_vmm_error (cause);
  if (loc == NULL)
    {
      g_prefix_error (&cause, "VM '%s': ", vmm_migration_context_get_vm_name (run->ctx));
      g_task_return_new_error (task, cause->domain, cause->code,
                               "%s; where the VM is now could not be read: %s", cause->message,
                               error->message);
      g_error_free (cause);
      return;
    }
  where = location_describe (loc);
  if (location_matches (run, loc)
      && (run->want_host != NULL || run->want_pool != NULL || run->want_ds != NULL
          || run->want_folder != NULL))
    {
      /* The move happened although its call failed or its task has not
       * ended: the VM is where it was sent, so say so and succeed. */
      g_autofree char *msg
          = g_strdup_printf ("%s; vCenter shows the VM moved anyway, on %s", cause->message, where);

      vmm_migration_context_add_warning (run->ctx, msg);
      if (!run->undo)
        {
          reloc_get (run->ctx)->done = TRUE;
          context_take_location (self, run, loc);
        }
      g_error_free (cause);
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_task_return_new_error (
      task, cause->domain, cause->code, "moving VM '%s' to %s: %s; vCenter shows the VM on %s",
      vmm_migration_context_get_vm_name (run->ctx), run->target, cause->message, where);
  g_error_free (cause);
}

/* After a failure, a timeout or a dropped connection: where is the VM? */
static void
fresh_look (GTask *task)
{
  VmmVsphereBackend *self = run_backend (task);
  Run *run = g_task_get_task_data (task);

  read_location_async (self, run->vm_id, NULL, fresh_look_cb, task);
}

/* --- steps --- */

static GTask *
step_task_new (VmmVsphereBackend *self, VmmStep step, VmmMigrationContext *ctx,
               GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data,
               GError **error)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Run *run = g_new0 (Run, 1);
  VmmVmInfo *vm = vmm_migration_context_get_vm (ctx);
  const char *name = vmm_migration_context_get_vm_name (ctx);

  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, run, (GDestroyNotify)run_free);
  run->ctx = g_object_ref (ctx);
  run->step = step;
  run->vm_id = g_strdup (id_of (self, "vm", name));
  if (run->vm_id == NULL && vm != NULL && vmm_vm_info_get_id (vm) != NULL)
    run->vm_id = g_strdup (vmm_vm_info_get_id (vm));
  if (run->vm_id == NULL)
    g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "vCenter has no VM '%s'", name);
  else
    check_unique (self, "vm", "VM", name, error);
  return task;
}

static void
run_set_target (VmmVsphereBackend *self, Run *run, gboolean undo)
{
  VmmMigrationContext *ctx = run->ctx;
  VmmVmInfo *vm = vmm_migration_context_get_vm (ctx);

  run->undo = undo;
  if (undo)
    {
      run->want_host = g_strdup (vmm_migration_context_get_source_host (ctx));
      run->want_pool = g_strdup (vmm_migration_context_get_source_pool (ctx));
      run->want_ds = g_strdup (vmm_migration_context_get_source_datastore (ctx));
      if (vmm_migration_context_get_destination_folder (ctx) != NULL
          && g_strcmp0 (vmm_migration_context_get_destination_folder (ctx),
                        vmm_vm_info_get_folder (vm))
                 != 0)
        run->want_folder = g_strdup (vmm_vm_info_get_folder (vm));
    }
  else
    {
      const char *host = vmm_migration_context_get_destination_host (ctx);
      const char *pool = vmm_migration_context_get_destination_pool (ctx);
      const char *ds = vmm_migration_context_get_destination_datastore (ctx);

      if (host != NULL && g_strcmp0 (host, vmm_vm_info_get_host (vm)) != 0)
        run->want_host = g_strdup (host);
      if (pool != NULL && g_strcmp0 (pool, vmm_vm_info_get_resource_pool (vm)) != 0)
        run->want_pool = g_strdup (pool);
      else if (run->want_host != NULL)
        {
          /* vim25 needs a pool when the host is in another compute resource */
          const char *host_id = id_of (self, "host", run->want_host);
          const char *src_id = id_of (self, "host", vmm_vm_info_get_host (vm));
          const char *owner
              = host_id != NULL ? g_hash_table_lookup (self->host_owner, host_id) : NULL;
          const char *src_owner
              = src_id != NULL ? g_hash_table_lookup (self->host_owner, src_id) : NULL;
          const char *root
              = host_id != NULL ? g_hash_table_lookup (self->host_pool, host_id) : NULL;

          if (owner != NULL && g_strcmp0 (owner, src_owner) != 0 && root != NULL)
            run->want_pool = g_strdup (name_of (self, root));
        }
      if (ds != NULL && g_strcmp0 (ds, vmm_vm_info_get_datastore (vm)) != 0)
        run->want_ds = g_strdup (ds);
      if (vmm_migration_context_get_destination_folder (ctx) != NULL
          && g_strcmp0 (vmm_migration_context_get_destination_folder (ctx),
                        vmm_vm_info_get_folder (vm))
                 != 0)
        run->want_folder = g_strdup (vmm_migration_context_get_destination_folder (ctx));
    }
  /* what the move transfers, for progress: the memory of a live host
   * move, the disks of a storage move (a pool or folder change: 100 units) */
  {
    GPtrArray *locators = vmm_relocate_spec_get_disks (vmm_migration_context_get_spec (ctx));
    gboolean storage = run->want_ds != NULL || (!undo && locators != NULL && locators->len > 0);

    run->total = 0;
    /* a live move (a cold restart's VM still shows RUNNING in the context) */
    if (run->want_host != NULL && vmm_vm_info_get_power_state (vm) == VMM_POWER_STATE_RUNNING
        && vmm_migration_type_is_hot (vmm_migration_context_get_migration_type (ctx)))
      run->total += vmm_vm_info_get_memory_mib (vm) * 1024 * 1024;
    if (storage)
      run->total += vmm_vm_info_get_storage_size (vm);
    if (run->total == 0)
      run->total = 100;
  }
  run->target = g_strdup_printf ("host '%s', resource pool '%s', datastore '%s'%s%s%s",
                                 run->want_host != NULL ? run->want_host : "(unchanged)",
                                 run->want_pool != NULL ? run->want_pool : "(unchanged)",
                                 run->want_ds != NULL ? run->want_ds : "(unchanged)",
                                 run->want_folder != NULL ? ", folder '" : "",
                                 run->want_folder != NULL ? run->want_folder : "",
                                 run->want_folder != NULL ? "'" : "");
}

static void
vmm_vsphere_backend_initiate_source (VmmBackend *backend, VmmMigrationContext *ctx,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (backend);
  GError *error = NULL;
  GTask *task = step_task_new (self, VMM_STEP_INITIATE_SOURCE, ctx, cancellable, callback,
                               user_data, &error);

  g_task_set_source_tag (task, vmm_vsphere_backend_initiate_source);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  run_set_target (self, g_task_get_task_data (task), FALSE);
  relocate_start (task);
}

static void
vmm_vsphere_backend_switch_host_and_pool (VmmBackend *backend, VmmMigrationContext *ctx,
                                          GCancellable *cancellable, GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (backend);
  GError *error = NULL;
  GTask *task = step_task_new (self, VMM_STEP_SWITCH_HOST_AND_POOL, ctx, cancellable, callback,
                               user_data, &error);
  Reloc *reloc = reloc_get (ctx);
  Run *run = g_task_get_task_data (task);

  g_task_set_source_tag (task, vmm_vsphere_backend_switch_host_and_pool);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  run_set_target (self, run, FALSE);
  if (!reloc->started)
    {
      /* cold or pool-only move: the whole relocation happens here */
      reloc->by_switch = TRUE;
      relocate_start (task);
      return;
    }
  /* a live move: RelocateVM_Task switched host and pool; check that it did */
  g_clear_pointer (&run->want_ds, g_free);
  verify_start (task);
}

static void
vmm_vsphere_backend_complete_destination (VmmBackend *backend, VmmMigrationContext *ctx,
                                          GCancellable *cancellable, GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (backend);
  GError *error = NULL;
  GTask *task = step_task_new (self, VMM_STEP_COMPLETE_DESTINATION, ctx, cancellable, callback,
                               user_data, &error);
  Run *run = g_task_get_task_data (task);

  g_task_set_source_tag (task, vmm_vsphere_backend_complete_destination);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (!reloc_get (ctx)->done)
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_BACKEND,
                               "CompleteDestination: no RelocateVM_Task finished for VM '%s'",
                               vmm_migration_context_get_vm_name (ctx));
      g_object_unref (task);
      return;
    }
  /* the datastore and every disk, as vCenter reports them now */
  run_set_target (self, run, FALSE);
  g_clear_pointer (&run->want_host, g_free);
  g_clear_pointer (&run->want_pool, g_free);
  {
    const char *ds = vmm_migration_context_get_destination_datastore (ctx);

    g_free (run->want_ds);
    run->want_ds = g_strdup (ds);
  }
  verify_start (task);
}

/* --- the cold restart: PowerOffVm and PowerOnVm --- */

static void
power_look (GTask *task);

static void
power_send (GTask *task);

static void
poll_power_task (GTask *task);

static gboolean
power_timer_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->timer, g_source_unref);
  if (run->power_sent)
    poll_power_task (task);
  else
    power_look (task);
  return G_SOURCE_REMOVE;
}

static void
power_again_later (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  run->timer
      = g_timeout_source_new (vmm_vsphere_client_get_poll_interval_ms (run_backend (task)->client));
  g_source_set_callback (run->timer, power_timer_cb, task, NULL);
  g_source_attach (run->timer, g_main_context_get_thread_default ());
}

static void
power_done (GTask *task, Location *loc)
{
  Run *run = g_task_get_task_data (task);
  Reloc *reloc = reloc_get (run->ctx);

  if (run->step == VMM_STEP_POWER_OFF && !run->undo)
    reloc->powered_off = TRUE;
  else if (run->step == VMM_STEP_POWER_ON && !run->undo)
    reloc->powered_on = TRUE;
  else if (run->step == VMM_STEP_POWER_OFF)
    {
      reloc->powered_off = FALSE;
      if (g_strcmp0 (loc->host, vmm_migration_context_get_source_host (run->ctx)) != 0)
        {
          g_autofree char *msg = g_strdup_printf (
              "VM '%s' was powered on again on host '%s', not on its source host '%s'",
              vmm_migration_context_get_vm_name (run->ctx), loc->host,
              vmm_migration_context_get_source_host (run->ctx));
          vmm_migration_context_add_warning (run->ctx, msg);
        }
    }
  else
    reloc->powered_on = FALSE;
  g_debug ("vsphere: %s%s: VM %s is %s on host %s", run->undo ? "undo " : "",
           vmm_step_get_name (run->step), vmm_migration_context_get_vm_name (run->ctx),
           run->power_on ? "poweredOn" : "poweredOff", loc->host);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
power_fail (GTask *task, Location *loc)
{
  Run *run = g_task_get_task_data (task);
  GError *cause = to_vmm_error (g_steal_pointer (&run->cause));

  g_task_return_new_error (
      task, cause->domain, cause->code, "powering VM '%s' %s: %s; vCenter shows it %s on host '%s'",
      vmm_migration_context_get_vm_name (run->ctx), run->power_on ? "on" : "off", cause->message,
      loc == NULL                             ? "(unreadable)"
      : loc->power == VMM_POWER_STATE_RUNNING ? "poweredOn"
      : loc->power == VMM_POWER_STATE_OFF     ? "poweredOff"
                                              : "in another state",
      loc != NULL ? loc->host : "?");
  g_error_free (cause);
  g_object_unref (task);
}

static void
shutdown_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (xmlDoc) doc
      = vmm_vsphere_client_call_finish (VMM_VSPHERE_CLIENT (source), result, &error);

  if (doc == NULL)
    {
      g_autofree char *msg
          = g_strdup_printf ("ShutdownGuest of VM '%s' failed (%s); powering it off instead",
                             vmm_migration_context_get_vm_name (run->ctx), error->message);

      vmm_migration_context_add_warning (run->ctx, msg);
      run->shutting_down = FALSE;
      power_send (task);
      return;
    }
  power_look (task);
}

/* Reads the VM's power state and acts on it: done, wait for the guest's
 * shutdown, or send the power task. */
static void
power_look_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (source);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (Location) loc = read_location_finish (self, result, &error);
  VmmPowerState want = run->power_on ? VMM_POWER_STATE_RUNNING : VMM_POWER_STATE_OFF;

  if (loc == NULL)
    {
      g_clear_error (&run->cause);
      run->cause = error;
      power_fail (task, NULL);
      return;
    }
  if (loc->power == want)
    {
      if (!run->shutting_down && !run->power_sent)
        {
          /* nothing to do: it is so already (and the undo must not change it) */
          g_autofree char *msg
              = g_strdup_printf ("%s: VM '%s' is already %s", vmm_step_get_name (run->step),
                                 vmm_migration_context_get_vm_name (run->ctx),
                                 run->power_on ? "poweredOn" : "poweredOff");

          vmm_migration_context_add_warning (run->ctx, msg);
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
          return;
        }
      if (run->cause != NULL)
        {
          /* the call got no answer, but the VM did change */
          g_autofree char *msg
              = g_strdup_printf ("%s; vCenter shows the VM %s anyway", run->cause->message,
                                 run->power_on ? "poweredOn" : "poweredOff");
          vmm_migration_context_add_warning (run->ctx, msg);
          g_clear_error (&run->cause);
        }
      power_done (task, loc);
      return;
    }
  if (run->cause != NULL || run->power_sent)
    {
      if (run->cause == NULL)
        run->cause = g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                  "vCenter reported the power task done but the VM is not %s",
                                  run->power_on ? "poweredOn" : "poweredOff");
      power_fail (task, loc);
      return;
    }
  if (run->shutting_down)
    {
      if (g_get_monotonic_time () > run->deadline)
        {
          g_autofree char *msg = g_strdup_printf (
              "the guest of VM '%s' did not shut down within %u s (ShutdownGuest); powering it "
              "off",
              vmm_migration_context_get_vm_name (run->ctx),
              vmm_vsphere_client_get_shutdown_timeout (self->client));

          vmm_migration_context_add_warning (run->ctx, msg);
          run->shutting_down = FALSE;
          power_send (task);
          return;
        }
      power_again_later (task);
      return;
    }
  if (!run->power_on && !run->undo && g_strcmp0 (loc->tools, "guestToolsRunning") == 0)
    {
      /* VMware Tools run: ask the guest to shut down, for a bounded time */
      xmlDoc *req = vmm_vsphere_request_new ("ShutdownGuest", "VirtualMachine", run->vm_id, NULL);

      run->shutting_down = TRUE;
      run->deadline
          = g_get_monotonic_time ()
            + (gint64)vmm_vsphere_client_get_shutdown_timeout (self->client) * G_USEC_PER_SEC;
      vmm_vsphere_client_call_async (self->client, req, NULL, shutdown_cb, task);
      return;
    }
  power_send (task);
}

static void
power_look (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  read_location_async (run_backend (task), run->vm_id, NULL, power_look_cb, task);
}

static void
power_task_info_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (source);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (MoSet) set = retrieve_finish (self, result, &error);
  xmlNode *info;
  g_autofree char *state = NULL;
  const char *method = run->power_on ? "PowerOnVM_Task" : "PowerOffVM_Task";

  if (set == NULL)
    {
      run->cause = error;
      power_look (task);
      return;
    }
  info = prop (g_hash_table_lookup (set->by_id, run->task_id), "info");
  state = vmm_vsphere_child_text (info, "state");
  if (g_strcmp0 (state, "success") == 0)
    {
      power_look (task);
      return;
    }
  if (g_strcmp0 (state, "error") == 0)
    {
      task_info_error (info, method, &run->cause);
      power_look (task);
      return;
    }
  if (state == NULL || g_get_monotonic_time () > run->deadline)
    {
      run->cause = state == NULL
                       ? g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                      "vCenter returned no TaskInfo for %s", run->task_id)
                       : g_error_new (VMM_ERROR, VMM_ERROR_TIMEOUT, "%s %s is still %s after %u s",
                                      method, run->task_id, state, run->wait_s);
      power_look (task);
      return;
    }
  power_again_later (task);
}

static void
poll_power_task (GTask *task)
{
  read_task_info (task, power_task_info_cb);
}

static void
power_sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (xmlDoc) doc
      = vmm_vsphere_client_call_finish (VMM_VSPHERE_CLIENT (source), result, &error);

  if (doc == NULL)
    {
      /* a fault, or no answer: what state is the VM in? */
      run->cause = error;
      power_look (task);
      return;
    }
  run->task_id = vmm_vsphere_child_text (vmm_vsphere_response (doc), "returnval");
  if (run->task_id == NULL)
    {
      run->cause = g_error_new (VMM_ERROR, VMM_ERROR_BACKEND, "vCenter answered %s without a task",
                                run->power_on ? "PowerOnVM_Task" : "PowerOffVM_Task");
      power_look (task);
      return;
    }
  record_task (run->ctx, run->step, run->undo, run->vm_id, run->task_id);
  poll_power_task (task);
}

/* PowerOnVM_Task (on the host named by want_host, if any) or PowerOffVM_Task. */
static void
power_send (GTask *task)
{
  VmmVsphereBackend *self = run_backend (task);
  Run *run = g_task_get_task_data (task);
  xmlNode *m;
  xmlDoc *req = vmm_vsphere_request_new (run->power_on ? "PowerOnVM_Task" : "PowerOffVM_Task",
                                         "VirtualMachine", run->vm_id, &m);
  const char *host_id = run->power_on ? id_of (self, "host", run->want_host) : NULL;

  if (host_id != NULL)
    vmm_vsphere_add_moref (m, "host", "HostSystem", host_id);
  run->power_sent = TRUE;
  run->wait_s = vmm_vsphere_client_get_task_timeout (self->client);
  run->deadline = g_get_monotonic_time () + (gint64)run->wait_s * G_USEC_PER_SEC;
  vmm_vsphere_client_call_async (self->client, req, NULL, power_sent_cb, task);
}

static void
power_start (VmmVsphereBackend *self, VmmStep step, gboolean undo, VmmMigrationContext *ctx,
             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GError *error = NULL;
  GTask *task
      = step_task_new (self, step, ctx, undo ? NULL : cancellable, callback, user_data, &error);
  Run *run = g_task_get_task_data (task);

  g_task_set_source_tag (task, power_start);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  run->undo = undo;
  /* PowerOffVm stops it (its undo starts it again); PowerOnVm starts it
   * where the move put it (its undo stops it) */
  run->power_on = (step == VMM_STEP_POWER_ON) != undo;
  if (step == VMM_STEP_POWER_ON && !undo)
    run->want_host = g_strdup (vmm_migration_context_get_destination_host (ctx));
  {
    g_autofree char *name = g_strdup_printf ("%s%s", undo ? "undo " : "", vmm_step_get_name (step));

    if (!record_step (ctx, name, run->vm_id, NULL, &error))
      {
        g_task_return_error (task, error);
        g_object_unref (task);
        return;
      }
  }
  power_look (task);
}

static void
vmm_vsphere_backend_power_off (VmmBackend *backend, VmmMigrationContext *ctx,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  power_start (VMM_VSPHERE_BACKEND (backend), VMM_STEP_POWER_OFF, FALSE, ctx, cancellable, callback,
               user_data);
}

static void
vmm_vsphere_backend_power_on (VmmBackend *backend, VmmMigrationContext *ctx,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  power_start (VMM_VSPHERE_BACKEND (backend), VMM_STEP_POWER_ON, FALSE, ctx, cancellable, callback,
               user_data);
}

static void
vmm_vsphere_backend_undo_step (VmmBackend *backend, VmmStep step, VmmMigrationContext *ctx,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (backend);
  GError *error = NULL;
  GTask *task;
  Reloc *reloc = reloc_get (ctx);

  /* the cold restart: start the VM again (where it is: the relocation back
   * ran before), or stop it again */
  if ((step == VMM_STEP_POWER_OFF && reloc->powered_off)
      || (step == VMM_STEP_POWER_ON && reloc->powered_on))
    {
      power_start (self, step, TRUE, ctx, NULL, callback, user_data);
      return;
    }
  task = step_task_new (self, step, ctx, NULL, callback, user_data, &error);
  g_task_set_source_tag (task, vmm_vsphere_backend_undo_step);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* Only a cold or pool-only relocation done by SwitchHostAndPool can be
   * undone before the point of no return (a cancellation at the next action
   * boundary): relocate the VM back where it was. */
  if (step != VMM_STEP_SWITCH_HOST_AND_POOL || !reloc->by_switch || !reloc->done)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  run_set_target (self, g_task_get_task_data (task), TRUE);
  reloc->done = FALSE;
  g_clear_pointer (&reloc->after, location_free);
  relocate_start (task);
}

/* --- after a crash: where the VM is, and finishing or undoing its move --- */

typedef struct
{
  char *vm_id;
  Location *loc;
  GPtrArray *recent; /* the VM's recentTask ids */
} Snapshot;

static void
snapshot_free (Snapshot *snap)
{
  g_free (snap->vm_id);
  g_clear_pointer (&snap->loc, location_free);
  g_clear_pointer (&snap->recent, g_ptr_array_unref);
  g_free (snap);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_free)

static void
snapshot_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
snapshot_send (GTask *task)
{
  VmmVsphereBackend *self = g_task_get_source_object (task);
  xmlNode *spec;
  xmlDoc *req = retrieve_request (self, &spec);

  add_inventory_props (self, spec);
  retrieve_async (self, req, g_task_get_cancellable (task), snapshot_cb, task);
}

/* One RetrievePropertiesEx of the whole inventory (so that names and ids
 * are current, whoever read them before) and the VM named VM in it. */
static void
snapshot_async (VmmVsphereBackend *self, const char *vm, GCancellable *cancellable,
                GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, snapshot_async);
  g_task_set_task_data (task, g_strdup (vm), g_free);
  snapshot_send (task);
}

static void
snapshot_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (source);
  const char *vm = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (MoSet) set = retrieve_finish (self, result, &error);
  g_autoptr (VmmInventory) inv = NULL;
  Snapshot *snap;
  const char *id;

  if (set == NULL)
    {
      g_task_return_error (task, to_vmm_error (error));
      g_object_unref (task);
      return;
    }
  if (!set_has_session (self, set))
    {
      guint logins = vmm_vsphere_client_get_n_logins (self->client);

      if (g_object_get_data (G_OBJECT (task), "retried") == NULL)
        {
          /* read outside any session: log in again and read once more */
          g_object_set_data (G_OBJECT (task), "retried", GUINT_TO_POINTER (1));
          vmm_vsphere_client_expire_session (self->client, logins);
          snapshot_send (task);
          return;
        }
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_PERMISSION_DENIED,
                               "vCenter at %s answered the read outside any session",
                               vmm_vsphere_client_get_endpoint (self->client));
      g_object_unref (task);
      return;
    }
  inv = build_inventory (self, set);
  id = id_of (self, "vm", vm);
  if (id == NULL)
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_NOT_FOUND, "vCenter has no VM '%s'", vm);
      g_object_unref (task);
      return;
    }
  if (!check_unique (self, "vm", "VM", vm, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  snap = g_new0 (Snapshot, 1);
  snap->vm_id = g_strdup (id);
  snap->loc = location_from_set (self, set, id, &error);
  snap->recent = prop_morefs (g_hash_table_lookup (set->by_id, id), "recentTask");
  if (snap->loc == NULL)
    {
      snapshot_free (snap);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_task_return_pointer (task, snap, (GDestroyNotify)snapshot_free);
  g_object_unref (task);
}

static Snapshot *
snapshot_finish (VmmVsphereBackend *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
locate_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  g_autoptr (Snapshot) snap = snapshot_finish (VMM_VSPHERE_BACKEND (source), result, &error);
  VmmVmLocation *location;

  if (snap == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* vCenter's record is the VM's runtime.host, and the host it is
   * registered on is that same host: HostSystem.vm is vCenter's inverse of
   * runtime.host, not a second witness (and vcsim 0.24 never updates it
   * when RelocateVM_Task moves a VM), so it is not counted as a definition. */
  location = vmm_vm_location_new (g_task_get_task_data (task), snap->loc->host);
  if (snap->loc->host != NULL)
    vmm_vm_location_add_host (location, snap->loc->host,
                              snap->loc->power == VMM_POWER_STATE_RUNNING);
  for (guint i = 0; i < snap->loc->disks->len; i++)
    vmm_vm_location_add_disk (location,
                              vmm_disk_info_copy (g_ptr_array_index (snap->loc->disks, i)));
  g_task_return_pointer (task, location, g_object_unref);
}

static void
vmm_vsphere_backend_locate_vm_async (VmmBackend *backend, const char *vm, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (backend, cancellable, callback, user_data);

  g_task_set_source_tag (task, vmm_vsphere_backend_locate_vm_async);
  g_task_set_task_data (task, g_strdup (vm), g_free);
  snapshot_async (VMM_VSPHERE_BACKEND (backend), vm, cancellable, locate_cb, task);
}

static VmmVmLocation *
vmm_vsphere_backend_locate_vm_finish (VmmBackend *backend, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, backend), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* recover_async: the move's recorded data, then a loop of reads and at
 * most one relocation and one power-on, each verified by the next read. */
typedef struct
{
  char *vm;
  gboolean forward;
  char *source;
  char *destination;
  /* the VM as it was (the first "before" recorded), if any */
  gboolean have_before;
  char *b_host;
  char *b_pool;
  char *b_ds;
  char *b_folder;
  VmmPowerState b_power;
  GPtrArray *b_disks; /* VmmDiskInfo */
  GPtrArray *tasks;   /* task ids recorded */
  Snapshot *snap;
  gboolean tasks_recorded_failed; /* reading the recorded tasks faulted */
  char *task_id;                  /* the task recovery sent and waits for */
  const char *method;
  gboolean relocated;
  gboolean powered;
  gboolean cancel_sent;
  guint wait_s;
  gint64 deadline;
  GSource *timer;
} Recover;

static void
recover_free (Recover *r)
{
  if (r->timer != NULL)
    {
      g_source_destroy (r->timer);
      g_source_unref (r->timer);
    }
  g_free (r->vm);
  g_free (r->source);
  g_free (r->destination);
  g_free (r->b_host);
  g_free (r->b_pool);
  g_free (r->b_ds);
  g_free (r->b_folder);
  g_clear_pointer (&r->b_disks, g_ptr_array_unref);
  g_ptr_array_unref (r->tasks);
  g_clear_pointer (&r->snap, snapshot_free);
  g_free (r->task_id);
  g_free (r);
}

static char *
member_dup (JsonObject *o, const char *name)
{
  return g_strdup (json_object_get_string_member_with_default (o, name, NULL));
}

/* The data the move recorded (record_step()); foreign or broken records
 * are skipped. */
static void
recover_parse (Recover *r, const char *const *data)
{
  for (guint i = 0; data != NULL && data[i] != NULL; i++)
    {
      g_autoptr (JsonNode) node = json_from_string (data[i], NULL);
      JsonObject *o
          = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *before = o != NULL ? json_object_get_member (o, "before") : NULL;
      const char *task
          = o != NULL ? json_object_get_string_member_with_default (o, "task", NULL) : NULL;

      if (task != NULL && !g_ptr_array_find_with_equal_func (r->tasks, task, g_str_equal, NULL))
        g_ptr_array_add (r->tasks, g_strdup (task));
      if (r->have_before || before == NULL || !JSON_NODE_HOLDS_OBJECT (before))
        continue;
      {
        JsonObject *b = json_node_get_object (before);
        JsonNode *disks = json_object_get_member (b, "disks");

        r->have_before = TRUE;
        r->b_host = member_dup (b, "host");
        r->b_pool = member_dup (b, "pool");
        r->b_ds = member_dup (b, "datastore");
        r->b_folder = member_dup (b, "folder");
        r->b_power = power_state (json_object_get_string_member_with_default (b, "power", NULL));
        r->b_disks = g_ptr_array_new_with_free_func (g_object_unref);
        for (guint j = 0; disks != NULL && JSON_NODE_HOLDS_ARRAY (disks)
                          && j < json_array_get_length (json_node_get_array (disks));
             j++)
          {
            JsonNode *dn = json_array_get_element (json_node_get_array (disks), j);
            JsonObject *d = JSON_NODE_HOLDS_OBJECT (dn) ? json_node_get_object (dn) : NULL;

            if (d != NULL && json_object_get_string_member_with_default (d, "key", NULL) != NULL)
              g_ptr_array_add (
                  r->b_disks, vmm_disk_info_new (
                                  json_object_get_string_member (d, "key"),
                                  json_object_get_string_member_with_default (d, "datastore", NULL),
                                  json_object_get_string_member_with_default (d, "path", NULL)));
          }
      }
    }
}

static void
recover_look (GTask *task);

static gboolean
recover_timer_cb (gpointer user_data)
{
  GTask *task = user_data;
  Recover *r = g_task_get_task_data (task);

  g_clear_pointer (&r->timer, g_source_unref);
  recover_look (task);
  return G_SOURCE_REMOVE;
}

static void
recover_later (GTask *task)
{
  Recover *r = g_task_get_task_data (task);
  VmmVsphereBackend *self = g_task_get_source_object (task);

  r->timer = g_timeout_source_new (vmm_vsphere_client_get_poll_interval_ms (self->client));
  g_source_set_callback (r->timer, recover_timer_cb, task, NULL);
  g_source_attach (r->timer, g_main_context_get_thread_default ());
}

static void
recover_fail (GTask *task, GError *error)
{
  Recover *r = g_task_get_task_data (task);

  g_prefix_error (&error, "VM '%s': ", r->vm);
  g_task_return_error (task, to_vmm_error (error));
  g_object_unref (task);
}

static gboolean
recover_timed_out (GTask *task, const char *what)
{
  Recover *r = g_task_get_task_data (task);

  if (g_get_monotonic_time () <= r->deadline)
    return FALSE;
  recover_fail (task, g_error_new (VMM_ERROR, VMM_ERROR_TIMEOUT, "%s after %u s", what, r->wait_s));
  return TRUE;
}

static void
recover_act (GTask *task);

static void
recover_sent_task_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VmmVsphereBackend *self = g_task_get_source_object (task);
  Recover *r = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (MoSet) set = retrieve_finish (self, result, &error);
  xmlNode *info;
  g_autofree char *state = NULL;

  if (set == NULL)
    {
      recover_fail (task, error);
      return;
    }
  info = prop (g_hash_table_lookup (set->by_id, r->task_id), "info");
  state = vmm_vsphere_child_text (info, "state");
  if (g_strcmp0 (state, "success") == 0)
    {
      g_clear_pointer (&r->task_id, g_free);
      recover_look (task);
      return;
    }
  if (g_strcmp0 (state, "error") == 0 || state == NULL)
    {
      if (state == NULL)
        error = g_error_new (VMM_ERROR, VMM_ERROR_BACKEND, "vCenter returned no TaskInfo for %s",
                             r->task_id);
      else
        task_info_error (info, r->method, &error);
      recover_fail (task, error);
      return;
    }
  {
    g_autofree char *what = g_strdup_printf ("%s %s is still %s", r->method, r->task_id, state);

    if (recover_timed_out (task, what))
      return;
  }
  recover_later (task); /* recover_look polls the task again */
}

static void
recover_poll_sent (GTask *task)
{
  Recover *r = g_task_get_task_data (task);

  retrieve_task_info (g_task_get_source_object (task), r->task_id, recover_sent_task_cb, task);
}

static void
recover_send_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Recover *r = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (xmlDoc) doc
      = vmm_vsphere_client_call_finish (VMM_VSPHERE_CLIENT (source), result, &error);

  if (doc == NULL)
    {
      recover_fail (task, error);
      return;
    }
  r->task_id = vmm_vsphere_child_text (vmm_vsphere_response (doc), "returnval");
  if (r->task_id == NULL)
    {
      recover_fail (task, g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                       "vCenter answered %s without a task", r->method));
      return;
    }
  g_debug ("vsphere: recovery of VM %s: %s is task %s", r->vm, r->method, r->task_id);
  recover_poll_sent (task);
}

/* Where the VM must be: before the move (back) or on its destination. */
static gboolean
recover_in_place (Recover *r, Location *loc)
{
  if (r->forward)
    return g_strcmp0 (loc->host, r->destination) == 0;
  if (!r->have_before)
    return g_strcmp0 (loc->host, r->source) == 0;
  return g_strcmp0 (loc->host, r->b_host) == 0
         && (r->b_pool == NULL || g_strcmp0 (loc->pool, r->b_pool) == 0)
         && (r->b_ds == NULL || g_strcmp0 (loc->datastore, r->b_ds) == 0)
         && (r->b_folder == NULL || g_strcmp0 (loc->folder, r->b_folder) == 0);
}

/* RelocateVM_Task back where the VM was: what differs, and each disk whose
 * datastore differs from the one recorded. */
static xmlDoc *
recover_relocate_request (VmmVsphereBackend *self, Recover *r, Location *loc, GError **error)
{
  const char *host = r->have_before ? r->b_host : r->source;
  const char *host_id = id_of (self, "host", host);
  const char *pool_id = r->b_pool != NULL ? id_of (self, "pool", r->b_pool) : NULL;
  const char *ds_id = r->b_ds != NULL ? id_of (self, "ds", r->b_ds) : NULL;
  const char *folder_id = r->b_folder != NULL ? id_of (self, "folder", r->b_folder) : NULL;
  g_autoptr (xmlDoc) doc = NULL;
  g_autofree char *where = location_describe (loc);
  xmlNode *m;
  xmlNode *spec;

  if (host_id == NULL || (r->b_pool != NULL && pool_id == NULL)
      || (r->b_ds != NULL && ds_id == NULL))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                   "it is on %s, and vCenter no longer has where it was (host '%s', resource "
                   "pool '%s', datastore '%s')",
                   where, host, r->b_pool, r->b_ds);
      return NULL;
    }
  doc = vmm_vsphere_request_new ("RelocateVM_Task", "VirtualMachine", r->snap->vm_id, &m);
  spec = xmlNewChild (m, m->ns, BAD_CAST "spec", NULL);
  if (folder_id != NULL && g_strcmp0 (loc->folder, r->b_folder) != 0)
    vmm_vsphere_add_moref (spec, "folder", "Folder", folder_id);
  if (ds_id != NULL && g_strcmp0 (loc->datastore, r->b_ds) != 0)
    vmm_vsphere_add_moref (spec, "datastore", "Datastore", ds_id);
  if (pool_id != NULL)
    vmm_vsphere_add_moref (spec, "pool", "ResourcePool", pool_id);
  vmm_vsphere_add_moref (spec, "host", "HostSystem", host_id);
  for (guint i = 0; r->b_disks != NULL && i < r->b_disks->len; i++)
    {
      VmmDiskInfo *was = g_ptr_array_index (r->b_disks, i);
      const char *was_ds = id_of (self, "ds", vmm_disk_info_get_datastore (was));

      for (guint j = 0; was_ds != NULL && j < loc->disks->len; j++)
        {
          VmmDiskInfo *now = g_ptr_array_index (loc->disks, j);
          xmlNode *d;

          if (g_strcmp0 (vmm_disk_info_get_key (now), vmm_disk_info_get_key (was)) != 0
              || g_strcmp0 (vmm_disk_info_get_datastore (now), vmm_disk_info_get_datastore (was))
                     == 0)
            continue;
          d = xmlNewChild (spec, spec->ns, BAD_CAST "disk", NULL);
          vmm_vsphere_add_text (d, "diskId", vmm_disk_info_get_key (was));
          vmm_vsphere_add_moref (d, "datastore", "Datastore", was_ds);
        }
    }
  vmm_vsphere_add_text (m, "priority", "defaultPriority");
  return g_steal_pointer (&doc);
}

/* No task of the VM runs: put it right, or say it is. */
static void
recover_act (GTask *task)
{
  VmmVsphereBackend *self = g_task_get_source_object (task);
  Recover *r = g_task_get_task_data (task);
  Location *loc = r->snap->loc;
  g_autofree char *where = location_describe (loc);
  const char *host = r->forward ? r->destination : r->have_before ? r->b_host : r->source;
  GError *error = NULL;
  xmlDoc *req = NULL;

  if (!recover_in_place (r, loc))
    {
      if (r->forward)
        {
          recover_fail (task, g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                           "it is on %s, not on its destination host '%s': the "
                                           "relocation did not happen",
                                           where, r->destination));
          return;
        }
      if (r->relocated)
        {
          recover_fail (task, g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                           "vCenter relocated it back, but shows it on %s, not on "
                                           "host '%s'",
                                           where, host));
          return;
        }
      req = recover_relocate_request (self, r, loc, &error);
      if (req == NULL)
        {
          recover_fail (task, error);
          return;
        }
      r->relocated = TRUE;
      r->method = "RelocateVM_Task";
    }
  else if (r->have_before && r->b_power == VMM_POWER_STATE_RUNNING
           && loc->power == VMM_POWER_STATE_OFF)
    {
      /* a cold restart stopped it: start it where it is now */
      xmlNode *m;

      if (r->powered)
        {
          recover_fail (task, g_error_new (VMM_ERROR, VMM_ERROR_BACKEND,
                                           "vCenter powered it on, but shows it %s on host '%s'",
                                           power_name (loc->power), loc->host));
          return;
        }
      req = vmm_vsphere_request_new ("PowerOnVM_Task", "VirtualMachine", r->snap->vm_id, &m);
      if (id_of (self, "host", host) != NULL)
        vmm_vsphere_add_moref (m, "host", "HostSystem", id_of (self, "host", host));
      r->powered = TRUE;
      r->method = "PowerOnVM_Task";
    }
  if (req == NULL)
    {
      g_debug ("vsphere: recovery of VM %s: %s on %s", r->vm, power_name (loc->power), where);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_debug ("vsphere: recovery of VM %s (on %s): %s", r->vm, where, r->method);
  vmm_vsphere_client_call_async (self->client, req, NULL, recover_send_cb, task);
}

static void
recover_tasks_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* The TaskInfo of every task the move recorded and of the VM's recent
 * tasks (the recorded ones may be gone: then the recent ones alone). */
static void
recover_read_tasks (GTask *task)
{
  VmmVsphereBackend *self = g_task_get_source_object (task);
  Recover *r = g_task_get_task_data (task);
  const char *const paths[] = { "info", NULL };
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  xmlNode *spec;
  xmlDoc *req;

  if (r->snap->recent->len == 0 && (r->tasks->len == 0 || r->tasks_recorded_failed))
    {
      recover_act (task);
      return;
    }
  req = retrieve_request (self, &spec);
  add_prop_set (spec, "Task", paths);
  for (guint i = 0; !r->tasks_recorded_failed && i < r->tasks->len; i++)
    if (g_hash_table_add (seen, g_ptr_array_index (r->tasks, i)))
      add_object (spec, "Task", g_ptr_array_index (r->tasks, i));
  for (guint i = 0; i < r->snap->recent->len; i++)
    if (g_hash_table_add (seen, g_ptr_array_index (r->snap->recent, i)))
      add_object (spec, "Task", g_ptr_array_index (r->snap->recent, i));
  retrieve_async (self, req, NULL, recover_tasks_cb, task);
}

static void
recover_tasks_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VmmVsphereBackend *self = g_task_get_source_object (task);
  Recover *r = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (MoSet) set = retrieve_finish (self, result, &error);
  g_autofree char *running = NULL;
  g_autofree char *running_what = NULL;
  g_autofree char *cancelable = NULL;

  if (set == NULL && !r->tasks_recorded_failed && r->tasks->len > 0)
    {
      /* a recorded task vCenter no longer knows (it forgets old tasks) */
      g_debug ("vsphere: recovery of VM %s: reading its recorded tasks: %s", r->vm, error->message);
      g_clear_error (&error);
      r->tasks_recorded_failed = TRUE;
      recover_read_tasks (task);
      return;
    }
  if (set == NULL)
    {
      recover_fail (task, error);
      return;
    }
  for (guint i = 0; i < set->objects->len && running == NULL; i++)
    {
      MoObject *o = g_ptr_array_index (set->objects, i);
      xmlNode *info = prop (o, "info");
      g_autofree char *entity = vmm_vsphere_child_text (info, "entity");
      g_autofree char *state = vmm_vsphere_child_text (info, "state");
      g_autofree char *what = vmm_vsphere_child_text (info, "descriptionId");

      if (g_strcmp0 (entity, r->snap->vm_id) != 0
          || (g_strcmp0 (state, "running") != 0 && g_strcmp0 (state, "queued") != 0)
          || (g_strcmp0 (what, "VirtualMachine.relocateVm") != 0
              && g_strcmp0 (what, "VirtualMachine.powerOn") != 0
              && g_strcmp0 (what, "VirtualMachine.powerOff") != 0))
        continue;
      running = g_strdup (o->id);
      running_what = g_steal_pointer (&what);
      cancelable = vmm_vsphere_child_text (info, "cancelable");
    }
  if (running == NULL)
    {
      recover_act (task);
      return;
    }
  /* a move in flight: nothing is touched until it ends; undoing, ask vCenter
   * to cancel it first */
  if (!r->forward && !r->cancel_sent && g_strcmp0 (cancelable, "true") == 0)
    {
      xmlDoc *req = vmm_vsphere_request_new ("CancelTask", "Task", running, NULL);

      r->cancel_sent = TRUE;
      vmm_vsphere_client_call_async (self->client, req, NULL, NULL, NULL);
    }
  {
    g_autofree char *what = g_strdup_printf (
        "task %s (%s) is still running on it; recovery does not touch a VM vCenter is moving",
        running, running_what);

    if (recover_timed_out (task, what))
      return;
  }
  recover_later (task);
}

static void
recover_look_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Recover *r = g_task_get_task_data (task);
  GError *error = NULL;
  Snapshot *snap = snapshot_finish (VMM_VSPHERE_BACKEND (source), result, &error);

  if (snap == NULL)
    {
      recover_fail (task, error);
      return;
    }
  g_clear_pointer (&r->snap, snapshot_free);
  r->snap = snap;
  recover_read_tasks (task);
}

/* Reads the VM (or, while recovery's own task runs, that task). */
static void
recover_look (GTask *task)
{
  Recover *r = g_task_get_task_data (task);

  if (r->task_id != NULL)
    {
      recover_poll_sent (task);
      return;
    }
  snapshot_async (g_task_get_source_object (task), r->vm, NULL, recover_look_cb, task);
}

static void
vmm_vsphere_backend_recover_async (VmmBackend *backend, const char *vm, gboolean forward,
                                   const char *source, const char *destination,
                                   const char *const *data, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (backend);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Recover *r = g_new0 (Recover, 1);

  g_task_set_source_tag (task, vmm_vsphere_backend_recover_async);
  g_task_set_task_data (task, r, (GDestroyNotify)recover_free);
  r->vm = g_strdup (vm);
  r->forward = forward;
  r->source = g_strdup (source);
  r->destination = g_strdup (destination);
  r->tasks = g_ptr_array_new_with_free_func (g_free);
  recover_parse (r, data);
  r->wait_s = vmm_vsphere_client_get_task_timeout (self->client);
  r->deadline = g_get_monotonic_time () + (gint64)r->wait_s * G_USEC_PER_SEC;
  if (forward && destination == NULL)
    {
      recover_fail (task, g_error_new (VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                                       "the move has no destination host to finish on"));
      return;
    }
  recover_look (task);
}

static gboolean
vmm_vsphere_backend_recover_finish (VmmBackend *backend, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, backend), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vmm_vsphere_backend_dispose (GObject *object)
{
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (object);

  g_clear_object (&self->client);
  G_OBJECT_CLASS (vmm_vsphere_backend_parent_class)->dispose (object);
}

static void
vmm_vsphere_backend_finalize (GObject *object)
{
  VmmVsphereBackend *self = VMM_VSPHERE_BACKEND (object);

  g_hash_table_unref (self->ids);
  g_hash_table_unref (self->ambiguous);
  g_hash_table_unref (self->names);
  g_hash_table_unref (self->host_pool);
  g_hash_table_unref (self->pool_owner);
  g_hash_table_unref (self->host_owner);
  g_hash_table_unref (self->dvpg_key);
  g_hash_table_unref (self->dvpg_switch);
  g_ptr_array_unref (self->inv_waiting);
  g_ptr_array_unref (self->inv_reading);
  G_OBJECT_CLASS (vmm_vsphere_backend_parent_class)->finalize (object);
}

static void
vmm_vsphere_backend_class_init (VmmVsphereBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VmmBackendClass *backend_class = VMM_BACKEND_CLASS (klass);

  object_class->dispose = vmm_vsphere_backend_dispose;
  object_class->finalize = vmm_vsphere_backend_finalize;
  backend_class->open = vmm_vsphere_backend_open;
  backend_class->get_capabilities = vmm_vsphere_backend_get_capabilities;
  backend_class->get_step_mode = vmm_vsphere_backend_get_step_mode;
  backend_class->query_inventory_async = vmm_vsphere_backend_query_inventory_async;
  backend_class->query_inventory_finish = vmm_vsphere_backend_query_inventory_finish;
  backend_class->initiate_source = vmm_vsphere_backend_initiate_source;
  backend_class->switch_host_and_pool = vmm_vsphere_backend_switch_host_and_pool;
  backend_class->complete_destination = vmm_vsphere_backend_complete_destination;
  backend_class->undo_step = vmm_vsphere_backend_undo_step;
  backend_class->power_off = vmm_vsphere_backend_power_off;
  backend_class->power_on = vmm_vsphere_backend_power_on;
  backend_class->locate_vm_async = vmm_vsphere_backend_locate_vm_async;
  backend_class->locate_vm_finish = vmm_vsphere_backend_locate_vm_finish;
  backend_class->recover_async = vmm_vsphere_backend_recover_async;
  backend_class->recover_finish = vmm_vsphere_backend_recover_finish;
}

static void
vmm_vsphere_backend_init (VmmVsphereBackend *self)
{
  self->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->ambiguous = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->host_pool = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pool_owner = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->host_owner = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->dvpg_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->dvpg_switch = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->inv_waiting = g_ptr_array_new ();
  self->inv_reading = g_ptr_array_new ();
}
