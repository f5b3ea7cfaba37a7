#!/bin/bash
# build-vcsim.sh OUTDIR
#
# Builds govmomi's vCenter simulator `vcsim` and its CLI `govc` from Debian 12's
# source package golang-github-vmware-govmomi (0.24.x), offline, with Debian's
# own Go toolchain and Go library packages (GOPATH mode), and puts the two
# binaries in OUTDIR.
#
# - Cached: if OUTDIR/vcsim and OUTDIR/govc exist and are newer than this
#   script, nothing is done (so tests can call this every time).
# - Needs root (or passwordless sudo) only when a Debian package is missing.
# - The deb-src entry that `apt-get source` needs is generated at run time from
#   the machine's own /etc/apt/sources.list.d/debian.sources (same URIs,
#   Suites, Components, Signed-By) into a PRIVATE apt configuration (its own
#   sources.list.d, lists and cache directories) in a temporary directory;
#   the system's apt configuration is never modified.
# - Nothing downloaded ends up in OUTDIR or in the source tree: the source
#   package is fetched and built in a temporary directory under ${TMPDIR:-/tmp},
#   deleted on exit (VCSIM_KEEP_WORK=1 keeps it).  OUTDIR gets vcsim, govc and
#   VERSION (the Debian source version) only.
#
# Works non-interactively (CI=true, no stdin).
set -euo pipefail

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
[ -n "$1" ] || usage

SCRIPT=$(readlink -f "$0")
SRCPKG=golang-github-vmware-govmomi
# Debian packages needed to build: the Go toolchain, the two Go libraries that
# govmomi needs beyond its own tree, and dpkg-dev for dpkg-source.
DEPS=(golang-go golang-github-google-uuid-dev golang-github-kr-pretty-dev dpkg-dev)

mkdir -p "$1"
OUTDIR=$(readlink -f "$1")

log() { echo "build-vcsim: $*" >&2; }

up_to_date() {
    local b
    for b in vcsim govc; do
        [ -x "$OUTDIR/$b" ] && [ "$OUTDIR/$b" -nt "$SCRIPT" ] || return 1
    done
    return 0
}

if up_to_date; then
    log "up to date: $OUTDIR/vcsim $OUTDIR/govc"
    exit 0
fi

# Serialize concurrent callers (e.g. meson running several tests at once).
exec 9>"$OUTDIR/.build.lock"
flock 9
if up_to_date; then
    log "up to date (built by a concurrent caller): $OUTDIR/vcsim $OUTDIR/govc"
    exit 0
fi

START=$(date +%s.%N)

# --- 1. Debian packages ------------------------------------------------------
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        log "need root to run: $*"
        exit 1
    fi
}

is_installed() {
    dpkg -s "$1" 2>/dev/null | grep -qx 'Status: install ok installed'
}

missing=()
for p in "${DEPS[@]}"; do
    is_installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get -q -o DPkg::Lock::Timeout=600 update </dev/null
    as_root apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends \
        "${missing[@]}" </dev/null
fi

GO=/usr/bin/go
[ -x "$GO" ] || GO=/usr/lib/go/bin/go
[ -x "$GO" ] || { log "go not found after installing golang-go"; exit 1; }

# --- 2. Private apt configuration with deb-src entries -----------------------
# Everything downloaded or generated (apt config, lists, source package, GOPATH,
# Go cache) lives in a temporary directory outside OUTDIR (OUTDIR may be inside
# a source tree), removed on exit.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/build-vcsim.XXXXXX")
cleanup() {
    if [ "${VCSIM_KEEP_WORK:-0}" = 1 ]; then
        log "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
APTDIR="$WORK/apt"
mkdir -p "$APTDIR/sources.list.d" "$APTDIR/lists/partial" \
         "$APTDIR/cache/archives/partial" "$APTDIR/src"

# VCSIM_APT_SOURCES: only to test this parser on another file.
SYS_SOURCES=${VCSIM_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
GEN="$APTDIR/sources.list.d/src.sources"
if [ -r "$SYS_SOURCES" ]; then
    # deb822: keep every enabled stanza whose Types has "deb", rewrite its
    # Types to deb-src, keep URIs/Suites/Components/Signed-By (with
    # continuation lines, e.g. an inline key) as they are.
    awk '
        function flush() {
            if (n > 0 && isdeb && !disabled) {
                print "Types: deb-src"
                for (i = 1; i <= n; i++) print lines[i]
                print ""
                count++
            }
            n = 0; isdeb = 0; disabled = 0; keep = 0
        }
        /^#/ { next }
        /^[ \t]*$/ { flush(); next }
        /^[ \t]/ { if (keep) lines[++n] = $0; next }
        {
            field = tolower($0); sub(/:.*/, "", field)
            value = $0; sub(/^[^:]*:[ \t]*/, "", value)
            keep = 0
            if (field == "types") {
                if ((" " value " ") ~ /[ \t]deb[ \t]/) isdeb = 1
            } else if (field == "enabled") {
                if (tolower(value) == "no") disabled = 1
            } else if (field == "uris" || field == "suites" ||
                       field == "components" || field == "signed-by") {
                lines[++n] = $0; keep = 1
            }
        }
        END { flush(); if (count == 0) exit 1 }
    ' "$SYS_SOURCES" >"$GEN" || { log "no usable 'Types: deb' stanza in $SYS_SOURCES"; exit 1; }
elif [ -r /etc/apt/sources.list ]; then
    # one-line format fallback: "deb [opts] URI suite comp..." -> deb-src
    GEN="$APTDIR/sources.list.d/src.list"
    sed -n 's/^[ \t]*deb[ \t]/deb-src /p' /etc/apt/sources.list >"$GEN"
    [ -s "$GEN" ] || { log "no deb line in /etc/apt/sources.list"; exit 1; }
else
    log "cannot find the machine's apt sources ($SYS_SOURCES)"
    exit 1
fi
log "private deb-src entries:"; sed 's/^/  /' "$GEN" >&2

APT_OPTS=(
    -o "Dir::Etc::SourceList=/dev/null"
    -o "Dir::Etc::SourceParts=$APTDIR/sources.list.d"
    -o "Dir::State::Lists=$APTDIR/lists"
    -o "Dir::Cache=$APTDIR/cache"
    -o "Dir::Cache::pkgcache="
    -o "Dir::Cache::srcpkgcache="
    -o "APT::Sandbox::User=root"
    -q
)
# Only our private lists directory is written; no root needed for this part.
apt-get "${APT_OPTS[@]}" update </dev/null >&2
( cd "$APTDIR/src" && apt-get "${APT_OPTS[@]}" source --download-only "$SRCPKG" </dev/null >&2 )
DSC=$(ls "$APTDIR"/src/${SRCPKG}_*.dsc | head -n 1)
[ -f "$DSC" ] || { log "no .dsc downloaded"; exit 1; }
log "source package: $(basename "$DSC")"

# --- 3. Unpack into a GOPATH and build ----------------------------------------
GOPATH_DIR="$WORK/gopath"
PKGDIR="$GOPATH_DIR/src/github.com/vmware/govmomi"
mkdir -p "$(dirname "$PKGDIR")"
# (apt-get already checked the files against the signed Sources index)
dpkg-source --no-check -x "$DSC" "$PKGDIR" >&2

mkdir -p "$WORK/bin" "$WORK/gocache" "$WORK/tmp"
(
    cd "$PKGDIR"
    export GO111MODULE=off GOPROXY=off GOFLAGS='' GOTOOLCHAIN=local \
           GOPATH="$GOPATH_DIR:/usr/share/gocode" \
           GOCACHE="$WORK/gocache" GOTMPDIR="$WORK/tmp" CGO_ENABLED=0
    "$GO" version >&2
    "$GO" build -trimpath -o "$WORK/bin/vcsim" ./vcsim
    "$GO" build -trimpath -o "$WORK/bin/govc" ./govc
)

# Install atomically (a concurrent reader never sees half a binary).
for b in vcsim govc; do
    install -m 0755 "$WORK/bin/$b" "$OUTDIR/.$b.new"
    mv -f "$OUTDIR/.$b.new" "$OUTDIR/$b"
done
VERSION=$(basename "$DSC" .dsc); VERSION=${VERSION#${SRCPKG}_}
echo "$VERSION" >"$OUTDIR/VERSION"

END=$(date +%s.%N)
log "built vcsim and govc ($SRCPKG $VERSION) in $OUTDIR in $(awk -v a="$START" -v b="$END" 'BEGIN{printf "%.1f", b-a}') s"
