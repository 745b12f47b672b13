// The allocators allocrun knows, by the name users type.
export const ALLOCATOR_NAMES = ["glibc", "jemalloc", "tcmalloc", "tcmalloc-minimal", "mimalloc"] as const;
export type AllocatorName = (typeof ALLOCATOR_NAMES)[number];

export function isAllocatorName(value: string): value is AllocatorName {
  return (ALLOCATOR_NAMES as readonly string[]).includes(value);
}

/** Libraries allocrun may preload that are not allocators themselves. */
export const HELPER_LIBRARY_NAMES = ["profiler", "memusage"] as const;
export type HelperLibraryName = (typeof HELPER_LIBRARY_NAMES)[number];

export type LibraryName = Exclude<AllocatorName, "glibc"> | HelperLibraryName;
