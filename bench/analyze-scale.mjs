#!/usr/bin/env node
// How `allocrun analyze` grows with the number of distinct stacks. Generates valid jemalloc
// heap_v2 profiles of 10k, 100k and 1M distinct stacks whose frames are real function
// addresses of a real binary (python3 by default: its .dynsym names them), then records the
// wall time, CPU time and peak RSS (GNU time's %M) of `allocrun analyze --format text` on each, and of
// `jeprof --text` on the smaller ones, side by side. The last columns show the growth per
// stack relative to the smallest profile: flat means linear.
//
//   npm run build && node bench/analyze-scale.mjs [--binary /usr/bin/python3] [--sizes 10000,100000,1000000] [--jeprof-max 10000] [--keep DIR]
//
// Profiles are written to a temporary folder and removed at the end (--keep DIR moves them there).
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(REPO, "bin", "allocrun.js");
const TIME = "/usr/bin/time";
const PERIOD = 524288;
const PF_X = 1;
const PT_LOAD = 1;

function parseArguments(argv) {
  const options = { binary: "/usr/bin/python3", sizes: [10_000, 100_000, 1_000_000], jeprofMax: 10_000, keep: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--binary") options.binary = argv[++i];
    else if (argv[i] === "--sizes") options.sizes = argv[++i].split(",").map(Number);
    else if (argv[i] === "--jeprof-max") options.jeprofMax = Number(argv[++i]);
    else if (argv[i] === "--keep") options.keep = resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (use --binary PATH --sizes 10000,100000 --jeprof-max N)`);
  }
  return options;
}

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

/** The binary's executable PT_LOAD and the start addresses of its function symbols in it. */
async function textAddresses(binary) {
  const { parseElf, readFunctionSymbols } = await import(join(REPO, "dist", "elf", "index.js"));
  const buffer = readFileSync(binary);
  const elf = parseElf(buffer, binary);
  const text = elf.programHeaders.find((header) => header.type === PT_LOAD && (header.flags & PF_X) !== 0);
  if (!text) fail(`${binary} has no executable segment`);
  const inText = (value) => value >= text.vaddr && value < text.vaddr + text.filesz;
  const starts = [...new Set(readFunctionSymbols(elf, buffer).filter((s) => s.size > 8 && inText(s.value)).map((s) => s.value))];
  if (starts.length < 100) fail(`${binary} names only ${starts.length} functions; pass a binary with symbols (--binary)`);
  return { text, starts, pie: elf.isPie };
}

/** A small deterministic PRNG, so every run generates the same profiles. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes a heap_v2 profile of `count` distinct stacks. The three innermost frames spell
 * the stack's index in base N (N functions), so no two stacks are equal; the callers
 * above them are drawn at random. Return addresses point a few bytes into each function.
 */
function writeProfile(path, count, binary, { text, starts, pie }) {
  const random = mulberry32(count);
  const base = pie ? 0x555555554000 : 0;
  const returnAddress = (index) => (base + starts[index % starts.length] + 5).toString(16);
  const fd = openSync(path, "w");
  let chunk = `heap_v2/${PERIOD}\n  t*: ${count}: ${count * 4096} [0: 0]\n  t0: ${count}: ${count * 4096} [0: 0]\n`;
  const n = starts.length;
  for (let i = 0; i < count; i++) {
    const frames = [returnAddress(i % n), returnAddress(Math.floor(i / n) % n), returnAddress(Math.floor(i / (n * n)))];
    const depth = 4 + Math.floor(random() * 20);
    for (let d = 3; d < depth; d++) frames.push(returnAddress(Math.floor(random() * n)));
    const objects = 1 + Math.floor(random() * 4);
    const bytes = objects * (16 << Math.floor(random() * 10));
    chunk += `@ 0x${frames.join(" 0x")}\n  t*: ${objects}: ${bytes} [0: 0]\n  t0: ${objects}: ${bytes} [0: 0]\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = "";
    }
  }
  const start = (base + text.vaddr - (text.vaddr % 4096)).toString(16).padStart(12, "0");
  const end = (base + text.vaddr + text.filesz + 4095 - ((text.vaddr + text.filesz + 4095) % 4096)).toString(16).padStart(12, "0");
  const offset = (text.offset - (text.offset % 4096)).toString(16).padStart(8, "0");
  chunk += `\nMAPPED_LIBRARIES:\n${start}-${end} r-xp ${offset} 00:00 0 ${binary}\n`;
  writeSync(fd, chunk);
  closeSync(fd);
}

/** Wall seconds, user+system CPU seconds and peak RSS in MiB of one command, with its stdout. */
function measure(command, args, env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(TIME, ["-f", "%M %U %S", command, ...args], { env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr.slice(-2000)}`);
  const [kib, user, system] = result.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { seconds, cpuSeconds: user + system, rssMiB: kib / 1024, stdout: result.stdout };
}

const options = parseArguments(process.argv.slice(2));
if (!existsSync(join(REPO, "dist"))) fail("run `npm run build` first");
if (!existsSync(TIME)) fail(`${TIME} is missing (peak RSS comes from GNU time) — apt install time`);
if (!existsSync(options.binary)) fail(`${options.binary} does not exist (--binary PATH)`);
const jeprof = spawnSync("sh", ["-c", "command -v jeprof"], { encoding: "utf8" }).stdout.trim();

const directory = mkdtempSync(join(tmpdir(), "allocrun-scale-"));
try {
  const layout = await textAddresses(options.binary);
  console.log(`binary: ${options.binary} (${layout.starts.length} functions in its text); load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`allocrun: node bin/allocrun.js analyze --format text --no-cache PROFILE; jeprof: ${jeprof || "(not installed)"} --text --show_bytes BINARY PROFILE\n`);
  console.log("   stacks  profile MB  allocrun s  (cpu s)  allocrun MiB          µs/stack  jeprof s  jeprof MiB  jeprof/allocrun  totals");
  let firstPerStack;
  for (const size of options.sizes) {
    const profile = join(directory, `scale-${size}.heap`);
    writeProfile(profile, size, options.binary, layout);
    const profileMB = Number(spawnSync("stat", ["-c", "%s", profile], { encoding: "utf8" }).stdout) / 1e6;
    const ours = measure(process.execPath, [CLI, "analyze", "--format", "text", "--no-cache", profile], {});
    const perStack = (ours.seconds * 1e6) / size;
    firstPerStack ??= perStack;
    const ourTotal = /\((\d+) bytes\)/.exec(ours.stdout)?.[1];
    let theirs;
    if (jeprof && size <= options.jeprofMax) theirs = measure(jeprof, ["--text", "--show_bytes", options.binary, profile], {});
    const theirTotal = theirs && /Total: (\d+) B/.exec(theirs.stdout)?.[1];
    const agreement = theirTotal === undefined ? "-" : Math.abs(Number(theirTotal) - Number(ourTotal)) <= 1 ? "agree" : `DIFFER ${ourTotal} vs ${theirTotal}`;
    console.log(
      [
        String(size).padStart(9),
        profileMB.toFixed(1).padStart(10),
        ours.seconds.toFixed(2).padStart(10),
        `(${ours.cpuSeconds.toFixed(2)})`.padStart(7),
        ours.rssMiB.toFixed(0).padStart(12),
        `${perStack.toFixed(1)} (${(perStack / firstPerStack).toFixed(2)}x)`.padStart(16),
        (theirs ? theirs.seconds.toFixed(2) : "-").padStart(8),
        (theirs ? theirs.rssMiB.toFixed(0) : "-").padStart(10),
        (theirs ? `${(theirs.seconds / ours.seconds).toFixed(1)}x` : "-").padStart(15),
        ` ${agreement}`,
      ].join("  "),
    );
    if (options.keep) spawnSync("mv", [profile, options.keep]);
    else rmSync(profile);
  }
  console.log(`\nµs/stack (×first): near 1.00x at every size means linear growth. Load average now ${loadavg().map((l) => l.toFixed(2)).join(" ")}.`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
