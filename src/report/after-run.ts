// The automatic analysis at the end of `allocrun run` with a profiling preset: the top
// allocation sites (or CPU functions) of the dump at the heap's peak (else the last) on
// stderr, and analysis.json, analysis.txt and flame.svg written beside the profiles.
// Files that already exist are never replaced.
// Loaded lazily after the program exited; node: builtins and our own modules only.
import { join } from "node:path";
import { writeFileAtomicNoReplace } from "../core/atomic-write.js";
import { environmentError } from "../core/errors.js";
import { describeWriteFailure, writeFailureFix } from "../core/write-failure.js";
import { buildAnalysisJson, renderJson } from "./json-report.js";
import { renderFlameGraphSvg } from "./flame-svg.js";
import { locationText, renderTextReport } from "./text-report.js";
import { defaultCacheDirectory } from "../core/cache-directory.js";
import { analyzeProfile } from "../analysis/analysis.js";
import { loadPreparedProfiles } from "../analysis/load-profile.js";
import { findHeaviestCallers, formatCallerChain } from "./callers.js";
import type { Analysis } from "../analysis/analysis.js";
import { describeHeapMoments, readHeapMoments } from "../analysis/heap-moments.js";
import { chooseDump, findRunFolderProfiles } from "../analysis/run-folder-profiles.js";
import { chooseSampleType } from "../analysis/sample-type.js";

/** Rows kept in analysis.json: more than the terminal shows, for later tooling. */
const JSON_ROWS = 50;

export interface AfterRunOptions {
  top: number;
  quiet: boolean;
}

/**
 * Writes each file whole (or not at all) unless one is already there; returns the names
 * written. A failed write names the folder and the space all of them need.
 */
function writeAnalysisFiles(runDir: string, files: Record<string, string>): string[] {
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    try {
      if (writeFileAtomicNoReplace(join(runDir, name), content)) written.push(name);
    } catch (error) {
      const neededBytes = Object.values(files).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
      const what = `the analysis (${Object.keys(files).join(", ")})`;
      throw environmentError(describeWriteFailure(what, runDir, neededBytes, error), `${writeFailureFix(error)}, then: allocrun analyze ${runDir} (the profiles are intact)`, error);
    }
  }
  return written;
}

/** "leaf_alloc (leak.c:20) ← mid_alloc ← leak_big": the largest allocation site and its callers. */
export function describeTopSite(analysis: Analysis): string | undefined {
  const top = analysis.rows.find((row) => row.flat > 0);
  if (top === undefined) return undefined;
  const where = locationText(top);
  const callers = formatCallerChain(findHeaviestCallers(analysis.stacks, undefined, new Set([top.fn.key])).get(top.fn.key));
  return [top.fn.name, where === "" || where.startsWith("(") ? where : `(${where})`, callers].filter(Boolean).join(" ");
}

/** Analyses the run's profiles; returns the one-line heap summary for the run summary, if a heap profile was analysed. */
export async function analyzeRunFolderAfterRun(runDir: string, options: AfterRunOptions): Promise<string | undefined> {
  const run = findRunFolderProfiles(runDir);
  const moments = run.kind.endsWith("-heap") ? await readHeapMoments(run) : undefined;
  const chosen = chooseDump(run, undefined, moments !== undefined && moments.peak !== undefined && moments.peak === moments.exit);
  const [current] = await loadPreparedProfiles([chosen.path], {
    searchPath: process.env.PATH ?? "",
    cacheDirectory: defaultCacheDirectory(process.env),
    candidates: run.program ? [run.program] : [],
  });
  if (current === undefined) return undefined;
  const analysis = analyzeProfile(current, chooseSampleType(current.profile, {}));
  const text = renderTextReport(analysis, { top: options.top, style: "terminal" });
  const written = writeAnalysisFiles(runDir, {
    "analysis.json": renderJson(buildAnalysisJson(analysis, Math.max(JSON_ROWS, options.top))),
    "analysis.txt": text,
    "flame.svg": renderFlameGraphSvg(analysis),
  });
  const momentsLine = moments === undefined ? undefined : describeHeapMoments(moments);
  const topSite = describeTopSite(analysis);
  const heapLine = momentsLine === undefined ? undefined : `${momentsLine.replace(/^heap /, "")}${topSite === undefined ? "" : `; top site at ${chosen.moment}: ${topSite}`}`;
  if (options.quiet) return heapLine;
  process.stderr.write(`\n${renderTextReport(analysis, { top: options.top, style: "terminal", withCumTable: false })}`);
  if (written.length > 0) process.stderr.write(`allocrun: wrote ${written.join(", ")} in ${runDir}\n`);
  return heapLine;
}
