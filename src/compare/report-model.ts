// The result of `allocrun compare`, exactly as written by --export-json. These types are
// the schema; bump COMPARE_SCHEMA_VERSION on any incompatible change of these keys.
//
// {
//   "schemaVersion": 2,                  2: Holm-adjusted p, noise floor, machine load, stop reason
//   "tool": { "name": "allocrun", "version": "0.1.0" },
//   "command": ["./holes", "64"],        argv of the program as given
//   "program": "/abs/path/holes",        the executable that ran
//   "cwd", "startedAt" (ISO 8601), "compareFolder" (absolute; run folders are relative to it)
//   "settings": { "runs", "warmup", "sampleIntervalMs", "prepare", "input", "alpha",
//                 "minEffect", "statsRuns", "noiseCheck", "timeoutSeconds" | null,
//                 "onTimeout": "continue" | "stop" },
//   "baseline": "glibc",                 label of the baseline variant
//   "metrics": ["peakRssBytes", "meanRssBytes", "wallSeconds", "userSeconds", "sysSeconds"],
//   "results": [ {                       one per variant, in the order given
//       "variant": "jemalloc+narenas=1", the label as typed
//       "allocator": "jemalloc",         the base allocator
//       "library": "/usr/lib/…/libjemalloc.so.2" | null (glibc),
//       "presets": [...], "env": {...},  what allocrun applied and set for the program
//       "runs": [ { "iteration", "folder", "ok", "exitCode", "signal", "failure", "timedOut",
//                   "peakRssBytes", "peakRssMethod", "meanRssBytes",
//                   "wallSeconds", "userSeconds", "sysSeconds" } ],   measured runs
//       "warmupRuns": [ same shape ],    never used in the figures
//       "failedRuns": 0,                 measured runs that exited non-zero or by a signal
//       "peakRssBytes": { "n", "median", "min", "max",
//                         "spread": { "iqr", "mad", "relativeMad" },
//                         "highSpread",      relative MAD over 5%: a noisy workload
//                         "ratio", "ci": { "low", "high", "level" } | null,
//                         "pValue",          this test alone
//                         "adjustedPValue",  Holm-corrected over every variant × metric test
//                         "noiseFloor",      fraction a difference must clear (see verdict-rules.ts)
//                         "verdict", "verdictReason": "…" | null } | null,   null: no successful run
//       "meanRssBytes", "wallSeconds", "userSeconds", "sysSeconds": same shape,
//       "breakdown": { … } | null,       where peak memory went (see MemoryBreakdown)
//       "notes": [...]
//   } ],
//   "pareto": ["tcmalloc", "glibc"],     variants no other beats on both peak RSS and wall time
//   "recommendation": { "variant": "tcmalloc" | null, "text": "…" },
//   "noise": { "baseline", "runs": [ RunRecord ],   an interleaved copy of the baseline (A/A)
//              "metrics": { "<metric>": { "ratio", "ci", "floor" } | null } } | null,
//   "machine": { "cores", "loadAverage": { "min", "median", "max" } | null,
//                "othersCpuCores" | null,  CPU (in cores) used by other processes meanwhile
//                "stealFraction" | null,   share of CPU time the hypervisor took
//                "timeVerdictsReliable", "warning": "…" | null },
//   "stopped": { "reason": "signal" | "timeout" | "program-failed", "detail",
//                "runsDone", "runsPlanned" } | null,   null: every planned run ran
//   "notes": [...]
// }
//
// Verdicts: "better" / "worse" (lower is better for every metric), "no-significant-difference",
// "inconclusive" (significant, but not clear of the noise floor: verdictReason says why),
// "allocator-footprint" (memory of a Go program: the preloaded library's own size),
// "insufficient-data" (no successful runs on a side), "baseline" (the baseline itself:
// ratio 1, no ci, no pValue). ratio = variant median / baseline median; ci = exact
// Hodges–Lehmann interval of that ratio at `level` (see statistics.ts).

import type { RatioInterval, Spread, Verdict } from "./statistics.js";

export const COMPARE_SCHEMA_VERSION = 2;

export const METRICS = [
  { key: "peakRssBytes", title: "peak RSS", unit: "bytes" },
  { key: "meanRssBytes", title: "mean RSS", unit: "bytes" },
  { key: "wallSeconds", title: "wall", unit: "seconds" },
  { key: "userSeconds", title: "user", unit: "seconds" },
  { key: "sysSeconds", title: "sys", unit: "seconds" },
] as const;

export type MetricKey = (typeof METRICS)[number]["key"];
export type MetricUnit = (typeof METRICS)[number]["unit"];

export interface RunRecord {
  /** 1-based within its variant and phase. */
  iteration: number;
  /** Run folder, relative to the compare folder. */
  folder: string;
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  /** Why the run does not count ("exit status 1", "killed by SIGSEGV"); null when ok. */
  failure: string | null;
  /** The run passed --timeout and its process group was killed. */
  timedOut: boolean;
  peakRssBytes: number;
  peakRssMethod: string;
  meanRssBytes: number | null;
  wallSeconds: number;
  userSeconds: number;
  sysSeconds: number;
}

export interface MetricResult {
  n: number;
  median: number;
  min: number;
  max: number;
  spread: Spread;
  /** Relative MAD over HIGH_SPREAD (verdict-rules.ts). */
  highSpread: boolean;
  ratio: number | null;
  ci: RatioInterval | null;
  pValue: number | null;
  adjustedPValue: number | null;
  noiseFloor: number | null;
  verdict: MetricVerdict;
  verdictReason: string | null;
}

export type MetricVerdict = Verdict | "baseline" | "inconclusive" | "allocator-footprint";

/** The baseline against its interleaved copy, for one metric. */
export interface NoiseMetric {
  ratio: number | null;
  ci: RatioInterval | null;
  /** How far from 1 the A/A interval reaches (a fraction). */
  floor: number | null;
}

export interface NoiseCheck {
  baseline: string;
  runs: RunRecord[];
  metrics: Partial<Record<MetricKey, NoiseMetric | null>>;
}

export interface MachineLoad {
  cores: number;
  loadAverage: { min: number; median: number; max: number } | null;
  othersCpuCores: number | null;
  stealFraction: number | null;
  timeVerdictsReliable: boolean;
  warning: string | null;
}

export interface CompareStop {
  reason: "signal" | "timeout" | "program-failed";
  detail: string;
  runsDone: number;
  runsPlanned: number;
}

/**
 * Where the peak went, from one statistics run of the variant. `peakRssBytes` is the
 * variant's median peak RSS over the measured runs, so the split matches the table.
 * live heap + overhead = what the allocator holds; + rest = peak RSS. When the allocator
 * cannot tell what it holds (glibc via libmemusage), overhead and rest stay together in
 * `unattributedBytes`.
 */
export interface MemoryBreakdown {
  source: "jemalloc stats_print" | "tcmalloc MALLOCSTATS" | "mimalloc show_stats" | "glibc libmemusage";
  /** "exit": the allocator's figures at exit (jemalloc, tcmalloc); "peak": highest values during the run. */
  moment: "exit" | "peak";
  /** Folder of the statistics run, relative to the compare folder; its stderr.log holds the raw report. */
  statsFolder: string;
  peakRssBytes: number;
  /** Bytes the program had allocated (jemalloc: allocated; tcmalloc: in use by application; libmemusage: heap peak). */
  liveHeapBytes: number | null;
  /** Resident memory the allocator holds, live heap included (jemalloc: resident; tcmalloc: actual memory used). */
  allocatorHeldBytes: number | null;
  /** allocatorHeld − liveHeap: free lists, partly used pages, metadata, dirty pages not yet returned. */
  overheadBytes: number | null;
  /** peakRss − allocatorHeld: code, libraries, stacks, memory not from malloc. */
  restBytes: number | null;
  /** peakRss − liveHeap when the allocator's own share is unknown. */
  unattributedBytes: number | null;
  /** The raw figures used, by their allocator's names. */
  figures: Record<string, number>;
  note: string | null;
}

export interface VariantResult {
  variant: string;
  allocator: string;
  library: string | null;
  presets: string[];
  env: Record<string, string>;
  runs: RunRecord[];
  warmupRuns: RunRecord[];
  failedRuns: number;
  peakRssBytes: MetricResult | null;
  meanRssBytes: MetricResult | null;
  wallSeconds: MetricResult | null;
  userSeconds: MetricResult | null;
  sysSeconds: MetricResult | null;
  breakdown: MemoryBreakdown | null;
  notes: string[];
}

export interface CompareSettings {
  runs: number;
  warmup: number;
  sampleIntervalMs: number;
  prepare: string | null;
  input: string | null;
  alpha: number;
  minEffect: number;
  statsRuns: boolean;
  /** Interleave a copy of the baseline to measure the noise floor (A/A). */
  noiseCheck: boolean;
  timeoutSeconds: number | null;
  onTimeout: "continue" | "stop";
}

export interface CompareReport {
  schemaVersion: number;
  tool: { name: "allocrun"; version: string };
  command: string[];
  program: string;
  cwd: string;
  startedAt: string;
  compareFolder: string;
  settings: CompareSettings;
  baseline: string;
  metrics: MetricKey[];
  results: VariantResult[];
  pareto: string[];
  recommendation: { variant: string | null; text: string };
  noise: NoiseCheck | null;
  machine: MachineLoad;
  stopped: CompareStop | null;
  notes: string[];
}

/** A memory timeline for charts: the median run's samples (kept out of the JSON; it lives in the run folder). */
export interface TimelinePoint {
  tMs: number;
  rssBytes: number;
}

export interface RunTimeline {
  /** The measured run the samples belong to (its RunRecord has the same iteration). */
  iteration: number;
  points: TimelinePoint[];
}
