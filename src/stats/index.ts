// Parsers of what allocators print about themselves at exit. Pure: text in, typed
// figures out; each returns undefined when its report is not in the text ("not mine")
// and throws an input error only for a report that is there but broken.
import { parseJemallocStats, type JemallocStats } from "./jemalloc-stats.js";
import { parseMemusageSummary, type MemusageSummary } from "./memusage-summary.js";
import { parseMimallocStats, type MimallocStats } from "./mimalloc-stats.js";
import { parseTcmallocStats, type TcmallocStats } from "./tcmalloc-stats.js";

export * from "./jemalloc-stats.js";
export * from "./memusage-summary.js";
export * from "./mimalloc-stats.js";
export * from "./tcmalloc-stats.js";

/** Every report found in one stderr capture; several when several libraries printed. */
export interface AllocatorStatsFound {
  jemalloc?: JemallocStats;
  tcmalloc?: TcmallocStats;
  mimalloc?: MimallocStats;
  memusage?: MemusageSummary;
}

export function parseAllocatorStats(text: string): AllocatorStatsFound {
  const found: AllocatorStatsFound = {};
  const jemalloc = parseJemallocStats(text);
  if (jemalloc) found.jemalloc = jemalloc;
  const tcmalloc = parseTcmallocStats(text);
  if (tcmalloc) found.tcmalloc = tcmalloc;
  const mimalloc = parseMimallocStats(text);
  if (mimalloc) found.mimalloc = mimalloc;
  const memusage = parseMemusageSummary(text);
  if (memusage) found.memusage = memusage;
  return found;
}
