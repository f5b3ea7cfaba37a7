/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

#include <libsoup/soup.h>
#include <string.h>

#include "vmm-nova-client.h"

#define MAX_ATTEMPTS 3

struct _VmmNovaClient
{
  GObject parent_instance;

  VmmNovaConfig *config;
  GTlsDatabase *tls_database;
  SoupSession *session; /* async, bound to the context of its first call */

  char *token;       /* secret: never logged */
  gint64 refresh_at; /* real time (µs) after which the token is renewed */
  gboolean ignore_expiry;
  guint auth_count;        /* also the token's generation */
  GPtrArray *auth_waiters; /* GTasks waiting for the authentication in flight */

  char *compute_url;
  char *max_version;
  guint max_major, max_minor;
};

G_DEFINE_FINAL_TYPE (VmmNovaClient, vmm_nova_client, G_TYPE_OBJECT)

/* tests only: told every token Keystone issues, to look for it in logs */
static VmmNovaTokenObserver token_observer;
static gpointer token_observer_data;

void
vmm_nova_client_set_token_observer_for_testing (VmmNovaTokenObserver observer, gpointer user_data)
{
  token_observer = observer;
  token_observer_data = user_data;
}

static void
wipe_token (VmmNovaClient *self)
{
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_clear_pointer (&self->token, g_free);
}

static void
vmm_nova_client_finalize (GObject *object)
{
  VmmNovaClient *self = VMM_NOVA_CLIENT (object);

  wipe_token (self);
  g_clear_pointer (&self->config, vmm_nova_config_free);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->session);
  g_clear_pointer (&self->auth_waiters, g_ptr_array_unref);
  g_free (self->compute_url);
  g_free (self->max_version);
  G_OBJECT_CLASS (vmm_nova_client_parent_class)->finalize (object);
}

static void
vmm_nova_client_class_init (VmmNovaClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vmm_nova_client_finalize;
}

static void
vmm_nova_client_init (VmmNovaClient *self)
{
  self->auth_waiters = g_ptr_array_new ();
}

VmmNovaClient *
vmm_nova_client_new (VmmNovaConfig *config)
{
  VmmNovaClient *self = g_object_new (VMM_TYPE_NOVA_CLIENT, NULL);

  self->config = config;
  return self;
}

const char *
vmm_nova_client_get_compute_url (VmmNovaClient *self)
{
  return self->compute_url;
}

const char *
vmm_nova_client_get_max_version (VmmNovaClient *self)
{
  return self->max_version;
}

const char *
vmm_nova_client_get_cloud (VmmNovaClient *self)
{
  return self->config->cloud;
}

void
vmm_nova_client_ignore_expiry_for_testing (VmmNovaClient *self)
{
  self->ignore_expiry = TRUE;
}

guint
vmm_nova_client_get_auth_count (VmmNovaClient *self)
{
  return self->auth_count;
}

/* --- JSON helpers --- */

const char *
vmm_nova_json_string (JsonObject *obj, const char *member)
{
  JsonNode *node;

  if (obj == NULL || !json_object_has_member (obj, member))
    return NULL;
  node = json_object_get_member (obj, member);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gint64
vmm_nova_json_int (JsonObject *obj, const char *member, gint64 def)
{
  JsonNode *node;
  GType type;

  if (obj == NULL || !json_object_has_member (obj, member))
    return def;
  node = json_object_get_member (obj, member);
  if (!JSON_NODE_HOLDS_VALUE (node))
    return def;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return json_node_get_int (node);
  if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      /* out of gint64's range (or NaN): not a figure Nova sends */
      if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return def;
      return (gint64)d;
    }
  if (type == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
  return def;
}

gboolean
vmm_nova_json_bool (JsonObject *obj, const char *member, gboolean def)
{
  JsonNode *node;

  if (obj == NULL || !json_object_has_member (obj, member))
    return def;
  node = json_object_get_member (obj, member);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return def;
  return json_node_get_boolean (node);
}

JsonObject *
vmm_nova_json_object (JsonObject *obj, const char *member)
{
  if (obj == NULL || !json_object_has_member (obj, member)
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, member)))
    return NULL;
  return json_object_get_object_member (obj, member);
}

JsonArray *
vmm_nova_json_array (JsonObject *obj, const char *member)
{
  if (obj == NULL || !json_object_has_member (obj, member)
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, member)))
    return NULL;
  return json_object_get_array_member (obj, member);
}

JsonObject *
vmm_nova_json_element_object (JsonArray *array, guint index)
{
  JsonNode *node;

  if (array == NULL || index >= json_array_get_length (array))
    return NULL;
  node = json_array_get_element (array, index);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

const char *
vmm_nova_json_element_string (JsonArray *array, guint index)
{
  JsonNode *node;

  if (array == NULL || index >= json_array_get_length (array))
    return NULL;
  node = json_array_get_element (array, index);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonObject *
vmm_nova_json_root_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* --- versions --- */

static gboolean
parse_version (const char *version, guint *major, guint *minor)
{
  g_auto (GStrv) parts = NULL;

  if (version == NULL)
    return FALSE;
  parts = g_strsplit (version, ".", 3);
  if (g_strv_length (parts) != 2)
    return FALSE;
  *major = (guint)g_ascii_strtoull (parts[0], NULL, 10);
  *minor = (guint)g_ascii_strtoull (parts[1], NULL, 10);
  return TRUE;
}

gboolean
vmm_nova_client_require_version (VmmNovaClient *self, const char *version, const char *feature,
                                 GError **error)
{
  guint major = 0, minor = 0;

  if (!parse_version (version, &major, &minor))
    g_return_val_if_reached (FALSE);
  if (self->max_major > major || (self->max_major == major && self->max_minor >= minor))
    return TRUE;
  g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
               "nova: %s needs compute API microversion %s; the cloud '%s' goes up to %s", feature,
               version, self->config->cloud, self->max_version != NULL ? self->max_version : "2.1");
  return FALSE;
}

/* --- sessions and messages --- */

static gboolean
accept_any_certificate (SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors,
                        gpointer user_data)
{
  return TRUE;
}

static SoupSession *
session_new (VmmNovaClient *self, GError **error)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options (
      "timeout", 60, "idle-timeout", 60, "user-agent", "libvmmigrate-nova", NULL);

  if (self->config->cacert != NULL && self->tls_database == NULL)
    {
      g_autoptr (GError) local_error = NULL;

      self->tls_database = g_tls_file_database_new (self->config->cacert, &local_error);
      if (self->tls_database == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "nova: cacert '%s': %s",
                       self->config->cacert, local_error->message);
          return NULL;
        }
    }
  if (self->tls_database != NULL)
    soup_session_set_tls_database (session, self->tls_database);
  return g_steal_pointer (&session);
}

static SoupMessage *
message_new (VmmNovaClient *self, const char *method, const char *url, GBytes *body,
             const char *version, gboolean with_token, GError **error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  SoupMessage *msg;
  SoupMessageHeaders *headers;

  if (uri == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "nova: invalid URL '%s'", url);
      return NULL;
    }
  msg = soup_message_new_from_uri (method, uri);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (with_token && self->token != NULL)
    soup_message_headers_replace (headers, "X-Auth-Token", self->token);
  if (version != NULL)
    {
      g_autofree char *value = g_strdup_printf ("compute %s", version);

      soup_message_headers_replace (headers, "OpenStack-API-Version", value);
      soup_message_headers_replace (headers, "X-OpenStack-Nova-API-Version", version);
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  if (self->config->insecure)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  return msg;
}

static char *
strip_query (const char *url)
{
  const char *q = strchr (url, '?');

  return q != NULL ? g_strndup (url, q - url) : g_strdup (url);
}

/* A transport failure (no answer at all) as a VmmError. */
static GError *
transport_error (const char *what, const char *url, const GError *error)
{
  g_autofree char *bare = strip_query (url);

  if (error->domain == G_TLS_ERROR)
    return g_error_new (VMM_ERROR, VMM_ERROR_PERMISSION_DENIED,
                        "nova: %s: TLS with %s failed: %s (give the server's CA with cacert, or "
                        "insecure only if you accept an unverified server)",
                        what, bare, error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (VMM_ERROR, VMM_ERROR_TIMEOUT, "nova: %s: %s did not answer in time: %s",
                        what, bare, error->message);
  return g_error_new (VMM_ERROR, VMM_ERROR_BACKEND, "nova: %s: cannot reach %s: %s", what, bare,
                      error->message);
}

static JsonNode *
parse_json (GBytes *bytes, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize size = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

  if (data == NULL || size == 0)
    return NULL;
  if (!json_parser_load_from_data (parser, data, (gssize)size, error))
    return NULL;
  /* a body of white space parses to no root: an empty answer */
  if (json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

/* Nova's fault body: {"badRequest": {"message": ..., "code": 400}}; Keystone's:
 * {"error": {"message": ...}}. */
static char *
fault_message (GBytes *bytes)
{
  g_autoptr (JsonNode) root = parse_json (bytes, NULL);
  JsonObject *obj;
  g_autoptr (GList) members = NULL;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  if (vmm_nova_json_string (obj, "message") != NULL)
    return g_strdup (vmm_nova_json_string (obj, "message"));
  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonObject *inner = vmm_nova_json_object (obj, l->data);

      if (vmm_nova_json_string (inner, "message") != NULL)
        return g_strdup (vmm_nova_json_string (inner, "message"));
    }
  return NULL;
}

static gboolean
contains_ci (const char *haystack, const char *needle)
{
  g_autofree char *h = g_ascii_strdown (haystack, -1);

  return strstr (h, needle) != NULL;
}

static VmmError
fault_code (guint status, const char *message)
{
  const char *m = message != NULL ? message : "";

  switch (status)
    {
    case SOUP_STATUS_BAD_REQUEST:
      if (contains_ci (m, "memory") || contains_ci (m, "disk") || contains_ci (m, "vcpu")
          || contains_ci (m, "capacity") || contains_ci (m, "resources")
          || contains_ci (m, "quota"))
        return VMM_ERROR_INSUFFICIENT_CAPACITY;
      return VMM_ERROR_INCOMPATIBLE;
    case SOUP_STATUS_UNAUTHORIZED:
    case SOUP_STATUS_FORBIDDEN:
      return VMM_ERROR_PERMISSION_DENIED;
    case SOUP_STATUS_NOT_FOUND:
      return VMM_ERROR_NOT_FOUND;
    case SOUP_STATUS_NOT_ACCEPTABLE:
      return VMM_ERROR_UNSUPPORTED;
    case SOUP_STATUS_CONFLICT:
      if (contains_ci (m, "task_state") || contains_ci (m, "in state") || contains_ci (m, "locked")
          || contains_ci (m, "while it is in") || contains_ci (m, "in progress"))
        return VMM_ERROR_BUSY;
      return VMM_ERROR_INCOMPATIBLE;
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      return VMM_ERROR_INSUFFICIENT_CAPACITY;
    default:
      return status >= 500 ? VMM_ERROR_BACKEND : VMM_ERROR_FAILED;
    }
}

static GError *
http_error (const char *method, const char *url, guint status, const char *reason, GBytes *body,
            const char *request_id)
{
  g_autofree char *message = fault_message (body);
  g_autofree char *bare = strip_query (url);

  return g_error_new (VMM_ERROR, fault_code (status, message), "nova: %s %s: %u %s: %s%s%s%s",
                      method, bare, status, reason != NULL ? reason : "",
                      message != NULL ? message : "(no message)",
                      request_id != NULL ? " (request " : "", request_id != NULL ? request_id : "",
                      request_id != NULL ? ")" : "");
}

/* --- Keystone --- */

static char *
tokens_url (VmmNovaClient *self)
{
  g_autofree char *base = g_strdup (self->config->auth_url);
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  if (g_str_has_suffix (base, "/v3"))
    return g_strdup_printf ("%s/auth/tokens", base);
  return g_strdup_printf ("%s/v3/auth/tokens", base);
}

static void
add_domain (JsonBuilder *b, const char *name, const char *id)
{
  if (name == NULL && id == NULL)
    return;
  json_builder_set_member_name (b, "domain");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, id != NULL ? "id" : "name");
  json_builder_add_string_value (b, id != NULL ? id : name);
  json_builder_end_object (b);
}

static GBytes *
auth_body (VmmNovaClient *self)
{
  VmmNovaConfig *c = self->config;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  gboolean appcred = g_strcmp0 (c->auth_type, "v3applicationcredential") == 0;
  gsize length = 0;
  char *data;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "auth");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "identity");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "methods");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, appcred ? "application_credential" : "password");
  json_builder_end_array (b);
  if (appcred)
    {
      json_builder_set_member_name (b, "application_credential");
      json_builder_begin_object (b);
      if (c->app_cred_id != NULL)
        {
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, c->app_cred_id);
        }
      else
        {
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, c->app_cred_name);
          json_builder_set_member_name (b, "user");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, c->user_id != NULL ? "id" : "name");
          json_builder_add_string_value (b, c->user_id != NULL ? c->user_id : c->username);
          if (c->user_id == NULL)
            add_domain (b, c->user_domain_name, c->user_domain_id);
          json_builder_end_object (b);
        }
      json_builder_set_member_name (b, "secret");
      json_builder_add_string_value (b, c->app_cred_secret);
      json_builder_end_object (b);
    }
  else
    {
      json_builder_set_member_name (b, "password");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "user");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, c->user_id != NULL ? "id" : "name");
      json_builder_add_string_value (b, c->user_id != NULL ? c->user_id : c->username);
      if (c->user_id == NULL)
        add_domain (b, c->user_domain_name, c->user_domain_id);
      json_builder_set_member_name (b, "password");
      json_builder_add_string_value (b, c->password);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b); /* identity */
  if (!appcred && (c->project_id != NULL || c->project_name != NULL))
    {
      json_builder_set_member_name (b, "scope");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "project");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, c->project_id != NULL ? "id" : "name");
      json_builder_add_string_value (b, c->project_id != NULL ? c->project_id : c->project_name);
      if (c->project_id == NULL)
        add_domain (b, c->project_domain_name, c->project_domain_id);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b); /* auth */
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  data = json_generator_to_data (gen, &length);
  /* the secret is in DATA: wiped when the bytes are freed */
  return g_bytes_new_with_free_func (data, length, (GDestroyNotify)vmm_nova_secret_free, data);
}

static const char *
who (VmmNovaClient *self, char **buf)
{
  VmmNovaConfig *c = self->config;

  if (g_strcmp0 (c->auth_type, "v3applicationcredential") == 0)
    *buf = g_strdup_printf ("application credential '%s'",
                            c->app_cred_id != NULL ? c->app_cred_id : c->app_cred_name);
  else
    *buf = g_strdup_printf ("user '%s'", c->username != NULL ? c->username : c->user_id);
  return *buf;
}

static char *
find_compute_endpoint (VmmNovaClient *self, JsonArray *catalog, GError **error)
{
  VmmNovaConfig *c = self->config;

  for (guint i = 0; catalog != NULL && i < json_array_get_length (catalog); i++)
    {
      JsonObject *svc = vmm_nova_json_element_object (catalog, i);
      JsonArray *endpoints = vmm_nova_json_array (svc, "endpoints");

      if (g_strcmp0 (vmm_nova_json_string (svc, "type"), "compute") != 0)
        continue;
      for (guint j = 0; endpoints != NULL && j < json_array_get_length (endpoints); j++)
        {
          JsonObject *ep = vmm_nova_json_element_object (endpoints, j);

          if (g_strcmp0 (vmm_nova_json_string (ep, "interface"), c->interface) != 0)
            continue;
          if (c->region != NULL && g_strcmp0 (vmm_nova_json_string (ep, "region"), c->region) != 0
              && g_strcmp0 (vmm_nova_json_string (ep, "region_id"), c->region) != 0)
            continue;
          if (vmm_nova_json_string (ep, "url") != NULL)
            return g_strdup (vmm_nova_json_string (ep, "url"));
        }
    }
  g_set_error (
      error, VMM_ERROR, VMM_ERROR_NOT_FOUND,
      "nova: cloud '%s': the service catalog has no compute endpoint with interface '%s'%s%s",
      c->cloud, c->interface, c->region != NULL ? " in region " : "",
      c->region != NULL ? c->region : "");
  return NULL;
}

/* Reads Keystone's answer to POST /v3/auth/tokens: STATUS, its REASON
 * phrase, the request id and X-Subject-Token headers, and the body. */
static gboolean
auth_read (VmmNovaClient *self, guint status, const char *reason, const char *request_id,
           const char *subject, GBytes *bytes, const char *url, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) expires = NULL;
  g_autoptr (GDateTime) issued = NULL;
  g_autofree char *whobuf = NULL;
  g_autofree char *endpoint = NULL;
  JsonObject *token;
  gint64 lifetime, margin;

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_NOT_FOUND
      || status == SOUP_STATUS_FORBIDDEN)
    {
      /* An unknown or deleted application credential answers 404. */
      g_set_error (error, VMM_ERROR, VMM_ERROR_PERMISSION_DENIED,
                   "nova: Keystone at %s refused the credentials of cloud '%s' (%s): HTTP %u%s%s%s",
                   self->config->auth_url, self->config->cloud, who (self, &whobuf), status,
                   request_id != NULL ? " (request " : "", request_id != NULL ? request_id : "",
                   request_id != NULL ? ")" : "");
      return FALSE;
    }
  if (status != SOUP_STATUS_CREATED && status != SOUP_STATUS_OK)
    {
      *error = http_error ("POST", url, status, reason, bytes, request_id);
      return FALSE;
    }
  root = parse_json (bytes, NULL);
  token = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
              ? vmm_nova_json_object (json_node_get_object (root), "token")
              : NULL;
  if (subject == NULL || token == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                   "nova: Keystone at %s answered without a token", self->config->auth_url);
      return FALSE;
    }
  endpoint = find_compute_endpoint (self, vmm_nova_json_array (token, "catalog"), error);
  if (endpoint == NULL)
    return FALSE;
  wipe_token (self);
  self->token = g_strdup (subject);
  self->auth_count++;
  if (token_observer != NULL)
    token_observer (self->token, token_observer_data);
  if (self->compute_url == NULL)
    {
      gsize len = strlen (endpoint);

      while (len > 0 && endpoint[len - 1] == '/')
        endpoint[--len] = '\0';
      self->compute_url = g_steal_pointer (&endpoint);
    }
  expires = vmm_nova_json_string (token, "expires_at") != NULL
                ? g_date_time_new_from_iso8601 (vmm_nova_json_string (token, "expires_at"), NULL)
                : NULL;
  issued = vmm_nova_json_string (token, "issued_at") != NULL
               ? g_date_time_new_from_iso8601 (vmm_nova_json_string (token, "issued_at"), NULL)
               : NULL;
  if (expires == NULL)
    {
      self->refresh_at = G_MAXINT64;
      return TRUE;
    }
  /* Renew shortly before expiry: a tenth of the lifetime, 5 s to 5 min. */
  lifetime = issued != NULL ? g_date_time_difference (expires, issued) : G_TIME_SPAN_HOUR;
  margin = CLAMP (lifetime / 10, 5 * G_TIME_SPAN_SECOND, 5 * G_TIME_SPAN_MINUTE);
  self->refresh_at = g_date_time_to_unix (expires) * G_USEC_PER_SEC - margin;
  return TRUE;
}

static gboolean
auth_apply (VmmNovaClient *self, SoupMessage *msg, GBytes *bytes, const char *url, GError **error)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);

  return auth_read (self, soup_message_get_status (msg), soup_message_get_reason_phrase (msg),
                    soup_message_headers_get_one (headers, "x-openstack-request-id"),
                    soup_message_headers_get_one (headers, "X-Subject-Token"), bytes, url, error);
}

static gboolean
token_fresh (VmmNovaClient *self)
{
  return self->token != NULL && (self->ignore_expiry || g_get_real_time () < self->refresh_at);
}

static gboolean
read_version_document (VmmNovaClient *self, GBytes *bytes, GError **error)
{
  g_autoptr (JsonNode) root = parse_json (bytes, NULL);
  JsonObject *obj
      = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonObject *version = vmm_nova_json_object (obj, "version");
  const char *max;

  if (version == NULL)
    {
      JsonArray *versions = vmm_nova_json_array (obj, "versions");

      for (guint i = 0; versions != NULL && i < json_array_get_length (versions); i++)
        {
          JsonObject *v = vmm_nova_json_element_object (versions, i);

          if (g_strcmp0 (vmm_nova_json_string (v, "id"), "v2.1") == 0)
            version = v;
        }
    }
  if (version == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND,
                   "nova: %s answered no compute version document", self->compute_url);
      return FALSE;
    }
  max = vmm_nova_json_string (version, "version");
  if (max == NULL || *max == '\0')
    max = "2.1"; /* no microversions */
  g_free (self->max_version);
  self->max_version = g_strdup (max);
  if (!parse_version (max, &self->max_major, &self->max_minor))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_BACKEND, "nova: %s: bad version '%s'",
                   self->compute_url, max);
      return FALSE;
    }
  return TRUE;
}

gboolean
vmm_nova_client_connect_sync (VmmNovaClient *self, GCancellable *cancellable, GError **error)
{
  g_autoptr (SoupSession) session = session_new (self, error);
  g_autofree char *url = tokens_url (self);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *version_url = NULL;

  if (session == NULL)
    return FALSE;
  body = auth_body (self);
  msg = message_new (self, "POST", url, body, NULL, FALSE, error);
  if (msg == NULL)
    return FALSE;
  answer = soup_session_send_and_read (session, msg, cancellable, &local_error);
  if (answer == NULL)
    {
      *error = transport_error ("authenticating", url, local_error);
      return FALSE;
    }
  if (!auth_apply (self, msg, answer, url, error))
    return FALSE;

  g_clear_object (&msg);
  g_clear_pointer (&answer, g_bytes_unref);
  version_url = g_strdup_printf ("%s/", self->compute_url);
  msg = message_new (self, "GET", version_url, NULL, NULL, TRUE, error);
  if (msg == NULL)
    return FALSE;
  answer = soup_session_send_and_read (session, msg, cancellable, &local_error);
  if (answer == NULL)
    {
      *error = transport_error ("reading the compute version document", version_url, local_error);
      return FALSE;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    {
      *error = http_error ("GET", version_url, soup_message_get_status (msg),
                           soup_message_get_reason_phrase (msg), answer, NULL);
      return FALSE;
    }
  return read_version_document (self, answer, error);
}

/* --- asynchronous authentication: one at a time, callers wait for it --- */

typedef struct
{
  VmmNovaClient *self;
  SoupMessage *msg;
  char *url;
} AuthData;

static void
auth_data_free (AuthData *data)
{
  g_object_unref (data->self);
  g_clear_object (&data->msg);
  g_free (data->url);
  g_free (data);
}

static void
auth_sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AuthData *data = user_data;
  VmmNovaClient *self = data->self;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GBytes) answer
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &local_error);
  g_autoptr (GPtrArray) waiters = g_steal_pointer (&self->auth_waiters);
  GError *error = NULL;

  self->auth_waiters = g_ptr_array_new ();
  if (answer == NULL)
    error = transport_error ("authenticating", data->url, local_error);
  else
    auth_apply (self, data->msg, answer, data->url, &error);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  g_clear_error (&error);
  auth_data_free (data);
}

static gboolean
ensure_session (VmmNovaClient *self, GError **error)
{
  if (self->session == NULL)
    self->session = session_new (self, error);
  return self->session != NULL;
}

/* Renews the token; TASK completes when it is done. */
static void
auth_async (VmmNovaClient *self, GTask *task)
{
  g_autoptr (GBytes) body = NULL;
  AuthData *data;
  GError *error = NULL;

  g_ptr_array_add (self->auth_waiters, task);
  if (self->auth_waiters->len > 1)
    return;
  data = g_new0 (AuthData, 1);
  data->self = g_object_ref (self);
  data->url = tokens_url (self);
  body = auth_body (self);
  if (!ensure_session (self, &error)
      || (data->msg = message_new (self, "POST", data->url, body, NULL, FALSE, &error)) == NULL)
    {
      g_ptr_array_remove (self->auth_waiters, task);
      g_task_return_error (task, error);
      g_object_unref (task);
      auth_data_free (data);
      return;
    }
  soup_session_send_and_read_async (self->session, data->msg, G_PRIORITY_DEFAULT, NULL,
                                    auth_sent_cb, data);
}

/* --- calls --- */

typedef struct
{
  char *method;
  char *url;
  GBytes *body;
  char *version;
  VmmNovaCallFlags flags;
  guint attempt;
  gboolean reauthenticated;
  guint token_generation; /* of the token the request carried */
  SoupMessage *msg;
  char *request_id;
} CallData;

static void
call_data_free (CallData *data)
{
  g_free (data->method);
  g_free (data->url);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_free (data->version);
  g_clear_object (&data->msg);
  g_free (data->request_id);
  g_free (data);
}

static void
call_send (GTask *task);

static void
call_auth_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  call_send (g_steal_pointer (&task));
}

static void
call_authenticate (GTask *task)
{
  VmmNovaClient *self = g_task_get_source_object (task);
  GTask *auth_task = g_task_new (self, NULL, call_auth_cb, task);

  auth_async (self, auth_task);
}

static gboolean
retry_cb (gpointer user_data)
{
  call_send (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
call_retry (GTask *task)
{
  CallData *data = g_task_get_task_data (task);
  GSource *source;

  if ((data->flags & VMM_NOVA_CALL_IDEMPOTENT) == 0 || data->attempt >= MAX_ATTEMPTS
      || g_task_return_error_if_cancelled (task))
    return FALSE;
  source = g_timeout_source_new (250 * data->attempt);
  g_source_set_callback (source, retry_cb, task, NULL);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
  return TRUE;
}

static void
call_sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  VmmNovaClient *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GBytes) answer
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &local_error);
  guint status;
  GError *error = NULL;
  JsonNode *root;

  if (answer == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&local_error));
          g_object_unref (task);
          return;
        }
      if (local_error->domain != G_TLS_ERROR && call_retry (task))
        return;
      if (!g_task_had_error (task))
        {
          g_autofree char *what = g_strdup_printf ("%s %s", data->method, data->url);
          g_task_return_error (task, transport_error (what, data->url, local_error));
        }
      g_object_unref (task);
      return;
    }
  status = soup_message_get_status (data->msg);
  g_free (data->request_id);
  data->request_id = g_strdup (soup_message_headers_get_one (
      soup_message_get_response_headers (data->msg), "x-openstack-request-id"));
  if (status == SOUP_STATUS_UNAUTHORIZED && !data->reauthenticated)
    {
      /* The token expired or was revoked: authenticate again, once. */
      data->reauthenticated = TRUE;
      if (data->token_generation != self->auth_count && token_fresh (self))
        {
          /* another call renewed the token meanwhile */
          call_send (task);
          return;
        }
      wipe_token (self);
      call_authenticate (task);
      return;
    }
  if (status >= 500 && call_retry (task))
    return;
  if (g_task_had_error (task))
    {
      g_object_unref (task);
      return;
    }
  if (status == SOUP_STATUS_NOT_FOUND && (data->flags & VMM_NOVA_CALL_ALLOW_404) != 0)
    {
      g_task_return_pointer (task, NULL, NULL);
      g_object_unref (task);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_error (task, http_error (data->method, data->url, status,
                                             soup_message_get_reason_phrase (data->msg), answer,
                                             data->request_id));
      g_object_unref (task);
      return;
    }
  root = parse_json (answer, &error);
  if (error != NULL)
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_BACKEND, "nova: %s %s: bad JSON: %s",
                               data->method, data->url, error->message);
      g_error_free (error);
    }
  else
    g_task_return_pointer (task, root, (GDestroyNotify)json_node_unref);
  g_object_unref (task);
}

static void
call_send (GTask *task)
{
  VmmNovaClient *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (!token_fresh (self))
    {
      call_authenticate (task);
      return;
    }
  data->attempt++;
  data->token_generation = self->auth_count;
  g_clear_object (&data->msg);
  data->msg = message_new (self, data->method, data->url, data->body, data->version, TRUE, &error);
  if (data->msg == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  soup_session_send_and_read_async (self->session, data->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), call_sent_cb, task);
}

void
vmm_nova_client_call_async (VmmNovaClient *self, const char *method, const char *path,
                            JsonNode *body, const char *version, VmmNovaCallFlags flags,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  CallData *data = g_new0 (CallData, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, vmm_nova_client_call_async);
  g_task_set_check_cancellable (task, FALSE);
  data->method = g_strdup (method);
  data->url = g_strconcat (self->compute_url != NULL ? self->compute_url : "", path, NULL);
  data->version = g_strdup (version);
  data->flags = flags;
  if (body != NULL)
    {
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      gsize length = 0;
      char *text;

      json_generator_set_root (gen, body);
      text = json_generator_to_data (gen, &length);
      data->body = g_bytes_new_take (text, length);
    }
  g_task_set_task_data (task, data, (GDestroyNotify)call_data_free);
  if (self->compute_url == NULL)
    {
      g_task_return_new_error (task, VMM_ERROR, VMM_ERROR_FAILED,
                               "nova: the client is not connected");
      g_object_unref (task);
      return;
    }
  if (!ensure_session (self, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  call_send (task);
}

JsonNode *
vmm_nova_client_call_finish (VmmNovaClient *self, GAsyncResult *result, char **request_id,
                             GError **error)
{
  CallData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  data = g_task_get_task_data (G_TASK (result));
  if (request_id != NULL)
    *request_id = g_strdup (data->request_id);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
vmm_nova_client_call_finish_discard (VmmNovaClient *self, GAsyncResult *result, char **request_id,
                                     GError **error)
{
  GError *local_error = NULL;
  JsonNode *node = vmm_nova_client_call_finish (self, result, request_id, &local_error);

  g_clear_pointer (&node, json_node_unref);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* --- fuzzing --- */

VmmNovaClient *
vmm_nova_client_new_for_fuzzing (void)
{
  VmmNovaConfig *config = g_new0 (VmmNovaConfig, 1);
  VmmNovaClient *self;

  config->cloud = g_strdup ("fuzz");
  config->auth_type = g_strdup ("password");
  config->auth_url = g_strdup ("http://127.0.0.1:9/v3");
  config->username = g_strdup ("fuzz");
  config->interface = g_strdup ("public");
  config->region = g_strdup ("RegionOne");
  self = vmm_nova_client_new (config);
  self->compute_url = g_strdup ("http://127.0.0.1:9/v2.1");
  return self;
}

static void
add_error (GPtrArray *errors, GError *error)
{
  if (error != NULL)
    g_ptr_array_add (errors, error);
}

void
vmm_nova_client_read_for_fuzzing (VmmNovaClient *self, GBytes *body, GPtrArray *errors)
{
  static const guint statuses[] = { 400, 401, 403, 404, 406, 409, 413, 500, 503 };
  const char *url = "http://127.0.0.1:9/v2.1/servers?all_tenants=1";
  GError *error = NULL;

  /* a fault body, for every status the client maps */
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    add_error (errors, http_error ("GET", url, statuses[i], "Fuzz", body, "req-fuzz"));
  /* Keystone's token answer: refused, failed, and issued (with its catalog) */
  auth_read (self, 401, "Unauthorized", "req-fuzz", NULL, body, url, &error);
  add_error (errors, g_steal_pointer (&error));
  auth_read (self, 500, "Internal Server Error", NULL, NULL, body, url, &error);
  add_error (errors, g_steal_pointer (&error));
  auth_read (self, 201, "Created", "req-fuzz", "fuzz-token", body, url, &error);
  add_error (errors, g_steal_pointer (&error));
  /* the compute version document */
  read_version_document (self, body, &error);
  add_error (errors, g_steal_pointer (&error));
}
