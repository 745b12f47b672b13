#!/usr/bin/env node
// Start-up cost of allocrun in front of a trivial program, measured side by side with
// `node -e 0`, interleaved so machine drift hits both alike: each command's median over
// node's, and the median of each round's own ratio. bench/startup-phases.mjs says where
// the time goes. Needs `npm run build`.
//   node bench/startup.mjs [runs]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const runs = Number(process.argv[2] ?? 30);
const cli = fileURLToPath(new URL("../bin/allocrun.js", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "allocrun-startup-"));

const commands = {
  "node -e 0": [process.execPath, ["-e", "0"]],
  "allocrun --glibc -- true": [process.execPath, [cli, "--glibc", "-q", "-o", "", "--", "true"]],
  "allocrun --jemalloc -- true": [process.execPath, [cli, "--jemalloc", "-q", "-o", "", "--", "true"]],
  // As a shell starts it: through the #! line (/bin/sh, then node), needs node on PATH.
  "allocrun (#!) --glibc -- true": [cli, ["--glibc", "-q", "-o", "", "--", "true"]],
  // What bin's V8 code cache of the bundle saves (the first run writes the cache).
  "--glibc, no code cache": [process.execPath, [cli, "--glibc", "-q", "-o", "", "--", "true"], { ALLOCRUN_NO_CODE_CACHE: "1" }],
};

let folders = 0;
function timeOnce(name, [file, args, env]) {
  // A fresh run folder per timing: allocrun never writes into one that holds files.
  const finalArgs = args.map((arg) => (arg === "" ? join(scratch, `run-${folders++}`) : arg));
  const start = process.hrtime.bigint();
  const result = spawnSync(file, finalArgs, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
  return ms;
}

const times = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
try {
  for (let i = 0; i < runs + 2; i++) {
    for (const [name, command] of Object.entries(commands)) {
      const ms = timeOnce(name, command);
      if (i >= 2) times[name].push(ms); // two warm-up rounds fill the page cache (and the code cache)
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true }); // also when a command failed
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const baseTimes = times["node -e 0"];
const base = median(baseTimes);
// A shared machine drifts by more than allocrun's cost within a minute: each round times
// every command back to back, so the ratio to that round's `node -e 0` is the steadier figure.
console.log(`runs: ${runs} each, interleaved; median wall time, and the median of each round's ratio to node -e 0`);
for (const [name, values] of Object.entries(times)) {
  const m = median(values);
  const paired = median(values.map((ms, round) => ms / baseTimes[round]));
  console.log(`${name.padEnd(30)} ${m.toFixed(1).padStart(7)} ms   ${(m / base).toFixed(2)}x node -e 0   paired ${paired.toFixed(2)}x`);
}
