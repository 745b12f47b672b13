// The allocator library's own version for the manifest, read after the program exited so
// that start-up does not pay for reading the library.
import { readFileSync, realpathSync } from "node:fs";
import type { AllocatorName } from "../core/allocators.js";
import { readLibraryVersion } from "../detect/library-version.js";

/** "5.3.0-0-g54eaed1d…" for Debian's jemalloc; null for glibc or when the library does not say. */
export function readAllocatorVersion(allocator: AllocatorName, library: string | null): string | null {
  if (library === null || allocator === "glibc") return null;
  try {
    const realPath = realpathSync(library);
    return readLibraryVersion(allocator, realPath, readFileSync(realPath)) ?? null;
  } catch {
    return null;
  }
}
