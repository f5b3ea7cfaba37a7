#!/usr/bin/env bash
# The engine's benchmarks (issue #10): builds the benchmark program, runs
# every figure and prints the table kept in tests/bench/README.md.
#
#   bash tests/bench/run.sh              # the table (a few minutes)
#   bash tests/bench/run.sh --callgrind  # also instructions per migration (valgrind)
#   bash tests/bench/run.sh --write      # also replace the table in README.md
#
# BUILD_DIR (default: $TMPDIR/vmm-bench-build) is where it builds;
# RUNS (default 5) is how many runs each median is taken over.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$(pwd)

build=${BUILD_DIR:-${TMPDIR:-/tmp}/vmm-bench-build}
runs=${RUNS:-5}
callgrind=0
write=0
for arg in "$@"; do
  case "$arg" in
    --callgrind) callgrind=1 ;;
    --write) write=1 ;;
    *) echo "usage: $0 [--callgrind] [--write]" >&2; exit 2 ;;
  esac
done

bash tools/setup-deps.sh
if [ "$callgrind" = 1 ] && ! dpkg -s valgrind >/dev/null 2>&1; then
  echo "bench: installing valgrind"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends valgrind
fi

if [ ! -d "$build" ]; then
  meson setup "$build" -Dintrospection=disabled -Dlibvirt=disabled -Dnova=disabled \
    -Dvsphere=disabled >/dev/null
fi
ninja -C "$build" tests/bench/bench-engine >/dev/null
bench="$build/tests/bench/bench-engine"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
machine="$(nproc) cores, ${cpu:-$(uname -m)}, pinned to 1 core"
date=$(date -u +%Y-%m-%d)
rev=${BENCH_REV:-$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)}
table=$(mktemp)
trap 'rm -f "$table"' EXIT

# run <env> <args...>: runs one figure, keeps its RESULT lines
run() {
  local env=$1
  shift
  local cmd="bench-engine --runs=$runs $*"
  local out
  echo "== $env $cmd" >&2
  out=$(env $env "$bench" --runs="$runs" "$@")
  echo "$out" | grep -v '^RESULT' >&2
  echo "$out" | grep '^RESULT' | while IFS=$'\t' read -r _ figure value unit baseline bvalue ratio; do
    local base
    if [ "$baseline" = "none" ]; then
      base="-"
    elif [[ "$baseline" == target* ]]; then
      base="$baseline"
    else
      base="$baseline: $bvalue"
    fi
    if [[ "$unit" == "migrations/s" && "$figure" != *journal* ]]; then
      base="$base; target 20000 migrations/s"
    fi
    printf '| %s | %s %s | %s | %s | %s | %s | `%s` |\n' "$figure" "$value" "$unit" "$base" \
      "$ratio" "$machine" "$date ($rev)" "${env:+$env }$cmd" >>"$table"
  done
}

run "" --figure=throughput --concurrency=1 --count=10000
run "" --figure=throughput --concurrency=100 --count=10000
run "" --figure=throughput --concurrency=10000 --count=10000
# GLib 2.74's GSlice slabs against plain malloc (what GLib >= 2.76 always
# uses): at 10,000 in flight the slab allocator is the cache-hostile part
run "G_SLICE=always-malloc" --figure=throughput --concurrency=10000 --count=10000
run "G_SLICE=always-malloc" --figure=memory --concurrency=10000
run "G_SLICE=always-malloc" --figure=memory --concurrency=10000 --own-cancellables
run "" --figure=plan --hosts=1000
run "" --figure=plan --hosts=1000 --choose
run "" --figure=journal --journal=sqlite --count=2000
run "" --figure=journal --journal=sqlite --concurrency=100 --count=2000
run "" --figure=journal --journal=memory --count=2000
run "" --figure=placement
# hosts that can take 6 more VMs each: 4,000 VMs cannot be placed (one run: slow)
run "" --figure=placement --host-memory-mib=16384 --runs=1

if [ "$callgrind" = 1 ]; then
  # Instructions per migration and per floor chain, measured runs only
  # (the program switches collection on around them): repeatable where
  # wall time is not.
  out=$(mktemp -d)
  for n in 1 100; do
    count=1000
    cmd="valgrind --tool=callgrind --collect-atstart=no bench-engine --figure=throughput --concurrency=$n --count=$count --runs=1 --no-baseline"
    echo "== $cmd" >&2
    valgrind --tool=callgrind --callgrind-out-file="$out/moves-$n.out" --collect-atstart=no \
      "$bench" --figure=throughput --concurrency=$n --count=$count --runs=1 --no-baseline >/dev/null 2>&1
    ir=$(callgrind_annotate "$out/moves-$n.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    valgrind --tool=callgrind --callgrind-out-file="$out/floor-$n.out" --collect-atstart=no \
      "$bench" --figure=floor --concurrency=$n --count=$count --runs=1 >/dev/null 2>&1
    fir=$(callgrind_annotate "$out/floor-$n.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    per=$((ir / count))
    fper=$((fir / count))
    ratio=$(awk -v a="$per" -v b="$fper" 'BEGIN { printf "%.1f", a / b }')
    printf '| instructions per hot host move, N=%s (callgrind) | %s Ir | floor, 15 chained GTasks: %s Ir per chain | %s | %s | %s | `%s` |\n' \
      "$n" "$per" "$fper" "$ratio" "$machine" "$date ($rev)" "$cmd" >>"$table"
    echo "# callgrind N=$n: $per Ir per migration, floor $fper Ir per chain (ratio $ratio); top functions:" >&2
    callgrind_annotate "$out/moves-$n.out" 2>/dev/null | sed -n '/file:function/,$p' | sed -n '2,16p' >&2
  done
  rm -rf "$out"
fi

header='| figure | median | baseline (same run) / target | ratio | machine | date (commit) | command |
| --- | --- | --- | --- | --- | --- | --- |'
echo
echo "$header"
cat "$table"

if [ "$write" = 1 ]; then
  readme=tests/bench/README.md
  python3 - "$readme" "$table" "$header" <<'EOF'
import sys
readme, table, header = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(readme).read()
begin, end = "<!-- table begin -->", "<!-- table end -->"
rows = open(table).read()
new = begin + "\n" + header + "\n" + rows + end
start, stop = text.index(begin), text.index(end) + len(end)
open(readme, "w").write(text[:start] + new + text[stop:])
EOF
  echo "wrote $readme"
fi
