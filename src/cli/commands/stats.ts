// `allocrun stats PID`: the allocator's own statistics of a running process (jemalloc
// stats.* after an epoch refresh, tcmalloc MallocExtension::GetStats), through gdb.
import { usageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { ALLOCATOR_OPTION, parseAllocatorOption, parseCommandArgs } from "../../live/command-args.js";
import { readJemallocStats } from "../../live/jemalloc-live.js";
import { parsePid, readStatusBytes } from "../../live/live-process.js";
import { renderLiveStatsJson, renderLiveStatsText } from "../../live/live-stats.js";
import { openLiveTarget } from "../../live/live-target.js";
import { readTcmallocStats } from "../../live/tcmalloc-live.js";

export const STATS_HELP = `Usage: allocrun stats PID [options]

Prints the allocator's own statistics of a running process (jemalloc: allocated, active,
metadata, resident, mapped, retained; tcmalloc: the MALLOCSTATS figures) beside the
process's RSS, through gdb; the process keeps running.

  --json                machine-readable output (figures as <name>Bytes keys)
  --allocator NAME      jemalloc, tcmalloc or rjem (Rust's _rjem_ jemalloc), when the
                        process has several
  -h, --help            this help
`;

const OPTIONS = { json: { type: "boolean" }, help: { type: "boolean", short: "h" }, ...ALLOCATOR_OPTION } as const;

export default async function stats(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("stats", args, OPTIONS);
  if (values.help) {
    process.stdout.write(STATS_HELP);
    return ExitCode.ok;
  }
  if (positionals.length > 1) throw usageError(`stats takes one process id (got ${positionals.length})`, "allocrun stats PID");
  const pid = parsePid(positionals[0], "stats");
  const target = openLiveTarget(pid, { preferred: parseAllocatorOption(values.allocator), purpose: "read allocator statistics" });
  const figures = target.allocator.kind === "jemalloc" ? await readJemallocStats(target) : await readTcmallocStats(target);
  const report = { schemaVersion: 1 as const, pid, processName: target.process.name, processRssBytes: readStatusBytes(pid, "VmRSS") ?? null, ...figures };
  process.stdout.write(values.json ? renderLiveStatsJson(report) : renderLiveStatsText(report));
  return ExitCode.ok;
}
