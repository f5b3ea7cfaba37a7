#!/usr/bin/env bash
# Runs the libFuzzer targets: builds them (clang, ASan + UBSan, coverage on
# the whole library) in BUILD_DIR, then fuzzes each target named on the
# command line (default: all) for SECONDS seconds (default 600), one job
# each. New inputs go to WORK_DIR/corpus/<target>, crashes to
# WORK_DIR/artifacts; the checked-in corpus (tests/fuzz/corpus/<target>) is
# read, never written. Minimize a crash with
#   <build>/tests/fuzz/fuzz-<target>-libfuzzer -minimize_crash=1 -runs=10000 CRASH
# and an interesting input set with -merge=1 (see README.md). NO_BUILD=1
# runs the binaries already built.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/_build-fuzz}
work=${WORK_DIR:-$build/fuzz-work}
seconds=${SECONDS_PER_TARGET:-600}

if [ ! -d "$build" ]; then
  CC=clang meson setup "$build" "$src" -Dwerror=true -Dintrospection=disabled -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link
fi
[ -n "${NO_BUILD:-}" ] || ninja -C "$build"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for exe in "$build"/tests/fuzz/fuzz-*-libfuzzer; do
    t=${exe##*/fuzz-}
    targets+=("${t%-libfuzzer}")
  done
fi

# FULL_LEAKS=1: LeakSanitizer sees every block (GLib 2.74's slice
# magazines hide leaked ones) with full stacks for tests/fuzz/lsan.supp;
# 3 to 5 times fewer executions per second. Valgrind on the corpus
# (meson test --setup=valgrind --suite fuzzing) checks the same.
slice=
asan_extra=
if [ -n "${FULL_LEAKS:-}" ]; then
  slice=always-malloc
  asan_extra=:fast_unwind_on_malloc=0
fi

status=0
for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t" "$work/artifacts" "$work/logs"
  echo "== fuzz-$t for ${seconds}s"
  (
    cd "$work/logs"
    G_SLICE=$slice ASAN_OPTIONS=detect_leaks=1:abort_on_error=1$asan_extra \
    LSAN_OPTIONS=suppressions="$src/tests/fuzz/lsan.supp" \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$build/tests/fuzz/fuzz-$t-libfuzzer" -max_total_time="$seconds" -jobs=1 -workers=1 \
        -dict="$src/tests/fuzz/$t.dict" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" \
        "$work/corpus/$t" "$src/tests/fuzz/corpus/$t"
  ) || status=1
  mv "$work/logs/fuzz-0.log" "$work/logs/$t.log" 2>/dev/null || true
  grep -E "^(#[0-9]+.*DONE|stat::|==[0-9]+==ERROR|SUMMARY)" "$work/logs/$t.log" || true
done
exit $status
