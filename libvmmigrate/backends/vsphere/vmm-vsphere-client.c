/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-vsphere-client.h"

#include <libsoup/soup.h>
#include <libxml/parser.h>
#include <string.h>

#include "vmm-private.h"

/* The vim25 SOAP client: one endpoint, credentials read once from a file or
 * the environment (never from the URI, never logged), a libsoup session used
 * with the async API on the caller's thread-default main context, a session
 * cookie, one login at a time and a re-login when vCenter says
 * NotAuthenticated. */

#define SOAP_ACTION "\"urn:vim25/6.5\""
#define COOKIE_NAME "vmware_soap_session"

typedef enum
{
  LOGIN_NONE,
  LOGIN_RUNNING,
  LOGIN_DONE,
} LoginState;

struct _VmmVsphereClient
{
  GObject parent_instance;

  char *endpoint; /* https://host:port/sdk, no user info */
  char *user;
  char *password;
  char *ca_file;
  GTlsDatabase *tls_database;
  guint timeout_s;
  guint task_timeout_s;
  guint poll_ms;
  guint shutdown_timeout_s;
  GHashTable *service; /* ServiceContent member name -> moref value */

  SoupSession *session; /* async, made on first use */
  char *cookie;         /* "vmware_soap_session=..." */
  LoginState login;
  GQueue waiting; /* GTask of calls waiting for the login */
  guint n_logins;
};

G_DEFINE_FINAL_TYPE (VmmVsphereClient, vmm_vsphere_client, G_TYPE_OBJECT)

GQuark
vmm_vsphere_transport_error_quark (void);
G_DEFINE_QUARK (vmm - vsphere - transport - error - quark, vmm_vsphere_transport_error)

enum
{
  TRANSPORT_NO_ANSWER,
  TRANSPORT_UNANSWERED_REUSE,
};

/* Errors where vCenter gave no answer at all (a dropped connection, a
 * timeout, TLS): the caller must find out what really happened. */
gboolean
vmm_vsphere_error_is_transport (const GError *error)
{
  return error != NULL && error->domain == vmm_vsphere_transport_error_quark ();
}

/* A call sent with VMM_VSPHERE_CALL_REUSE_CONNECTION on a kept-alive
 * connection that ended before any byte of an answer came back, for a reason
 * other than a timeout or cancellation: what an HTTP client sees when the
 * server closed an idle connection as the request went out (libsoup resends
 * only GET/HEAD/PUT/DELETE-like methods then, never a POST). The request most
 * likely never reached vCenter, but the caller must still check before it
 * sends it again. */
gboolean
vmm_vsphere_error_is_unanswered_reuse (const GError *error)
{
  return vmm_vsphere_error_is_transport (error) && error->code == TRANSPORT_UNANSWERED_REUSE;
}

static void
vmm_vsphere_client_logout_sync (VmmVsphereClient *self);

static void
vmm_vsphere_client_dispose (GObject *object)
{
  VmmVsphereClient *self = VMM_VSPHERE_CLIENT (object);

  if (self->login == LOGIN_DONE && self->session != NULL)
    vmm_vsphere_client_logout_sync (self);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (vmm_vsphere_client_parent_class)->dispose (object);
}

static void
secret_free (char *secret)
{
  if (secret != NULL)
    {
      memset (secret, 0, strlen (secret));
      g_free (secret);
    }
}

static void
vmm_vsphere_client_finalize (GObject *object)
{
  VmmVsphereClient *self = VMM_VSPHERE_CLIENT (object);

  g_free (self->endpoint);
  g_free (self->user);
  secret_free (self->password);
  secret_free (self->cookie);
  g_free (self->ca_file);
  g_clear_object (&self->tls_database);
  g_clear_pointer (&self->service, g_hash_table_unref);
  g_queue_clear_full (&self->waiting, g_object_unref);
  G_OBJECT_CLASS (vmm_vsphere_client_parent_class)->finalize (object);
}

static void
vmm_vsphere_client_class_init (VmmVsphereClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vmm_vsphere_client_dispose;
  object_class->finalize = vmm_vsphere_client_finalize;
}

static void
vmm_vsphere_client_init (VmmVsphereClient *self)
{
  self->service = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->timeout_s = 60;
  self->task_timeout_s = 3600;
  self->poll_ms = 250;
  self->shutdown_timeout_s = 120;
  g_queue_init (&self->waiting);
}

/* --- XML helpers (namespace-aware: URIs are matched, never prefixes) --- */

static gboolean
node_is (xmlNode *node, const char *ns, const char *name)
{
  if (node == NULL || node->type != XML_ELEMENT_NODE)
    return FALSE;
  if (g_strcmp0 ((const char *)node->name, name) != 0)
    return FALSE;
  if (ns == NULL)
    return node->ns == NULL;
  return node->ns != NULL && g_strcmp0 ((const char *)node->ns->href, ns) == 0;
}

static xmlNode *
find_child (xmlNode *node, const char *ns, const char *name)
{
  for (xmlNode *c = node != NULL ? node->children : NULL; c != NULL; c = c->next)
    if (node_is (c, ns, name))
      return c;
  return NULL;
}

/* The first child element NAME in the vim25 namespace. */
xmlNode *
vmm_vsphere_child (xmlNode *node, const char *name)
{
  return find_child (node, VMM_VSPHERE_NS, name);
}

/* The next sibling element NAME in the vim25 namespace. */
xmlNode *
vmm_vsphere_next (xmlNode *node, const char *name)
{
  for (xmlNode *c = node != NULL ? node->next : NULL; c != NULL; c = c->next)
    if (node_is (c, VMM_VSPHERE_NS, name))
      return c;
  return NULL;
}

char *
vmm_vsphere_text (xmlNode *node)
{
  xmlChar *content;
  char *text;

  if (node == NULL)
    return NULL;
  content = xmlNodeGetContent (node);
  text = g_strdup ((const char *)content);
  xmlFree (content);
  return text;
}

char *
vmm_vsphere_child_text (xmlNode *node, const char *name)
{
  return vmm_vsphere_text (vmm_vsphere_child (node, name));
}

/* The schema type (xsi:type, whatever the prefix), without its prefix. */
char *
vmm_vsphere_xsi_type (xmlNode *node)
{
  xmlChar *value;
  const char *colon;
  char *type;

  if (node == NULL)
    return NULL;
  value = xmlGetNsProp (node, BAD_CAST "type", BAD_CAST VMM_VSPHERE_XSI_NS);
  if (value == NULL)
    return NULL;
  colon = strchr ((const char *)value, ':');
  type = g_strdup (colon != NULL ? colon + 1 : (const char *)value);
  xmlFree (value);
  return type;
}

/* The plain (no namespace) `type` attribute of a ManagedObjectReference. */
char *
vmm_vsphere_moref_type (xmlNode *node)
{
  xmlChar *value;
  char *type;

  if (node == NULL)
    return NULL;
  value = xmlGetNoNsProp (node, BAD_CAST "type");
  type = g_strdup ((const char *)value);
  xmlFree (value);
  return type;
}

/* A request document: Envelope/Body/METHOD (urn:vim25) with its _this. */
xmlDoc *
vmm_vsphere_request_new (const char *method, const char *this_type, const char *this_value,
                         xmlNode **method_node)
{
  xmlDoc *doc = xmlNewDoc (BAD_CAST "1.0");
  xmlNode *env = xmlNewDocNode (doc, NULL, BAD_CAST "Envelope", NULL);
  xmlNs *soapenv = xmlNewNs (env, BAD_CAST VMM_VSPHERE_SOAPENV_NS, BAD_CAST "soapenv");
  xmlNode *body;
  xmlNode *m;

  xmlNewNs (env, BAD_CAST VMM_VSPHERE_XSD_NS, BAD_CAST "xsd");
  xmlNewNs (env, BAD_CAST VMM_VSPHERE_XSI_NS, BAD_CAST "xsi");
  xmlSetNs (env, soapenv);
  xmlDocSetRootElement (doc, env);
  body = xmlNewChild (env, soapenv, BAD_CAST "Body", NULL);
  m = xmlNewChild (body, NULL, BAD_CAST method, NULL);
  xmlSetNs (m, xmlNewNs (m, BAD_CAST VMM_VSPHERE_NS, NULL));
  vmm_vsphere_add_moref (m, "_this", this_type, this_value);
  if (method_node != NULL)
    *method_node = m;
  return doc;
}

/* A child element with escaped text, in the parent's namespace. */
xmlNode *
vmm_vsphere_add_text (xmlNode *parent, const char *name, const char *text)
{
  return xmlNewTextChild (parent, parent->ns, BAD_CAST name, BAD_CAST text);
}

xmlNode *
vmm_vsphere_add_moref (xmlNode *parent, const char *name, const char *type, const char *value)
{
  xmlNode *node = vmm_vsphere_add_text (parent, name, value);

  xmlNewProp (node, BAD_CAST "type", BAD_CAST type);
  return node;
}

void
vmm_vsphere_set_xsi_type (xmlNode *node, const char *type)
{
  xmlNs *xsi = xmlSearchNsByHref (node->doc, node, BAD_CAST VMM_VSPHERE_XSI_NS);

  xmlNewNsProp (node, xsi, BAD_CAST "type", BAD_CAST type);
}

static const char *
request_method (xmlDoc *doc)
{
  xmlNode *body = find_child (xmlDocGetRootElement (doc), VMM_VSPHERE_SOAPENV_NS, "Body");

  for (xmlNode *c = body != NULL ? body->children : NULL; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      return (const char *)c->name;
  return "?";
}

/* The element inside soapenv:Body of a response. */
xmlNode *
vmm_vsphere_response (xmlDoc *doc)
{
  xmlNode *env = doc != NULL ? xmlDocGetRootElement (doc) : NULL;
  xmlNode *body;

  if (!node_is (env, VMM_VSPHERE_SOAPENV_NS, "Envelope"))
    return NULL;
  body = find_child (env, VMM_VSPHERE_SOAPENV_NS, "Body");
  for (xmlNode *c = body != NULL ? body->children : NULL; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      return c;
  return NULL;
}

/* --- faults --- */

typedef struct
{
  const char *fault;
  int code;
} FaultMap;

static const FaultMap fault_map[] = {
  { "InvalidLogin", VMM_ERROR_PERMISSION_DENIED },
  { "NotAuthenticated", VMM_ERROR_PERMISSION_DENIED },
  { "NoPermission", VMM_ERROR_PERMISSION_DENIED },
  { "MethodDisabled", VMM_ERROR_PERMISSION_DENIED },
  { "ManagedObjectNotFound", VMM_ERROR_NOT_FOUND },
  { "NotFound", VMM_ERROR_NOT_FOUND },
  { "FileNotFound", VMM_ERROR_NOT_FOUND },
  { "InvalidDatastore", VMM_ERROR_NOT_FOUND },
  { "MethodNotFound", VMM_ERROR_UNSUPPORTED },
  { "NotSupported", VMM_ERROR_UNSUPPORTED },
  { "NotImplemented", VMM_ERROR_UNSUPPORTED },
  { "InvalidRequest", VMM_ERROR_INVALID_SPEC },
  { "InvalidArgument", VMM_ERROR_INVALID_SPEC },
  { "InvalidType", VMM_ERROR_INVALID_SPEC },
  { "InvalidState", VMM_ERROR_BUSY },
  { "InvalidPowerState", VMM_ERROR_BUSY },
  { "TaskInProgress", VMM_ERROR_BUSY },
  { "ConcurrentAccess", VMM_ERROR_BUSY },
  { "ResourceInUse", VMM_ERROR_BUSY },
  { "InsufficientResourcesFault", VMM_ERROR_INSUFFICIENT_CAPACITY },
  { "InsufficientHostCapacityFault", VMM_ERROR_INSUFFICIENT_CAPACITY },
  { "InsufficientMemoryResourcesFault", VMM_ERROR_INSUFFICIENT_CAPACITY },
  { "InsufficientCpuResourcesFault", VMM_ERROR_INSUFFICIENT_CAPACITY },
  { "NoDiskSpace", VMM_ERROR_INSUFFICIENT_CAPACITY },
  { "OutOfBounds", VMM_ERROR_INSUFFICIENT_CAPACITY },
  { "IncompatibleHostForVmReplication", VMM_ERROR_INCOMPATIBLE },
  { "CpuIncompatible", VMM_ERROR_INCOMPATIBLE },
  { "DatastoreNotWritableOnHost", VMM_ERROR_INCOMPATIBLE },
  { "VmConfigIncompatibleForHost", VMM_ERROR_INCOMPATIBLE },
  { "MigrationFault", VMM_ERROR_INCOMPATIBLE },
  { "VMotionInterrupted", VMM_ERROR_BACKEND },
  { "Timedout", VMM_ERROR_TIMEOUT },
};

/* Sets ERROR from a vim25 fault type and vCenter's own message (kept
 * verbatim; an empty one, as vcsim sends for NotAuthenticated, is replaced by
 * the fault's name). Always returns FALSE. */
gboolean
vmm_vsphere_fault_to_error (const char *fault_type, const char *message, const char *method,
                            GError **error)
{
  int code = VMM_ERROR_BACKEND;
  const char *what = message != NULL && *message != '\0' ? message : NULL;

  if (fault_type == NULL)
    fault_type = "unknown fault";
  if (g_strcmp0 (fault_type, "RequestCanceled") == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "vCenter cancelled %s: %s", method,
                   what != NULL ? what : "RequestCanceled");
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (fault_map); i++)
    if (g_strcmp0 (fault_map[i].fault, fault_type) == 0)
      code = fault_map[i].code;
  if (what == NULL && g_strcmp0 (fault_type, "NotAuthenticated") == 0)
    what = "the session is not authenticated";
  g_set_error (error, VMM_ERROR, code, "vCenter refused %s (%s): %s", method, fault_type,
               what != NULL ? what : "no message");
  return FALSE;
}

/* Reads a soapenv:Fault body into ERROR; returns the fault's type in
 * FAULT_TYPE. */
void
vmm_vsphere_parse_fault (xmlDoc *doc, const char *method, char **fault_type, GError **error)
{
  xmlNode *fault = vmm_vsphere_response (doc);
  xmlNode *detail;
  g_autofree char *message = NULL;
  g_autofree char *type = NULL;

  if (!node_is (fault, VMM_VSPHERE_SOAPENV_NS, "Fault"))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                   "vCenter answered %s with HTTP 500 and no SOAP fault", method);
      return;
    }
  message = vmm_vsphere_text (find_child (fault, NULL, "faultstring"));
  detail = find_child (fault, NULL, "detail");
  for (xmlNode *c = detail != NULL ? detail->children : NULL; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      {
        type = vmm_vsphere_xsi_type (c);
        if (type == NULL && g_str_has_suffix ((const char *)c->name, "Fault"))
          type = g_strndup ((const char *)c->name, strlen ((const char *)c->name) - 5);
        break;
      }
  vmm_vsphere_fault_to_error (type, message, method, error);
  if (fault_type != NULL)
    *fault_type = g_steal_pointer (&type);
}

/* --- configuration --- */

static gboolean
parse_uint (const char *key, const char *value, guint *out, GError **error)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT, &v, NULL))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                   "vsphere URI: %s must be a positive integer, not '%s'", key, value);
      return FALSE;
    }
  *out = (guint)v;
  return TRUE;
}

static gboolean
load_credentials_file (VmmVsphereClient *self, const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *user = NULL;
  char *password;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                   "vsphere credentials file %s: %s (expected a [vsphere] group with user= and "
                   "password=)",
                   path, local->message);
      return FALSE;
    }
  user = g_key_file_get_string (kf, "vsphere", "user", NULL);
  password = g_key_file_get_string (kf, "vsphere", "password", NULL);
  if (user == NULL || password == NULL)
    {
      secret_free (password);
      g_set_error (
          error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
          "vsphere credentials file %s: the [vsphere] group needs user= and password=", path);
      return FALSE;
    }
  g_free (self->user);
  self->user = g_steal_pointer (&user);
  secret_free (self->password);
  self->password = password;
  return TRUE;
}

/* vsphere+https://HOST[:PORT][/PATH]?credentials=FILE&ca=FILE&timeout=S
 *   &task-timeout=S&poll-ms=MS&shutdown-timeout=S (a user name may be in the URI, a password
 * never: it comes from the credentials file or VMM_VSPHERE_USER /
 * VMM_VSPHERE_PASSWORD). */
VmmVsphereClient *
vmm_vsphere_client_new (GUri *uri, GError **error)
{
  g_autoptr (VmmVsphereClient) self = g_object_new (VMM_TYPE_VSPHERE_CLIENT, NULL);
  const char *scheme = g_uri_get_scheme (uri);
  const char *transport;
  const char *path = g_uri_get_path (uri);
  const char *query = g_uri_get_query (uri);
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (GUri) endpoint = NULL;
  const char *credentials = NULL;
  const char *value;

  if (g_str_equal (scheme, "vsphere+https"))
    transport = "https";
  else if (g_str_equal (scheme, "vsphere+http"))
    transport = "http";
  else
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                   "vsphere URI: scheme '%s' is not vsphere+https or vsphere+http", scheme);
      return NULL;
    }
  if (g_uri_get_password (uri) != NULL)
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                           "vsphere URI: a password must not be part of the URI; name a "
                           "credentials file with ?credentials=FILE or set "
                           "VMM_VSPHERE_USER/VMM_VSPHERE_PASSWORD");
      return NULL;
    }
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                           "vsphere URI: no vCenter host name");
      return NULL;
    }
  if (query != NULL)
    {
      g_autoptr (GError) local = NULL;

      params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, &local);
      if (params == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "vsphere URI: bad query: %s",
                       local->message);
          return NULL;
        }
      credentials = g_hash_table_lookup (params, "credentials");
      if ((value = g_hash_table_lookup (params, "ca")) != NULL)
        self->ca_file = g_strdup (value);
      if ((value = g_hash_table_lookup (params, "timeout")) != NULL
          && !parse_uint ("timeout", value, &self->timeout_s, error))
        return NULL;
      if ((value = g_hash_table_lookup (params, "task-timeout")) != NULL
          && !parse_uint ("task-timeout", value, &self->task_timeout_s, error))
        return NULL;
      if ((value = g_hash_table_lookup (params, "poll-ms")) != NULL
          && !parse_uint ("poll-ms", value, &self->poll_ms, error))
        return NULL;
      if ((value = g_hash_table_lookup (params, "shutdown-timeout")) != NULL
          && !parse_uint ("shutdown-timeout", value, &self->shutdown_timeout_s, error))
        return NULL;
      {
        GHashTableIter iter;
        gpointer key;
        const char *const known[] = {
          "credentials", "ca", "timeout", "task-timeout", "poll-ms", "shutdown-timeout", NULL
        };

        g_hash_table_iter_init (&iter, params);
        while (g_hash_table_iter_next (&iter, &key, NULL))
          if (!g_strv_contains (known, key))
            {
              g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                           "vsphere URI: unknown parameter '%s' (known: credentials, ca, "
                           "timeout, task-timeout, poll-ms, shutdown-timeout)",
                           (const char *)key);
              return NULL;
            }
      }
    }

  if (credentials != NULL)
    {
      if (!load_credentials_file (self, credentials, error))
        return NULL;
    }
  else
    {
      const char *user = g_getenv ("VMM_VSPHERE_USER");
      const char *password = g_getenv ("VMM_VSPHERE_PASSWORD");

      self->user = g_strdup (user != NULL ? user : g_uri_get_user (uri));
      self->password = g_strdup (password);
      if (self->user == NULL || self->password == NULL)
        {
          g_set_error_literal (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                               "vsphere URI: no credentials: name a credentials file with "
                               "?credentials=FILE or set VMM_VSPHERE_USER and "
                               "VMM_VSPHERE_PASSWORD");
          return NULL;
        }
    }

  if (self->ca_file != NULL)
    {
      g_autoptr (GError) local = NULL;

      self->tls_database = g_tls_file_database_new (self->ca_file, &local);
      if (self->tls_database == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "vsphere URI: ca=%s: %s",
                       self->ca_file, local->message);
          return NULL;
        }
    }

  endpoint
      = g_uri_build (G_URI_FLAGS_NONE, transport, NULL, g_uri_get_host (uri), g_uri_get_port (uri),
                     path != NULL && *path != '\0' ? path : "/sdk", NULL, NULL);
  self->endpoint = g_uri_to_string (endpoint);
  return g_steal_pointer (&self);
}

const char *
vmm_vsphere_client_get_endpoint (VmmVsphereClient *self)
{
  return self->endpoint;
}

const char *
vmm_vsphere_client_get_service (VmmVsphereClient *self, const char *name)
{
  return g_hash_table_lookup (self->service, name);
}

guint
vmm_vsphere_client_get_task_timeout (VmmVsphereClient *self)
{
  return self->task_timeout_s;
}

guint
vmm_vsphere_client_get_poll_interval_ms (VmmVsphereClient *self)
{
  return self->poll_ms;
}

/* How long a guest may take to shut down (ShutdownGuest) before the VM is
 * powered off. */
guint
vmm_vsphere_client_get_shutdown_timeout (VmmVsphereClient *self)
{
  return self->shutdown_timeout_s;
}

guint
vmm_vsphere_client_get_n_logins (VmmVsphereClient *self)
{
  return self->n_logins;
}

/* The caller found out that the session it used (in login number LOGINS)
 * is gone: the next call logs in again, unless that already happened. */
void
vmm_vsphere_client_expire_session (VmmVsphereClient *self, guint logins)
{
  if (self->login == LOGIN_DONE && self->n_logins == logins)
    self->login = LOGIN_NONE;
}

static SoupSession *
session_new (VmmVsphereClient *self)
{
  SoupSession *session = soup_session_new_with_options ("timeout", self->timeout_s, "idle-timeout",
                                                        60, "max-conns-per-host", 16, "user-agent",
                                                        "libvmmigrate-vsphere", NULL);

  if (self->tls_database != NULL)
    soup_session_set_tls_database (session, self->tls_database);
  return session;
}

/* Calls that change nothing on the platform (or that vCenter makes safe to
 * repeat, like Login): they ride on idle keep-alive connections, and the
 * client sends one again on a new connection when its kept-alive connection
 * turns out closed (libsoup does not, for a POST). Every other call gets a
 * connection of its own unless its caller asks for a kept-alive one and
 * handles the case where that one turns out closed (see message_new()). */
static gboolean
method_is_safe (const char *method)
{
  const char *const safe[] = { "RetrieveServiceContent",
                               "Login",
                               "Logout",
                               "RetrievePropertiesEx",
                               "ContinueRetrievePropertiesEx",
                               "CreateContainerView",
                               "DestroyView",
                               NULL };

  return g_strv_contains (safe, method);
}

/* SOUP_MESSAGE_IDEMPOTENT only lets libsoup 3 put a POST on an idle
 * kept-alive connection (soup-connection-manager.c); whether libsoup resends a
 * request whose kept-alive connection turns out closed depends on the HTTP
 * method alone (request_is_restartable() in soup-client-message-io-http1.c
 * from 3.0 to 3.6: GET, HEAD, OPTIONS, PROPFIND, TRACE, PUT, DELETE), so a
 * POST is never sent twice by libsoup; it fails instead, and the caller sees
 * that (vmm_vsphere_error_is_unanswered_reuse()). Calls that change something
 * get a connection of their own unless the caller handles that failure
 * (VMM_VSPHERE_CALL_REUSE_CONNECTION). No redirects: a POST is never sent on
 * to another address. */
static SoupMessage *
message_new (VmmVsphereClient *self, GBytes *body, const char *method, VmmVsphereCallFlags flags)
{
  SoupMessage *msg = soup_message_new ("POST", self->endpoint);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  /* metrics tell a kept-alive connection that closed under the call */
  if (method_is_safe (method) || (flags & VMM_VSPHERE_CALL_REUSE_CONNECTION))
    soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT | SOUP_MESSAGE_COLLECT_METRICS);
  soup_message_set_request_body_from_bytes (msg, "text/xml; charset=utf-8", body);
  soup_message_headers_replace (headers, "SOAPAction", SOAP_ACTION);
  if (self->cookie != NULL)
    soup_message_headers_replace (headers, "Cookie", self->cookie);
  return msg;
}

static GBytes *
request_bytes (xmlDoc *doc)
{
  xmlChar *buf = NULL;
  int len = 0;
  GBytes *bytes;

  xmlDocDumpMemoryEnc (doc, &buf, &len, "UTF-8");
  bytes = g_bytes_new (buf, len);
  xmlFree (buf);
  return bytes;
}

/* The transport error, kept apart from faults (vCenter did not answer).
 * MSG (may be NULL) is the message that failed. */
static void
transport_error (VmmVsphereClient *self, const char *method, SoupMessage *msg, const GError *cause,
                 GError **error)
{
  SoupMessageMetrics *metrics = msg != NULL ? soup_message_get_metrics (msg) : NULL;

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, cause->message);
      return;
    }
  if (cause->domain == G_TLS_ERROR)
    {
      g_set_error (error, vmm_vsphere_transport_error_quark (), 0,
                   "TLS with vCenter at %s failed: %s (verification is on; give the CA "
                   "certificate with ?ca=FILE)",
                   self->endpoint, cause->message);
      return;
    }
  /* metrics are collected for calls on kept-alive connections only: no connect time
   * means a kept-alive connection, no response start means not one byte of
   * an answer */
  if (metrics != NULL && soup_message_metrics_get_connect_start (metrics) == 0
      && soup_message_metrics_get_response_start (metrics) == 0
      && !g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_set_error (error, vmm_vsphere_transport_error_quark (), TRANSPORT_UNANSWERED_REUSE,
                   "no answer from vCenter at %s to %s: %s (on a kept-alive connection)",
                   self->endpoint, method, cause->message);
      return;
    }
  g_set_error (error, vmm_vsphere_transport_error_quark (), TRANSPORT_NO_ANSWER,
               "no answer from vCenter at %s to %s: %s", self->endpoint, method, cause->message);
}

/* Interprets an HTTP reply: the response document, or an error. */
static xmlDoc *
reply_parse (VmmVsphereClient *self, SoupMessage *msg, GBytes *reply, const char *method,
             char **fault_type, GError **error)
{
  guint status = soup_message_get_status (msg);
  gsize len = 0;
  const char *data = reply != NULL ? g_bytes_get_data (reply, &len) : NULL;
  g_autoptr (xmlDoc) doc = NULL;

  if (status != SOUP_STATUS_OK && status != SOUP_STATUS_INTERNAL_SERVER_ERROR)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND, "vCenter at %s answered %s with HTTP %u %s",
                   self->endpoint, method, status, soup_message_get_reason_phrase (msg));
      return NULL;
    }
  if (data != NULL && len > 0)
    doc = xmlReadMemory (data, (int)len, "response.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR
                             | XML_PARSE_NOWARNING);
  if (doc == NULL || vmm_vsphere_response (doc) == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                   "vCenter at %s answered %s (HTTP %u) with no SOAP envelope", self->endpoint,
                   method, status);
      return NULL;
    }
  if (status == SOUP_STATUS_INTERNAL_SERVER_ERROR)
    {
      vmm_vsphere_parse_fault (doc, method, fault_type, error);
      return NULL;
    }
  return g_steal_pointer (&doc);
}

/* Keeps the session cookie of a Login reply. */
static void
take_cookie (VmmVsphereClient *self, SoupMessage *msg)
{
  GSList *cookies = soup_cookies_from_response (msg);

  for (GSList *l = cookies; l != NULL; l = l->next)
    if (g_strcmp0 (soup_cookie_get_name (l->data), COOKIE_NAME) == 0)
      {
        secret_free (self->cookie);
        self->cookie = soup_cookie_to_cookie_header (l->data);
      }
  g_slist_free_full (cookies, (GDestroyNotify)soup_cookie_free);
}

static xmlDoc *
login_request (VmmVsphereClient *self)
{
  xmlNode *m;
  xmlDoc *doc = vmm_vsphere_request_new (
      "Login", "SessionManager", vmm_vsphere_client_get_service (self, "sessionManager"), &m);

  vmm_vsphere_add_text (m, "userName", self->user);
  vmm_vsphere_add_text (m, "password", self->password);
  return doc;
}

static void
wipe_bytes (GBytes *bytes)
{
  gsize len = 0;
  gpointer data = (gpointer)g_bytes_get_data (bytes, &len);

  /* the Login body holds the password: wipe it before freeing */
  if (data != NULL)
    memset (data, 0, len);
}

static void
wipe_and_unref (GBytes *bytes)
{
  wipe_bytes (bytes);
  g_bytes_unref (bytes);
}

static gboolean
parse_service_content (VmmVsphereClient *self, xmlDoc *doc, GError **error)
{
  xmlNode *ret = vmm_vsphere_child (vmm_vsphere_response (doc), "returnval");

  if (ret == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND, "vCenter at %s sent no ServiceContent",
                   self->endpoint);
      return FALSE;
    }
  for (xmlNode *c = ret->children; c != NULL; c = c->next)
    {
      g_autofree char *type = NULL;

      if (c->type != XML_ELEMENT_NODE)
        continue;
      type = vmm_vsphere_moref_type (c);
      if (type != NULL)
        g_hash_table_replace (self->service, g_strdup ((const char *)c->name),
                              vmm_vsphere_text (c));
    }
  {
    const char *const needed[]
        = { "sessionManager", "propertyCollector", "rootFolder", "taskManager", NULL };

    for (guint i = 0; needed[i] != NULL; i++)
      if (vmm_vsphere_client_get_service (self, needed[i]) == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                       "vCenter at %s: its ServiceContent has no %s", self->endpoint, needed[i]);
          return FALSE;
        }
  }
  return TRUE;
}

/* One blocking round trip on SESSION (used by connect and logout only). */
static xmlDoc *
call_sync (VmmVsphereClient *self, SoupSession *session, xmlDoc *request, gboolean keep_cookie,
           GCancellable *cancellable, GError **error)
{
  const char *method = request_method (request);
  g_autoptr (GBytes) body = request_bytes (request);
  g_autoptr (SoupMessage) msg = message_new (self, body, method, VMM_VSPHERE_CALL_NEW_CONNECTION);
  g_autoptr (GError) local = NULL;
  g_autoptr (GBytes) reply = NULL;
  xmlDoc *doc;

  reply = soup_session_send_and_read (session, msg, cancellable, &local);
  if (g_str_equal (method, "Login"))
    wipe_bytes (body);
  if (reply == NULL)
    {
      transport_error (self, method, NULL, local, error);
      return NULL;
    }
  doc = reply_parse (self, msg, reply, method, NULL, error);
  if (doc != NULL && keep_cookie)
    take_cookie (self, msg);
  return doc;
}

/* Blocking: reads the ServiceContent and checks the credentials with a
 * Login and Logout on a private session, so that a wrong password or an
 * untrusted certificate is reported when the backend is opened. */
gboolean
vmm_vsphere_client_connect (VmmVsphereClient *self, GCancellable *cancellable, GError **error)
{
  g_autoptr (SoupSession) session = session_new (self);
  g_autoptr (xmlDoc) sc_req = vmm_vsphere_request_new ("RetrieveServiceContent", "ServiceInstance",
                                                       "ServiceInstance", NULL);
  g_autoptr (xmlDoc) sc = NULL;
  g_autoptr (xmlDoc) login = NULL;
  g_autoptr (xmlDoc) login_reply = NULL;
  g_autoptr (xmlDoc) logout = NULL;
  g_autoptr (xmlDoc) logout_reply = NULL;

  sc = call_sync (self, session, sc_req, FALSE, cancellable, error);
  if (sc == NULL || !parse_service_content (self, sc, error))
    return FALSE;
  login = login_request (self);
  login_reply = call_sync (self, session, login, TRUE, cancellable, error);
  if (login_reply == NULL)
    return FALSE;
  logout = vmm_vsphere_request_new ("Logout", "SessionManager",
                                    vmm_vsphere_client_get_service (self, "sessionManager"), NULL);
  logout_reply = call_sync (self, session, logout, FALSE, cancellable, NULL);
  secret_free (self->cookie);
  self->cookie = NULL;
  return TRUE;
}

static void
vmm_vsphere_client_logout_sync (VmmVsphereClient *self)
{
  g_autoptr (xmlDoc) logout = vmm_vsphere_request_new (
      "Logout", "SessionManager", vmm_vsphere_client_get_service (self, "sessionManager"), NULL);
  g_autoptr (xmlDoc) reply = NULL;
  g_autoptr (GError) error = NULL;

  reply = call_sync (self, self->session, logout, FALSE, NULL, &error);
  if (reply == NULL)
    g_debug ("vsphere: Logout from %s: %s", self->endpoint, error->message);
  self->login = LOGIN_NONE;
}

/* --- async calls --- */

typedef struct
{
  GBytes *body;
  char *method;
  VmmVsphereCallFlags flags;
  gboolean relogged;
  gboolean resent;
  char *cookie_used;
  SoupMessage *msg;
  gint64 sent;
} Call;

static void
call_free (Call *call)
{
  g_bytes_unref (call->body);
  g_free (call->method);
  secret_free (call->cookie_used);
  g_clear_object (&call->msg);
  g_free (call);
}

static void
call_send (VmmVsphereClient *self, GTask *task);
static void
login_start (VmmVsphereClient *self);

static void
login_finish_all (VmmVsphereClient *self, const GError *error)
{
  GQueue waiting = self->waiting;

  g_queue_init (&self->waiting);
  for (GList *l = waiting.head; l != NULL; l = l->next)
    {
      GTask *task = l->data;

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        call_send (self, task);
      g_object_unref (task);
    }
  g_queue_clear (&waiting);
}

static void
login_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (VmmVsphereClient) self = user_data;
  g_autoptr (SoupMessage) msg = g_object_steal_data (G_OBJECT (self), "vmm-login-msg");
  g_autoptr (GError) local = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &local);
  g_autoptr (xmlDoc) doc = NULL;

  g_object_set_data (G_OBJECT (self), "vmm-login-body", NULL);
  if (reply == NULL)
    transport_error (self, "Login", NULL, local, &error);
  else
    doc = reply_parse (self, msg, reply, "Login", NULL, &error);
  if (doc != NULL)
    {
      take_cookie (self, msg);
      self->login = LOGIN_DONE;
      self->n_logins++;
      login_finish_all (self, NULL);
      return;
    }
  self->login = LOGIN_NONE;
  login_finish_all (self, error);
}

static void
login_start (VmmVsphereClient *self)
{
  g_autoptr (xmlDoc) request = login_request (self);
  g_autoptr (GBytes) body = request_bytes (request);
  SoupMessage *msg;

  self->login = LOGIN_RUNNING;
  secret_free (self->cookie);
  self->cookie = NULL;
  msg = message_new (self, body, "Login", VMM_VSPHERE_CALL_NEW_CONNECTION);
  /* the body holds the password: wiped when the Login is answered */
  g_object_set_data_full (G_OBJECT (self), "vmm-login-body", g_bytes_ref (body),
                          (GDestroyNotify)wipe_and_unref);
  g_object_set_data_full (G_OBJECT (self), "vmm-login-msg", msg, g_object_unref);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, NULL, login_cb,
                                    g_object_ref (self));
}

/* Queues TASK until the session is logged in (starting a login if none runs). */
static void
call_wait_login (VmmVsphereClient *self, GTask *task)
{
  g_queue_push_tail (&self->waiting, g_object_ref (task));
  if (self->login == LOGIN_NONE)
    login_start (self);
}

static void
call_reply_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VmmVsphereClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr (GError) local = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &local);
  g_autofree char *fault_type = NULL;
  xmlDoc *doc;

  g_debug ("vsphere: %s: %.1f ms, %" G_GSIZE_FORMAT " bytes, connection %" G_GUINT64_FORMAT,
           call->method, (g_get_monotonic_time () - call->sent) / 1000.0,
           reply != NULL ? g_bytes_get_size (reply) : 0,
           soup_message_get_connection_id (call->msg));
  if (reply == NULL)
    {
      transport_error (self, call->method, call->msg, local, &error);
      if (vmm_vsphere_error_is_unanswered_reuse (error) && method_is_safe (call->method)
          && !call->resent)
        {
          /* a read on a connection vCenter had closed: read again */
          g_debug ("vsphere: %s: %s; sending it again on a new connection", call->method,
                   error->message);
          call->resent = TRUE;
          call_send (self, task);
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  doc = reply_parse (self, call->msg, reply, call->method, &fault_type, &error);
  if (doc != NULL)
    {
      g_task_return_pointer (task, doc, (GDestroyNotify)xmlFreeDoc);
      return;
    }
  if (g_strcmp0 (fault_type, "NotAuthenticated") == 0 && !call->relogged)
    {
      /* The session expired or was terminated: log in again (once per call),
       * unless another call already did since this one was sent. */
      call->relogged = TRUE;
      g_debug ("vsphere: %s: session not authenticated, logging in again", call->method);
      if (self->login == LOGIN_DONE && g_strcmp0 (self->cookie, call->cookie_used) != 0)
        {
          call_send (self, task);
          return;
        }
      if (self->login == LOGIN_DONE)
        self->login = LOGIN_NONE;
      call_wait_login (self, task);
      return;
    }
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
call_send (VmmVsphereClient *self, GTask *task)
{
  Call *call = g_task_get_task_data (task);

  g_clear_object (&call->msg);
  secret_free (call->cookie_used);
  call->cookie_used = g_strdup (self->cookie);
  call->msg = message_new (self, call->body, call->method, call->flags);
  if (call->resent)
    soup_message_add_flags (call->msg, SOUP_MESSAGE_NEW_CONNECTION);
  call->sent = g_get_monotonic_time ();
  soup_session_send_and_read_async (self->session, call->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), call_reply_cb,
                                    g_object_ref (task));
}

/* Sends REQUEST (taken) and returns the response document (the caller frees
 * it with xmlFreeDoc). Logs in first when needed, and once more when vCenter
 * says NotAuthenticated. Errors: faults as VMM_ERROR codes with vCenter's
 * message; no answer at all as a transport error (see
 * vmm_vsphere_error_is_transport()). */
void
vmm_vsphere_client_call_async (VmmVsphereClient *self, xmlDoc *request, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  vmm_vsphere_client_call_full_async (self, request, VMM_VSPHERE_CALL_NEW_CONNECTION, cancellable,
                                      callback, user_data);
}

/* The same, with FLAGS saying how a call that changes something is sent. */
void
vmm_vsphere_client_call_full_async (VmmVsphereClient *self, xmlDoc *request,
                                    VmmVsphereCallFlags flags, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  g_task_set_source_tag (task, vmm_vsphere_client_call_async);
  call->flags = flags;
  call->method = g_strdup (request_method (request));
  call->body = request_bytes (request);
  xmlFreeDoc (request);
  g_task_set_task_data (task, call, (GDestroyNotify)call_free);
  if (self->session == NULL)
    self->session = session_new (self);
  if (self->login != LOGIN_DONE)
    call_wait_login (self, task);
  else
    call_send (self, task);
}

xmlDoc *
vmm_vsphere_client_call_finish (VmmVsphereClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
