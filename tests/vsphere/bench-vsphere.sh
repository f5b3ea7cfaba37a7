#!/usr/bin/env bash
# Benchmark: N relocations through libvmmigrate's engine (bench-vsphere, with
# the engine's concurrency) against N `govc vm.migrate` calls one after
# another (bench-govc-loop.sh), on the same vcsim; prints both and the ratio.
# Not a timed assertion: it fails only if a move fails or lands wrong.
#
# usage: bench-vsphere.sh BENCH_EXE [N [extra vcsim args...]]
#   BENCH_EXE: the built tests/vsphere/bench-vsphere
#   BENCH_ENGINE_LIMIT=L: the engine's limit per host and datastore (default:
#     the engine's own, 2); e.g. BENCH_ENGINE_LIMIT=64 ... 50 -vm 25 moves 50
#     VMs once each, all at the same time
#   VCSIM_BINDIR as for vcsim.sh (default ~/.cache/libvmmigrate/vcsim)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BENCH_EXE [N [vcsim args...]]" >&2; exit 2; }
exe=$1; n=${2:-50}; shift $(( $# >= 2 ? 2 : 1 ))

state=$(mktemp -d "${TMPDIR:-/tmp}/vmm-bench-vsphere.XXXXXX")
cleanup() { "$here/vcsim.sh" stop "$state" >/dev/null 2>&1 || true; rm -rf "$state"; }
trap cleanup EXIT
unset VCSIM_USERNAME VCSIM_PASSWORD
"$here/vcsim.sh" start "$state" "$@" >/dev/null
. "$state/env.sh"
umask 077
printf '[vsphere]\nuser=%s\npassword=%s\n' "$VCSIM_USERNAME" "$VCSIM_PASSWORD" > "$state/credentials.ini"
uri="vsphere+https://127.0.0.1:$VCSIM_PORT/sdk?credentials=$state/credentials.ini&ca=$VCSIM_CA_FILE"

govc_out=$("$here/bench-govc-loop.sh" "$state" "$n")
echo "$govc_out"
echo "command: $exe URI $n ${BENCH_ENGINE_LIMIT:-0} (vcsim args: ${*:-none})"
engine_out=$("$exe" "$uri" "$n" "${BENCH_ENGINE_LIMIT:-0}")
echo "$engine_out"

g=$(echo "$govc_out" | sed -n 's/^BENCH govc_loop .*total_s=\([0-9.]*\).*/\1/p')
e=$(echo "$engine_out" | sed -n 's/^BENCH engine .*total_s=\([0-9.]*\).*/\1/p')
awk -v g="$g" -v e="$e" -v n="$n" 'BEGIN {
    printf "ratio: govc loop / engine = %.2f (%d relocations: govc %.3f s, engine %.3f s)\n", g / e, n, g, e
    printf "BENCH vsphere_ratio n=%d govc_s=%.3f engine_s=%.3f ratio=%.2f\n", n, g, e, g / e
}'
