#!/usr/bin/env bash
# Regenerates the real heap/CPU profile fixtures in test/fixtures/profiles/ and the outputs
# of the reference tools (jeprof, google-pprof) that the parser tests cross-check against.
#
#   scripts/regen-fixtures.sh
#
# Needs (Debian 12): gcc, libjemalloc2 + libjemalloc-dev (jeprof), libgoogle-perftools4 +
# google-perftools (google-pprof). The binaries are compiled into the fixture folder BEFORE
# the runs so the maps sections point at them; ASLR is disabled (setarch -R) when possible
# so regenerated files differ as little as possible. After regenerating, refresh the golden
# dumps: UPDATE_GOLDEN=1 npx vitest run test/profile
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/test/fixtures/profiles"
bin="$out/bin"
libdir="/usr/lib/$(gcc -print-multiarch)"
jemalloc="$libdir/libjemalloc.so.2"
tcmalloc="$libdir/libtcmalloc.so.4"
profiler="$libdir/libprofiler.so.0"

for f in "$jemalloc" "$tcmalloc" "$profiler"; do
  [[ -e "$f" ]] || { echo "regen-fixtures: missing $f (apt install libjemalloc2 libgoogle-perftools4)" >&2; exit 1; }
done
for tool in gcc jeprof google-pprof; do
  command -v "$tool" >/dev/null || { echo "regen-fixtures: missing $tool" >&2; exit 1; }
done

norandom=()
if setarch -R true 2>/dev/null; then norandom=(setarch -R); fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

rm -rf "$out"/*.heap "$out"/*.prof "$out"/*.txt "$bin"
mkdir -p "$bin"
for example in leak churn; do
  gcc -g -O1 -pthread -o "$bin/$example" "$repo/examples/$example.c"
done

# run <name-of-step> <env...> -- <command...>: runs quietly, keeps stderr for debugging.
run() {
  local step="$1"; shift
  local envs=()
  while [[ "$1" != "--" ]]; do envs+=("$1"); shift; done
  shift
  # setarch goes first: under LD_PRELOAD it would itself count as the profiled parent.
  if ! "${norandom[@]}" env "${envs[@]}" "$@" >"$work/$step.out" 2>"$work/$step.err"; then
    echo "regen-fixtures: step $step failed:" >&2; cat "$work/$step.err" >&2; exit 1
  fi
}

# the only file matching a glob, renamed to a stable fixture name (pids vary per run).
take_one() {
  local pattern="$1" target="$2"
  local matches=($pattern)
  [[ ${#matches[@]} -eq 1 && -e "${matches[0]}" ]] || { echo "regen-fixtures: expected one $pattern, got ${matches[*]}" >&2; exit 1; }
  mv "${matches[0]}" "$target"
}

# --- jemalloc heap_v2 -----------------------------------------------------------------
je_conf="prof:true,prof_final:true,lg_prof_sample:17"
run je-final LD_PRELOAD="$jemalloc" MALLOC_CONF="$je_conf,prof_prefix:$work/je-final" -- "$bin/leak" 1
take_one "$work/je-final.*.f.heap" "$out/leak.jemalloc.f.heap"

run je-accum LD_PRELOAD="$jemalloc" MALLOC_CONF="$je_conf,prof_accum:true,prof_prefix:$work/je-accum" -- "$bin/leak" 1
take_one "$work/je-accum.*.f.heap" "$out/leak.jemalloc-accum.f.heap"

# Periodic dumps every ~8 MiB allocated, from one run: leak.jemalloc-series.i<n>.heap.
run je-series LD_PRELOAD="$jemalloc" MALLOC_CONF="prof:true,lg_prof_sample:17,lg_prof_interval:23,prof_prefix:$work/je-series" -- "$bin/leak" 1
for f in "$work"/je-series.*.i*.heap; do
  kind="${f##*.i}"            # "<n>.heap"
  mv "$f" "$out/leak.jemalloc-series.i$kind"
done

# --- gperftools heap profiler ---------------------------------------------------------
# A dump every 8 MiB allocated plus the one at exit: leak.tcmalloc.000N.heap.
run tc-heap LD_PRELOAD="$tcmalloc" HEAPPROFILE="$out/leak.tcmalloc" HEAP_PROFILE_ALLOCATION_INTERVAL=8388608 -- "$bin/leak" 1
# mmap/sbrk buckets, including one with an empty stack.
run tc-mmap LD_PRELOAD="$tcmalloc" HEAPPROFILE="$work/tc-mmap" HEAP_PROFILE_MMAP=true -- "$bin/leak" 1
take_one "$work/tc-mmap.*.heap" "$out/leak.tcmalloc-mmap.heap"

# --- gperftools CPU profiler ----------------------------------------------------------
run cpu LD_PRELOAD="$profiler" CPUPROFILE="$out/churn.cpu.prof" CPUPROFILE_FREQUENCY=1000 -- "$bin/churn" 2 30000000 1000

# --- reference tool outputs -----------------------------------------------------------
# <fixture>.<view>.jeprof.txt / .pprof.txt, <view> in inuse_space, inuse_objects,
# alloc_space, alloc_objects (alloc views only where the file has cumulative data).
reference() {
  local tool="$1" binary="$2" profile="$3" suffix="$4"; shift 4
  for view in "$@"; do
    "$tool" --text --show_bytes "--$view" "$binary" "$profile" >"${profile%.heap}.$view.$suffix" 2>/dev/null
  done
}
for f in "$out"/*.jemalloc*.heap; do
  reference jeprof "$bin/leak" "$f" jeprof.txt inuse_space inuse_objects
done
reference jeprof "$bin/leak" "$out/leak.jemalloc-accum.f.heap" jeprof.txt alloc_space alloc_objects
for f in "$out"/*.tcmalloc*.heap; do
  reference google-pprof "$bin/leak" "$f" pprof.txt inuse_space inuse_objects alloc_space alloc_objects
done
google-pprof --text "$bin/churn" "$out/churn.cpu.prof" >"$out/churn.cpu.pprof.txt" 2>/dev/null

echo "regen-fixtures: wrote $(ls "$out" | wc -l) files to $out (binaries under $bin)"
echo "regen-fixtures: now run UPDATE_GOLDEN=1 npx vitest run test/profile"
