// `allocrun watch`: a series of dumps of one target into one run folder, every so often,
// until the count is reached, the user interrupts (the dump under way is finished
// first), or the process exits; then which allocation sites grew across the series.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeGrowth } from "../analysis/analysis.js";
import { loadPreparedProfiles } from "../analysis/load-profile.js";
import { chooseSampleType } from "../analysis/sample-type.js";
import { isAllocrunError } from "../core/errors.js";
import { renderGrowth } from "../report/render.js";
import { defaultCacheDirectory } from "../core/cache-directory.js";
import { recordDumps, type DumpFolder } from "./dump-folder.js";
import { takeDump, type DumpRequest, type DumpResult } from "./dump.js";
import { isProfileUrl } from "./http-profile.js";
import { isProcessRunning } from "./live-process.js";

export interface WatchRequest extends Omit<DumpRequest, "commandName"> {
  everyMs: number;
  count: number;
  /** Aborting stops the series after the dump under way. */
  signal?: AbortSignal;
  onDump?: (result: DumpResult, index: number) => void;
}

export type WatchEnd = "count" | "interrupted" | "exited";

export interface WatchResult {
  runDir: string | undefined;
  dumps: string[];
  end: WatchEnd;
  /** Why a dump after the first failed, when that ended the series. */
  failure?: string;
  folder: DumpFolder | undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

const targetIsGone = (request: WatchRequest) => !isProfileUrl(request.target) && !isProcessRunning(Number(request.target));

export async function watchTarget(request: WatchRequest): Promise<WatchResult> {
  const dumps: string[] = [];
  let folder: DumpFolder | undefined;
  for (let index = 0; index < request.count; index++) {
    if (index > 0) {
      await sleep(request.everyMs, request.signal);
      if (request.signal?.aborted) return { runDir: folder?.runDir, dumps, end: "interrupted", folder };
    }
    try {
      const taken = await takeDump({ ...request, commandName: "watch" }, folder);
      folder = taken.folder;
      dumps.push(taken.result.path);
      request.onDump?.(taken.result, index);
    } catch (error) {
      // The first dump's failure is the answer; later ones end the series with what there is.
      if (folder === undefined || !isAllocrunError(error)) throw error;
      if (targetIsGone(request)) return { runDir: folder.runDir, dumps, end: "exited", folder };
      return { runDir: folder.runDir, dumps, end: "interrupted", failure: error.message, folder };
    }
    if (request.signal?.aborted) return { runDir: folder.runDir, dumps, end: "interrupted", folder };
  }
  return { runDir: folder?.runDir, dumps, end: "count", folder };
}

export const GROWTH_REPORT = "growth.txt";

/** Ranks the sites that grew across the dumps; the report is also saved in the folder. */
export async function reportGrowth(result: WatchResult, top: number): Promise<string | undefined> {
  if (result.folder === undefined || result.dumps.length < 2) return undefined;
  const series = await loadPreparedProfiles(result.dumps, { searchPath: process.env.PATH ?? "", cacheDirectory: defaultCacheDirectory(process.env) });
  const first = series[0];
  if (first === undefined) return undefined;
  const report = renderGrowth("text", analyzeGrowth(series, chooseSampleType(first.profile, {})), top);
  writeFileSync(join(result.folder.runDir, GROWTH_REPORT), report);
  recordDumps(result.folder, [], undefined, { [GROWTH_REPORT]: "analysis" });
  return report;
}
