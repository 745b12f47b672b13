// Hash tables over typed arrays for the parsers' hot loops: a profile of a million stacks
// holds ~14 million frames, and a Map entry or a small array per key costs more than the
// data. Open addressing with linear probing; capacities are powers of two, kept at most
// half full.

const EMPTY = 0;
const TWO_TO_32 = 4294967296;

/** MurmurHash3's finalizer: every input bit reaches the low bits used as the slot. */
export function mixHash(value: number): number {
  let h = value ^ (value >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Mixes a 64-bit address (held exactly up to 2^53 in a double) into 32 bits. */
export function hashAddress(address: number): number {
  const low = address >>> 0;
  const high = (address / TWO_TO_32) >>> 0;
  return mixHash(low ^ Math.imul(high, 0x9e3779b1));
}

/** Address → positive id (1-based, assigned by the caller). */
export class AddressTable {
  private keys = new Float64Array(1024);
  private ids = new Int32Array(1024);
  private count = 0;

  /** The id stored for `address`, or 0. */
  get(address: number): number {
    const mask = this.keys.length - 1;
    for (let slot = hashAddress(address) & mask; ; slot = (slot + 1) & mask) {
      const id = this.ids[slot] as number;
      if (id === EMPTY || this.keys[slot] === address) return id;
    }
  }

  /** Stores `id` (> 0) for an address not yet in the table. */
  add(address: number, id: number): void {
    if (2 * (this.count + 1) > this.keys.length) this.grow();
    this.place(address, id);
    this.count++;
  }

  private place(address: number, id: number): void {
    const mask = this.keys.length - 1;
    let slot = hashAddress(address) & mask;
    while (this.ids[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.keys[slot] = address;
    this.ids[slot] = id;
  }

  private grow(): void {
    const { keys, ids } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.ids = new Int32Array(ids.length * 2);
    for (let slot = 0; slot < keys.length; slot++) if (ids[slot] !== EMPTY) this.place(keys[slot] as number, ids[slot] as number);
  }
}

/**
 * Index of distinct sequences of ids (stacks of location ids): maps a sequence, given with
 * its hash, to the 0-based index the caller stored it under. Equality is decided by the
 * caller's `isSame(index)`, so the sequences themselves live in one place only.
 */
export class SequenceIndex {
  private hashes = new Int32Array(1024);
  /** index + 1, 0 for an empty slot. */
  private slots = new Int32Array(1024);
  private count = 0;

  /** The index of the sequence with this hash for which `isSame` holds, or -1. */
  find(hash: number, isSame: (index: number) => boolean): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === EMPTY) return -1;
      if (this.hashes[slot] === hash && isSame(entry - 1)) return entry - 1;
    }
  }

  /** Records `index` for a sequence `find` did not know. */
  add(hash: number, index: number): void {
    if (2 * (this.count + 1) > this.slots.length) this.grow();
    this.place(hash, index + 1);
    this.count++;
  }

  private place(hash: number, entry: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.hashes[slot] = hash;
    this.slots[slot] = entry;
  }

  private grow(): void {
    const { hashes, slots } = this;
    this.hashes = new Int32Array(hashes.length * 2);
    this.slots = new Int32Array(slots.length * 2);
    for (let slot = 0; slot < slots.length; slot++) if (slots[slot] !== EMPTY) this.place(hashes[slot] as number, slots[slot] as number);
  }
}

/** A typed array of `length` elements (at least the old length) starting with `array`'s. */
export function grownTypedArray<T extends Uint32Array | Int32Array | Float64Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}
