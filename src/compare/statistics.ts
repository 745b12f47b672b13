// Statistics for a handful of runs per variant. Pure functions over numbers.
//
// Choices, for small samples of noisy timings (5 runs is typical):
// - Location and spread are the median, the interquartile range and the median absolute
//   deviation: one slow run (a page-cache miss, a noisy neighbour) does not move them.
// - The test is the two-sided Mann–Whitney U (Wilcoxon rank-sum) test with its exact
//   permutation distribution, computed over the midranks actually observed, so it stays
//   exact with ties (deterministic programs often repeat the same peak RSS to the byte).
// - The confidence interval for the ratio is the Hodges–Lehmann interval of the shift
//   on log values (the log of the ratio), inverted from the same U distribution: it
//   excludes 1 exactly when the test at the same level rejects (ties aside), so the
//   interval and the verdict never tell different stories. It is exact up to 60 runs in
//   all (normal approximation beyond); with 5 + 5 runs the nearest achievable level to
//   95% is 96.8%, and that achieved level is reported. No random resampling: the same
//   runs always give the same figures.

export interface Spread {
  /** Interquartile range (third minus first quartile, linear interpolation). */
  iqr: number;
  /** Median absolute deviation from the median (unscaled). */
  mad: number;
  /** mad / median; null when the median is 0. */
  relativeMad: number | null;
}

export interface SampleSummary {
  n: number;
  median: number;
  min: number;
  max: number;
  spread: Spread;
}

export interface RankTest {
  /** U of the first sample: pairs where it is larger, ties counting one half. */
  u: number;
  /** Two-sided p-value. */
  pValue: number;
  /** False when the sample was too large for the exact distribution (normal approximation). */
  exact: boolean;
}

export interface RatioInterval {
  low: number;
  high: number;
  /** The confidence actually achieved (≥ the level asked for). */
  level: number;
}

export type Verdict = "better" | "worse" | "no-significant-difference" | "insufficient-data";

export interface BaselineComparison {
  /** Median of the variant divided by the median of the baseline; null when the baseline median is 0. */
  ratio: number | null;
  /** Null when the runs are too few for the level asked, or values are not all positive. */
  ci: RatioInterval | null;
  pValue: number | null;
  verdict: Verdict;
}

export interface ComparisonSettings {
  /** Significance level of the test; the interval is at 1 − alpha. */
  alpha: number;
  /** Differences smaller than this fraction of the baseline count as no difference. */
  minEffect: number;
}

export const DEFAULT_COMPARISON_SETTINGS: ComparisonSettings = { alpha: 0.05, minEffect: 0.01 };

/** Sizes up to this many runs in total use exact distributions. */
const EXACT_LIMIT = 60;

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Quantile by linear interpolation between order statistics (R type 7, numpy default). */
export function quantileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error("quantile of an empty sample");
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  return low + ((sorted[above] as number) - low) * (position - below);
}

export function median(values: readonly number[]): number {
  return quantileOfSorted(sortedCopy(values), 0.5);
}

export function summarizeSample(values: readonly number[]): SampleSummary | null {
  if (values.length === 0) return null;
  const sorted = sortedCopy(values);
  const middle = quantileOfSorted(sorted, 0.5);
  const mad = median(sorted.map((value) => Math.abs(value - middle)));
  return {
    n: sorted.length,
    median: middle,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    spread: {
      iqr: quantileOfSorted(sorted, 0.75) - quantileOfSorted(sorted, 0.25),
      mad,
      relativeMad: middle === 0 ? null : mad / Math.abs(middle),
    },
  };
}

/** Ranks 1..N of the pooled values, ties sharing their mean rank. */
function midranks(pooled: readonly number[]): number[] {
  const order = pooled.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(pooled.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!.index] = rank;
    start = end + 1;
  }
  return ranks;
}

/**
 * Distribution of the sum of `size` ranks drawn without replacement from `ranks`
 * (given doubled, so midranks are whole numbers): probability of each doubled sum.
 */
function rankSumDistribution(doubledRanks: readonly number[], size: number): Map<number, number> {
  // ways[k] maps a doubled sum to the number of k-subsets with that sum (as a float:
  // C(60,30) exceeds 2^53, and only ratios of these counts are needed).
  let ways: Array<Map<number, number>> = [new Map([[0, 1]])];
  for (const rank of doubledRanks) {
    const next = ways.map((m) => new Map(m));
    for (let k = Math.min(size - 1, ways.length - 1); k >= 0; k--) {
      const from = ways[k]!;
      const to = next[k + 1] ?? (next[k + 1] = new Map());
      for (const [sum, count] of from) to.set(sum + rank, (to.get(sum + rank) ?? 0) + count);
    }
    ways = next;
  }
  const sums = ways[size] ?? new Map<number, number>();
  let total = 0;
  for (const count of sums.values()) total += count;
  const distribution = new Map<number, number>();
  for (const [sum, count] of sums) distribution.set(sum, count / total);
  return distribution;
}

/** Two-sided Mann–Whitney U test of `a` against `b`; null when either is empty. */
export function testRankSum(a: readonly number[], b: readonly number[]): RankTest | null {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return null;
  const ranks = midranks([...a, ...b]);
  const rankSumA = ranks.slice(0, n1).reduce((sum, r) => sum + r, 0);
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const total = n1 + n2;
  if (total <= EXACT_LIMIT) {
    const doubled = ranks.map((r) => Math.round(r * 2));
    const expectedDoubled = n1 * (total + 1);
    const observedDistance = Math.abs(Math.round(rankSumA * 2) - expectedDoubled);
    let pValue = 0;
    for (const [sum, probability] of rankSumDistribution(doubled, n1)) {
      if (Math.abs(sum - expectedDoubled) >= observedDistance) pValue += probability;
    }
    return { u, pValue: Math.min(1, pValue), exact: true };
  }
  return { u, pValue: normalApproximation(u, n1, n2, ranks), exact: false };
}

function normalApproximation(u: number, n1: number, n2: number, ranks: readonly number[]): number {
  const total = n1 + n2;
  const tieCounts = new Map<number, number>();
  for (const r of ranks) tieCounts.set(r, (tieCounts.get(r) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of tieCounts.values()) tieTerm += t ** 3 - t;
  const variance = ((n1 * n2) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (variance <= 0) return 1;
  const z = (Math.abs(u - (n1 * n2) / 2) - 0.5) / Math.sqrt(variance);
  return Math.min(1, 2 * (1 - standardNormalCdf(Math.max(0, z))));
}

/** Φ(z) by the Abramowitz–Stegun 7.1.26 erf approximation (error < 1.5e-7). */
function standardNormalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * The largest k with P(U ≤ k) ≤ alpha / 2 under no ties, and P(U ≤ k): the interval
 * [d(k+1), d(mn−k)] of the sorted pairwise differences then covers with 1 − 2·P(U ≤ k).
 * Null when even k = 0 is too likely (too few runs for this level).
 */
function criticalU(n1: number, n2: number, alpha: number): { k: number; tail: number } | null {
  const plainRanks = Array.from({ length: n1 + n2 }, (_, i) => 2 * (i + 1));
  const minimumDoubledSum = n1 * (n1 + 1);
  const distribution = rankSumDistribution(plainRanks, n1);
  const pOfU: number[] = [];
  for (const [sum, probability] of distribution) pOfU[(sum - minimumDoubledSum) / 2] = probability;
  let cumulative = 0;
  let best: { k: number; tail: number } | null = null;
  for (let k = 0; k < pOfU.length; k++) {
    cumulative += pOfU[k] ?? 0;
    if (cumulative > alpha / 2 + 1e-12) break;
    best = { k, tail: cumulative };
  }
  return best;
}

/** The normal approximation of criticalU for large samples (no continuity correction). */
function approximateCriticalU(n1: number, n2: number, alpha: number): { k: number; tail: number } | null {
  const z = inverseStandardNormalCdf(1 - alpha / 2);
  const k = Math.floor((n1 * n2) / 2 - z * Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12));
  return k >= 0 ? { k, tail: alpha / 2 } : null;
}

/** Φ⁻¹(p) by bisection on standardNormalCdf: plenty for a handful of calls. */
function inverseStandardNormalCdf(p: number): number {
  let low = -10;
  let high = 10;
  for (let i = 0; i < 80; i++) {
    const middle = (low + high) / 2;
    if (standardNormalCdf(middle) < p) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** Hodges–Lehmann interval for the ratio a/b (shift of log values); null when not computable. */
export function estimateRatioInterval(a: readonly number[], b: readonly number[], alpha: number): RatioInterval | null {
  if (a.length === 0 || b.length === 0) return null;
  if ([...a, ...b].some((value) => !(value > 0))) return null;
  const critical = a.length + b.length <= EXACT_LIMIT ? criticalU(a.length, b.length, alpha) : approximateCriticalU(a.length, b.length, alpha);
  if (!critical) return null;
  const differences: number[] = [];
  for (const x of a) for (const y of b) differences.push(Math.log(x) - Math.log(y));
  differences.sort((p, q) => p - q);
  const low = differences[critical.k] as number;
  const high = differences[differences.length - 1 - critical.k] as number;
  return { low: Math.exp(low), high: Math.exp(high), level: 1 - 2 * critical.tail };
}

/** Everything compare says about one metric of a variant against the baseline. Lower is better. */
export function compareWithBaseline(variant: readonly number[], baseline: readonly number[], settings: ComparisonSettings = DEFAULT_COMPARISON_SETTINGS): BaselineComparison {
  if (variant.length === 0 || baseline.length === 0) return { ratio: null, ci: null, pValue: null, verdict: "insufficient-data" };
  const baselineMedian = median(baseline);
  const ratio = baselineMedian === 0 ? null : median(variant) / baselineMedian;
  const test = testRankSum(variant, baseline);
  const ci = estimateRatioInterval(variant, baseline, settings.alpha);
  const pValue = test?.pValue ?? null;
  return { ratio, ci, pValue, verdict: decideVerdict(ratio, pValue, variant, baseline, settings) };
}

function decideVerdict(ratio: number | null, pValue: number | null, variant: readonly number[], baseline: readonly number[], settings: ComparisonSettings): Verdict {
  if (pValue === null) return "insufficient-data";
  if (pValue >= settings.alpha) return "no-significant-difference";
  // A shift the test finds but too small to matter (or not expressible as a ratio).
  const direction = ratio !== null ? ratio - 1 : median(variant) - median(baseline);
  if (ratio !== null && Math.abs(direction) < settings.minEffect) return "no-significant-difference";
  if (direction === 0) return "no-significant-difference";
  return direction < 0 ? "better" : "worse";
}

/** The smallest two-sided p-value the exact test can reach with these sizes. */
export function smallestPossiblePValue(n1: number, n2: number): number {
  let combinations = 1;
  for (let i = 1; i <= n1; i++) combinations = (combinations * (n2 + i)) / i;
  return Math.min(1, 2 / combinations);
}

/** The fewest runs per side (from `atLeast`, up to `atMost`) with which `tests` Holm-corrected tests can reach alpha. */
export function runsNeededForSignificance(tests: number, alpha: number, atLeast = 1, atMost = 12): number {
  let runs = Math.max(1, atLeast);
  while (runs < atMost && smallestPossiblePValue(runs, runs) >= alpha / Math.max(1, tests)) runs++;
  return runs;
}
