#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds with -Werror and runs
# every suite, then builds the engine again under AddressSanitizer + UBSan and
# runs the engine's suites there, then runs the fast suites under valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-deps.sh

build=${BUILD_DIR:-_build-test}
asan=${ASAN_BUILD_DIR:-_build-asan}
jobs=$(nproc)

# Every backend that exists is built and its suite runs against its real
# peer; tests/<backend>/ci-deps.sh installs what that peer needs.
backend_opts=()
for b in libvirt nova vsphere; do
  if [ -f "libvmmigrate/backends/$b/meson.build" ]; then
    if [ -f "tests/$b/ci-deps.sh" ]; then
      echo "== peer dependencies for $b"
      bash "tests/$b/ci-deps.sh"
    fi
    backend_opts+=("-D$b=enabled")
  else
    backend_opts+=("-D$b=disabled")
  fi
done

# -Ddocs=true: the API reference builds with gi-docgen --fatal-warnings and
# the docs suite checks that every public symbol has a doc comment and Since:.
echo "== build (-Werror) in $build"
if [ ! -d "$build" ]; then
  meson setup "$build" -Dwerror=true -Dintrospection=enabled -Ddocs=true -Dcast_checks=enabled \
    "${backend_opts[@]}"
else
  # --reconfigure, not configure: it also learns options added since the setup
  meson setup --reconfigure "$build" -Ddocs=true -Dcast_checks=enabled "${backend_opts[@]}" \
    >/dev/null
fi
ninja -C "$build"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
count() { grep -E "^$1: " "$log" | awk '{s += $2} END {print s + 0}'; }

echo "== test suites"
meson test -C "$build" --print-errorlogs --num-processes "$jobs" | tee -a "$log"

echo "== AddressSanitizer + UBSan build in $asan"
if [ ! -d "$asan" ]; then
  CC=clang meson setup "$asan" -Dwerror=true -Dintrospection=disabled -Dcast_checks=enabled \
    -Db_sanitize=address,undefined -Db_lundef=false
else
  CC=clang meson setup --reconfigure "$asan" -Dcast_checks=enabled >/dev/null
fi
ninja -C "$asan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  meson test -C "$asan" --print-errorlogs --num-processes "$jobs" --suite engine --suite prechecks \
    --suite fuzzing | tee -a "$log"

# The fast suites again under valgrind memcheck (meson test setup in
# meson.build): no memory error, no definitely lost block.
echo "== valgrind memcheck (engine, prechecks and fuzzing suites) in $build"
meson test -C "$build" --setup=valgrind --print-errorlogs --num-processes "$jobs" \
  --suite engine --suite prechecks --suite fuzzing | tee -a "$log"

# One closing line for both runs (test programs; each runs many subtests).
echo "$(count Ok) passed, $(( $(count Fail) + $(count Timeout) )) failed"
