// `allocrun stats PID`: the allocator's own statistics of a running process (jemalloc
// stats.* after an epoch refresh, tcmalloc MallocExtension::GetStats), through gdb.
import { usageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { readJemallocStats } from "../../live/jemalloc-live.js";
import { parsePid, readStatusBytes } from "../../live/live-process.js";
import { renderLiveStatsJson, renderLiveStatsText } from "../../live/live-stats.js";
import { openLiveTarget } from "../../live/live-target.js";
import { readTcmallocStats } from "../../live/tcmalloc-live.js";
import { liveAllocatorOption, type LiveOptions } from "../live-options.js";
import { formatOptionHelp, helpOption, parseOptionTable, type OptionSpec } from "../../core/option-table.js";
import type { CommandSurface } from "../command-table.js";

interface StatsOptions extends LiveOptions {
  json: boolean;
}

export const STATS_OPTION_SPECS: OptionSpec<StatsOptions>[] = [
  { names: ["--json"], description: "machine-readable output (figures as <name>Bytes keys)", apply: (o) => (o.json = true) },
  liveAllocatorOption("jemalloc, tcmalloc or rjem (Rust's _rjem_ jemalloc), when the\nprocess has several"),
  helpOption(),
];

export const formatStatsHelp = (): string => `Usage: allocrun stats PID [options]

Prints the allocator's own statistics of a running process (jemalloc: allocated, active,
metadata, resident, mapped, retained; tcmalloc: the MALLOCSTATS figures) beside the
process's RSS, through gdb; the process keeps running.

Options:
${formatOptionHelp(STATS_OPTION_SPECS)}
`;

export const surface: CommandSurface = { options: STATS_OPTION_SPECS, help: formatStatsHelp };

export default async function stats(args: string[]): Promise<number> {
  const values: StatsOptions = { json: false, allocator: undefined, help: false };
  const positionals = parseOptionTable(STATS_OPTION_SPECS, args, values, "allocrun stats", "operands");
  if (values.help) {
    process.stdout.write(formatStatsHelp());
    return ExitCode.ok;
  }
  if (positionals.length > 1) throw usageError(`stats takes one process id (got ${positionals.length})`, "allocrun stats PID");
  const pid = parsePid(positionals[0], "stats");
  const target = openLiveTarget(pid, { preferred: values.allocator, purpose: "read allocator statistics" });
  const figures = target.allocator.kind === "jemalloc" ? await readJemallocStats(target) : await readTcmallocStats(target);
  const report = { schemaVersion: 1 as const, pid, processName: target.process.name, processRssBytes: readStatusBytes(pid, "VmRSS") ?? null, ...figures };
  process.stdout.write(values.json ? renderLiveStatsJson(report) : renderLiveStatsText(report));
  return ExitCode.ok;
}
