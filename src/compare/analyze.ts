// From raw runs to per-variant figures, verdicts, the Pareto front and a recommendation.
// Pure: everything here is decided from the numbers passed in.
import { formatPercent } from "../core/units.js";
import { compareWithBaseline, runsNeededForSignificance, smallestPossiblePValue, summarizeSample, type ComparisonSettings } from "./statistics.js";
import { METRICS, type MemoryBreakdown, type MetricKey, type MetricResult, type NoiseCheck, type RunRecord, type VariantResult } from "./report-model.js";
import { applyVerdictRules, HIGH_SPREAD, measureNoiseFloor, type PendingVerdict } from "./verdict-rules.js";

export interface VariantRuns {
  variant: string;
  allocator: string;
  library: string | null;
  presets: string[];
  env: Record<string, string>;
  runs: RunRecord[];
  warmupRuns: RunRecord[];
  breakdown: MemoryBreakdown | null;
  notes: string[];
  /** The variant preloads an allocator into a program that does not allocate with malloc (Go). */
  footprintOnly: boolean;
}

/** The metric's values over the successful runs (runs without a value, e.g. no RSS sample, are skipped). */
export function metricValues(runs: readonly RunRecord[], key: MetricKey): number[] {
  return runs.filter((run) => run.ok).flatMap((run) => (run[key] === null ? [] : [run[key] as number]));
}

/** The baseline against its interleaved copy (A/A), per metric. */
export function summarizeNoise(baselineLabel: string, baselineRuns: readonly RunRecord[], copyRuns: RunRecord[], settings: ComparisonSettings): NoiseCheck {
  const metrics: NoiseCheck["metrics"] = {};
  for (const { key } of METRICS) {
    const copy = metricValues(copyRuns, key);
    const original = metricValues(baselineRuns, key);
    if (copy.length === 0 || original.length === 0) {
      metrics[key] = null;
      continue;
    }
    const { ratio, ci } = compareWithBaseline(copy, original, settings);
    metrics[key] = { ratio, ci, floor: measureNoiseFloor(ratio, ci) };
  }
  return { baseline: baselineLabel, runs: copyRuns, metrics };
}

export function summarizeVariants(
  inputs: readonly VariantRuns[],
  baselineLabel: string,
  settings: ComparisonSettings,
  noise: NoiseCheck | null = null,
  roughMeanRss = false,
): VariantResult[] {
  const baseline = inputs.find((input) => input.variant === baselineLabel);
  const pending: PendingVerdict[] = [];
  const results = inputs.map((input) => {
    const result: VariantResult = {
      variant: input.variant,
      allocator: input.allocator,
      library: input.library,
      presets: input.presets,
      env: input.env,
      runs: input.runs,
      warmupRuns: input.warmupRuns,
      failedRuns: input.runs.filter((run) => !run.ok).length,
      peakRssBytes: null,
      meanRssBytes: null,
      wallSeconds: null,
      userSeconds: null,
      sysSeconds: null,
      breakdown: input.breakdown,
      notes: input.notes,
    };
    for (const { key } of METRICS) {
      result[key] = summarizeMetric(metricValues(input.runs, key), baseline && input !== baseline ? metricValues(baseline.runs, key) : undefined, settings);
    }
    return result;
  });
  const baselineResult = results.find((result) => result.variant === baselineLabel);
  for (const [index, result] of results.entries()) {
    if (result === baselineResult || !baselineResult) continue;
    for (const { key } of METRICS) {
      const metric = result[key];
      const base = baselineResult[key];
      if (metric && base) pending.push({ metric: key, result: metric, baseline: base, footprintOnly: inputs[index]?.footprintOnly ?? false });
    }
  }
  applyVerdictRules(pending, { alpha: settings.alpha, minEffect: settings.minEffect, noise: noise?.metrics, roughMeanRss });
  return results;
}

function summarizeMetric(values: number[], baselineValues: number[] | undefined, settings: ComparisonSettings): MetricResult | null {
  const summary = summarizeSample(values);
  if (!summary) return null;
  const highSpread = summary.spread.relativeMad !== null && summary.spread.relativeMad > HIGH_SPREAD;
  const rest = { highSpread, adjustedPValue: null, noiseFloor: null, verdictReason: null };
  if (baselineValues === undefined) return { ...summary, ...rest, ratio: 1, ci: null, pValue: null, verdict: "baseline" };
  return { ...summary, ...rest, ...compareWithBaseline(values, baselineValues, settings) };
}

/** Variants that no other variant beats on both median peak RSS and median wall time, fastest first. */
export function findParetoFront(results: readonly VariantResult[]): string[] {
  const points = results.flatMap((r) => (r.peakRssBytes && r.wallSeconds ? [{ label: r.variant, rss: r.peakRssBytes.median, wall: r.wallSeconds.median }] : []));
  const front = points.filter((p) => !points.some((q) => q !== p && q.rss <= p.rss && q.wall <= p.wall && (q.rss < p.rss || q.wall < p.wall)));
  return front.sort((a, b) => a.wall - b.wall || a.rss - b.rss).map((p) => p.label);
}

const PRIMARY: Array<{ key: "peakRssBytes" | "wallSeconds"; noun: string; less: string; more: string }> = [
  { key: "peakRssBytes", noun: "peak RSS", less: "uses % less memory", more: "uses % more memory" },
  { key: "wallSeconds", noun: "wall time", less: "is % faster", more: "is % slower" },
];

/** Whether this variant's smallest possible p-value passes Holm's first step over `tests` tests. */
function canReachSignificance(result: VariantResult, baseline: VariantResult, alpha: number, tests: number): boolean {
  const n = result.peakRssBytes?.n ?? 0;
  const m = baseline.peakRssBytes?.n ?? 0;
  return n > 0 && m > 0 && smallestPossiblePValue(n, m) < alpha / tests;
}

function describeChange(metric: MetricResult | null, noun: string): string {
  if (!metric || metric.ratio === null) return `${noun} not measured`;
  if (metric.verdict !== "better" && metric.verdict !== "worse") return `${noun} ${metric.verdict.replace(/-/g, " ")}`;
  return `${noun} ${formatPercent(metric.ratio - 1, 0)}`;
}

/** Product of the primary ratios that are significant: noise in the others cannot pick the winner. */
function score(result: VariantResult): number {
  return PRIMARY.reduce((acc, { key }) => {
    const metric = result[key];
    const counts = metric?.verdict === "better" || metric?.verdict === "worse";
    return acc * (counts ? (metric?.ratio ?? 1) : 1);
  }, 1);
}

/**
 * Recommends from peak RSS and wall time only. A variant qualifies when it is
 * significantly better on one and not significantly worse on the other, and none of its
 * runs failed; among those, the lowest product of the two ratios wins. Variants better on
 * one and worse on the other are named as trade-offs.
 */
export function recommendVariant(results: readonly VariantResult[], baselineLabel: string, alpha: number): { variant: string | null; text: string } {
  const baseline = results.find((r) => r.variant === baselineLabel);
  if (!baseline || !baseline.peakRssBytes || !baseline.wallSeconds) {
    return { variant: null, text: `No recommendation: the baseline ${baselineLabel} has no successful runs.` };
  }
  const others = results.filter((r) => r !== baseline && r.failedRuns === 0);
  const verdicts = (r: VariantResult) => PRIMARY.map(({ key }) => r[key]?.verdict);
  const qualifies = others.filter((r) => verdicts(r).includes("better") && !verdicts(r).includes("worse"));
  const tradeOffs = others.filter((r) => verdicts(r).includes("better") && verdicts(r).includes("worse"));
  const crashed = results.filter((r) => r.failedRuns > 0).map((r) => r.variant);
  const tradeOffText = tradeOffs.map((r) => {
    const parts = PRIMARY.map(({ key, less, more }) => {
      const ratio = r[key]?.ratio ?? 1;
      return (ratio < 1 ? less : more).replace("%", `${Math.round(Math.abs(ratio - 1) * 100)}%`);
    });
    return `${r.variant} ${parts.join(" but ")}`;
  });
  const suffix = [
    tradeOffText.length ? ` Trade-offs: ${tradeOffText.join("; ")}.` : "",
    crashed.length ? ` Not considered (failed runs): ${crashed.join(", ")}.` : "",
  ].join("");
  const best = [...qualifies].sort((a, b) => score(a) - score(b))[0];
  const tests = Math.max(1, (results.length - 1) * METRICS.length);
  if (!best && others.length > 0 && others.every((r) => !canReachSignificance(r, baseline, alpha, tests))) {
    const runs = Math.min(...others.map((r) => r.peakRssBytes?.n ?? 0), baseline.peakRssBytes.n);
    const needed = runsNeededForSignificance(tests, alpha, runs + 1);
    return { variant: null, text: `No recommendation: with ${runs} successful runs per variant and ${tests} tests no difference can be significant; use --runs ${needed} or more.${suffix}` };
  }
  if (!best) {
    return {
      variant: null,
      text: `Recommendation: keep ${baselineLabel}: no variant was significantly better on peak RSS or wall time without being worse on the other.${suffix}`,
    };
  }
  const changes = PRIMARY.map(({ key, noun }) => describeChange(best[key], noun)).join(", ");
  return { variant: best.variant, text: `Recommendation: ${best.variant} for this workload (${changes} vs ${baselineLabel}).${suffix}` };
}
