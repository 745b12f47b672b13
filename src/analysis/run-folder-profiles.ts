// Which profiles of a run folder to analyse: manifest.json lists the artifacts with their
// kinds; the launched program's own profiles come first (children's are mentioned, not
// mixed in), heap before CPU, and within one kind the dumps in the order they were written
// — the last one (jemalloc's final `.f.` dump, gperftools' exit dump) is the exit profile,
// all of them together are the --growth series. The dump at the heap's high-water mark
// (`peak.<pid>.heap`, kept by the peak-capture library) stands beside the series.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { inputError } from "../core/errors.js";
import type { Artifact, ArtifactKind, ManifestSeenByAnalysis } from "../core/run-folder-contract.js";

export const PROFILE_KINDS: readonly ArtifactKind[] = ["jemalloc-heap", "gperftools-heap", "gperftools-cpu", "pprof"];

export interface RunFolderProfiles {
  runDir: string;
  /** The program that ran, as the manifest recorded it (to find a moved binary). */
  program: string | undefined;
  kind: ArtifactKind;
  /** Absolute paths, oldest dump first; the last is the one analysed by default. */
  series: string[];
  /** The dump at the high-water mark of the same process, when the run kept one. */
  peak: string | undefined;
  /** Whether the last dump of the series was written at exit (the program was not killed). */
  lastIsExit: boolean;
  /** When the program started, in ms since the epoch (manifest startedAt). */
  startedAtMs: number | undefined;
  /** Profiles of other kinds or of child processes, not analysed. */
  others: string[];
}

/** `peak.<pid>.heap` (see src/run/peak-capture.ts). */
const PEAK_DUMP = /(?:^|\.)peak\.\d+\.heap$/;
const isPeakDump = (artifact: Artifact) => PEAK_DUMP.test(artifact.path);

export function readManifestSeenByAnalysis(runDir: string): ManifestSeenByAnalysis {
  const path = join(runDir, "manifest.json");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw inputError(`${runDir} is a folder without manifest.json`, "pass a run folder written by allocrun run, or a profile file");
  }
  try {
    const manifest = JSON.parse(text) as ManifestSeenByAnalysis;
    if (!Array.isArray(manifest.artifacts)) throw new Error("no artifacts list");
    return manifest;
  } catch (error) {
    throw inputError(`${path} is not a valid allocrun manifest (${(error as Error).message})`, "the run folder is damaged; analyse its profile files directly", error);
  }
}

/**
 * Dump order from the file name: jemalloc `<prefix>.<pid>.<seq>.<kind><n>.heap` (seq counts
 * every dump of the process), gperftools `<prefix>.<nnnn>.heap`. Unknown names sort last.
 */
export function dumpSequence(name: string): number {
  const jemalloc = /\.(\d+)\.(\d+)\.[a-z]\d*\.heap$/.exec(name);
  if (jemalloc) return Number(jemalloc[2]);
  const gperftools = /\.(\d{4,})\.heap$/.exec(name);
  if (gperftools) return Number(gperftools[1]);
  return Number.MAX_SAFE_INTEGER;
}

const bySequence = (a: Artifact, b: Artifact) => dumpSequence(a.path) - dumpSequence(b.path) || (a.path < b.path ? -1 : 1);

export function findRunFolderProfiles(runDir: string): RunFolderProfiles {
  const manifest = readManifestSeenByAnalysis(runDir);
  const profiles = manifest.artifacts.filter((artifact) => PROFILE_KINDS.includes(artifact.kind) && artifact.bytes !== 0);
  const own = profiles.filter((artifact) => artifact.fromChildProcess !== true);
  const pool = own.length > 0 ? own : profiles;
  const kind = PROFILE_KINDS.find((candidate) => pool.some((artifact) => artifact.kind === candidate));
  if (kind === undefined) {
    const empty = manifest.artifacts.some((artifact) => PROFILE_KINDS.includes(artifact.kind));
    throw inputError(
      empty ? `the profiles in ${runDir} are empty` : `${runDir} holds no heap or CPU profile`,
      empty ? "the program was probably killed by a signal before it could write them" : "run with a profiling preset, e.g. allocrun --jemalloc --prof PROGRAM",
    );
  }
  // One process's dumps form a series; with several processes, the launched one's (or the first pid's).
  const ofKind = pool.filter((artifact) => artifact.kind === kind).sort(bySequence);
  const dumps = ofKind.filter((artifact) => !isPeakDump(artifact));
  const pid = (dumps[0] ?? ofKind[0])?.pid;
  const series = dumps.filter((artifact) => artifact.pid === pid);
  // gperftools names the launched process's dumps without a pid: its peak dump is the one not from a child.
  const peak = ofKind.find((artifact) => isPeakDump(artifact) && (pid === undefined ? artifact.fromChildProcess !== true : artifact.pid === pid));
  const chosen = new Set([...series, ...(peak ? [peak] : [])].map((artifact) => artifact.path));
  const startedAtMs = Date.parse(manifest.startedAt);
  return {
    runDir,
    program: manifest.program,
    kind,
    series: series.map((artifact) => join(runDir, artifact.path)),
    peak: peak ? join(runDir, peak.path) : undefined,
    lastIsExit: manifest.signal === null && series.length > 0,
    startedAtMs: Number.isNaN(startedAtMs) ? undefined : startedAtMs,
    others: profiles.filter((artifact) => !chosen.has(artifact.path)).map((artifact) => join(runDir, artifact.path)),
  };
}

/** Which dump `analyze --at` means: the heap's high-water mark, the exit, the last dump, or the Nth (1 = first). */
export type DumpChoice = "peak" | "exit" | "last" | number;

export interface ChosenDump {
  path: string;
  /** "peak", "exit", "last" or "dump N of M". */
  moment: string;
}

/** Reads `--at`: peak, exit, last or a dump number. */
export function parseDumpChoice(text: string): DumpChoice {
  if (text === "peak" || text === "exit" || text === "last") return text;
  const number = Number(text);
  if (Number.isInteger(number) && number >= 1) return number;
  throw inputError(`--at needs peak, exit, last or a dump number (1 = first), not "${text}"`, "e.g. --at exit");
}

/**
 * The dump to analyse. Without a choice: the peak dump when the run kept one, else the
 * last. `peakIsExit` says the exit dump held more than the peak dump (a program that is
 * largest when it ends), so the exit dump is the peak.
 */
export function chooseDump(run: RunFolderProfiles, choice: DumpChoice | undefined, peakIsExit = false): ChosenDump {
  const last = run.series[run.series.length - 1];
  const exit = run.lastIsExit ? last : undefined;
  const wanted = choice ?? (run.peak ? "peak" : "last");
  if (wanted === "peak") {
    if (run.peak && !(peakIsExit && exit)) return { path: run.peak, moment: "peak" };
    if (exit && (peakIsExit || choice === undefined)) return { path: exit, moment: "exit" };
    throw inputError(`${run.runDir} holds no dump at the heap's peak`, "runs with --prof keep one (peak.<pid>.heap) when the peak-capture library is built; analyse --at last instead");
  }
  if (wanted === "exit") {
    if (exit) return { path: exit, moment: "exit" };
    throw inputError(`${run.runDir} holds no dump written at exit (the program was killed, or wrote none)`, "analyse --at peak or --at last");
  }
  if (wanted === "last") {
    if (last) return { path: last, moment: run.lastIsExit ? "exit" : "last" };
    if (run.peak) return { path: run.peak, moment: "peak" };
    throw inputError(`${run.runDir} holds no dump`, "run with --prof");
  }
  const nth = run.series[wanted - 1];
  if (nth === undefined) throw inputError(`--at ${wanted}: the run folder has ${run.series.length} dump${run.series.length === 1 ? "" : "s"}`, `choose 1 to ${run.series.length}, peak, exit or last`);
  return { path: nth, moment: `dump ${wanted} of ${run.series.length}` };
}

/** Seconds from the program's start to when the dump was written (its file time), or undefined. */
export function secondsIntoRun(run: Pick<RunFolderProfiles, "startedAtMs">, path: string): number | undefined {
  if (run.startedAtMs === undefined) return undefined;
  try {
    return Math.max(0, (statSync(path).mtimeMs - run.startedAtMs) / 1000);
  } catch {
    return undefined;
  }
}
