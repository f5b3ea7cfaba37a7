/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmmigrate.h"

/**
 * VmmServiceLocator:
 *
 * Names another manager (another vCenter, cloud or cluster) that a VM moves
 * to: the URL of its API endpoint, a *reference* to the credentials to log
 * in with and, optionally, the fingerprint of the TLS certificate to trust.
 *
 * The credential is never a secret: it is the name of a credentials entry
 * (or file) that the backend resolves when it connects, so a spec can be
 * logged, stored and shown without leaking a password or a token.
 *
 * Since: 1.0
 */

struct _VmmServiceLocator
{
  GObject parent_instance;
  char *url;
  char *credential;
  char *ssl_thumbprint;
};

G_DEFINE_FINAL_TYPE (VmmServiceLocator, vmm_service_locator, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_URL,
  PROP_CREDENTIAL,
  PROP_SSL_THUMBPRINT,
  N_PROPS
};

static GParamSpec *props[N_PROPS] = { NULL };

static void
vmm_service_locator_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VmmServiceLocator *self = VMM_SERVICE_LOCATOR (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_CREDENTIAL:
      g_value_set_string (value, self->credential);
      break;
    case PROP_SSL_THUMBPRINT:
      g_value_set_string (value, self->ssl_thumbprint);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_service_locator_set_property (GObject *object, guint prop_id, const GValue *value,
                                  GParamSpec *pspec)
{
  VmmServiceLocator *self = VMM_SERVICE_LOCATOR (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_free (self->url);
      self->url = g_value_dup_string (value);
      break;
    case PROP_CREDENTIAL:
      vmm_service_locator_set_credential (self, g_value_get_string (value));
      break;
    case PROP_SSL_THUMBPRINT:
      vmm_service_locator_set_ssl_thumbprint (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
    }
}

static void
vmm_service_locator_finalize (GObject *object)
{
  VmmServiceLocator *self = VMM_SERVICE_LOCATOR (object);

  g_free (self->url);
  g_free (self->credential);
  g_free (self->ssl_thumbprint);

  G_OBJECT_CLASS (vmm_service_locator_parent_class)->finalize (object);
}

static void
vmm_service_locator_class_init (VmmServiceLocatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vmm_service_locator_get_property;
  object_class->set_property = vmm_service_locator_set_property;
  object_class->finalize = vmm_service_locator_finalize;

  /**
   * VmmServiceLocator:url:
   *
   * The http or https URL of the other manager's API endpoint, for example
   * `https://vc2.example/sdk`. It never carries a password.
   *
   * Since: 1.0
   */
  props[PROP_URL] = g_param_spec_string (
      "url", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * VmmServiceLocator:credential:
   *
   * The name of the credentials entry (or file) to log in to the other
   * manager with. This is a reference that the backend resolves, never the
   * secret itself.
   *
   * Since: 1.0
   */
  props[PROP_CREDENTIAL]
      = g_param_spec_string ("credential", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VmmServiceLocator:ssl-thumbprint:
   *
   * The SHA-1 or SHA-256 fingerprint of the other manager's TLS
   * certificate, as colon-separated pairs of hex digits (`AB:CD:...`).
   *
   * Since: 1.0
   */
  props[PROP_SSL_THUMBPRINT]
      = g_param_spec_string ("ssl-thumbprint", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
vmm_service_locator_init (VmmServiceLocator *self)
{
}

/**
 * vmm_service_locator_new:
 * @url: the URL of the other manager's API endpoint
 *
 * Creates a locator for the manager at @url.
 *
 * Returns: (transfer full): a new #VmmServiceLocator
 *
 * Since: 1.0
 */
VmmServiceLocator *
vmm_service_locator_new (const char *url)
{
  g_return_val_if_fail (url != NULL, NULL);

  return g_object_new (VMM_TYPE_SERVICE_LOCATOR, "url", url, NULL);
}

/**
 * vmm_service_locator_get_url:
 * @self: a #VmmServiceLocator
 *
 * Gets the URL of the other manager's API endpoint.
 *
 * Returns: (nullable): the URL; %NULL only for a locator built without one,
 *   which vmm_relocate_spec_validate() rejects
 *
 * Since: 1.0
 */
const char *
vmm_service_locator_get_url (VmmServiceLocator *self)
{
  g_return_val_if_fail (VMM_IS_SERVICE_LOCATOR (self), NULL);
  return self->url;
}

/**
 * vmm_service_locator_get_credential:
 * @self: a #VmmServiceLocator
 *
 * Gets the name of the credentials entry to log in with.
 *
 * Returns: (nullable): the credential reference, or %NULL if unset
 *
 * Since: 1.0
 */
const char *
vmm_service_locator_get_credential (VmmServiceLocator *self)
{
  g_return_val_if_fail (VMM_IS_SERVICE_LOCATOR (self), NULL);
  return self->credential;
}

/**
 * vmm_service_locator_set_credential:
 * @self: a #VmmServiceLocator
 * @credential: (nullable): the name of a credentials entry or file, never a
 *   password or a token
 *
 * Sets the reference to the credentials to log in to the other manager with.
 *
 * Since: 1.0
 */
void
vmm_service_locator_set_credential (VmmServiceLocator *self, const char *credential)
{
  g_return_if_fail (VMM_IS_SERVICE_LOCATOR (self));

  if (g_strcmp0 (self->credential, credential) == 0)
    return;
  g_free (self->credential);
  self->credential = g_strdup (credential);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CREDENTIAL]);
}

/**
 * vmm_service_locator_get_ssl_thumbprint:
 * @self: a #VmmServiceLocator
 *
 * Gets the fingerprint of the other manager's TLS certificate.
 *
 * Returns: (nullable): the fingerprint, or %NULL if unset
 *
 * Since: 1.0
 */
const char *
vmm_service_locator_get_ssl_thumbprint (VmmServiceLocator *self)
{
  g_return_val_if_fail (VMM_IS_SERVICE_LOCATOR (self), NULL);
  return self->ssl_thumbprint;
}

/**
 * vmm_service_locator_set_ssl_thumbprint:
 * @self: a #VmmServiceLocator
 * @thumbprint: (nullable): a SHA-1 or SHA-256 fingerprint as colon-separated
 *   pairs of hex digits
 *
 * Sets the fingerprint of the TLS certificate to trust for the other
 * manager.
 *
 * Since: 1.0
 */
void
vmm_service_locator_set_ssl_thumbprint (VmmServiceLocator *self, const char *thumbprint)
{
  g_return_if_fail (VMM_IS_SERVICE_LOCATOR (self));

  if (g_strcmp0 (self->ssl_thumbprint, thumbprint) == 0)
    return;
  g_free (self->ssl_thumbprint);
  self->ssl_thumbprint = g_strdup (thumbprint);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SSL_THUMBPRINT]);
}
