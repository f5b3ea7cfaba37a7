/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-private.h"

#include <string.h>
#include <yaml.h>

#include "vmm-nova-config.h"

void
vmm_nova_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  memset (secret, 0, strlen (secret));
  g_free (secret);
}

void
vmm_nova_config_free (VmmNovaConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->cloud);
  g_free (config->auth_type);
  g_free (config->auth_url);
  g_free (config->username);
  g_free (config->user_id);
  vmm_nova_secret_free (config->password);
  g_free (config->user_domain_name);
  g_free (config->user_domain_id);
  g_free (config->project_name);
  g_free (config->project_id);
  g_free (config->project_domain_name);
  g_free (config->project_domain_id);
  g_free (config->app_cred_id);
  g_free (config->app_cred_name);
  vmm_nova_secret_free (config->app_cred_secret);
  g_free (config->region);
  g_free (config->interface);
  g_free (config->cacert);
  g_free (config);
}

/* --- YAML (libyaml events) to a JSON tree --- */

typedef struct
{
  yaml_parser_t parser;
  const char *where;
} YamlReader;

static gboolean
yaml_next (YamlReader *r, yaml_event_t *event, GError **error)
{
  if (!yaml_parser_parse (&r->parser, event))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "%s: line %zu: %s", r->where,
                   r->parser.problem_mark.line + 1,
                   r->parser.problem != NULL ? r->parser.problem : "invalid YAML");
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
yaml_node (YamlReader *r, yaml_event_t *event, GError **error);

static JsonNode *
yaml_collection (YamlReader *r, gboolean mapping, GError **error)
{
  g_autoptr (JsonNode) node = json_node_new (mapping ? JSON_NODE_OBJECT : JSON_NODE_ARRAY);
  g_autoptr (JsonObject) object = mapping ? json_object_new () : NULL;
  g_autoptr (JsonArray) array = mapping ? NULL : json_array_new ();

  for (;;)
    {
      yaml_event_t event;
      g_autofree char *key = NULL;
      JsonNode *value;

      if (!yaml_next (r, &event, error))
        return NULL;
      if (event.type == YAML_MAPPING_END_EVENT || event.type == YAML_SEQUENCE_END_EVENT)
        {
          yaml_event_delete (&event);
          break;
        }
      if (mapping)
        {
          if (event.type != YAML_SCALAR_EVENT)
            {
              g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                           "%s: line %zu: only plain keys are supported", r->where,
                           event.start_mark.line + 1);
              yaml_event_delete (&event);
              return NULL;
            }
          key = g_strndup ((const char *)event.data.scalar.value, event.data.scalar.length);
          yaml_event_delete (&event);
          if (!yaml_next (r, &event, error))
            return NULL;
        }
      value = yaml_node (r, &event, error);
      yaml_event_delete (&event);
      if (value == NULL)
        return NULL;
      if (mapping)
        json_object_set_member (object, key, value);
      else
        json_array_add_element (array, value);
    }
  if (mapping)
    json_node_set_object (node, object);
  else
    json_node_set_array (node, array);
  return g_steal_pointer (&node);
}

static JsonNode *
yaml_node (YamlReader *r, yaml_event_t *event, GError **error)
{
  switch (event->type)
    {
    case YAML_SCALAR_EVENT:
      {
        JsonNode *node = json_node_new (JSON_NODE_VALUE);
        g_autofree char *value
            = g_strndup ((const char *)event->data.scalar.value, event->data.scalar.length);

        if (event->data.scalar.plain_implicit
            && (value[0] == '\0' || g_strcmp0 (value, "~") == 0 || g_strcmp0 (value, "null") == 0))
          json_node_init_null (node);
        else
          json_node_set_string (node, value);
        return node;
      }
    case YAML_MAPPING_START_EVENT:
      return yaml_collection (r, TRUE, error);
    case YAML_SEQUENCE_START_EVENT:
      return yaml_collection (r, FALSE, error);
    case YAML_ALIAS_EVENT:
    default:
      g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                   "%s: line %zu: YAML aliases are not supported", r->where,
                   event->start_mark.line + 1);
      return NULL;
    }
}

JsonNode *
vmm_nova_yaml_to_json (const char *data, gsize length, GError **error)
{
  YamlReader r = { .where = "clouds.yaml" };
  g_autoptr (JsonNode) root = NULL;

  yaml_parser_initialize (&r.parser);
  yaml_parser_set_input_string (&r.parser, (const unsigned char *)data, length);
  for (;;)
    {
      yaml_event_t event;
      gboolean done;

      if (!yaml_next (&r, &event, error))
        {
          yaml_parser_delete (&r.parser);
          return NULL;
        }
      done = event.type == YAML_STREAM_END_EVENT;
      if (root == NULL
          && (event.type == YAML_MAPPING_START_EVENT || event.type == YAML_SEQUENCE_START_EVENT
              || event.type == YAML_SCALAR_EVENT || event.type == YAML_ALIAS_EVENT))
        {
          root = yaml_node (&r, &event, error);
          if (root == NULL)
            {
              yaml_event_delete (&event);
              yaml_parser_delete (&r.parser);
              return NULL;
            }
        }
      yaml_event_delete (&event);
      if (done)
        break;
    }
  yaml_parser_delete (&r.parser);
  if (root == NULL)
    root = json_node_init_object (json_node_alloc (), json_object_new ());
  return g_steal_pointer (&root);
}

/* --- reading a cloud --- */

static const char *
member_string (JsonObject *obj, const char *member)
{
  JsonNode *node;

  if (obj == NULL || !json_object_has_member (obj, member))
    return NULL;
  node = json_object_get_member (obj, member);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
parse_bool (const char *value, gboolean def)
{
  if (value == NULL)
    return def;
  if (g_ascii_strcasecmp (value, "true") == 0 || g_ascii_strcasecmp (value, "yes") == 0
      || g_strcmp0 (value, "1") == 0 || g_ascii_strcasecmp (value, "on") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (value, "false") == 0 || g_ascii_strcasecmp (value, "no") == 0
      || g_strcmp0 (value, "0") == 0 || g_ascii_strcasecmp (value, "off") == 0)
    return FALSE;
  return def;
}

static char *
dup_nonempty (const char *value)
{
  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

static gboolean
config_check (VmmNovaConfig *config, const char *where, GError **error)
{
  if (config->auth_type == NULL)
    config->auth_type
        = g_strdup (config->app_cred_secret != NULL ? "v3applicationcredential" : "password");
  if (config->interface == NULL)
    config->interface = g_strdup ("public");
  else if (g_str_has_suffix (config->interface, "URL"))
    config->interface[strlen (config->interface) - 3] = '\0';
  if (config->auth_url == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "%s: no auth_url", where);
      return FALSE;
    }
  if (g_strcmp0 (config->auth_type, "password") == 0
      || g_strcmp0 (config->auth_type, "v3password") == 0)
    {
      if ((config->username == NULL && config->user_id == NULL) || config->password == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                       "%s: password auth needs a username (or user_id) and a password", where);
          return FALSE;
        }
    }
  else if (g_strcmp0 (config->auth_type, "v3applicationcredential") == 0)
    {
      if ((config->app_cred_id == NULL && config->app_cred_name == NULL)
          || config->app_cred_secret == NULL)
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                       "%s: application credential auth needs application_credential_id (or "
                       "_name) and application_credential_secret",
                       where);
          return FALSE;
        }
    }
  else
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_UNSUPPORTED,
                   "%s: auth_type '%s' is not supported (password, v3applicationcredential)", where,
                   config->auth_type);
      return FALSE;
    }
  return TRUE;
}

static char *
find_clouds_yaml (void)
{
  const char *env = g_getenv ("OS_CLIENT_CONFIG_FILE");
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *user
      = g_build_filename (g_get_user_config_dir (), "openstack", "clouds.yaml", NULL);
  g_autofree char *local = g_build_filename (cwd, "clouds.yaml", NULL);
  const char *paths[] = { local, user, "/etc/openstack/clouds.yaml" };

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    if (g_file_test (paths[i], G_FILE_TEST_IS_REGULAR))
      return g_strdup (paths[i]);
  return NULL;
}

VmmNovaConfig *
vmm_nova_config_new_from_clouds_yaml (const char *cloud, GError **error)
{
  g_autoptr (VmmNovaConfig) config = g_new0 (VmmNovaConfig, 1);
  g_autofree char *path = find_clouds_yaml ();
  g_autofree char *contents = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) local_error = NULL;
  JsonObject *clouds, *entry, *auth;
  gsize length = 0;
  const char *verify;

  if (cloud == NULL || *cloud == '\0')
    cloud = g_getenv ("OS_CLOUD");
  if (cloud == NULL || *cloud == '\0')
    {
      g_set_error_literal (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                           "nova: no cloud named: use nova://CLOUD or set OS_CLOUD");
      return NULL;
    }
  if (path == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND,
                   "nova: cloud '%s': no clouds.yaml (OS_CLIENT_CONFIG_FILE, ./clouds.yaml, "
                   "~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml)",
                   cloud);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "nova: %s", local_error->message);
      return NULL;
    }
  root = vmm_nova_yaml_to_json (contents, length, &local_error);
  memset (contents, 0, length);
  if (root == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "nova: %s: %s", path,
                   local_error->message);
      return NULL;
    }
  clouds = JSON_NODE_HOLDS_OBJECT (root)
               ? json_object_get_object_member (json_node_get_object (root), "clouds")
               : NULL;
  entry = clouds != NULL && json_object_has_member (clouds, cloud)
                  && JSON_NODE_HOLDS_OBJECT (json_object_get_member (clouds, cloud))
              ? json_object_get_object_member (clouds, cloud)
              : NULL;
  if (entry == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_NOT_FOUND, "nova: %s has no cloud named '%s'", path,
                   cloud);
      return NULL;
    }
  auth = json_object_has_member (entry, "auth")
                 && JSON_NODE_HOLDS_OBJECT (json_object_get_member (entry, "auth"))
             ? json_object_get_object_member (entry, "auth")
             : NULL;
  config->cloud = g_strdup (cloud);
  config->auth_type = dup_nonempty (member_string (entry, "auth_type"));
  config->auth_url = dup_nonempty (member_string (auth, "auth_url"));
  config->username = dup_nonempty (member_string (auth, "username"));
  config->user_id = dup_nonempty (member_string (auth, "user_id"));
  config->password = dup_nonempty (member_string (auth, "password"));
  config->project_name = dup_nonempty (member_string (auth, "project_name"));
  config->project_id = dup_nonempty (member_string (auth, "project_id"));
  config->user_domain_name = dup_nonempty (member_string (auth, "user_domain_name"));
  config->user_domain_id = dup_nonempty (member_string (auth, "user_domain_id"));
  config->project_domain_name = dup_nonempty (member_string (auth, "project_domain_name"));
  config->project_domain_id = dup_nonempty (member_string (auth, "project_domain_id"));
  if (config->user_domain_name == NULL && config->user_domain_id == NULL)
    config->user_domain_name = dup_nonempty (member_string (auth, "domain_name"));
  if (config->project_domain_name == NULL && config->project_domain_id == NULL)
    config->project_domain_name = dup_nonempty (member_string (auth, "domain_name"));
  config->app_cred_id = dup_nonempty (member_string (auth, "application_credential_id"));
  config->app_cred_name = dup_nonempty (member_string (auth, "application_credential_name"));
  config->app_cred_secret = dup_nonempty (member_string (auth, "application_credential_secret"));
  config->region = dup_nonempty (member_string (entry, "region_name"));
  config->interface = dup_nonempty (member_string (entry, "interface"));
  if (config->interface == NULL)
    config->interface = dup_nonempty (member_string (entry, "endpoint_type"));
  config->cacert = dup_nonempty (member_string (entry, "cacert"));
  verify = member_string (entry, "verify");
  config->insecure = parse_bool (member_string (entry, "insecure"), FALSE)
                     || (verify != NULL && !parse_bool (verify, TRUE));
  {
    g_autofree char *where = g_strdup_printf ("nova: cloud '%s' in %s", cloud, path);

    if (!config_check (config, where, error))
      return NULL;
  }
  return g_steal_pointer (&config);
}

static char *
env_dup (const char *name)
{
  return dup_nonempty (g_getenv (name));
}

VmmNovaConfig *
vmm_nova_config_new_from_environment (const char *auth_url, GError **error)
{
  g_autoptr (VmmNovaConfig) config = g_new0 (VmmNovaConfig, 1);

  config->cloud = g_strdup ("environment");
  config->auth_type = env_dup ("OS_AUTH_TYPE");
  config->auth_url = auth_url != NULL ? g_strdup (auth_url) : env_dup ("OS_AUTH_URL");
  config->username = env_dup ("OS_USERNAME");
  config->user_id = env_dup ("OS_USER_ID");
  config->password = env_dup ("OS_PASSWORD");
  config->project_name = env_dup ("OS_PROJECT_NAME");
  if (config->project_name == NULL)
    config->project_name = env_dup ("OS_TENANT_NAME");
  config->project_id = env_dup ("OS_PROJECT_ID");
  config->user_domain_name = env_dup ("OS_USER_DOMAIN_NAME");
  config->user_domain_id = env_dup ("OS_USER_DOMAIN_ID");
  config->project_domain_name = env_dup ("OS_PROJECT_DOMAIN_NAME");
  config->project_domain_id = env_dup ("OS_PROJECT_DOMAIN_ID");
  if (config->user_domain_name == NULL && config->user_domain_id == NULL)
    config->user_domain_name = env_dup ("OS_DOMAIN_NAME");
  if (config->project_domain_name == NULL && config->project_domain_id == NULL)
    config->project_domain_name = env_dup ("OS_DOMAIN_NAME");
  config->app_cred_id = env_dup ("OS_APPLICATION_CREDENTIAL_ID");
  config->app_cred_name = env_dup ("OS_APPLICATION_CREDENTIAL_NAME");
  config->app_cred_secret = env_dup ("OS_APPLICATION_CREDENTIAL_SECRET");
  config->region = env_dup ("OS_REGION_NAME");
  config->interface = env_dup ("OS_INTERFACE");
  if (config->interface == NULL)
    config->interface = env_dup ("OS_ENDPOINT_TYPE");
  config->cacert = env_dup ("OS_CACERT");
  config->insecure = parse_bool (g_getenv ("OS_INSECURE"), FALSE);
  if (!config_check (config, "nova: OS_* environment", error))
    return NULL;
  return g_steal_pointer (&config);
}

gboolean
vmm_nova_config_apply_query (VmmNovaConfig *config, const char *query, GError **error)
{
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (GError) local_error = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (query == NULL || *query == '\0')
    return TRUE;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, &local_error);
  if (params == NULL)
    {
      g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC, "nova: URI query: %s",
                   local_error->message);
      return FALSE;
    }
  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      char **field = NULL;

      if (g_strcmp0 (key, "interface") == 0)
        field = &config->interface;
      else if (g_strcmp0 (key, "region") == 0)
        field = &config->region;
      else if (g_strcmp0 (key, "cacert") == 0)
        field = &config->cacert;
      else if (g_strcmp0 (key, "insecure") == 0)
        config->insecure = parse_bool (value, TRUE);
      else if (g_strcmp0 (key, "placement") == 0 || g_strcmp0 (key, "poll-ms") == 0)
        continue; /* the backend's own options */
      else
        {
          g_set_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC,
                       "nova: URI query: unknown option '%s' (interface, region, cacert, "
                       "insecure, placement, poll-ms)",
                       (const char *)key);
          return FALSE;
        }
      if (field != NULL)
        {
          g_free (*field);
          *field = g_strdup (value);
        }
    }
  return TRUE;
}
