import { describe, expect, it } from "vitest";
import { findParetoFront, recommendVariant, summarizeVariants, type VariantRuns } from "../../src/compare/analyze.js";
import type { RunRecord } from "../../src/compare/report-model.js";

const SETTINGS = { alpha: 0.05, minEffect: 0.01 };

/** Runs with the given peak RSS (MiB) and wall times (s); user/sys proportional to wall. */
function runs(peaksMiB: number[], walls: number[], failures: Array<string | null> = []): RunRecord[] {
  return peaksMiB.map((peak, i) => {
    const failure = failures[i] ?? null;
    return {
      iteration: i + 1,
      folder: `x-${i + 1}`,
      ok: failure === null,
      exitCode: failure === null ? 0 : 1,
      signal: null,
      failure,
      timedOut: false,
      peakRssBytes: peak * 1048576,
      peakRssMethod: "wait4-rusage",
      meanRssBytes: null,
      wallSeconds: walls[i] as number,
      userSeconds: (walls[i] as number) * 0.9,
      sysSeconds: (walls[i] as number) * 0.1,
    };
  });
}

function variant(name: string, runRecords: RunRecord[]): VariantRuns {
  return { variant: name, allocator: name.split("+")[0] as string, library: null, presets: [], env: {}, runs: runRecords, warmupRuns: [], breakdown: null, notes: [], footprintOnly: false };
}

const WALL = [1.0, 1.02, 0.98, 1.01, 0.99];

describe("per-variant summaries", () => {
  it("leaves failed runs out of every figure and counts them", () => {
    const [, flaky] = summarizeVariants(
      [variant("glibc", runs([100, 100, 100, 100, 100], WALL)), variant("tcmalloc", runs([60, 60, 999, 60, 60], WALL, [null, null, "killed by SIGSEGV", null, null]))],
      "glibc",
      SETTINGS,
    );
    expect(flaky!.failedRuns).toBe(1);
    expect(flaky!.peakRssBytes).toMatchObject({ n: 4, max: 60 * 1048576 });
  });

  it("marks the baseline and has no mean RSS when no run had a sample", () => {
    const [base] = summarizeVariants([variant("glibc", runs([100, 100, 100], WALL))], "glibc", SETTINGS);
    expect(base!.peakRssBytes).toMatchObject({ ratio: 1, ci: null, pValue: null, verdict: "baseline" });
    expect(base!.meanRssBytes).toBeNull();
  });
});

describe("recommendation", () => {
  const glibc = variant("glibc", runs([100, 100.2, 99.9, 100.1, 100], WALL));
  const WALL6 = [...WALL, 1.0];

  it("picks the variant significantly smaller without being slower, and names trade-offs separately", () => {
    // Three variants × five metrics = 15 tests: Holm needs 6 runs a side for any verdict.
    const results = summarizeVariants(
      [
        variant("glibc", runs([100, 100.2, 99.9, 100.1, 100, 100.1], WALL6)),
        variant("tcmalloc", runs([60, 60.1, 59.9, 60, 60.2, 60.1], WALL6)),
        variant("mimalloc", runs([55, 55.1, 54.9, 55, 55.2, 55.1], WALL6)),
        variant("jemalloc+dirty_decay_ms=0", runs([40, 40.1, 39.9, 40, 40.2, 40.1], [1.5, 1.52, 1.48, 1.51, 1.49, 1.5])),
      ],
      "glibc",
      SETTINGS,
    );
    const { variant: chosen, text } = recommendVariant(results, "glibc", 0.05);
    expect(chosen).toBe("mimalloc");
    expect(text).toMatch(/^Recommendation: mimalloc for this workload \(peak RSS -45%, wall time no significant difference vs glibc\)/);
    expect(text).toMatch(/Trade-offs: jemalloc\+dirty_decay_ms=0 uses 60% less memory but is 50% slower/);
  });

  it("keeps the baseline when nothing is significantly better", () => {
    const same = variant("jemalloc", runs([100.1, 99.8, 100, 100.3, 99.9], WALL));
    const { variant: chosen, text } = recommendVariant(summarizeVariants([glibc, same], "glibc", SETTINGS), "glibc", 0.05);
    expect(chosen).toBeNull();
    expect(text).toMatch(/^Recommendation: keep glibc: no variant was significantly better/);
  });

  it("says the runs are too few to tell rather than recommending the baseline", () => {
    const few = summarizeVariants([variant("glibc", runs([100, 100, 100], WALL)), variant("tcmalloc", runs([50, 50, 50], WALL))], "glibc", SETTINGS);
    expect(recommendVariant(few, "glibc", 0.05)).toEqual({ variant: null, text: "No recommendation: with 3 successful runs per variant and 5 tests no difference can be significant; use --runs 5 or more." });
  });

  it("never recommends a variant that had failed runs", () => {
    const crashy = variant("tcmalloc", runs([60, 60, 60, 60, 60, 60], [...WALL, 1], [null, null, null, null, null, "exit status 1"]));
    const { variant: chosen, text } = recommendVariant(summarizeVariants([glibc, crashy], "glibc", SETTINGS), "glibc", 0.05);
    expect(chosen).toBeNull();
    expect(text).toMatch(/Not considered \(failed runs\): tcmalloc\./);
  });
});

describe("Pareto front", () => {
  it("keeps the variants no other beats on both peak RSS and wall time, fastest first", () => {
    const results = summarizeVariants(
      [
        variant("glibc", runs([100, 100, 100], [1, 1, 1])),
        variant("fast-big", runs([120, 120, 120], [0.5, 0.5, 0.5])),
        variant("slow-small", runs([50, 50, 50], [2, 2, 2])),
        variant("dominated", runs([130, 130, 130], [1.5, 1.5, 1.5])),
      ],
      "glibc",
      SETTINGS,
    );
    expect(findParetoFront(results)).toEqual(["fast-big", "glibc", "slow-small"]);
  });
});
