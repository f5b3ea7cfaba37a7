/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* How to reach one cloud: what the openstack CLI reads from clouds.yaml or
 * from OS_* variables. The two secrets are wiped when the config is freed and
 * never appear in a message. */
typedef struct
{
  char *cloud;     /* the cloud's name in clouds.yaml, or "environment" */
  char *auth_type; /* "password" or "v3applicationcredential" */
  char *auth_url;
  char *username;
  char *user_id;
  char *password;
  char *user_domain_name;
  char *user_domain_id;
  char *project_name;
  char *project_id;
  char *project_domain_name;
  char *project_domain_id;
  char *app_cred_id;
  char *app_cred_name;
  char *app_cred_secret;
  char *region;
  char *interface;
  char *cacert;
  gboolean insecure;
} VmmNovaConfig;

void
vmm_nova_config_free (VmmNovaConfig *config);
/* Overwrites a secret string, then frees it. */
void
vmm_nova_secret_free (char *secret);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmmNovaConfig, vmm_nova_config_free)

/* The cloud CLOUD of the first clouds.yaml found on the openstack CLI's
 * search path (OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
 * $XDG_CONFIG_HOME/openstack/clouds.yaml, /etc/openstack/clouds.yaml);
 * with CLOUD NULL, the cloud OS_CLOUD names. */
VmmNovaConfig *
vmm_nova_config_new_from_clouds_yaml (const char *cloud, GError **error);

/* Credentials from the OS_* environment variables; AUTH_URL replaces
 * OS_AUTH_URL when not NULL. */
VmmNovaConfig *
vmm_nova_config_new_from_environment (const char *auth_url, GError **error);

/* Applies the URI's query options (interface, region, cacert, insecure). */
gboolean
vmm_nova_config_apply_query (VmmNovaConfig *config, const char *query, GError **error);

/* Parses a YAML document into a JSON tree (scalars become strings). */
JsonNode *
vmm_nova_yaml_to_json (const char *data, gsize length, GError **error);

G_END_DECLS
