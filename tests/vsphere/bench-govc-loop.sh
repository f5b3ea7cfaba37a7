#!/bin/bash
# bench-govc-loop.sh STATEDIR N
#
# Baseline for the vSphere backend benchmark: N relocations done one after
# another with `govc vm.migrate -host`, round-robin over all of vcsim's VMs,
# each VM going to a host other than the one it is on (round-robin over all
# hosts).  Uses the vcsim described by STATEDIR/env.sh (see vcsim.sh start).
#
# Prints the total wall time of the N govc calls (setup and the final check
# are not timed), and a machine-readable line:
#   BENCH govc_loop n=N vms=V total_s=S per_op_ms=M
# Exits non-zero if a relocation failed or a VM is not where it was sent.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 STATEDIR N" >&2; exit 2; }
STATEDIR=$1; N=$2
case "$N" in ''|*[!0-9]*) echo "N must be a number" >&2; exit 2 ;; esac
# shellcheck disable=SC1091
. "$STATEDIR/env.sh"

mapfile -t VMS < <("$GOVC" find / -type m | sort)
mapfile -t HOSTS < <("$GOVC" find / -type h | sort)
[ ${#VMS[@]} -gt 0 ] || { echo "no VM in vcsim" >&2; exit 1; }
[ ${#HOSTS[@]} -gt 1 ] || { echo "need at least 2 hosts" >&2; exit 1; }

# host moref -> host inventory path
declare -A HOST_BY_REF
for h in "${HOSTS[@]}"; do
    ref=$("$GOVC" find -i "$(dirname "$h")" -type h -name "$(basename "$h")" | head -n 1)
    HOST_BY_REF[$ref]=$h
done
# current host index of each VM
declare -A CUR
for v in "${VMS[@]}"; do
    ref=$("$GOVC" object.collect -s "$v" runtime.host)
    cur=${HOST_BY_REF[$ref]:-}
    CUR[$v]=0
    for i in "${!HOSTS[@]}"; do
        [ "${HOSTS[$i]}" = "$cur" ] && CUR[$v]=$i
    done
done

# Plan the moves first so the timed loop only runs govc.
PLAN_VM=(); PLAN_HOST=()
for ((i = 0; i < N; i++)); do
    v=${VMS[$((i % ${#VMS[@]}))]}
    next=$(( (CUR[$v] + 1) % ${#HOSTS[@]} ))
    CUR[$v]=$next
    PLAN_VM+=("$v"); PLAN_HOST+=("${HOSTS[$next]}")
done

echo "govc loop: $N relocations over ${#VMS[@]} VMs and ${#HOSTS[@]} hosts at $GOVC_URL" >&2
fail=0
t0=$(date +%s.%N)
for ((i = 0; i < N; i++)); do
    if ! "$GOVC" vm.migrate -host "${PLAN_HOST[$i]}" "${PLAN_VM[$i]}" >/dev/null 2>&1; then
        echo "FAILED: govc vm.migrate -host ${PLAN_HOST[$i]} ${PLAN_VM[$i]}" >&2
        fail=$((fail + 1))
    fi
done
t1=$(date +%s.%N)

# Check (untimed): every VM is on the host it was last sent to.
for v in "${VMS[@]}"; do
    want=${HOSTS[${CUR[$v]}]}
    ref=$("$GOVC" object.collect -s "$v" runtime.host)
    if [ "${HOST_BY_REF[$ref]:-}" != "$want" ]; then
        echo "WRONG PLACE: $v is on ${HOST_BY_REF[$ref]:-$ref}, expected $want" >&2
        fail=$((fail + 1))
    fi
done

awk -v a="$t0" -v b="$t1" -v n="$N" -v vms="${#VMS[@]}" 'BEGIN {
    t = b - a
    printf "govc loop: %d relocations in %.3f s (%.1f ms per relocation)\n", n, t, (n ? 1000 * t / n : 0)
    printf "BENCH govc_loop n=%d vms=%d total_s=%.3f per_op_ms=%.1f\n", n, vms, t, (n ? 1000 * t / n : 0)
}'
[ "$fail" -eq 0 ] || { echo "$fail failure(s)" >&2; exit 1; }
