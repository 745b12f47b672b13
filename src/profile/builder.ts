// Collects samples for a parser: one Location per (address, isReturnAddress) and one Sample
// per distinct stack (repeated stacks are summed, as gperftools CPU evictions and
// GetHeapSample's one-line-per-object output require). Locations are placed in their
// mappings at build time, because the formats put the maps after the samples. Addresses
// and stacks are looked up in typed-array hash tables: no Map entry or bucket per stack.
import { AddressTable, mixHash, SequenceIndex } from "./address-table.js";
import { findMapping } from "./maps.js";
import type { Location, Mapping, Profile, Sample } from "./model.js";

export type ProfileDescription = Omit<Profile, "samples" | "locations" | "functions" | "mappings">;

export class ProfileBuilder {
  private readonly locations: Location[] = [];
  private readonly returnAddressIds = new AddressTable();
  private readonly interruptedPcIds = new AddressTable();
  private readonly sampleIndex = new SequenceIndex();
  private readonly samples: Sample[] = [];
  private readonly scratchIds: number[] = [];
  private readonly isScratchStack = (index: number) => sameIds((this.samples[index] as Sample).locationIds, this.scratchIds);

  constructor(private readonly valueCount: number) {}

  locationId(address: number, isReturnAddress: boolean): number {
    const ids = isReturnAddress ? this.returnAddressIds : this.interruptedPcIds;
    const known = ids.get(address);
    if (known !== 0) return known;
    const id = this.locations.length + 1;
    this.locations.push({ id, mappingId: 0, address, isReturnAddress, lines: [] });
    ids.add(address, id);
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
    hash = mixHash(hash);
    const index = this.sampleIndex.find(hash, this.isScratchStack);
    if (index >= 0) {
      const existing = this.samples[index] as Sample;
      for (let i = 0; i < this.valueCount; i++) existing.values[i] = (existing.values[i] as number) + (values[i] as number);
      return existing;
    }
    // Sized up front: an array grown by push reserves room for 17 values per sample.
    const copy = new Array<number>(this.valueCount);
    for (let i = 0; i < this.valueCount; i++) copy[i] = values[i] as number;
    const sample: Sample = { locationIds: ids.slice(), values: copy };
    this.sampleIndex.add(hash, this.samples.length);
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
