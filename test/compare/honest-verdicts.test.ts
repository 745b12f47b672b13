// Verdicts that never call noise a difference, and compares that stop as the user asks:
// real programs under real allocators, the built CLI where exit codes and signals matter.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareReport } from "../../src/compare/report-model.js";
import { runComparison } from "../../src/compare/run-compare.js";
import { parseVariantList } from "../../src/compare/variants.js";
import { CLI, runCli } from "../helpers/cli.js";
import { buildExample } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { buildGoProgram } from "../doctor/helpers/programs.js";

const temps = useTempDirs();

function readReport(path: string): CompareReport {
  return JSON.parse(readFileSync(path, "utf8")) as CompareReport;
}

/** Running (a zombie waiting for init to reap it counts as gone). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** A shell loop that keeps one core busy until killed. */
function startCpuHog(): () => void {
  const hog = spawn("/bin/sh", ["-c", "while :; do :; done"], { stdio: "ignore" });
  return () => void hog.kill("SIGKILL");
}

describe("a program compared with itself (A/A) on a loaded CPU", () => {
  // Ten compares, one test each (each a few seconds), under one CPU hog for all of them.
  let stopHog: () => void = () => undefined;
  let peak = "";
  let dir = "";
  beforeAll(async () => {
    peak = buildExample("peak");
    dir = await temps.make();
    stopHog = startCpuHog();
  });
  afterAll(() => stopHog());

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])("never says better or worse (compare %i of 10)", async (round) => {
    // Cheap but able to reach significance: 5 runs a side pass Holm over 5 tests.
    const { report } = await runComparison({
      variants: parseVariantList(["glibc,glibc+arena_max=8"]),
      baseline: undefined,
      program: peak,
      argv: [peak, "4"],
      cwd: dir,
      env: process.env,
      outDir: join(dir, `aa-${round}`),
      settings: { runs: 5, warmup: 0, sampleIntervalMs: 20, prepare: null, input: null, alpha: 0.05, minEffect: 0.01, statsRuns: false, noiseCheck: true, timeoutSeconds: null, onTimeout: "continue" },
      showOutput: false,
    });
    const same = report.results.find((result) => result.variant === "glibc+arena_max=8");
    const verdicts = report.metrics.map((metric) => `${metric}: ${same?.[metric]?.verdict} ${same?.[metric]?.verdictReason ?? ""}`);
    expect(report.noise?.runs).toHaveLength(5);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(verdicts.filter((line) => / (better|worse) /.test(line))).toEqual([]);
    // The test could fail: these metrics had runs enough to reach significance.
    expect(verdicts.filter((line) => /^(peakRssBytes|wallSeconds): insufficient-data/.test(line))).toEqual([]);
  });
});

const hasGo = spawnSync("go", ["version"]).status === 0;

describe("a Go program with a preloaded allocator", () => {
  it.skipIf(!hasGo)("calls the memory difference the library's own footprint, not better or worse", async () => {
    const program = buildGoProgram("cgo-hello", { cgo: true });
    const dir = await temps.make();
    const { report } = await runComparison({
      variants: parseVariantList(["glibc,jemalloc"]),
      baseline: undefined,
      program,
      argv: [program],
      cwd: dir,
      env: process.env,
      outDir: join(dir, "cmp"),
      settings: { runs: 5, warmup: 0, sampleIntervalMs: 20, prepare: null, input: null, alpha: 0.05, minEffect: 0.01, statsRuns: false, noiseCheck: false, timeoutSeconds: null, onTimeout: "continue" },
      showOutput: false,
    });
    const jemalloc = report.results.find((result) => result.variant === "jemalloc")!;
    expect(jemalloc.runs.every((run) => run.ok)).toBe(true);
    expect(jemalloc.peakRssBytes!.verdict).toBe("allocator-footprint");
    expect(jemalloc.peakRssBytes!.verdictReason).toMatch(/Go program.*preloaded library's own footprint/);
    // A hello world is often over before the sampler's second look: then there is no mean
    // RSS to judge (seen under load), and never a "better" or "worse".
    if (jemalloc.meanRssBytes!.verdict !== "insufficient-data") {
      expect(jemalloc.meanRssBytes!.verdict).toBe("allocator-footprint");
      expect(jemalloc.meanRssBytes!.verdictReason).toMatch(/Go program.*preloaded library's own footprint/);
    }
  }, 60_000);
});

describe("a compare whose program fails or hangs", () => {
  it("exits with the program's status when every run fails, and still writes the report", async () => {
    const dir = await temps.make();
    const peak = buildExample("peak");
    const result = await runCli(["compare", "-a", "glibc,jemalloc", "--runs", "5", "--warmup", "1", "--no-breakdown", "-o", join(dir, "cmp"), "--", peak, "1", "early", "3"], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/failed under every variant in the first warm-up round \(exit status 3\)/);
    const report = readReport(join(dir, "cmp", "compare.json"));
    expect(report.stopped).toMatchObject({ reason: "program-failed", runsDone: 2 });
    expect(report.results.map((r) => r.warmupRuns[0]?.failure)).toEqual(["exit status 3", "exit status 3"]);
  }, 60_000);

  it("kills a hanging run with its whole process group after --timeout, records it, and goes on", async () => {
    const dir = await temps.make();
    const sleeper = buildExample("sleeper");
    // The first run hangs (with a background child); every later run finishes at once.
    const script = join(dir, "hangs-once.sh");
    writeFileSync(script, `#!/bin/sh\nif [ -e "${dir}/ran" ]; then exit 0; fi\ntouch "${dir}/ran"\n"${sleeper}" 60 &\necho $! > "${dir}/child.pid"\nexec "${sleeper}" 60\n`, { mode: 0o755 });
    const result = await runCli(
      ["compare", "-a", "glibc,glibc+arena_max=2", "--runs", "2", "--warmup", "0", "--no-breakdown", "--no-noise-check", "--timeout", "1s", "-o", join(dir, "cmp"), "--", script],
      { cwd: dir },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const report = readReport(join(dir, "cmp", "compare.json"));
    const [glibc, other] = report.results;
    expect(glibc!.runs[0]).toMatchObject({ ok: false, timedOut: true, signal: "SIGTERM" });
    expect(glibc!.runs[0]!.failure).toMatch(/^timed out after 1s/);
    expect(glibc!.runs[1]!.ok).toBe(true);
    expect(other!.runs.every((run) => run.ok && !run.timedOut)).toBe(true);
    expect(report.settings).toMatchObject({ timeoutSeconds: 1, onTimeout: "continue" });
    expect(report.stopped).toBeNull();
    const childPid = Number(readFileSync(join(dir, "child.pid"), "utf8"));
    expect(isRunning(childPid), "the background child of the timed-out run").toBe(false);
  }, 60_000);

  it("stops at the first timeout with --on-timeout stop and exits 124 as timeout(1) does", async () => {
    const dir = await temps.make();
    const sleeper = buildExample("sleeper");
    const result = await runCli(
      ["compare", "-a", "glibc,glibc+arena_max=2", "--runs", "3", "--warmup", "0", "--no-breakdown", "--timeout", "0.5s", "--on-timeout", "stop", "-o", join(dir, "cmp"), "--", sleeper, "60"],
      { cwd: dir },
    );
    expect(result.exitCode, result.stderr).toBe(124);
    const report = readReport(join(dir, "cmp", "compare.json"));
    expect(report.stopped).toMatchObject({ reason: "timeout", runsDone: 1 });
    expect(result.stdout).toMatch(/Partial report: stopped after 1 of 9 runs/);
  }, 60_000);

  it("refuses a malformed --timeout or --on-timeout as a usage error", async () => {
    expect((await runCli(["compare", "--timeout", "soon", "--", "true"])).exitCode).toBe(2);
    const bad = await runCli(["compare", "--on-timeout", "later", "--", "true"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--on-timeout needs continue or stop/);
  });
});

describe("ci --timeout", () => {
  it("kills a hanging gated program and fails the gate with a clear line", async () => {
    const dir = await temps.make();
    const sleeper = buildExample("sleeper");
    const result = await runCli(["ci", "--update-baseline", "--metric", "peak_rss", "--runs", "1", "--warmup", "0", "--timeout", "0.5s", "--baseline", join(dir, "b.json"), "-o", join(dir, "out"), "--", sleeper, "60"], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/the program ran past --timeout 0\.5s in .*: allocrun killed it \(and its process group\)/);
    expect(existsSync(join(dir, "b.json"))).toBe(false);
  }, 30_000);
});

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;

describe("Ctrl-C in a terminal", () => {
  it.skipIf(!hasTmux)("ends the compare at once with 130 and a report of the runs done (tmux)", async () => {
    const dir = await temps.make();
    const sleeper = buildExample("sleeper");
    const socket = join(dir, "tmux.sock");
    const status = join(dir, "status");
    // compare ends by SIGINT like `run` (so a shell loop stops too): the shell in the pane
    // would die with it, so a small node parent that survives Ctrl-C records the status.
    const recorder = `process.on("SIGINT", () => {}); const r = require("child_process").spawnSync(process.argv[2], process.argv.slice(3), { stdio: ["inherit", "pipe", "pipe"], maxBuffer: 1 << 26 });
      const fs = require("fs"); fs.writeFileSync("${dir}/out", r.stdout); fs.writeFileSync("${dir}/err", r.stderr);
      fs.writeFileSync("${status}", String(r.status ?? 128 + require("os").constants.signals[r.signal]));`;
    const args = [process.execPath, CLI, "compare", "-a", "glibc,jemalloc", "--runs", "3", "--warmup", "0", "--no-breakdown", "-o", `${dir}/cmp`, "--", sleeper, "30"];
    const recorderFile = join(dir, "recorder.js");
    writeFileSync(recorderFile, recorder);
    const command = [process.execPath, recorderFile, ...args].map((word) => `'${word}'`).join(" ") + "; sleep 60";
    expect(spawnSync("tmux", ["-S", socket, "new-session", "-d", "-x", "160", "-y", "40", command]).status).toBe(0);
    try {
      // Wait until the first run's program is running, then press Ctrl-C once.
      await waitFor(() => existsSync(join(dir, "cmp", "glibc-1", "timeline.csv")), 15_000);
      spawnSync("tmux", ["-S", socket, "send-keys", "C-c"]);
      // Without the stop this would take the program's 30 s per run.
      await waitFor(() => existsSync(status) && readFileSync(status, "utf8").trim() !== "", 10_000);
    } finally {
      spawnSync("tmux", ["-S", socket, "kill-server"]);
    }
    expect(readFileSync(status, "utf8").trim()).toBe("130");
    const report = readReport(join(dir, "cmp", "compare.json"));
    expect(report.stopped).toMatchObject({ reason: "signal", runsDone: 1, runsPlanned: 9 });
    expect(report.results[0]!.runs[0]!.failure).toMatch(/^interrupted/);
    expect(readFileSync(join(dir, "out"), "utf8")).toMatch(/Partial report: stopped after 1 of 9 runs \(interrupted \(Ctrl-C\)\)/);
  }, 40_000);
});

async function waitFor(condition: () => boolean, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
