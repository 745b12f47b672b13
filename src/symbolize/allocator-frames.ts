// Heap profiles record the allocator's own frames (jemalloc's backtrace and malloc entry,
// tcmalloc's hooks) on top of every stack. They are dropped so the first frame is the
// program's caller, as jeprof intends — decided by the object a frame is in, never by its
// (possibly wrong) name. The one exception is the C++ runtime's `operator new`, a
// forwarding entry point in libstdc++/libc++ whose name comes from an exact symbol match.
import { basename } from "node:path";
import type { Location, Profile, Sample, SampleColumns } from "../profile/model.js";
import { withColumns } from "../profile/sample-columns.js";

const ALLOCATOR_OBJECT = /^lib(jemalloc|tcmalloc(_minimal|_debug|_and_profiler|_minimal_debug)?|profiler|mimalloc(-[a-z]+)?|hoard|rpmalloc|snmalloc\w*)\.so(\.|$)/;
const CXX_RUNTIME_OBJECT = /^lib(stdc\+\+|c\+\+)\.so(\.|$)/;
const OPERATOR_NEW = /^operator new(\[\])?$/;
const EMBEDDED_ALLOCATOR_FUNCTION = /^_rjem_/;

/** True when the object at this path is a memory allocator (or its profiler). */
export function isAllocatorObject(path: string): boolean {
  return ALLOCATOR_OBJECT.test(basename(path));
}

/** Heap profiles carry allocator frames; CPU profiles' allocator frames are real work. */
export function isHeapProfile(profile: Profile): boolean {
  if (profile.format === "jemalloc-heap" || profile.format === "gperftools-heap") return true;
  return profile.sampleTypes.some((type) => type.unit === "bytes");
}

/**
 * Samples without their leading allocator frames. Stacks made only of allocator frames
 * (the allocator's own bookkeeping) are kept whole, so no weight disappears.
 */
export function dropAllocatorFrames(profile: Profile): Profile {
  if (!isHeapProfile(profile)) return profile;
  const mappingFile = new Map(profile.mappings.map((mapping) => [mapping.id, mapping.file]));
  const functionName = new Map(profile.functions.map((fn) => [fn.id, fn.name]));
  const isAllocatorLocation = (location: Location): boolean => {
    const file = mappingFile.get(location.mappingId) ?? "";
    if (isAllocatorObject(file)) return true;
    const outer = location.lines[location.lines.length - 1];
    const name = outer === undefined ? "" : (functionName.get(outer.functionId) ?? "");
    // A jemalloc compiled into the program by tikv-jemallocator: its functions are _rjem_*.
    if (EMBEDDED_ALLOCATOR_FUNCTION.test(name)) return true;
    return CXX_RUNTIME_OBJECT.test(basename(file)) && OPERATOR_NEW.test(name);
  };
  // Decided once per location, not once per frame of every stack.
  const droppable = new Set<number>();
  for (const location of profile.locations) if (isAllocatorLocation(location)) droppable.add(location.id);
  const isDroppable = (locationId: number): boolean => droppable.has(locationId);
  if (profile.columns !== undefined) return withColumns(profile, dropFromColumns(profile.columns, isDroppable));
  const samples = profile.samples.map((sample): Sample => {
    let first = 0;
    while (first < sample.locationIds.length && isDroppable(sample.locationIds[first] as number)) first++;
    if (first === 0 || first === sample.locationIds.length) return sample;
    return { ...sample, locationIds: sample.locationIds.slice(first) };
  });
  return { ...profile, samples };
}

/** The same on columns: each stack starts later, over the same location ids. */
function dropFromColumns(columns: SampleColumns, isDroppable: (locationId: number) => boolean): SampleColumns {
  const { locationIds, ends } = columns;
  const starts = new Uint32Array(columns.starts);
  for (let k = 0; k < columns.count; k++) {
    const end = ends[k] as number;
    let first = starts[k] as number;
    while (first < end && isDroppable(locationIds[first] as number)) first++;
    if (first < end) starts[k] = first;
  }
  return { ...columns, starts };
}
