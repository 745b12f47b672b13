// Heap sample types and the un-sampling both heap formats share (profile-formats.md §1.3
// and §2.3): the factors jeprof's AdjustSamples and Go pprof's scaleHeapSample apply to
// each "count: bytes" pair independently.
import { sampleTypeIndex, type Profile, type ValueType } from "../model.js";

export const ALLOC_OBJECTS: ValueType = { type: "alloc_objects", unit: "count" };
export const ALLOC_SPACE: ValueType = { type: "alloc_space", unit: "bytes" };
export const INUSE_OBJECTS: ValueType = { type: "inuse_objects", unit: "count" };
export const INUSE_SPACE: ValueType = { type: "inuse_space", unit: "bytes" };
export const SPACE_PERIOD: ValueType = { type: "space", unit: "bytes" };

/** jeprof's and pprof's sampling period when the file names none. */
export const DEFAULT_HEAP_PERIOD_BYTES = 128 * 1024;

/**
 * Poisson sampling (jemalloc heap_v2, tcmalloc heap_v2/R): an allocation of s bytes was
 * sampled with probability 1 - exp(-s/R), so multiply by 1 / (1 - exp(-(bytes/count)/R)).
 */
export function poissonScale(count: number, bytes: number, periodBytes: number): number {
  if (count === 0 || bytes === 0 || periodBytes <= 1) return 1;
  // -expm1(-x) is 1 - exp(-x) without the cancellation that makes it 0 for tiny x.
  return 1 / -Math.expm1(-(bytes / count) / periodBytes);
}

/** Old remote-heap sampling (heap/P): objects smaller than the period are scaled up. */
export function v1Scale(count: number, bytes: number, periodBytes: number): number {
  if (count === 0 || bytes === 0) return 1;
  const ratio = bytes / count / periodBytes;
  return ratio < 1 ? 1 / ratio : 1;
}

/** The (objects, space) columns of the in-use pair, then of the alloc pair, that the profile has. */
export function objectSpacePairs(profile: Pick<Profile, "sampleTypes">): [number, number][] {
  return [
    [sampleTypeIndex(profile, INUSE_OBJECTS.type), sampleTypeIndex(profile, INUSE_SPACE.type)],
    [sampleTypeIndex(profile, ALLOC_OBJECTS.type), sampleTypeIndex(profile, ALLOC_SPACE.type)],
  ].filter(([objects, space]) => objects !== -1 && space !== -1) as [number, number][];
}

/**
 * The numeric label "bytes" of a sample with these values: its average object size, as
 * pprof's legacy heap parser gives it, from the in-use pair, or the alloc pair when nothing
 * is in use (`pairs`: objectSpacePairs of the profile); undefined when it counts no object.
 */
export function averageObjectSizeLabel(pairs: readonly [number, number][], values: readonly number[]): number | undefined {
  for (const [objects, space] of pairs) {
    const count = values[objects] ?? 0;
    if (count > 0) return Math.round((values[space] ?? 0) / count);
  }
  return undefined;
}
