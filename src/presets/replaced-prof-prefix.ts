// jemalloc has one prof_prefix: when a profiling preset sets it to the run folder, a
// prefix the user chose (in --conf, -e, --env-file or their own MALLOC_CONF) is gone.
// allocrun keeps the run folder's (its profiles must land there) but says so.
import type { AllocatorName } from "../core/allocators.js";
import { readConfVariable, type ConfEntries } from "./conf-dialects.js";

export const PROF_PREFIX = "prof_prefix";

export function describeReplacedProfPrefix(userPrefix: string, source: string, runPrefix: string): string {
  return `your prof_prefix "${userPrefix}" (${source}) is replaced by "${runPrefix}": allocrun writes profiles into the run folder (-o DIR chooses it)`;
}

/** The warning for a prof_prefix in the caller's MALLOC_CONF that the run's MALLOC_CONF replaces, if any. */
export function checkCallerProfPrefix(allocator: AllocatorName, conf: ConfEntries, callerEnv: NodeJS.ProcessEnv): string | undefined {
  const runPrefix = conf.find(([key]) => key === PROF_PREFIX)?.[1];
  const callerConf = callerEnv.MALLOC_CONF;
  if (allocator !== "jemalloc" || runPrefix === undefined || callerConf === undefined) return undefined;
  let entries: ConfEntries | undefined;
  try {
    entries = readConfVariable(allocator, "MALLOC_CONF", callerConf, "MALLOC_CONF");
  } catch {
    return undefined; // not ours to judge: jemalloc itself complains about a malformed MALLOC_CONF
  }
  const callerPrefix = entries?.findLast(([key]) => key === PROF_PREFIX)?.[1];
  return callerPrefix === undefined || callerPrefix === runPrefix ? undefined : describeReplacedProfPrefix(callerPrefix, "MALLOC_CONF in your environment", runPrefix);
}
