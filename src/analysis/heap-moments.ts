// What the heap held at its high-water mark and at exit, and when: the one line that heads
// `analyze RUN-DIR` and the run summary ("heap at peak: 183 MiB in use, 1.42 s into the
// run; at exit: 0.2 MiB"). Totals are read from the raw dumps (no symbolization needed).
import { formatBytes } from "../core/units.js";
import type { Profile } from "../profile/model.js";
import { readProfileFile } from "../profile/read-profile.js";
import { secondsIntoRun, type RunFolderProfiles } from "./run-folder-profiles.js";
import { columnTotal } from "../profile/totals.js";

export interface HeapMoment {
  path: string;
  inuseBytes: number;
  /** From the dump's file time against the manifest's startedAt. */
  secondsIntoRun: number | undefined;
}

export interface HeapMoments {
  peak: HeapMoment | undefined;
  exit: HeapMoment | undefined;
}

/** The in-use total of a heap profile (un-sampled), or undefined for a CPU profile. */
export function inuseTotal(profile: Profile): number | undefined {
  const index = profile.sampleTypes.findIndex((type) => type.type === "inuse_space");
  if (index === -1) return undefined;
  return columnTotal(profile, index);
}

async function readMoment(run: RunFolderProfiles, path: string | undefined): Promise<HeapMoment | undefined> {
  if (path === undefined) return undefined;
  const inuseBytes = inuseTotal(await readProfileFile(path));
  return inuseBytes === undefined ? undefined : { path, inuseBytes, secondsIntoRun: secondsIntoRun(run, path) };
}

/**
 * The peak and exit dumps of a run with their totals. A program whose heap is largest at
 * exit has its peak there: then `peak` is the exit dump.
 */
export async function readHeapMoments(run: RunFolderProfiles): Promise<HeapMoments> {
  const exit = await readMoment(run, run.lastIsExit ? run.series[run.series.length - 1] : undefined);
  const peak = await readMoment(run, run.peak);
  if (exit !== undefined && (peak === undefined || exit.inuseBytes >= peak.inuseBytes)) return { peak: exit, exit };
  return { peak, exit };
}

const seconds = (value: number | undefined) => (value === undefined ? "" : `, ${value.toFixed(2)} s into the run`);

/** "heap at peak: 183 MiB in use, 1.42 s into the run; at exit: 200 KiB", or undefined without a peak. */
export function describeHeapMoments(moments: HeapMoments): string | undefined {
  const { peak, exit } = moments;
  if (peak === undefined) return undefined;
  if (exit !== undefined && peak.path === exit.path) return `heap at peak: ${formatBytes(peak.inuseBytes)} in use at exit (the program held the most when it ended)`;
  const atExit = exit === undefined ? "; no dump at exit" : `; at exit: ${formatBytes(exit.inuseBytes)}`;
  return `heap at peak: ${formatBytes(peak.inuseBytes)} in use${seconds(peak.secondsIntoRun)}${atExit}`;
}
