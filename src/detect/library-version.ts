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
      return bytes.toString("latin1").match(JEMALLOC_VERSION)?.[0];
    case "tcmalloc":
    case "tcmalloc-minimal":
      return bytes.toString("latin1").match(GPERFTOOLS_VERSION)?.[1];
    case "mimalloc":
      // libmimalloc.so.2.0 → "2.0"; the soname symlink itself (libmimalloc.so.2) says less.
      return /\.so\.(\d+(?:\.\d+)+)$/.exec(basename(realPath))?.[1];
    case "glibc":
      return bytes.toString("latin1").match(GLIBC_VERSION)?.[1];
  }
}
