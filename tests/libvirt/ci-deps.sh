#!/usr/bin/env bash
# CI: what the libvirt suite's peers need (packages, the users and groups the
# QEMU driver wants), then the guests' boot assets (kernel and initramfs),
# built once into the cache the suite uses.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/hosts.sh" deps
export VMM_TEST_CACHE=${VMM_TEST_CACHE:-/var/tmp/vmmigrate-test-cache}
scratch=$(mktemp -d /tmp/vmm-lv-assets.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
bash "$here/guest.sh" assets "$scratch" >/dev/null
