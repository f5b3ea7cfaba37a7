#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Drives libvmmigrate from Python through GObject introspection (build tree)."""

import unittest

import gi

gi.require_version("Vmm", "1.0")
from gi.repository import GLib, Vmm  # noqa: E402


class VmmTest(unittest.TestCase):
    def setUp(self):
        self.backend = Vmm.Backend.open("sim://", None)
        self.engine = Vmm.Engine.new()

    def test_plan_and_run_async_with_signals(self):
        spec = Vmm.RelocateSpec.new_from_json('{"host": "esx-02"}')
        migration = self.engine.create_migration(self.backend, "web-01", spec)
        plan = migration.plan(None)
        self.assertEqual(plan.get_migration_type(), Vmm.MigrationType.HOT_HOST)
        names = plan.get_action_names()
        self.assertEqual(names[0], "InvokePrechecks")
        self.assertEqual(names[-1], "CompleteDestination")

        started, finished, fractions, states = [], [], [], []
        migration.connect("action-started", lambda m, a: started.append(a.get_name()))
        migration.connect("action-finished", lambda m, a, e: finished.append((a.get_name(), e)))
        migration.connect("progress", lambda m, f, done, total, eta: fractions.append(f))
        migration.connect("state-changed", lambda m, old, new: states.append(new))

        loop = GLib.MainLoop()
        outcome = {}

        def done(m, res):
            outcome["result"] = m.run_finish(res)
            loop.quit()

        migration.run_async(None, done)
        loop.run()

        result = outcome["result"]
        self.assertTrue(result.get_moved())
        self.assertEqual(result.get_host(), "esx-02")
        self.assertEqual([d.get_key() for d in result.get_disks()], ["disk-0"])
        self.assertEqual(started, list(names))
        self.assertEqual([n for n, e in finished], list(names))
        self.assertTrue(all(e is None for n, e in finished))
        self.assertEqual(fractions, sorted(fractions))
        self.assertEqual(fractions[-1], 1.0)
        self.assertEqual(states[-1], Vmm.MigrationState.SUCCEEDED)
        vm = self.backend.get_vm("web-01", None)
        self.assertEqual(vm.get_host(), "esx-02")

    def test_errors_are_gerrors(self):
        with self.assertRaises(GLib.Error) as ctx:
            Vmm.RelocateSpec.new_from_json('{"hots": "esx-02"}')
        self.assertTrue(ctx.exception.matches(Vmm.error_quark(), Vmm.Error.INVALID_SPEC))
        self.assertIn("hots", ctx.exception.message)

        spec = Vmm.RelocateSpec.new_from_json('{"host": "nowhere"}')
        migration = self.engine.create_migration(self.backend, "web-01", spec)
        with self.assertRaises(GLib.Error) as ctx:
            migration.run_sync(None)
        self.assertTrue(ctx.exception.matches(Vmm.error_quark(), Vmm.Error.NOT_FOUND))
        self.assertEqual(migration.get_state(), Vmm.MigrationState.FAILED)

    def test_inventory(self):
        hosts = [h.get_name() for h in self.backend.list_hosts(None)]
        self.assertIn("esx-01", hosts)
        vms = {v.get_name(): v for v in self.backend.list_vms(None)}
        self.assertEqual(vms["db-01"].get_power_state(), Vmm.PowerState.RUNNING)


if __name__ == "__main__":
    unittest.main(verbosity=2)
