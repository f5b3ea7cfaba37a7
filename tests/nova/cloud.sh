#!/bin/bash
# Start/stop the loopback test cloud: a real Keystone and a real Nova
# (functional deployment, fake hypervisors) wired together.
#
#   cloud.sh start STATEDIR [options] [-- extra nova_peer.py options]
#   cloud.sh stop STATEDIR
#   cloud.sh status STATEDIR
#
# start options:
#   --auth keystone|noauth2   Nova's paste pipeline (default keystone:
#                             keystonemiddleware authtoken against the
#                             Keystone peer; noauth2: X-Auth-Token user:project)
#   --no-keystone             do not start Keystone (only with --auth noauth2)
#   --computes N              nova-compute services host1..hostN (default 3)
#   --token-expiration S      Keystone [token] expiration (default 3600)
#   --live-migration-seconds S  duration of a normal fake live migration (0.2)
#   --max-lifetime S          peers exit by themselves after S s (default 7200,
#                             0 = never): no orphan survives a killed suite
#   --timeout S               give up waiting for READY after S s (default 180)
#
# start writes STATEDIR/env.sh (source it), STATEDIR/timings.txt, logs and
# pid files; secrets only in 0600 files (clouds.yaml, nova-authtoken.conf,
# keystone/admin-password).  stop ends the two processes by their PIDs.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3

usage() { sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_ready NAME OUTFILE PIDFILE TIMEOUT: waits for a READY line
wait_ready() {
    local name=$1 out=$2 pidfile=$3 timeout=$4 t0 pid
    t0=$(date +%s)
    while :; do
        if grep -q '^READY ' "$out" 2>/dev/null; then
            return 0
        fi
        pid=$(cat "$pidfile" 2>/dev/null || true)
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            echo "cloud.sh: $name exited before READY; see ${out%.out}.err" >&2
            tail -n 20 "${out%.out}.err" >&2 || true
            return 1
        fi
        if [ $(( $(date +%s) - t0 )) -ge "$timeout" ]; then
            echo "cloud.sh: $name not READY after ${timeout}s" >&2
            return 1
        fi
        sleep 0.2
    done
}

stop_pid() {  # stop_pid NAME PIDFILE
    local name=$1 pidfile=$2 pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "cloud.sh: $name ($pid) ignored SIGTERM, killing" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$pidfile"
}

cmd_stop() {
    local state=$1 t0
    t0=$(now)
    stop_pid nova "$state/nova.pid"
    stop_pid keystone "$state/keystone.pid"
    echo "stop $(elapsed "$t0" "$(now)")" >> "$state/timings.txt" 2>/dev/null || true
    echo "cloud.sh: stopped ($(elapsed "$t0" "$(now)") s)"
}

cmd_status() {  # exit 0 when every started peer runs (and one does)
    local state=$1 rc=0 running=0 name pid
    for name in keystone nova; do
        if [ ! -f "$state/$name.pid" ]; then
            echo "$name: not started"
            continue
        fi
        pid=$(cat "$state/$name.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            echo "$name: running (pid $pid)"; running=1
        else
            echo "$name: dead (pid ${pid:-?})"; rc=1
        fi
    done
    [ "$running" = 1 ] || rc=1
    return $rc
}

cmd_start() {
    local state=$1; shift
    local auth=keystone keystone=1 computes=3 expiration=3600 lmsec=0.2
    local lifetime=7200 timeout=180
    local extra=()
    while [ $# -gt 0 ]; do
        case "$1" in
            --auth) auth=$2; shift 2 ;;
            --no-keystone) keystone=0; shift ;;
            --computes) computes=$2; shift 2 ;;
            --token-expiration) expiration=$2; shift 2 ;;
            --live-migration-seconds) lmsec=$2; shift 2 ;;
            --max-lifetime) lifetime=$2; shift 2 ;;
            --timeout) timeout=$2; shift 2 ;;
            --) shift; extra=("$@"); break ;;
            *) echo "cloud.sh: unknown option $1" >&2; usage ;;
        esac
    done
    case "$auth" in keystone|noauth2) ;; *) echo "cloud.sh: --auth keystone|noauth2" >&2; exit 2 ;; esac
    if [ "$auth" = keystone ] && [ "$keystone" = 0 ]; then
        echo "cloud.sh: --auth keystone needs Keystone" >&2; exit 2
    fi

    mkdir -p "$state"
    chmod 700 "$state"
    state=$(cd "$state" && pwd)
    local name pid
    for name in keystone nova; do
        pid=$(cat "$state/$name.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            echo "cloud.sh: $name already running in $state (pid $pid);" \
                 "cloud.sh stop $state" >&2
            exit 1
        fi
    done
    rm -f "$state"/{nova,keystone}.{out,err,pid} "$state/env.sh" "$state/timings.txt" \
          "$state/clouds.yaml" "$state/nova-authtoken.conf" "$state/keystone.json"

    "$HERE/deps.sh" >/dev/null

    local t0 t_ks t_nova nova_port ctl_port ks_url="" ks_port=""
    t0=$(now)
    nova_port=$(free_port)
    ctl_port=$(free_port)
    while [ "$ctl_port" = "$nova_port" ]; do ctl_port=$(free_port); done

    # Stop whatever started if we fail half-way.
    trap 'cmd_stop "$state" >/dev/null 2>&1 || true' ERR

    if [ "$keystone" = 1 ]; then
        "$PY" "$HERE/keystone_peer.py" --state-dir "$state" --port 0 \
            --nova-url "http://127.0.0.1:$nova_port" \
            --image-url "http://127.0.0.1:$ctl_port/image" \
            --token-expiration "$expiration" \
            --pid-file "$state/keystone.pid" --max-lifetime "$lifetime" \
            </dev/null >"$state/keystone.out" 2>"$state/keystone.err" &
        echo $! > "$state/keystone.pid"   # the peer rewrites it (same pid)
        wait_ready keystone "$state/keystone.out" "$state/keystone.pid" "$timeout"
        ks_port=$(sed -n 's/^READY port=\([0-9]*\).*/\1/p' "$state/keystone.out")
        ks_url="http://127.0.0.1:$ks_port"
    fi
    t_ks=$(now)

    local authargs=(--auth "$auth")
    if [ "$auth" = keystone ]; then
        authargs+=(--authtoken-config "$state/nova-authtoken.conf")
    fi
    "$PY" "$HERE/nova_peer.py" --port "$nova_port" --control-port "$ctl_port" \
        --computes "$computes" --live-migration-seconds "$lmsec" \
        "${authargs[@]}" --log-file "$state/nova.log" \
        --pid-file "$state/nova.pid" --max-lifetime "$lifetime" "${extra[@]}" \
        </dev/null >"$state/nova.out" 2>"$state/nova.err" &
    echo $! > "$state/nova.pid"
    wait_ready nova "$state/nova.out" "$state/nova.pid" "$timeout"
    t_nova=$(now)
    trap - ERR

    if [ "$auth" = noauth2 ]; then
        # A cloud for the openstack CLI against noauth2 Nova: the token
        # "admin:admin" is what NoAuthMiddleware wants (no secret).
        NOVA_COMPUTE_URL="http://127.0.0.1:$nova_port/v2.1" \
        NOVA_IMAGE_URL="http://127.0.0.1:$ctl_port/image" \
        "$PY" - "$state/clouds.yaml" <<'PYEOF'
import os, sys, yaml
path = sys.argv[1]
data = {}
if os.path.exists(path):
    with open(path) as f:
        data = yaml.safe_load(f) or {}
data.setdefault('clouds', {})['nova-noauth'] = {
    'auth_type': 'admin_token',
    'auth': {'endpoint': os.environ['NOVA_COMPUTE_URL'],
             'token': 'admin:admin'},
    'image_endpoint_override': os.environ['NOVA_IMAGE_URL'],
}
fd = os.open(path + '.tmp', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, 'w') as f:
    yaml.safe_dump(data, f, default_flow_style=False)
os.replace(path + '.tmp', path)
PYEOF
    fi

    local f="$state/env.sh"
    {
        echo "# Generated by tests/nova/cloud.sh start; source it."
        echo "export NOVA_PEER_STATE='$state'"
        echo "export NOVA_PEER_AUTH='$auth'"
        echo "export NOVA_URL='http://127.0.0.1:$nova_port'"
        echo "export NOVA_COMPUTE_URL='http://127.0.0.1:$nova_port/v2.1'"
        echo "export NOVA_CONTROL_URL='http://127.0.0.1:$ctl_port'"
        echo "export NOVA_IMAGE_URL='http://127.0.0.1:$ctl_port/image'"
        echo "export NOVA_IMAGE_ID='c1a5c1a5-6f4e-4d0b-9f1e-000000000001'"
        echo "export NOVA_IMAGE_NAME='vmm-test-image'"
        echo "export NOVA_FLAVOR='m1.tiny'"
        echo "export NOVA_COMPUTES='$computes'"
        echo "export OS_CLIENT_CONFIG_FILE='$state/clouds.yaml'"
        if [ "$auth" = noauth2 ]; then
            echo "export VMM_CLOUD_NOAUTH='nova-noauth'"
        fi
        if [ "$keystone" = 1 ]; then
            echo "export KEYSTONE_URL='$ks_url'"
            echo "export VMM_CLOUD_PASSWORD='vmm-password'"
            echo "export VMM_CLOUD_APPCRED='vmm-appcred'"
            echo "export VMM_CLOUD_MEMBER='vmm-member'"
        fi
    } > "$f"

    {
        echo "keystone $(elapsed "$t0" "$t_ks")"
        echo "nova $(elapsed "$t_ks" "$t_nova")"
        echo "start $(elapsed "$t0" "$t_nova")"
    } > "$state/timings.txt"
    echo "cloud.sh: started in $(elapsed "$t0" "$t_nova") s" \
         "(keystone $(elapsed "$t0" "$t_ks") s, nova $(elapsed "$t_ks" "$t_nova") s," \
         "auth $auth); source $f"
}

[ $# -ge 2 ] || usage
case "$1" in
    start) shift; cmd_start "$@" ;;
    stop) cmd_stop "$(cd "$2" && pwd)" ;;
    status) cmd_status "$(cd "$2" && pwd)" ;;
    *) usage ;;
esac
