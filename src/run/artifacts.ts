// Finds and classifies what a run left in its folder, and brings in profile files the
// allocator wrote elsewhere (a user-chosen relative prof_prefix, the working directory).
import { closeSync, openSync, readSync, readdirSync, statSync } from "node:fs";
import { moveFileNoReplace } from "../core/move-file.js";
import { basename, join, relative } from "node:path";
import type { Artifact, ArtifactKind } from "./manifest.js";
import { RUN_FOLDER_CLAIM } from "./run-folder.js";
import { PEAK_DUMP_NAME } from "./peak-capture.js";

/** Files allocrun itself writes; they are listed with their own kinds. */
const OWN_FILES: Record<string, ArtifactKind> = {
  "timeline.csv": "timeline",
  "stderr.log": "stderr",
  "stats.stderr.log": "stats",
  "analysis.json": "analysis",
  "analysis.txt": "analysis",
  "flame.svg": "flamegraph",
  "objects.json": "objects",
};

const PID_PATTERNS: RegExp[] = [
  /^[^.]+\.(\d+)\.\d+\.[a-z]\d*\.heap$/, // jemalloc: <prefix>.<pid>.<seq>.<kind><n>.heap
  /_(\d+)\.\d{4}\.heap$/, // gperftools heap, inherited by a child: <prefix>_<pid>.0001.heap
  /\.prof_(\d+)$/, // gperftools CPU, inherited by a child: <path>_<pid>
  /\.(\d+)\._main_-end\.heap$/, // heap checker: <prog>.<pid>._main_-end.heap
  PEAK_DUMP_NAME, // the heap at its high-water mark: <prefix>.peak.<pid>.heap (src/run/peak-capture.ts)
];

function pidFromName(name: string): number | undefined {
  for (const pattern of PID_PATTERNS) {
    const match = pattern.exec(name);
    if (match) return Number(match[1]);
  }
  return undefined;
}

function readHead(path: string, length: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Decides the kind from the first bytes, so renamed files are still recognised. */
export function sniffArtifactKind(path: string): ArtifactKind {
  const name = basename(path);
  const own = OWN_FILES[name];
  if (own) return own;
  let head: Buffer;
  try {
    head = readHead(path, 32);
  } catch {
    return "other";
  }
  const text = head.toString("latin1");
  if (name.includes("_main_-end.heap")) return "heap-check";
  if (text.startsWith("heap_v2/")) return "jemalloc-heap";
  if (text.startsWith("heap profile:") || text.startsWith("%")) return "gperftools-heap";
  if (head.length >= 16 && head.readBigUInt64LE(0) === 0n && head.readBigUInt64LE(8) === 3n) return "gperftools-cpu";
  if (/\.prof(_\d+)?$/.test(name) || /\.prof\.\d+$/.test(name)) return "gperftools-cpu";
  if (head[0] === 0x1f && head[1] === 0x8b) return "pprof";
  if (name.endsWith(".heap")) return "gperftools-heap";
  if (/stats/.test(name)) return "stats";
  return "other";
}

/** Every file in the run folder (one level; allocators write flat), sorted by name. */
export function listArtifacts(runDir: string, launchedPid: number | undefined): Artifact[] {
  const artifacts: Artifact[] = [];
  for (const name of readdirSync(runDir).sort()) {
    if (name === "manifest.json" || name === RUN_FOLDER_CLAIM || name.endsWith(".tmp")) continue;
    const path = join(runDir, name);
    const stats = statSync(path);
    if (!stats.isFile()) continue;
    const artifact: Artifact = { path: name, kind: sniffArtifactKind(path), bytes: stats.size };
    const pid = pidFromName(name);
    if (pid !== undefined) {
      artifact.pid = pid;
      if (launchedPid !== undefined) artifact.fromChildProcess = pid !== launchedPid;
    }
    artifacts.push(artifact);
  }
  return artifacts;
}

/**
 * Moves profile files that appeared in `directory` since `sinceMs` into the run folder:
 * what a relative prof_prefix or HEAPPROFILE from the user's own options produced.
 */
export function collectStrayProfiles(directory: string, sinceMs: number, runDir: string): string[] {
  const moved: string[] = [];
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return moved;
  }
  for (const name of names) {
    if (!/\.heap$/.test(name) && !/^jeprof\./.test(name)) continue;
    const source = join(directory, name);
    try {
      const stats = statSync(source);
      if (!stats.isFile() || stats.mtimeMs < sinceMs) continue;
      moveFileNoReplace(source, join(runDir, name));
      moved.push(relative(directory, source));
    } catch {
      // A file that vanished or cannot be moved stays where it is; it is not lost.
    }
  }
  return moved;
}


/**
 * A program that is a wrapper (a pyenv shim, a shell script) starts helper processes that
 * inherit the preload and write profiles of their own: say so, once, with the way out.
 */
export function describeChildProcessArtifacts(artifacts: readonly Artifact[]): string | undefined {
  const pids = new Set(artifacts.filter((artifact) => artifact.fromChildProcess).map((artifact) => artifact.pid));
  if (pids.size === 0) return undefined;
  return `${pids.size} child process${pids.size === 1 ? "" : "es"} wrote profiles too (their pids are in the file names); analysis uses the launched program's — if PROGRAM is a wrapper (shell script, pyenv shim), run the real executable instead`;
}
