#!/bin/sh
# CI: what the Nova backend builds against (libsoup 3, libyaml) and what its
# suite's peers need (tests/nova/deps.sh).  Idempotent: dpkg -s first, and
# apt-get update only when something is missing.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"

PKGS="libsoup-3.0-dev libyaml-dev libjson-glib-dev openssl"
missing=""
for p in $PKGS; do
    if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    echo "ci-deps.sh: installing:$missing"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
sh "$HERE/deps.sh"
