// Where the exact, deterministic metrics come from under each allocator, and how they
// are read from what an instrumented run leaves behind. One source per allocator:
//
// | allocator        | source                                   | metrics                                        | sizes     |
// |------------------|------------------------------------------|------------------------------------------------|-----------|
// | glibc            | libmemusage (summary + trace through a pipe) | peak_heap alloc_count alloc_bytes live_at_exit | requested |
// | jemalloc         | heap profile with sampling off (lg_prof_sample:0, prof_accum) | alloc_count alloc_bytes live_at_exit | usable |
// | tcmalloc         | gperftools heap profiler (records every allocation) | alloc_count alloc_bytes live_at_exit   | requested |
// | tcmalloc-minimal | MALLOCSTATS "Bytes in use by application" | live_at_exit                                  | usable    |
// | mimalloc         | none (release builds count nothing exactly) | —                                           |           |
//
// jemalloc's own statistics were not chosen: `stats.allocated` includes objects parked
// in thread caches, and they have no cumulative byte count. libmemusage cannot sit in
// front of another allocator: their `operator new` would bypass it.
import type { AllocatorName } from "../core/allocators.js";
import type { CompositionStep } from "../presets/index.js";
import type { Profile } from "../profile/model.js";
import { totalValue } from "../profile/totals.js";
import type { MemusageSummary, TcmallocStats } from "../stats/index.js";
import { readLiveBytesFromTraceTail } from "./memusage-trace-tap.js";
import type { MetricName } from "./metrics.js";

export type DeterministicSourceId = "libmemusage" | "jemalloc-exact-profile" | "gperftools-heap-profiler" | "tcmalloc-mallocstats";

export interface DeterministicSource {
  id: DeterministicSourceId;
  /** How the figures are counted, for tables and the baseline's `source` fields. */
  description: string;
  metrics: readonly MetricName[];
  /** Whether the program's requests are counted, or the allocator's rounded-up sizes. */
  sizes: "requested" | "usable";
  /** Composition steps added after the user's own for the instrumented run. */
  steps(traceFifo: string | undefined): CompositionStep[];
  /** Whether the run needs libmemusage's trace read through a named pipe. */
  needsTraceTap: boolean;
  /** The heap profile the run writes, if any: also what names growing sites on a regression. */
  profileKind: "jemalloc-heap" | "gperftools-heap" | undefined;
}

/** Turns off the profiling presets' heap-at-peak capture (src/run/peak-capture.ts). */
const NO_PEAK_CAPTURE: CompositionStep = { kind: "env", text: "ALLOCRUN_PEAK_PREFIX=" };

const SOURCES: Record<DeterministicSourceId, DeterministicSource> = {
  libmemusage: {
    id: "libmemusage",
    description: "glibc libmemusage",
    metrics: ["peak_heap", "alloc_count", "alloc_bytes", "live_at_exit"],
    sizes: "requested",
    steps: (traceFifo) => [
      // Counts only the process named like the program (MEMUSAGE_PROG_NAME={prog}).
      { kind: "preset", name: "glibc-memusage" },
      // Without this, a timer adds records at times that differ from run to run.
      { kind: "env", text: "MEMUSAGE_NO_TIMER=1" },
      ...(traceFifo ? [{ kind: "env" as const, text: `MEMUSAGE_OUTPUT=${traceFifo}` }] : []),
    ],
    needsTraceTap: true,
    profileKind: undefined,
  },
  "jemalloc-exact-profile": {
    id: "jemalloc-exact-profile",
    description: "jemalloc heap profile of every allocation (lg_prof_sample:0)",
    metrics: ["alloc_count", "alloc_bytes", "live_at_exit"],
    sizes: "usable",
    steps: () => [
      { kind: "preset", name: "jemalloc-prof" },
      { kind: "conf", text: "lg_prof_sample:0" },
      { kind: "conf", text: "prof_accum:true" },
      // Exact counts: the peak-capture library's own thread and dumps would count too.
      NO_PEAK_CAPTURE,
    ],
    needsTraceTap: false,
    profileKind: "jemalloc-heap",
  },
  "gperftools-heap-profiler": {
    id: "gperftools-heap-profiler",
    description: "gperftools heap profiler (every allocation)",
    metrics: ["alloc_count", "alloc_bytes", "live_at_exit"],
    sizes: "requested",
    steps: () => [
      { kind: "preset", name: "tcmalloc-heap-profile" },
      // Only the dump at exit is wanted: intermediate dumps would cost time and files.
      { kind: "env", text: "HEAP_PROFILE_ALLOCATION_INTERVAL=9223372036854775807" },
      { kind: "env", text: "HEAP_PROFILE_INUSE_INTERVAL=9223372036854775807" },
      { kind: "env", text: "PERFTOOLS_VERBOSE=-1" },
      NO_PEAK_CAPTURE,
    ],
    needsTraceTap: false,
    profileKind: "gperftools-heap",
  },
  "tcmalloc-mallocstats": {
    id: "tcmalloc-mallocstats",
    description: "tcmalloc MALLOCSTATS",
    metrics: ["live_at_exit"],
    sizes: "usable",
    steps: () => [{ kind: "preset", name: "tcmalloc-stats" }],
    needsTraceTap: false,
    profileKind: undefined,
  },
};

const SOURCE_BY_ALLOCATOR: Record<AllocatorName, DeterministicSourceId | undefined> = {
  glibc: "libmemusage",
  jemalloc: "jemalloc-exact-profile",
  tcmalloc: "gperftools-heap-profiler",
  "tcmalloc-minimal": "tcmalloc-mallocstats",
  mimalloc: undefined,
};

export function deterministicSourceFor(allocator: AllocatorName): DeterministicSource | undefined {
  const id = SOURCE_BY_ALLOCATOR[allocator];
  return id === undefined ? undefined : SOURCES[id];
}

/** Allocators whose source provides `metric`, for "use -a ..." hints. */
export function allocatorsProviding(metric: MetricName): AllocatorName[] {
  return (Object.keys(SOURCE_BY_ALLOCATOR) as AllocatorName[]).filter((allocator) => deterministicSourceFor(allocator)?.metrics.includes(metric));
}

/** What an instrumented run left that the sources read. */
export interface InstrumentedEvidence {
  memusage?: MemusageSummary;
  /** Last records of libmemusage's trace (see memusage-trace-tap.ts). */
  memusageTraceTail?: Buffer;
  tcmalloc?: TcmallocStats;
  /** The heap profile written at exit. */
  profile?: Profile;
}

export interface ExtractedMetrics {
  values: Partial<Record<MetricName, number>>;
  /** Why an expected figure is missing, one line each. */
  problems: string[];
}

export function extractDeterministicMetrics(source: DeterministicSource, evidence: InstrumentedEvidence): ExtractedMetrics {
  switch (source.id) {
    case "libmemusage":
      return fromMemusage(evidence);
    case "jemalloc-exact-profile":
    case "gperftools-heap-profiler":
      return fromExactProfile(evidence, source);
    case "tcmalloc-mallocstats":
      return fromTcmallocStats(evidence);
  }
}

function fromMemusage({ memusage, memusageTraceTail }: InstrumentedEvidence): ExtractedMetrics {
  if (!memusage) return { values: {}, problems: ["libmemusage printed no summary: it counts only the process named like the program, so a static binary, a script that starts the real program, or an exit through _exit or a signal leaves none"] };
  const calls = (name: string) => memusage.calls[name]?.calls ?? 0;
  const values: ExtractedMetrics["values"] = {
    peak_heap: memusage.heapPeakBytes,
    alloc_count: calls("malloc") + calls("calloc") + calls("realloc"),
    alloc_bytes: memusage.heapTotalBytes,
  };
  const problems: string[] = [];
  const live = memusageTraceTail ? readLiveBytesFromTraceTail(memusageTraceTail, memusage.heapPeakBytes) : undefined;
  if (live === undefined) problems.push("libmemusage's trace did not end as expected, so bytes live at exit are unknown");
  else values.live_at_exit = live;
  return { values, problems };
}

function fromExactProfile({ profile }: InstrumentedEvidence, source: DeterministicSource): ExtractedMetrics {
  if (!profile) {
    return { values: {}, problems: [`no heap profile was written at exit for the ${source.description} (the program may have died of a signal or called _exit)`] };
  }
  if (profile.period > 1) return { values: {}, problems: [`the heap profile is sampled (every ${profile.period} bytes), so its counts are not exact`] };
  const total = (type: string) => Math.round(totalValue(profile, type));
  return {
    values: { alloc_count: total("alloc_objects"), alloc_bytes: total("alloc_space"), live_at_exit: total("inuse_space") },
    problems: [],
  };
}

function fromTcmallocStats({ tcmalloc }: InstrumentedEvidence): ExtractedMetrics {
  const inUse = tcmalloc?.bytesInUseByApplication;
  if (inUse === undefined) return { values: {}, problems: ["tcmalloc printed no MALLOCSTATS report at exit"] };
  return { values: { live_at_exit: inUse }, problems: [] };
}
