// glibc libmemusage.so's exit summary (LD_PRELOAD=libmemusage.so, what `memusage` runs).
// It is always coloured, even into a pipe, so escapes are stripped first. Every traced
// process prints its own summary (unless MEMUSAGE_PROG_NAME picks one), hence a list.

export interface MemusageCallRow {
  calls: number;
  bytes: number;
  /** Absent for free, which cannot fail. */
  failed: number | null;
}

export interface MemusageHistogramRow {
  /** "256-271" or "large". */
  range: string;
  count: number;
}

export interface MemusageSummary {
  /** Bytes requested by malloc + calloc + realloc over the whole run. */
  heapTotalBytes: number;
  /** Highest sum of requested bytes in use at one time: the live-heap peak. */
  heapPeakBytes: number;
  stackPeakBytes: number;
  /** By function as printed: malloc, realloc, calloc, free, and mmap(r) … munmap with MEMUSAGE_TRACE_MMAP. */
  calls: Record<string, MemusageCallRow>;
  histogram: MemusageHistogramRow[];
}

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\x1b\[[0-9;]*m/g;
const SUMMARY_LINE = /^Memory usage summary: heap total: (\d+), heap peak: (\d+), stack peak: (\d+)\s*$/;
const CALL_LINE = /^\s*([a-z()]+)\|\s+(\d+)\s+(\d+)(?:\s+(\d+))?/;
const HISTOGRAM_LINE = /^\s*(\d+-\d+|large)\s+(\d+)\s+(?:<?\d+)%/;

/** Every summary in `text`, in order; empty when there is none. */
export function parseMemusageSummaries(text: string): MemusageSummary[] {
  const summaries: MemusageSummary[] = [];
  let current: MemusageSummary | undefined;
  for (const rawLine of text.replace(ANSI_ESCAPE, "").split("\n")) {
    const head = SUMMARY_LINE.exec(rawLine);
    if (head) {
      current = {
        heapTotalBytes: Number(head[1]),
        heapPeakBytes: Number(head[2]),
        stackPeakBytes: Number(head[3]),
        calls: {},
        histogram: [],
      };
      summaries.push(current);
      continue;
    }
    if (!current) continue;
    const call = CALL_LINE.exec(rawLine);
    if (call) {
      current.calls[call[1] as string] = { calls: Number(call[2]), bytes: Number(call[3]), failed: call[4] === undefined ? null : Number(call[4]) };
      continue;
    }
    const bucket = HISTOGRAM_LINE.exec(rawLine);
    if (bucket) current.histogram.push({ range: bucket[1] as string, count: Number(bucket[2]) });
  }
  return summaries;
}

/** The first summary in `text` (the traced program's when MEMUSAGE_PROG_NAME is set). */
export function parseMemusageSummary(text: string): MemusageSummary | undefined {
  return parseMemusageSummaries(text)[0];
}
