/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(VMM_INSIDE) && !defined(VMM_COMPILATION)
#error "Only <vmmigrate/vmmigrate.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vmm-inventory.h"
#include "vmm-vm-location.h"
#include "vmm-types.h"
#include "vmm-version.h"

G_BEGIN_DECLS

/**
 * VMM_BACKEND_EXTENSION_POINT_NAME:
 *
 * The name of the #GIOExtensionPoint backends implement. The extension's
 * name is the URI scheme it opens (`sim`, `qemu+tcp`, `nova+https`...).
 *
 * Since: 1.0
 */
#define VMM_BACKEND_EXTENSION_POINT_NAME "vmm-backend"

typedef struct _VmmMigrationContext VmmMigrationContext;

#define VMM_TYPE_BACKEND (vmm_backend_get_type ())
VMM_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (VmmBackend, vmm_backend, VMM, BACKEND, GObject)

/**
 * VmmBackendStepFunc:
 * @self: the backend
 * @context: the migration's context
 * @cancellable: (nullable): cancels the step where the workflow phase allows it
 * @callback: called when the step is done
 * @user_data: data for @callback
 *
 * The signature of every workflow step a backend implements. A backend
 * completes the step with a #GTask whose source object is the backend and
 * whose result is a boolean (g_task_return_boolean() or g_task_return_error());
 * the engine reads it with vmm_backend_step_finish().
 *
 * Since: 1.0
 */
typedef void (*VmmBackendStepFunc) (VmmBackend *self, VmmMigrationContext *context,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data);

/**
 * VmmBackendClass:
 * @parent_class: the parent class
 * @open: connect to the platform the URI names; may block (it runs in a worker
 *   thread for vmm_backend_open_async())
 * @get_capabilities: what the backend can do
 * @get_step_mode: who performs a step; the default says
 *   %VMM_STEP_MODE_BACKEND when the step's function is set and
 *   %VMM_STEP_MODE_UNSUPPORTED otherwise
 * @query_inventory_async: start reading the platform's facts
 * @query_inventory_finish: finish reading the platform's facts
 * @reserve_directory: %VMM_STEP_RESERVE_DIRECTORY
 * @create_inventory_vm: %VMM_STEP_CREATE_INVENTORY_VM
 * @create_dummy_disks: %VMM_STEP_CREATE_DUMMY_DISKS
 * @create_destination_vm: %VMM_STEP_CREATE_DESTINATION_VM
 * @register_destination_vm: %VMM_STEP_REGISTER_DESTINATION_VM
 * @unregister_source_vm: %VMM_STEP_UNREGISTER_SOURCE_VM
 * @reconfigure_vm: %VMM_STEP_RECONFIGURE_VM
 * @relayout_snapshots: %VMM_STEP_RELAYOUT_SNAPSHOTS
 * @prepare_source: %VMM_STEP_PREPARE_SOURCE
 * @prepare_destination: %VMM_STEP_PREPARE_DESTINATION
 * @initiate_destination: %VMM_STEP_INITIATE_DESTINATION
 * @initiate_source: %VMM_STEP_INITIATE_SOURCE
 * @switch_host_and_pool: %VMM_STEP_SWITCH_HOST_AND_POOL
 * @complete_source: %VMM_STEP_COMPLETE_SOURCE
 * @complete_destination: %VMM_STEP_COMPLETE_DESTINATION
 * @undo_step: compensate a step that completed, when a later one failed
 * @abort: ask the step in flight to stop (a live move's abort); the step then
 *   fails with %G_IO_ERROR_CANCELLED
 * @cleanup: called once when a migration ends, after undo on failure; removes
 *   what the move left behind (on success: the source's leftovers)
 * @set_host_enabled_async: disable a host for new VMs (with a reason) or
 *   enable it again; needs %VMM_BACKEND_CAPABILITY_DISABLE_HOST
 * @set_host_enabled_finish: finishes @set_host_enabled_async
 * @locate_vm_async: ask every hypervisor where a VM is defined and runs,
 *   beside what the manager's record says
 * @locate_vm_finish: finishes @locate_vm_async
 * @update_record_async: make the manager's record name the host where the
 *   VM really is
 * @update_record_finish: finishes @update_record_async
 * @apply_timeout_action: make the live move in flight finish another way
 *   when it timed out (force-complete, post-copy, suspend); %FALSE with
 *   %VMM_ERROR_UNSUPPORTED when the platform cannot, and the engine aborts
 * @power_off: %VMM_STEP_POWER_OFF: stop the running VM on its source host
 *   (gracefully first where the platform can); its undo starts it again
 *   there.
 * @power_on: %VMM_STEP_POWER_ON: start the VM on the host the cold move put
 *   it on.
 * @recover_async: after the engine process died mid-move, put the platform
 *   right in one direction — back to the source (undo what the move did) or
 *   forward to the destination (finish it: remove the source's leftovers,
 *   point the record at the destination) — using the data the backend
 *   recorded with vmm_migration_context_record_recovery_data(); idempotent
 * @recover_finish: finishes @recover_async
 *
 * The driver contract. A backend subclasses #VmmBackend, implements what its
 * platform can do and registers itself on the extension point
 * %VMM_BACKEND_EXTENSION_POINT_NAME under each URI scheme it opens.
 *
 * Since: 1.0
 */
struct _VmmBackendClass
{
  GObjectClass parent_class;

  gboolean (*open) (VmmBackend *self, GUri *uri, GCancellable *cancellable, GError **error);
  VmmBackendCapabilities (*get_capabilities) (VmmBackend *self);
  VmmStepMode (*get_step_mode) (VmmBackend *self, VmmStep step);

  void (*query_inventory_async) (VmmBackend *self, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
  VmmInventory *(*query_inventory_finish) (VmmBackend *self, GAsyncResult *result, GError **error);

  VmmBackendStepFunc reserve_directory;
  VmmBackendStepFunc create_inventory_vm;
  VmmBackendStepFunc create_dummy_disks;
  VmmBackendStepFunc create_destination_vm;
  VmmBackendStepFunc register_destination_vm;
  VmmBackendStepFunc unregister_source_vm;
  VmmBackendStepFunc reconfigure_vm;
  VmmBackendStepFunc relayout_snapshots;
  VmmBackendStepFunc prepare_source;
  VmmBackendStepFunc prepare_destination;
  VmmBackendStepFunc initiate_destination;
  VmmBackendStepFunc initiate_source;
  VmmBackendStepFunc switch_host_and_pool;
  VmmBackendStepFunc complete_source;
  VmmBackendStepFunc complete_destination;

  void (*undo_step) (VmmBackend *self, VmmStep step, VmmMigrationContext *context,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*abort) (VmmBackend *self, VmmMigrationContext *context, GError **error);
  void (*cleanup) (VmmBackend *self, VmmMigrationContext *context, gboolean succeeded,
                   GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);

  void (*set_host_enabled_async) (VmmBackend *self, const char *host, gboolean enabled,
                                  const char *reason, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*set_host_enabled_finish) (VmmBackend *self, GAsyncResult *result, GError **error);
  void (*locate_vm_async) (VmmBackend *self, const char *vm, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data);
  VmmVmLocation *(*locate_vm_finish) (VmmBackend *self, GAsyncResult *result, GError **error);
  void (*update_record_async) (VmmBackend *self, const char *vm, const char *host,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);
  gboolean (*update_record_finish) (VmmBackend *self, GAsyncResult *result, GError **error);
  gboolean (*apply_timeout_action) (VmmBackend *self, VmmMigrationContext *context,
                                    VmmOnTimeoutAction action, GError **error);
  VmmBackendStepFunc power_off;
  VmmBackendStepFunc power_on;
  void (*recover_async) (VmmBackend *self, const char *vm, gboolean forward,
                         const char *source_host, const char *destination_host,
                         const char *const *data, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*recover_finish) (VmmBackend *self, GAsyncResult *result, GError **error);

  /*< private >*/
  gpointer padding[13];
};

VMM_AVAILABLE_IN_ALL
VmmBackend *
vmm_backend_open (const char *uri, GCancellable *cancellable, GError **error);
VMM_AVAILABLE_IN_ALL
void
vmm_backend_open_async (const char *uri, GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data);
VMM_AVAILABLE_IN_ALL
VmmBackend *
vmm_backend_open_finish (GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
char **
vmm_backend_list_schemes (void);

VMM_AVAILABLE_IN_ALL
const char *
vmm_backend_get_uri (VmmBackend *self);
VMM_AVAILABLE_IN_ALL
VmmBackendCapabilities
vmm_backend_get_capabilities (VmmBackend *self);
VMM_AVAILABLE_IN_ALL
VmmStepMode
vmm_backend_get_step_mode (VmmBackend *self, VmmStep step);

VMM_AVAILABLE_IN_ALL
void
vmm_backend_query_inventory_async (VmmBackend *self, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
VMM_AVAILABLE_IN_ALL
VmmInventory *
vmm_backend_query_inventory_finish (VmmBackend *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
VmmInventory *
vmm_backend_query_inventory (VmmBackend *self, GCancellable *cancellable, GError **error);

VMM_AVAILABLE_IN_ALL
void
vmm_backend_list_hosts_async (VmmBackend *self, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
VMM_AVAILABLE_IN_ALL
GPtrArray *
vmm_backend_list_hosts_finish (VmmBackend *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
GPtrArray *
vmm_backend_list_hosts (VmmBackend *self, GCancellable *cancellable, GError **error);
VMM_AVAILABLE_IN_ALL
void
vmm_backend_list_datastores_async (VmmBackend *self, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
VMM_AVAILABLE_IN_ALL
GPtrArray *
vmm_backend_list_datastores_finish (VmmBackend *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
GPtrArray *
vmm_backend_list_datastores (VmmBackend *self, GCancellable *cancellable, GError **error);
VMM_AVAILABLE_IN_ALL
void
vmm_backend_list_networks_async (VmmBackend *self, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
VMM_AVAILABLE_IN_ALL
char **
vmm_backend_list_networks_finish (VmmBackend *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
char **
vmm_backend_list_networks (VmmBackend *self, GCancellable *cancellable, GError **error);
VMM_AVAILABLE_IN_ALL
void
vmm_backend_list_vms_async (VmmBackend *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);
VMM_AVAILABLE_IN_ALL
GPtrArray *
vmm_backend_list_vms_finish (VmmBackend *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
GPtrArray *
vmm_backend_list_vms (VmmBackend *self, GCancellable *cancellable, GError **error);
VMM_AVAILABLE_IN_ALL
void
vmm_backend_get_vm_async (VmmBackend *self, const char *name, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data);
VMM_AVAILABLE_IN_ALL
VmmVmInfo *
vmm_backend_get_vm_finish (VmmBackend *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
VmmVmInfo *
vmm_backend_get_vm (VmmBackend *self, const char *name, GCancellable *cancellable, GError **error);

VMM_AVAILABLE_IN_ALL
void
vmm_backend_run_step_async (VmmBackend *self, VmmStep step, VmmMigrationContext *context,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data);
VMM_AVAILABLE_IN_ALL
void
vmm_backend_undo_step_async (VmmBackend *self, VmmStep step, VmmMigrationContext *context,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_backend_step_finish (VmmBackend *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_backend_abort (VmmBackend *self, VmmMigrationContext *context, GError **error);
VMM_AVAILABLE_IN_ALL
void
vmm_backend_cleanup_async (VmmBackend *self, VmmMigrationContext *context, gboolean succeeded,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data);
VMM_AVAILABLE_IN_ALL
void
vmm_backend_set_host_enabled_async (VmmBackend *self, const char *host, gboolean enabled,
                                    const char *reason, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_backend_set_host_enabled_finish (VmmBackend *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
void
vmm_backend_locate_vm_async (VmmBackend *self, const char *vm, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
VMM_AVAILABLE_IN_ALL
VmmVmLocation *
vmm_backend_locate_vm_finish (VmmBackend *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
VmmVmLocation *
vmm_backend_locate_vm (VmmBackend *self, const char *vm, GCancellable *cancellable, GError **error);
VMM_AVAILABLE_IN_ALL
void
vmm_backend_update_record_async (VmmBackend *self, const char *vm, const char *host,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_backend_update_record_finish (VmmBackend *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
void
vmm_backend_recover_async (VmmBackend *self, const char *vm, gboolean forward,
                           const char *source_host, const char *destination_host,
                           const char *const *data, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_backend_recover_finish (VmmBackend *self, GAsyncResult *result, GError **error);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_backend_apply_timeout_action (VmmBackend *self, VmmMigrationContext *context,
                                  VmmOnTimeoutAction action, GError **error);
VMM_AVAILABLE_IN_ALL
gboolean
vmm_backend_cleanup_finish (VmmBackend *self, GAsyncResult *result, GError **error);

G_END_DECLS
