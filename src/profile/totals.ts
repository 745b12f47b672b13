// Sums over a profile's samples, per sample type.
import { usageError } from "../core/errors.js";
import { sampleTypeIndex, type Profile } from "./model.js";
import { sampleView } from "./sample-columns.js";

/** Index of `sampleType`, or a usage error listing the types the profile has. */
export function requireSampleTypeIndex(profile: Profile, sampleType: string): number {
  const index = sampleTypeIndex(profile, sampleType);
  if (index === -1) {
    const known = profile.sampleTypes.map((t) => t.type).join(", ");
    throw usageError(`this ${profile.format} profile has no sample type "${sampleType}"`, `choose one of: ${known}`);
  }
  return index;
}

/** The sum of one sample type over all samples (un-sampled, may be fractional). */
export function totalValue(profile: Profile, sampleType: string): number {
  return columnTotal(profile, requireSampleTypeIndex(profile, sampleType));
}

/** The sum of the values at `index` (a sample type's) over all samples, read from the columns when the profile has them. */
export function columnTotal(profile: Profile, index: number): number {
  const samples = sampleView(profile, index);
  let total = 0;
  for (let k = 0; k < samples.count; k++) total += samples.value(k);
  return total;
}

/** One total per entry of profile.sampleTypes. */
export function totalValues(profile: Profile): number[] {
  return profile.sampleTypes.map((_, index) => columnTotal(profile, index));
}
