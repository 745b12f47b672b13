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

export interface ConditionsInput {
  program: string;
  /** The program's whole environment. */
  programEnv: Record<string, string>;
  /** The variables allocrun set (not inherited). */
  allocrunVariables: Record<string, string>;
  /** The launcher's census, when there was one. */
  processes: readonly ObservedProcess[] | undefined;
  programPid: number;
  /** The interpreter preflight resolved from a "#!" line, for runs without a census. */
  scriptInterpreter: string | undefined;
}

export function describeRunConditions(input: ConditionsInput): RunConditions {
  const locale: Record<string, string> = {};
  const inheritedMemoryVariables: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.programEnv)) {
    if (isLocaleVariable(name)) locale[name] = value;
    else if (isMemoryVariable(name) && !(name in input.allocrunVariables)) inheritedMemoryVariables[name] = value;
  }
  const programRealPath = realPathOf(input.program);
  const lastExe = input.processes?.filter((process) => process.pid === input.programPid && process.exe !== null).at(-1)?.exe ?? input.scriptInterpreter;
  const executed = lastExe === undefined ? undefined : realPathOf(lastExe);
  return {
    locale,
    inheritedMemoryVariables,
    transparentHugePages: readThpMode(),
    programRealPath,
    executedRealPath: executed !== undefined && executed !== programRealPath ? executed : null,
  };
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
