#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Plan a migration (a dry run) and print its prechecks and actions as tables.

    plan_table.py [-c URI] VM [SPEC_JSON]

Nothing moves. Exits 1 when a check blocks the move.
"""

import argparse
import sys

import gi

gi.require_version("Vmm", "1.0")
from gi.repository import GLib, Vmm  # noqa: E402


def table(headers, rows):
    widths = [max(len(str(v)) for v in column) for column in zip(headers, *rows)]
    for row in [headers] + rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--connect", default="sim://", help="backend URI")
    parser.add_argument("vm")
    parser.add_argument("spec", nargs="?", default="{}", help="relocate spec as JSON")
    args = parser.parse_args()

    backend = Vmm.Backend.open(args.connect, None)
    engine = Vmm.Engine.new()
    migration = engine.create_migration(backend, args.vm, Vmm.RelocateSpec.new_from_json(args.spec))
    try:
        plan = migration.plan(None)
        error = None
    except GLib.Error as e:
        # a refused plan still holds every check
        plan, error = migration.get_plan(), e
    if plan is None:
        print(f"cannot plan: {error.message}", file=sys.stderr)
        return 1

    print(f"{plan.get_vm_name()}: {Vmm.migration_type_to_string(plan.get_migration_type())}, "
          f"{plan.get_source_host()} -> {plan.get_destination_host()}")
    print()
    checks = plan.get_checks()
    if checks:
        table(["SEVERITY", "CHECK", "SUBJECT", "MESSAGE"],
              [[c.get_severity().value_nick, c.get_code(), c.get_subject() or "-", c.get_message()]
               for c in checks])
    else:
        print("every precheck passed")
    print()
    table(["#", "ACTION", "PERFORMED BY", "UNDO"],
          [[i + 1, a.get_name(), a.get_performer().value_nick, "yes" if a.has_undo() else "-"]
           for i, a in enumerate(plan.get_actions())])
    if error is not None:
        print(f"\nrefused: {error.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
