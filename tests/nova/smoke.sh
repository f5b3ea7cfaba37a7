#!/bin/bash
# Smoke check of the loopback test cloud with the `openstack` CLI (Debian 12,
# python3-openstackclient 6.0).
#
#   smoke.sh [--auth keystone|noauth2] [--no-selftest] [--keep] [STATEDIR]
#
# Starts the cloud (cloud.sh start), lists hypervisors and compute services,
# boots two servers (fixture flavor m1.tiny, --nic none, microversion 2.37),
# live-migrates one (`server migrate --live-migration --wait`, seed 001's
# command), cold-migrates the other and confirms it, disables and re-enables
# a compute service, checks the control endpoint, logs in with the
# application credential (and sees Nova accept its token), checks that a
# member gets 403 and a wrong password 401, runs peer_selftest.py (fault
# injection through the control endpoint: hold/abort/force-complete, fail,
# crash, pre-check failure, cold confirm/revert/fail/hold, evacuation;
# --no-selftest skips it), then deletes the servers and stops everything.
# Prints a timing for every step; exits non-zero on the first failure (the
# cloud is stopped in any case).
#
# With --auth noauth2 Keystone is not started and the CLI uses the
# `nova-noauth` cloud (token "admin:admin"); the Keystone checks are skipped.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
AUTH=keystone
KEEP=0
SELFTEST=1
STATE=""
while [ $# -gt 0 ]; do
    case "$1" in
        --auth) AUTH=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --no-selftest) SELFTEST=0; shift ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) STATE=$1; shift ;;
    esac
done
OWN_STATE=0
if [ -z "$STATE" ]; then
    STATE=$(mktemp -d /tmp/nova-smoke.XXXXXX)
    OWN_STATE=1
fi

T_ALL=$(date +%s.%N)
T_STEP=$T_ALL
TIMINGS=()
step_done() {  # step_done LABEL
    local t
    t=$(date +%s.%N)
    TIMINGS+=("$(awk -v a="$T_STEP" -v b="$t" -v l="$1" 'BEGIN { printf "%-44s %6.2f s", l, b - a }')")
    echo "smoke: ok   $(awk -v a="$T_STEP" -v b="$t" -v l="$1" 'BEGIN { printf "%s (%.2f s)", l, b - a }')"
    T_STEP=$t
}
fail() { echo "smoke: FAIL $*" >&2; exit 1; }

cleanup() {
    local rc=$?
    "$HERE/cloud.sh" stop "$STATE" >/dev/null 2>&1 || true
    if [ "$rc" != 0 ]; then
        echo "smoke: logs in $STATE (nova.log, keystone/keystone.log, *.err)" >&2
    elif [ "$OWN_STATE" = 1 ] && [ "$KEEP" = 0 ]; then
        rm -rf "$STATE"
    fi
    exit $rc
}
trap cleanup EXIT

if [ "$AUTH" = keystone ]; then
    "$HERE/cloud.sh" start "$STATE" --auth keystone
else
    "$HERE/cloud.sh" start "$STATE" --auth noauth2 --no-keystone
fi
step_done "cloud.sh start ($AUTH)"
# shellcheck disable=SC1091
. "$STATE/env.sh"
cd "$STATE"

if [ "$AUTH" = keystone ]; then
    ADMIN=(--os-cloud "$VMM_CLOUD_PASSWORD")
else
    ADMIN=(--os-cloud "$VMM_CLOUD_NOAUTH")
fi
os() { openstack "${ADMIN[@]}" "$@"; }

# -- facts
hv=$(os hypervisor list -f value -c "Hypervisor Hostname" | sort | tr '\n' ' ')
[ "$hv" = "$(seq -f 'host%g' 1 "$NOVA_COMPUTES" | tr '\n' ' ')" ] || fail "hypervisors: $hv"
step_done "hypervisor list: $hv"
svc=$(os compute service list --service nova-compute -f value -c Host -c State -c Status | sort | tr '\n' ';')
case "$svc" in *down*|*disabled*) fail "services: $svc" ;; esac
step_done "compute service list (all up+enabled)"

# -- boot two servers (no --wait: poll quicker than the CLI's 5 s)
for n in smoke-1 smoke-2; do
    os --os-compute-api-version 2.37 server create --image "$NOVA_IMAGE_NAME" \
        --flavor "$NOVA_FLAVOR" --nic none "$n" -f value -c id >/dev/null
done
wait_status() {  # wait_status SERVER STATUS [TIMEOUT]
    local s=""
    for _ in $(seq 1 $(( ${3:-60} * 2 ))); do
        s=$(os server show "$1" -f value -c status)
        [ "$s" = "$2" ] && return 0
        [ "$s" = ERROR ] && fail "$1 went to ERROR"
        sleep 0.5
    done
    fail "$1 is $s, not $2"
}
wait_status smoke-1 ACTIVE
wait_status smoke-2 ACTIVE
step_done "boot 2 servers (m1.tiny, --nic none, 2.37)"

host_of() { os server show "$1" -f value -c OS-EXT-SRV-ATTR:host; }

# -- live migration, seed 001's command
h0=$(host_of smoke-1)
os server migrate --live-migration --wait smoke-1 >/dev/null
h1=$(host_of smoke-1)
st=$(os server show smoke-1 -f value -c status)
if [ "$st" != ACTIVE ] || [ "$h1" = "$h0" ]; then
    fail "live migration: $h0 -> $h1 ($st)"
fi
step_done "live migration --wait: $h0 -> $h1"

# -- cold migration + confirm
h0=$(host_of smoke-2)
os --os-compute-api-version 2.56 server migrate --wait smoke-2 >/dev/null
st=$(os server show smoke-2 -f value -c status)
[ "$st" = VERIFY_RESIZE ] || fail "cold migration: status $st"
os server migration confirm smoke-2
wait_status smoke-2 ACTIVE 30
h1=$(host_of smoke-2)
[ "$h1" != "$h0" ] || fail "cold migration: still on $h0"
step_done "cold migration --wait + confirm: $h0 -> $h1"

# -- disable / enable a compute service
os compute service set --disable --disable-reason "smoke maintenance" host1 nova-compute
r=$(os compute service list --service nova-compute --host host1 --long -f value -c Status -c "Disabled Reason")
[ "$r" = "disabled smoke maintenance" ] || fail "disable: $r"
os compute service set --enable host1 nova-compute
r=$(os compute service list --service nova-compute --host host1 -f value -c Status)
[ "$r" = enabled ] || fail "enable: $r"
step_done "compute service disable (reason) + enable"

# -- the control endpoint of the fake hypervisors
curl -sf "$NOVA_CONTROL_URL/status" | /usr/bin/python3 -c '
import json, sys
st = json.load(sys.stdin)
assert st["computes"] and all(v == "running" for v in st["computes"].values()), st
assert st["history"] and st["history"][-1]["result"] == "completed", st["history"]
' || fail "control endpoint"
step_done "control endpoint /status"

if [ "$AUTH" = keystone ]; then
    # -- application credential: Keystone login, then Nova accepts the token
    exp=$(openstack --os-cloud "$VMM_CLOUD_APPCRED" token issue -f value -c expires)
    [ -n "$exp" ] || fail "appcred token"
    names=$(openstack --os-cloud "$VMM_CLOUD_APPCRED" server list -f value -c Name | sort | tr '\n' ' ')
    [ "$names" = "smoke-1 smoke-2 " ] || fail "appcred server list: $names"
    step_done "application credential: token + server list"

    # -- negative auth: member -> 403 from Nova's policy, wrong password -> 401
    if out=$(openstack --os-cloud "$VMM_CLOUD_MEMBER" hypervisor list 2>&1); then
        fail "member listed hypervisors"
    fi
    case "$out" in *"HTTP 403"*) ;; *) fail "member: $out" ;; esac
    if out=$(openstack --os-cloud "$VMM_CLOUD_PASSWORD" --os-password not-the-password token issue 2>&1); then
        fail "wrong password accepted"
    fi
    case "$out" in *"HTTP 401"*) ;; *) fail "wrong password: $out" ;; esac
    # a token Keystone never issued -> 401 from Nova's authtoken
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Auth-Token: gAAAAABnot-a-token' "$NOVA_COMPUTE_URL/servers")
    [ "$code" = 401 ] || fail "bogus token: HTTP $code"
    step_done "member 403, wrong password 401, bogus token 401"
fi

if [ "$SELFTEST" = 1 ]; then
    /usr/bin/python3 "$HERE/peer_selftest.py" | sed 's/^/  /'
    [ "${PIPESTATUS[0]}" = 0 ] || fail "peer_selftest.py"
    step_done "peer_selftest.py (fault injection)"
fi

os server delete smoke-1 smoke-2
for _ in $(seq 1 60); do
    [ -z "$(os server list -f value -c ID)" ] && break
    sleep 0.5
done
[ -z "$(os server list -f value -c ID)" ] || fail "servers not deleted"
step_done "delete all servers"

"$HERE/cloud.sh" stop "$STATE" >/dev/null
step_done "cloud.sh stop"

echo
echo "smoke: timings ($AUTH)"
printf '  %s\n' "${TIMINGS[@]}"
awk -v a="$T_ALL" -v b="$(date +%s.%N)" 'BEGIN { printf "  %-44s %6.2f s\n", "total", b - a }'
echo "smoke: PASS"
