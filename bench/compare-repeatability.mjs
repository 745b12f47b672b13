#!/usr/bin/env node
// Do repeated comparisons tell the same story, and what does a comparison cost?
// Runs `compare` REPEAT times on two examples that differ by allocator (holes: glibc's
// heap fragments; churn: four threads, small objects), then prints per variant the peak
// RSS and wall-time ratios to glibc with their verdicts in each repetition, whether the
// verdicts agree, and allocrun's own time per run (elapsed per run minus the program's
// median wall time: spawning, sampling, manifests). Agreement per metric: "agree" (same
// verdict every time), "partly" (significant in some repetitions, not in others),
// "OPPOSITE" (better in one, worse in another: the comparison cannot be trusted).
//
//   npm run build && node bench/compare-repeatability.mjs [repeat=3] [runs=5]
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const compareModule = join(root, "dist", "compare", "run-compare.js");
if (!existsSync(compareModule)) {
  console.error("bench: dist/ is missing; run `npm run build` first.");
  process.exit(2);
}
const { runComparison } = await import(compareModule);
const { parseVariantList } = await import(join(root, "dist", "compare", "variants.js"));

const repeat = Number(process.argv[2] ?? 3);
const runs = Number(process.argv[3] ?? 5);
const variants = "glibc,jemalloc,jemalloc+dirty_decay_ms=0,tcmalloc,mimalloc";
const workloads = [
  { name: "holes", args: ["32"] },
  { name: "churn", args: ["4", "1000000"] },
];

const scratch = mkdtempSync(join(tmpdir(), "allocrun-bench-compare-"));
try {
  for (const workload of workloads) {
    const binary = join(scratch, workload.name);
    execFileSync("gcc", ["-O1", "-pthread", "-o", binary, join(root, "examples", `${workload.name}.c`)]);
    const rows = new Map();
    let overheadMs = [];
    for (let i = 1; i <= repeat; i++) {
      const started = performance.now();
      const { report } = await runComparison({
        variants: parseVariantList([variants]),
        baseline: undefined,
        program: binary,
        argv: [binary, ...workload.args],
        cwd: scratch,
        env: process.env,
        outDir: join(scratch, `${workload.name}-${i}`),
        settings: { runs, warmup: 1, sampleIntervalMs: 20, prepare: null, input: null, alpha: 0.05, minEffect: 0.01, statsRuns: false },
        showOutput: false,
      });
      const elapsedMs = performance.now() - started;
      const allRuns = report.results.flatMap((r) => [...r.runs, ...r.warmupRuns]);
      const programMs = allRuns.reduce((sum, run) => sum + run.wallSeconds * 1000, 0);
      overheadMs.push((elapsedMs - programMs) / allRuns.length);
      for (const result of report.results) {
        const row = rows.get(result.variant) ?? { cells: [], peak: [], wall: [] };
        row.cells.push(`${describe(result.peakRssBytes)} | ${describe(result.wallSeconds)}`);
        row.peak.push(result.peakRssBytes?.verdict);
        row.wall.push(result.wallSeconds?.verdict);
        rows.set(result.variant, row);
      }
    }
    console.log(`\n${workload.name} ${workload.args.join(" ")}: ${repeat} comparisons of ${runs} runs (+1 warm-up) per variant; peak RSS | wall vs glibc`);
    for (const [variant, row] of rows) {
      console.log(`  ${variant.padEnd(26)} ${row.cells.join("   ")}   peak ${agreement(row.peak)}, wall ${agreement(row.wall)}`);
    }
    overheadMs = overheadMs.sort((a, b) => a - b);
    console.log(`  allocrun's own time per run (median of ${repeat}): ${overheadMs[Math.floor(overheadMs.length / 2)].toFixed(0)} ms`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

function agreement(verdicts) {
  if (verdicts.includes("better") && verdicts.includes("worse")) return "OPPOSITE";
  return verdicts.every((v) => v === verdicts[0]) ? "agree" : "partly";
}

function describe(metric) {
  if (!metric) return "no runs";
  if (metric.verdict === "baseline") return "baseline";
  const short = { better: "better", worse: "worse", "no-significant-difference": "same", "insufficient-data": "n/a" }[metric.verdict];
  return `${metric.ratio === null ? "—" : metric.ratio.toFixed(2)}× ${short}`;
}
