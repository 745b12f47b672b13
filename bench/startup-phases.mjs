#!/usr/bin/env node
// Where allocrun's start-up goes, phase by phase: runs `allocrun ALLOCATOR -q -- true` with
// ALLOCRUN_TRACE_STARTUP (src/core/startup-trace.ts) and prints the median length of each
// phase, in the order they happen. bench/startup.mjs measures the whole against `node -e 0`.
// Needs `npm run build`.
//   node bench/startup-phases.mjs [runs] [--jemalloc|--glibc|…]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const runs = Number(process.argv[2] ?? 40);
const allocator = process.argv[3] ?? "--glibc";
const cli = fileURLToPath(new URL("../bin/allocrun.js", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "allocrun-startup-phases-"));
const traceFile = join(scratch, "trace.jsonl");

try {
  for (let i = 0; i < runs + 2; i++) {
    const result = spawnSync(process.execPath, [cli, allocator, "-q", "-o", join(scratch, `run-${i}`), "--", "true"], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, ALLOCRUN_TRACE_STARTUP: traceFile },
    });
    if (result.status !== 0) throw new Error(`allocrun failed: ${result.stderr}`);
  }
  // Two warm-up runs write the code cache (and the ELF facts): left out.
  const traces = readFileSync(traceFile, "utf8").trim().split("\n").slice(2).map((line) => JSON.parse(line));
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const phases = traces[0].map(([name]) => name);
  const alike = traces.filter((marks) => marks.length === phases.length && marks.every(([name], i) => name === phases[i]));
  console.log(`allocrun ${allocator} -q -- true: ${alike.length} runs (of ${traces.length} with this order of phases); median ms`);
  console.log(`${"node itself, before bin/allocrun.js".padEnd(64)} ${median(alike.map((marks) => marks[0][1])).toFixed(2).padStart(7)}`);
  for (let p = 0; p < phases.length - 1; p++) {
    console.log(`${phases[p].padEnd(64)} ${median(alike.map((marks) => marks[p + 1][1] - marks[p][1])).toFixed(2).padStart(7)}`);
  }
  console.log(`${"allocrun in all, bin/allocrun.js to the exit event".padEnd(64)} ${median(alike.map((marks) => marks.at(-1)[1] - marks[0][1])).toFixed(2).padStart(7)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
