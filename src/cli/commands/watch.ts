// `allocrun watch PID|URL --every 60s --count 10`: periodic dumps into one run folder, then
// the sites that grew across them. Ctrl-C ends the series early and still reports.
import { usageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { formatDurationMs, parseDurationMs } from "../../core/units.js";
import { ALLOCATOR_OPTION, parseAllocatorOption, parseCommandArgs } from "../../live/command-args.js";
import { isProfileUrl } from "../../live/http-profile.js";
import { parsePid } from "../../live/live-process.js";
import { reportGrowth, watchTarget, type WatchResult } from "../../live/watch.js";

export const WATCH_HELP = `Usage: allocrun watch PID|URL [options]

Dumps the heap of a running program periodically into one run folder (see allocrun dump),
then ranks the allocation sites that grew steadily across the dumps. Ctrl-C stops early
and still reports; so does the program exiting.

  --every DURATION      time between dumps: 500ms, 30s, 5m (default 60s)
  --count N             number of dumps (default 10)
  -o, --out DIR         the run folder (new, or one holding earlier dumps of the same target)
  --top N               sites in the growth report (default 10)
  --allocator NAME      jemalloc, tcmalloc or rjem, when the process has several
  -h, --help            this help

The report goes to stdout and to growth.txt in the folder; allocrun analyze DIR --growth
shows it again in any format.
`;

const OPTIONS = {
  every: { type: "string" },
  count: { type: "string" },
  out: { type: "string", short: "o" },
  top: { type: "string" },
  help: { type: "boolean", short: "h" },
  ...ALLOCATOR_OPTION,
} as const;

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

export default async function watch(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("watch", args, OPTIONS);
  if (values.help) {
    process.stdout.write(WATCH_HELP);
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
      allocator: parseAllocatorOption(values.allocator),
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
