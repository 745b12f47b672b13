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
