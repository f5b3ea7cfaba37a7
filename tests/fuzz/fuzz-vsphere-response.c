/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-fuzzer.h"

#include "backends/vsphere/vmm-vsphere-client.h"
#include <libxml/parser.h>
#include <vmmigrate.h>

/* vim25 SOAP response bodies, read the way the vSphere backend reads them:
 * the document is parsed with the client's flags, then the body element is
 * found and read with the client's XML helpers (a fault is mapped to a
 * GError; a RetrieveResult is walked object by object, property by
 * property, as the backend's property reader does). The backend's own
 * parsers (reply_parse, parse_fault, mo_set_add, build_inventory) are
 * static in their files and are reached only through these helpers. */

/* Every string the helpers return ends up in a GObject property or an
 * error message: it must be valid UTF-8. Frees TEXT. */
static void
check_text (char *text)
{
  if (text != NULL)
    g_assert_true (g_utf8_validate (text, -1, NULL));
  g_free (text);
}

static void
read_fault (xmlNode *fault)
{
  xmlNode *detail = NULL;
  g_autofree char *message = NULL;
  g_autofree char *type = NULL;
  g_autoptr (GError) error = NULL;

  for (xmlNode *c = fault->children; c != NULL; c = c->next)
    {
      if (c->type != XML_ELEMENT_NODE || c->ns != NULL)
        continue;
      if (g_strcmp0 ((const char *)c->name, "faultstring") == 0 && message == NULL)
        message = vmm_vsphere_text (c);
      else if (g_strcmp0 ((const char *)c->name, "detail") == 0 && detail == NULL)
        detail = c;
    }
  for (xmlNode *c = detail != NULL ? detail->children : NULL; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      {
        type = vmm_vsphere_xsi_type (c);
        break;
      }
  g_assert_false (vmm_vsphere_fault_to_error (type, message, "Fuzz", &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == VMM_ERROR || error->domain == G_IO_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

/* Every value the backend reads from a property: its text, schema type, and
 * the managed object references of an ArrayOfManagedObjectReference. */
static void
read_value (xmlNode *val)
{
  check_text (vmm_vsphere_text (val));
  check_text (vmm_vsphere_xsi_type (val));
  check_text (vmm_vsphere_moref_type (val));

  for (xmlNode *r = vmm_vsphere_child (val, "ManagedObjectReference"); r != NULL;
       r = vmm_vsphere_next (r, "ManagedObjectReference"))
    {
      check_text (vmm_vsphere_text (r));
      check_text (vmm_vsphere_moref_type (r));
    }
  /* nested data objects (devices, backings, task info) */
  for (xmlNode *c = val->children; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      {
        check_text (vmm_vsphere_xsi_type (c));
        check_text (vmm_vsphere_child_text (val, (const char *)c->name));
      }
}

static void
read_result (xmlNode *response)
{
  for (xmlNode *ret = vmm_vsphere_child (response, "returnval"); ret != NULL;
       ret = vmm_vsphere_next (ret, "returnval"))
    {
      check_text (vmm_vsphere_child_text (ret, "token"));
      check_text (vmm_vsphere_moref_type (ret));
      check_text (vmm_vsphere_text (ret));

      for (xmlNode *o = vmm_vsphere_child (ret, "objects"); o != NULL;
           o = vmm_vsphere_next (o, "objects"))
        {
          xmlNode *obj = vmm_vsphere_child (o, "obj");

          check_text (vmm_vsphere_moref_type (obj));
          check_text (vmm_vsphere_text (obj));

          for (xmlNode *p = vmm_vsphere_child (o, "propSet"); p != NULL;
               p = vmm_vsphere_next (p, "propSet"))
            {
              xmlNode *val = vmm_vsphere_child (p, "val");

              check_text (vmm_vsphere_child_text (p, "name"));
              if (val != NULL)
                read_value (val);
            }
        }
      /* ServiceContent: every member that is a managed object reference */
      for (xmlNode *c = ret->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
          {
            check_text (vmm_vsphere_moref_type (c));
            check_text (vmm_vsphere_text (c));
          }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (xmlDoc) doc = NULL;
  xmlNode *response;

  vmm_fuzzer_init ();
  if (size == 0 || size > G_MAXINT)
    return 0;
  doc = xmlReadMemory ((const char *)data, (int)size, "response.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR
                           | XML_PARSE_NOWARNING);
  response = vmm_vsphere_response (doc);
  if (response == NULL)
    return 0;
  if (response->ns != NULL
      && g_strcmp0 ((const char *)response->ns->href, VMM_VSPHERE_SOAPENV_NS) == 0
      && g_strcmp0 ((const char *)response->name, "Fault") == 0)
    read_fault (response);
  else
    read_result (response);
  return 0;
}
