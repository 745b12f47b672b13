// Real comparisons of real programs under the real allocators of this machine.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runComparison, type CompareOutcome } from "../../src/compare/run-compare.js";
import type { CompareSettings, VariantResult } from "../../src/compare/report-model.js";
import { parseVariantList } from "../../src/compare/variants.js";
import { median } from "../../src/compare/statistics.js";
import { buildExample } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temps = useTempDirs();

const SETTINGS: CompareSettings = { runs: 5, warmup: 0, sampleIntervalMs: 20, prepare: null, input: null, alpha: 0.05, minEffect: 0.01, statsRuns: false, noiseCheck: false, timeoutSeconds: null, onTimeout: "continue" };

async function compareOnce(argv: string[], variants: string, settings: Partial<CompareSettings> = {}, cwd?: string, env = process.env): Promise<CompareOutcome> {
  const directory = cwd ?? (await temps.make());
  return runComparison({
    variants: parseVariantList(variants ? [variants] : []),
    baseline: undefined,
    program: argv[0] as string,
    argv,
    cwd: directory,
    env,
    outDir: join(directory, "compare"),
    settings: { ...SETTINGS, ...settings },
    showOutput: false,
  });
}

function resultOf(outcome: CompareOutcome, label: string): VariantResult {
  const found = outcome.report.results.find((r) => r.variant === label);
  if (!found) throw new Error(`no result for ${label}`);
  return found;
}

let holes = "";
let churn = "";
let peak = "";
beforeAll(() => {
  holes = buildExample("holes");
  churn = buildExample("churn");
  peak = buildExample("peak");
});

describe("compare on a program that fragments glibc's heap (examples/holes.c)", () => {
  const variants = "glibc,jemalloc,jemalloc+dirty_decay_ms=0,tcmalloc,mimalloc";
  let first: CompareOutcome;
  let second: CompareOutcome;
  beforeAll(async () => {
    // Four variants × five metrics = 20 tests: Holm needs 6 runs a side for any verdict.
    first = await compareOnce([holes, "16"], variants, { statsRuns: true, runs: 6 });
    second = await compareOnce([holes, "16"], variants, { runs: 6 });
  }, 120_000);

  it("finds the allocators that keep size classes apart significantly smaller than glibc", () => {
    for (const label of ["tcmalloc", "mimalloc", "jemalloc+dirty_decay_ms=0"]) {
      const peakRss = resultOf(first, label).peakRssBytes!;
      expect(peakRss.verdict, label).toBe("better");
      expect(peakRss.ratio!, label).toBeLessThan(0.8);
      expect(peakRss.ci!.high, label).toBeLessThan(1);
    }
    // jemalloc keeps the freed pages dirty for 10 s by default: no smaller than glibc.
    expect(resultOf(first, "jemalloc").peakRssBytes!.verdict).not.toBe("better");
  });

  it("agrees with a repeated comparison on every large peak RSS difference", () => {
    for (const result of first.report.results) {
      const ratio = result.peakRssBytes!.ratio!;
      if (Math.abs(ratio - 1) < 0.1) continue;
      expect(resultOf(second, result.variant).peakRssBytes!.verdict, result.variant).toBe(result.peakRssBytes!.verdict);
      expect(resultOf(second, result.variant).peakRssBytes!.ratio!).toBeCloseTo(ratio, 1);
    }
  });

  it("shows why: jemalloc's default holds freed pages as overhead, dirty_decay_ms=0 does not", () => {
    const lazy = resultOf(first, "jemalloc").breakdown!;
    const eager = resultOf(first, "jemalloc+dirty_decay_ms=0").breakdown!;
    expect(lazy.source).toBe("jemalloc stats_print");
    expect(lazy.overheadBytes!).toBeGreaterThan(0.5 * lazy.liveHeapBytes!);
    expect(eager.overheadBytes!).toBeLessThan(lazy.overheadBytes! / 3);
    // The program asks for the same bytes under every allocator (size-class rounding aside).
    const glibcLive = resultOf(first, "glibc").breakdown!.liveHeapBytes!;
    for (const label of ["jemalloc", "tcmalloc"]) expect(resultOf(first, label).breakdown!.liveHeapBytes! / glibcLive, label).toBeCloseTo(1, 1);
  });

  it("keeps every run's folder with its manifest, and the statistics run's stderr", () => {
    const { report } = first;
    for (const result of report.results) {
      expect(result.runs).toHaveLength(6);
      expect(result.failedRuns).toBe(0);
      for (const run of result.runs) expect(existsSync(join(report.compareFolder, run.folder, "manifest.json"))).toBe(true);
      expect(readFileSync(join(report.compareFolder, result.breakdown!.statsFolder, "stderr.log"), "utf8").length).toBeGreaterThan(0);
    }
  });

  it("recommends one of the variants that were significantly smaller", () => {
    expect(["tcmalloc", "mimalloc", "jemalloc+dirty_decay_ms=0"]).toContain(first.report.recommendation.variant);
    expect(first.report.pareto.length).toBeGreaterThan(0);
  });

  it("keeps a timeline of each variant's median run for the charts", () => {
    for (const result of first.report.results) {
      const timeline = first.timelines.get(result.variant)!;
      expect(timeline.points.length, result.variant).toBeGreaterThan(0);
      // The median run by peak RSS; its samples never exceed the kernel's peak by more than page-rounding noise.
      const run = result.runs.find((r) => r.iteration === timeline.iteration)!;
      const peaks = result.runs.map((r) => r.peakRssBytes).sort((a, b) => a - b);
      expect(run.peakRssBytes).toBe(peaks[Math.floor((peaks.length - 1) / 2)]);
      expect(Math.max(...timeline.points.map((p) => p.rssBytes))).toBeLessThanOrEqual(run.peakRssBytes * 1.01);
    }
  });
});

describe("compare on multi-threaded churn (examples/churn.c)", () => {
  it("shows tcmalloc's per-thread caches as a significantly larger peak than glibc's", async () => {
    const outcome = await compareOnce([churn, "4", "300000"], "glibc,tcmalloc,mimalloc", { warmup: 1, runs: 6 });
    const tcmalloc = resultOf(outcome, "tcmalloc");
    expect(tcmalloc.peakRssBytes!.verdict).toBe("worse");
    expect(tcmalloc.peakRssBytes!.ratio!).toBeGreaterThan(1.5);
    for (const result of outcome.report.results.slice(1)) {
      expect(result.wallSeconds!.pValue!).toBeGreaterThan(0);
      expect(["better", "worse", "no-significant-difference", "inconclusive"]).toContain(result.wallSeconds!.verdict);
    }
  }, 60_000);
});

describe("peak RSS as compare reports it", () => {
  /** Median of /usr/bin/time -f %M over three runs, in bytes; LD_PRELOAD only on the program (via env). */
  function timeMaxRss(argv: string[], preload: string | undefined): number {
    const values = [1, 2, 3].map(() => {
      const command = preload ? ["env", `LD_PRELOAD=${preload}`, ...argv] : argv;
      const result = spawnSync("/usr/bin/time", ["-f", "%M", ...command], { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
      return Number(result.stderr.trim().split("\n").pop()) * 1024;
    });
    return median(values);
  }

  it("agrees with /usr/bin/time -f %M within 1%, also for a peak reached right before exit", async () => {
    const outcome = await compareOnce([peak, "64", "late"], "glibc,jemalloc", { runs: 3 });
    const jemalloc = resultOf(outcome, "jemalloc").library!;
    const expected = { glibc: timeMaxRss([peak, "64", "late"], undefined), jemalloc: timeMaxRss([peak, "64", "late"], jemalloc) };
    expect(expected.glibc).toBeGreaterThan(64 * 1048576);
    for (const [label, reference] of Object.entries(expected)) {
      for (const run of resultOf(outcome, label).runs) {
        expect(run.peakRssMethod).toBe("wait4-rusage");
        expect(Math.abs(run.peakRssBytes / reference - 1), `${label} run ${run.iteration}`).toBeLessThan(0.01);
      }
    }
  }, 60_000);
});

describe("default variants", () => {
  it("compares every installed allocator and skips one whose library is missing, saying why", async () => {
    const env = { ...process.env, ALLOCRUN_MIMALLOC_LIB: "/nonexistent/libmimalloc.so.2" };
    const outcome = await compareOnce([holes, "4"], "", { runs: 1 }, await temps.make(), env);
    expect(outcome.report.results.map((r) => r.variant)).toEqual(["glibc", "jemalloc", "tcmalloc"]);
    expect(outcome.report.notes.join("\n")).toMatch(/skipping mimalloc: ALLOCRUN_MIMALLOC_LIB=\/nonexistent\/libmimalloc\.so\.2/);
    expect(outcome.report.notes.join("\n")).toMatch(/with 1 runs per variant and 10 tests \(Holm\) no difference can be significant/);
  }, 60_000);
});

describe("failed runs", () => {
  it("reports runs that exit non-zero or die of a signal and leaves them out of the figures", async () => {
    const cwd = await temps.make();
    // Every third run in schedule order fails: glibc's 2nd (exit 1) and tcmalloc's 3rd (SIGSEGV).
    const script = 'n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; [ $n -eq 2 ] && exit 1; [ $n -eq 5 ] && kill -SEGV $$; exit 0';
    const outcome = await compareOnce(["/bin/sh", "-c", script], "glibc,tcmalloc", { runs: 3 }, cwd);
    const glibc = resultOf(outcome, "glibc");
    const tcmalloc = resultOf(outcome, "tcmalloc");
    expect(glibc.runs.map((r) => r.failure)).toEqual([null, "exit status 1", null]);
    expect(tcmalloc.runs.map((r) => r.failure)).toEqual([null, null, "killed by SIGSEGV"]);
    expect([glibc.failedRuns, tcmalloc.failedRuns]).toEqual([1, 1]);
    expect(glibc.peakRssBytes!.n).toBe(2);
    expect(tcmalloc.wallSeconds!.n).toBe(2);
    expect(outcome.report.recommendation.variant).toBeNull();
  }, 60_000);
});

describe("--prepare and --input", () => {
  it("runs the prepare command before every run and feeds the input file afresh each time", async () => {
    const cwd = await temps.make();
    const input = join(cwd, "input.txt");
    writeFileSync(input, "twelve bytes");
    const outcome = await compareOnce(["/bin/sh", "-c", '[ "$(wc -c)" -eq 12 ]'], "glibc", { runs: 2, warmup: 1, statsRuns: true, prepare: "echo x >> prepare.log", input }, cwd);
    const glibc = resultOf(outcome, "glibc");
    expect(glibc.runs.every((run) => run.ok)).toBe(true);
    expect(glibc.warmupRuns).toHaveLength(1);
    // One warm-up, two measured runs, one statistics run.
    expect(readFileSync(join(cwd, "prepare.log"), "utf8")).toBe("x\nx\nx\nx\n");
  }, 60_000);

  it("stops at a failing prepare command, which runs in the comparison's environment", async () => {
    const env = { ...process.env, ALLOCRUN_PREPARE_STATUS: "3" };
    await expect(compareOnce(["/bin/true"], "glibc", { runs: 2, prepare: 'exit "$ALLOCRUN_PREPARE_STATUS"' }, undefined, env))
      .rejects.toMatchObject({ kind: "input", message: '--prepare "exit "$ALLOCRUN_PREPARE_STATUS"" exited with status 3' });
    await expect(compareOnce(["/bin/true"], "glibc", { runs: 2, prepare: "kill -KILL $$" }))
      .rejects.toMatchObject({ kind: "input", message: '--prepare "kill -KILL $$" was killed by SIGKILL' });
  });
});
