#!/usr/bin/env bash
# Small QEMU/TCG guests for the libvirt backend's tests, on hosts started by hosts.sh.
#
#   guest.sh idle    STATEDIR NAME HOST        128 MiB diskless guest printing "heartbeat N" each second
#   guest.sh dirty   STATEDIR NAME HOST        256 MiB diskless guest rewriting 100 MiB of tmpfs
#                                              with random data, printing "pass N" after each pass
#   guest.sh disk    STATEDIR NAME HOST POOL   idle guest plus a 64 MiB qcow2 volume NAME.qcow2
#                                              created in POOL on HOST (attached as vda)
#   guest.sh xml     KIND STATEDIR NAME [DISK] print the domain XML only (KIND idle|dirty)
#   guest.sh counter STATEDIR NAME             last heartbeat/pass number on the console (0: none)
#   guest.sh alive   STATEDIR NAME [SECONDS]   wait until that number grows by 2 (default 60 s)
#   guest.sh assets  STATEDIR                  build the kernel and initramfs, print their paths
#
# HOST is kvm-a or kvm-b.  Guests are defined (persistent) and started; with
# VMM_GUEST_TRANSIENT=1 they are only created (transient).  VMM_GUEST_MEMORY_MIB and
# VMM_DIRTY_MIB override the sizes; VMM_DIRTY_PAUSE (seconds, may be fractional) makes
# the dirty guest sleep between passes, to lower its dirty rate.  The serial console
# goes to STATEDIR/guests/NAME.console, a file both hosts see, appended to by every
# QEMU that runs the guest.
#
# The kernel is Debian's (apt-get download of the package linux-image-amd64 depends on,
# unpacked, nothing installed); the initramfs is busybox-static plus a shell /init.
# Both are built once into $VMM_TEST_CACHE (default STATEDIR/../cache).
set -euo pipefail

log() { printf 'guest.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

statedir_of() { [[ -n ${1:-} ]] || die "STATEDIR missing"; realpath -m -- "$1"; }
cache_dir() {
    if [[ -n ${VMM_TEST_CACHE:-} ]]; then realpath -m -- "$VMM_TEST_CACHE"
    else realpath -m -- "$1/../cache"; fi
}

# ---------------------------------------------------------------- boot assets

# The guest's /init.  Settings come from the kernel command line: the kernel hands
# unknown name=value words to init as environment variables.
read -r -d '' GUEST_INIT <<'EOF' || true
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /tmp /mnt
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "vmm-guest: up, mode ${vmm_mode:=idle}"
n=0
if [ "$vmm_mode" = dirty ]; then
    mib=${vmm_dirty_mib:-100}
    mount -t tmpfs -o size=$((mib + 2))m tmpfs /mnt
    chunks=""
    i=0
    while [ $i -lt "$mib" ]; do chunks="$chunks /mnt/chunk"; i=$((i + 1)); done
    while :; do
        # New random MiB each pass, written $mib times over the file (in place).
        dd if=/dev/urandom of=/mnt/chunk bs=1M count=1 2>/dev/null
        cat $chunks 1<>/mnt/data
        n=$((n + 1))
        echo "pass $n"
        [ "${vmm_dirty_pause:-0}" = 0 ] || sleep "$vmm_dirty_pause"
    done
else
    while :; do
        n=$((n + 1))
        echo "heartbeat $n"
        sleep 1
    done
fi
EOF

# Fetch one .deb with apt-get download into $2 (refreshing the package lists once
# if they are missing or stale).
download_deb() {
    local pkg=$1 dir=$2
    if ! (cd "$dir" && apt-get download -q "$pkg" >/dev/null 2>&1); then
        apt-get update -q >/dev/null
        (cd "$dir" && apt-get download -q "$pkg" >/dev/null)
    fi
}

kernel_package() {
    local pkg
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
    if [[ -z $pkg ]]; then
        apt-get update -q >/dev/null
        pkg=$(apt-cache depends linux-image-amd64 |
            awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
    fi
    [[ -n $pkg ]] || die "cannot find the package linux-image-amd64 depends on"
    printf '%s\n' "$pkg"
}

build_kernel() {   # -> $cache/vmlinuz
    local cache=$1 tmp pkg
    tmp=$(mktemp -d "$cache/.kernel.XXXXXX")
    chmod 755 "$tmp"    # apt-get download drops privileges to _apt when it can
    pkg=$(kernel_package)
    log "downloading $pkg (kernel only, nothing installed)"
    download_deb "$pkg" "$tmp"
    dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*'
    mv "$tmp"/boot/vmlinuz-* "$cache/vmlinuz"
    printf '%s\n' "$pkg" >"$cache/vmlinuz.package"
    rm -rf "$tmp"
}

build_initrd() {   # -> $cache/initrd-<hash of /init>.cpio.gz
    local cache=$1 out=$2 tmp
    tmp=$(mktemp -d "$cache/.initrd.XXXXXX")
    chmod 755 "$tmp"
    log "downloading busybox-static (unpacked, nothing installed)"
    download_deb busybox-static "$tmp"
    dpkg-deb --fsys-tarfile "$tmp"/busybox-static_*.deb | tar -x -C "$tmp" ./bin/busybox
    mkdir -p "$tmp/root/bin"
    mv "$tmp/bin/busybox" "$tmp/root/bin/busybox"
    printf '%s\n' "$GUEST_INIT" >"$tmp/root/init"
    chmod 755 "$tmp/root/init"
    (cd "$tmp/root" && find . | sort | "$tmp/root/bin/busybox" cpio -o -H newc 2>/dev/null) |
        gzip -9 >"$tmp/initrd"
    mv "$tmp/initrd" "$out"
    rm -rf "$tmp"
}

# Build what is missing, under a lock (tests may run guest.sh concurrently).
# Sets KERNEL and INITRD.
ensure_assets() {
    local cache hash
    cache=$(cache_dir "$1")
    mkdir -p "$cache"
    hash=$(printf '%s' "$GUEST_INIT" | sha1sum | cut -c1-12)
    KERNEL=$cache/vmlinuz
    INITRD=$cache/initrd-$hash.cpio.gz
    [[ -s $KERNEL && -s $INITRD ]] && return 0
    exec 9>"$cache/.lock"
    flock 9
    [[ -s $KERNEL ]] || build_kernel "$cache"
    if [[ ! -s $INITRD ]]; then
        build_initrd "$cache" "$INITRD"
        find "$cache" -maxdepth 1 -name 'initrd-*.cpio.gz' ! -path "$INITRD" -delete   # stale /init
    fi
    exec 9>&-
}

# ---------------------------------------------------------------- domains

host_uri() {   # host_uri STATEDIR HOST
    local sd=$1 h=$2 var
    [[ -s $sd/env.sh ]] || die "no $sd/env.sh: start the hosts with hosts.sh start $sd"
    case $h in kvm-a | kvm-b) ;; *) die "unknown host '$h' (kvm-a or kvm-b)" ;; esac
    var=VMM_KVM_${h#kvm-}
    var=${var^^}_URI                                    # VMM_KVM_A_URI
    # shellcheck source=/dev/null
    (source "$sd/env.sh" && printf '%s\n' "${!var}")
}

console_of() { printf '%s/guests/%s.console\n' "$1" "$2"; }

domain_xml() {   # domain_xml KIND STATEDIR NAME [DISKPATH]
    local kind=$1 sd=$2 name=$3 disk=${4:-} mem cmdline
    [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die "guest name '$name': use only [A-Za-z0-9._-]"
    [[ ${VMM_GUEST_MEMORY_MIB:-1} =~ ^[0-9]+$ && ${VMM_DIRTY_MIB:-1} =~ ^[0-9]+$ ]] ||
        die "VMM_GUEST_MEMORY_MIB and VMM_DIRTY_MIB take a whole number of MiB"
    [[ ${VMM_DIRTY_PAUSE:-0} =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "VMM_DIRTY_PAUSE takes seconds"
    ensure_assets "$sd"
    # A TCG guest booted while the machine is busy (20 guests started one after the
    # other) loses its clock: without ACPI it has no HPET or PM timer to calibrate the
    # TSC against, calibration against the PIT fails under load, and the kernel falls
    # back to jiffies with a periodic tick: 20 such idle guests took 1.3 of 2 cores.
    # So: ACPI on (in the XML below), tsc=reliable (TCG's TSC follows the host clock;
    # no watchdog switching to the HPET, a device access per read), and
    # no_timer_check (the boot-time IO-APIC timer test panics when the vCPU is
    # starved, as cloud images know).  20 idle guests now take ~0.3 cores.
    local common="console=ttyS0 panic=-1 tsc=reliable no_timer_check"
    case $kind in
        idle)  mem=${VMM_GUEST_MEMORY_MIB:-128}; cmdline="$common vmm_mode=idle" ;;
        dirty) mem=${VMM_GUEST_MEMORY_MIB:-256}
               cmdline="$common vmm_mode=dirty vmm_dirty_mib=${VMM_DIRTY_MIB:-100}"
               cmdline+=" vmm_dirty_pause=${VMM_DIRTY_PAUSE:-0}" ;;
        *) die "unknown guest kind '$kind'" ;;
    esac
    cat <<EOF
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>$mem</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$KERNEL</kernel>
    <initrd>$INITRD</initrd>
    <cmdline>$cmdline</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
EOF
    if [[ -n $disk ]]; then
        cat <<EOF
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$disk'/>
      <target dev='vda' bus='virtio'/>
    </disk>
EOF
    fi
    cat <<EOF
    <controller type='usb' model='none'/>
    <serial type='file'>
      <source path='$(console_of "$sd" "$name")' append='on'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

start_guest() {   # start_guest KIND STATEDIR NAME HOST [DISKPATH]
    local kind=$1 sd=$2 name=$3 host=$4 disk=${5:-} uri xml
    uri=$(host_uri "$sd" "$host")
    mkdir -p "$sd/guests"
    xml=$(domain_xml "$kind" "$sd" "$name" "$disk")
    : >"$(console_of "$sd" "$name")"
    if [[ ${VMM_GUEST_TRANSIENT:-0} == 1 ]]; then
        virsh -q -c "$uri" create /dev/stdin <<<"$xml" >/dev/null
    else
        virsh -q -c "$uri" define /dev/stdin <<<"$xml" >/dev/null
        virsh -q -c "$uri" start "$name" >/dev/null
    fi
    log "$name ($kind) started on $host; console $(console_of "$sd" "$name")"
}

cmd_disk() {   # cmd_disk STATEDIR NAME HOST POOL
    local sd=$1 name=$2 host=$3 pool=$4 uri path
    uri=$(host_uri "$sd" "$host")
    virsh -q -c "$uri" pool-refresh "$pool" >/dev/null
    virsh -q -c "$uri" vol-create-as "$pool" "$name.qcow2" 64M --format qcow2 >/dev/null
    path=$(virsh -q -c "$uri" vol-path --pool "$pool" "$name.qcow2")
    start_guest idle "$sd" "$name" "$host" "$path"
}

counter() {   # last "heartbeat N" / "pass N" on the console
    local f
    f=$(console_of "$1" "$2")
    [[ -e $f ]] || die "no console file $f"
    tr -d '\r' <"$f" | awk '/^(heartbeat|pass) [0-9]+$/ { n = $2 } END { print n + 0 }'
}

cmd_alive() {
    local sd=$1 name=$2 timeout=${3:-60} start now deadline
    start=$(counter "$sd" "$name")
    deadline=$((SECONDS + timeout))
    while now=$(counter "$sd" "$name") && ((now < start + 2)); do
        ((SECONDS < deadline)) || die "$name: counter stuck at $now for ${timeout}s (was $start)"
        sleep 0.5
    done
    log "$name alive: counter $start -> $now"
}

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
    exit 2
}

main() {
    (($#)) || usage
    local cmd=$1
    shift
    case $cmd:$# in
        idle:3 | dirty:3) start_guest "$cmd" "$(statedir_of "$1")" "$2" "$3" ;;
        disk:4) cmd_disk "$(statedir_of "$1")" "$2" "$3" "$4" ;;
        xml:3 | xml:4) domain_xml "$1" "$(statedir_of "$2")" "$3" "${4:-}" ;;
        counter:2) counter "$(statedir_of "$1")" "$2" ;;
        alive:2 | alive:3) cmd_alive "$(statedir_of "$1")" "$2" "${3:-60}" ;;
        assets:1) ensure_assets "$(statedir_of "$1")"; printf 'kernel %s\ninitrd %s\n' "$KERNEL" "$INITRD" ;;
        *) usage ;;
    esac
}

main "$@"
