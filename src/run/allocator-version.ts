// The allocator library's own version for the manifest, read after the program exited so
// that start-up does not pay for reading the library, and kept in the ELF facts cache.
import { readFileSync, realpathSync } from "node:fs";
import type { AllocatorName } from "../core/allocators.js";
import { basename } from "node:path";
import { defaultElfFactsCache } from "../detect/elf-facts-cache.js";
import { readLibraryVersion } from "../detect/library-version.js";

/** "5.3.0-0-g54eaed1d…" for Debian's jemalloc; null for glibc or when the library does not say. */
export function readAllocatorVersion(allocator: AllocatorName, library: string | null): string | null {
  if (library === null || allocator === "glibc") return null;
  try {
    const realPath = realpathSync(library);
    const facts = defaultElfFactsCache().open(realPath);
    // By the file's name too: mimalloc's version is in it, and a hard link may have another.
    const version = facts.answer(`version:${allocator}:${basename(realPath)}`, () => readLibraryVersion(allocator, realPath, readFileSync(realPath)) ?? null);
    facts.save();
    return version;
  } catch {
    return null;
  }
}
