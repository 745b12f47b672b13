// Allocator versions, read from the library itself: jemalloc and gperftools embed a
// version string; mimalloc's real file name carries it (libmimalloc.so.2.0); glibc's
// libc.so.6 says "release version 2.36".
import { basename } from "node:path";
import type { AllocatorName } from "../core/allocators.js";

/** "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c" (git describe of the release). */
const JEMALLOC_VERSION = /\d+\.\d+\.\d+-\d+-g[0-9a-f]{7,40}/;
/** TC_VERSION_STRING: "gperftools 2.10". */
const GPERFTOOLS_VERSION = /gperftools (\d+\.\d+(?:\.\d+)?)/;
const GLIBC_VERSION = /GNU C Library[^\n]*?release version (\d+\.\d+(?:\.\d+)?)/;

/** The version of an allocator library, or undefined when it does not say. */
export function readLibraryVersion(allocator: AllocatorName, realPath: string, bytes: Buffer): string | undefined {
  switch (allocator) {
    case "jemalloc":
      return matchAround(bytes, "-g", JEMALLOC_VERSION)?.[0];
    case "tcmalloc":
    case "tcmalloc-minimal":
      return matchAround(bytes, "gperftools ", GPERFTOOLS_VERSION)?.[1];
    case "mimalloc":
      // libmimalloc.so.2.0 → "2.0"; the soname symlink itself (libmimalloc.so.2) says less.
      return /\.so\.(\d+(?:\.\d+)+)$/.exec(basename(realPath))?.[1];
    case "glibc":
      return matchAround(bytes, "GNU C Library", GLIBC_VERSION)?.[1];
  }
}

/** Bytes either side of an anchor that a version string can span. */
const WINDOW_BYTES = 160;

/**
 * The first match of `pattern` in a window around an occurrence of `anchor`, which the
 * pattern must contain. Buffer.indexOf finds the few anchors far faster than a regular
 * expression scans the whole library as a string (the run path reads the version).
 */
function matchAround(bytes: Buffer, anchor: string, pattern: RegExp): RegExpMatchArray | undefined {
  for (let at = bytes.indexOf(anchor); at !== -1; at = bytes.indexOf(anchor, at + 1)) {
    const match = bytes.toString("latin1", Math.max(0, at - WINDOW_BYTES), at + anchor.length + WINDOW_BYTES).match(pattern);
    if (match) return match;
  }
  return undefined;
}
