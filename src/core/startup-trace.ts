// Where a run's start-up time goes, for bench/startup-phases.mjs: with
// ALLOCRUN_TRACE_STARTUP=FILE, bin/allocrun.js keeps a list of (phase, ms since the process
// began) under this symbol and appends it to FILE as one JSON line at exit. Without the
// variable the list does not exist and a mark costs one global lookup.
const STARTUP_TRACE = Symbol.for("allocrun.startupTrace");

/** Notes that `phase` begins now. */
export function markStartupPhase(phase: string): void {
  const marks = (globalThis as Record<symbol, Array<[string, number]> | undefined>)[STARTUP_TRACE];
  if (marks !== undefined) marks.push([phase, performance.now()]);
}
