/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vmmigrate.h"

static void
test_host_info (void)
{
  g_autoptr (VmmHostInfo) host = vmm_host_info_new ("esx-01");
  g_autofree char *name = NULL;
  char *features[] = { g_strdup ("avx2"), g_strdup ("sse4_2"), NULL };
  const char *networks[] = { "VM Network", "vMotion", NULL };
  const char *datastores[] = { "ds-1", "ds-shared", NULL };

  /* defaults */
  g_assert_cmpstr (vmm_host_info_get_name (host), ==, "esx-01");
  g_object_get (host, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "esx-01");
  g_assert_cmpint (vmm_host_info_get_state (host), ==, VMM_HOST_STATE_CONNECTED);
  g_assert_cmpfloat (vmm_host_info_get_cpu_overcommit (host), ==, 1.0);
  g_assert_null (vmm_host_info_get_manager (host));
  g_assert_null (vmm_host_info_get_cpu_model (host));
  g_assert_cmpuint (vmm_host_info_get_memory_mib (host), ==, 0);
  g_assert_nonnull (vmm_host_info_get_cpu_features (host));
  g_assert_null (vmm_host_info_get_cpu_features (host)[0]);
  g_assert_null (vmm_host_info_get_networks (host)[0]);
  g_assert_null (vmm_host_info_get_datastores (host)[0]);
  g_assert_false (vmm_host_info_has_cpu_feature (host, "avx2"));
  g_assert_false (vmm_host_info_has_network (host, "VM Network"));
  g_assert_false (vmm_host_info_has_datastore (host, "ds-1"));

  /* accessors */
  vmm_host_info_set_manager (host, "vc1");
  vmm_host_info_set_datacenter (host, "dc1");
  vmm_host_info_set_cluster (host, "cluster-a");
  vmm_host_info_set_zone (host, "az-1");
  vmm_host_info_set_state (host, VMM_HOST_STATE_MAINTENANCE);
  vmm_host_info_set_cpu_model (host, "Skylake-Server");
  vmm_host_info_set_memory_mib (host, G_GUINT64_CONSTANT (1) << 40);
  vmm_host_info_set_memory_used_mib (host, 4096);
  vmm_host_info_set_vcpus (host, 64);
  vmm_host_info_set_vcpus_used (host, 80);
  vmm_host_info_set_cpu_overcommit (host, 4.5);
  vmm_host_info_set_default_pool (host, "Resources");
  g_assert_cmpstr (vmm_host_info_get_manager (host), ==, "vc1");
  g_assert_cmpstr (vmm_host_info_get_datacenter (host), ==, "dc1");
  g_assert_cmpstr (vmm_host_info_get_cluster (host), ==, "cluster-a");
  g_assert_cmpstr (vmm_host_info_get_zone (host), ==, "az-1");
  g_assert_cmpint (vmm_host_info_get_state (host), ==, VMM_HOST_STATE_MAINTENANCE);
  g_assert_cmpstr (vmm_host_info_get_cpu_model (host), ==, "Skylake-Server");
  g_assert_cmpuint (vmm_host_info_get_memory_mib (host), ==, G_GUINT64_CONSTANT (1) << 40);
  g_assert_cmpuint (vmm_host_info_get_memory_used_mib (host), ==, 4096);
  g_assert_cmpuint (vmm_host_info_get_vcpus (host), ==, 64);
  g_assert_cmpuint (vmm_host_info_get_vcpus_used (host), ==, 80);
  g_assert_cmpfloat (vmm_host_info_get_cpu_overcommit (host), ==, 4.5);
  g_assert_cmpstr (vmm_host_info_get_default_pool (host), ==, "Resources");

  /* string lists are copied, and matches are exact */
  vmm_host_info_set_cpu_features (host, (const char *const *)features);
  g_free (features[0]);
  features[0] = g_strdup ("changed");
  g_assert_true (vmm_host_info_has_cpu_feature (host, "avx2"));
  g_assert_true (vmm_host_info_has_cpu_feature (host, "sse4_2"));
  g_assert_false (vmm_host_info_has_cpu_feature (host, "changed"));
  g_assert_false (vmm_host_info_has_cpu_feature (host, "AVX2"));
  g_assert_false (vmm_host_info_has_cpu_feature (host, "avx"));
  g_assert_false (vmm_host_info_has_cpu_feature (host, "sse4"));
  g_assert_cmpuint (g_strv_length ((char **)vmm_host_info_get_cpu_features (host)), ==, 2);
  g_free (features[0]);
  g_free (features[1]);

  vmm_host_info_set_networks (host, networks);
  g_assert_true (vmm_host_info_has_network (host, "VM Network"));
  g_assert_true (vmm_host_info_has_network (host, "vMotion"));
  g_assert_false (vmm_host_info_has_network (host, "VM"));
  g_assert_false (vmm_host_info_has_network (host, "vm network"));
  g_assert_true (vmm_host_info_get_networks (host) != networks);

  vmm_host_info_set_datastores (host, datastores);
  g_assert_true (vmm_host_info_has_datastore (host, "ds-shared"));
  g_assert_false (vmm_host_info_has_datastore (host, "ds-2"));

  /* setting the list it already has is harmless */
  vmm_host_info_set_networks (host, vmm_host_info_get_networks (host));
  g_assert_true (vmm_host_info_has_network (host, "vMotion"));
  vmm_host_info_set_manager (host, vmm_host_info_get_manager (host));
  g_assert_cmpstr (vmm_host_info_get_manager (host), ==, "vc1");

  /* pools: no list means any pool; an empty list means none */
  {
    const char *pools[] = { "prod", "test", NULL };
    const char *no_pools[] = { NULL };

    g_assert_null (vmm_host_info_get_pools (host));
    g_assert_true (vmm_host_info_has_pool (host, "anything"));
    vmm_host_info_set_pools (host, pools);
    g_assert_true (vmm_host_info_get_pools (host) != pools);
    g_assert_true (vmm_host_info_has_pool (host, "prod"));
    g_assert_false (vmm_host_info_has_pool (host, "Prod"));
    g_assert_false (vmm_host_info_has_pool (host, "dev"));
    vmm_host_info_set_pools (host, no_pools);
    g_assert_nonnull (vmm_host_info_get_pools (host));
    g_assert_false (vmm_host_info_has_pool (host, "prod"));
    vmm_host_info_set_pools (host, NULL);
    g_assert_true (vmm_host_info_has_pool (host, "prod"));
  }

  /* NULL clears */
  vmm_host_info_set_manager (host, NULL);
  vmm_host_info_set_networks (host, NULL);
  g_assert_null (vmm_host_info_get_manager (host));
  g_assert_nonnull (vmm_host_info_get_networks (host));
  g_assert_null (vmm_host_info_get_networks (host)[0]);
  g_assert_false (vmm_host_info_has_network (host, "vMotion"));
}

static void
test_datastore_info (void)
{
  g_autoptr (VmmDatastoreInfo) local = vmm_datastore_info_new ("local-1");
  g_autoptr (VmmDatastoreInfo) shared = vmm_datastore_info_new ("nfs-1");
  const char *one[] = { "esx-01", NULL };
  const char *both[] = { "esx-01", "esx-02", NULL };
  const char *none[] = { NULL };

  g_assert_cmpstr (vmm_datastore_info_get_name (local), ==, "local-1");
  g_assert_true (vmm_datastore_info_get_online (local));
  g_assert_false (vmm_datastore_info_get_shared (local));
  g_assert_cmpuint (vmm_datastore_info_get_capacity (local), ==, 0);
  g_assert_cmpuint (vmm_datastore_info_get_free (local), ==, 0);
  g_assert_null (vmm_datastore_info_get_path (local));
  g_assert_null (vmm_datastore_info_get_hosts (local)[0]);
  /* no host list: mounted nowhere */
  g_assert_false (vmm_datastore_info_is_mounted_on (local, "esx-01"));

  vmm_datastore_info_set_hosts (local, one);
  vmm_datastore_info_set_capacity (local, G_GUINT64_CONSTANT (2) << 40);
  vmm_datastore_info_set_free (local, G_GUINT64_CONSTANT (1) << 40);
  vmm_datastore_info_set_path (local, "/vmfs/volumes/local-1");
  vmm_datastore_info_set_online (local, FALSE);
  g_assert_true (vmm_datastore_info_is_mounted_on (local, "esx-01"));
  g_assert_false (vmm_datastore_info_is_mounted_on (local, "esx-02"));
  g_assert_false (vmm_datastore_info_is_mounted_on (local, "esx-0"));
  g_assert_cmpuint (vmm_datastore_info_get_capacity (local), ==, G_GUINT64_CONSTANT (2) << 40);
  g_assert_cmpuint (vmm_datastore_info_get_free (local), ==, G_GUINT64_CONSTANT (1) << 40);
  g_assert_cmpstr (vmm_datastore_info_get_path (local), ==, "/vmfs/volumes/local-1");
  g_assert_false (vmm_datastore_info_get_online (local));

  vmm_datastore_info_set_shared (shared, TRUE);
  vmm_datastore_info_set_hosts (shared, both);
  g_assert_true (vmm_datastore_info_get_shared (shared));
  g_assert_true (vmm_datastore_info_is_mounted_on (shared, "esx-01"));
  g_assert_true (vmm_datastore_info_is_mounted_on (shared, "esx-02"));
  g_assert_false (vmm_datastore_info_is_mounted_on (shared, "esx-03"));
  g_assert_cmpuint (g_strv_length ((char **)vmm_datastore_info_get_hosts (shared)), ==, 2);

  /* a shared datastore whose host list is empty is mounted nowhere too */
  vmm_datastore_info_set_hosts (shared, none);
  g_assert_false (vmm_datastore_info_is_mounted_on (shared, "esx-01"));
}

static void
test_disk_info (void)
{
  g_autoptr (VmmDiskInfo) disk = vmm_disk_info_new ("disk-0", "ds-1", "[ds-1] vm/vm.vmdk");
  g_autoptr (VmmDiskInfo) copy = NULL;
  g_autoptr (VmmDiskInfo) bare = vmm_disk_info_new ("vda", NULL, NULL);
  g_autofree char *key = NULL;

  g_assert_cmpstr (vmm_disk_info_get_key (disk), ==, "disk-0");
  g_object_get (disk, "key", &key, NULL);
  g_assert_cmpstr (key, ==, "disk-0");
  g_assert_cmpstr (vmm_disk_info_get_datastore (disk), ==, "ds-1");
  g_assert_cmpstr (vmm_disk_info_get_path (disk), ==, "[ds-1] vm/vm.vmdk");
  g_assert_null (vmm_disk_info_get_format (disk));
  g_assert_cmpuint (vmm_disk_info_get_snapshots (disk), ==, 0);
  g_assert_null (vmm_disk_info_get_datastore (bare));
  g_assert_null (vmm_disk_info_get_path (bare));

  vmm_disk_info_set_capacity (disk, 40 * G_GUINT64_CONSTANT (1073741824));
  vmm_disk_info_set_allocation (disk, 12 * G_GUINT64_CONSTANT (1073741824));
  vmm_disk_info_set_format (disk, "vmdk");
  vmm_disk_info_set_snapshots (disk, 3);
  g_assert_cmpuint (vmm_disk_info_get_capacity (disk), ==, 40 * G_GUINT64_CONSTANT (1073741824));
  g_assert_cmpuint (vmm_disk_info_get_allocation (disk), ==, 12 * G_GUINT64_CONSTANT (1073741824));
  g_assert_cmpstr (vmm_disk_info_get_format (disk), ==, "vmdk");
  g_assert_cmpuint (vmm_disk_info_get_snapshots (disk), ==, 3);

  copy = vmm_disk_info_copy (disk);
  g_assert_true (copy != disk);
  g_assert_cmpstr (vmm_disk_info_get_key (copy), ==, "disk-0");
  g_assert_cmpstr (vmm_disk_info_get_datastore (copy), ==, "ds-1");
  g_assert_cmpstr (vmm_disk_info_get_path (copy), ==, "[ds-1] vm/vm.vmdk");
  g_assert_cmpuint (vmm_disk_info_get_capacity (copy), ==, 40 * G_GUINT64_CONSTANT (1073741824));
  g_assert_cmpuint (vmm_disk_info_get_allocation (copy), ==, 12 * G_GUINT64_CONSTANT (1073741824));
  g_assert_cmpstr (vmm_disk_info_get_format (copy), ==, "vmdk");
  g_assert_cmpuint (vmm_disk_info_get_snapshots (copy), ==, 3);

  /* changing the copy leaves the original */
  vmm_disk_info_set_datastore (copy, "ds-2");
  vmm_disk_info_set_path (copy, "[ds-2] vm/vm.vmdk");
  vmm_disk_info_set_format (copy, "qcow2");
  vmm_disk_info_set_capacity (copy, 1);
  vmm_disk_info_set_snapshots (copy, 0);
  g_assert_cmpstr (vmm_disk_info_get_datastore (disk), ==, "ds-1");
  g_assert_cmpstr (vmm_disk_info_get_path (disk), ==, "[ds-1] vm/vm.vmdk");
  g_assert_cmpstr (vmm_disk_info_get_format (disk), ==, "vmdk");
  g_assert_cmpuint (vmm_disk_info_get_capacity (disk), ==, 40 * G_GUINT64_CONSTANT (1073741824));
  g_assert_cmpuint (vmm_disk_info_get_snapshots (disk), ==, 3);

  /* setting a value from itself is harmless */
  vmm_disk_info_set_path (disk, vmm_disk_info_get_path (disk));
  g_assert_cmpstr (vmm_disk_info_get_path (disk), ==, "[ds-1] vm/vm.vmdk");
}

static void
test_device_info (void)
{
  g_autoptr (VmmDeviceInfo) cdrom = vmm_device_info_new ("cdrom-0", VMM_DEVICE_KIND_CDROM);
  g_autoptr (VmmDeviceInfo) nic = vmm_device_info_new ("nic-0", VMM_DEVICE_KIND_NIC);
  VmmDeviceKind kind = VMM_DEVICE_KIND_OTHER;

  g_assert_cmpstr (vmm_device_info_get_key (cdrom), ==, "cdrom-0");
  g_assert_cmpint (vmm_device_info_get_kind (cdrom), ==, VMM_DEVICE_KIND_CDROM);
  g_object_get (cdrom, "kind", &kind, NULL);
  g_assert_cmpint (kind, ==, VMM_DEVICE_KIND_CDROM);
  g_assert_true (vmm_device_info_get_connected (cdrom));
  g_assert_null (vmm_device_info_get_backing_datastore (cdrom));
  g_assert_null (vmm_device_info_get_backing_path (cdrom));
  g_assert_null (vmm_device_info_get_network (cdrom));

  vmm_device_info_set_backing_datastore (cdrom, "local-1");
  vmm_device_info_set_backing_path (cdrom, "[local-1] iso/install.iso");
  vmm_device_info_set_connected (cdrom, FALSE);
  g_assert_cmpstr (vmm_device_info_get_backing_datastore (cdrom), ==, "local-1");
  g_assert_cmpstr (vmm_device_info_get_backing_path (cdrom), ==, "[local-1] iso/install.iso");
  g_assert_false (vmm_device_info_get_connected (cdrom));

  vmm_device_info_set_network (nic, "VM Network");
  g_assert_cmpstr (vmm_device_info_get_network (nic), ==, "VM Network");
  vmm_device_info_set_network (nic, NULL);
  g_assert_null (vmm_device_info_get_network (nic));
}

static VmmVmInfo *
build_vm (const char *name, const char *host)
{
  VmmVmInfo *vm = vmm_vm_info_new (name);
  g_autoptr (VmmDiskInfo) disk0 = vmm_disk_info_new ("disk-0", "ds-1", "vm/disk-0.vmdk");
  g_autoptr (VmmDiskInfo) disk1 = vmm_disk_info_new ("disk-1", "ds-2", "vm/disk-1.vmdk");
  g_autoptr (VmmDeviceInfo) cdrom = vmm_device_info_new ("cdrom-0", VMM_DEVICE_KIND_CDROM);

  vmm_vm_info_set_host (vm, host);
  vmm_disk_info_set_capacity (disk0, 1000);
  vmm_disk_info_set_capacity (disk1, 234);
  vmm_vm_info_add_disk (vm, disk0);
  vmm_vm_info_add_disk (vm, disk1);
  vmm_device_info_set_backing_datastore (cdrom, "local-1");
  vmm_vm_info_add_device (vm, cdrom);
  return vm;
}

static void
test_vm_info (void)
{
  g_autoptr (VmmVmInfo) vm = vmm_vm_info_new ("web-01");
  g_autoptr (VmmDiskInfo) disk0 = vmm_disk_info_new ("disk-0", "ds-1", "web-01/disk-0.vmdk");
  g_autoptr (VmmDiskInfo) disk1 = vmm_disk_info_new ("disk-1", "ds-1", "web-01/disk-1.vmdk");
  g_autoptr (VmmDiskInfo) disk0b = vmm_disk_info_new ("disk-0", "ds-2", "web-01/disk-0.vmdk");
  g_autoptr (VmmDeviceInfo) nic = vmm_device_info_new ("nic-0", VMM_DEVICE_KIND_NIC);
  const char *features[] = { "avx2", "aes", NULL };
  g_autofree char *name = NULL;

  /* defaults */
  g_assert_cmpstr (vmm_vm_info_get_name (vm), ==, "web-01");
  g_object_get (vm, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "web-01");
  g_assert_cmpint (vmm_vm_info_get_power_state (vm), ==, VMM_POWER_STATE_OFF);
  g_assert_null (vmm_vm_info_get_id (vm));
  g_assert_null (vmm_vm_info_get_host (vm));
  g_assert_false (vmm_vm_info_get_migrating (vm));
  g_assert_cmpuint (vmm_vm_info_get_disks (vm)->len, ==, 0);
  g_assert_cmpuint (vmm_vm_info_get_devices (vm)->len, ==, 0);
  g_assert_cmpuint (vmm_vm_info_get_storage_size (vm), ==, 0);
  g_assert_null (vmm_vm_info_get_cpu_features (vm)[0]);
  g_assert_null (vmm_vm_info_lookup_disk (vm, "disk-0"));

  /* accessors */
  vmm_vm_info_set_id (vm, "vm-42");
  vmm_vm_info_set_host (vm, "esx-01");
  vmm_vm_info_set_resource_pool (vm, "prod");
  vmm_vm_info_set_datastore (vm, "ds-1");
  vmm_vm_info_set_folder (vm, "vm/web");
  vmm_vm_info_set_power_state (vm, VMM_POWER_STATE_RUNNING);
  vmm_vm_info_set_memory_mib (vm, 8192);
  vmm_vm_info_set_vcpus (vm, 4);
  vmm_vm_info_set_cpu_features (vm, features);
  vmm_vm_info_set_migrating (vm, TRUE);
  vmm_vm_info_set_dirty_rate (vm, 50000000);
  g_assert_cmpstr (vmm_vm_info_get_id (vm), ==, "vm-42");
  g_assert_cmpstr (vmm_vm_info_get_host (vm), ==, "esx-01");
  g_assert_cmpstr (vmm_vm_info_get_resource_pool (vm), ==, "prod");
  g_assert_cmpstr (vmm_vm_info_get_datastore (vm), ==, "ds-1");
  g_assert_cmpstr (vmm_vm_info_get_folder (vm), ==, "vm/web");
  g_assert_cmpint (vmm_vm_info_get_power_state (vm), ==, VMM_POWER_STATE_RUNNING);
  g_assert_cmpuint (vmm_vm_info_get_memory_mib (vm), ==, 8192);
  g_assert_cmpuint (vmm_vm_info_get_vcpus (vm), ==, 4);
  g_assert_true (g_strv_equal ((const char *const *)vmm_vm_info_get_cpu_features (vm), features));
  g_assert_true (vmm_vm_info_get_cpu_features (vm) != features);
  g_assert_true (vmm_vm_info_get_migrating (vm));
  g_assert_cmpuint (vmm_vm_info_get_dirty_rate (vm), ==, 50000000);

  /* disks: lookup by key, replacement in place, storage size */
  vmm_disk_info_set_capacity (disk0, 10);
  vmm_disk_info_set_capacity (disk1, 20);
  vmm_disk_info_set_capacity (disk0b, 30);
  vmm_vm_info_add_disk (vm, disk0);
  vmm_vm_info_add_disk (vm, disk1);
  g_assert_cmpuint (vmm_vm_info_get_disks (vm)->len, ==, 2);
  g_assert_true (vmm_vm_info_lookup_disk (vm, "disk-0") == disk0);
  g_assert_true (vmm_vm_info_lookup_disk (vm, "disk-1") == disk1);
  g_assert_null (vmm_vm_info_lookup_disk (vm, "disk-2"));
  g_assert_null (vmm_vm_info_lookup_disk (vm, "DISK-0"));
  g_assert_cmpuint (vmm_vm_info_get_storage_size (vm), ==, 30);
  vmm_vm_info_add_disk (vm, disk0b);
  g_assert_cmpuint (vmm_vm_info_get_disks (vm)->len, ==, 2);
  g_assert_true (g_ptr_array_index (vmm_vm_info_get_disks (vm), 0) == disk0b);
  g_assert_true (vmm_vm_info_lookup_disk (vm, "disk-0") == disk0b);
  g_assert_cmpuint (vmm_vm_info_get_storage_size (vm), ==, 50);

  vmm_vm_info_add_device (vm, nic);
  vmm_vm_info_add_device (vm, nic);
  g_assert_cmpuint (vmm_vm_info_get_devices (vm)->len, ==, 1);
  g_assert_true (g_ptr_array_index (vmm_vm_info_get_devices (vm), 0) == nic);
}

static void
test_vm_info_copy (void)
{
  g_autoptr (VmmVmInfo) vm = build_vm ("db-01", "esx-01");
  g_autoptr (VmmVmInfo) copy = NULL;
  g_autoptr (VmmDiskInfo) extra = vmm_disk_info_new ("disk-9", "ds-9", NULL);
  g_autoptr (VmmDeviceInfo) nic = vmm_device_info_new ("nic-0", VMM_DEVICE_KIND_NIC);
  const char *features[] = { "avx512f", NULL };
  VmmDiskInfo *disk;
  VmmDeviceInfo *device;

  vmm_vm_info_set_id (vm, "id-1");
  vmm_vm_info_set_power_state (vm, VMM_POWER_STATE_SUSPENDED);
  vmm_vm_info_set_memory_mib (vm, 2048);
  vmm_vm_info_set_cpu_features (vm, features);
  vmm_vm_info_set_dirty_rate (vm, 7);
  vmm_device_info_set_connected (g_ptr_array_index (vmm_vm_info_get_devices (vm), 0), FALSE);

  copy = vmm_vm_info_copy (vm);
  g_assert_true (copy != vm);
  g_assert_cmpstr (vmm_vm_info_get_name (copy), ==, "db-01");
  g_assert_cmpstr (vmm_vm_info_get_id (copy), ==, "id-1");
  g_assert_cmpstr (vmm_vm_info_get_host (copy), ==, "esx-01");
  g_assert_cmpint (vmm_vm_info_get_power_state (copy), ==, VMM_POWER_STATE_SUSPENDED);
  g_assert_cmpuint (vmm_vm_info_get_memory_mib (copy), ==, 2048);
  g_assert_true (vmm_vm_info_get_cpu_features (copy) != vmm_vm_info_get_cpu_features (vm));
  g_assert_true (g_strv_equal ((const char *const *)vmm_vm_info_get_cpu_features (copy), features));
  g_assert_cmpuint (vmm_vm_info_get_dirty_rate (copy), ==, 7);
  g_assert_cmpuint (vmm_vm_info_get_storage_size (copy), ==, 1234);

  /* disks and devices are copies, not shared */
  g_assert_cmpuint (vmm_vm_info_get_disks (copy)->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      VmmDiskInfo *a = g_ptr_array_index (vmm_vm_info_get_disks (vm), i);
      VmmDiskInfo *b = g_ptr_array_index (vmm_vm_info_get_disks (copy), i);
      g_assert_true (a != b);
      g_assert_cmpstr (vmm_disk_info_get_key (a), ==, vmm_disk_info_get_key (b));
      g_assert_cmpstr (vmm_disk_info_get_datastore (a), ==, vmm_disk_info_get_datastore (b));
      g_assert_cmpuint (vmm_disk_info_get_capacity (a), ==, vmm_disk_info_get_capacity (b));
    }
  g_assert_cmpuint (vmm_vm_info_get_devices (copy)->len, ==, 1);
  device = g_ptr_array_index (vmm_vm_info_get_devices (copy), 0);
  g_assert_true (device != g_ptr_array_index (vmm_vm_info_get_devices (vm), 0));
  g_assert_cmpstr (vmm_device_info_get_key (device), ==, "cdrom-0");
  g_assert_cmpint (vmm_device_info_get_kind (device), ==, VMM_DEVICE_KIND_CDROM);
  g_assert_cmpstr (vmm_device_info_get_backing_datastore (device), ==, "local-1");
  g_assert_false (vmm_device_info_get_connected (device));

  /* mutating the copy in depth leaves the original */
  vmm_vm_info_set_host (copy, "esx-02");
  vmm_vm_info_set_cpu_features (copy, NULL);
  disk = vmm_vm_info_lookup_disk (copy, "disk-0");
  vmm_disk_info_set_datastore (disk, "ds-9");
  vmm_disk_info_set_capacity (disk, 1);
  vmm_vm_info_add_disk (copy, extra);
  vmm_device_info_set_backing_datastore (device, "nfs-1");
  vmm_vm_info_add_device (copy, nic);

  g_assert_cmpstr (vmm_vm_info_get_host (vm), ==, "esx-01");
  g_assert_true (g_strv_equal ((const char *const *)vmm_vm_info_get_cpu_features (vm), features));
  g_assert_cmpstr (vmm_disk_info_get_datastore (vmm_vm_info_lookup_disk (vm, "disk-0")), ==,
                   "ds-1");
  g_assert_cmpuint (vmm_vm_info_get_storage_size (vm), ==, 1234);
  g_assert_cmpuint (vmm_vm_info_get_disks (vm)->len, ==, 2);
  g_assert_null (vmm_vm_info_lookup_disk (vm, "disk-9"));
  g_assert_cmpuint (vmm_vm_info_get_devices (vm)->len, ==, 1);
  g_assert_cmpstr (
      vmm_device_info_get_backing_datastore (g_ptr_array_index (vmm_vm_info_get_devices (vm), 0)),
      ==, "local-1");
}

static void
test_inventory_lookup (void)
{
  g_autoptr (VmmInventory) inventory = vmm_inventory_new ();
  g_autoptr (VmmHostInfo) h1 = vmm_host_info_new ("esx-01");
  g_autoptr (VmmHostInfo) h2 = vmm_host_info_new ("esx-02");
  g_autoptr (VmmDatastoreInfo) d1 = vmm_datastore_info_new ("ds-1");
  g_autoptr (VmmDatastoreInfo) d2 = vmm_datastore_info_new ("ds-2");
  g_autoptr (VmmVmInfo) v1 = build_vm ("vm-1", "esx-01");
  g_autoptr (VmmVmInfo) v2 = build_vm ("vm-2", "esx-02");
  g_autoptr (VmmVmInfo) v3 = build_vm ("vm-3", "esx-01");

  g_assert_cmpuint (vmm_inventory_get_hosts (inventory)->len, ==, 0);
  g_assert_null (vmm_inventory_lookup_host (inventory, "esx-01"));

  vmm_inventory_add_host (inventory, h1);
  vmm_inventory_add_host (inventory, h2);
  vmm_inventory_add_datastore (inventory, d1);
  vmm_inventory_add_datastore (inventory, d2);
  vmm_inventory_add_vm (inventory, v1);
  vmm_inventory_add_vm (inventory, v2);
  vmm_inventory_add_vm (inventory, v3);
  /* adding the same object again changes nothing */
  vmm_inventory_add_vm (inventory, v2);

  g_assert_true (vmm_inventory_lookup_host (inventory, "esx-01") == h1);
  g_assert_true (vmm_inventory_lookup_host (inventory, "esx-02") == h2);
  g_assert_null (vmm_inventory_lookup_host (inventory, "esx-03"));
  g_assert_true (vmm_inventory_lookup_datastore (inventory, "ds-2") == d2);
  g_assert_null (vmm_inventory_lookup_datastore (inventory, "ds-3"));
  g_assert_true (vmm_inventory_lookup_vm (inventory, "vm-3") == v3);
  g_assert_null (vmm_inventory_lookup_vm (inventory, "VM-3"));

  /* listings keep insertion order */
  g_assert_cmpuint (vmm_inventory_get_hosts (inventory)->len, ==, 2);
  g_assert_true (g_ptr_array_index (vmm_inventory_get_hosts (inventory), 0) == h1);
  g_assert_true (g_ptr_array_index (vmm_inventory_get_hosts (inventory), 1) == h2);
  g_assert_cmpuint (vmm_inventory_get_datastores (inventory)->len, ==, 2);
  g_assert_true (g_ptr_array_index (vmm_inventory_get_datastores (inventory), 1) == d2);
  g_assert_cmpuint (vmm_inventory_get_vms (inventory)->len, ==, 3);
  g_assert_true (g_ptr_array_index (vmm_inventory_get_vms (inventory), 0) == v1);
  g_assert_true (g_ptr_array_index (vmm_inventory_get_vms (inventory), 1) == v2);
  g_assert_true (g_ptr_array_index (vmm_inventory_get_vms (inventory), 2) == v3);
}

static void
test_inventory_vms_on_host (void)
{
  g_autoptr (VmmInventory) inventory = vmm_inventory_new ();
  g_autoptr (GPtrArray) on_01 = NULL;
  g_autoptr (GPtrArray) on_02 = NULL;
  g_autoptr (GPtrArray) on_09 = NULL;
  const char *names[] = { "a", "b", "c", "d" };
  const char *hosts[] = { "esx-01", "esx-02", "esx-01", "esx-01" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (VmmVmInfo) vm = build_vm (names[i], hosts[i]);
      vmm_inventory_add_vm (inventory, vm);
    }

  on_01 = vmm_inventory_get_vms_on_host (inventory, "esx-01");
  on_02 = vmm_inventory_get_vms_on_host (inventory, "esx-02");
  on_09 = vmm_inventory_get_vms_on_host (inventory, "esx-09");
  g_assert_cmpuint (on_01->len, ==, 3);
  g_assert_cmpstr (vmm_vm_info_get_name (g_ptr_array_index (on_01, 0)), ==, "a");
  g_assert_cmpstr (vmm_vm_info_get_name (g_ptr_array_index (on_01, 1)), ==, "c");
  g_assert_cmpstr (vmm_vm_info_get_name (g_ptr_array_index (on_01, 2)), ==, "d");
  g_assert_cmpuint (on_02->len, ==, 1);
  g_assert_cmpuint (on_09->len, ==, 0);

  /* the array holds its own references: it outlives a removal */
  g_assert_true (vmm_inventory_remove_vm (inventory, "c"));
  g_assert_cmpstr (vmm_vm_info_get_name (g_ptr_array_index (on_01, 1)), ==, "c");
}

static void
test_inventory_replace (void)
{
  g_autoptr (VmmInventory) inventory = vmm_inventory_new ();
  g_autoptr (VmmHostInfo) h1 = vmm_host_info_new ("esx-01");
  g_autoptr (VmmHostInfo) h2 = vmm_host_info_new ("esx-02");
  g_autoptr (VmmDatastoreInfo) d1 = vmm_datastore_info_new ("ds-1");
  g_autoptr (VmmDatastoreInfo) d1b = vmm_datastore_info_new ("ds-1");
  VmmHostInfo *h1b = vmm_host_info_new ("esx-01");
  VmmVmInfo *v1 = build_vm ("vm-1", "esx-01");
  g_autoptr (VmmVmInfo) v2 = build_vm ("vm-2", "esx-01");
  g_autoptr (VmmVmInfo) v1b = build_vm ("vm-1", "esx-02");
  g_autoptr (GPtrArray) moved = NULL;

  vmm_inventory_add_host (inventory, h1);
  vmm_inventory_add_host (inventory, h2);
  vmm_inventory_add_datastore (inventory, d1);
  vmm_inventory_add_vm (inventory, v1);
  vmm_inventory_add_vm (inventory, v2);

  /* a new object under an existing name takes the old one's place */
  vmm_inventory_add_host (inventory, h1b);
  g_assert_true (vmm_inventory_lookup_host (inventory, "esx-01") == h1b);
  g_assert_cmpuint (vmm_inventory_get_hosts (inventory)->len, ==, 2);
  g_assert_true (g_ptr_array_index (vmm_inventory_get_hosts (inventory), 0) == h1b);
  g_assert_true (g_ptr_array_index (vmm_inventory_get_hosts (inventory), 1) == h2);
  /* the inventory's reference to h1b is the only one left after this */
  g_object_add_weak_pointer (G_OBJECT (h1b), (gpointer *)&h1b);
  g_object_unref (h1b);
  g_assert_nonnull (h1b);

  vmm_inventory_add_datastore (inventory, d1b);
  g_assert_true (vmm_inventory_lookup_datastore (inventory, "ds-1") == d1b);
  g_assert_cmpuint (vmm_inventory_get_datastores (inventory)->len, ==, 1);

  /* the replaced VM is released by the inventory */
  g_object_add_weak_pointer (G_OBJECT (v1), (gpointer *)&v1);
  g_object_unref (v1);
  g_assert_nonnull (v1);
  vmm_inventory_add_vm (inventory, v1b);
  g_assert_null (v1);
  g_assert_true (vmm_inventory_lookup_vm (inventory, "vm-1") == v1b);
  g_assert_cmpuint (vmm_inventory_get_vms (inventory)->len, ==, 2);
  g_assert_true (g_ptr_array_index (vmm_inventory_get_vms (inventory), 0) == v1b);
  g_assert_true (g_ptr_array_index (vmm_inventory_get_vms (inventory), 1) == v2);
  moved = vmm_inventory_get_vms_on_host (inventory, "esx-02");
  g_assert_cmpuint (moved->len, ==, 1);
  g_assert_true (g_ptr_array_index (moved, 0) == v1b);

  /* dropping the inventory drops its references */
  g_clear_object (&inventory);
  g_assert_null (h1b);
}

static void
test_inventory_remove (void)
{
  g_autoptr (VmmInventory) inventory = vmm_inventory_new ();
  const char *names[] = { "vm-1", "vm-2", "vm-3", "vm-4" };
  GPtrArray *vms = vmm_inventory_get_vms (inventory);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (VmmVmInfo) vm = vmm_vm_info_new (names[i]);
      vmm_inventory_add_vm (inventory, vm);
    }

  g_assert_true (vmm_inventory_remove_vm (inventory, "vm-2"));
  g_assert_false (vmm_inventory_remove_vm (inventory, "vm-2"));
  g_assert_false (vmm_inventory_remove_vm (inventory, "vm-9"));
  g_assert_null (vmm_inventory_lookup_vm (inventory, "vm-2"));
  g_assert_cmpuint (vms->len, ==, 3);
  g_assert_cmpstr (vmm_vm_info_get_name (g_ptr_array_index (vms, 0)), ==, "vm-1");
  g_assert_cmpstr (vmm_vm_info_get_name (g_ptr_array_index (vms, 1)), ==, "vm-3");
  g_assert_cmpstr (vmm_vm_info_get_name (g_ptr_array_index (vms, 2)), ==, "vm-4");
  g_assert_nonnull (vmm_inventory_lookup_vm (inventory, "vm-3"));

  /* a removed name can be added again, at the end */
  {
    g_autoptr (VmmVmInfo) vm = vmm_vm_info_new ("vm-2");
    vmm_inventory_add_vm (inventory, vm);
    g_assert_true (vmm_inventory_lookup_vm (inventory, "vm-2") == vm);
    g_assert_true (g_ptr_array_index (vms, 3) == vm);
  }
}

static void
test_inventory_networks (void)
{
  g_autoptr (VmmInventory) inventory = vmm_inventory_new ();
  g_autoptr (VmmHostInfo) h1 = vmm_host_info_new ("esx-01");
  g_autoptr (VmmHostInfo) h2 = vmm_host_info_new ("esx-02");
  g_autoptr (VmmHostInfo) h3 = vmm_host_info_new ("esx-03");
  g_auto (GStrv) none = NULL;
  g_auto (GStrv) networks = NULL;
  const char *n1[] = { "vMotion", "VM Network", "backup", NULL };
  const char *n2[] = { "VM Network", "prod", "vMotion", NULL };
  const char *expected[] = { "VM Network", "backup", "prod", "vMotion", NULL };

  none = vmm_inventory_get_networks (inventory);
  g_assert_nonnull (none);
  g_assert_null (none[0]);

  vmm_host_info_set_networks (h1, n1);
  vmm_host_info_set_networks (h2, n2);
  /* h3 has no network */
  vmm_inventory_add_host (inventory, h1);
  vmm_inventory_add_host (inventory, h2);
  vmm_inventory_add_host (inventory, h3);
  networks = vmm_inventory_get_networks (inventory);
  g_assert_true (g_strv_equal ((const char *const *)networks, expected));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/inventory/host-info", test_host_info);
  g_test_add_func ("/inventory/datastore-info", test_datastore_info);
  g_test_add_func ("/inventory/disk-info", test_disk_info);
  g_test_add_func ("/inventory/device-info", test_device_info);
  g_test_add_func ("/inventory/vm-info", test_vm_info);
  g_test_add_func ("/inventory/vm-info/copy", test_vm_info_copy);
  g_test_add_func ("/inventory/lookup", test_inventory_lookup);
  g_test_add_func ("/inventory/vms-on-host", test_inventory_vms_on_host);
  g_test_add_func ("/inventory/replace", test_inventory_replace);
  g_test_add_func ("/inventory/remove", test_inventory_remove);
  g_test_add_func ("/inventory/networks", test_inventory_networks);

  return g_test_run ();
}
