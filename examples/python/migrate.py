#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Migrate one VM with a progress callback on a GLib main loop.

    migrate.py [-c URI] VM [--host HOST] [--datastore DATASTORE] [--spec JSON]

Runs against the default simulated inventory (sim://) unless -c names
another backend.
"""

import argparse
import json
import sys

import gi

gi.require_version("Vmm", "1.0")
from gi.repository import GLib, Vmm  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--connect", default="sim://", help="backend URI")
    parser.add_argument("vm")
    parser.add_argument("--host")
    parser.add_argument("--datastore")
    parser.add_argument("--spec", help="the whole relocate spec as JSON")
    args = parser.parse_args()

    spec_json = args.spec or json.dumps(
        {k: v for k, v in {"host": args.host, "datastore": args.datastore}.items() if v})
    backend = Vmm.Backend.open(args.connect, None)
    engine = Vmm.Engine.new()
    spec = Vmm.RelocateSpec.new_from_json(spec_json)
    migration = engine.create_migration(backend, args.vm, spec)

    shown = {"percent": -1}

    def on_progress(m, fraction, bytes_done, bytes_total, eta_ms):
        percent = int(fraction * 100)
        if percent == shown["percent"]:
            return
        shown["percent"] = percent
        action = m.get_current_action()
        name = action.get_name() if action else ""
        eta = f", {eta_ms / 1000:.1f} s left" if eta_ms >= 0 else ""
        print(f"{percent:3d}%  {bytes_done >> 20}/{bytes_total >> 20} MiB{eta}  {name}")

    migration.connect("progress", on_progress)
    migration.connect("warning", lambda m, message: print(f"warning: {message}"))

    loop = GLib.MainLoop()
    outcome = {}

    def done(m, res):
        try:
            outcome["result"] = m.run_finish(res)
        except GLib.Error as e:
            outcome["error"] = e
        loop.quit()

    migration.run_async(None, done)
    loop.run()

    if "error" in outcome:
        print(f"migration failed: {outcome['error'].message}", file=sys.stderr)
        return 1
    result = outcome["result"]
    print(f"{result.get_vm_name()} is on host {result.get_host()}, "
          f"datastore {result.get_datastore()}")
    for disk in result.get_disks():
        print(f"  {disk.get_key()}: [{disk.get_datastore()}] {disk.get_path()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
