#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Moves every VM off a host through the engine: batch placement, the
engine's concurrency limits, per-VM progress, and a report of what moved
where and what could not (and why).

Usage: evacuate.py HOST [URI]     (URI defaults to sim://)
"""

import sys

import gi

gi.require_version("Vmm", "1.0")
from gi.repository import GLib, Vmm  # noqa: E402


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    host = sys.argv[1]
    uri = sys.argv[2] if len(sys.argv) > 2 else "sim://"

    backend = Vmm.Backend.open(uri, None)
    engine = Vmm.Engine.new()
    engine.set_max_per_source_host(2)

    def on_migration(engine, migration):
        vm = migration.get_vm_name()
        target = migration.get_spec().get_host()
        print(f"moving {vm} to {target}")
        migration.connect("state-changed",
                          lambda m, old, new: print(f"  {vm}: {new.value_nick}"))

    engine.connect("migration-created", on_migration)
    engine.connect("evacuation-progress",
                   lambda e, h, done, total: print(f"{done} of {total} VMs dealt with"))

    loop = GLib.MainLoop()
    outcome = {}

    def done(engine, result):
        try:
            outcome["entries"], outcome["empty"] = engine.evacuate_finish(result)
        except GLib.Error as error:
            outcome["error"] = error
        loop.quit()

    engine.evacuate_async(backend, host, None, Vmm.EvacuateFlags.DISABLE_HOST, None, done)
    loop.run()
    if "error" in outcome:
        print(f"evacuate: {outcome['error'].message}", file=sys.stderr)
        return 1

    print(f"{'VM':16} {'OUTCOME':8} {'HOST':16} WHY")
    for entry in outcome["entries"]:
        print(f"{entry.get_vm_name():16} {entry.get_outcome().value_nick:8} "
              f"{entry.get_host() or '-':16} {entry.get_message() or ''}")
    print(f"host {host} is {'empty' if outcome['empty'] else 'not empty'}")
    return 0 if outcome["empty"] else 4


if __name__ == "__main__":
    sys.exit(main())
