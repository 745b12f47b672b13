// What the dynamic loader makes of a file: can LD_PRELOAD reach it, and which libc's
// loader runs it (distro-paths.md §5.2, §5.4).
import type { ElfFile } from "./types.js";

export type LoaderFamily = "glibc" | "musl" | "unknown";

/** LD_PRELOAD only applies when ld.so starts the program, i.e. PT_INTERP is present. */
export function isPreloadable(elf: Pick<ElfFile, "interpreter">): boolean {
  return elf.interpreter !== undefined;
}

/**
 * The C library family, from the interpreter path (programs) or, for shared libraries
 * without PT_INTERP, from the libc they need.
 */
export function loaderFamily(elf: Pick<ElfFile, "interpreter" | "needed">): LoaderFamily {
  const interpreter = elf.interpreter;
  if (interpreter !== undefined) {
    if (/ld-musl-/.test(interpreter)) return "musl";
    if (/\/ld-linux[^/]*\.so|\/ld64\.so|\/ld\.so\.\d/.test(interpreter)) return "glibc";
    return "unknown";
  }
  if (elf.needed.some((name) => /^libc\.musl-/.test(name) || name === "libc.so")) return "musl";
  if (elf.needed.includes("libc.so.6")) return "glibc";
  return "unknown";
}

export type PreloadMismatch = "abi" | "libc";

/**
 * Why `library` cannot be preloaded into `program`: another ELF class or machine (the
 * loader skips it), or another C library (a glibc library in a musl program is fatal).
 * A side whose C library is unknown (e.g. no DT_NEEDED read) is not judged on it.
 */
export function findPreloadMismatches(
  program: Pick<ElfFile, "bits" | "machine" | "interpreter" | "needed">,
  library: Pick<ElfFile, "bits" | "machine" | "interpreter" | "needed">,
): PreloadMismatch[] {
  const mismatches: PreloadMismatch[] = [];
  if (program.bits !== library.bits || program.machine !== library.machine) mismatches.push("abi");
  const programLibc = loaderFamily(program);
  const libraryLibc = loaderFamily(library);
  if (programLibc !== "unknown" && libraryLibc !== "unknown" && programLibc !== libraryLibc) mismatches.push("libc");
  return mismatches;
}
