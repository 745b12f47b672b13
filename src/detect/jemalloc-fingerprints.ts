// Strings that identify jemalloc builds (allocator-knobs.md §1.4, §1.5), shared by the
// library check and the embedded-allocator check.

/**
 * Present only in jemalloc builds with --enable-prof (release builds drop the dead code).
 * Meaningful for jemalloc only: gperftools writes the same heap_v2 format.
 */
export const JEMALLOC_PROFILING_STRINGS = ["heap_v2/%", "MAPPED_LIBRARIES:"] as const;
