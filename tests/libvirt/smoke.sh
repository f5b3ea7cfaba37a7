#!/usr/bin/env bash
# End-to-end proof of the two-host recipe with plain virsh:
#   start kvm-a and kvm-b in a fresh state dir; live-move an idle guest
#   a -> b -> a -> b (--live --p2p) checking after each move that it runs where it
#   should and that its heartbeat advances; live-move a guest with a local qcow2 disk
#   with --copy-storage-all and a destination XML; check that a guest on the shared
#   pool is refused without --unsafe and moves with it; boot the memory-dirtying
#   guest; stop the hosts and check nothing of ours is left.  Prints timings.
#
#   smoke.sh            (as root, after hosts.sh deps)
#
# Kernel, initramfs and QEMU capabilities are cached in $VMM_TEST_CACHE
# (default /var/tmp/vmmigrate-test-cache) across runs.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HOSTS_SH=$HERE/hosts.sh
GUEST_SH=$HERE/guest.sh
export VMM_TEST_CACHE=${VMM_TEST_CACHE:-/var/tmp/vmmigrate-test-cache}

BASE=$(mktemp -d /tmp/vmm-smoke.XXXXXX)
SD=$BASE/state
PASSED=0
FAILED=0
STOPPED=0

now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }   # ms -> "s.mmm"
ok() { PASSED=$((PASSED + 1)); printf 'ok   - %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL - %s\n' "$*"; exit 1; }
check() {   # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}

finish() {
    local rc=$?
    ((rc == 0)) || ((FAILED)) || FAILED=1     # a step failed outside check()
    ((STOPPED)) || "$HOSTS_SH" stop "$SD" || true
    if ((rc == 0 && FAILED == 0)); then
        rm -rf "$BASE"
    else
        echo "smoke: state kept in $BASE for inspection"
    fi
    echo "smoke: $PASSED passed, $FAILED failed"
}
trap finish EXIT

virsh_on() { local uri=$1; shift; virsh -q -c "$uri" "$@"; }
state_on() { virsh_on "$1" domstate "$2" 2>/dev/null | head -n 1; }
runs_on() { [[ $(state_on "$1" "$2") == running ]]; }
downtime_on() {   # completed job's downtime (ms), read on the destination
    virsh_on "$1" domjobinfo --completed --keep-completed "$2" |
        awk -F: '$1 == "Total downtime" { split($2, a, " "); print a[1] }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# migrate NAME SRC_URI DEST_MIGRATION_URI [virsh migrate options]; prints wall ms
migrate() {
    local name=$1 src=$2 dest=$3 t0
    shift 3
    t0=$(now_ms)
    virsh_on "$src" migrate --live --p2p "$@" "$name" "$dest" >&2
    echo $(($(now_ms) - t0))
}

# ---------------------------------------------------------------- hosts

t0=$(now_ms)
"$HOSTS_SH" start "$SD"
T_START=$(($(now_ms) - t0))
# shellcheck source=/dev/null
source "$SD/env.sh"
A=$VMM_KVM_A_URI
B=$VMM_KVM_B_URI
NS_A=$VMM_KVM_A_NETNS
NS_B=$VMM_KVM_B_NETNS
check "both hosts answer (start-up $(secs "$T_START") s)" "$HOSTS_SH" status "$SD"

# ---------------------------------------------------------------- idle guest, live p2p

t0=$(now_ms)
"$GUEST_SH" idle "$SD" idle1 kvm-a
"$GUEST_SH" alive "$SD" idle1 60
T_BOOT=$(($(now_ms) - t0))
check "idle guest boots on kvm-a ($(secs "$T_BOOT") s to its 2nd heartbeat)" runs_on "$A" idle1

walls=() downs=()
src=$A dst=$B dst_mig=$VMM_KVM_B_MIGRATION_URI dst_name=kvm-b
for round in 1 2 3; do
    w=$(migrate idle1 "$src" "$dst_mig")
    d=$(downtime_on "$dst" idle1)
    walls+=("$w") downs+=("$d")
    check "idle move $round to $dst_name: $(secs "$w") s wall, downtime $d ms" runs_on "$dst" idle1
    check "idle guest not running on the source after move $round" \
        test "$(state_on "$src" idle1)" != running
    check "idle guest heartbeat advances on $dst_name" "$GUEST_SH" alive "$SD" idle1 30
    if [[ $dst == "$B" ]]; then
        src=$B dst=$A dst_mig=$VMM_KVM_A_MIGRATION_URI dst_name=kvm-a
    else
        src=$A dst=$B dst_mig=$VMM_KVM_B_MIGRATION_URI dst_name=kvm-b
    fi
done
T_LIVE=$(median "${walls[@]}")
DOWN_LIVE=$(median "${downs[@]}")
virsh_on "$B" destroy idle1 >/dev/null

# ---------------------------------------------------------------- local disk, copy storage

"$GUEST_SH" disk "$SD" disk1 kvm-a local
"$GUEST_SH" alive "$SD" disk1 60
src_path=$(virsh_on "$A" vol-path --pool local disk1.qcow2)
virsh_on "$B" vol-create-as local disk1.qcow2 64M --format qcow2 >/dev/null
dst_path=$(virsh_on "$B" vol-path --pool local disk1.qcow2)
virsh_on "$A" dumpxml --migratable disk1 | sed "s|$src_path|$dst_path|" >"$BASE/disk1-dest.xml"
T_COPY=$(migrate disk1 "$A" "$VMM_KVM_B_MIGRATION_URI" --copy-storage-all --xml "$BASE/disk1-dest.xml")
DOWN_COPY=$(downtime_on "$B" disk1)
check "disk move with --copy-storage-all: $(secs "$T_COPY") s wall, downtime $DOWN_COPY ms" \
    runs_on "$B" disk1
check "disk guest uses the destination's volume ($dst_path)" \
    test "$(virsh_on "$B" domblklist disk1 | awk '$1 == "vda" { print $2 }')" = "$dst_path"
check "disk guest heartbeat advances on kvm-b" "$GUEST_SH" alive "$SD" disk1 30
virsh_on "$B" destroy disk1 >/dev/null

# ---------------------------------------------------------------- shared pool, --unsafe

"$GUEST_SH" disk "$SD" shared1 kvm-a shared
"$GUEST_SH" alive "$SD" shared1 60
refused_without_unsafe() { ! virsh_on "$A" migrate --live --p2p shared1 "$VMM_KVM_B_MIGRATION_URI" 2>"$BASE/unsafe.err"; }
check "move of a guest on the shared pool is refused without --unsafe" refused_without_unsafe
echo "     libvirt said: $(head -n 1 "$BASE/unsafe.err")"
T_SHARED=$(migrate shared1 "$A" "$VMM_KVM_B_MIGRATION_URI" --unsafe)
check "move of a guest on the shared pool with --unsafe: $(secs "$T_SHARED") s wall" runs_on "$B" shared1
check "shared-pool guest heartbeat advances on kvm-b" "$GUEST_SH" alive "$SD" shared1 30

# ---------------------------------------------------------------- memory-dirtying guest

"$GUEST_SH" dirty "$SD" dirty1 kvm-b
"$GUEST_SH" alive "$SD" dirty1 90
c0=$("$GUEST_SH" counter "$SD" dirty1)
sleep 5
PASSES=$(($("$GUEST_SH" counter "$SD" dirty1) - c0))
check "dirty guest runs on kvm-b ($PASSES passes of 100 MiB in 5 s)" test "$PASSES" -gt 0

# ---------------------------------------------------------------- stop, leftovers

t0=$(now_ms)
"$HOSTS_SH" stop "$SD"
T_STOP=$(($(now_ms) - t0))
STOPPED=1
check "hosts stopped ($(secs "$T_STOP") s)" true
netns_gone() { ! ip netns list | grep -qE "^($NS_A|$NS_B)( |\$)"; }
check "no network namespace left" netns_gone
read -r -d '' -a killed < <(cat "$SD"/kvm-*/killed.pids) || true   # every PID stop signalled
pids_gone() { local p; for p in "${killed[@]}"; do [[ ! -d /proc/$p ]] || return 1; done; }
check "no libvirtd or qemu of ours left (pids ${killed[*]})" pids_gone
tag=$(cut -d- -f2 <<<"$NS_A")     # vmm-TAG-a; the veth ends are vmTAGa and vmTAGb
link_gone() { ! ip -o link show | grep -q "vm$tag"; }
check "no link of ours left in the root namespace" link_gone

cat <<EOF

timings
  hosts start-up            $(secs "$T_START") s
  idle guest boot           $(secs "$T_BOOT") s (to its 2nd heartbeat)
  live p2p, 128 MiB idle    $(secs "$T_LIVE") s wall, downtime $DOWN_LIVE ms (median of 3; walls ${walls[*]} ms, downtimes ${downs[*]} ms)
  live p2p, copy storage    $(secs "$T_COPY") s wall, downtime $DOWN_COPY ms (64 MiB qcow2)
  live p2p, shared, unsafe  $(secs "$T_SHARED") s wall
  dirty guest               $PASSES passes of 100 MiB in 5 s
  hosts stop                $(secs "$T_STOP") s
EOF
