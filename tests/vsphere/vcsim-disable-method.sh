#!/bin/bash
# vcsim-disable-method.sh STATEDIR OUTDIR METHOD VM_INVENTORY_PATH...
#
# Saves the inventory of the running vcsim described by STATEDIR/env.sh (see
# vcsim.sh) into OUTDIR with `govc object.save`, and adds METHOD to the
# `disabledMethod` list of each given VM, so that a vcsim started with
# `vcsim.sh start NEWSTATE -load OUTDIR` answers METHOD on those VMs with a
# deterministic MethodDisabled fault.
#
# vcsim 0.24 compares disabledMethod with its *Go* method name, where a
# "Foo_Task" vim25 method is called "FooTask": METHOD may be given either way
# (RelocateVM_Task or RelocateVMTask), it is stored as RelocateVMTask.  An
# entry spelled "RelocateVM_Task" would NOT disable anything in vcsim 0.24.
#
# The loaded inventory keeps the saved object IDs (vm-NN, host-NN, ...).
set -euo pipefail

[ $# -ge 4 ] || { echo "usage: $0 STATEDIR OUTDIR METHOD VM_INVENTORY_PATH..." >&2; exit 2; }
STATEDIR=$1; OUTDIR=$2; METHOD=$3; shift 3

# shellcheck disable=SC1091
. "$STATEDIR/env.sh"
case "$METHOD" in
    *_Task) METHOD="${METHOD%_Task}Task" ;;
esac

rm -rf "$OUTDIR"
"$GOVC" object.save -f -d "$OUTDIR" >/dev/null

for vm in "$@"; do
    # "VirtualMachine:vm-62 /DC0/vm/DC0_H0_VM0" -> vm-62
    ref=$("$GOVC" ls -i "$vm" | awk '{print $1}' | head -n 1)
    case "$ref" in VirtualMachine:*) ;; *) echo "$vm: not a VM ($ref)" >&2; exit 1 ;; esac
    id=${ref#VirtualMachine:}
    file=$(ls "$OUTDIR"/*-VirtualMachine-"$id".xml 2>/dev/null | head -n 1)
    [ -n "$file" ] || { echo "no saved file for $ref in $OUTDIR" >&2; exit 1; }
    /usr/bin/python3 - "$file" "$METHOD" <<'EOF'
import sys
path, method = sys.argv[1], sys.argv[2]
s = open(path, encoding="utf-8").read()
entry = "      <string>%s</string>\n" % method
marker = "<name>disabledMethod</name>"
if marker in s:
    # add to the existing ArrayOfString value
    i = s.index(marker)
    j = s.index("</val>", i)
    if entry.strip() not in s[i:j]:
        s = s[:j] + entry + "    " + s[j:]
else:
    prop = ("  <propSet>\n    <name>disabledMethod</name>\n"
            "    <val xmlns:XMLSchema-instance=\"http://www.w3.org/2001/XMLSchema-instance\""
            " XMLSchema-instance:type=\"ArrayOfString\">\n" + entry + "    </val>\n  </propSet>\n")
    k = s.rindex("</ObjectContent>")
    s = s[:k] + prop + s[k:]
open(path, "w", encoding="utf-8").write(s)
EOF
    echo "disabled $METHOD on $vm ($ref)" >&2
done
