// The heap at its high-water mark: a profiling preset sets ALLOCRUN_PEAK_PREFIX, and the
// run preloads native/build/liballocrun-peak.so after the allocator. That library keeps
// one `<prefix>.<pid>.heap` per process, replaced each time the heap grows 3% past the
// last dump (see native/peak-dump.c for why not jemalloc's prof_gdump).
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { packagePath } from "../core/package-root.js";
import { findPreloadMismatches, readElfFile, type ElfFile } from "../elf/index.js";

export const PEAK_PREFIX_VARIABLE = "ALLOCRUN_PEAK_PREFIX";
const PEAK_LIBRARY_PATH = packagePath("native/build/liballocrun-peak.so");
/** `peak.<pid>.heap`: what the library writes under the shipped presets' prefix. */
export const PEAK_DUMP_NAME = /(?:^|\.)peak\.(\d+)\.heap$/;

export interface PeakCapturePlan {
  /** The variables with the library appended to LD_PRELOAD, or unchanged. */
  vars: Record<string, string>;
  warning?: string;
}

/**
 * Adds the peak-capture library when the variables ask for it and it can load into the
 * program (same ELF class and machine); otherwise says why the run profiles the exit only.
 */
export function planPeakCapture(vars: Record<string, string>, program: Pick<ElfFile, "bits" | "machine" | "interpreter" | "needed"> | undefined): PeakCapturePlan {
  if (!vars[PEAK_PREFIX_VARIABLE]) return { vars };
  if (!existsSync(PEAK_LIBRARY_PATH)) {
    return { vars, warning: "no heap profile at the peak: the peak-capture library is not built (run `node scripts/build-native.mjs` with a C compiler installed); the exit profile is still written" };
  }
  if (program !== undefined) {
    let library: ElfFile | undefined;
    try {
      library = readElfFile(PEAK_LIBRARY_PATH).elf;
    } catch {
      library = undefined;
    }
    if (library === undefined || findPreloadMismatches(program, library).length > 0) {
      return { vars, warning: "no heap profile at the peak: the peak-capture library does not fit this program (another ELF class, machine or C library); the exit profile is still written" };
    }
  }
  const preload = vars.LD_PRELOAD ? `${vars.LD_PRELOAD} ${PEAK_LIBRARY_PATH}` : PEAK_LIBRARY_PATH;
  return { vars: { ...vars, LD_PRELOAD: preload } };
}

/** A dump cut short by the program's end leaves `<name>.heap.tmp`: allocrun's own partial file. */
export function removePartialPeakDumps(runDir: string): void {
  for (const name of readdirSync(runDir)) {
    if (name.endsWith(".heap.tmp") && PEAK_DUMP_NAME.test(name.slice(0, -4))) rmSync(join(runDir, name), { force: true });
  }
}
