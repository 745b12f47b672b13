// Profiles whose samples stay in columns (SampleColumns) until something asks for Sample
// objects: the analyses read the columns, and `samples` is made from them on first read,
// so the reports, the pprof export and the tests see the same profile as before. Copies
// keep this: copyProfile carries the lazy `samples` and the columns over without making
// the objects, where a spread would.
import type { Profile, Sample, SampleColumns } from "./model.js";
import { averageObjectSizeLabel, objectSpacePairs } from "./parse/heap-sampling.js";

/** `base` with samples made from `columns` when first read. */
export function profileWithColumns(base: Omit<Profile, "samples" | "columns">, columns: SampleColumns): Profile {
  let made: Sample[] | undefined;
  const profile = { ...base } as Profile;
  Object.defineProperty(profile, "samples", {
    enumerable: true,
    configurable: true,
    get: () => (made ??= makeSamples(profile, columns)),
    // Samples set from outside replace the columns, which would no longer say the same, on
    // the object set (a copy shares this accessor).
    set(this: Profile, samples: Sample[]) {
      Object.defineProperty(this, "samples", { value: samples, writable: true, enumerable: true, configurable: true });
      Object.defineProperty(this, "columns", { value: undefined, enumerable: false, configurable: true });
    },
  });
  Object.defineProperty(profile, "columns", { value: columns, enumerable: false, configurable: true });
  return profile;
}

/** A copy of `profile` with `changes`; lazy samples stay lazy. */
export function copyProfile(profile: Profile, changes: Partial<Omit<Profile, "samples" | "columns">>): Profile {
  return Object.assign(Object.defineProperties({}, Object.getOwnPropertyDescriptors(profile)) as Profile, changes);
}

/** A copy of `profile` whose samples are `columns` (made lazily). */
export function withColumns(profile: Profile, columns: SampleColumns): Profile {
  const descriptors = Object.getOwnPropertyDescriptors(profile) as PropertyDescriptorMap;
  delete descriptors.samples;
  delete descriptors.columns;
  return profileWithColumns(Object.defineProperties({}, descriptors) as Omit<Profile, "samples" | "columns">, columns);
}

/** Makes the Sample objects of stacks from columns, one by one. */
function sampleMaker(profile: Profile, columns: SampleColumns): (k: number) => Sample {
  const { locationIds: ids, starts, ends, values, valueCount } = columns;
  // Which values give the object size is the same for every sample: worked out once.
  const pairs = columns.labelObjectSize ? objectSpacePairs(profile) : undefined;
  return (k) => {
    const start = starts[k] as number;
    const locationIds = new Array<number>((ends[k] as number) - start);
    for (let i = 0; i < locationIds.length; i++) locationIds[i] = ids[start + i] as number;
    const sampleValues = new Array<number>(valueCount);
    for (let i = 0; i < valueCount; i++) sampleValues[i] = values[k * valueCount + i] as number;
    const sample: Sample = { locationIds, values: sampleValues };
    const bytes = pairs === undefined ? undefined : averageObjectSizeLabel(pairs, sampleValues);
    if (bytes !== undefined) sample.numLabels = { bytes };
    return sample;
  };
}

function makeSamples(profile: Profile, columns: SampleColumns): Sample[] {
  const make = sampleMaker(profile, columns);
  return Array.from({ length: columns.count }, (_, k) => make(k));
}

/** How many samples the profile has, without making them. */
export function sampleCount(profile: Profile): number {
  return profile.columns?.count ?? profile.samples.length;
}

/** Each sample in turn; from columns, each is made for the call only (pprof export: one at a time). */
export function forEachSample(profile: Profile, visit: (sample: Sample, index: number) => void): void {
  const { columns } = profile;
  if (columns === undefined) {
    profile.samples.forEach((sample, index) => visit(sample, index));
    return;
  }
  const make = sampleMaker(profile, columns);
  for (let k = 0; k < columns.count; k++) visit(make(k), k);
}

/** The values at `index` (a sample type's) of every sample, in order. */
export function valuesOf(profile: Profile, index: number): number[] {
  const samples = sampleView(profile, index);
  return Array.from({ length: samples.count }, (_, k) => samples.value(k));
}

/** One sample type of a profile's samples, read from its columns when it has them. */
export interface SampleView {
  count: number;
  value(k: number): number;
  /** The array holding stack k's location ids, from start(k) to end(k). */
  locationIds(k: number): ArrayLike<number>;
  start(k: number): number;
  end(k: number): number;
}

/** The samples' values of sample type `column` and their stacks, without making Sample objects. */
export function sampleView(profile: Profile, column: number): SampleView {
  const { columns } = profile;
  if (columns !== undefined) {
    const { locationIds, starts, ends, values, valueCount } = columns;
    return {
      count: columns.count,
      value: (k) => values[k * valueCount + column] as number,
      locationIds: () => locationIds,
      start: (k) => starts[k] as number,
      end: (k) => ends[k] as number,
    };
  }
  const { samples } = profile;
  return {
    count: samples.length,
    value: (k) => (samples[k] as Sample).values[column] ?? 0,
    locationIds: (k) => (samples[k] as Sample).locationIds,
    start: () => 0,
    end: (k) => (samples[k] as Sample).locationIds.length,
  };
}
