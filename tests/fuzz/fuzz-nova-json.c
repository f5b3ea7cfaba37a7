/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-fuzzer.h"

#include "backends/nova/vmm-nova-backend.h"

/* Nova and Keystone answer bodies (servers, hypervisors, os-services,
 * migrations, aggregates, flavors, instance actions, the version document,
 * the token answer with its catalog, fault bodies), read by the Nova backend
 * and its client through vmm_nova_parse_for_fuzzing(): every reader the
 * backend uses on a live cloud's answers. Any input gives VMM_ERROR errors
 * with valid UTF-8 messages, and an inventory whose every host and VM has a
 * name. */

static void
check_text (const char *text)
{
  if (text != NULL)
    g_assert_true (g_utf8_validate (text, -1, NULL));
}

static void
check_strv (const char *const *strv)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    check_text (strv[i]);
}

static void
check_inventory (VmmInventory *inv)
{
  GPtrArray *hosts = vmm_inventory_get_hosts (inv);
  GPtrArray *vms = vmm_inventory_get_vms (inv);

  for (guint i = 0; hosts != NULL && i < hosts->len; i++)
    {
      VmmHostInfo *h = g_ptr_array_index (hosts, i);

      g_assert_nonnull (vmm_host_info_get_name (h));
      g_assert_true (vmm_inventory_lookup_host (inv, vmm_host_info_get_name (h)) != NULL);
      check_text (vmm_host_info_get_name (h));
      check_text (vmm_host_info_get_zone (h));
      check_text (vmm_host_info_get_cluster (h));
      check_text (vmm_host_info_get_cpu_model (h));
      check_strv (vmm_host_info_get_metadata (h));
    }
  for (guint i = 0; vms != NULL && i < vms->len; i++)
    {
      VmmVmInfo *vm = g_ptr_array_index (vms, i);

      g_assert_nonnull (vmm_vm_info_get_name (vm));
      g_assert_true (vmm_inventory_lookup_vm (inv, vmm_vm_info_get_name (vm)) != NULL);
      check_text (vmm_vm_info_get_id (vm));
      check_text (vmm_vm_info_get_host (vm));
      check_strv (vmm_vm_info_get_required_metadata (vm));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (VmmInventory) inv = NULL;
  g_autoptr (GPtrArray) errors = NULL;

  vmm_fuzzer_init ();
  errors = vmm_nova_parse_for_fuzzing ((const char *)data, size, &inv);
  g_assert_nonnull (errors);
  for (guint i = 0; i < errors->len; i++)
    {
      const GError *error = g_ptr_array_index (errors, i);

      g_assert_true (error->domain == VMM_ERROR);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
  if (inv != NULL)
    check_inventory (inv);
  return 0;
}
