// Collects samples for a parser: one Location per (address, isReturnAddress) and one Sample
// per distinct stack (repeated stacks are summed, as gperftools CPU evictions and
// GetHeapSample's one-line-per-object output require). Locations are placed in their
// mappings at build time, because the formats put the maps after the samples. Addresses
// and stacks are looked up in typed-array hash tables: no Map entry or bucket per stack.
import { AddressTable, grownTypedArray, mixHash, SequenceIndex } from "./address-table.js";
import { findMapping } from "./maps.js";
import type { Location, Mapping, Profile, SampleColumns } from "./model.js";
import { profileWithColumns } from "./sample-columns.js";

export type ProfileDescription = Omit<Profile, "samples" | "columns" | "locations" | "functions" | "mappings">;

export class ProfileBuilder {
  private readonly locations: Location[] = [];
  private readonly returnAddressIds = new AddressTable();
  private readonly interruptedPcIds = new AddressTable();
  private readonly sampleIndex = new SequenceIndex();
  // Samples are kept in columns while parsing: every stack's location ids in one pool
  // (stack k at stackIds[stackStarts[k] .. stackStarts[k + 1])), values valueCount per
  // stack. Sample objects are made once, at build, at their final size.
  private stackIds = new Uint32Array(1 << 16);
  private stackStarts = new Uint32Array(1 << 12);
  private values = new Float64Array(1 << 12);
  private stackCount = 0;
  /** Length of the stack being added (written after the last stack). */
  private pendingLength = 0;
  private readonly isLastStack = (index: number) => this.sameAsLast(index);

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
   * Adds `values` to the sample of this stack (leaf first: the first `length` addresses).
   * Every frame is a return address except, when `leafIsReturnAddress` is false, the first
   * one (a CPU sample's interrupted PC). Neither argument is kept, so callers may reuse them.
   */
  addSample(addresses: ArrayLike<number>, leafIsReturnAddress: boolean, values: ArrayLike<number>, length = addresses.length): void {
    // The stack is written after the last one; it stays there only if it is new.
    const start = this.stackStarts[this.stackCount] as number;
    if (start + length > this.stackIds.length) this.stackIds = grownTypedArray(this.stackIds, Math.max(2 * this.stackIds.length, start + length));
    const ids = this.stackIds;
    let hash = 0x811c9dc5 ^ length;
    for (let i = 0; i < length; i++) {
      const id = this.locationId(addresses[i] as number, i > 0 || leafIsReturnAddress);
      ids[start + i] = id;
      hash = Math.imul(hash ^ id, 0x01000193);
    }
    hash = mixHash(hash);
    const { valueCount } = this;
    this.pendingLength = length;
    const known = this.sampleIndex.find(hash, this.isLastStack);
    if (known >= 0) {
      for (let i = 0; i < valueCount; i++) this.values[known * valueCount + i] = (this.values[known * valueCount + i] as number) + (values[i] as number);
      return;
    }
    const index = this.stackCount++;
    if (this.stackCount === this.stackStarts.length) this.stackStarts = grownTypedArray(this.stackStarts, 2 * this.stackStarts.length);
    this.stackStarts[this.stackCount] = start + length;
    if (this.stackCount * valueCount > this.values.length) this.values = grownTypedArray(this.values, 2 * this.values.length);
    for (let i = 0; i < valueCount; i++) this.values[index * valueCount + i] = values[i] as number;
    this.sampleIndex.add(hash, index);
  }

  /**
   * The profile, with every location placed in the mapping that holds its address; its
   * samples stay in columns until first read (see sample-columns.ts). `valueColumns` picks
   * the sample values to keep (all by default); heap formats `labelObjectSize`.
   */
  build(description: ProfileDescription, mappings: readonly Mapping[], valueColumns?: readonly number[], labelObjectSize = false): Profile {
    for (const location of this.locations) location.mappingId = findMapping(mappings, location.address)?.id ?? 0;
    const kept = valueColumns ?? Array.from({ length: this.valueCount }, (_, i) => i);
    const count = this.stackCount;
    const values = new Float64Array(count * kept.length);
    for (let k = 0; k < count; k++) {
      for (let i = 0; i < kept.length; i++) values[k * kept.length + i] = this.values[k * this.valueCount + (kept[i] as number)] as number;
    }
    const used = this.stackStarts[count] as number;
    const columns: SampleColumns = {
      count,
      // Grown by doubling: a copy of the right size when much of it would sit unused.
      locationIds: this.stackIds.length > used * 1.25 ? this.stackIds.slice(0, used) : this.stackIds.subarray(0, used),
      starts: this.stackStarts.subarray(0, count),
      ends: this.stackStarts.subarray(1, count + 1),
      values,
      valueCount: kept.length,
      labelObjectSize,
    };
    return profileWithColumns({ ...description, locations: this.locations, functions: [], mappings: [...mappings] }, columns);
  }

  /** Whether stack `index` equals the stack just written after the last one. */
  private sameAsLast(index: number): boolean {
    const ids = this.stackIds;
    const start = this.stackStarts[index] as number;
    const length = (this.stackStarts[index + 1] as number) - start;
    const candidate = this.stackStarts[this.stackCount] as number;
    if (length !== this.pendingLength) return false;
    for (let i = 0; i < length; i++) if (ids[start + i] !== ids[candidate + i]) return false;
    return true;
  }
}
