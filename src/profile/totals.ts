// Sums over a profile's samples, per sample type.
import { usageError } from "../core/errors.js";
import { sampleTypeIndex, type Profile } from "./model.js";

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
  const index = requireSampleTypeIndex(profile, sampleType);
  let total = 0;
  for (const sample of profile.samples) total += sample.values[index] ?? 0;
  return total;
}

/** One total per entry of profile.sampleTypes. */
export function totalValues(profile: Profile): number[] {
  const totals = profile.sampleTypes.map(() => 0);
  for (const sample of profile.samples) {
    for (let i = 0; i < totals.length; i++) totals[i] = (totals[i] as number) + (sample.values[i] ?? 0);
  }
  return totals;
}
