/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "vmm-nova-config.h"

G_BEGIN_DECLS

/* Keystone v3 and Nova compute API v2.1 over libsoup: a token reused until
 * shortly before it expires, renewed on 401; the compute endpoint from the
 * catalog; microversions from the version document; Nova fault bodies mapped
 * to VmmError with the request id kept. */
#define VMM_TYPE_NOVA_CLIENT (vmm_nova_client_get_type ())
G_DECLARE_FINAL_TYPE (VmmNovaClient, vmm_nova_client, VMM, NOVA_CLIENT, GObject)

typedef enum
{
  VMM_NOVA_CALL_NONE = 0,
  /* a read: 5xx answers and transport failures are retried */
  VMM_NOVA_CALL_IDEMPOTENT = 1 << 0,
  /* a 404 answer is no error: the result is NULL, without error */
  VMM_NOVA_CALL_ALLOW_404 = 1 << 1,
} VmmNovaCallFlags;

/* Takes ownership of CONFIG. */
VmmNovaClient *
vmm_nova_client_new (VmmNovaConfig *config);

/* Authenticates and reads the compute version document (blocking, with a
 * session of its own: it may run in a worker thread). */
gboolean
vmm_nova_client_connect_sync (VmmNovaClient *self, GCancellable *cancellable, GError **error);

const char *
vmm_nova_client_get_compute_url (VmmNovaClient *self);
const char *
vmm_nova_client_get_max_version (VmmNovaClient *self);
const char *
vmm_nova_client_get_cloud (VmmNovaClient *self);

/* Fails with VMM_ERROR_UNSUPPORTED, naming FEATURE, when the cloud's highest
 * microversion is below VERSION. */
gboolean
vmm_nova_client_require_version (VmmNovaClient *self, const char *version, const char *feature,
                                 GError **error);

/* One compute API call. PATH is relative to the compute endpoint ("/servers"),
 * BODY may be NULL; VERSION is the microversion the call is written for. */
void
vmm_nova_client_call_async (VmmNovaClient *self, const char *method, const char *path,
                            JsonNode *body, const char *version, VmmNovaCallFlags flags,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data);
/* The answer's JSON (NULL for an empty body), and the request id. */
JsonNode *
vmm_nova_client_call_finish (VmmNovaClient *self, GAsyncResult *result, char **request_id,
                             GError **error);

/* The same, for calls whose answer does not matter. */
gboolean
vmm_nova_client_call_finish_discard (VmmNovaClient *self, GAsyncResult *result, char **request_id,
                                     GError **error);

/* Tests only: keep using the cached token past its expiry, so the next call
 * meets Nova's 401 and must re-authenticate. */
void
vmm_nova_client_ignore_expiry_for_testing (VmmNovaClient *self);
guint
vmm_nova_client_get_auth_count (VmmNovaClient *self);

/* Tests only: OBSERVER is called with every token Keystone issues to any
 * client (from the thread that authenticates), so that a test can look for
 * it in logs, errors and journals. */
typedef void (*VmmNovaTokenObserver) (const char *token, gpointer user_data);
void
vmm_nova_client_set_token_observer_for_testing (VmmNovaTokenObserver observer, gpointer user_data);

/* Fuzzing: a client that never connects (cloud "fuzz", interface public,
 * region RegionOne), and BODY read as each answer the client reads itself: a
 * fault body for every HTTP status it maps, Keystone's token answer (refused,
 * failed, and issued, with the catalog), the compute version document. The
 * errors made are added to ERRORS (GError *). */
VmmNovaClient *
vmm_nova_client_new_for_fuzzing (void);
void
vmm_nova_client_read_for_fuzzing (VmmNovaClient *self, GBytes *body, GPtrArray *errors);

/* Helpers for reading Nova's JSON. */
const char *
vmm_nova_json_string (JsonObject *obj, const char *member);
gint64
vmm_nova_json_int (JsonObject *obj, const char *member, gint64 def);
gboolean
vmm_nova_json_bool (JsonObject *obj, const char *member, gboolean def);
JsonObject *
vmm_nova_json_object (JsonObject *obj, const char *member);
JsonArray *
vmm_nova_json_array (JsonObject *obj, const char *member);
/* An array's element INDEX when it is an object (a string), else NULL. */
JsonObject *
vmm_nova_json_element_object (JsonArray *array, guint index);
const char *
vmm_nova_json_element_string (JsonArray *array, guint index);
/* NODE's object, or NULL when NODE is NULL or holds no object. */
JsonObject *
vmm_nova_json_root_object (JsonNode *node);

G_END_DECLS
