// Collects samples for a parser: one Location per (address, isReturnAddress), each placed
// in its mapping, and one Sample per distinct stack (repeated stacks are summed, as
// gperftools CPU evictions and GetHeapSample's one-line-per-object output require).
import { findMapping } from "./maps.js";
import type { Location, Mapping, Profile, Sample } from "./model.js";

export type ProfileDescription = Omit<Profile, "samples" | "locations" | "functions" | "mappings">;

export class ProfileBuilder {
  private readonly locations: Location[] = [];
  private readonly returnAddressIds = new Map<number, number>();
  private readonly interruptedPcIds = new Map<number, number>();
  private readonly samplesByStack = new Map<string, Sample>();

  constructor(
    private readonly mappings: readonly Mapping[],
    private readonly valueCount: number,
  ) {}

  locationId(address: number, isReturnAddress: boolean): number {
    const ids = isReturnAddress ? this.returnAddressIds : this.interruptedPcIds;
    const known = ids.get(address);
    if (known !== undefined) return known;
    const id = this.locations.length + 1;
    const mapping = findMapping(this.mappings, address);
    this.locations.push({ id, mappingId: mapping?.id ?? 0, address, isReturnAddress, lines: [] });
    ids.set(address, id);
    return id;
  }

  /**
   * Adds `values` to the sample of this stack (leaf first). Every frame is a return address
   * except, when `leafIsReturnAddress` is false, the first one (a CPU sample's interrupted PC).
   */
  addSample(addresses: ArrayLike<number>, leafIsReturnAddress: boolean, values: ArrayLike<number>): Sample {
    const locationIds = new Array<number>(addresses.length);
    for (let i = 0; i < addresses.length; i++) {
      locationIds[i] = this.locationId(addresses[i] as number, i > 0 || leafIsReturnAddress);
    }
    const key = locationIds.join(",");
    const existing = this.samplesByStack.get(key);
    if (existing) {
      for (let i = 0; i < this.valueCount; i++) existing.values[i] = (existing.values[i] as number) + (values[i] as number);
      return existing;
    }
    const sample: Sample = { locationIds, values: Array.from({ length: this.valueCount }, (_, i) => values[i] as number) };
    this.samplesByStack.set(key, sample);
    return sample;
  }

  build(description: ProfileDescription): Profile {
    return {
      ...description,
      samples: [...this.samplesByStack.values()],
      locations: this.locations,
      functions: [],
      mappings: [...this.mappings],
    };
  }
}
