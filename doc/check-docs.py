#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fails when a public symbol of the GIR has no documentation or no
`Since:` (the GIR's version attribute).

Usage: check-docs.py Vmm-1.0.gir
"""

import sys
import xml.etree.ElementTree as ET

CORE = "{http://www.gtk.org/introspection/core/1.0}"
GLIB = "{http://www.gtk.org/introspection/c/1.0}"
KINDS = ["class", "interface", "record", "enumeration", "bitfield", "function", "method",
         "constructor", "virtual-method", "constant", "callback", "property", "signal"]
SKIP_RECORDS_SUFFIX = ("Class", "Private", "Interface")


def name_of(element, parents):
    return ".".join([p.get("name") for p in parents if p.get("name")] + [element.get("name")])


def walk(element, parents, problems):
    for child in element:
        kind = child.tag.replace(CORE, "").replace("{http://www.gtk.org/introspection/glib/1.0}", "glib:")
        if kind in KINDS or kind == "glib:signal":
            if kind == "record" and (child.get("{http://www.gtk.org/introspection/glib/1.0}is-gtype-struct-for")
                                     or child.get("name", "").endswith(SKIP_RECORDS_SUFFIX)):
                pass
            elif kind == "virtual-method" or (kind == "callback" and parents[-1].tag == CORE + "field"):
                pass  # documented with the class structure's fields
            else:
                name = name_of(child, parents)
                if child.find(CORE + "doc") is None:
                    problems.append(f"{kind} {name}: no documentation")
                elif child.get("version") is None:
                    problems.append(f"{kind} {name}: no Since:")
        walk(child, parents + [child], problems)


def main():
    tree = ET.parse(sys.argv[1])
    problems = []
    for ns in tree.getroot().iter(CORE + "namespace"):
        walk(ns, [ns], problems)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} public symbols lack documentation or Since:")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
