/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <libxml/tree.h>

/* A vim25 SOAP client over libsoup 3: the endpoint, the credentials and the
 * session. Private to the vSphere backend (consumer headers never see
 * libsoup or libxml2). */

G_BEGIN_DECLS

#define VMM_VSPHERE_NS "urn:vim25"
#define VMM_VSPHERE_SOAPENV_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define VMM_VSPHERE_XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define VMM_VSPHERE_XSD_NS "http://www.w3.org/2001/XMLSchema"

#define VMM_TYPE_VSPHERE_CLIENT (vmm_vsphere_client_get_type ())
G_DECLARE_FINAL_TYPE (VmmVsphereClient, vmm_vsphere_client, VMM, VSPHERE_CLIENT, GObject)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

VmmVsphereClient *
vmm_vsphere_client_new (GUri *uri, GError **error);
gboolean
vmm_vsphere_client_connect (VmmVsphereClient *self, GCancellable *cancellable, GError **error);
const char *
vmm_vsphere_client_get_endpoint (VmmVsphereClient *self);
const char *
vmm_vsphere_client_get_service (VmmVsphereClient *self, const char *name);
guint
vmm_vsphere_client_get_task_timeout (VmmVsphereClient *self);
guint
vmm_vsphere_client_get_poll_interval_ms (VmmVsphereClient *self);
guint
vmm_vsphere_client_get_shutdown_timeout (VmmVsphereClient *self);
guint
vmm_vsphere_client_get_n_logins (VmmVsphereClient *self);
void
vmm_vsphere_client_expire_session (VmmVsphereClient *self, guint logins);

xmlDoc *
vmm_vsphere_request_new (const char *method, const char *this_type, const char *this_value,
                         xmlNode **method_node);
xmlNode *
vmm_vsphere_add_text (xmlNode *parent, const char *name, const char *text);
xmlNode *
vmm_vsphere_add_moref (xmlNode *parent, const char *name, const char *type, const char *value);
void
vmm_vsphere_set_xsi_type (xmlNode *node, const char *type);

void
vmm_vsphere_client_call_async (VmmVsphereClient *self, xmlDoc *request, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);

/* How a call that changes something on the platform is sent (read-only
 * calls always ride on kept-alive connections). */
typedef enum
{
  VMM_VSPHERE_CALL_NEW_CONNECTION = 0,   /* a connection of its own */
  VMM_VSPHERE_CALL_REUSE_CONNECTION = 1, /* an idle kept-alive one if there is one */
} VmmVsphereCallFlags;

void
vmm_vsphere_client_call_full_async (VmmVsphereClient *self, xmlDoc *request,
                                    VmmVsphereCallFlags flags, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
xmlDoc *
vmm_vsphere_client_call_finish (VmmVsphereClient *self, GAsyncResult *result, GError **error);

xmlNode *
vmm_vsphere_response (xmlDoc *doc);
xmlNode *
vmm_vsphere_child (xmlNode *node, const char *name);
xmlNode *
vmm_vsphere_next (xmlNode *node, const char *name);
char *
vmm_vsphere_text (xmlNode *node);
char *
vmm_vsphere_child_text (xmlNode *node, const char *name);
char *
vmm_vsphere_xsi_type (xmlNode *node);
char *
vmm_vsphere_moref_type (xmlNode *node);

gboolean
vmm_vsphere_fault_to_error (const char *fault_type, const char *message, const char *method,
                            GError **error);
void
vmm_vsphere_parse_fault (xmlDoc *doc, const char *method, char **fault_type, GError **error);
gboolean
vmm_vsphere_error_is_transport (const GError *error);
gboolean
vmm_vsphere_error_is_unanswered_reuse (const GError *error);

G_END_DECLS
