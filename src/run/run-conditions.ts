// What changes a program's memory use without allocrun setting it, recorded beside the
// figures: the locale, allocator variables the user already had, the transparent huge
// pages mode, and which executable really ran (a PATH entry can be a symlink, a script,
// or a shell shim such as pyenv's that execs the real interpreter).
import { readFileSync, realpathSync } from "node:fs";
import { isLocaleVariable, isMemoryVariable } from "../presets/index.js";
import type { ObservedProcess } from "./launcher-status.js";

export interface RunConditions {
  /** LANG, LANGUAGE and LC_* as the program got them. */
  locale: Record<string, string>;
  /** Allocator and profiler variables from the user's own environment (not set by allocrun). */
  inheritedMemoryVariables: Record<string, string>;
  /** The bracketed mode of /sys/kernel/mm/transparent_hugepage/enabled ("always", "madvise", "never"); null when unreadable. */
  transparentHugePages: string | null;
  /** The program with symbolic links resolved. */
  programRealPath: string;
  /** The executable the program's process ran last when it is not programRealPath: a
   * script's interpreter, or what a wrapper or shim exec'd; null when the program ran itself. */
  executedRealPath: string | null;
}

const THP_ENABLED = "/sys/kernel/mm/transparent_hugepage/enabled";

/** What is known before the program runs: everything but which executable really ran. */
export type StartConditions = Omit<RunConditions, "executedRealPath">;

/**
 * The conditions that do not depend on how the program runs, worked out while it runs
 * (allocrun has nothing else to do then, and a short program's run ends sooner).
 */
export function describeStartConditions(program: string, programEnv: Record<string, string>, allocrunVariables: Record<string, string>): StartConditions {
  const locale: Record<string, string> = {};
  const inheritedMemoryVariables: Record<string, string> = {};
  for (const [name, value] of Object.entries(programEnv)) {
    if (isLocaleVariable(name)) locale[name] = value;
    else if (isMemoryVariable(name) && !(name in allocrunVariables)) inheritedMemoryVariables[name] = value;
  }
  return { locale, inheritedMemoryVariables, transparentHugePages: readThpMode(), programRealPath: realPathOf(program) };
}

export interface ExecutedProgram {
  /** The launcher's census, when there was one. */
  processes: readonly ObservedProcess[] | undefined;
  programPid: number;
  /** The interpreter preflight resolved from a "#!" line, for runs without a census. */
  scriptInterpreter: string | undefined;
}

/** The start conditions and the executable the program's process ran last. */
export function completeRunConditions(start: StartConditions, executed: ExecutedProgram): RunConditions {
  const lastExe = executed.processes?.filter((process) => process.pid === executed.programPid && process.exe !== null).at(-1)?.exe ?? executed.scriptInterpreter;
  const executedPath = lastExe === undefined ? undefined : realPathOf(lastExe);
  return { ...start, executedRealPath: executedPath !== undefined && executedPath !== start.programRealPath ? executedPath : null };
}

function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** "always madvise [never]" → "never". */
function readThpMode(): string | null {
  try {
    return /\[([^\]]+)\]/.exec(readFileSync(THP_ENABLED, "utf8"))?.[1] ?? null;
  } catch {
    return null;
  }
}
