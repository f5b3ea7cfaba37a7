/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The libvirt backend against two real libvirt daemons (tests/libvirt/hosts.sh)
 * and real QEMU/TCG guests (tests/libvirt/guest.sh). main() starts the hosts
 * once, runs every case and stops them again, also when a case aborts. */
#include "lv-peer.h"

/* --- cases --- */

static void
test_inventory (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmInventory) inv = NULL;
  VmmHostInfo *a, *b;
  VmmDatastoreInfo *shared, *local_b;
  VmmVmInfo *vm;

  guest ("idle", "inv1", "kvm-a");
  inv = vmm_backend_query_inventory (backend, NULL, &error);
  g_assert_no_error (error);
  a = vmm_inventory_lookup_host (inv, "kvm-a");
  b = vmm_inventory_lookup_host (inv, "kvm-b");
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpstr (vmm_host_info_get_zone (a), ==, "az1");
  g_assert_cmpint (vmm_host_info_get_state (b), ==, VMM_HOST_STATE_CONNECTED);
  g_assert_cmpuint (vmm_host_info_get_memory_mib (a), >, 0);
  g_assert_cmpuint (vmm_host_info_get_vcpus (a), >, 0);
  g_assert_cmpuint (vmm_host_info_get_vcpus_used (a), >=, 1);
  shared = vmm_inventory_lookup_datastore (inv, "shared");
  local_b = vmm_inventory_lookup_datastore (inv, "kvm-b/local");
  g_assert_nonnull (shared);
  g_assert_nonnull (local_b);
  g_assert_true (vmm_datastore_info_get_shared (shared));
  g_assert_true (vmm_datastore_info_is_mounted_on (shared, "kvm-a"));
  g_assert_true (vmm_datastore_info_is_mounted_on (shared, "kvm-b"));
  g_assert_false (vmm_datastore_info_get_shared (local_b));
  g_assert_false (vmm_datastore_info_is_mounted_on (local_b, "kvm-a"));
  g_assert_cmpuint (vmm_datastore_info_get_free (local_b), >, 0);
  vm = vmm_inventory_lookup_vm (inv, "inv1");
  g_assert_nonnull (vm);
  g_assert_cmpstr (vmm_vm_info_get_host (vm), ==, "kvm-a");
  g_assert_cmpint (vmm_vm_info_get_power_state (vm), ==, VMM_POWER_STATE_RUNNING);
  g_assert_cmpuint (vmm_vm_info_get_memory_mib (vm), ==, 128);
  g_assert_cmpuint (vmm_vm_info_get_vcpus (vm), ==, 1);
  destroy_guest ("inv1");
}

static void
got_inventory (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VmmInventory **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = vmm_backend_query_inventory_finish (VMM_BACKEND (source), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out);
}

/* Requests made in one main-loop iteration share one read; a request made
 * after it, or from another main context, gets a read of its own. */
static void
test_inventory_shared_read (void)
{
  VmmInventory *inv[5] = { NULL };
  g_autoptr (GMainContext) other = g_main_context_new ();

  for (guint i = 0; i < 3; i++)
    vmm_backend_query_inventory_async (backend, NULL, got_inventory, &inv[i]);
  g_main_context_push_thread_default (other);
  vmm_backend_query_inventory_async (backend, NULL, got_inventory, &inv[3]);
  while (inv[3] == NULL)
    g_main_context_iteration (other, TRUE);
  g_main_context_pop_thread_default (other);
  while (inv[0] == NULL || inv[1] == NULL || inv[2] == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (inv[1] == inv[0]);
  g_assert_true (inv[2] == inv[0]);
  g_assert_true (inv[3] != inv[0]);
  g_assert_nonnull (vmm_inventory_lookup_host (inv[0], "kvm-a"));
  g_assert_nonnull (vmm_inventory_lookup_host (inv[3], "kvm-b"));
  vmm_backend_query_inventory_async (backend, NULL, got_inventory, &inv[4]);
  while (inv[4] == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (inv[4] != inv[0]);
  g_assert_nonnull (vmm_inventory_lookup_host (inv[4], "kvm-a"));
  for (guint i = 0; i < G_N_ELEMENTS (inv); i++)
    g_object_unref (inv[i]);
}

static void
test_hot_host (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = NULL;
  g_autoptr (VmmMigrationResult) back = NULL;
  Watch watch = { 0 };

  guest ("idle", "hot1", "kvm-a");
  assert_alive ("hot1");
  res = move ("hot1", "{\"host\": \"kvm-b\", \"max-downtime-ms\": 100}", &watch, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (res), ==, VMM_MIGRATION_TYPE_HOT_HOST);
  g_assert_cmpstr (vmm_migration_result_get_host (res), ==, "kvm-b");
  g_assert_cmpint (vmm_migration_result_get_downtime_ms (res), >, 0);
  g_assert_cmpint (vmm_migration_result_get_downtime_ms (res), <, 5000);
  g_assert_cmpuint (vmm_migration_result_get_bytes_moved (res), >, 1024 * 1024);
  g_assert_true (watch.monotone);
  g_assert_cmpuint (watch.n_progress, >, 0);
  g_printerr ("# downtime %" G_GINT64_FORMAT " ms, %" G_GUINT64_FORMAT " bytes\n",
              vmm_migration_result_get_downtime_ms (res),
              vmm_migration_result_get_bytes_moved (res));
  assert_runs_only_on ("hot1", "kvm-b");
  {
    /* persistent: defined on the destination, undefined on the source */
    g_autofree char *persistent = virsh ("kvm-b", "dominfo hot1 | grep Persistent");
    g_autofree char *old = domstate ("kvm-a", "hot1");

    g_assert_nonnull (strstr (persistent, "yes"));
    g_assert_cmpstr (old, ==, "absent");
  }
  assert_alive ("hot1");
  back = move ("hot1", "{\"host\": \"kvm-a\"}", NULL, &error);
  g_assert_no_error (error);
  assert_runs_only_on ("hot1", "kvm-a");
  assert_alive ("hot1");
  g_ptr_array_unref (watch.warnings);
  destroy_guest ("hot1");
}

/* A disk on the pool the description marks shared: a plain host move
 * (libvirt needs VIR_MIGRATE_UNSAFE for it, which only such a pool gets) */
static void
test_hot_host_shared (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;

  disk_guest ("sh1", "kvm-a", "shared");
  assert_alive ("sh1");
  src = disk_path ("kvm-a", "sh1", "vda", FALSE);
  res = move ("sh1", "{\"host\": \"kvm-b\"}", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (res), ==, VMM_MIGRATION_TYPE_HOT_HOST);
  assert_runs_only_on ("sh1", "kvm-b");
  dst = disk_path ("kvm-b", "sh1", "vda", FALSE);
  g_assert_cmpstr (dst, ==, src);
  g_assert_cmpstr (vmm_disk_info_get_path (vmm_migration_result_lookup_disk (res, "vda")), ==, dst);
  g_assert_true (g_file_test (src, G_FILE_TEST_EXISTS));
  assert_alive ("sh1");
  destroy_guest ("sh1");
  g_unlink (src);
}

static void
test_hot_host_and_storage (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  VmmDiskInfo *disk;

  disk_guest ("hs1", "kvm-a", "local");
  assert_alive ("hs1");
  src = disk_path ("kvm-a", "hs1", "vda", FALSE);
  res = move ("hs1", "{\"host\": \"kvm-b\", \"datastore\": \"kvm-b/local\"}", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (res), ==,
                   VMM_MIGRATION_TYPE_HOT_HOST_AND_STORAGE);
  assert_runs_only_on ("hs1", "kvm-b");
  dst = disk_path ("kvm-b", "hs1", "vda", FALSE);
  disk = vmm_migration_result_lookup_disk (res, "vda");
  g_assert_nonnull (disk);
  /* the result's path is what the destination reports */
  g_assert_cmpstr (vmm_disk_info_get_path (disk), ==, dst);
  g_assert_true (g_str_has_prefix (dst, statedir));
  g_assert_nonnull (strstr (dst, "/kvm-b/images/"));
  {
    g_autofree char *persistent = disk_path ("kvm-b", "hs1", "vda", TRUE);

    g_assert_cmpstr (persistent, ==, dst);
  }
  /* the source volume went only after the destination was verified */
  g_assert_false (g_file_test (src, G_FILE_TEST_EXISTS));
  assert_alive ("hs1");
  destroy_guest ("hs1");
}

static void
test_storage_only (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *persistent = NULL;
  Watch watch = { 0 };

  disk_guest ("so1", "kvm-a", "local");
  assert_alive ("so1");
  src = disk_path ("kvm-a", "so1", "vda", FALSE);
  res = move ("so1", "{\"datastore\": \"shared\", \"allow-storage-class-change\": true}", &watch,
              &error);
  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (res), ==,
                   VMM_MIGRATION_TYPE_HOT_STORAGE);
  assert_runs_only_on ("so1", "kvm-a");
  dst = disk_path ("kvm-a", "so1", "vda", FALSE);
  persistent = disk_path ("kvm-a", "so1", "vda", TRUE);
  g_assert_cmpstr (vmm_disk_info_get_path (vmm_migration_result_lookup_disk (res, "vda")), ==, dst);
  g_assert_cmpstr (persistent, ==, dst);
  g_assert_true (g_str_has_prefix (dst, statedir));
  g_assert_nonnull (strstr (dst, "/shared/"));
  g_assert_false (g_file_test (src, G_FILE_TEST_EXISTS));
  g_assert_true (watch.monotone);
  assert_alive ("so1");
  g_ptr_array_unref (watch.warnings);

  /* back to local storage with keep-source-disks: the shared copy stays,
   * and the result names it */
  {
    g_autoptr (VmmMigrationResult) back = NULL;
    g_autofree char *local = NULL;
    g_autofree char *deleted = NULL;
    gboolean named = FALSE;

    back = move ("so1",
                 "{\"datastore\": \"kvm-a/local\", \"allow-storage-class-change\": true, "
                 "\"keep-source-disks\": true}",
                 NULL, &error);
    g_assert_no_error (error);
    local = disk_path ("kvm-a", "so1", "vda", TRUE);
    g_assert_cmpstr (local, !=, dst);
    g_assert_true (g_file_test (dst, G_FILE_TEST_EXISTS));
    for (const char *const *w = vmm_migration_result_get_warnings (back); *w != NULL; w++)
      named |= g_str_has_prefix (*w, "keep-source-disks") && strstr (*w, dst) != NULL;
    g_assert_true (named);
    assert_alive ("so1");
    deleted = virsh ("kvm-a", "vol-delete %s", dst);
  }
  destroy_guest ("so1");
}

static void
test_cold (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *stopped = NULL;
  g_autofree char *started = NULL;
  g_autofree char *old = NULL;

  disk_guest ("cold1", "kvm-a", "local");
  src = disk_path ("kvm-a", "cold1", "vda", TRUE);
  stopped = virsh ("kvm-a", "destroy cold1");
  res = move ("cold1", "{\"host\": \"kvm-b\", \"datastore\": \"kvm-b/local\"}", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (res), ==, VMM_MIGRATION_TYPE_COLD);
  old = domstate ("kvm-a", "cold1");
  g_assert_cmpstr (old, ==, "absent");
  dst = disk_path ("kvm-b", "cold1", "vda", TRUE);
  g_assert_cmpstr (vmm_disk_info_get_path (vmm_migration_result_lookup_disk (res, "vda")), ==, dst);
  g_assert_nonnull (strstr (dst, "/kvm-b/images/"));
  g_assert_false (g_file_test (src, G_FILE_TEST_EXISTS));
  /* the copy boots on its new host */
  started = virsh ("kvm-b", "start cold1");
  assert_runs_only_on ("cold1", "kvm-b");
  assert_alive ("cold1");
  destroy_guest ("cold1");
}

static void
assert_refused (const char *vm, const char *spec, int code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = move (vm, spec, NULL, &error);

  g_assert_null (res);
  g_assert_error (error, VMM_ERROR, code);
  if (strstr (error->message, fragment) == NULL)
    g_error ("'%s' not in: %s", fragment, error->message);
}

static void
test_precheck_cpu (void)
{
  /* a definition that requires avx512f: TCG lacks it (the guest still runs
   * here with the feature off, check='none'), and so does kvm-b */
  g_assert_cmpint (
      sh (NULL,
          "set -e; '%s/guest.sh' xml idle '%s' cpu1 | sed \"s#<vcpu>1</vcpu>#<vcpu>1</vcpu>"
          "<cpu mode='custom' match='exact' check='none'><model fallback='allow'>qemu64"
          "</model><feature policy='require' name='avx512f'/></cpu>#\" > '%s/cpu1.xml';"
          ": > '%s/guests/cpu1.console';"
          "virsh -q -c '%s' define '%s/cpu1.xml' >&2; virsh -q -c '%s' start cpu1 >&2",
          scripts, statedir, statedir, statedir, uri_a, statedir, uri_a),
      ==, 0);
  assert_refused ("cpu1", "{\"host\": \"kvm-b\"}", VMM_ERROR_INCOMPATIBLE,
                  "missing features: avx512f");
  assert_runs_only_on ("cpu1", "kvm-a");
  destroy_guest ("cpu1");
}

static void
test_precheck_iso (void)
{
  /* a CD-ROM whose ISO lies in kvm-a's local pool, which kvm-b cannot reach */
  g_assert_cmpint (
      sh (NULL,
          "set -e; head -c 1M /dev/zero > '%s/kvm-a/images/boot.iso';"
          "virsh -q -c '%s' pool-refresh local >&2;"
          "'%s/guest.sh' xml idle '%s' iso1 | sed \"s#<devices>#<devices><disk type='file' "
          "device='cdrom'><driver name='qemu' type='raw'/><source file='%s/kvm-a/images/"
          "boot.iso'/><target dev='sdc' bus='sata'/><readonly/></disk>#\" > '%s/iso1.xml';"
          ": > '%s/guests/iso1.console';"
          "virsh -q -c '%s' define '%s/iso1.xml' >&2; virsh -q -c '%s' start iso1 >&2",
          statedir, uri_a, scripts, statedir, statedir, statedir, statedir, uri_a, statedir, uri_a),
      ==, 0);
  assert_refused ("iso1", "{\"host\": \"kvm-b\"}", VMM_ERROR_INCOMPATIBLE, "kvm-a/local");
  assert_runs_only_on ("iso1", "kvm-a");
  destroy_guest ("iso1");
}

static void
test_precheck_pool (void)
{
  g_autofree char *out = NULL;

  disk_guest ("pool1", "kvm-a", "local");
  /* missing */
  assert_refused ("pool1", "{\"host\": \"kvm-b\", \"datastore\": \"kvm-b/nosuchpool\"}",
                  VMM_ERROR_NOT_FOUND, "kvm-b/nosuchpool");
  /* inactive */
  out = virsh ("kvm-b", "pool-destroy local");
  assert_refused ("pool1", "{\"host\": \"kvm-b\", \"datastore\": \"kvm-b/local\"}",
                  VMM_ERROR_INCOMPATIBLE, "offline");
  g_free (out);
  out = virsh ("kvm-b", "pool-start local");
  assert_runs_only_on ("pool1", "kvm-a");
  destroy_guest ("pool1");
}

static void
test_precheck_memory (void)
{
  g_autofree char *total = NULL;
  guint64 kib;

  /* a guest whose memory is all of the host's: QEMU allocates it lazily (it
   * idles in its firmware), but no destination has that much free */
  total = virsh ("kvm-b", "nodeinfo | awk '/Memory size/ {print $3}'");
  kib = g_ascii_strtoull (total, NULL, 10);
  g_assert_cmpuint (kib, >, 0);
  g_assert_cmpint (
      sh (NULL,
          "set -e; cat > '%s/mem1.xml' <<EOF\n"
          "<domain type='qemu'><name>mem1</name><memory unit='KiB'>%" G_GUINT64_FORMAT
          "</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
          "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator><controller type='usb' "
          "model='none'/><memballoon model='none'/></devices></domain>\nEOF\n"
          "virsh -q -c '%s' create '%s/mem1.xml' >&2",
          statedir, kib - 65536, uri_a, statedir),
      ==, 0);
  assert_refused ("mem1", "{\"host\": \"kvm-b\"}", VMM_ERROR_INSUFFICIENT_CAPACITY,
                  "MiB of memory free");
  assert_runs_only_on ("mem1", "kvm-a");
  destroy_guest ("mem1");
}

static void
test_abort (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = NULL;
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  Watch watch = { 0 };

  guest ("idle", "ab1", "kvm-a");
  assert_alive ("ab1");
  watch.cancel_at_progress = cancel;
  watch.cancel_after_bytes = 4 * 1024 * 1024;
  res = move ("ab1", "{\"host\": \"kvm-b\", \"bandwidth-mibps\": 2}", &watch, &error);
  g_assert_null (res);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "kvm-a"));
  assert_runs_only_on ("ab1", "kvm-a");
  assert_alive ("ab1");
  g_ptr_array_unref (watch.warnings);

  /* the same guest: the engine's completion timeout with on-timeout abort */
  g_clear_error (&error);
  res = move ("ab1",
              "{\"host\": \"kvm-b\", \"bandwidth-mibps\": 2, \"completion-timeout-s\": 4, "
              "\"on-timeout\": \"abort\"}",
              NULL, &error);
  g_assert_null (res);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_TIMEOUT);
  assert_runs_only_on ("ab1", "kvm-a");
  assert_alive ("ab1");
  destroy_guest ("ab1");
}

static void
test_destination_killed (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = NULL;
  g_autofree char *kill_cmd = NULL;
  Watch watch = { 0 };

  guest ("idle", "kill1", "kvm-a");
  assert_alive ("kill1");
  kill_cmd = g_strdup_printf ("kill -9 $(cat '%s/kvm-b/run/libvirtd.pid')", statedir);
  watch.run_at_progress = kill_cmd;
  watch.cancel_after_bytes = 4 * 1024 * 1024;
  res = move ("kill1", "{\"host\": \"kvm-b\", \"bandwidth-mibps\": 2}", &watch, &error);
  g_assert_true (watch.ran);
  g_assert_null (res);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  g_assert_nonnull (strstr (error->message, "libvirt"));
  g_assert_nonnull (strstr (error->message, "the VM is on its source host 'kvm-a'"));
  g_assert_cmpint (sh (NULL, "'%s/hosts.sh' restart-host '%s' kvm-b >&2", scripts, statedir), ==,
                   0);
  assert_runs_only_on ("kill1", "kvm-a");
  assert_alive ("kill1");
  g_ptr_array_unref (watch.warnings);
  destroy_guest ("kill1");
}

static void
test_pool_deactivated (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = NULL;
  g_autofree char *src = NULL;
  g_autofree char *now = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *out = NULL;
  Watch watch = { 0 };

  disk_guest ("pd1", "kvm-a", "local");
  assert_alive ("pd1");
  src = disk_path ("kvm-a", "pd1", "vda", FALSE);
  cmd = g_strdup_printf ("virsh -q -c '%s' pool-destroy local >&2", uri_b);
  watch.run_at_progress = cmd;
  watch.cancel_after_bytes = 2 * 1024 * 1024;
  res = move ("pd1",
              "{\"host\": \"kvm-b\", \"datastore\": \"kvm-b/local\", \"bandwidth-mibps\": 2}",
              &watch, &error);
  g_assert_true (watch.ran);
  g_assert_null (res);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "became inactive"));
  g_assert_nonnull (strstr (error->message, "the VM is on its source host 'kvm-a'"));
  out = virsh ("kvm-b", "pool-start local");
  assert_runs_only_on ("pd1", "kvm-a");
  now = disk_path ("kvm-a", "pd1", "vda", FALSE);
  g_assert_cmpstr (now, ==, src);
  g_assert_true (g_file_test (src, G_FILE_TEST_EXISTS));
  assert_alive ("pd1");
  g_ptr_array_unref (watch.warnings);
  destroy_guest ("pd1");
}

static void
test_open_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmBackend) bad = NULL;
  g_autoptr (VmmBackend) single = NULL;
  g_autoptr (VmmInventory) inv = NULL;
  g_autofree char *local = NULL;
  g_autofree char *path = g_build_filename (statedir, "bad-cluster.json", NULL);
  g_autofree char *uri = g_strdup_printf ("libvirt://%s", path);
  g_autofree char *json = g_strdup_printf (
      "{\"hosts\": {\"kvm-x\": {\"uri\": \"qemu+unix:///system?socket=%s/nowhere/sock\"}}}",
      statedir);

  bad = vmm_backend_open ("libvirt:///nonexistent/cluster.json", NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "/nonexistent/cluster.json"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "{\"hosts\": {\"kvm-x\": {}}}", -1, NULL));
  bad = vmm_backend_open (uri, NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "hosts.kvm-x.uri"));
  g_clear_error (&error);

  /* libvirt's own message is kept */
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  bad = vmm_backend_open (uri, NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  g_assert_nonnull (strstr (error->message, "host 'kvm-x'"));
  g_assert_nonnull (strstr (error->message, "libvirt: Failed to connect socket"));
  g_clear_error (&error);

  /* one libvirt URI: one host */
  guest ("idle", "single1", "kvm-a");
  single = vmm_backend_open (uri_a, NULL, &error);
  g_assert_no_error (error);
  inv = vmm_backend_query_inventory (single, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vmm_inventory_get_hosts (inv)->len, ==, 1);
  g_assert_nonnull (vmm_inventory_lookup_vm (inv, "single1"));
  local = g_strdup_printf (
      "%s/local", vmm_host_info_get_name (g_ptr_array_index (vmm_inventory_get_hosts (inv), 0)));
  g_assert_nonnull (vmm_inventory_lookup_datastore (inv, local));
  destroy_guest ("single1");
}

/* A guest that dirties memory faster than the link: the backend raises the
 * max downtime in steps when the remaining bytes stop falling, then switches
 * to post-copy, and the result's warnings say what it applied and when. */
static void
test_convergence (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = NULL;
  const char *const *warnings;
  gboolean raised = FALSE, post_copy = FALSE;

  guest ("dirty", "conv1", "kvm-a");
  assert_alive ("conv1");
  {
    /* the dirty rate libvirt measured is a fact the plan's forecast uses */
    g_autoptr (VmmInventory) inv = NULL;
    guint64 rate = 0;

    g_free (virsh ("kvm-a", "domdirtyrate-calc conv1 --seconds 1"));
    for (guint i = 0; i < 20 && rate == 0; i++)
      {
        g_usleep (250 * 1000);
        g_clear_object (&inv);
        inv = vmm_backend_query_inventory (backend, NULL, &error);
        g_assert_no_error (error);
        rate = vmm_vm_info_get_dirty_rate (vmm_inventory_lookup_vm (inv, "conv1"));
      }
    g_printerr ("# conv1 dirty rate %" G_GUINT64_FORMAT " MiB/s\n", rate >> 20);
    g_assert_cmpuint (rate, >, 1024 * 1024);
  }
  res = move ("conv1",
              "{\"host\": \"kvm-b\", \"bandwidth-mibps\": 60, \"max-downtime-ms\": 200, "
              "\"post-copy\": true, \"completion-timeout-s\": 180}",
              NULL, &error);
  g_assert_no_error (error);
  warnings = vmm_migration_result_get_warnings (res);
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    {
      if (strstr (warnings[i], "max downtime raised to") != NULL)
        raised = TRUE;
      if (strstr (warnings[i], "switched to post-copy") != NULL)
        post_copy = TRUE;
    }
  g_assert_true (raised);
  g_assert_true (post_copy);
  assert_runs_only_on ("conv1", "kvm-b");
  /* under TCG this busy guest may die after a move (QEMU 7.2, see README):
   * that is reported, not hidden */
  assert_alive ("conv1");
  destroy_guest ("conv1");
}

static gboolean
has_warning (VmmMigrationResult *res, const char *fragment)
{
  const char *const *warnings = vmm_migration_result_get_warnings (res);

  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    if (strstr (warnings[i], fragment) != NULL)
      return TRUE;
  return FALSE;
}

/* The engine's completion timeout hits a live move of a guest (@kind: dirty
 * or idle) that cannot finish in time (its bandwidth kept low), and the
 * spec's on-timeout action makes it finish another way: the move succeeds,
 * the result says what was applied, and the guest runs (its counter
 * advances) on kvm-b. Returns the downtime the result reports. */
static gint64
timeout_action_case (const char *vm, const char *kind, const char *action, guint bandwidth_mibps,
                     const char *extra)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = NULL;
  g_autofree char *spec = g_strdup_printf (
      "{\"host\": \"kvm-b\", \"bandwidth-mibps\": %u, \"completion-timeout-s\": 3, "
      "\"on-timeout\": \"%s\"%s}",
      bandwidth_mibps, action, extra);
  g_autofree char *engine_says = g_strdup_printf ("applied on-timeout %s", action);
  g_autofree char *backend_says = g_strdup_printf ("libvirt: on-timeout %s:", action);
  g_autofree char *old = NULL;
  gint64 downtime;

  guest (kind, vm, "kvm-a");
  assert_alive (vm);
  res = move (vm, spec, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vmm_migration_result_get_migration_type (res), ==, VMM_MIGRATION_TYPE_HOT_HOST);
  g_assert_cmpstr (vmm_migration_result_get_host (res), ==, "kvm-b");
  /* the engine's timeout fired, and the backend applied the action */
  g_assert_true (has_warning (res, engine_says));
  g_assert_true (has_warning (res, backend_says));
  /* running (not paused) on kvm-b, defined there, gone from kvm-a */
  assert_runs_only_on (vm, "kvm-b");
  old = domstate ("kvm-a", vm);
  g_assert_cmpstr (old, ==, "absent");
  /* under TCG this busy guest may die after a move (QEMU 7.2, see README):
   * that is reported, not hidden */
  assert_alive (vm);
  destroy_guest (vm);
  downtime = vmm_migration_result_get_downtime_ms (res);
  g_printerr ("# %s: downtime %" G_GINT64_FORMAT " ms\n", action, downtime);
  return downtime;
}

static void
test_timeout_post_copy (void)
{
  /* libvirt's job statistics give no downtime for a post-copy move: the
   * backend measures it from the lifecycle events (the source's SUSPENDED
   * for post-copy to the destination's RESUMED), so the result has one */
  gint64 downtime = timeout_action_case ("tpc1", "dirty", "post-copy", 5, ", \"post-copy\": true");

  g_assert_cmpint (downtime, >, 0);
  g_assert_cmpint (downtime, <, 5000);
}

static void
test_timeout_force_complete (void)
{
  /* an idle guest held back by its bandwidth: lifting the limits finishes
   * it. (A busy guest works too, but under TCG it died after one of two
   * such moves here, the QEMU 7.2 dirty-tracking bug the README describes.) */
  (void)timeout_action_case ("tfc1", "idle", "force-complete", 2, "");
}

static void
test_timeout_suspend (void)
{
  /* the rest goes over at the spec's bandwidth while the guest is paused;
   * an idle guest held back by its bandwidth (a busy one also completed,
   * but died right after one of four such moves here: a kernel panic on
   * list corruption, the TCG dirty-tracking bug again) */
  (void)timeout_action_case ("tsu1", "idle", "suspend", 10, "");
}

/* A running guest moved cold with a restart ("migration-type": "cold",
 * "fallback-cold": true) from kvm-a to kvm-b's local pool: PowerOffVm (the
 * test guests ignore ACPI, so it is forced off after the description's
 * shutdown-timeout-s), its volume streamed to kvm-b, defined there,
 * PowerOnVm starts it there. When PowerOnVm starts, the console is emptied
 * (the guest boots again and its counter starts over) and @inject runs;
 * *@injections counts how often. */
static VmmMigrationResult *
cold_restart (const char *vm, const char *inject, char **src, guint *injections, GError **error)
{
  VmmMigrationResult *res;
  Watch watch = { 0 };

  disk_guest (vm, "kvm-a", "local");
  assert_alive (vm);
  *src = disk_path ("kvm-a", vm, "vda", FALSE);
  watch.run_at_action = "PowerOnVm";
  watch.run_at_action_cmd
      = g_strdup_printf (": > '%s/guests/%s.console'; %s", statedir, vm, inject);
  res = move (vm,
              "{\"host\": \"kvm-b\", \"datastore\": \"kvm-b/local\", \"migration-type\": \"cold\", "
              "\"fallback-cold\": true}",
              &watch, error);
  *injections = watch.ran_at_action;
  g_free (watch.run_at_action_cmd);
  g_ptr_array_unref (watch.warnings);
  return res;
}

static void
test_cold_restart (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *old = NULL;
  guint injections = 0;

  res = cold_restart ("cr1", "true", &src, &injections, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (injections, ==, 1);
  g_assert_cmpint (vmm_migration_result_get_migration_type (res), ==, VMM_MIGRATION_TYPE_COLD);
  g_assert_cmpstr (vmm_migration_result_get_host (res), ==, "kvm-b");
  g_assert_true (has_warning (res, "forced off on 'kvm-a'"));
  assert_runs_only_on ("cr1", "kvm-b");
  old = domstate ("kvm-a", "cr1");
  g_assert_cmpstr (old, ==, "absent");
  dst = disk_path ("kvm-b", "cr1", "vda", FALSE);
  g_assert_cmpstr (vmm_disk_info_get_path (vmm_migration_result_lookup_disk (res, "vda")), ==, dst);
  g_assert_nonnull (strstr (dst, "/kvm-b/images/"));
  g_assert_false (g_file_test (src, G_FILE_TEST_EXISTS));
  assert_alive ("cr1");
  destroy_guest ("cr1");
}

/* The same cold restart failing after PowerOffVm: the destination's copy of
 * the volume vanishes when PowerOnVm starts, so the guest cannot start on
 * kvm-b. Every step is undone: undefined on kvm-b, defined again and
 * started on kvm-a on its own volume. */
static void
test_cold_restart_fails (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = NULL;
  g_autofree char *src = NULL;
  g_autofree char *now = NULL;
  g_autofree char *there = NULL;
  g_autofree char *inject = g_strdup_printf ("rm -f '%s/kvm-b/images/cr2.qcow2'", statedir);
  guint injections = 0;

  res = cold_restart ("cr2", inject, &src, &injections, &error);
  /* the engine may try the cold restart more than once (fallback-cold);
   * each attempt meets the same vanished volume */
  g_assert_cmpuint (injections, >=, 1);
  g_assert_null (res);
  g_assert_error (error, VMM_ERROR, VMM_ERROR_BACKEND);
  if (strstr (error->message, "cannot start 'cr2' on host 'kvm-b'") == NULL)
    g_error ("unexpected error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "the VM is on its source host 'kvm-a'"));
  assert_runs_only_on ("cr2", "kvm-a");
  there = domstate ("kvm-b", "cr2");
  g_assert_cmpstr (there, ==, "absent");
  now = disk_path ("kvm-a", "cr2", "vda", FALSE);
  g_assert_cmpstr (now, ==, src);
  g_assert_true (g_file_test (src, G_FILE_TEST_EXISTS));
  assert_alive ("cr2");
  destroy_guest ("cr2");
}

static void
assert_snapshots (const char *host, const char *vm)
{
  g_autofree char *names = virsh (host, "snapshot-list %s --name --topological", vm);
  g_autofree char *current = virsh (host, "snapshot-current %s --name", vm);
  g_autofree char *parent = virsh (host, "snapshot-parent %s s2", vm);

  g_assert_cmpstr (names, ==, "s1\ns2");
  g_assert_cmpstr (current, ==, "s2");
  g_assert_cmpstr (parent, ==, "s1");
}

/* A qcow2 guest with two internal snapshots (s2 the current one, child of
 * s1), which libvirt alone refuses to migrate ("cannot migrate domain with 2
 * snapshots"): a host move on shared storage takes their metadata along; a
 * live storage copy, which would not carry them, is refused before anything
 * moves; a cold restart streams the image with them inside and defines them
 * on the destination with the new path, where reverting to one works. */
static void
test_snapshots (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmMigrationResult) res = NULL;
  g_autoptr (VmmMigrationResult) cold = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *s1_xml = NULL;
  g_autofree char *in_image = NULL;
  g_autofree char *reverted = NULL;
  g_autofree char *state = NULL;

  disk_guest ("snap1", "kvm-a", "shared");
  assert_alive ("snap1");
  g_free (virsh ("kvm-a", "snapshot-create-as snap1 s1"));
  g_free (virsh ("kvm-a", "snapshot-create-as snap1 s2"));
  assert_snapshots ("kvm-a", "snap1");
  src = disk_path ("kvm-a", "snap1", "vda", FALSE);

  /* a live move aborted after its job started: the metadata, removed from
   * kvm-a for the job, is back there */
  {
    g_autoptr (GCancellable) cancel = g_cancellable_new ();
    g_autoptr (VmmMigrationResult) aborted = NULL;
    g_autofree char *there = NULL;
    Watch watch = { 0 };

    watch.cancel_at_progress = cancel;
    watch.cancel_after_bytes = 4 * 1024 * 1024;
    aborted = move ("snap1", "{\"host\": \"kvm-b\", \"bandwidth-mibps\": 2}", &watch, &error);
    g_assert_null (aborted);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    assert_runs_only_on ("snap1", "kvm-a");
    assert_snapshots ("kvm-a", "snap1");
    there = virsh ("kvm-b", "snapshot-list snap1 --name");
    g_assert_cmpstr (there, ==, "");
    g_ptr_array_unref (watch.warnings);
  }

  /* live, host only: the image stays in the shared pool */
  res = move ("snap1", "{\"host\": \"kvm-b\"}", NULL, &error);
  g_assert_no_error (error);
  assert_runs_only_on ("snap1", "kvm-b");
  gone = domstate ("kvm-a", "snap1");
  g_assert_cmpstr (gone, ==, "absent");
  assert_snapshots ("kvm-b", "snap1");
  assert_alive ("snap1");

  /* live storage copy: refused, nothing changed */
  assert_refused ("snap1", "{\"datastore\": \"kvm-b/local\", \"allow-storage-class-change\": true}",
                  VMM_ERROR_INCOMPATIBLE, "internal snapshot");
  assert_runs_only_on ("snap1", "kvm-b");
  assert_snapshots ("kvm-b", "snap1");

  /* cold restart to kvm-a's local pool: the snapshots are in the copied image */
  cold = move ("snap1",
               "{\"host\": \"kvm-a\", \"datastore\": \"kvm-a/local\", \"migration-type\": "
               "\"cold\", \"fallback-cold\": true, \"allow-storage-class-change\": true}",
               NULL, &error);
  g_assert_no_error (error);
  assert_runs_only_on ("snap1", "kvm-a");
  assert_snapshots ("kvm-a", "snap1");
  dst = disk_path ("kvm-a", "snap1", "vda", FALSE);
  g_assert_nonnull (strstr (dst, "/kvm-a/images/"));
  g_assert_false (g_file_test (src, G_FILE_TEST_EXISTS));
  s1_xml = virsh ("kvm-a", "snapshot-dumpxml snap1 s1");
  g_assert_nonnull (strstr (s1_xml, dst));
  g_assert_null (strstr (s1_xml, src));
  g_assert_cmpint (sh (&in_image, "qemu-img snapshot -U -l '%s'", dst), ==, 0);
  g_assert_nonnull (strstr (in_image, " s1 "));
  g_assert_nonnull (strstr (in_image, " s2 "));
  /* the moved snapshot is usable: back to s1's memory and disk state */
  g_assert_cmpint (sh (NULL,
                       ": > '%s/guests/snap1.console'; virsh -q -c '%s' snapshot-revert snap1 s1 "
                       "--running >&2",
                       statedir, uri_a),
                   ==, 0);
  state = domstate ("kvm-a", "snap1");
  g_assert_cmpstr (state, ==, "running");
  reverted = virsh ("kvm-a", "snapshot-current snap1 --name");
  g_assert_cmpstr (reverted, ==, "s1");
  assert_alive ("snap1");
  destroy_guest ("snap1");
  g_unlink (dst);
}

/* --- crash recovery: engine A dies mid-move, engine B recovers --- */

/* A crashed engine, simulated in-process: engine A runs the move in a main
 * context of its own, iterated until the crash point and never again (its
 * objects are kept, never freed: a dead process frees nothing). Engine B
 * opens the same SQLite journal file and a backend of its own on the same
 * cluster, as a new process would. */
static GPtrArray *dead_engines;

typedef struct
{
  const char *stop_at;      /* crash when this action starts */
  guint64 stop_after_bytes; /* or once this much was transferred */
  gboolean crashed;
} Crash;

static void
crash_action_started (VmmMigration *m, VmmAction *action, Crash *c)
{
  if (c->stop_at != NULL && g_str_equal (vmm_action_get_name (action), c->stop_at))
    c->crashed = TRUE;
}

static void
crash_progress (VmmMigration *m, double fraction, guint64 done, guint64 total, gint64 eta, Crash *c)
{
  if (c->stop_after_bytes > 0 && done >= c->stop_after_bytes)
    c->crashed = TRUE;
}

static void
crash_move (const char *vm, const char *spec_json, const char *db, Crash *c)
{
  g_autoptr (GError) error = NULL;
  GMainContext *context = g_main_context_new ();
  VmmJournal *journal;
  VmmEngine *engine;
  VmmRelocateSpec *spec;
  VmmMigration *migration;
  GAsyncResult *result = NULL;

  g_main_context_push_thread_default (context);
  journal = vmm_journal_new_sqlite (db, &error);
  g_assert_no_error (error);
  engine = vmm_engine_new ();
  vmm_engine_set_journal (engine, journal);
  spec = vmm_relocate_spec_new_from_json (spec_json, &error);
  g_assert_no_error (error);
  migration = vmm_engine_create_migration (engine, backend, vm, spec, &error);
  g_assert_no_error (error);
  g_signal_connect (migration, "action-started", G_CALLBACK (crash_action_started), c);
  g_signal_connect (migration, "progress", G_CALLBACK (crash_progress), c);
  vmm_migration_run_async (migration, NULL, done_cb, &result);
  while (!c->crashed && result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  /* the move must not have ended before its crash point */
  g_assert_null (result);
  if (dead_engines == NULL)
    dead_engines = g_ptr_array_new ();
  g_ptr_array_add (dead_engines, context);
  g_ptr_array_add (dead_engines, journal);
  g_ptr_array_add (dead_engines, engine);
  g_ptr_array_add (dead_engines, spec);
  g_ptr_array_add (dead_engines, migration);
}

/* Engine B: the same journal file, a backend of its own. Returns the one
 * entry, after checking that the journal has nothing unfinished. */
static VmmRecoveryEntry *
recover_after_crash (const char *db)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VmmJournal) journal = vmm_journal_new_sqlite (db, &error);
  g_autoptr (VmmBackend) b = NULL;
  g_autoptr (VmmEngine) engine = vmm_engine_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_auto (GStrv) unfinished = NULL;
  VmmRecoveryEntry *e;

  g_assert_no_error (error);
  b = vmm_backend_open (cluster_uri, NULL, &error);
  g_assert_no_error (error);
  vmm_engine_set_journal (engine, journal);
  vmm_engine_recover_async (engine, b, NULL, done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  entries = vmm_engine_recover_finish (engine, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  e = g_object_ref (g_ptr_array_index (entries, 0));
  g_printerr ("# recovery: outcome %d on %s: %s\n", vmm_recovery_entry_get_outcome (e),
              vmm_recovery_entry_get_host (e), vmm_recovery_entry_get_facts (e));
  unfinished = vmm_journal_list_unfinished (journal, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (unfinished), ==, 0);
  return e;
}

static void
test_recover_live (void)
{
  g_autofree char *db = g_build_filename (statedir, "recover-live.db", NULL);
  g_autoptr (VmmRecoveryEntry) e = NULL;
  g_autofree char *incoming = NULL;
  g_autofree char *here = NULL;
  g_autofree char *there = NULL;
  const char *host, *other;
  Crash crash = { .stop_after_bytes = 4 * 1024 * 1024 };

  guest ("idle", "rcl1", "kvm-a");
  assert_alive ("rcl1");
  /* 1 MiB/s: the pre-copy of 128 MiB is still running when A dies */
  crash_move ("rcl1", "{\"host\": \"kvm-b\", \"bandwidth-mibps\": 1}", db, &crash);
  incoming = domstate ("kvm-b", "rcl1");
  g_assert_cmpstr (incoming, ==, "paused");
  e = recover_after_crash (db);
  g_assert_cmpint (vmm_recovery_entry_get_outcome (e), !=, VMM_RECOVERY_NEEDS_ATTENTION);
  host = vmm_recovery_entry_get_host (e);
  g_assert_nonnull (host);
  /* the source still ran the guest: the move is undone */
  g_assert_cmpint (vmm_recovery_entry_get_outcome (e), ==, VMM_RECOVERY_ON_SOURCE);
  g_assert_cmpstr (host, ==, "kvm-a");
  other = g_str_equal (host, "kvm-a") ? "kvm-b" : "kvm-a";
  assert_runs_only_on ("rcl1", host);
  there = domstate (other, "rcl1");
  g_assert_cmpstr (there, ==, "absent");
  here = virsh (host, "dominfo rcl1 | grep -c '^Persistent: *yes'");
  g_assert_cmpstr (here, ==, "1");
  assert_alive ("rcl1");
  destroy_guest ("rcl1");
}

static void
test_recover_cold (void)
{
  g_autofree char *db = g_build_filename (statedir, "recover-cold.db", NULL);
  g_autoptr (VmmRecoveryEntry) e = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dst = NULL;
  g_autofree char *stopped = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *back = NULL;
  g_autofree char *state = NULL;
  g_autofree char *absent = NULL;
  Crash crash = { .stop_at = "RelayoutSnapshots" };

  disk_guest ("rcc1", "kvm-a", "local");
  src = disk_path ("kvm-a", "rcc1", "vda", TRUE);
  stopped = virsh ("kvm-a", "destroy rcc1");
  /* A dies once the volume is copied and the domain defined on kvm-b */
  crash_move ("rcc1", "{\"host\": \"kvm-b\", \"datastore\": \"kvm-b/local\"}", db, &crash);
  gone = domstate ("kvm-a", "rcc1");
  g_assert_cmpstr (gone, ==, "absent");
  dst = disk_path ("kvm-b", "rcc1", "vda", TRUE);
  g_assert_nonnull (dst);
  g_assert_nonnull (strstr (dst, "/kvm-b/images/"));
  g_assert_true (g_file_test (dst, G_FILE_TEST_EXISTS));
  e = recover_after_crash (db);
  g_assert_cmpint (vmm_recovery_entry_get_outcome (e), ==, VMM_RECOVERY_ON_SOURCE);
  g_assert_cmpstr (vmm_recovery_entry_get_host (e), ==, "kvm-a");
  state = domstate ("kvm-a", "rcc1");
  g_assert_cmpstr (state, ==, "shut off");
  absent = domstate ("kvm-b", "rcc1");
  g_assert_cmpstr (absent, ==, "absent");
  back = disk_path ("kvm-a", "rcc1", "vda", TRUE);
  g_assert_cmpstr (back, ==, src);
  g_assert_true (g_file_test (src, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (dst, G_FILE_TEST_EXISTS));
  destroy_guest ("rcc1");
  g_unlink (src);
}

static void
test_recover_after_switchover (void)
{
  g_autofree char *db = g_build_filename (statedir, "recover-forward.db", NULL);
  g_autoptr (VmmRecoveryEntry) e = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *persistent = NULL;
  Crash crash = { .stop_at = "CompleteSource" };

  guest ("idle", "rcf1", "kvm-a");
  assert_alive ("rcf1");
  /* A dies once the live move went over, before CompleteSource: finish it */
  crash_move ("rcf1", "{\"host\": \"kvm-b\"}", db, &crash);
  e = recover_after_crash (db);
  g_assert_cmpint (vmm_recovery_entry_get_outcome (e), ==, VMM_RECOVERY_ON_DESTINATION);
  g_assert_cmpstr (vmm_recovery_entry_get_host (e), ==, "kvm-b");
  g_assert_nonnull (strstr (vmm_recovery_entry_get_facts (e), "past the switch-over"));
  assert_runs_only_on ("rcf1", "kvm-b");
  gone = domstate ("kvm-a", "rcf1");
  g_assert_cmpstr (gone, ==, "absent");
  persistent = virsh ("kvm-b", "dominfo rcf1 | grep -c '^Persistent: *yes'");
  g_assert_cmpstr (persistent, ==, "1");
  assert_alive ("rcf1");
  destroy_guest ("rcf1");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  start_hosts ();
  backend = vmm_backend_open (cluster_uri, NULL, &error);
  if (backend == NULL)
    {
      g_print ("Bail out! cannot open %s: %s\n", cluster_uri, error->message);
      return 1;
    }
  g_test_add_func ("/libvirt/inventory", test_inventory);
  g_test_add_func ("/libvirt/inventory/shared-read", test_inventory_shared_read);
  g_test_add_func ("/libvirt/open-errors", test_open_errors);
  g_test_add_func ("/libvirt/hot-host", test_hot_host);
  g_test_add_func ("/libvirt/hot-host-shared-storage", test_hot_host_shared);
  g_test_add_func ("/libvirt/hot-host-and-storage", test_hot_host_and_storage);
  g_test_add_func ("/libvirt/storage-only", test_storage_only);
  g_test_add_func ("/libvirt/cold", test_cold);
  g_test_add_func ("/libvirt/precheck/cpu", test_precheck_cpu);
  g_test_add_func ("/libvirt/precheck/iso", test_precheck_iso);
  g_test_add_func ("/libvirt/precheck/pool", test_precheck_pool);
  g_test_add_func ("/libvirt/precheck/memory", test_precheck_memory);
  g_test_add_func ("/libvirt/abort-and-timeout", test_abort);
  g_test_add_func ("/libvirt/destination-killed", test_destination_killed);
  g_test_add_func ("/libvirt/pool-deactivated", test_pool_deactivated);
  g_test_add_func ("/libvirt/convergence", test_convergence);
  g_test_add_func ("/libvirt/on-timeout/post-copy", test_timeout_post_copy);
  g_test_add_func ("/libvirt/on-timeout/force-complete", test_timeout_force_complete);
  g_test_add_func ("/libvirt/on-timeout/suspend", test_timeout_suspend);
  g_test_add_func ("/libvirt/cold-restart", test_cold_restart);
  g_test_add_func ("/libvirt/cold-restart-fails", test_cold_restart_fails);
  g_test_add_func ("/libvirt/snapshots", test_snapshots);
  g_test_add_func ("/libvirt/recover/live", test_recover_live);
  g_test_add_func ("/libvirt/recover/cold", test_recover_cold);
  g_test_add_func ("/libvirt/recover/after-switchover", test_recover_after_switchover);
  rc = g_test_run ();
  stop_hosts ();
  return rc;
}
