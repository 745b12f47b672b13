// The metrics the CI gate knows, by the name users type in --metric, --budget and
// --max-increase. Deterministic metrics are counted exactly by an instrumented run and
// are identical from run to run for a deterministic program; noisy metrics are the
// median of several plain runs and carry their measured spread.

export const METRIC_NAMES = ["peak_heap", "alloc_count", "alloc_bytes", "live_at_exit", "peak_rss", "wall_time", "cpu_time"] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export type MetricKind = "deterministic" | "noisy";
export type MetricUnit = "bytes" | "count" | "seconds";

export interface MetricInfo {
  name: MetricName;
  kind: MetricKind;
  unit: MetricUnit;
  /** One line for help, tables and the baseline documentation. */
  description: string;
}

export const METRICS: Record<MetricName, MetricInfo> = {
  peak_heap: { name: "peak_heap", kind: "deterministic", unit: "bytes", description: "highest number of bytes allocated and not yet freed at any moment" },
  alloc_count: { name: "alloc_count", kind: "deterministic", unit: "count", description: "number of allocation calls (malloc, calloc, realloc, new...)" },
  alloc_bytes: { name: "alloc_bytes", kind: "deterministic", unit: "bytes", description: "bytes requested by all allocation calls together" },
  live_at_exit: { name: "live_at_exit", kind: "deterministic", unit: "bytes", description: "bytes still allocated when the program exits" },
  peak_rss: { name: "peak_rss", kind: "noisy", unit: "bytes", description: "peak resident set size (kernel's ru_maxrss), median of --runs" },
  wall_time: { name: "wall_time", kind: "noisy", unit: "seconds", description: "elapsed time, median of --runs" },
  cpu_time: { name: "cpu_time", kind: "noisy", unit: "seconds", description: "user + system CPU time, median of --runs" },
};

export const DETERMINISTIC_METRICS = METRIC_NAMES.filter((name) => METRICS[name].kind === "deterministic");
export const NOISY_METRICS = METRIC_NAMES.filter((name) => METRICS[name].kind === "noisy");

export function isMetricName(value: string): value is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(value);
}

export function isDeterministic(name: MetricName): boolean {
  return METRICS[name].kind === "deterministic";
}

/**
 * What is gated when the user names nothing: peak live heap and allocation count where
 * the allocator's exact source provides them, peak RSS in place of a missing peak heap.
 */
export function chooseDefaultMetrics(available: ReadonlySet<MetricName>): MetricName[] {
  const chosen: MetricName[] = [];
  chosen.push(available.has("peak_heap") ? "peak_heap" : "peak_rss");
  if (available.has("alloc_count")) chosen.push("alloc_count");
  return chosen;
}
