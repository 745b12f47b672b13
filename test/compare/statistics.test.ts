import { describe, expect, it } from "vitest";
import {
  compareWithBaseline,
  estimateRatioInterval,
  median,
  quantileOfSorted,
  smallestPossiblePValue,
  summarizeSample,
  testRankSum,
} from "../../src/compare/statistics.js";

describe("sample summaries", () => {
  it("uses linear interpolation for quartiles, as R's default and numpy do", () => {
    expect(quantileOfSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("reports median, range, IQR and MAD that one outlier does not move much", () => {
    const summary = summarizeSample([10, 11, 12, 13, 100])!;
    expect(summary).toEqual({ n: 5, median: 12, min: 10, max: 100, spread: { iqr: 2, mad: 1, relativeMad: 1 / 12 } });
  });

  it("returns null for an empty sample and no relative spread around a zero median", () => {
    expect(summarizeSample([])).toBeNull();
    expect(summarizeSample([0, 0, 0])!.spread.relativeMad).toBeNull();
  });
});

describe("Mann–Whitney U test", () => {
  it("matches R's documented example (W = 35; two-sided exact p = 0.2544)", () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const test = testRankSum(x, y)!;
    expect(test.u).toBe(35);
    expect(test.pValue).toBeCloseTo(0.2544122544, 9);
    expect(test.exact).toBe(true);
  });

  it("gives 2/252 for five runs entirely below five others, the smallest p possible", () => {
    expect(testRankSum([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])!.pValue).toBeCloseTo(2 / 252, 12);
    expect(smallestPossiblePValue(5, 5)).toBeCloseTo(2 / 252, 12);
  });

  it("stays exact with ties: the permutation distribution of the observed midranks (16/252)", () => {
    // scipy's "exact" ignores ties and says 0.095; enumerating all 252 splits gives 16/252.
    expect(testRankSum([100, 100, 100, 101, 102], [100, 103, 103, 104, 104])!.pValue).toBeCloseTo(16 / 252, 12);
  });

  it("finds no difference at all between identical samples", () => {
    expect(testRankSum([7, 7, 7], [7, 7, 7])!.pValue).toBe(1);
  });

  it("falls back to the normal approximation for large samples and still separates shifted ones", () => {
    const a = Array.from({ length: 40 }, (_, i) => i);
    const b = a.map((v) => v + 30);
    const test = testRankSum(a, b)!;
    expect(test.exact).toBe(false);
    expect(test.pValue).toBeLessThan(1e-6);
  });

  it("cannot reach significance with three runs each", () => {
    expect(smallestPossiblePValue(3, 3)).toBe(0.1);
  });
});

describe("ratio interval", () => {
  const variant = [10.2, 10.5, 10.1, 10.8, 10.4];
  const baseline = [11.0, 11.3, 10.9, 11.6, 11.1];

  it("is the 3rd smallest to 3rd largest log difference for 5 + 5 runs, at 96.8% confidence", () => {
    const ci = estimateRatioInterval(variant, baseline, 0.05)!;
    expect(ci.low).toBeCloseTo(0.8938053097, 9);
    expect(ci.high).toBeCloseTo(0.972972973, 9);
    expect(ci.level).toBeCloseTo(1 - 8 / 252, 12);
  });

  it("uses the normal approximation for large samples and still covers the true ratio of 2", () => {
    const baseline = Array.from({ length: 40 }, (_, i) => 100 + ((i * 37) % 11));
    const ci = estimateRatioInterval(baseline.map((v) => v * 2), baseline, 0.05)!;
    expect(ci.level).toBe(0.95);
    expect(ci.low).toBeLessThanOrEqual(2);
    expect(ci.high).toBeGreaterThanOrEqual(2);
    expect(ci.high / ci.low).toBeLessThan(1.1);
  });

  it("is null when the runs are too few for the level or a value is zero", () => {
    expect(estimateRatioInterval([1, 2, 3], [4, 5, 6], 0.05)).toBeNull();
    expect(estimateRatioInterval([0, 1, 2, 3, 4], [1, 2, 3, 4, 5], 0.05)).toBeNull();
  });
});

describe("comparison with the baseline", () => {
  it("calls a consistently lower variant better and gives the ratio of medians", () => {
    const result = compareWithBaseline([10.2, 10.5, 10.1, 10.8, 10.4], [11.0, 11.3, 10.9, 11.6, 11.1]);
    expect(result.verdict).toBe("better");
    expect(result.ratio).toBeCloseTo(10.4 / 11.1, 12);
    expect(result.ci!.high).toBeLessThan(1);
  });

  it("calls a consistently higher variant worse", () => {
    expect(compareWithBaseline([20, 21, 22, 23, 24], [10, 11, 12, 13, 14]).verdict).toBe("worse");
  });

  it("finds no significant difference between overlapping samples", () => {
    const result = compareWithBaseline([10, 12, 11, 13, 9], [11, 10, 12, 9, 13]);
    expect(result.verdict).toBe("no-significant-difference");
    expect(result.ci!.low).toBeLessThan(1);
    expect(result.ci!.high).toBeGreaterThan(1);
  });

  it("ignores a significant but negligible difference below the minimum effect", () => {
    const baseline = [1000, 1000, 1000, 1000, 1000];
    expect(compareWithBaseline([1004, 1004, 1004, 1004, 1004], baseline).verdict).toBe("no-significant-difference");
    expect(compareWithBaseline([1004, 1004, 1004, 1004, 1004], baseline, { alpha: 0.05, minEffect: 0.001 }).verdict).toBe("worse");
  });

  it("says insufficient data when a side has no successful runs", () => {
    expect(compareWithBaseline([], [1, 2, 3])).toEqual({ ratio: null, ci: null, pValue: null, verdict: "insufficient-data" });
  });

  it("has no ratio when the baseline median is zero but still decides from ranks", () => {
    const result = compareWithBaseline([0.01, 0.02, 0.01, 0.02, 0.03], [0, 0, 0, 0, 0]);
    expect(result.ratio).toBeNull();
    expect(result.verdict).toBe("worse");
  });
});
