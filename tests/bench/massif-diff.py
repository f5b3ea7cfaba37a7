#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Which call sites hold the heap an in-flight migration adds.

Reads two detailed massif snapshots written by bench-engine
(VMM_BENCH_MASSIF_DIR, see tests/bench/README.md), attributes every heap
byte to the frame nearest the allocator that lies in libvmmigrate's own
sources (file names starting with "vmm-"), and prints the difference
per site divided by the number of migrations, largest first.

  massif-diff.py BEFORE.massif PARKED.massif N [--depth-sites]
"""
import re
import sys
from collections import defaultdict

NODE = re.compile(r"^( *)n(\d+): (\d+) (.*)$")
OWN = re.compile(r"\((vmm-[^():]+\.c):(\d+)\)")


def parse(path):
    """Returns the heap tree of the file's detailed snapshot as nested
    (bytes, label, children) tuples."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [line.rstrip("\n") for line in f]
    start = next(i for i, l in enumerate(lines) if NODE.match(l))
    pos = start

    def node():
        nonlocal pos
        m = NODE.match(lines[pos])
        if m is None:
            raise SystemExit(f"{path}:{pos + 1}: not a heap tree node")
        pos += 1
        children = [node() for _ in range(int(m.group(2)))]
        return int(m.group(3)), m.group(4), children

    return node()


def attribute(tree, sites, lead=""):
    size, label, children = tree
    own = OWN.search(label)
    if own is not None:
        fn = label.split(": ", 1)[-1].split(" (")[0]
        sites[f"{fn} ({own.group(1)}:{own.group(2)}) <- {lead}"] += size
        return
    if not children:
        sites[f"(no libvmmigrate frame) <- {lead or label}"] += size
        return
    if lead == "" and "heap allocation functions" not in label:
        lead = label.split(": ", 1)[-1].split(" (")[0][:40]
    for child in children:
        attribute(child, sites, lead)
    rest = size - sum(c[0] for c in children)
    if rest:
        sites[f"(below threshold) <- {lead}"] += rest


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    n = int(sys.argv[3])
    before, after = defaultdict(int), defaultdict(int)
    attribute(parse(sys.argv[1]), before)
    attribute(parse(sys.argv[2]), after)
    diff = {k: after.get(k, 0) - before.get(k, 0) for k in set(before) | set(after)}
    total = sum(diff.values())
    print(f"{total / n:10.1f} B per migration in all (useful heap, no malloc overhead)")
    for k, v in sorted(diff.items(), key=lambda kv: -kv[1]):
        if abs(v) / n >= 4:
            print(f"{v / n:10.1f}  {k}")


if __name__ == "__main__":
    main()
