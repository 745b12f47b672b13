// The facts the target checks decide on. Gathering them touches the file system; the
// checks themselves (one per file beside this one) are pure functions of these facts.
import type { AllocatorName } from "../../core/allocators.js";
import type { ElfFile } from "../../elf/index.js";

/** Questions about the program's bytes, answered from the whole file or from its headers. */
export interface TargetContent {
  /** Which of `texts` occur in the program's read-only data (the whole file when read whole). */
  findStrings(texts: readonly string[]): Set<string>;
  /** True when the program defines a function of this name (.dynsym; .symtab too when read whole). */
  definesFunction(name: string): boolean;
  /** True when .dynsym (or .symtab when read whole) defines or references this name. */
  mentionsSymbol(name: string): boolean;
}

export interface ScriptFacts {
  /** The script as the user gave it. */
  path: string;
  /** The interpreter the kernel runs, resolved (`/usr/bin/env python3` → /usr/bin/python3). */
  interpreter: string;
}

export interface TargetFacts {
  /** How messages name the program: the path as the user typed it. */
  shownName: string;
  /** The ELF file the checks looked at: the program, or a script's interpreter. */
  path: string;
  script: ScriptFacts | undefined;
  elf: ElfFile;
  /** st_mode, st_uid and st_gid of `path`. */
  file: { mode: number; uid: number; gid: number };
  /** Who will run it. */
  runner: { uid: number; gid: number };
  /** A security.capability attribute is set; undefined when it could not be checked. */
  hasFileCapabilities: boolean | undefined;
  /** A separate debug file (/usr/lib/debug/.build-id/xx/yyyy.debug, from debug packages). */
  separateDebugFile: string | undefined;
  content: TargetContent;
}

/** Which run the checks judge. Doctor asks about every preloaded allocator at once. */
export interface CheckPlan {
  /** The allocator of the run; undefined in `allocrun doctor` (any preloaded allocator). */
  allocator: AllocatorName | undefined;
  /** The run writes profiles, so symbols matter. */
  profiling: boolean;
  /** Distribution family from /etc/os-release ("debian", "fedora", ...), for fixes. */
  family: string | undefined;
}

/** True when the plan preloads a library (every allocator but glibc; doctor: yes). */
export function planPreloads(plan: CheckPlan): boolean {
  return plan.allocator !== "glibc";
}

/** "jemalloc" in a run, "a preloaded allocator" in doctor. */
export function allocatorWords(plan: CheckPlan): string {
  return plan.allocator === undefined ? "a preloaded allocator" : plan.allocator;
}

/** "./prog", or "the interpreter /usr/bin/python3 of ./script.py". */
export function targetWords(target: TargetFacts): string {
  return target.script === undefined ? target.shownName : `the interpreter ${target.script.interpreter} of ${target.shownName}`;
}
