// `allocrun watch PID|URL --every 60s --count 10`: periodic dumps into one run folder, then
// the sites that grew across them. Ctrl-C ends the series early and still reports.
import { usageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { formatDurationMs, parseDurationMs } from "../../core/units.js";
import { isProfileUrl } from "../../live/http-profile.js";
import { parsePid } from "../../live/live-process.js";
import { reportGrowth, watchTarget, type WatchResult } from "../../live/watch.js";
import { liveAllocatorOption, type LiveOptions } from "../live-options.js";
import { formatOptionHelp, helpOption, parseOptionTable, type OptionSpec } from "../../core/option-table.js";
import type { CommandSurface } from "../command-table.js";

interface WatchOptions extends LiveOptions {
  every: string | undefined;
  count: string | undefined;
  out: string | undefined;
  top: string | undefined;
}

export const WATCH_OPTION_SPECS: OptionSpec<WatchOptions>[] = [
  { names: ["--every"], value: "DURATION", description: "time between dumps: 500ms, 30s, 5m (default 60s)", apply: (o, v) => (o.every = v) },
  { names: ["--count"], value: "N", description: "number of dumps (default 10)", apply: (o, v) => (o.count = v) },
  { names: ["-o", "--out"], value: "DIR", description: "the run folder (new, or one holding earlier dumps of the same target)", apply: (o, v) => (o.out = v) },
  { names: ["--top"], value: "N", description: "sites in the growth report (default 10)", apply: (o, v) => (o.top = v) },
  liveAllocatorOption("jemalloc, tcmalloc or rjem, when the process has several"),
  helpOption(),
];

export const formatWatchHelp = (): string => `Usage: allocrun watch PID|URL [options]

Dumps the heap of a running program periodically into one run folder (see allocrun dump),
then ranks the allocation sites that grew steadily across the dumps. Ctrl-C stops early
and still reports; so does the program exiting.

Options:
${formatOptionHelp(WATCH_OPTION_SPECS)}

The report goes to stdout and to growth.txt in the folder; allocrun analyze DIR --growth
shows it again in any format.
`;

function positiveInteger(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw usageError(`${flag} needs a positive whole number, not "${text}"`, `e.g. ${flag} ${fallback}`);
  return value;
}

function describeEnd(result: WatchResult, target: string): string {
  const taken = `${result.dumps.length} dump${result.dumps.length === 1 ? "" : "s"}`;
  switch (result.end) {
    case "count":
      return `${taken} taken`;
    case "exited":
      return `process ${target} exited after ${taken}`;
    case "interrupted":
      return result.failure === undefined ? `stopped after ${taken}` : `stopped after ${taken}: ${result.failure}`;
  }
}

export const surface: CommandSurface = { options: WATCH_OPTION_SPECS, help: formatWatchHelp };

export default async function watch(args: string[]): Promise<number> {
  const values: WatchOptions = { every: undefined, count: undefined, out: undefined, top: undefined, allocator: undefined, help: false };
  const positionals = parseOptionTable(WATCH_OPTION_SPECS, args, values, "allocrun watch", "operands");
  if (values.help) {
    process.stdout.write(formatWatchHelp());
    return ExitCode.ok;
  }
  if (positionals.length > 1) throw usageError(`watch takes one process or URL (got ${positionals.length})`, "allocrun watch PID --every 60s --count 10");
  const [target] = positionals;
  if (target === undefined || !isProfileUrl(target)) parsePid(target, "watch");
  const everyMs = values.every === undefined ? 60_000 : parseDurationMs(values.every);
  if (everyMs === undefined || everyMs <= 0) throw usageError(`--every needs a duration, not "${values.every}"`, "e.g. --every 30s, --every 5m, --every 500ms");
  const count = positiveInteger(values.count, 10, "--count");
  const top = positiveInteger(values.top, 10, "--top");

  const stop = new AbortController();
  const onSignal = () => {
    process.stderr.write("\nallocrun: stopping after the dump under way…\n");
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let result: WatchResult;
  try {
    result = await watchTarget({
      target: target as string,
      outDir: values.out,
      cwd: process.cwd(),
      allocator: values.allocator,
      everyMs,
      count,
      signal: stop.signal,
      onDump: (dump, index) => {
        for (const warning of dump.warnings) process.stderr.write(`allocrun: warning: ${warning}\n`);
        const next = index + 1 < count ? `; next in ${formatDurationMs(everyMs)}` : "";
        process.stderr.write(`allocrun: dump ${index + 1}/${count}: ${dump.path}${next}\n`);
      },
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  process.stderr.write(`allocrun: ${describeEnd(result, target as string)}${result.runDir ? ` in ${result.runDir}` : ""}\n`);
  const report = await reportGrowth(result, top);
  if (report === undefined) {
    process.stderr.write("allocrun: growth needs at least 2 dumps; nothing to rank\n");
    return result.dumps.length > 0 ? ExitCode.ok : ExitCode.usage;
  }
  process.stdout.write(report);
  return ExitCode.ok;
}
