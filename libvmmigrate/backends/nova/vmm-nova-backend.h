/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vmm-private.h"

#include "vmm-nova-client.h"

G_BEGIN_DECLS

/* The OpenStack Nova backend (private API for the engine and the tests).
 *
 * URIs:
 *   nova://CLOUD[?options]        a cloud of clouds.yaml (nova:/// uses OS_CLOUD)
 *   nova+https://HOST[:PORT]/v3   Keystone at that URL, credentials from OS_*
 *   nova+http://...               the same without TLS
 * options: interface=public|internal|admin, region=NAME, cacert=PATH,
 *   insecure=true, placement=platform (Nova's scheduler chooses when the
 *   spec names no host), poll-ms=N (migration polling, default 250). */
#define VMM_TYPE_NOVA_BACKEND (vmm_nova_backend_get_type ())
G_DECLARE_FINAL_TYPE (VmmNovaBackend, vmm_nova_backend, VMM, NOVA_BACKEND, VmmBackend)

/* What Nova says about one server, from the last inventory read. Tells
 * locate/reconcile which libvirt domain (instance_name) on which hypervisor
 * to look for. */
typedef struct
{
  char *id;
  char *name;
  char *host;
  char *hypervisor_hostname;
  char *instance_name;
  char *status;
  char *task_state; /* NULL when none */
  char *zone;
  char *flavor;    /* the flavor's name (original_name), NULL when unknown */
  int power_state; /* Nova's power state code */
} VmmNovaServer;

void
vmm_nova_server_free (VmmNovaServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmmNovaServer, vmm_nova_server_free)

VmmNovaClient *
vmm_nova_backend_get_client (VmmNovaBackend *self);

/* The server the engine knows as VM_NAME (a copy), or NULL before the first
 * inventory read or when there is no such server. */
VmmNovaServer *
vmm_nova_backend_lookup_server (VmmNovaBackend *self, const char *vm_name);

/* Disables the nova-compute service of HOST for new servers, with REASON
 * (seed 001's first evacuation step), or enables it again (REASON unused).
 * Compute API 2.53. */
void
vmm_nova_backend_set_service_enabled_async (VmmNovaBackend *self, const char *host,
                                            gboolean enabled, const char *reason,
                                            GCancellable *cancellable, GAsyncReadyCallback callback,
                                            gpointer user_data);
gboolean
vmm_nova_backend_set_service_enabled_finish (VmmNovaBackend *self, GAsyncResult *result,
                                             GError **error);

/* Asks Nova to force the live migration of CONTEXT's server to complete
 * (compute API 2.22: the guest is paused for the switch-over). Returns at
 * once; the migration's own step reports the outcome. Fails with
 * VMM_ERROR_BUSY when no live migration of that server runs. */
gboolean
vmm_nova_backend_force_complete (VmmNovaBackend *self, VmmMigrationContext *context,
                                 GError **error);

/* Evacuates (rebuilds) the server SERVER_ID on HOST, or on a host Nova's
 * scheduler chooses (HOST NULL), when its compute is down (seed 003). This is
 * not a migration of a running guest: the guest restarts from its disk, so
 * the engine never does it on its own; only a caller who explicitly allows
 * it calls this. Nova refuses it (VMM_ERROR_INCOMPATIBLE or BUSY) while the
 * source compute is up. The result is the host the server is on afterwards.
 * Compute API 2.68. */
void
vmm_nova_backend_evacuate_server_async (VmmNovaBackend *self, const char *server_id,
                                        const char *host, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
char *
vmm_nova_backend_evacuate_server_finish (VmmNovaBackend *self, GAsyncResult *result,
                                         GError **error);

/* Fuzzing (tests/fuzz/fuzz-nova-json.c): BODY read as every answer of
 * Keystone and Nova the backend and its client read — fault bodies, the token
 * answer and its catalog, the version document, os-services, os-hypervisors,
 * os-aggregates and servers (with flavors and extra specs) as an inventory,
 * one server, a migration list, a migration's progress, an instance action's
 * events, a service list. Returns what the readers made of it as errors
 * (GError *: their messages are what a user would read), and sets *INVENTORY
 * to the inventory built from it (NULL when BODY is no JSON). */
GPtrArray *
vmm_nova_parse_for_fuzzing (const char *body, gsize length, VmmInventory **inventory);

G_END_DECLS
