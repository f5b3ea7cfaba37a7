#!/usr/bin/env bash
# The demo: installs what it needs, builds, and runs a hot host move, a storage
# move and a cold move in the built-in simulated inventory (sim://), printing
# each plan (the action queue) and each result.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-deps.sh
build=${BUILD_DIR:-_build}
[ -d "$build" ] || meson setup "$build" >/dev/null
ninja -C "$build" examples/vmm-demo >/dev/null
exec "$build/examples/vmm-demo" "$@"
