#!/usr/bin/env bash
# Two real libvirt hosts on one machine, for the libvirt backend's tests.
#
#   hosts.sh deps                  install packages, users and groups (apt-get)
#   hosts.sh start   STATEDIR      start hosts kvm-a and kvm-b, write cluster.json and env.sh
#   hosts.sh stop    STATEDIR      kill every process of both hosts, delete namespaces
#   hosts.sh status  STATEDIR      show what runs
#   hosts.sh restart-host STATEDIR HOST
#                                  kill one host's libvirtd (its guests keep running)
#                                  and start it again in the same network namespace
#
# Each host is one `libvirtd --listen` in its own network namespace and its own
# private mount namespace, where STATEDIR/HOST/{etc,run,lib,cache,log} are bind-mounted
# over /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/cache/libvirt and
# /var/log/libvirt.  A veth pair joins the two namespaces; migration traffic stays on it.
# Clients in the root namespace use qemu+unix:///system?socket=STATEDIR/HOST/run/libvirt-sock.
# See README.md beside this file.
set -euo pipefail

HOSTS=(kvm-a kvm-b)
declare -A ADDR=([kvm-a]=10.77.0.1 [kvm-b]=10.77.0.2)   # exists only inside our namespaces
declare -A ZONE=([kvm-a]=az1 [kvm-b]=az1)
PREFIX=30
START_TIMEOUT=${VMM_HOSTS_START_TIMEOUT:-180}   # seconds to wait for both daemons

PACKAGES=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt-dev
          qemu-system-x86 qemu-utils iproute2 tini)

log() { printf 'hosts.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- naming helpers

# STATEDIR as an absolute path, restricted to characters that need no quoting in
# URIs, JSON or shell.
abs_statedir() {
    [[ $# -ge 1 && -n $1 ]] || die "STATEDIR missing"
    local d
    d=$(realpath -m -- "$1")
    [[ $d =~ ^[A-Za-z0-9._/+-]+$ ]] || die "STATEDIR '$d': use only [A-Za-z0-9._/+-]"
    case "$d/" in
        /etc/libvirt/* | /run/libvirt/* | /var/lib/libvirt/* | /var/cache/libvirt/* | /var/log/libvirt/*)
            die "STATEDIR must not lie under a directory the hosts bind-mount over" ;;
    esac
    printf '%s\n' "$d"
}

# Short tag derived from STATEDIR: two state dirs never share namespace or link names.
tag_of() { printf '%s' "$1" | sha1sum | cut -c1-8; }
netns_of() { printf 'vmm-%s-%s\n' "$(tag_of "$1")" "${2#kvm-}"; }   # vmm-1a2b3c4d-a
veth_of() { printf 'vm%s%s\n' "$(tag_of "$1")" "${2#kvm-}"; }       # vm1a2b3c4da (<= 15 chars)
socket_of() { printf '%s/%s/run/libvirt-sock\n' "$1" "$2"; }
uri_of() { printf 'qemu+unix:///system?socket=%s\n' "$(socket_of "$1" "$2")"; }
pidfile_of() { printf '%s/%s/run/libvirtd.pid\n' "$1" "$2"; }   # written by libvirtd
cache_dir() {
    if [[ -n ${VMM_TEST_CACHE:-} ]]; then realpath -m -- "$VMM_TEST_CACHE"
    else realpath -m -- "$1/../cache"; fi
}

netns_exists() { [[ -e /run/netns/$1 ]]; }

# ---------------------------------------------------------------- deps

cmd_deps() {
    [[ $(id -u) -eq 0 ]] || die "deps must run as root"
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if ((${#missing[@]})); then
        log "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
    fi
    # The QEMU driver refuses to load without these, even with user = "root".
    getent group kvm >/dev/null || groupadd --system kvm
    getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
    getent passwd libvirt-qemu >/dev/null ||
        useradd --system --gid libvirt-qemu --groups kvm --home-dir /var/lib/libvirt \
            --no-create-home --shell /usr/sbin/nologin libvirt-qemu
    log "dependencies present"
}

# ---------------------------------------------------------------- configuration

write_config() {
    local sd=$1 h=$2 d=$1/$2
    mkdir -p "$d"/{etc,run,lib,cache,log,images}
    # host_uuid must differ between hosts: libvirt refuses to migrate to "itself".
    [[ -s $d/host_uuid ]] || cat /proc/sys/kernel/random/uuid >"$d/host_uuid"
    cat >"$d/etc/libvirtd.conf" <<EOF
# written by tests/libvirt/hosts.sh for test host $h
host_uuid = "$(cat "$d/host_uuid")"
listen_tls = 0
listen_tcp = 1
listen_addr = "${ADDR[$h]}"
auth_tcp = "none"
auth_unix_rw = "none"
auth_unix_ro = "none"
unix_sock_group = "root"
EOF
    cat >"$d/etc/qemu.conf" <<EOF
# written by tests/libvirt/hosts.sh for test host $h
user = "root"
group = "root"
security_driver = "none"
dynamic_ownership = 0
remember_owner = 0
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
migration_address = "${ADDR[$h]}"
migration_host = "${ADDR[$h]}"
EOF
}

# QEMU capability probing takes ~17 s per daemon start.  libvirt validates its
# cache itself (binary ctimes, kernel, microcode) and re-probes when stale, so
# seeding it from a previous run is safe and saves most of the start-up time.
seed_caps_cache() {
    local sd=$1 h=$2 cache
    cache=$(cache_dir "$sd")/qemu-capabilities
    if [[ -d $cache ]] && ! compgen -G "$sd/$h/cache/qemu/capabilities/*.xml" >/dev/null; then
        mkdir -p "$sd/$h/cache/qemu/capabilities"
        cp -p "$cache"/*.xml "$sd/$h/cache/qemu/capabilities/" 2>/dev/null || true
    fi
}

save_caps_cache() {
    local sd=$1 cache
    cache=$(cache_dir "$sd")/qemu-capabilities
    compgen -G "$sd/kvm-a/cache/qemu/capabilities/*.xml" >/dev/null || return 0
    mkdir -p "$cache"
    cp -p "$sd"/kvm-a/cache/qemu/capabilities/*.xml "$cache/" 2>/dev/null || true
}

# ---------------------------------------------------------------- network

setup_network() {
    local sd=$1 h
    for h in "${HOSTS[@]}"; do
        ip netns add "$(netns_of "$sd" "$h")"
        ip -n "$(netns_of "$sd" "$h")" link set lo up
    done
    local na nb va vb
    na=$(netns_of "$sd" kvm-a) nb=$(netns_of "$sd" kvm-b)
    va=$(veth_of "$sd" kvm-a) vb=$(veth_of "$sd" kvm-b)
    # Both ends are created directly inside the namespaces: never in the root one.
    ip link add "$va" netns "$na" type veth peer name "$vb" netns "$nb"
    ip -n "$na" addr add "${ADDR[kvm-a]}/$PREFIX" dev "$va"
    ip -n "$nb" addr add "${ADDR[kvm-b]}/$PREFIX" dev "$vb"
    ip -n "$na" link set "$va" up
    ip -n "$nb" link set "$vb" up
}

# ---------------------------------------------------------------- daemons

# launch_libvirtd STATEDIR HOST fresh|keep: "keep" preserves run/, which holds the
# state of guests that outlived their daemon (restart-host).
launch_libvirtd() {
    local sd=$1 h=$2 mode=$3 d=$1/$2 ns
    ns=$(netns_of "$sd" "$h")
    if [[ $mode == fresh ]]; then
        rm -rf "$d/run"                     # stale sockets, pid files, guest state
        rm -f "$d/libvirtd.log" "$d/killed.pids"
    else
        rm -f "$d"/run/libvirt-*sock* "$(pidfile_of "$sd" "$h")"
    fi
    mkdir -p "$d/run"
    seed_caps_cache "$sd" "$h"
    # ip netns exec enters the network namespace; unshare gives the daemon (and the
    # QEMU processes it starts) a private mount namespace with the per-host dirs.
    # tini -s is libvirtd's parent and a child subreaper: libvirtd daemonizes each
    # QEMU, so a QEMU that exits is an orphan, and libvirt counts a migration or a
    # shutdown as done only once that PID is gone.  On a real host init reaps it at
    # once; the PID 1 of some containers reaps only on a 1-s tick, which added
    # 1-1.8 s to every move and shutdown.  tini reaps at once, as systemd would.
    # The chain execs all the way down to tini, so $! is tini's PID; tini
    # forwards signals to libvirtd and exits with it.
    # shellcheck disable=SC2016  # expanded by the inner shell
    VMM_TEST_HOST="$d" setsid ip netns exec "$ns" \
        unshare --mount --propagation private \
        tini -s -- /bin/sh -c '
            set -e
            mkdir -p /etc/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt
            mount --bind "$VMM_TEST_HOST/etc"   /etc/libvirt
            mount --bind "$VMM_TEST_HOST/run"   /run/libvirt
            mount --bind "$VMM_TEST_HOST/lib"   /var/lib/libvirt
            mount --bind "$VMM_TEST_HOST/cache" /var/cache/libvirt
            mount --bind "$VMM_TEST_HOST/log"   /var/log/libvirt
            exec libvirtd --listen -f /etc/libvirt/libvirtd.conf -p /run/libvirt/libvirtd.pid
        ' </dev/null >>"$d/libvirtd.log" 2>&1 &
    echo $! >"$d/launch.pid"
}

# Wait until the daemon answers on its socket; fail early if it died.
wait_libvirtd() {
    local sd=$1 h=$2 deadline pid
    deadline=$((SECONDS + START_TIMEOUT))
    pid=$(cat "$sd/$h/launch.pid")
    until virsh -q -c "$(uri_of "$sd" "$h")" version >/dev/null 2>&1; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$sd/$h/libvirtd.log" >&2 || true
            die "libvirtd of $h exited during start-up (log: $sd/$h/libvirtd.log)"
        fi
        ((SECONDS < deadline)) || die "libvirtd of $h did not answer within ${START_TIMEOUT}s"
        sleep 0.5
    done
}

# ---------------------------------------------------------------- pools

ensure_pool() {
    local uri=$1 name=$2 path=$3
    mkdir -p "$path"
    if ! virsh -q -c "$uri" pool-info "$name" >/dev/null 2>&1; then
        virsh -q -c "$uri" pool-define-as "$name" dir --target "$path" >/dev/null
        virsh -q -c "$uri" pool-autostart "$name" >/dev/null
    fi
    if [[ $(virsh -q -c "$uri" pool-info "$name" | awk '$1 == "State:" { print $2 }') != running ]]; then
        virsh -q -c "$uri" pool-start "$name" >/dev/null
    fi
}

setup_pools() {
    local sd=$1 h uri
    for h in "${HOSTS[@]}"; do
        uri=$(uri_of "$sd" "$h")
        ensure_pool "$uri" shared "$sd/shared"      # same directory on both hosts
        ensure_pool "$uri" local "$sd/$h/images"    # this host's own directory
    done
}

# ---------------------------------------------------------------- descriptions

write_cluster_json() {
    local sd=$1 h sep=''
    [[ ${VMM_SHUTDOWN_TIMEOUT_S:-3} =~ ^[0-9]+$ ]] || die "VMM_SHUTDOWN_TIMEOUT_S takes whole seconds"
    {
        printf '{\n  "hosts": {\n'
        for h in "${HOSTS[@]}"; do
            printf '%s    "%s": {\n' "$sep" "$h"
            printf '      "uri": "%s",\n' "$(uri_of "$sd" "$h")"
            printf '      "migration-uri": "qemu+tcp://%s/system",\n' "${ADDR[$h]}"
            printf '      "address": "%s",\n' "${ADDR[$h]}"
            printf '      "zone": "%s"\n    }' "${ZONE[$h]}"
            sep=$',\n'
        done
        printf '\n  },\n  "pools": {\n'
        printf '    "shared": {\n      "type": "dir",\n      "shared": true,\n'
        printf '      "paths": { "kvm-a": "%s", "kvm-b": "%s" }\n    },\n' "$sd/shared" "$sd/shared"
        printf '    "local": {\n      "type": "dir",\n      "shared": false,\n'
        printf '      "paths": { "kvm-a": "%s", "kvm-b": "%s" }\n    }\n' "$sd/kvm-a/images" "$sd/kvm-b/images"
        # the test guests have no ACPI daemon: PowerOffVm forces them off after this
        printf '  },\n  "shutdown-timeout-s": %s\n}\n' "${VMM_SHUTDOWN_TIMEOUT_S:-3}"
    } >"$sd/cluster.json.tmp"
    mv "$sd/cluster.json.tmp" "$sd/cluster.json"
}

write_env_sh() {
    local sd=$1 h v
    {
        printf '# written by tests/libvirt/hosts.sh; source it\n'
        printf 'export VMM_TEST_STATEDIR=%s\n' "$sd"
        printf 'export VMM_TEST_CACHE=%s\n' "$(cache_dir "$sd")"
        printf 'export VMM_CLUSTER_JSON=%s\n' "$sd/cluster.json"
        for h in "${HOSTS[@]}"; do
            v=KVM_${h#kvm-}; v=${v^^}                       # KVM_A, KVM_B
            printf "export VMM_%s_URI='%s'\n" "$v" "$(uri_of "$sd" "$h")"
            printf 'export VMM_%s_MIGRATION_URI=qemu+tcp://%s/system\n' "$v" "${ADDR[$h]}"
            printf 'export VMM_%s_ADDRESS=%s\n' "$v" "${ADDR[$h]}"
            printf 'export VMM_%s_NETNS=%s\n' "$v" "$(netns_of "$sd" "$h")"
            printf 'export VMM_%s_PIDFILE=%s\n' "$v" "$(pidfile_of "$sd" "$h")"
        done
    } >"$sd/env.sh.tmp"
    mv "$sd/env.sh.tmp" "$sd/env.sh"
}

# ---------------------------------------------------------------- stopping

# Every process of a host lives in its network namespace (libvirtd and the QEMU
# processes it forks), so the namespace names them all; the launch PID covers a
# daemon caught before it entered the namespace.  PIDs only: nothing by name.
host_pids() {
    local sd=$1 h=$2 ns f pid
    ns=$(netns_of "$sd" "$h")
    if netns_exists "$ns"; then ip netns pids "$ns" 2>/dev/null || true; fi
    for f in "$sd/$h/launch.pid" "$(pidfile_of "$sd" "$h")"; do
        [[ -s $f ]] || continue
        pid=$(cat "$f")
        if is_our_daemon "$sd" "$h" "$pid"; then echo "$pid"; fi
    done
}

# True if PID is alive and carries the marker launch_libvirtd puts in the daemon's
# environment (guards against PID reuse).
is_our_daemon() {   # is_our_daemon STATEDIR HOST PID
    [[ $3 =~ ^[0-9]+$ ]] || return 1
    tr '\0' '\n' 2>/dev/null <"/proc/$3/environ" | grep -qxF "VMM_TEST_HOST=$1/$2"
}

kill_pids() {   # kill_pids GRACE_SECONDS PID...
    local grace=$1 pid i
    shift
    (($#)) || return 0
    kill -TERM "$@" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
        for pid in "$@"; do kill -0 "$pid" 2>/dev/null && break; pid=; done
        [[ -z $pid ]] && return 0
        sleep 0.1
    done
    kill -KILL "$@" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        for pid in "$@"; do kill -0 "$pid" 2>/dev/null && break; pid=; done
        [[ -z $pid ]] && return 0
        sleep 0.1
    done
    log "warning: processes still alive after SIGKILL: $*"
    return 1
}

# Signals the processes of the given hosts all at once (libvirtd takes ~2 s to
# shut down on SIGTERM), twice: a daemon being killed may just have forked a QEMU.
stop_processes() {   # stop_processes STATEDIR HOST...
    local sd=$1 h pids all
    shift
    for _ in 1 2; do
        all=()
        for h in "$@"; do
            mapfile -t pids < <(host_pids "$sd" "$h" | sort -un)
            ((${#pids[@]})) || continue
            echo "${pids[*]}" >>"$sd/$h/killed.pids"
            all+=("${pids[@]}")
        done
        ((${#all[@]})) || break
        kill_pids 10 "${all[@]}" || true
    done
}

cmd_stop() {
    local sd=$1 h ns rc=0
    stop_processes "$sd" "${HOSTS[@]}"
    for h in "${HOSTS[@]}"; do
        ns=$(netns_of "$sd" "$h")
        if netns_exists "$ns"; then
            if [[ -n $(ip netns pids "$ns" 2>/dev/null) ]]; then
                # Keep the namespace: it is what lets a second stop find them.
                log "error: processes remain in $ns: $(ip netns pids "$ns" | tr '\n' ' ')"
                rc=1
                continue
            fi
            ip netns del "$ns" || rc=1      # takes the veth end inside it along
        fi
        rm -f "$sd/$h/launch.pid"
    done
    rm -f "$sd/env.sh" "$sd/cluster.json"
    return $rc
}

# ---------------------------------------------------------------- commands

cmd_start() {
    local sd=$1 h sock t0=$SECONDS
    [[ $(id -u) -eq 0 ]] || die "start must run as root"
    command -v libvirtd >/dev/null || die "libvirtd missing: run '$0 deps' first"
    for h in "${HOSTS[@]}"; do
        ! netns_exists "$(netns_of "$sd" "$h")" || die "hosts of $sd already run: '$0 stop $sd' first"
        sock=$(socket_of "$sd" "$h")
        ((${#sock} < 108)) || die "socket path too long for AF_UNIX (${#sock} >= 108): $sock"
    done
    mkdir -p "$sd/shared"
    # From here on, any failure tears down what was built.
    trap 'rc=$?; if ((rc)); then log "start failed, cleaning up"; cmd_stop "'"$sd"'" || true; fi' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    for h in "${HOSTS[@]}"; do write_config "$sd" "$h"; done
    setup_network "$sd"
    for h in "${HOSTS[@]}"; do launch_libvirtd "$sd" "$h" fresh; done
    for h in "${HOSTS[@]}"; do wait_libvirtd "$sd" "$h"; done
    save_caps_cache "$sd"
    setup_pools "$sd"
    write_cluster_json "$sd"
    write_env_sh "$sd"
    trap - EXIT INT TERM
    log "kvm-a and kvm-b up in $((SECONDS - t0)) s; see $sd/cluster.json and $sd/env.sh"
}

cmd_restart_host() {
    local sd=$1 h=$2 pid
    [[ -n ${ADDR[$h]:-} ]] || die "unknown host '$h'"
    netns_exists "$(netns_of "$sd" "$h")" || die "hosts of $sd are not running"
    pid=$(cat "$(pidfile_of "$sd" "$h")" 2>/dev/null || true)
    if is_our_daemon "$sd" "$h" "$pid"; then kill_pids 10 "$pid" || true; fi
    launch_libvirtd "$sd" "$h" keep
    wait_libvirtd "$sd" "$h"
    log "$h restarted"
}

cmd_status() {
    local sd=$1 h ns uri pid rc=0
    for h in "${HOSTS[@]}"; do
        ns=$(netns_of "$sd" "$h")
        uri=$(uri_of "$sd" "$h")
        pid=$(cat "$(pidfile_of "$sd" "$h")" 2>/dev/null || echo -)
        if ! netns_exists "$ns"; then
            printf '%s: stopped\n' "$h"; rc=1; continue
        fi
        if virsh -q -c "$uri" version >/dev/null 2>&1; then
            printf '%s: running  libvirtd pid %s  netns %s  %s\n' "$h" "$pid" "$ns" "${ADDR[$h]}"
            virsh -q -c "$uri" list --all | sed 's/^/    /'
        else
            printf '%s: not answering (netns %s, pid %s)\n' "$h" "$ns" "$pid"; rc=1
        fi
    done
    return $rc
}

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
    exit 2
}

main() {
    (($#)) || usage
    local cmd=$1
    shift
    case $cmd in
        deps) cmd_deps ;;
        start) (($# == 1)) || usage; cmd_start "$(abs_statedir "$1")" ;;
        stop) (($# == 1)) || usage; cmd_stop "$(abs_statedir "$1")" ;;
        status) (($# == 1)) || usage; cmd_status "$(abs_statedir "$1")" ;;
        restart-host) (($# == 2)) || usage; cmd_restart_host "$(abs_statedir "$1")" "$2" ;;
        *) usage ;;
    esac
}

main "$@"
