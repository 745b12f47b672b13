// jemalloc reads MALLOC_CONF when it loads, prints "<jemalloc>: Invalid conf value: …" (or
// "Invalid conf pair") on the program's stderr and carries on with its default. allocrun
// must not read the program's stderr for that, so it asks the library itself first: one
// /bin/sh -c : with the library preloaded and the run's MALLOC_CONF (about 2–5 ms), with
// every option that would write a file or print a report switched off afterwards (jemalloc
// reads pairs in order, so each user pair is still checked before it is overridden).
import { childProcess } from "../core/lazy-builtins.js";

const SILENCING_OPTIONS = [
  "prof_active:false", "prof_final:false", "prof_leak:false", "prof_gdump:false", "lg_prof_interval:-1",
  "prof_log:false", "stats_print:false", "stats_interval:-1", "confirm_conf:false", "abort_conf:false",
  "prof_prefix:/nonexistent-allocrun-probe/jeprof",
].join(",");

const COMPLAINT = /^<jemalloc>: (Invalid conf (?:value|pair).*)$/;

/** What jemalloc says about `mallocConf` when `libraryPath` loads it: one line per complaint. */
export function probeJemallocConf(libraryPath: string, mallocConf: string): string[] {
  const probe = childProcess().spawnSync("/bin/sh", ["-c", ":"], {
    env: { LD_PRELOAD: libraryPath, MALLOC_CONF: `${mallocConf},${SILENCING_OPTIONS}` },
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    timeout: 5000,
  });
  const complaints = (probe.stderr ?? "").split("\n").flatMap((line) => COMPLAINT.exec(line)?.[1] ?? []);
  return [...new Set(complaints)].map((complaint) => `jemalloc ignores part of MALLOC_CONF — ${complaint} (it keeps its default for that option)`);
}
