// Which addresses DWARF describes, from .debug_aranges. Objects often carry DWARF for a few
// compilation units only (Debian's node: about 1% of its code); asking addr2line about the
// rest makes it fall back to its own slow symbol-table search, for names we read natively
// anyway. Only covered addresses are sent to the line tool.

/** Sorted, merged [start, end) address ranges. */
export type AddressRanges = [number, number][];

const SHF_COMPRESSED = 0x800;

interface SectionLike {
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
}

/**
 * Ranges listed in .debug_aranges, or undefined when the section is absent, compressed or
 * malformed (then every address must be sent: coverage is unknown).
 */
export function readDebugAranges(buffer: Buffer, sections: readonly SectionLike[], littleEndian: boolean): AddressRanges | undefined {
  const section = sections.find((candidate) => candidate.name === ".debug_aranges");
  if (section === undefined || section.type === 8 || (section.flags & SHF_COMPRESSED) !== 0) return undefined;
  if (section.offset + section.size > buffer.length) return undefined;
  const u16 = (at: number) => (littleEndian ? buffer.readUInt16LE(at) : buffer.readUInt16BE(at));
  const u32 = (at: number) => (littleEndian ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at));
  const u64 = (at: number) => Number(littleEndian ? buffer.readBigUInt64LE(at) : buffer.readBigUInt64BE(at));
  const ranges: AddressRanges = [];
  const end = section.offset + section.size;
  let unit = section.offset;
  try {
    while (unit + 4 <= end) {
      let length = u32(unit);
      let at = unit + 4;
      let offsetSize = 4;
      if (length === 0xffffffff) {
        length = u64(at);
        at += 8;
        offsetSize = 8;
      }
      const unitEnd = at + length;
      if (length === 0 || unitEnd > end) return undefined;
      const version = u16(at);
      if (version !== 2) return undefined;
      at += 2 + offsetSize;
      const addressSize = buffer[at] as number;
      const segmentSize = buffer[at + 1] as number;
      if ((addressSize !== 4 && addressSize !== 8) || segmentSize !== 0) return undefined;
      at += 2;
      // Tuples start at a multiple of twice the address size from the unit's start.
      const tupleSize = 2 * addressSize;
      at = unit + Math.ceil((at - unit) / tupleSize) * tupleSize;
      const read = addressSize === 8 ? u64 : u32;
      for (; at + tupleSize <= unitEnd; at += tupleSize) {
        const start = read(at);
        const size = read(at + addressSize);
        if (start === 0 && size === 0) break;
        if (size > 0) ranges.push([start, start + size]);
      }
      unit = unitEnd;
    }
  } catch {
    return undefined;
  }
  return mergeRanges(ranges);
}

export function mergeRanges(ranges: AddressRanges): AddressRanges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: AddressRanges = [];
  for (const [start, stop] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], stop);
    else merged.push([start, stop]);
  }
  return merged;
}

export function isInRanges(ranges: AddressRanges, address: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const [start, stop] = ranges[middle] as [number, number];
    if (address < start) high = middle - 1;
    else if (address >= stop) low = middle + 1;
    else return true;
  }
  return false;
}
