#!/usr/bin/env node
// Times `allocrun analyze --format text` against `jeprof --text` on the same jemalloc heap
// profile of a large real program from Debian (/usr/bin/node by default, or python3),
// several runs side by side, and prints both times and the ratio.
//
//   npm run build && node bench/analyze-vs-jeprof.mjs [--program node|python3] [--runs 5]
//
// allocrun is timed twice: "cold" with an empty symbol cache every run (what a first
// analysis costs) and "warm" with the cache filled by an earlier run (every later one).
// Both tools read the same profile and the same binaries; the totals are checked to agree.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
  const options = { program: "node", runs: 5 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--program") options.program = argv[++i];
    else if (argv[i] === "--runs") options.runs = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (use --program node|python3 --runs N)`);
  }
  if (!(options.program in WORKLOADS)) throw new Error(`--program must be one of ${Object.keys(WORKLOADS).join(", ")}`);
  return options;
}

function requireFile(path, hint) {
  if (!existsSync(path)) {
    console.error(`bench: ${path} is missing — ${hint}`);
    process.exit(2);
  }
}

/** Runs the workload under jemalloc with heap profiling; returns the final dump's path. */
function captureProfile(workload, directory) {
  const script = join(directory, workload.file);
  writeFileSync(script, workload.source);
  execFileSync(workload.program, [script], {
    env: { ...process.env, LD_PRELOAD: JEMALLOC, MALLOC_CONF: `${MALLOC_CONF},prof_prefix:${join(directory, "jeprof")}` },
    stdio: "ignore",
  });
  const dump = readdirSync(directory).find((name) => name.endsWith(".f.heap"));
  if (!dump) throw new Error("the workload wrote no final heap profile");
  return join(directory, dump);
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

const options = parseArguments(process.argv.slice(2));
const workload = WORKLOADS[options.program];
requireFile(JEMALLOC, "apt install libjemalloc2");
requireFile(workload.program, `install the Debian package that provides ${workload.program}`);
requireFile(join(REPO, "dist"), "run `npm run build` first");
const jeprof = spawnSync("sh", ["-c", "command -v jeprof"], { encoding: "utf8" }).stdout.trim();
if (!jeprof) {
  console.error("bench: jeprof is not installed — apt install libjemalloc-dev");
  process.exit(2);
}

const directory = mkdtempSync(join(tmpdir(), "allocrun-bench-"));
const profile = captureProfile(workload, directory);
const stacks = (spawnSync("grep", ["-c", "^@", profile], { encoding: "utf8" }).stdout || "0").trim();
const warmCache = join(directory, "warm-cache");
const allocrunArgs = [CLI, "analyze", "--format", "text", "--binary", workload.program, profile];
const jeprofArgs = ["--text", "--show_bytes", workload.program, profile];
// Fill the warm cache once (not timed).
time(process.execPath, allocrunArgs, { XDG_CACHE_HOME: warmCache });

console.log(`profile: ${profile} (${stacks} stacks) of ${workload.program}, MALLOC_CONF=${MALLOC_CONF}`);
console.log(`allocrun: node ${allocrunArgs.slice(0, 1).map((p) => p.replace(`${REPO}/`, "")).join(" ")} ${allocrunArgs.slice(1).join(" ")}`);
console.log(`jeprof:   ${jeprof} ${jeprofArgs.join(" ")}\n`);
console.log("run  jeprof ms  allocrun cold ms  allocrun warm ms");
const times = { jeprof: [], cold: [], warm: [] };
let totals;
for (let run = 1; run <= options.runs; run++) {
  const theirs = time(jeprof, jeprofArgs, {});
  const cold = time(process.execPath, allocrunArgs, { XDG_CACHE_HOME: join(directory, `cold-cache-${run}`) });
  const warm = time(process.execPath, allocrunArgs, { XDG_CACHE_HOME: warmCache });
  times.jeprof.push(theirs.ms);
  times.cold.push(cold.ms);
  times.warm.push(warm.ms);
  totals ??= { jeprof: /Total: (\d+) B/.exec(theirs.stdout)?.[1], allocrun: /\((\d+) bytes\)/.exec(cold.stdout)?.[1] };
  console.log(`${String(run).padStart(3)}  ${theirs.ms.toFixed(0).padStart(9)}  ${cold.ms.toFixed(0).padStart(16)}  ${warm.ms.toFixed(0).padStart(16)}`);
}
const [jeprofMs, coldMs, warmMs] = [median(times.jeprof), median(times.cold), median(times.warm)];
console.log(`\nmedian: jeprof ${jeprofMs.toFixed(0)} ms, allocrun cold ${coldMs.toFixed(0)} ms, warm ${warmMs.toFixed(0)} ms`);
console.log(`ratio (jeprof / allocrun): cold ${(jeprofMs / coldMs).toFixed(1)}x, warm ${(jeprofMs / warmMs).toFixed(1)}x`);
const agree = totals && Math.abs(Number(totals.jeprof) - Number(totals.allocrun)) <= 1;
console.log(`totals: jeprof ${totals?.jeprof} B, allocrun ${totals?.allocrun} B${agree ? " (agree)" : " (DIFFER)"}`);
