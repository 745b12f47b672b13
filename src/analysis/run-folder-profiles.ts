// Which profiles of a run folder to analyse: manifest.json lists the artifacts with their
// kinds; the launched program's own profiles come first (children's are mentioned, not
// mixed in), heap before CPU, and within one kind the dumps in the order they were written
// — the last one (jemalloc's final `.f.` dump, gperftools' exit dump) is "the" profile,
// all of them together are the --growth series.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inputError } from "../core/errors.js";
import type { Artifact, ArtifactKind, RunManifest } from "../run/manifest.js";

export const PROFILE_KINDS: readonly ArtifactKind[] = ["jemalloc-heap", "gperftools-heap", "gperftools-cpu", "pprof"];

export interface RunFolderProfiles {
  runDir: string;
  /** The program that ran, as the manifest recorded it (to find a moved binary). */
  program: string | undefined;
  kind: ArtifactKind;
  /** Absolute paths, oldest dump first; the last is the one analysed by default. */
  series: string[];
  /** Profiles of other kinds or of child processes, not analysed. */
  others: string[];
}

export function readRunManifest(runDir: string): RunManifest {
  const path = join(runDir, "manifest.json");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw inputError(`${runDir} is a folder without manifest.json`, "pass a run folder written by allocrun run, or a profile file");
  }
  try {
    const manifest = JSON.parse(text) as RunManifest;
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
  const manifest = readRunManifest(runDir);
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
  const pid = ofKind[0]?.pid;
  const series = ofKind.filter((artifact) => artifact.pid === pid);
  const chosen = new Set(series.map((artifact) => artifact.path));
  return {
    runDir,
    program: manifest.program,
    kind,
    series: series.map((artifact) => join(runDir, artifact.path)),
    others: profiles.filter((artifact) => !chosen.has(artifact.path)).map((artifact) => join(runDir, artifact.path)),
  };
}
