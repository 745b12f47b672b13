#!/usr/bin/env node
// Does measuring slow the program down? Runs the examples, interleaved, three ways:
//   time      /usr/bin/time -f %M <program>            (the reference: a C wrapper, no sampling)
//   launcher  launchProgram with the native launcher, sampling only once at start
//   sampled   launchProgram with the native launcher and the /proc sampler every 20 ms
// and prints median wall time, program CPU time (user+sys: steadier than wall on a shared
// machine) and peak RSS side by side, as ratios to `time`. Wall time is taken the same way
// for every mode: node's clock around spawn-to-exit.
//
//   npm run build && node bench/measure-overhead.mjs [runs=7] [interval-ms=20]
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const launcherModule = join(root, "dist", "run", "launcher.js");
if (!existsSync(launcherModule)) {
  console.error("bench: dist/ is missing; run `npm run build` first.");
  process.exit(2);
}
const { ensureLauncher, launchProgram } = await import(launcherModule);

const runs = Number(process.argv[2] ?? 7);
const intervalMs = Number(process.argv[3] ?? 20);

// Sizes chosen for 0.3-1 s runs on a 2-core machine. peak is built at -O0: at higher
// levels gcc deletes its malloc/touch/free as dead code.
const workloads = [
  { name: "churn", flags: ["-O2"], args: ["4", "8000000"] },
  { name: "fragment", flags: ["-O2"], args: ["1000000"] },
  { name: "leak", flags: ["-O2"], args: ["8"] },
  { name: "peak", flags: ["-O0"], args: ["256", "late"], label: "peak 256 late" },
];

function buildWorkloads(directory) {
  return workloads.map((workload) => {
    const binary = join(directory, workload.name);
    execFileSync("gcc", [...workload.flags, "-pthread", "-o", binary, join(root, "examples", `${workload.name}.c`)]);
    return { ...workload, binary, label: workload.label ?? `${workload.name} ${workload.args.join(" ")}` };
  });
}

/** One run under /usr/bin/time: wall from node's clock, CPU and peak from %U %S %M. */
function runUnderTime(binary, args) {
  return new Promise((resolvePromise, reject) => {
    const began = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "%U %S %M", binary, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", () => {
      const wallMs = performance.now() - began;
      const lines = stderr.trim().split("\n");
      const [user, sys, peakKib] = (lines[lines.length - 1] ?? "").split(" ").map(Number);
      resolvePromise({ wallMs, cpuMs: (user + sys) * 1000, peakKib });
    });
  });
}

async function runUnderAllocrun(binary, args, sampleIntervalMs) {
  const began = performance.now();
  const result = await launchProgram({
    file: binary,
    argv: [binary, ...args],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    cwd: root,
    sampleIntervalMs,
    stdio: "ignore",
  });
  const wallMs = performance.now() - began;
  if (result.exitCode !== 0) throw new Error(`${binary} exited ${result.exitCode ?? result.signal}`);
  const cpuMs = (result.userSeconds + result.sysSeconds) * 1000;
  return { wallMs, cpuMs, peakKib: result.peakRssBytes / 1024, cost: result.samplerCost };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ratio = (value, reference) => (value / reference).toFixed(3);
const pad = (text, width) => String(text).padEnd(width);

async function main() {
  if (!ensureLauncher()) throw new Error("the native launcher could not be built");
  const scratch = mkdtempSync(join(tmpdir(), "allocrun-bench-"));
  try {
    const built = buildWorkloads(scratch);
    const modes = {
      time: (w) => runUnderTime(w.binary, w.args),
      launcher: (w) => runUnderAllocrun(w.binary, w.args, 1e9),
      sampled: (w) => runUnderAllocrun(w.binary, w.args, intervalMs),
    };
    console.log(`allocrun overhead: ${runs} interleaved runs per mode, sampling every ${intervalMs} ms; medians, ratios to /usr/bin/time`);
    console.log(
      [
        pad("workload", 18),
        ...["time wall", "launcher", "sampled", "time CPU", "launcher", "sampled", "time peak", "launcher", "sampled"].map((title, i) => pad(title, i % 3 ? 10 : 12)),
        "sampler cost (in node)",
      ].join(""),
    );
    for (const workload of built) {
      const samples = { time: [], launcher: [], sampled: [] };
      await modes.time(workload); // warm the page cache and the CPU frequency
      for (let run = 0; run < runs; run++) {
        // Rotate the order so no mode always runs right after another.
        const order = Object.keys(modes);
        for (let shift = 0; shift < run % order.length; shift++) order.push(order.shift());
        for (const mode of order) samples[mode].push(await modes[mode](workload));
      }
      const medians = (field) => Object.fromEntries(Object.entries(samples).map(([mode, list]) => [mode, median(list.map((s) => s[field]))]));
      const wall = medians("wallMs");
      const cpu = medians("cpuMs");
      const peak = medians("peakKib");
      const costs = samples.sampled.map((s) => s.cost);
      const total = (field) => costs.reduce((sum, cost) => sum + cost[field], 0);
      const plainCpuUs = (1000 * (total("sampleCpuMs") - total("pssCpuMs"))) / Math.max(1, total("samples") - total("pssReads"));
      const pssCpuUs = (1000 * total("pssCpuMs")) / Math.max(1, total("pssReads"));
      const busyFraction = total("sampleCpuMs") / samples.sampled.reduce((sum, s) => sum + s.wallMs, 0);
      console.log(
        [
          pad(workload.label, 18),
          pad(`${wall.time.toFixed(0)} ms`, 12),
          pad(ratio(wall.launcher, wall.time), 10),
          pad(ratio(wall.sampled, wall.time), 10),
          pad(`${cpu.time.toFixed(0)} ms`, 12),
          pad(ratio(cpu.launcher, cpu.time), 10),
          pad(ratio(cpu.sampled, cpu.time), 10),
          pad(`${peak.time.toFixed(0)} KiB`, 12),
          pad(ratio(peak.launcher, peak.time), 10),
          pad(ratio(peak.sampled, peak.time), 10),
          `${(100 * busyFraction).toFixed(2)}% of a core; ~${plainCpuUs.toFixed(0)} us CPU per sample, PSS on ${total("pssReads")}/${total("samples")} samples at ${pssCpuUs.toFixed(0)} us CPU each`,
        ].join(""),
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
