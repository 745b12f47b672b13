// jemalloc has one prof_prefix: when a profiling preset sets it to the run folder, a
// prefix the user chose (in --conf, -e, --env-file or their own MALLOC_CONF) is gone.
// allocrun keeps the run folder's (its profiles must land there) but says so.

export const PROF_PREFIX = "prof_prefix";

export function describeReplacedProfPrefix(userPrefix: string, source: string, runPrefix: string): string {
  return `your prof_prefix "${userPrefix}" (${source}) is replaced by "${runPrefix}": allocrun writes profiles into the run folder (-o DIR chooses it)`;
}
