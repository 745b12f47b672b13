// The compare-wide verdict rules, applied after every variant was compared with the
// baseline on its own. Pure: decided from the numbers passed in.
//
// - Multiple tests: a compare makes one test per variant and metric; Holm's step-down
//   correction keeps the chance of any false "better"/"worse" at alpha for the whole table.
// - Noise floor: a difference is only called when its interval lies wholly beyond the
//   noise floor, the largest of --min-effect, twice the larger relative MAD of the two
//   sides (run-to-run scatter) and, when measured, how far the baseline moved against an
//   interleaved copy of itself (A/A), and, for user and system CPU time, the clock's
//   resolution. Otherwise the verdict is "inconclusive", with why.
// - High spread: a baseline whose runs scatter by more than HIGH_SPREAD (relative MAD) is
//   flagged; its verdicts say so.
// - Footprint only: a Go program allocates through its own runtime, so a preloaded
//   allocator changes its memory only by the library's own footprint.
import type { RatioInterval } from "./statistics.js";
import type { MetricKey, MetricResult, NoiseMetric } from "./report-model.js";

/** Relative MAD above which a workload counts as noisy (multithreaded, nondeterministic). */
export const HIGH_SPREAD = 0.05;
/** Spread floor = this many relative MADs (≈ 1.5 standard deviations of a normal sample). */
const SPREAD_FLOOR_MADS = 2;

export const MEMORY_METRICS: ReadonlySet<MetricKey> = new Set(["peakRssBytes", "meanRssBytes"]);
export const TIME_METRICS: ReadonlySet<MetricKey> = new Set(["wallSeconds", "userSeconds", "sysSeconds"]);
/**
 * The kernel splits a process's CPU time into user and system by timer ticks (at least
 * 1/CONFIG_HZ; /proc counts in USER_HZ = 10 ms): a program using a few ticks reads 4 or
 * 8 ms from run to run with no scatter in between, and an A/A compare under load called
 * such a step "better". A difference below one 10 ms tick per run is not a finding.
 */
const CPU_TIME_RESOLUTION_SECONDS = 0.01;
const CPU_TIME_METRICS: ReadonlySet<MetricKey> = new Set(["userSeconds", "sysSeconds"]);

/** One variant × metric comparison, before the compare-wide rules. */
export interface PendingVerdict {
  metric: MetricKey;
  result: MetricResult;
  baseline: MetricResult;
  /** The variant preloads an allocator into a Go program. */
  footprintOnly: boolean;
}

export interface VerdictRules {
  alpha: number;
  minEffect: number;
  /** A/A figures per metric; undefined when no baseline copy ran. */
  noise: Partial<Record<MetricKey, NoiseMetric | null>> | undefined;
  /** Most runs had fewer than a handful of RSS samples: their mean says little. */
  roughMeanRss?: boolean;
}

/** Holm's step-down adjusted p-values, in the order given; nulls stay null and are not counted. */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const order = pValues.flatMap((p, index) => (p === null ? [] : [{ p, index }])).sort((a, b) => a.p - b.p);
  const adjusted: (number | null)[] = pValues.map(() => null);
  let running = 0;
  order.forEach(({ p, index }, rank) => {
    running = Math.max(running, Math.min(1, (order.length - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}

/** How far the baseline moved against its own copy: the interval's farthest end from 1. */
export function measureNoiseFloor(ratio: number | null, ci: RatioInterval | null): number | null {
  if (ci) return Math.max(Math.abs(ci.low - 1), Math.abs(ci.high - 1));
  return ratio === null ? null : Math.abs(ratio - 1);
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

function floorFor(pending: PendingVerdict, rules: VerdictRules): { floor: number; source: string } {
  const candidates: Array<{ floor: number; source: string }> = [{ floor: rules.minEffect, source: "--min-effect" }];
  const spread = Math.max(pending.result.spread.relativeMad ?? 0, pending.baseline.spread.relativeMad ?? 0);
  candidates.push({ floor: SPREAD_FLOOR_MADS * spread, source: "run-to-run scatter" });
  const aa = rules.noise?.[pending.metric]?.floor;
  if (aa != null) candidates.push({ floor: aa, source: "baseline against its own copy" });
  if (CPU_TIME_METRICS.has(pending.metric)) {
    const smaller = Math.min(pending.result.median, pending.baseline.median);
    candidates.push({ floor: CPU_TIME_RESOLUTION_SECONDS / Math.max(smaller, CPU_TIME_RESOLUTION_SECONDS), source: "the 10 ms resolution of CPU time" });
  }
  return candidates.reduce((a, b) => (b.floor > a.floor ? b : a));
}

/** Applies the rules in place: adjustedPValue, noiseFloor, verdict and verdictReason of each result. */
export function applyVerdictRules(pending: readonly PendingVerdict[], rules: VerdictRules): void {
  const adjusted = holmAdjust(pending.map((p) => p.result.pValue));
  pending.forEach((item, index) => {
    const { result, baseline } = item;
    const { floor, source } = floorFor(item, rules);
    result.adjustedPValue = adjusted[index] ?? null;
    result.noiseFloor = floor;
    result.verdictReason = null;
    if (result.pValue === null || result.ratio === null) {
      result.verdict = "insufficient-data";
      return;
    }
    const scatter = baseline.spread.relativeMad !== null && baseline.spread.relativeMad > HIGH_SPREAD ? `; the baseline's runs scatter ±${percent(baseline.spread.relativeMad)} (noisy workload)` : "";
    if (item.footprintOnly && MEMORY_METRICS.has(item.metric)) {
      result.verdict = "allocator-footprint";
      result.verdictReason = "a Go program: its heap is the Go runtime's, so this is the preloaded library's own footprint, not an allocator effect";
      return;
    }
    const change = result.ratio - 1;
    if ((result.adjustedPValue ?? 1) >= rules.alpha) {
      result.verdict = "no-significant-difference";
      if (result.pValue < rules.alpha) result.verdictReason = `p ${result.pValue.toFixed(3)} is not significant after correcting for ${pending.length} tests (Holm)${scatter}`;
      else if (scatter) result.verdictReason = scatter.slice(2);
      return;
    }
    if (Math.abs(change) < floor) {
      const onlyMinEffect = source === "--min-effect";
      result.verdict = onlyMinEffect ? "no-significant-difference" : "inconclusive";
      result.verdictReason = `${change >= 0 ? "+" : ""}${percent(change)} is within the noise floor ±${percent(floor)} (${source})${scatter}`;
      return;
    }
    const interval = result.ci;
    const clear = interval === null || (change < 0 ? interval.high < 1 - floor : interval.low > 1 + floor);
    if (!clear) {
      result.verdict = "inconclusive";
      result.verdictReason = `the interval ${interval.low.toFixed(3)}–${interval.high.toFixed(3)} reaches into the noise floor ±${percent(floor)} (${source})${scatter}`;
      return;
    }
    if (item.metric === "meanRssBytes" && rules.roughMeanRss) {
      result.verdict = "inconclusive";
      result.verdictReason = "most runs lasted fewer than 5 sampling intervals: their mean RSS is too rough for a verdict";
      return;
    }
    result.verdict = change < 0 ? "better" : "worse";
    if (scatter) result.verdictReason = scatter.slice(2);
  });
}
