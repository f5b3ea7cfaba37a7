/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-fuzzer.h"

#include "backends/vsphere/vmm-vsphere-client.h"
#include <libxml/parser.h>
#include <vmmigrate.h>

/* vim25 SOAP response bodies, read the way the vSphere backend reads them:
 * the document is parsed with the client's flags, then the body element is
 * found; a fault goes through the client's vmm_vsphere_parse_fault(), a
 * RetrieveResult is walked object by object, property by property, with
 * the client's XML helpers as the backend's property reader does. The
 * backend's own readers (reply_parse, mo_set_add, build_inventory) are
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

/* A fault body, through the client's own fault reader. */
static void
read_fault (xmlDoc *doc)
{
  g_autoptr (GError) error = NULL;
  char *type = NULL;

  vmm_vsphere_parse_fault (doc, "Fuzz", &type, &error);
  g_assert_nonnull (error);
  g_assert_true (error->domain == VMM_ERROR || error->domain == G_IO_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  check_text (type);
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
    read_fault (doc);
  else
    read_result (response);
  return 0;
}
