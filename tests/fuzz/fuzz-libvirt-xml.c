/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmm-fuzzer.h"

#include "backends/libvirt/vmm-libvirt-util.h"
#include <vmmigrate.h>

/* The libvirt backend's XML readers (vmm-libvirt-util.h), fed what a
 * libvirt daemon could answer: a domain's XML read for its disks, CD-ROM
 * sources, NICs and CPU (lv_domain_xml_parse()); the same XML rewritten
 * with new disk paths and networks as a move does (lv_domain_xml_rewrite(),
 * also for a snapshot's <domainsnapshot>), which must read back with the
 * same devices, the new paths and networks; a storage pool's target path
 * (lv_pool_xml_target_path()). */

static void
check_text (const char *text)
{
  if (text != NULL)
    g_assert_true (g_utf8_validate (text, -1, NULL));
}

static void
check_error (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == VMM_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
check_domain (LvDomainXml *info)
{
  g_assert_nonnull (info->disks);
  g_assert_nonnull (info->nics);
  g_assert_nonnull (info->cpu_required);
  for (guint i = 0; i < info->disks->len; i++)
    {
      LvDiskXml *d = g_ptr_array_index (info->disks, i);

      g_assert_nonnull (d->key);
      g_assert_nonnull (d->device);
      check_text (d->key);
      check_text (d->device);
      check_text (d->path);
      check_text (d->format);
    }
  for (guint i = 0; i < info->nics->len; i++)
    {
      LvNicXml *n = g_ptr_array_index (info->nics, i);

      g_assert_nonnull (n->key);
      check_text (n->key);
      check_text (n->type);
      check_text (n->network);
    }
  for (guint i = 0; info->cpu_required[i] != NULL; i++)
    check_text (info->cpu_required[i]);
  check_text (info->cpu_mode);
  check_text (info->cpu_model);
  check_text (info->cpu_xml);
  check_text (info->emulator);
  check_text (info->arch);
  check_text (info->machine);
  check_text (info->virt_type);
}

/* A key the reader made up for a disk without a target ("disk3"): the
 * rewrite, which goes by the target, does not know it. */
static gboolean
is_made_up_key (const char *key)
{
  return g_str_has_prefix (key, "disk") && key[4] != '\0'
         && strspn (key + 4, "0123456789") == strlen (key + 4);
}

/* Every disk moves to a new path, every network is renamed; the rewritten
 * XML reads back with the same devices in the same order, each disk with a
 * target at its new path, each NIC on its new network. */
static void
check_rewrite (const char *xml, LvDomainXml *info)
{
  g_autoptr (GHashTable) paths = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr (GHashTable) networks = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (LvDomainXml) again = NULL;
  g_autofree char *rewritten = NULL;

  for (guint i = 0; i < info->disks->len; i++)
    {
      LvDiskXml *d = g_ptr_array_index (info->disks, i);

      g_hash_table_insert (paths, d->key, g_strdup_printf ("/new/%u-é.qcow2", i));
    }
  for (guint i = 0; i < info->nics->len; i++)
    {
      LvNicXml *n = g_ptr_array_index (info->nics, i);

      if (n->network != NULL)
        g_hash_table_insert (networks, n->network, g_strdup_printf ("net-%u", i));
    }
  rewritten = lv_domain_xml_rewrite (xml, paths, networks, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rewritten);
  g_assert_true (g_utf8_validate (rewritten, -1, NULL));
  again = lv_domain_xml_parse (rewritten, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  check_domain (again);
  g_assert_cmpuint (again->disks->len, ==, info->disks->len);
  g_assert_cmpuint (again->nics->len, ==, info->nics->len);
  for (guint i = 0; i < again->disks->len; i++)
    {
      LvDiskXml *before = g_ptr_array_index (info->disks, i);
      LvDiskXml *after = g_ptr_array_index (again->disks, i);

      g_assert_cmpstr (after->key, ==, before->key);
      g_assert_cmpstr (after->device, ==, before->device);
      g_assert_cmpint (after->readonly, ==, before->readonly);
      /* disks sharing a target all take the path of the last one */
      if (!is_made_up_key (before->key))
        g_assert_cmpstr (after->path, ==, g_hash_table_lookup (paths, before->key));
    }
  for (guint i = 0; i < again->nics->len; i++)
    {
      LvNicXml *before = g_ptr_array_index (info->nics, i);
      LvNicXml *after = g_ptr_array_index (again->nics, i);

      g_assert_cmpstr (after->key, ==, before->key);
      if (before->network != NULL)
        g_assert_cmpstr (after->network, ==, g_hash_table_lookup (networks, before->network));
      else
        g_assert_null (after->network);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *xml = NULL;
  g_autofree char *pool_path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (LvDomainXml) info = NULL;

  vmm_fuzzer_init ();
  if (size > G_MAXINT)
    return 0;
  /* libvirt hands over NUL-terminated strings */
  xml = g_strndup ((const char *)data, size);

  info = lv_domain_xml_parse (xml, &error);
  if (info == NULL)
    {
      check_error (error);
      /* what does not parse cannot be rewritten either */
      g_clear_error (&error);
      g_assert_null (lv_domain_xml_rewrite (xml, NULL, NULL, &error));
      check_error (error);
    }
  else
    {
      g_assert_no_error (error);
      check_domain (info);
      check_rewrite (xml, info);
    }
  /* any document, a snapshot's too: vda moves */
  {
    g_autoptr (GHashTable) vda = g_hash_table_new (g_str_hash, g_str_equal);
    g_autofree char *rewritten = NULL;

    g_hash_table_insert (vda, (char *)"vda", (char *)"/new/vda.qcow2");
    g_clear_error (&error);
    rewritten = lv_domain_xml_rewrite (xml, vda, vda, &error);
    g_assert_true ((rewritten == NULL) == (info == NULL));
    if (rewritten != NULL)
      {
        g_autoptr (LvDomainXml) again = lv_domain_xml_parse (rewritten, NULL);

        g_assert_true (g_utf8_validate (rewritten, -1, NULL));
        g_assert_nonnull (again);
        g_assert_cmpuint (again->disks->len, ==, info->disks->len);
      }
    else
      check_error (error);
  }
  pool_path = lv_pool_xml_target_path (xml);
  check_text (pool_path);
  return 0;
}
