// The preset model: what one preset file declares, after validation. Presets are data;
// composing them into an environment happens in compose-env-plan.ts.
import type { AllocatorName, HelperLibraryName } from "../core/allocators.js";

/** The short run flags a preset can implement (`--prof`, `--stats`, ...). */
export const SHORT_FLAGS = ["prof", "stats", "leak-check", "heap-profile", "cpu-prof", "periodic"] as const;
export type ShortFlag = (typeof SHORT_FLAGS)[number];

export function isShortFlag(value: string): value is ShortFlag {
  return (SHORT_FLAGS as readonly string[]).includes(value);
}

/** A file a preset makes the program write into the run folder. */
export interface ArtifactHint {
  /** What the file is, in the run folder's vocabulary: jemalloc-heap, gperftools-heap, gperftools-cpu, heap-check... */
  kind: string;
  /** File name pattern relative to the run folder, e.g. "jeprof.*.heap". */
  glob: string;
  /** True when the file appears only under some condition (e.g. only when leaks are found). */
  optional: boolean;
}

/** Where a preset file was found; later origins override earlier ones by name. */
export type PresetOrigin = "shipped" | "user" | "project" | "extra";

export interface Preset {
  name: string;
  /** Absolute path of the file it was read from. */
  file: string;
  origin: PresetOrigin;
  description: string;
  /** The allocators it applies to; empty = any allocator (e.g. cpu-profile). */
  allocators: AllocatorName[];
  flag: ShortFlag | undefined;
  extends: string[];
  /** Allocator options in file order, keys as written (normalized per allocator when composed). */
  conf: Array<[string, string]>;
  /** Other variables in file order. */
  env: Array<[string, string]>;
  /** Helper libraries to preload; the allocator's own library comes from the allocator choice. */
  preload: HelperLibraryName[];
  artifacts: ArtifactHint[];
  notes: string[];
}

/** `{out}` = the absolute run folder; `{prog}` = the program's file name (basename). */
export const PLACEHOLDERS = ["{out}", "{prog}"] as const;
