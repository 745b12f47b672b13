#!/usr/bin/env node
// Builds native/build/allocrun-launch from native/launch.c, and the peak-capture library
// native/build/liballocrun-peak.so from native/peak-dump.c, with the system C compiler.
// Runs at install time (postinstall) and on demand (ensureLauncher in src/run/launcher.ts).
// It never fails the install: without a compiler allocrun samples peak RSS from /proc.
//
// Static linking is tried first: a static launcher has the smallest image (~500 KiB),
// and that image is the floor under the program's ru_maxrss. Dynamic is the fallback
// for systems without a static libc (e.g. Fedora without glibc-static).
import { spawnSync } from "node:child_process";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const sources = ["launch.c", "process-census.c"].map((name) => join(root, "native", name));
const output = join(root, "native", "build", "allocrun-launch");
const quiet = process.argv.includes("--quiet");
const peakSource = join(root, "native", "peak-dump.c");
const peakOutput = join(root, "native", "build", "liballocrun-peak.so");

function findCompiler() {
  const candidates = [process.env.CC, "cc", "gcc", "clang"].filter(Boolean);
  return candidates.find((compiler) => spawnSync(compiler, ["--version"], { stdio: "ignore" }).status === 0);
}

function compile(compiler, linkFlags, target) {
  const result = spawnSync(compiler, ["-O2", ...linkFlags, "-o", target, ...sources], { encoding: "utf8" });
  return { ok: result.status === 0, stderr: result.stderr ?? String(result.error ?? "") };
}

function main() {
  if (process.platform !== "linux") {
    console.log("allocrun: the native launcher is Linux-only; skipped.");
    return;
  }
  const compiler = findCompiler();
  if (!compiler) {
    console.log("allocrun: no C compiler (cc/gcc) found; peak RSS will be sampled from /proc instead (install gcc, then `npm rebuild allocrun`).");
    return;
  }
  mkdirSync(dirname(output), { recursive: true });
  buildLauncher(compiler);
  buildPeakLibrary(compiler);
}

function buildLauncher(compiler) {
  // A private temporary name, renamed into place: parallel builds never expose half a file.
  const partial = `${output}.${process.pid}.tmp`;
  const attempts = [{ flags: ["-static"], label: "static" }, { flags: [], label: "dynamic" }];
  let lastError = "";
  for (const { flags, label } of attempts) {
    const { ok, stderr } = compile(compiler, flags, partial);
    if (ok) {
      renameSync(partial, output);
      if (!quiet) console.log(`allocrun: built native launcher (${label}, ${compiler}).`);
      return;
    }
    lastError = stderr.trim().split("\n")[0] ?? "";
  }
  rmSync(partial, { force: true });
  console.log(`allocrun: could not compile the native launcher (${lastError}); peak RSS will be sampled from /proc instead.`);
}

/** The library `--prof` preloads to dump the heap at its high-water mark (a shared object, never static). */
function buildPeakLibrary(compiler) {
  const partial = `${peakOutput}.${process.pid}.tmp`;
  const result = spawnSync(compiler, ["-O2", "-shared", "-fPIC", "-pthread", "-o", partial, peakSource, "-ldl"], { encoding: "utf8" });
  if (result.status === 0) {
    renameSync(partial, peakOutput);
    if (!quiet) console.log(`allocrun: built the peak-capture library (${compiler}).`);
    return;
  }
  rmSync(partial, { force: true });
  const reason = (result.stderr ?? String(result.error ?? "")).trim().split("\n")[0] ?? "";
  console.log(`allocrun: could not compile the peak-capture library (${reason}); --prof will profile the exit only.`);
}

try {
  main();
} catch (error) {
  // E.g. a read-only install directory: never fail the install over it.
  console.log(`allocrun: could not build the native launcher (${error.message}); peak RSS will be sampled from /proc instead.`);
}
