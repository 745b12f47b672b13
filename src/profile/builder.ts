// Collects samples for a parser: one Location per (address, isReturnAddress) and one Sample
// per distinct stack (repeated stacks are summed, as gperftools CPU evictions and
// GetHeapSample's one-line-per-object output require). Locations are placed in their
// mappings at build time, because the formats put the maps after the samples.
import { findMapping } from "./maps.js";
import type { Location, Mapping, Profile, Sample } from "./model.js";

export type ProfileDescription = Omit<Profile, "samples" | "locations" | "functions" | "mappings">;

export class ProfileBuilder {
  private readonly locations: Location[] = [];
  private readonly returnAddressIds = new Map<number, number>();
  private readonly interruptedPcIds = new Map<number, number>();
  /** Samples by a hash of their location ids; collisions share a small array. */
  private readonly samplesByHash = new Map<number, Sample[]>();
  private readonly samples: Sample[] = [];
  private readonly scratchIds: number[] = [];

  constructor(private readonly valueCount: number) {}

  locationId(address: number, isReturnAddress: boolean): number {
    const ids = isReturnAddress ? this.returnAddressIds : this.interruptedPcIds;
    const known = ids.get(address);
    if (known !== undefined) return known;
    const id = this.locations.length + 1;
    this.locations.push({ id, mappingId: 0, address, isReturnAddress, lines: [] });
    ids.set(address, id);
    return id;
  }

  /**
   * Adds `values` to the sample of this stack (leaf first). Every frame is a return address
   * except, when `leafIsReturnAddress` is false, the first one (a CPU sample's interrupted PC).
   * Neither argument is kept, so callers may reuse them.
   */
  addSample(addresses: ArrayLike<number>, leafIsReturnAddress: boolean, values: ArrayLike<number>): Sample {
    const ids = this.scratchIds;
    ids.length = addresses.length;
    let hash = 0x811c9dc5 ^ addresses.length;
    for (let i = 0; i < addresses.length; i++) {
      const id = this.locationId(addresses[i] as number, i > 0 || leafIsReturnAddress);
      ids[i] = id;
      hash = Math.imul(hash ^ id, 0x01000193);
    }
    let bucket = this.samplesByHash.get(hash);
    const existing = bucket?.find((sample) => sameIds(sample.locationIds, ids));
    if (existing) {
      for (let i = 0; i < this.valueCount; i++) existing.values[i] = (existing.values[i] as number) + (values[i] as number);
      return existing;
    }
    const sample: Sample = { locationIds: ids.slice(), values: Array.from({ length: this.valueCount }, (_, i) => values[i] as number) };
    if (!bucket) {
      bucket = [];
      this.samplesByHash.set(hash, bucket);
    }
    bucket.push(sample);
    this.samples.push(sample);
    return sample;
  }

  /** The profile, with every location placed in the mapping that holds its address. */
  build(description: ProfileDescription, mappings: readonly Mapping[]): Profile {
    for (const location of this.locations) location.mappingId = findMapping(mappings, location.address)?.id ?? 0;
    return { ...description, samples: this.samples, locations: this.locations, functions: [], mappings: [...mappings] };
  }
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
