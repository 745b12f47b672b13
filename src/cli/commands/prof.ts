// `allocrun prof PID on|off`: resume or pause jemalloc's heap sampling (prof.active) in a
// running process that was started with prof:true.
import { usageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { setJemallocProfActive } from "../../live/jemalloc-live.js";
import { parsePid } from "../../live/live-process.js";
import { openLiveTarget } from "../../live/live-target.js";
import { liveAllocatorOption, type LiveOptions } from "../live-options.js";
import { formatOptionHelp, helpOption, parseOptionTable, type OptionSpec } from "../../core/option-table.js";
import type { CommandSurface } from "../command-table.js";

export const PROF_OPTION_SPECS: OptionSpec<LiveOptions>[] = [liveAllocatorOption("jemalloc or rjem (Rust's _rjem_ jemalloc), when the process has both"), helpOption()];

export const formatProfHelp = (): string => `Usage: allocrun prof PID on|off [options]

Resumes (on) or pauses (off) jemalloc's heap sampling in a running process (mallctl
prof.active), through gdb; the process keeps running. Profiling must have been enabled
when it started, with sampling off until needed:

  allocrun --jemalloc --prof --conf prof_active:false -- PROGRAM
  allocrun prof PID on      # start sampling
  allocrun dump PID         # what was sampled since, as a heap profile
  allocrun prof PID off     # stop sampling again

Options:
${formatOptionHelp(PROF_OPTION_SPECS)}
`;

export const surface: CommandSurface = { options: PROF_OPTION_SPECS, help: formatProfHelp };

export default async function prof(args: string[]): Promise<number> {
  const values: LiveOptions = { allocator: undefined, help: false };
  const positionals = parseOptionTable(PROF_OPTION_SPECS, args, values, "allocrun prof", "operands");
  if (values.help) {
    process.stdout.write(formatProfHelp());
    return ExitCode.ok;
  }
  const [pidText, state, ...rest] = positionals;
  const pid = parsePid(pidText, "prof");
  if (state !== "on" && state !== "off") {
    throw usageError(state === undefined ? "prof needs on or off" : `prof takes on or off, not "${state}"`, `allocrun prof ${pid} on`);
  }
  if (rest.length > 0) throw usageError(`unexpected argument "${rest[0]}"`, `allocrun prof ${pid} ${state}`);
  const allocator = values.allocator;
  if (allocator === "tcmalloc") {
    throw usageError("prof on|off toggles jemalloc's sampling; gperftools' heap profiler runs from start to exit", "dump a tcmalloc process started with HEAPPROFILE directly: allocrun dump PID");
  }
  const target = openLiveTarget(pid, { preferred: allocator, purpose: "switch heap sampling" });
  if (target.allocator.kind !== "jemalloc") {
    throw usageError(`process ${pid} uses ${target.allocator.description}: prof on|off toggles jemalloc's sampling only`, "dump it directly: allocrun dump PID (it needs HEAPPROFILE from the start: allocrun --tcmalloc --prof -- PROGRAM)");
  }
  const change = await setJemallocProfActive(target, state === "on");
  const word = (active: boolean) => (active ? "on" : "off");
  process.stdout.write(`process ${pid}: heap sampling ${change.before === change.after ? `was already ${word(change.after)}` : `${word(change.before)} -> ${word(change.after)}`} (prof.active)\n`);
  if (change.after) process.stderr.write(`allocrun: write what was sampled with: allocrun dump ${pid}\n`);
  return ExitCode.ok;
}
