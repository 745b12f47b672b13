// Which environment variables allocrun understands: the allocators' and profilers' own
// (and the loader's LD_PRELOAD). Their values change memory use and are never secrets,
// so manifests record them; any other variable's value is recorded only when asked.

const MEMORY_VARIABLE = new RegExp(
  [
    "^LD_PRELOAD$",
    "^GLIBC_TUNABLES$",
    "^MALLOC_", // glibc (MALLOC_ARENA_MAX, MALLOC_TOP_PAD_, …) and jemalloc's MALLOC_CONF
    "^_RJEM_MALLOC_CONF$", // Rust tikv-jemallocator
    "^JE_MALLOC_CONF$",
    "^MIMALLOC_",
    "^TCMALLOC_",
    "^HEAPPROFILE$",
    "^HEAP_PROFILE_",
    "^HEAPCHECK$",
    "^HEAP_CHECK_",
    "^CPUPROFILE",
    "^PERFTOOLS_",
    "^PPROF_PATH$",
    "^MALLOCSTATS$",
    "^MEMUSAGE_",
  ].join("|"),
);

/** True for a variable of an allocator, a heap or CPU profiler, or the loader's preload list. */
export function isMemoryVariable(name: string): boolean {
  return MEMORY_VARIABLE.test(name);
}

/** Locale variables: they change how much text programs keep (gawk's peak differs by 17% between C and C.UTF-8). */
export function isLocaleVariable(name: string): boolean {
  return name === "LANG" || name === "LANGUAGE" || name.startsWith("LC_");
}

/** What a manifest shows for a value it does not record. */
export const REDACTED_VALUE = "<set>";

/** The variables as a manifest records them: names always, values only of memory and locale
 * variables unless `recordValues`. */
export function redactVariables(variables: Record<string, string>, recordValues: boolean): Record<string, string> {
  if (recordValues) return { ...variables };
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) shown[name] = isMemoryVariable(name) || isLocaleVariable(name) ? value : REDACTED_VALUE;
  return shown;
}
