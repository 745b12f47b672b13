// Splits a variant's peak RSS into live heap, allocator overhead and the rest, from the
// statistics its allocator printed in a statistics run. Pure.
import type { AllocatorName } from "../core/allocators.js";
import { formatBytes } from "../core/units.js";
import type { AllocatorStatsFound } from "../stats/index.js";
import type { MemoryBreakdown } from "./report-model.js";

export interface BreakdownInput {
  allocator: AllocatorName;
  found: AllocatorStatsFound;
  /** The variant's median peak RSS over its measured runs. */
  peakRssBytes: number;
  statsFolder: string;
}

type Parts = Pick<MemoryBreakdown, "source" | "moment" | "liveHeapBytes" | "allocatorHeldBytes" | "figures" | "note">;

/** Null when the allocator printed nothing usable (the program may not have exited normally). */
export function explainPeakMemory(input: BreakdownInput): MemoryBreakdown | null {
  const parts = readParts(input.allocator, input.found);
  if (!parts) return null;
  const { liveHeapBytes, allocatorHeldBytes } = parts;
  const notes = parts.note ? [parts.note] : [];
  notes.push(...explainMoments(input.allocator, parts, input.peakRssBytes));
  let restBytes: number | null = null;
  if (allocatorHeldBytes !== null) {
    restBytes = input.peakRssBytes - allocatorHeldBytes;
    if (restBytes < 0) {
      notes.push(`the allocator reports ${formatBytes(allocatorHeldBytes)}, more than the peak RSS: its figure is an upper bound`);
      restBytes = 0;
    }
  }
  return {
    ...parts,
    statsFolder: input.statsFolder,
    peakRssBytes: input.peakRssBytes,
    overheadBytes: liveHeapBytes !== null && allocatorHeldBytes !== null ? allocatorHeldBytes - liveHeapBytes : null,
    restBytes,
    unattributedBytes: liveHeapBytes !== null && allocatorHeldBytes === null ? Math.max(0, input.peakRssBytes - liveHeapBytes) : null,
    note: notes.length ? notes.join("; ") : null,
  };
}

/** Exit figures and peak figures are not the same moment: say so where it changes the reading. */
function explainMoments(allocator: AllocatorName, parts: Parts, peakRssBytes: number): string[] {
  const { liveHeapBytes, allocatorHeldBytes } = parts;
  if (parts.moment === "exit" && liveHeapBytes !== null && allocatorHeldBytes !== null && liveHeapBytes < allocatorHeldBytes / 2) {
    const flag = allocator === "jemalloc" ? "--jemalloc --prof" : "--tcmalloc --heap-profile";
    return [
      `live heap and overhead are ${allocator}'s figures at exit (it reports no peak): memory the program freed before exiting counts as overhead here; \`allocrun ${flag}\` shows the heap at its peak`,
    ];
  }
  if (parts.moment === "peak" && liveHeapBytes !== null && liveHeapBytes > peakRssBytes) {
    return ["the live heap exceeds peak RSS: libmemusage counts the bytes requested at the heap's peak, and pages never written take no RSS"];
  }
  return [];
}

function readParts(allocator: AllocatorName, found: AllocatorStatsFound): Parts | null {
  switch (allocator) {
    case "jemalloc": {
      const s = found.jemalloc;
      if (!s) return null;
      return {
        source: "jemalloc stats_print",
        moment: "exit",
        liveHeapBytes: s.allocatedBytes,
        allocatorHeldBytes: s.residentBytes,
        figures: { allocated: s.allocatedBytes, active: s.activeBytes, metadata: s.metadataBytes, resident: s.residentBytes, mapped: s.mappedBytes, retained: s.retainedBytes },
        note: null,
      };
    }
    case "tcmalloc":
    case "tcmalloc-minimal": {
      const s = found.tcmalloc;
      if (!s) return null;
      return {
        source: "tcmalloc MALLOCSTATS",
        moment: "exit",
        liveHeapBytes: s.bytesInUseByApplication,
        allocatorHeldBytes: s.actualMemoryUsedBytes,
        figures: {
          bytesInUseByApplication: s.bytesInUseByApplication,
          pageHeapFreelistBytes: s.pageHeapFreelistBytes,
          centralCacheFreelistBytes: s.centralCacheFreelistBytes,
          transferCacheFreelistBytes: s.transferCacheFreelistBytes,
          threadCacheFreelistBytes: s.threadCacheFreelistBytes,
          metadataBytes: s.metadataBytes,
          actualMemoryUsedBytes: s.actualMemoryUsedBytes,
          releasedToOsBytes: s.releasedToOsBytes,
        },
        note: null,
      };
    }
    case "mimalloc": {
      const s = found.mimalloc;
      if (!s) return null;
      const figures: Record<string, number> = {};
      if (s.reservedPeakBytes !== null) figures.reservedPeak = s.reservedPeakBytes;
      if (s.committedPeakBytes !== null) figures.committedPeak = s.committedPeakBytes;
      if (s.process) figures.processPeakRss = s.process.peakRssBytes;
      return {
        source: "mimalloc show_stats",
        moment: "peak",
        liveHeapBytes: null,
        allocatorHeldBytes: null,
        figures,
        note:
          `mimalloc's release build counts no live bytes; it committed at most ${s.committedPeakBytes === null ? "?" : formatBytes(s.committedPeakBytes)}` +
          " (committed is address space, not necessarily resident)",
      };
    }
    case "glibc": {
      const s = found.memusage;
      if (!s) return null;
      return {
        source: "glibc libmemusage",
        moment: "peak",
        liveHeapBytes: s.heapPeakBytes,
        allocatorHeldBytes: null,
        figures: { heapPeak: s.heapPeakBytes, heapTotal: s.heapTotalBytes, stackPeak: s.stackPeakBytes },
        note: "glibc does not report what it holds: overhead and the rest of RSS are shown together",
      };
    }
  }
}
