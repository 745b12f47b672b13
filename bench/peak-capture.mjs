#!/usr/bin/env node
// What does keeping the heap at its peak cost? Runs each workload, interleaved, under the
// same profiling allocator with and without the peak-capture library (what `--prof` adds),
// and with `--gdump` also under jemalloc's prof_gdump (the mechanism it replaces). Prints
// median wall time side by side as a ratio to the exit-only profile, and the number and
// size of dump files each mode left. Programs run directly (no allocrun around them).
//
//   node scripts/build-native.mjs && node bench/peak-capture.mjs [runs=5] [--gdump] [--tcmalloc]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg, cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const peakLibrary = join(root, "native", "build", "liballocrun-peak.so");
if (!existsSync(peakLibrary)) {
  console.error("bench: native/build/liballocrun-peak.so is missing; run `node scripts/build-native.mjs` first.");
  process.exit(2);
}
const args = process.argv.slice(2);
const runs = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 5);
const withGdump = args.includes("--gdump");
const allocator = args.includes("--tcmalloc") ? "tcmalloc" : "jemalloc";
const library = allocator === "jemalloc" ? "libjemalloc.so.2" : "libtcmalloc.so.4";

const scratch = mkdtempSync(join(tmpdir(), "allocrun-bench-peak-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

function build(name, flags) {
  const binary = join(scratch, name);
  execFileSync("gcc", [...flags, "-pthread", "-o", binary, join(root, "examples", `${name}.c`)]);
  return binary;
}

/** jq over a generated JSON array: a real program that allocates steadily, then frees it all. */
function jqWorkload(count) {
  const data = join(scratch, "data.json");
  writeFileSync(data, JSON.stringify(Array.from({ length: count }, (_, i) => ({ id: i, name: `n${i}`, g: i % 97, tags: ["a", "b", String(i % 13)] }))));
  return { label: `jq group_by (${count} objects)`, command: ["jq", "-c", "group_by(.g) | length", data] };
}

// gperftools' heap profiler records every allocation (~15x slower): smaller inputs there.
const scale = allocator === "tcmalloc" ? 0.1 : 1;
const workloads = [
  { label: "leak 8", command: [build("leak", ["-O2"]), "8"] },
  { label: "fragment 1000000", command: [build("fragment", ["-O2"]), String(Math.round(1000000 * scale))] },
  { label: "longrun 2 s (steady growth)", command: [build("longrun", ["-O2"]), "2", "10", "262144"] },
  ...(existsSync("/usr/bin/jq") ? [jqWorkload(Math.round(100000 * scale))] : []),
];

function profilingEnv(dir, mode) {
  const env = { ...process.env, LD_PRELOAD: library, PERFTOOLS_VERBOSE: "-1" };
  if (allocator === "jemalloc") env.MALLOC_CONF = `prof:true,prof_final:true,lg_prof_sample:17,prof_prefix:${dir}/jeprof${mode === "gdump" ? ",prof_gdump:true" : ""}`;
  else env.HEAPPROFILE = `${dir}/heap`;
  if (mode === "peak") {
    env.LD_PRELOAD = `${library} ${peakLibrary}`;
    env.ALLOCRUN_PEAK_PREFIX = `${dir}/peak`;
  }
  return env;
}

function runOnce(command, mode) {
  const dir = mkdtempSync(join(scratch, `${mode}-`));
  const started = performance.now();
  const result = spawnSync(command[0], command.slice(1), { env: profilingEnv(dir, mode), stdio: ["ignore", "ignore", "ignore"] });
  const wallMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command.join(" ")} (${mode}) failed: ${result.status ?? result.signal}`);
  const files = readdirSync(dir).filter((name) => name.endsWith(".heap"));
  const bytes = files.reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  rmSync(dir, { recursive: true, force: true });
  return { wallMs, files: files.length, bytes };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

const modes = ["exit", "peak", ...(withGdump && allocator === "jemalloc" ? ["gdump"] : [])];
console.log(`peak capture under ${allocator}: ${runs} interleaved runs per mode; load average ${loadavg().map((v) => v.toFixed(2)).join(" ")} on ${cpus().length} cores`);
console.log(["workload".padEnd(32), ...modes.map((mode) => `${mode} wall`.padStart(12)), ...modes.slice(1).map((mode) => `${mode}/exit`.padStart(11)), ...modes.map((mode) => `${mode} files`.padStart(20))].join(""));
for (const workload of workloads) {
  const samples = Object.fromEntries(modes.map((mode) => [mode, []]));
  runOnce(workload.command, "exit"); // warm-up: page cache, loader
  for (let i = 0; i < runs; i++) for (const mode of modes) samples[mode].push(runOnce(workload.command, mode));
  const wall = Object.fromEntries(modes.map((mode) => [mode, median(samples[mode].map((s) => s.wallMs))]));
  const last = Object.fromEntries(modes.map((mode) => [mode, samples[mode][samples[mode].length - 1]]));
  console.log(
    [
      workload.label.padEnd(32),
      ...modes.map((mode) => `${wall[mode].toFixed(0)} ms`.padStart(12)),
      ...modes.slice(1).map((mode) => `${(wall[mode] / wall.exit).toFixed(3)}`.padStart(11)),
      ...modes.map((mode) => `${last[mode].files} (${kib(last[mode].bytes)})`.padStart(20)),
    ].join(""),
  );
}
console.log(`load average after: ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);
