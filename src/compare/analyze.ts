// From raw runs to per-variant figures, verdicts, the Pareto front and a recommendation.
// Pure: everything here is decided from the numbers passed in.
import { formatPercent } from "../core/units.js";
import { compareWithBaseline, smallestPossiblePValue, summarizeSample, type ComparisonSettings } from "./statistics.js";
import { METRICS, type MemoryBreakdown, type MetricKey, type MetricResult, type RunRecord, type VariantResult } from "./report-model.js";

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
}

/** The metric's values over the successful runs (runs without a value, e.g. no RSS sample, are skipped). */
export function metricValues(runs: readonly RunRecord[], key: MetricKey): number[] {
  return runs.filter((run) => run.ok).flatMap((run) => (run[key] === null ? [] : [run[key] as number]));
}

export function summarizeVariants(inputs: readonly VariantRuns[], baselineLabel: string, settings: ComparisonSettings): VariantResult[] {
  const baseline = inputs.find((input) => input.variant === baselineLabel);
  return inputs.map((input) => {
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
}

function summarizeMetric(values: number[], baselineValues: number[] | undefined, settings: ComparisonSettings): MetricResult | null {
  const summary = summarizeSample(values);
  if (!summary) return null;
  if (baselineValues === undefined) return { ...summary, ratio: 1, ci: null, pValue: null, verdict: "baseline" };
  return { ...summary, ...compareWithBaseline(values, baselineValues, settings) };
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

function canReachSignificance(result: VariantResult, baseline: VariantResult, alpha: number): boolean {
  const n = result.peakRssBytes?.n ?? 0;
  const m = baseline.peakRssBytes?.n ?? 0;
  return n > 0 && m > 0 && smallestPossiblePValue(n, m) < alpha;
}

function describeChange(metric: MetricResult | null, noun: string): string {
  if (!metric || metric.ratio === null) return `${noun} not measured`;
  if (metric.verdict === "no-significant-difference") return `${noun} no significant difference`;
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
  if (!best && others.length > 0 && others.every((r) => !canReachSignificance(r, baseline, alpha))) {
    const runs = Math.min(...others.map((r) => r.peakRssBytes?.n ?? 0), baseline.peakRssBytes.n);
    return { variant: null, text: `No recommendation: with ${runs} successful runs per variant no difference can be significant; use --runs 4 or more.${suffix}` };
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
