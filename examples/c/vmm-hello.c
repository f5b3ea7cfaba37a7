/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The smallest useful libvmmigrate program, built outside the source tree:
 *
 *   cc vmm-hello.c $(pkg-config --cflags --libs vmmigrate-1.0) -o vmm-hello
 *   ./vmm-hello [URI VM HOST]
 *
 * It lists the VMs of a backend (default: the built-in simulated inventory),
 * plans a move of one VM to another host, runs it and prints where the VM
 * and its disks are. */
#include <vmmigrate/vmmigrate.h>

int
main (int argc, char **argv)
{
  const char *uri = argc > 1 ? argv[1] : "sim://";
  const char *vm = argc > 2 ? argv[2] : "web-01";
  const char *host = argc > 3 ? argv[3] : "esx-02";
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) backend = NULL;
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (VmmRelocateSpec) spec = vmm_relocate_spec_new ();
  g_autoptr (GPtrArray) vms = NULL;
  g_autoptr (VmmMigration) migration = NULL;
  g_autoptr (VmmPlan) plan = NULL;
  g_autoptr (VmmMigrationResult) result = NULL;
  g_autofree char *text = NULL;
  GPtrArray *disks;

  g_print ("libvmmigrate %s\n", VMM_VERSION_S);
  backend = vmm_backend_open (uri, NULL, &error);
  if (backend == NULL || (vms = vmm_backend_list_vms (backend, NULL, &error)) == NULL)
    {
      g_printerr ("%s: %s\n", uri, error->message);
      return 1;
    }
  for (guint i = 0; i < vms->len; i++)
    g_print ("VM %s on %s\n", vmm_vm_info_get_name (g_ptr_array_index (vms, i)),
             vmm_vm_info_get_host (g_ptr_array_index (vms, i)));

  vmm_relocate_spec_set_host (spec, host);
  migration = vmm_engine_create_migration (engine, backend, vm, spec, &error);
  if (migration != NULL)
    plan = vmm_migration_plan (migration, NULL, &error);
  if (plan == NULL)
    {
      g_printerr ("cannot move %s to %s: %s\n", vm, host, error->message);
      return 1;
    }
  text = vmm_plan_to_string (plan);
  g_print ("%s", text);

  result = vmm_migration_run_sync (migration, NULL, &error);
  if (result == NULL)
    {
      g_printerr ("migration failed: %s\n", error->message);
      return 1;
    }
  g_print ("%s is on host %s\n", vm, vmm_migration_result_get_host (result));
  disks = vmm_migration_result_get_disks (result);
  for (guint i = 0; i < disks->len; i++)
    {
      VmmDiskInfo *disk = g_ptr_array_index (disks, i);

      g_print ("  %s: [%s] %s\n", vmm_disk_info_get_key (disk), vmm_disk_info_get_datastore (disk),
               vmm_disk_info_get_path (disk));
    }
  return 0;
}
