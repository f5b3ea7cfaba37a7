#!/usr/bin/python3
"""vcsim-vmotion.py INVDIR on|off [HOST...]

Edits an inventory saved with `govc object.save -d INVDIR` (to be served by
`vcsim -load INVDIR`): selects (on) or deselects (off) every candidate
VMkernel NIC for vMotion (HostSystem config.virtualNicManagerInfo, netConfig
of nicType "vmotion") on the named hosts, or on every host when none is named.

vcsim 0.24 models no HostVirtualNicManager (`govc host.vnic.service` faults
"managed object not found: HostVirtualNicManager:ha-vnic-mgr") and its hosts
have no vMotion NIC selected; a vCenter that live-migrates has one on each
host, so the suite's vcsim is started from an inventory edited this way.
Prints the edited hosts' names.
"""
import os
import sys
import xml.etree.ElementTree as ET

XSI = "http://www.w3.org/2001/XMLSchema-instance"


def host_name(root):
    for ps in root.findall("propSet"):
        if ps.findtext("name") == "name":
            return ps.findtext("val")
    return None


def edit(root, on):
    changed = False
    for ps in root.findall("propSet"):
        if ps.findtext("name") != "config":
            continue
        for nc in ps.iter("netConfig"):
            if nc.findtext("nicType") != "vmotion":
                continue
            for sel in nc.findall("selectedVnic"):
                nc.remove(sel)
            if on:
                for cand in nc.findall("candidateVnic"):
                    ET.SubElement(nc, "selectedVnic").text = cand.findtext("key")
            changed = True
    return changed


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in ("on", "off"):
        sys.exit(__doc__)
    invdir, on, wanted = sys.argv[1], sys.argv[2] == "on", set(sys.argv[3:])
    ET.register_namespace("XMLSchema-instance", XSI)
    done = set()
    for entry in sorted(os.listdir(invdir)):
        if "-HostSystem-" not in entry:
            continue
        path = os.path.join(invdir, entry)
        tree = ET.parse(path)
        name = host_name(tree.getroot())
        if wanted and name not in wanted:
            continue
        if not edit(tree.getroot(), on):
            sys.exit("%s (%s): no vmotion netConfig" % (name, entry))
        tree.write(path, encoding="unicode")
        done.add(name)
        print(name)
    missing = wanted - done
    if missing:
        sys.exit("no such host: %s" % ", ".join(sorted(missing)))


main()
