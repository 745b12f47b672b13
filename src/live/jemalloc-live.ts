// jemalloc in a running process, through mallctl: is profiling compiled in and enabled,
// dump the heap profile to a file (prof.dump), pause or resume sampling (prof.active),
// and read the statistics totals after refreshing them (epoch).
import { environmentError } from "../core/errors.js";
import type { GdbCall, GdbCallResult, GdbSessionOptions } from "./gdb-session.js";
import { callInTarget, type LiveTarget } from "./live-target.js";
import { EFAULT, decodeNumber, decodeReturn, decodeString, mallctlExchange, mallctlRead, mallctlWriteString } from "./mallctl.js";
import type { LiveStats } from "./live-stats.js";

export interface JemallocProfiling {
  /** Built with --enable-prof. */
  configProf: boolean;
  /** Started with prof:true. */
  optProf: boolean;
  /** Sampling right now; undefined when profiling is off. */
  profActive: boolean | undefined;
  /** 2^lg_prof_sample bytes between samples on average. */
  lgProfSample: number | undefined;
  version: string | undefined;
}

function profilingProbe(prefix: string): GdbCall[] {
  return [
    mallctlRead(prefix, "config.prof", "config.prof", "bool"),
    mallctlRead(prefix, "opt.prof", "opt.prof", "bool"),
    mallctlRead(prefix, "prof.active", "prof.active", "bool"),
    mallctlRead(prefix, "opt.lg_prof_sample", "opt.lg_prof_sample", "size_t"),
    mallctlRead(prefix, "version", "version", "string"),
  ];
}

function decodeProfiling(results: Map<string, GdbCallResult>): JemallocProfiling {
  if (results.get("config.prof")?.error !== undefined) {
    throw environmentError(`gdb could not call mallctl: ${results.get("config.prof")?.error}`, "the allocator's mallctl symbol must be visible (an unstripped binary or a shared libjemalloc)");
  }
  const optProf = decodeNumber(results, "opt.prof", "bool").value === 1;
  return {
    configProf: decodeNumber(results, "config.prof", "bool").value === 1,
    optProf,
    profActive: optProf ? decodeNumber(results, "prof.active", "bool").value === 1 : undefined,
    lgProfSample: decodeNumber(results, "opt.lg_prof_sample", "size_t").value,
    version: decodeString(results, "version").value,
  };
}

/** How to start this program so that profiling can be used later. */
function howToStart(target: LiveTarget): string {
  if (target.allocator.symbolPrefix === "_rjem_") return "restart it with _RJEM_MALLOC_CONF=prof:true,prof_active:false (tikv-jemallocator built with its \"profiling\" feature)";
  if (target.allocator.isEmbedded) return "restart it with MALLOC_CONF=prof:true,prof_active:false";
  return "restart it with allocrun --jemalloc --prof --conf prof_active:false -- PROGRAM (sampling off until allocrun prof PID on)";
}

function requireProfiling(target: LiveTarget, profiling: JemallocProfiling): void {
  const who = `process ${target.process.pid} (${target.process.name})`;
  if (!profiling.configProf) {
    const build = target.allocator.symbolPrefix === "_rjem_" ? "enable tikv-jemallocator's \"profiling\" feature" : "use a jemalloc built with --enable-prof (Debian/Ubuntu's libjemalloc2 on amd64 is)";
    throw environmentError(`the jemalloc in ${who} was built without profiling (config.prof is false)`, build);
  }
  if (!profiling.optProf) {
    throw environmentError(`${who} was started without jemalloc profiling (opt.prof is false), which cannot be turned on later`, howToStart(target));
  }
}

export interface JemallocDump {
  profiling: JemallocProfiling;
  warnings: string[];
}

/**
 * Makes the process write its heap profile to `pathInTarget` (a path as the process sees
 * it, which it must be allowed to create).
 */
export async function dumpJemallocHeap(target: LiveTarget, pathInTarget: string, options: GdbSessionOptions = {}): Promise<JemallocDump> {
  const prefix = target.allocator.symbolPrefix;
  const results = await callInTarget(target, [...profilingProbe(prefix), mallctlWriteString(prefix, "prof.dump", "prof.dump", pathInTarget)], options);
  const profiling = decodeProfiling(results);
  requireProfiling(target, profiling);
  const code = decodeReturn(results, "prof.dump");
  if (code !== 0) {
    const reason = code === EFAULT ? `could not write ${pathInTarget}` : `returned error ${code}`;
    throw environmentError(`jemalloc in process ${target.process.pid} ${reason}`, `process ${target.process.pid} (uid ${target.process.uid}) must be able to create files in its /tmp`);
  }
  const warnings = profiling.profActive === false ? [`sampling is paused (prof.active is false): the dump holds only what was sampled while it was on; resume with allocrun prof ${target.process.pid} on`] : [];
  return { profiling, warnings };
}

export interface ProfActiveChange {
  before: boolean;
  after: boolean;
  profiling: JemallocProfiling;
}

/** Sets prof.active (sampling on or off) and returns the previous state. */
export async function setJemallocProfActive(target: LiveTarget, active: boolean, options: GdbSessionOptions = {}): Promise<ProfActiveChange> {
  const prefix = target.allocator.symbolPrefix;
  const results = await callInTarget(target, [...profilingProbe(prefix), mallctlExchange(prefix, "set.prof.active", "prof.active", "bool", active ? 1 : 0)], options);
  const profiling = decodeProfiling(results);
  requireProfiling(target, profiling);
  const exchanged = decodeNumber(results, "set.prof.active", "bool");
  if (exchanged.code !== 0 || exchanged.value === undefined) {
    throw environmentError(`jemalloc in process ${target.process.pid} refused to set prof.active (error ${exchanged.code})`, howToStart(target));
  }
  return { before: exchanged.value === 1, after: active, profiling: { ...profiling, profActive: active } };
}

const STATS: Array<[string, string]> = [
  ["allocated", "bytes in live allocations (usable sizes)"],
  ["active", "pages of active extents: allocated plus the unused rest of those pages"],
  ["metadata", "the allocator's own bookkeeping"],
  ["resident", "upper bound of physically resident pages it holds (data, metadata, dirty)"],
  ["mapped", "bytes of active extents mapped"],
  ["retained", "virtual memory kept instead of unmapped (not resident)"],
];

/** Reads stats.* after writing epoch, so the totals are current. */
export async function readJemallocStats(target: LiveTarget, options: GdbSessionOptions = {}): Promise<LiveStats> {
  const prefix = target.allocator.symbolPrefix;
  const calls = [
    mallctlExchange(prefix, "epoch", "epoch", "size_t", 1),
    ...STATS.map(([name]) => mallctlRead(prefix, `stats.${name}`, `stats.${name}`, "size_t")),
    ...profilingProbe(prefix),
  ];
  const results = await callInTarget(target, calls, options);
  const profiling = decodeProfiling(results);
  const figures = STATS.map(([name, meaning]) => ({ name, bytes: decodeNumber(results, `stats.${name}`, "size_t").value, meaning }));
  if (figures.every((figure) => figure.bytes === undefined)) {
    throw environmentError(`the jemalloc in process ${target.process.pid} keeps no statistics (built with --disable-stats)`, "use a jemalloc built with statistics (the default)");
  }
  const sampling = profiling.lgProfSample === undefined ? "" : `, a sample every ~${2 ** profiling.lgProfSample} bytes`;
  const profilingNote = !profiling.configProf
    ? "profiling: not compiled in"
    : !profiling.optProf
      ? "profiling: off (not started with prof:true)"
      : `profiling: ${profiling.profActive ? "sampling" : "paused (prof.active false)"}${sampling}`;
  return {
    allocator: "jemalloc",
    version: profiling.version ?? null,
    figures: figures.filter((figure): figure is { name: string; bytes: number; meaning: string } => figure.bytes !== undefined),
    notes: [profilingNote],
  };
}
