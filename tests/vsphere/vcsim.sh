#!/bin/bash
# vcsim.sh start STATEDIR [extra vcsim args...]
# vcsim.sh stop  STATEDIR
#
# Starts / stops one govmomi vcsim (vCenter simulator) on 127.0.0.1 for tests.
#
# start:
#   - binaries: $VCSIM_BINDIR/vcsim and $VCSIM_BINDIR/govc, built (once,
#     cached) by build-vcsim.sh next to this script.  VCSIM_BINDIR defaults to
#     ${XDG_CACHE_HOME:-$HOME/.cache}/libvmmigrate/vcsim.
#   - listens on 127.0.0.1 with a free port: the kernel picks it (-l
#     127.0.0.1:0, race-free) and vcsim reports it; if vcsim does not come up,
#     it is retried (5 attempts).  VCSIM_LISTEN_PORT=N asks for a fixed port
#     instead (NOT VCSIM_PORT: that one is an output of env.sh, so sourcing an
#     env.sh and starting a second vcsim must not reuse the first one's port).
#   - VCSIM_MODE:
#       tls     (default) our own 2048-bit CA + server certificate for
#               127.0.0.1/localhost, in $VCSIM_TLS_DIR (default STATEDIR/tls;
#               generated once, reused if present); clients verify with
#               VCSIM_CA_FILE (verification stays on).  VCSIM_WRONG_CA_FILE
#               is an unrelated CA, for "wrong CA is refused" tests.
#       http    plain http (-tls=false).
#       builtin vcsim's built-in self-signed certificate (OpenSSL 3 rejects it:
#               only usable with verification off).
#   - credentials: $VCSIM_USERNAME / $VCSIM_PASSWORD, generated if unset.
#   - waits until `govc about` answers, then writes STATEDIR/env.sh (shell
#     syntax, `. STATEDIR/env.sh`) and STATEDIR/vcsim.pid; vcsim's output goes
#     to STATEDIR/vcsim.log.  Prints the path of env.sh on stdout.
#   - extra args are passed to vcsim (e.g. -method-delay RelocateVM_Task:1500,
#     -load DIR, -trace -trace-file FILE).
# stop:
#   - terminates the vcsim recorded in STATEDIR/vcsim.pid (TERM, then KILL
#     after 5 s) and removes the pid file.  Safe to call twice.
set -euo pipefail

HERE=$(dirname "$(readlink -f "$0")")
log() { echo "vcsim.sh: $*" >&2; }
usage() { echo "usage: $0 start STATEDIR [vcsim args...] | stop STATEDIR" >&2; exit 2; }

[ $# -ge 2 ] || usage
CMD=$1; STATEDIR=$2; shift 2

# Is PID a live vcsim process? (guards against recycled PIDs)
is_vcsim() {
    local pid=$1
    [ -n "$pid" ] || return 1
    local exe; exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
    case "${exe##*/}" in vcsim|"vcsim (deleted)") ;; *) return 1 ;; esac
    # a zombie is not alive
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

stop_pid() {
    local pid=$1
    is_vcsim "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        is_vcsim "$pid" || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 20); do
        is_vcsim "$pid" || return 0
        sleep 0.1
    done
    log "could not stop vcsim pid $pid"
    return 1
}

do_stop() {
    local pidfile="$STATEDIR/vcsim.pid"
    [ -f "$pidfile" ] || return 0
    stop_pid "$(cat "$pidfile")"
    rm -f "$pidfile"
    # vcsim removes its datastore directories on TERM; after a KILL they stay.
    rm -rf "$STATEDIR/tmp"
}

# gen_tls DIR: our own CA + server cert (127.0.0.1, localhost), 2048-bit RSA,
# plus an unrelated CA.  Reused if DIR already has them (keygen is ~0.5 s of
# the start-up time: point VCSIM_TLS_DIR at one directory to pay it once).
gen_tls() {
    local d=$1 f
    mkdir -p "$d"
    exec 8>"$d/.lock"
    flock 8
    for f in ca.pem server.pem server.key other-ca.pem; do
        [ -s "$d/$f" ] || break
        f=""
    done
    if [ -z "$f" ] && openssl verify -CAfile "$d/ca.pem" "$d/server.pem" >/dev/null 2>&1; then
        exec 8>&-
        return 0
    fi
    local t; t=$(mktemp -d "$d/.gen.XXXXXX")
    (
        cd "$t"
        umask 077
        # CA
        openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
            -keyout ca.key -out ca.pem -subj "/CN=libvmmigrate test CA" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        # server key + CSR, signed by the CA, SAN 127.0.0.1 / localhost
        openssl req -new -newkey rsa:2048 -nodes -sha256 \
            -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
        cat >server.ext <<'EOF2'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EOF2
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
            -CAcreateserial -days 3650 -sha256 -extfile server.ext \
            -out server.pem 2>/dev/null
        # an unrelated CA, for "wrong CA must be refused" tests
        openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
            -keyout other-ca.key -out other-ca.pem -subj "/CN=unrelated test CA" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        chmod 0644 ca.pem other-ca.pem server.pem
        openssl verify -CAfile ca.pem server.pem >/dev/null
    ) || { rm -rf "$t"; exec 8>&-; return 1; }
    for f in ca.key ca.pem server.key server.pem other-ca.key other-ca.pem; do
        mv -f "$t/$f" "$d/$f"
    done
    rm -rf "$t"
    exec 8>&-
}

start_once() {
    local bindir="${VCSIM_BINDIR:-${XDG_CACHE_HOME:-$HOME/.cache}/libvmmigrate/vcsim}"
    "$HERE/build-vcsim.sh" "$bindir" >&2
    bindir=$(readlink -f "$bindir")
    local vcsim="$bindir/vcsim" govc="$bindir/govc"

    mkdir -p "$STATEDIR"
    STATEDIR=$(readlink -f "$STATEDIR")
    do_stop   # a leftover from an earlier run of the same state dir
    mkdir -p "$STATEDIR/tmp" "$STATEDIR/govmomi"

    local t0; t0=$(date +%s.%N)
    local mode="${VCSIM_MODE:-tls}"
    local user="${VCSIM_USERNAME:-vmm-$(openssl rand -hex 4)}"
    local pass="${VCSIM_PASSWORD:-$(openssl rand -hex 12)}"
    local scheme=https tlsargs=() ca="" insecure="" tlsdir=""
    case "$mode" in
        tls)
            command -v openssl >/dev/null || { log "openssl is needed for VCSIM_MODE=tls (apt-get install openssl)"; exit 1; }
            tlsdir=$(mkdir -p "${VCSIM_TLS_DIR:-$STATEDIR/tls}" && readlink -f "${VCSIM_TLS_DIR:-$STATEDIR/tls}")
            gen_tls "$tlsdir" || { log "TLS material generation failed in $tlsdir"; exit 1; }
            tlsargs=(-tlscert "$tlsdir/server.pem" -tlskey "$tlsdir/server.key")
            ca="$tlsdir/ca.pem" ;;
        http)
            scheme=http; tlsargs=(-tls=false) ;;
        builtin)
            insecure=1 ;;
        *) log "unknown VCSIM_MODE '$mode' (tls|http|builtin)"; exit 2 ;;
    esac

    local attempt port="" pid="" url="" logf="$STATEDIR/vcsim.log" outf="$STATEDIR/vcsim.out"
    for attempt in 1 2 3 4 5; do
        : >"$outf"
        # vcsim prints "export GOVC_URL=... GOVC_SIM_PID=..." on stdout (its
        # -E default) once it listens: with port 0 that is where the real
        # port is read.  Not detached (no setsid): if the test's process
        # group is killed, vcsim goes with it.
        # TMPDIR: vcsim creates its datastore directories (govcsim-*) there;
        # keep them inside STATEDIR so that nothing leaks even after a KILL.
        TMPDIR="$STATEDIR/tmp" "$vcsim" -l "127.0.0.1:${VCSIM_LISTEN_PORT:-0}" \
            -username "$user" -password "$pass" "${tlsargs[@]}" "$@" \
            </dev/null >"$outf" 2>>"$logf" &
        pid=$!
        for _ in $(seq 100); do
            if grep -q 'GOVC_URL=' "$outf" 2>/dev/null; then break; fi
            is_vcsim "$pid" || break
            sleep 0.05
        done
        port=$(sed -n 's/.*GOVC_URL=[^ ]*@127\.0\.0\.1:\([0-9]*\)\/sdk.*/\1/p' "$outf" | head -n 1)
        if [ -n "$port" ] && is_vcsim "$pid"; then
            break
        fi
        log "attempt $attempt: vcsim did not come up (see $logf)"
        tail -n 3 "$logf" >&2 || true
        stop_pid "$pid" || true
        wait "$pid" 2>/dev/null || true
        port=""
        sleep 0.2
    done
    [ -n "$port" ] || { log "giving up"; exit 1; }
    echo "$pid" >"$STATEDIR/vcsim.pid"

    url="$scheme://127.0.0.1:$port/sdk"
    # Wait until it answers a real SOAP round trip (login included).
    local ok=""
    for _ in $(seq 200); do
        if env -u GOVC_INSECURE -u GOVC_TLS_CA_CERTS \
               GOVMOMI_HOME="$STATEDIR/govmomi" GOVC_URL="$url" GOVC_USERNAME="$user" GOVC_PASSWORD="$pass" \
               ${ca:+GOVC_TLS_CA_CERTS="$ca"} ${insecure:+GOVC_INSECURE=1} \
               "$govc" about >/dev/null 2>>"$logf"; then
            ok=1; break
        fi
        is_vcsim "$pid" || break
        sleep 0.05
    done
    if [ -z "$ok" ]; then
        log "vcsim on port $port does not answer (see $logf)"
        do_stop
        exit 1
    fi
    local t1; t1=$(date +%s.%N)

    local envf="$STATEDIR/env.sh"
    {
        echo "# written by vcsim.sh start; source it: . $envf"
        printf 'export VCSIM_PID=%q\n' "$pid"
        printf 'export VCSIM_MODE=%q\n' "$mode"
        printf 'export VCSIM_HOST=%q\n' "127.0.0.1"
        printf 'export VCSIM_PORT=%q\n' "$port"
        printf 'export VCSIM_URL=%q\n' "$url"
        printf 'export VCSIM_USERNAME=%q\n' "$user"
        printf 'export VCSIM_PASSWORD=%q\n' "$pass"
        printf 'export VCSIM_CA_FILE=%q\n' "$ca"
        printf 'export VCSIM_WRONG_CA_FILE=%q\n' "${ca:+$tlsdir/other-ca.pem}"
        printf 'export VCSIM_BINDIR=%q\n' "$bindir"
        printf 'export VCSIM_STATEDIR=%q\n' "$STATEDIR"
        printf 'export GOVC=%q\n' "$govc"
        # govc keeps its persisted sessions here instead of ~/.govmomi
        printf 'export GOVMOMI_HOME=%q\n' "$STATEDIR/govmomi"
        printf 'export GOVC_URL=%q\n' "$url"
        printf 'export GOVC_USERNAME=%q\n' "$user"
        printf 'export GOVC_PASSWORD=%q\n' "$pass"
        # tls: verify with our CA; http: nothing to verify; builtin: vcsim's
        # own 1024-bit self-signed cert cannot be verified -> insecure.
        if [ -n "$ca" ]; then
            printf 'export GOVC_TLS_CA_CERTS=%q\n' "$ca"
        else
            echo 'unset GOVC_TLS_CA_CERTS'
        fi
        if [ -n "$insecure" ]; then
            echo 'export GOVC_INSECURE=1'
        else
            echo 'unset GOVC_INSECURE'
        fi
    } >"$envf.tmp"
    mv -f "$envf.tmp" "$envf"
    log "vcsim pid $pid ($mode) answers at $url after $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s"
    echo "$envf"
}

# vMotion: vcsim 0.24's hosts have no VMkernel NIC selected for vMotion (its
# HostSystem config.virtualNicManagerInfo comes from a stock ESXi) and it
# cannot select one (no HostVirtualNicManager: `govc host.vnic.service` faults
# "managed object not found").  A vCenter that live-migrates has one on every
# host, so with VCSIM_VMOTION=on vcsim is started, its inventory saved
# (govc object.save), vmk0 selected for vMotion on every host except those in
# VCSIM_NO_VMOTION (space-separated host names; vcsim-vmotion.py), and vcsim
# restarted on it (-load).  Not done when the arguments already -load an
# inventory or ask for -delay/-method-delay (vcsim 0.24 ignores those with
# -load).  Default (VCSIM_VMOTION=model): the hosts are vcsim's own.
# Known gap with "on": after -load a VM's NIC on DC0_DVPG0 is reported on
# network 'dvportgroup-13' (test_move_all_three_powered_off fails).
do_start() {
    local vmotion="${VCSIM_VMOTION:-model}" a inv
    for a in "$@"; do
        case "$a" in -load|-load=*|-delay|-delay=*|-method-delay|-method-delay=*) vmotion=model ;; esac
    done
    case "$vmotion" in
        model) start_once "$@"; return ;;
        on) ;;
        *) log "unknown VCSIM_VMOTION '$vmotion' (on|model)"; exit 2 ;;
    esac
    start_once "$@" >/dev/null
    inv="$STATEDIR/vmotion-inventory"   # STATEDIR is absolute now
    (
        # shellcheck disable=SC1091
        . "$STATEDIR/env.sh"
        rm -rf "$inv"
        "$GOVC" object.save -f -d "$inv" >/dev/null
    )
    "$HERE/vcsim-vmotion.py" "$inv" on >/dev/null
    if [ -n "${VCSIM_NO_VMOTION:-}" ]; then
        # shellcheck disable=SC2086
        "$HERE/vcsim-vmotion.py" "$inv" off $VCSIM_NO_VMOTION >/dev/null
    fi
    do_stop
    start_once -load "$inv" "$@"
}

case "$CMD" in
    start) do_start "$@" ;;
    stop)  [ $# -eq 0 ] || usage; do_stop ;;
    *) usage ;;
esac
