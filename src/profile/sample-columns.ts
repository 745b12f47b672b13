// Profiles whose samples stay in columns (SampleColumns) until something asks for Sample
// objects: the analyses read the columns, and `samples` is made from them on first read,
// so the reports, the pprof export and the tests see the same profile as before. Copies
// keep this: copyProfile carries the lazy `samples` and the columns over without making
// the objects, where a spread would.
import type { Profile, Sample, SampleColumns } from "./model.js";
import { averageObjectSizeLabel } from "./parse/heap-sampling.js";

export interface ColumnsOptions {
  /** Label each sample with its average object size (heap formats), as the parsers did. */
  labelObjectSize: boolean;
}

/** `base` with samples made from `columns` when first read. */
export function profileWithColumns(base: Omit<Profile, "samples" | "columns">, columns: SampleColumns, options: ColumnsOptions): Profile {
  let made: Sample[] | undefined;
  const profile = { ...base } as Profile;
  Object.defineProperty(profile, "samples", {
    enumerable: true,
    configurable: true,
    get: () => (made ??= makeSamples(profile, columns, options)),
    // Samples set from outside replace the columns, which would no longer say the same, on
    // the object set (a copy shares this accessor).
    set(this: Profile, samples: Sample[]) {
      Object.defineProperty(this, "samples", { value: samples, writable: true, enumerable: true, configurable: true });
      Object.defineProperty(this, "columns", { value: undefined, enumerable: false, configurable: true });
    },
  });
  Object.defineProperty(profile, "columns", { value: columns, enumerable: false, configurable: true });
  lazyOptions.set(profile, options);
  return profile;
}

/** The options a profile's lazy samples were made with, for copies with new columns. */
const lazyOptions = new WeakMap<Profile, ColumnsOptions>();

/** A copy of `profile` with `changes`; lazy samples stay lazy. */
export function copyProfile(profile: Profile, changes: Partial<Omit<Profile, "samples" | "columns">>): Profile {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(profile)) as Profile;
  Object.assign(copy, changes);
  const options = lazyOptions.get(profile);
  if (options !== undefined) lazyOptions.set(copy, options);
  return copy;
}

/** A copy of `profile` whose samples are `columns` (made lazily, with the same options). */
export function withColumns(profile: Profile, columns: SampleColumns): Profile {
  const base = Object.defineProperties({}, descriptorsWithout(profile, ["samples", "columns"])) as Omit<Profile, "samples" | "columns">;
  return profileWithColumns(base, columns, lazyOptions.get(profile) ?? { labelObjectSize: false });
}

function descriptorsWithout(profile: Profile, names: string[]): PropertyDescriptorMap {
  const descriptors = Object.getOwnPropertyDescriptors(profile) as PropertyDescriptorMap;
  for (const name of names) delete descriptors[name];
  return descriptors;
}

function makeSamples(profile: Profile, columns: SampleColumns, options: ColumnsOptions): Sample[] {
  const samples = new Array<Sample>(columns.count);
  for (let k = 0; k < columns.count; k++) samples[k] = sampleFromColumns(profile, columns, k, options);
  return samples;
}

function sampleFromColumns(profile: Profile, columns: SampleColumns, k: number, options: ColumnsOptions): Sample {
  const { locationIds: ids, starts, ends, values, valueCount } = columns;
  const start = starts[k] as number;
  const locationIds = new Array<number>((ends[k] as number) - start);
  for (let i = 0; i < locationIds.length; i++) locationIds[i] = ids[start + i] as number;
  const sampleValues = new Array<number>(valueCount);
  for (let i = 0; i < valueCount; i++) sampleValues[i] = values[k * valueCount + i] as number;
  const sample: Sample = { locationIds, values: sampleValues };
  if (options.labelObjectSize) {
    const bytes = averageObjectSizeLabel(profile, sampleValues);
    if (bytes !== undefined) sample.numLabels = { bytes };
  }
  return sample;
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
  const options = lazyOptions.get(profile) ?? { labelObjectSize: false };
  for (let k = 0; k < columns.count; k++) visit(sampleFromColumns(profile, columns, k, options), k);
}

/** The values at `index` (a sample type's) of every sample, in order. */
export function valuesOf(profile: Profile, index: number): number[] {
  const { columns } = profile;
  if (columns === undefined) return profile.samples.map((sample) => sample.values[index] ?? 0);
  return Array.from({ length: columns.count }, (_, k) => columns.values[k * columns.valueCount + index] as number);
}
