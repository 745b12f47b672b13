// Dumps of a live process land in a run folder of their own with a manifest, exactly
// like the dumps of `allocrun run`, so `allocrun analyze DIR`, `--growth` and `--base`
// work on them. Passing the same folder again (-o DIR) adds the next dump to it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { arch, cpus, release } from "node:os";
import { join, resolve } from "node:path";
import { usageError } from "../core/errors.js";
import { TOOL_VERSION } from "../core/version.js";
import { readOsRelease } from "../detect/index.js";
import { listArtifacts } from "../run/artifacts.js";
import { MANIFEST_FILE, MANIFEST_SCHEMA_VERSION, writeManifest, type AllocatorRecord, type ArtifactKind, type RunManifest } from "../run/manifest.js";
import { createRunFolder } from "../run/run-folder.js";

export interface DumpSource {
  /** `dump`, `watch`: recorded as the manifest's command with the target. */
  command: string[];
  /** The process's executable, or the URL the profiles came from. */
  program: string;
  /** Used in the folder's name. */
  shortName: string;
  /** Where allocrun runs: ./allocrun-out and a relative -o are found from here. */
  cwd: string;
  /** The program's working directory, for the manifest. */
  programCwd: string;
  allocator: AllocatorRecord;
  /** The process the dumps are of; undefined for profiles fetched over HTTP. */
  pid: number | undefined;
}

export interface DumpFolder {
  runDir: string;
  manifest: RunManifest;
  pid: number | undefined;
}

/** Facts about the process at the latest dump. */
export interface ProcessFigures {
  peakRssBytes: number | null;
  userSeconds: number;
  sysSeconds: number;
}

/** A fresh run folder (under ./allocrun-out or -o DIR), or DIR again when it holds earlier dumps of the same target. */
export function openDumpFolder(outDir: string | undefined, source: DumpSource): DumpFolder {
  if (outDir !== undefined) {
    const runDir = resolve(source.cwd, outDir);
    const earlier = readEarlierDumps(runDir, source);
    if (earlier !== undefined) return { runDir, manifest: earlier, pid: source.pid };
  }
  const runDir = createRunFolder({ outDir, cwd: source.cwd, programPath: source.shortName, allocator: `${source.allocator.name}-dump` });
  return { runDir, manifest: newManifest(source), pid: source.pid };
}

function readEarlierDumps(runDir: string, source: DumpSource): RunManifest | undefined {
  const path = join(runDir, MANIFEST_FILE);
  if (!existsSync(path)) return undefined;
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(readFileSync(path, "utf8")) as RunManifest;
  } catch {
    throw usageError(`${runDir} holds a damaged manifest.json`, "pass a new folder with -o");
  }
  const isDumpFolder = ["dump", "watch"].includes(manifest.command?.[0] ?? "") && manifest.command?.[1] === source.command[1];
  if (!isDumpFolder || manifest.program !== source.program) {
    throw usageError(`${runDir} already holds another run (${(manifest.command ?? []).join(" ")}); allocrun adds dumps only to a folder of the same target`, "pass a new folder with -o, or none");
  }
  return manifest;
}

function newManifest(source: DumpSource): RunManifest {
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    tool: { name: "allocrun", version: TOOL_VERSION },
    command: source.command,
    program: source.program,
    cwd: source.programCwd,
    allocator: source.allocator,
    presets: [],
    env: {},
    conditions: null,
    startedAt: new Date().toISOString(),
    wallSeconds: 0,
    userSeconds: 0,
    sysSeconds: 0,
    exitCode: null,
    signal: null,
    peakRssBytes: 0,
    // VmHWM of the process at each dump; a profile fetched over HTTP measures nothing.
    peakRssMethod: source.pid === undefined ? "not-measured" : "proc-status-vmhwm",
    programPeakRssBytes: null,
    treePeakRssBytes: null,
    meanRssBytes: null,
    sampleIntervalMs: 0,
    processes: null,
    artifacts: [],
    warnings: [],
    allocatorStats: null,
    host: { os: readOsRelease()?.prettyName ?? "linux", kernel: release(), arch: arch(), cpus: cpus().length },
  };
}

/**
 * The next free name of `pattern`'s series in the folder: `pattern(n)` for the smallest n
 * above every number already used (jemalloc counts from 0, gperftools from 1).
 */
export function nextDumpName(runDir: string, first: number, pattern: (sequence: number) => string): string {
  let sequence = first;
  const names = new Set(readdirSync(runDir));
  while (names.has(pattern(sequence))) sequence++;
  return pattern(sequence);
}

/** Lists the folder's files and rewrites the manifest after a dump (or the final analysis). */
export function recordDumps(folder: DumpFolder, warnings: readonly string[], figures: ProcessFigures | undefined, kinds: Record<string, ArtifactKind> = {}): void {
  const { manifest, runDir } = folder;
  manifest.artifacts = listArtifacts(runDir, folder.pid).map((artifact) => ({
    ...artifact,
    kind: kinds[artifact.path] ?? artifact.kind,
  }));
  for (const warning of warnings) if (!manifest.warnings.includes(warning)) manifest.warnings.push(warning);
  manifest.wallSeconds = Math.round((Date.now() - Date.parse(manifest.startedAt)) / 10) / 100;
  if (figures !== undefined) {
    if (figures.peakRssBytes !== null) manifest.peakRssBytes = Math.max(manifest.peakRssBytes, figures.peakRssBytes);
    manifest.userSeconds = figures.userSeconds;
    manifest.sysSeconds = figures.sysSeconds;
  }
  writeManifest(runDir, manifest);
}
