// `allocrun dump PID|URL`: a heap profile of a running program, now, without stopping it.
// The profile's path goes to stdout; what happened and what to do next to stderr.
import { resolve } from "node:path";
import { usageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { takeDump } from "../../live/dump.js";
import { isProfileUrl } from "../../live/http-profile.js";
import { parsePid } from "../../live/live-process.js";
import { liveAllocatorOption, type LiveOptions } from "../live-options.js";
import { formatOptionHelp, helpOption, parseOptionTable, type OptionSpec } from "../../core/option-table.js";
import type { CommandSurface } from "../command-table.js";

interface DumpOptions extends LiveOptions {
  out: string | undefined;
}

export const DUMP_OPTION_SPECS: OptionSpec<DumpOptions>[] = [
  {
    names: ["-o", "--out"],
    value: "DIR",
    description: "the run folder: a new one, or one holding earlier dumps of the same\ntarget (the dump is added to the series); default ./allocrun-out/...",
    apply: (o, v) => (o.out = v),
  },
  liveAllocatorOption(),
  helpOption(),
];

export const formatDumpHelp = (): string => `Usage: allocrun dump PID|URL [options]

Writes a heap profile of a running program now and leaves it running: allocrun attaches
with gdb, calls the allocator's own dump (jemalloc prof.dump, gperftools' heap profiler)
from a thread that is not inside the allocator, and detaches. A URL fetches a Go
program's net/http/pprof endpoint instead (loopback addresses only).

  PID                   a process using jemalloc started with prof:true
                        (allocrun --jemalloc --prof --conf prof_active:false -- PROG)
                        or tcmalloc started with HEAPPROFILE (allocrun --tcmalloc --prof -- PROG)
  URL                   http://127.0.0.1:PORT/debug/pprof/heap, .../allocs, .../profile?seconds=N

Options:
${formatOptionHelp(DUMP_OPTION_SPECS)}

Then: allocrun analyze DIR (the latest dump), allocrun analyze DIR --growth (the series).
Needs gdb and permission to attach (same user or root; see kernel.yama.ptrace_scope).
`;

export const surface: CommandSurface = { options: DUMP_OPTION_SPECS, help: formatDumpHelp };

export default async function dump(args: string[]): Promise<number> {
  const values: DumpOptions = { out: undefined, allocator: undefined, help: false };
  const positionals = parseOptionTable(DUMP_OPTION_SPECS, args, values, "allocrun dump", "operands");
  if (values.help) {
    process.stdout.write(formatDumpHelp());
    return ExitCode.ok;
  }
  if (positionals.length > 1) throw usageError(`dump takes one process or URL (got ${positionals.length})`, "allocrun dump PID, or allocrun watch PID for a series");
  const [target] = positionals;
  if (target === undefined || !isProfileUrl(target)) parsePid(target, "dump");
  const { result } = await takeDump({
    target: target as string,
    outDir: values.out,
    cwd: process.cwd(),
    commandName: "dump",
    allocator: values.allocator,
  });
  for (const warning of result.warnings) process.stderr.write(`allocrun: warning: ${warning}\n`);
  process.stderr.write(`allocrun: dumped ${isProfileUrl(target as string) ? target : `process ${target}`} (${result.source}) into ${result.runDir}\n`);
  const series = result.kind === "pprof" ? `${result.runDir}/*.pb.gz` : result.runDir;
  const growth = result.isHeapProfile ? `; the series: allocrun analyze ${series} --growth` : "";
  process.stderr.write(`allocrun: analyse it: allocrun analyze ${resolve(result.path)}${growth}\n`);
  process.stdout.write(`${result.path}\n`);
  return ExitCode.ok;
}
