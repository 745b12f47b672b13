// Leak suspects across a series of dumps of one run (`--growth`): each allocation site's
// in-use value per dump, ranked by steady growth — a least-squares slope that only counts
// as far as the series keeps rising — rather than by last − first, which one spike or one
// late burst of short-lived memory would fool.
import { asStackTable, type Stacks } from "./stack-table.js";
import type { FunctionRef } from "./stacks.js";

export interface GrowthRow {
  fn: FunctionRef;
  line: number;
  /** Flat value in each dump, in series order. */
  values: number[];
  /** Least-squares slope per dump. */
  slope: number;
  /** Least-squares slope per second, when the dumps' times are known. */
  slopePerSecond: number | undefined;
  /** (rises − falls) / steps over consecutive dumps: 1 = rose every time, −1 = fell every time. */
  monotonicity: number;
  /** Coefficient of determination of the linear fit (1 = perfectly linear). */
  r2: number;
  /** Ranking key: slope × max(0, monotonicity). */
  score: number;
}

/** Slope and r² of y over x by ordinary least squares. */
export function fitLine(xs: readonly number[], ys: readonly number[]): { slope: number; r2: number } {
  const n = xs.length;
  if (n < 2) return { slope: 0, r2: 0 };
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - meanX;
    const dy = (ys[i] as number) - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0) return { slope: 0, r2: 0 };
  const slope = sxy / sxx;
  return { slope, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

/** (rises − falls) / (n − 1); changes within `tolerance` of the value count as flat. */
export function monotonicityOf(values: readonly number[], tolerance = 0): number {
  if (values.length < 2) return 0;
  let score = 0;
  for (let i = 1; i < values.length; i++) {
    const change = (values[i] as number) - (values[i - 1] as number);
    if (Math.abs(change) <= tolerance) continue;
    score += Math.sign(change);
  }
  return score / (values.length - 1);
}

/** A trailing dump holding under this share of the series' largest is "freed everything". */
const EMPTY_SHARE = 0.05;

/**
 * How many leading dumps to rank: a program that frees everything before it exits leaves
 * a last dump near zero, which would make every site look like it shrank. Such trailing
 * dumps are left out (at least two dumps stay).
 */
export function countDumpsBeforeFreeing(totals: readonly number[]): number {
  const largest = Math.max(0, ...totals);
  let count = totals.length;
  while (count > 2 && (totals[count - 1] as number) <= largest * EMPTY_SHARE) count--;
  return count;
}

/**
 * Sites (flat per function) ranked by steady growth per dump, most suspicious first; only
 * sites that grew (positive score) are returned. With `seconds` (when each dump was
 * written) the rows also carry the growth per second.
 */
export function rankGrowth(series: readonly Stacks[], seconds?: readonly number[]): GrowthRow[] {
  const positions = series.map((_, index) => index);
  const sites = new Map<string, { fn: FunctionRef; line: number; values: number[] }>();
  series.forEach((stacks, dump) => {
    const table = asStackTable(stacks);
    for (let s = 0; s < table.stackCount; s++) {
      const start = table.stackStarts[s] as number;
      if (start === table.stackStarts[s + 1]) continue;
      const leaf = table.stackFrames[start] as number;
      const fn = table.functions[table.frameFunctions[leaf] as number] as FunctionRef;
      let site = sites.get(fn.key);
      if (site === undefined) sites.set(fn.key, (site = { fn, line: table.frameLines[leaf] as number, values: series.map(() => 0) }));
      site.values[dump] = (site.values[dump] as number) + (table.values[s] as number);
    }
  });
  const rows: GrowthRow[] = [];
  for (const site of sites.values()) {
    const { slope, r2 } = fitLine(positions, site.values);
    const slopePerSecond = seconds === undefined ? undefined : fitLine(seconds, site.values).slope;
    const largest = Math.max(...site.values.map(Math.abs));
    // Sampling noise: a change under 1% of the site's size is no change.
    const monotonicity = monotonicityOf(site.values, largest * 0.01);
    const score = slope * Math.max(0, monotonicity);
    if (score > 0) rows.push({ ...site, slope, slopePerSecond, monotonicity, r2, score });
  }
  return rows.sort((a, b) => b.score - a.score || (a.fn.name < b.fn.name ? -1 : 1));
}
