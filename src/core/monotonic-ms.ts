// Milliseconds on a monotonic clock, like performance.now() but without its cost on the
// run path: the global `performance` loads node:perf_hooks (~2 ms) on first use, while
// process.hrtime is built in. Only differences between two readings mean anything.
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
