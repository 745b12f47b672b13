// The compare-wide rules on made-up figures: Holm, the noise floor, high spread, Go footprint.
import { describe, expect, it } from "vitest";
import { summarizeNoise, summarizeVariants, type VariantRuns } from "../../src/compare/analyze.js";
import { describeLoad, parseCpuTicks } from "../../src/compare/machine-load.js";
import type { RunRecord } from "../../src/compare/report-model.js";
import { holmAdjust } from "../../src/compare/verdict-rules.js";

const SETTINGS = { alpha: 0.05, minEffect: 0.01 };

function runs(walls: number[], peakMiB: number | number[] = 100): RunRecord[] {
  return walls.map((wall, i) => ({
    iteration: i + 1,
    folder: `x-${i + 1}`,
    ok: true,
    exitCode: 0,
    signal: null,
    failure: null,
    timedOut: false,
    peakRssBytes: (Array.isArray(peakMiB) ? (peakMiB[i] as number) : peakMiB) * 1048576,
    peakRssMethod: "wait4-rusage",
    meanRssBytes: null,
    wallSeconds: wall,
    userSeconds: wall,
    sysSeconds: 0.01,
  }));
}

function variant(name: string, runRecords: RunRecord[], footprintOnly = false): VariantRuns {
  return { variant: name, allocator: name.split("+")[0] as string, library: null, presets: [], env: {}, runs: runRecords, warmupRuns: [], breakdown: null, notes: [], footprintOnly };
}

describe("Holm's correction", () => {
  it("multiplies the smallest p by the number of tests and keeps the adjusted values monotone", () => {
    expect(holmAdjust([0.01, 0.04, null, 0.03])).toEqual([0.03, 0.06, null, 0.06]);
    expect(holmAdjust([0.5, 0.9])).toEqual([1, 1]);
  });

  it("turns a lone significant p among many tests into no significant difference, and says why", () => {
    const base = variant("glibc", runs([1.0, 1.01, 0.99, 1.02, 0.98]));
    // Completely separated 5 vs 5: p = 0.0079 alone; two variants × four metrics with runs
    // (no mean RSS here) are 8 tests, and Holm makes the smallest p 8 × 0.0079 = 0.063.
    const slower = variant("a", runs([1.1, 1.11, 1.09, 1.12, 1.13]));
    const same = variant("b", runs([1.0, 1.01, 0.99, 1.02, 0.98]));
    const [, a] = summarizeVariants([base, slower, same], "glibc", SETTINGS);
    expect(a!.wallSeconds!.pValue).toBeLessThan(0.01);
    expect(a!.wallSeconds!.adjustedPValue).toBeGreaterThan(0.05);
    expect(a!.wallSeconds!.verdict).toBe("no-significant-difference");
    expect(a!.wallSeconds!.verdictReason).toMatch(/not significant after correcting for 8 tests \(Holm\)/);
  });
});

describe("the noise floor", () => {
  const base = runs([1.0, 1.01, 0.99, 1.0, 1.005, 0.995]);
  const shifted = runs([1.04, 1.05, 1.03, 1.04, 1.045, 1.035]);

  it("calls a clean 4% shift worse when the baseline's own copy moved less", () => {
    const copy = runs([1.0, 1.002, 0.998, 1.001, 0.999, 1.0]);
    const noise = summarizeNoise("glibc", base, copy, SETTINGS);
    const [, result] = summarizeVariants([variant("glibc", base), variant("x", shifted)], "glibc", SETTINGS, noise);
    expect(result!.wallSeconds!.verdict).toBe("worse");
    expect(result!.wallSeconds!.noiseFloor).toBeLessThan(0.04);
  });

  it("says inconclusive, with the floor and where it came from, when the baseline moved as much against itself", () => {
    const copy = runs([1.06, 1.07, 1.05, 1.06, 1.065, 1.055]);
    const noise = summarizeNoise("glibc", base, copy, SETTINGS);
    expect(noise.metrics.wallSeconds!.floor).toBeGreaterThan(0.05);
    const [, result] = summarizeVariants([variant("glibc", base), variant("x", shifted)], "glibc", SETTINGS, noise);
    expect(result!.wallSeconds!.pValue).toBeLessThan(0.01);
    expect(result!.wallSeconds!.verdict).toBe("inconclusive");
    expect(result!.wallSeconds!.verdictReason).toMatch(/within the noise floor ±\d+\.\d% \(baseline against its own copy\)/);
  });

  it("without a copy, takes the floor from the runs' own scatter and flags a noisy baseline", () => {
    const noisyBase = runs([1.0, 1.2, 0.85, 1.1, 0.9, 1.05]);
    const [glibc, result] = summarizeVariants([variant("glibc", noisyBase), variant("x", runs([1.25, 1.3, 1.28, 1.32, 1.27, 1.29]))], "glibc", SETTINGS);
    expect(glibc!.wallSeconds!.highSpread).toBe(true);
    expect(result!.wallSeconds!.verdict).not.toBe("worse");
    expect(result!.wallSeconds!.verdictReason).toMatch(/run-to-run scatter.*baseline's runs scatter ±\d/);
  });

  it("does not call a step of CPU-time ticks a difference: user time of 8 vs 4 ms is below the 10 ms resolution", () => {
    // What an A/A compare under load produced: every run read whole ticks, no scatter.
    const ticks = (records: RunRecord[], userSeconds: number) => records.map((run) => ({ ...run, userSeconds }));
    const same = [1.0, 1.01, 0.99, 1.0, 1.005, 0.995];
    const [, result] = summarizeVariants([variant("glibc", ticks(runs(same), 0.008)), variant("x", ticks(runs(same), 0.004))], "glibc", SETTINGS);
    expect(result!.userSeconds!.pValue).toBeLessThan(0.01);
    expect(result!.userSeconds!).toMatchObject({ verdict: "inconclusive", noiseFloor: 1 });
    expect(result!.userSeconds!.verdictReason).toBe("-50.0% is within the noise floor ±100.0% (the 10 ms resolution of CPU time)");
    // A program using seconds of CPU keeps a 1% floor from it.
    const [, long] = summarizeVariants([variant("glibc", ticks(runs(same), 2.0)), variant("x", ticks(runs(same), 1.5))], "glibc", SETTINGS);
    expect(long!.userSeconds!.verdict).toBe("better");
  });

  it("keeps a deterministic memory difference: its floor is --min-effect", () => {
    const [, result] = summarizeVariants([variant("glibc", runs([1, 1, 1, 1, 1], 100)), variant("x", runs([1, 1, 1, 1, 1], 80))], "glibc", SETTINGS);
    expect(result!.peakRssBytes!).toMatchObject({ verdict: "better", noiseFloor: 0.01, verdictReason: null });
  });
});

describe("mean RSS of runs too short to sample", () => {
  it("is inconclusive however clear the difference", () => {
    const withMean = (records: RunRecord[], mean: number) => records.map((run) => ({ ...run, meanRssBytes: mean }));
    const base = variant("glibc", withMean(runs([1, 1, 1, 1, 1]), 10));
    const other = variant("x", withMean(runs([1, 1, 1, 1, 1]), 20));
    const [, rough] = summarizeVariants([base, other], "glibc", SETTINGS, null, true);
    expect(rough!.meanRssBytes!.verdict).toBe("inconclusive");
    expect(rough!.meanRssBytes!.verdictReason).toMatch(/fewer than 5 sampling intervals/);
    const [, sampled] = summarizeVariants([base, other], "glibc", SETTINGS, null, false);
    expect(sampled!.meanRssBytes!.verdict).toBe("worse");
  });
});

describe("a Go program with a preloaded allocator", () => {
  it("calls its memory difference the library's footprint, not worse", () => {
    const [, result] = summarizeVariants([variant("glibc", runs([1, 1, 1, 1, 1], 10)), variant("jemalloc", runs([1, 1, 1, 1, 1], 12), true)], "glibc", SETTINGS);
    expect(result!.peakRssBytes!.verdict).toBe("allocator-footprint");
    expect(result!.peakRssBytes!.verdictReason).toMatch(/Go program.*library's own footprint/);
  });
});

describe("machine load", () => {
  it("reads the aggregate CPU line of /proc/stat, steal included", () => {
    expect(parseCpuTicks("cpu  100 5 50 800 10 1 2 7 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n")).toEqual({ busy: 165, total: 975, steal: 7 });
    expect(parseCpuTicks("intr 1 2 3\n")).toBeUndefined();
  });

  it("warns when others used a quarter of the cores or the hypervisor stole CPU", () => {
    expect(describeLoad({ cores: 2, loadAverage: null, othersCpuCores: 0.1, stealFraction: 0 })).toMatchObject({ timeVerdictsReliable: true, warning: null });
    expect(describeLoad({ cores: 2, loadAverage: null, othersCpuCores: 1.2, stealFraction: 0 }).warning).toMatch(/other processes used 1\.2 of 2 cores/);
    expect(describeLoad({ cores: 4, loadAverage: null, othersCpuCores: 0, stealFraction: 0.08 }).warning).toMatch(/hypervisor stole 8%/);
  });
});
