#!/bin/sh
':' //; if [ "${NODE_OPTIONS+set}" ]; then ALLOCRUN_CALLER_NODE_OPTIONS=$NODE_OPTIONS; export ALLOCRUN_CALLER_NODE_OPTIONS; unset NODE_OPTIONS; fi; exec node -- "$0" "$@"
// The line above is read by /bin/sh and is a no-op string to JavaScript. It starts Node
// with `--` before this script, because Node 20 otherwise reads `--env-file` (and
// `--env-file=`) anywhere in argv, including the user's program arguments, and would load
// that file itself. It also keeps the caller's NODE_OPTIONS (--require, --inspect, …) out
// of allocrun's own process and hands it back below, so the wrapped program receives it
// untouched. (`#!/usr/bin/env -S node --` would do the first, but BusyBox env has no -S.)
// Same cost as `#!/usr/bin/env node`: one small exec before Node.
if ("ALLOCRUN_CALLER_NODE_OPTIONS" in process.env) {
  process.env.NODE_OPTIONS = process.env.ALLOCRUN_CALLER_NODE_OPTIONS;
  delete process.env.ALLOCRUN_CALLER_NODE_OPTIONS;
}
// Thin entry: everything lives in dist/ (built by `npm run build`). CommonJS on purpose
// (see bin/package.json and scripts/bundle.mjs): it starts faster than an ES module.
// The bundle is compiled with a V8 code cache (Node 20 has no module compile cache): it
// spares parsing and compiling ~190 kB on every start. The cache sits in
// $XDG_CACHE_HOME/allocrun/code-cache (else ~/.cache/allocrun/code-cache), named by the
// bundle's hash and the Node version; a missing, stale or corrupt cache (V8 checks it)
// only costs a plain compile, and ALLOCRUN_NO_CODE_CACHE=1 turns it off.
// A cache holds the functions the run that wrote it compiled: one written by `--version`
// would spare a later `allocrun -- prog` little. So the file starts with how much of the
// run path its writer went through (CODE_CACHE_COVERAGE, which the run command raises), and
// a run that went further writes it again: at most twice per build.
/** Set by the bundle (src/cli/code-cache-coverage.ts): 1 a run, 2 a run that preloaded an allocator. */
const CODE_CACHE_COVERAGE = Symbol.for("allocrun.codeCacheCoverage");
// Both are read with string operations: compiling a regular expression costs more here.
const CODE_CACHE_HEADER = "allocrun-code-cache ";
const BUNDLE_HASH_HEADER = "// bundle-hash: ";

// ALLOCRUN_TRACE_STARTUP=FILE: the phases of this start, one JSON line appended to FILE at
// exit (src/core/startup-trace.ts; read by bench/startup-phases.mjs).
const STARTUP_TRACE = Symbol.for("allocrun.startupTrace");
if (process.env.ALLOCRUN_TRACE_STARTUP) traceStartup(process.env.ALLOCRUN_TRACE_STARTUP);
const markPhase = (phase) => globalThis[STARTUP_TRACE]?.push([phase, performance.now()]);

const bundlePath = require("node:path").join(__dirname, "../dist/bundle/main.cjs");
if (process.env.ALLOCRUN_NO_CODE_CACHE === "1") require(bundlePath);
else runWithCodeCache(bundlePath);

function runWithCodeCache(path) {
  const fs = require("node:fs");
  const vm = require("node:vm");
  // node:module's Module class, without loading that facade (and the ESM loader it pulls in).
  const Module = module.constructor;
  const source = fs.readFileSync(path, "utf8");
  const hash = source.startsWith(BUNDLE_HASH_HEADER) ? source.slice(BUNDLE_HASH_HEADER.length, BUNDLE_HASH_HEADER.length + 32) : undefined;
  if (hash === undefined) return void require(path); // not built by scripts/bundle.mjs
  const cacheFile = codeCacheFile(hash);
  const { coverage: cachedCoverage, data: cachedData } = readCodeCache(fs, cacheFile);
  markPhase("compile bundle");
  // Module's own wrapper plus the importer of the other bundles (see scripts/bundle.mjs).
  const wrapped = `(function (exports, require, module, __filename, __dirname, __allocrunEntryImporter) { ${source}\n});`;
  const script = new vm.Script(wrapped, { filename: path, cachedData });
  // Written at exit, so the functions the run compiled lazily are in it too.
  process.once("exit", () => {
    const coverage = globalThis[CODE_CACHE_COVERAGE] ?? 0;
    if (cachedData === undefined || script.cachedDataRejected || coverage > cachedCoverage) writeCodeCache(fs, cacheFile, script, coverage);
  });
  const { dirname, join } = require("node:path");
  const directory = dirname(path);
  const bundle = new Module(path, module);
  bundle.filename = path;
  bundle.paths = Module._nodeModulePaths(directory);
  const importEntry = (specifier) => import(require("node:url").pathToFileURL(join(directory, specifier)).href);
  // The bundle requires node:fs, node:path … once per source module (~70 calls): fetched
  // directly, each skips the module loader's resolution (~0.5 ms in all).
  const requireFromBundle = Module.createRequire(path);
  const bundleRequire = (id) => (id.startsWith("node:") ? process.getBuiltinModule(id) : requireFromBundle(id));
  markPhase("bundle top level");
  script.runInThisContext().call(bundle.exports, bundle.exports, bundleRequire, bundle, path, directory, importEntry);
}

function traceStartup(file) {
  // The first phase begins with bin itself.
  const marks = (globalThis[STARTUP_TRACE] = [["read bundle and code cache", performance.now()]]);
  process.once("exit", () => {
    marks.push(["exit", performance.now()]);
    require("node:fs").appendFileSync(file, `${JSON.stringify(marks)}\n`);
  });
}

/** The cache and its writer's coverage; no data when missing, unreadable or without the header. */
function readCodeCache(fs, cacheFile) {
  try {
    const bytes = fs.readFileSync(cacheFile);
    const end = bytes.indexOf(10); // "allocrun-code-cache <coverage>\n", then V8's data
    const header = end > 0 && end < 32 ? bytes.toString("latin1", 0, end) : "";
    const coverage = header.startsWith(CODE_CACHE_HEADER) ? Number(header.slice(CODE_CACHE_HEADER.length)) : NaN;
    if (Number.isInteger(coverage)) return { coverage, data: bytes.subarray(end + 1) };
  } catch {
    // No cache yet (or unreadable): compile from source and write one at exit.
  }
  return { coverage: 0, data: undefined };
}

/** Named by the bundle's content hash (written by scripts/bundle.mjs) and the Node that compiled it. */
function codeCacheFile(hash) {
  const { join } = require("node:path");
  const env = process.env;
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(env.HOME || require("node:os").homedir(), ".cache");
  return join(base, "allocrun", "code-cache", `main-${hash}-${process.version}-${process.arch}.bin`);
}

/** Best effort: a read-only or full cache folder leaves allocrun as fast as without one. */
function writeCodeCache(fs, cacheFile, script, coverage) {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(require("node:path").dirname(cacheFile), { recursive: true });
    fs.writeFileSync(temporary, Buffer.concat([Buffer.from(`allocrun-code-cache ${coverage}\n`, "latin1"), script.createCachedData()]));
    fs.renameSync(temporary, cacheFile); // whole or absent, even with several allocruns at once
    pruneStaleCodeCaches(fs, cacheFile);
  } catch {
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // nothing more to do
    }
  }
}

/**
 * Other builds' caches nothing has written for 30 days: every upgrade names a new one, and
 * a cache is written once or twice per build. One still in use is only written again.
 */
function pruneStaleCodeCaches(fs, cacheFile) {
  const { basename, dirname, join } = require("node:path");
  const folder = dirname(cacheFile);
  const oldest = Date.now() - 30 * 24 * 3600 * 1000;
  for (const name of fs.readdirSync(folder)) {
    if (name === basename(cacheFile) || !name.startsWith("main-")) continue;
    try {
      if (fs.statSync(join(folder, name)).mtimeMs < oldest) fs.rmSync(join(folder, name), { force: true });
    } catch {
      // Another allocrun removed it first.
    }
  }
}
