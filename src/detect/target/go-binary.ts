// distro-paths.md §5.3: the Go heap is managed by the Go runtime (mmap), never by malloc;
// pure-Go builds are static; with cgo only C allocations reach a preloaded allocator, and
// the runtime exits without running C atexit handlers, so exit-time dumps never appear.
import { finding, type Finding } from "../finding.js";
import { allocatorWords, planPreloads, targetWords, type CheckPlan, type TargetFacts } from "./target-facts.js";

const GO_PPROF_FIX = "profile the Go heap with net/http/pprof or runtime/pprof and `go tool pprof`";

export function checkGoBinary(target: TargetFacts, plan: CheckPlan): Finding[] {
  const { elf } = target;
  if (!elf.isGo) return [];
  const name = targetWords(target);
  const built = elf.goVersion === undefined ? "a Go program" : `a Go program (${elf.goVersion})`;
  if (elf.isStatic) {
    if (!planPreloads(plan)) return [finding("target.go", "info", `${name} is ${built}: its heap belongs to the Go runtime; allocrun measures its memory only`, GO_PPROF_FIX)];
    return [finding("target.go", "blocking", `${name} is ${built} without cgo (statically linked): LD_PRELOAD cannot reach it`, `${GO_PPROF_FIX}; --glibc still measures its memory`)];
  }
  if (!planPreloads(plan)) return [finding("target.go", "info", `${name} is ${built} with cgo: the Go heap is not malloc's`, GO_PPROF_FIX)];
  return [
    finding(
      "target.go",
      "warning",
      `${name} is ${built}: ${allocatorWords(plan)} sees only cgo (C) allocations, and exit-time stats and profiles are never written (Go skips atexit)`,
      `${GO_PPROF_FIX}; for C allocations use interval dumps (jemalloc lg_prof_interval)`,
    ),
  ];
}
