/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark: N host relocations through the engine against a running vcsim
 * (bench-vsphere.sh starts it and compares with the govc loop). The moves
 * are the govc loop's: VM i mod V goes to the host after its current one
 * (hosts sorted by name). Every VM's moves run one after another (a VM has
 * one migration at a time); the VMs move concurrently, within the engine's
 * default limits. Afterwards every VM is checked to be where it was last
 * sent.
 *
 * LIMIT (optional, 0 = the engine's defaults of 2 per source host,
 * destination host and datastore) raises the engine's per-host and
 * per-datastore limits, as a user of a vCenter would (vCenter itself runs 8
 * vMotions per host and 128 per datastore).
 *
 * usage: bench-vsphere URI N [LIMIT]  (URI: vsphere+https://...?credentials=...&ca=...) */
#include <stdlib.h>
#include <string.h>

#include "vmm-private.h"

typedef struct
{
  VmmEngine *engine;
  VmmBackend *backend;
  GPtrArray *hosts; /* sorted host names */
  GPtrArray *chains;
  guint running;
  guint failed;
  guint done;
} Bench;

typedef struct
{
  Bench *bench;
  char *vm;
  GPtrArray *targets; /* host names, in order */
  guint next;
} Chain;

static void
chain_step (Chain *chain);

static void
run_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Chain *chain = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res
      = vmm_migration_run_finish (VMM_MIGRATION (source), result, &error);

  g_object_unref (source);
  if (res == NULL)
    {
      g_printerr ("FAILED: %s -> %s: %s\n", chain->vm,
                  (char *)g_ptr_array_index (chain->targets, chain->next - 1), error->message);
      chain->bench->failed++;
    }
  else
    chain->bench->done++;
  chain_step (chain);
}

static void
chain_step (Chain *chain)
{
  Bench *b = chain->bench;
  g_autoptr (VmmRelocateSpec) spec = NULL;
  g_autoptr (GError) error = NULL;
  VmmMigration *m;

  if (chain->next >= chain->targets->len)
    {
      b->running--;
      return;
    }
  spec = vmm_relocate_spec_new ();
  vmm_relocate_spec_set_host (spec, g_ptr_array_index (chain->targets, chain->next));
  chain->next++;
  m = vmm_engine_create_migration (b->engine, b->backend, chain->vm, spec, &error);
  if (m == NULL)
    {
      g_printerr ("FAILED: %s: %s\n", chain->vm, error->message);
      b->failed++;
      chain_step (chain);
      return;
    }
  vmm_migration_run_async (m, NULL, run_cb, chain);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

static guint
host_index (Bench *b, const char *host)
{
  for (guint i = 0; i < b->hosts->len; i++)
    if (g_strcmp0 (g_ptr_array_index (b->hosts, i), host) == 0)
      return i;
  return 0;
}

int
main (int argc, char **argv)
{
  Bench b = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inv = NULL;
  g_autoptr (GPtrArray) vms = NULL;
  g_autoptr (GHashTable) last = g_hash_table_new (g_str_hash, g_str_equal);
  guint n;
  guint limit = 0;
  gint64 t0;
  gint64 t1;
  double total;

  if (argc < 3 || argc > 4 || (n = (guint)atoi (argv[2])) == 0)
    {
      g_printerr ("usage: %s URI N [LIMIT]\n", argv[0]);
      return 2;
    }
  if (argc == 4)
    limit = (guint)atoi (argv[3]);
  b.backend = vmm_backend_open (argv[1], NULL, &error);
  if (b.backend == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  b.engine = vmm_engine_new ();
  if (limit > 0)
    {
      vmm_engine_set_max_per_source_host (b.engine, limit);
      vmm_engine_set_max_per_destination_host (b.engine, limit);
      vmm_engine_set_max_per_datastore (b.engine, limit);
    }
  inv = vmm_backend_query_inventory (b.backend, NULL, &error);
  if (inv == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  b.hosts = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < vmm_inventory_get_hosts (inv)->len; i++)
    g_ptr_array_add (b.hosts, g_strdup (vmm_host_info_get_name (
                                  g_ptr_array_index (vmm_inventory_get_hosts (inv), i))));
  g_ptr_array_sort (b.hosts, compare_names);
  vms = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < vmm_inventory_get_vms (inv)->len; i++)
    g_ptr_array_add (
        vms, g_strdup (vmm_vm_info_get_name (g_ptr_array_index (vmm_inventory_get_vms (inv), i))));
  g_ptr_array_sort (vms, compare_names);

  /* plan the moves before timing */
  b.chains = g_ptr_array_new ();
  for (guint v = 0; v < vms->len; v++)
    {
      Chain *c = g_new0 (Chain, 1);

      c->bench = &b;
      c->vm = g_ptr_array_index (vms, v);
      c->targets = g_ptr_array_new ();
      g_ptr_array_add (b.chains, c);
    }
  {
    g_autofree guint *cur = g_new0 (guint, vms->len);

    for (guint v = 0; v < vms->len; v++)
      cur[v] = host_index (
          &b, vmm_vm_info_get_host (vmm_inventory_lookup_vm (inv, g_ptr_array_index (vms, v))));
    for (guint i = 0; i < n; i++)
      {
        guint v = i % vms->len;
        Chain *c = g_ptr_array_index (b.chains, v);

        cur[v] = (cur[v] + 1) % b.hosts->len;
        g_ptr_array_add (c->targets, g_ptr_array_index (b.hosts, cur[v]));
        g_hash_table_insert (last, c->vm, g_ptr_array_index (b.hosts, cur[v]));
      }
  }

  g_printerr ("engine: %u relocations over %u VMs and %u hosts at %s (limit per host and "
              "datastore: %u)\n",
              n, vms->len, b.hosts->len, vmm_backend_get_uri (b.backend),
              limit > 0 ? limit : vmm_engine_get_max_per_datastore (b.engine));
  t0 = g_get_monotonic_time ();
  for (guint v = 0; v < b.chains->len; v++)
    {
      b.running++;
      chain_step (g_ptr_array_index (b.chains, v));
    }
  while (b.running > 0)
    g_main_context_iteration (NULL, TRUE);
  t1 = g_get_monotonic_time ();
  total = (t1 - t0) / 1e6;

  /* untimed: every VM is where it was last sent */
  g_clear_object (&inv);
  inv = vmm_backend_query_inventory (b.backend, NULL, &error);
  for (guint v = 0; inv != NULL && v < vms->len; v++)
    {
      const char *vm = g_ptr_array_index (vms, v);
      const char *want = g_hash_table_lookup (last, vm);
      const char *is = vmm_vm_info_get_host (vmm_inventory_lookup_vm (inv, vm));

      if (want != NULL && g_strcmp0 (want, is) != 0)
        {
          g_printerr ("WRONG PLACE: %s is on %s, expected %s\n", vm, is, want);
          b.failed++;
        }
    }
  g_print ("engine: %u relocations in %.3f s (%.1f ms per relocation)\n", n, total,
           1000 * total / n);
  g_print ("BENCH engine n=%u vms=%u limit=%u total_s=%.3f per_op_ms=%.1f\n", n, vms->len,
           limit > 0 ? limit : vmm_engine_get_max_per_datastore (b.engine), total,
           1000 * total / n);
  for (guint v = 0; v < b.chains->len; v++)
    {
      Chain *c = g_ptr_array_index (b.chains, v);

      g_ptr_array_unref (c->targets);
      g_free (c);
    }
  g_ptr_array_unref (b.chains);
  g_ptr_array_unref (b.hosts);
  g_object_unref (b.engine);
  g_object_unref (b.backend);
  if (b.failed > 0 || inv == NULL)
    {
      g_printerr ("%u failure(s)\n", b.failed);
      return 1;
    }
  return 0;
}
