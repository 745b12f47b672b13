#!/usr/bin/env node
// Times `allocrun analyze --format text` against `jeprof --text` on the same jemalloc heap
// profile, several runs side by side, and prints both times and the ratios: for node (a
// 99 MB binary with DWARF), python3 (stripped, .dynsym only) and a C program built from
// examples/leak.c (by default all three, one after the other, summary table at the end).
//
//   npm run build && node bench/analyze-vs-jeprof.mjs [--program node|python3|c|all] [--runs 5]
//
// allocrun is timed twice: "cold" with an empty symbol cache every run (what a first
// analysis costs) and "warm" with the cache filled by an earlier run (every later one).
// Both tools read the same profile and the same binaries; the totals and the top function
// are checked to agree.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(REPO, "bin", "allocrun.js");
const JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
// prof_accum keeps every stack that ever allocated, so the profile has many stacks.
const MALLOC_CONF = "prof:true,prof_final:true,prof_accum:true,lg_prof_sample:12";

const WORKLOADS = {
  node: {
    program: "/usr/bin/node",
    file: "workload.js",
    source: `const zlib = require("zlib"), crypto = require("crypto"), fs = require("fs"), os = require("os"), path = require("path");
for (const m of ["http", "https", "url", "util", "stream", "events", "readline", "worker_threads"]) require(m);
const lines = []; for (let i = 0; i < 20000; i++) lines.push(JSON.stringify({ i, s: "x".repeat(i % 300), d: new Date(i).toISOString() }));
const text = lines.join("\\n");
for (let i = 0; i < 5; i++) { zlib.gzipSync(Buffer.from(text)); zlib.brotliCompressSync(Buffer.from(text.slice(0, 200000))); zlib.deflateRawSync(text); }
for (let i = 0; i < 200; i++) crypto.createHash(["sha256", "sha1", "md5", "sha512"][i % 4]).update(text.slice(i * 100, i * 100 + 5000)).digest("hex");
crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }); crypto.scryptSync("pw", "salt", 32);
fs.readdirSync("/usr/lib").slice(0, 200).forEach((f) => { try { fs.statSync(path.join("/usr/lib", f)); } catch {} });
new Intl.DateTimeFormat("de-DE").format(new Date()); new Intl.NumberFormat("ja-JP", { style: "currency", currency: "JPY" }).format(123456);
"abc".localeCompare("abd", "fr"); os.cpus(); os.networkInterfaces();
`,
  },
  c: {
    program: "leak",
    file: "leak.c",
    build: (directory) => {
      const binary = join(directory, "leak");
      execFileSync("gcc", ["-g", "-O1", "-pthread", "-o", binary, join(REPO, "examples", "leak.c")]);
      return binary;
    },
  },
  python3: {
    program: "/usr/bin/python3",
    file: "workload.py",
    source: `import json, zlib, hashlib, re, decimal, datetime, collections, sqlite3, xml.etree.ElementTree as ET
rows = [json.dumps({"i": i, "s": "x" * (i % 300), "d": str(datetime.datetime.fromtimestamp(i))}) for i in range(20000)]
text = "\\n".join(rows).encode()
for _ in range(5): zlib.compress(text)
for i in range(200): hashlib.new(["sha256", "sha1", "md5", "sha512"][i % 4], text[i * 100:i * 100 + 5000]).hexdigest()
db = sqlite3.connect(":memory:"); db.execute("create table t(a, b)"); db.executemany("insert into t values (?, ?)", ((i, str(i)) for i in range(20000)))
ET.fromstring("<r>" + "".join(f"<e a='{i}'>{i}</e>" for i in range(5000)) + "</r>")
collections.Counter(re.findall(r"\\w+", text.decode()[:500000])); decimal.Decimal(1) / decimal.Decimal(7)
`,
  },
};

function parseArguments(argv) {
  const options = { program: "all", runs: 5 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--program") options.program = argv[++i];
    else if (argv[i] === "--runs") options.runs = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (use --program node|python3|c|all --runs N)`);
  }
  if (options.program !== "all" && !(options.program in WORKLOADS)) throw new Error(`--program must be one of ${Object.keys(WORKLOADS).join(", ")}, all`);
  return options;
}

function requireFile(path, hint) {
  if (!existsSync(path)) {
    console.error(`bench: ${path} is missing — ${hint}`);
    process.exit(2);
  }
}

/** Runs the workload under jemalloc with heap profiling; returns the program and the final dump's path. */
function captureProfile(workload, directory) {
  let program = workload.program;
  let args = [];
  if (workload.build) program = workload.build(directory);
  else {
    args = [join(directory, workload.file)];
    writeFileSync(args[0], workload.source);
  }
  execFileSync(program, args, {
    env: { ...process.env, LD_PRELOAD: JEMALLOC, MALLOC_CONF: `${MALLOC_CONF},prof_prefix:${join(directory, "jeprof")}` },
    stdio: "ignore",
  });
  const dump = readdirSync(directory).find((name) => name.endsWith(".f.heap"));
  if (!dump) throw new Error("the workload wrote no final heap profile");
  return { program, profile: join(directory, dump) };
}

/** Wall time of one command in milliseconds, with its stdout. */
function time(command, args, env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** The first function of each tool's flat table. */
const firstRow = {
  jeprof: (text) => /^Total: .*\n\s*\S+\s+\S+%\s+\S+%\s+\S+\s+\S+%\s+(.+?)\s*$/m.exec(text)?.[1],
  allocrun: (text) => /Top \d+ by flat:\n.*\n\s*\S+(?: \S+)?\s+\S+%\s+\S+%\s+\S+(?: \S+)?\s+\S+%\s+(.+?)\s{2,}/.exec(text)?.[1],
};

function benchmark(name, jeprof, runs) {
  const workload = WORKLOADS[name];
  if (!workload.build) requireFile(workload.program, `install the Debian package that provides ${workload.program}`);
  const directory = mkdtempSync(join(tmpdir(), "allocrun-bench-"));
  try {
    const { program, profile } = captureProfile(workload, directory);
    const stacks = (spawnSync("grep", ["-c", "^@", profile], { encoding: "utf8" }).stdout || "0").trim();
    const warmCache = join(directory, "warm-cache");
    const allocrunArgs = [CLI, "analyze", "--format", "text", "--binary", program, profile];
    const jeprofArgs = ["--text", "--show_bytes", program, profile];
    // Fill the warm cache once (not timed).
    time(process.execPath, allocrunArgs, { XDG_CACHE_HOME: warmCache });

    console.log(`\n== ${name}: ${profile} (${stacks} stacks) of ${program}, MALLOC_CONF=${MALLOC_CONF}`);
    console.log("run  jeprof ms  allocrun cold ms  allocrun warm ms");
    const times = { jeprof: [], cold: [], warm: [] };
    let outputs;
    for (let run = 1; run <= runs; run++) {
      const theirs = time(jeprof, jeprofArgs, {});
      const cold = time(process.execPath, allocrunArgs, { XDG_CACHE_HOME: join(directory, `cold-cache-${run}`) });
      const warm = time(process.execPath, allocrunArgs, { XDG_CACHE_HOME: warmCache });
      times.jeprof.push(theirs.ms);
      times.cold.push(cold.ms);
      times.warm.push(warm.ms);
      outputs ??= { jeprof: theirs.stdout, allocrun: cold.stdout };
      console.log(`${String(run).padStart(3)}  ${theirs.ms.toFixed(0).padStart(9)}  ${cold.ms.toFixed(0).padStart(16)}  ${warm.ms.toFixed(0).padStart(16)}`);
    }
    const totals = { jeprof: /Total: (\d+) B/.exec(outputs.jeprof)?.[1], allocrun: /\((\d+) bytes\)/.exec(outputs.allocrun)?.[1] };
    const tops = { jeprof: firstRow.jeprof(outputs.jeprof), allocrun: firstRow.allocrun(outputs.allocrun) };
    return {
      name,
      stacks,
      jeprofMs: median(times.jeprof),
      coldMs: median(times.cold),
      warmMs: median(times.warm),
      totals: totals.jeprof !== undefined && Math.abs(Number(totals.jeprof) - Number(totals.allocrun)) <= 1 ? `agree (${totals.jeprof} B)` : `DIFFER (jeprof ${totals.jeprof}, allocrun ${totals.allocrun})`,
      top: tops.jeprof === tops.allocrun ? `same (${tops.allocrun})` : `jeprof ${tops.jeprof} / allocrun ${tops.allocrun}`,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const options = parseArguments(process.argv.slice(2));
requireFile(JEMALLOC, "apt install libjemalloc2");
requireFile(join(REPO, "dist"), "run `npm run build` first");
const jeprof = spawnSync("sh", ["-c", "command -v jeprof"], { encoding: "utf8" }).stdout.trim();
if (!jeprof) {
  console.error("bench: jeprof is not installed — apt install libjemalloc-dev");
  process.exit(2);
}
console.log(`allocrun: node bin/allocrun.js analyze --format text --binary PROGRAM PROFILE (cold: empty XDG_CACHE_HOME each run; warm: filled once)`);
console.log(`jeprof:   ${jeprof} --text --show_bytes PROGRAM PROFILE; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
const names = options.program === "all" ? ["node", "python3", "c"] : [options.program];
const results = names.map((name) => benchmark(name, jeprof, options.runs));
console.log(`\nmedians of ${options.runs} runs; load average now ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log("program   stacks  jeprof ms  cold ms  warm ms  jeprof/cold  jeprof/warm  totals / top function");
for (const r of results) {
  console.log(
    `${r.name.padEnd(8)} ${r.stacks.padStart(7)}  ${r.jeprofMs.toFixed(0).padStart(9)}  ${r.coldMs.toFixed(0).padStart(7)}  ${r.warmMs.toFixed(0).padStart(7)}  ${`${(r.jeprofMs / r.coldMs).toFixed(1)}x`.padStart(11)}  ${`${(r.jeprofMs / r.warmMs).toFixed(1)}x`.padStart(11)}  ${r.totals}; top ${r.top}`,
  );
}
