// bin/allocrun.js keeps a V8 code cache of main.cjs, holding the functions that the run
// which wrote it compiled. A later run that went further through the run path than that
// writer says so here, and bin writes the cache again at exit (see bin/allocrun.js).
const CODE_CACHE_COVERAGE = Symbol.for("allocrun.codeCacheCoverage");

/** 1: a program was run; 2: with a preloaded allocator (the checks, the library lookup). */
export type CodeCacheCoverage = 1 | 2;

export function noteCodeCacheCoverage(coverage: CodeCacheCoverage): void {
  (globalThis as Record<symbol, unknown>)[CODE_CACHE_COVERAGE] = coverage;
}
