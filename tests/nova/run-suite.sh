#!/bin/bash
# Runs the nova suite: starts the loopback cloud once (real Keystone and
# Nova), runs the test program against it (TAP on stdout), stops the cloud
# whatever happens.  A cloud that cannot start fails the suite.
#
#   run-suite.sh TEST-PROGRAM [args...]
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
state=$(mktemp -d "${TMPDIR:-/tmp}/vmm-nova-suite.XXXXXX")

stop_cloud() {
    "$HERE/cloud.sh" stop "$state" >&2 || true
    rm -rf "$state"
}
trap stop_cloud EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# Tokens live 60 s, so the suite meets token expiry for real; host3 has
# 1.5 GiB of memory, for the capacity precheck.  The peers end by
# themselves after 20 minutes even if this script is killed.
if ! "$HERE/cloud.sh" start "$state" --token-expiration 60 --max-lifetime 1200 \
        -- --host-resources host3:memory_mb=1536 >&2; then
    echo "1..1"
    echo "not ok 1 - the Nova/Keystone test cloud did not start (see the log above)"
    exit 1
fi
# shellcheck disable=SC1091
. "$state/env.sh"
"$@"
