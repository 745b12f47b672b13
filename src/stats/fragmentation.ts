// "Fragmentation persists": after a run with allocator statistics, compare what the
// allocator holds with what the program uses, and name the tuning preset that returns
// the difference. The figures that tell are part of the finding.
import { formatBytes } from "../core/units.js";
import type { AllocatorStatsFound } from "./index.js";

/** Shaped like a doctor finding, so `doctor RUN-DIR` lists it as it is and `run` prints it as a warning. */
export interface FragmentationFinding {
  id: string;
  severity: "warning";
  what: string;
  fix: string;
}

/** Kept memory counts as worth a finding above both of these. */
const MIN_KEPT_BYTES = 8 * 1024 * 1024;
const MIN_KEPT_FRACTION = 0.5;

const isMuch = (keptBytes: number, usedBytes: number) => keptBytes >= MIN_KEPT_BYTES && keptBytes >= usedBytes * MIN_KEPT_FRACTION;

export function checkFragmentation(stats: AllocatorStatsFound, peakRssBytes: number): FragmentationFinding[] {
  const findings: FragmentationFinding[] = [];
  if (stats.jemalloc) {
    const { allocatedBytes, activeBytes, residentBytes, retainedBytes } = stats.jemalloc;
    const kept = residentBytes - allocatedBytes;
    if (isMuch(kept, allocatedBytes)) {
      findings.push({
        id: "run.fragmentation.jemalloc",
        severity: "warning",
        what: `jemalloc holds ${formatBytes(residentBytes)} resident for ${formatBytes(allocatedBytes)} of live data at exit (active ${formatBytes(activeBytes)}, retained ${formatBytes(retainedBytes)})`,
        fix: "return freed pages sooner: --preset jemalloc-return-memory (dirty_decay_ms:0, muzzy_decay_ms:0); many threads: --conf narenas:N; compare with allocrun compare -a jemalloc,jemalloc+jemalloc-return-memory",
      });
    }
  }
  if (stats.tcmalloc) {
    const t = stats.tcmalloc;
    const free = t.pageHeapFreelistBytes + t.centralCacheFreelistBytes + t.transferCacheFreelistBytes + t.threadCacheFreelistBytes;
    if (isMuch(free, t.bytesInUseByApplication)) {
      findings.push({
        id: "run.fragmentation.tcmalloc",
        severity: "warning",
        what: `tcmalloc keeps ${formatBytes(free)} in its free lists (page heap ${formatBytes(t.pageHeapFreelistBytes)}) for ${formatBytes(t.bytesInUseByApplication)} in use at exit`,
        fix: "decommit freed spans at once: --preset tcmalloc-return-memory (TCMALLOC_AGGRESSIVE_DECOMMIT=true), or a higher TCMALLOC_RELEASE_RATE",
      });
    }
  }
  if (stats.memusage) {
    const heapPeak = stats.memusage.heapPeakBytes;
    if (isMuch(peakRssBytes - heapPeak, heapPeak)) {
      findings.push({
        id: "run.fragmentation.glibc",
        severity: "warning",
        what: `peak RSS ${formatBytes(peakRssBytes)} is far above glibc's live-heap peak ${formatBytes(heapPeak)}: freed memory stayed resident (fragmentation, per-thread arenas)`,
        fix: "many threads: --preset glibc-arena-max-2; or measure the alternatives: allocrun compare -a glibc,jemalloc,tcmalloc,mimalloc",
      });
    }
  }
  return findings;
}
