// The allocators allocrun knows, by the name users type.
import { findClosestNames } from "./closest-names.js";
import { usageError } from "./errors.js";

export const ALLOCATOR_NAMES = ["glibc", "jemalloc", "tcmalloc", "tcmalloc-minimal", "mimalloc"] as const;
export type AllocatorName = (typeof ALLOCATOR_NAMES)[number];

export function isAllocatorName(value: string): value is AllocatorName {
  return (ALLOCATOR_NAMES as readonly string[]).includes(value);
}

export function unknownAllocatorError(name: string, flagName = "--allocator") {
  const suggestion = findClosestNames(name, ALLOCATOR_NAMES, 1)[0];
  return usageError(
    `unknown allocator "${name}" for ${flagName}`,
    suggestion ? `did you mean "${suggestion}"? (known: ${ALLOCATOR_NAMES.join(", ")})` : `known: ${ALLOCATOR_NAMES.join(", ")}`,
  );
}

/** Libraries allocrun may preload that are not allocators themselves. */
export const HELPER_LIBRARY_NAMES = ["profiler", "memusage"] as const;
export type HelperLibraryName = (typeof HELPER_LIBRARY_NAMES)[number];

export type LibraryName = Exclude<AllocatorName, "glibc"> | HelperLibraryName;
