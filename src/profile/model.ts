// The one profile model every parser produces and every report consumes. It follows
// pprof's profile.proto (samples -> locations -> lines -> functions, locations in
// mappings) so the pprof export is a straight mapping.

export interface ValueType {
  /** pprof vocabulary: inuse_space, inuse_objects, alloc_space, alloc_objects, samples, cpu. */
  type: string;
  /** bytes, count, nanoseconds. */
  unit: string;
}

export interface Mapping {
  id: number;
  /** First address of the mapping in the process. */
  start: number;
  /** One past the last address. */
  limit: number;
  /** File offset of `start`. */
  offset: number;
  /** Path of the mapped object as the process saw it ("" for anonymous). */
  file: string;
  /** NT_GNU_BUILD_ID as lower-case hex, when known. */
  buildId?: string;
  /** Mapping permissions contained "x". */
  isExecutable: boolean;
}

export interface Line {
  functionId: number;
  /** 0 when unknown. */
  line: number;
}

export interface Location {
  id: number;
  /** 0 when the address is in no known mapping. */
  mappingId: number;
  /** The address as recorded in the profile (never adjusted). */
  address: number;
  /**
   * True when `address` is a return address (symbolize address - 1). False only for the
   * interrupted PC of a CPU sample.
   */
  isReturnAddress: boolean;
  /** Innermost (inlined callee) first; empty until symbolized. */
  lines: Line[];
}

export interface FunctionInfo {
  id: number;
  /** Demangled, human name. */
  name: string;
  /** Name as stored in the object (mangled). */
  systemName: string;
  /** Source file, "" when unknown. */
  filename: string;
}

export interface Sample {
  /** Leaf first, as in pprof. */
  locationIds: number[];
  /** One value per entry of Profile.sampleTypes, already un-sampled (may be fractional). */
  values: number[];
  /** Numeric labels, e.g. bytes (average object size) or thread. */
  numLabels?: Record<string, number>;
  /** String labels, e.g. thread name. */
  labels?: Record<string, string>;
}

/** One thread's share of a heap profile (jemalloc heap_v2 thread lines), un-sampled. */
export interface ThreadTotals {
  /** The allocator's thread id (jemalloc: internal counter, 0 = first thread that allocated). */
  id: number;
  /** Thread name, when the allocator recorded one. */
  name?: string;
  /** One value per entry of Profile.sampleTypes: the sum of this thread's per-stack lines. */
  values: number[];
}

/**
 * Samples as columns, as the text parsers collect them: a million stacks are a few typed
 * arrays here, and ~320 MB as Sample objects. Stack k is locationIds[starts[k] .. ends[k]),
 * leaf first; its values are values[k * valueCount ..] in the order of sampleTypes.
 */
export interface SampleColumns {
  count: number;
  locationIds: Uint32Array;
  starts: Uint32Array;
  ends: Uint32Array;
  values: Float64Array;
  valueCount: number;
  /** Each sample is labelled with its average object size, numLabels.bytes (heap formats). */
  labelObjectSize: boolean;
}

export type ProfileFormat = "jemalloc-heap" | "gperftools-heap" | "gperftools-cpu" | "pprof";

export interface Profile {
  format: ProfileFormat;
  sampleTypes: ValueType[];
  /** The sample type shown when the user asks for nothing else. */
  defaultSampleType: string;
  /** Made from `columns` on first read when the profile has them (see sample-columns.ts). */
  samples: Sample[];
  /** The samples as columns, for the analyses that walk them (not enumerable: a spread drops it). */
  columns?: SampleColumns;
  locations: Location[];
  functions: FunctionInfo[];
  mappings: Mapping[];
  periodType?: ValueType;
  /** Sampling period in periodType units (1 when every event was recorded). */
  period: number;
  /** Wall time covered, when the format says (CPU profiles). */
  durationNanos?: number;
  /** Free-form notes from the file (e.g. gperftools %warn lines). */
  comments: string[];
  /** Per-thread totals, when the format records them (jemalloc heap_v2). */
  threads?: ThreadTotals[];
}

/** Index of a sample type by name, or -1. */
export function sampleTypeIndex(profile: Pick<Profile, "sampleTypes">, type: string): number {
  return profile.sampleTypes.findIndex((t) => t.type === type);
}
