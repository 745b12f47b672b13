// ELF notes (PT_NOTE segments and SHT_NOTE sections): namesz, descsz, type, then the
// owner name and the descriptor, each padded to the note alignment (4, or 8 for some
// GNU property notes).
import type { ByteReader } from "./byte-reader.js";

export interface ElfNote {
  owner: string;
  type: number;
  descOffset: number;
  descSize: number;
}

const alignUp = (value: number, alignment: number): number => Math.ceil(value / alignment) * alignment;

export function readNotes(reader: ByteReader, offset: number, size: number, alignment: number): ElfNote[] {
  reader.requireRange(offset, size, "note area");
  const align = alignment === 8 ? 8 : 4;
  const end = offset + size;
  const notes: ElfNote[] = [];
  let cursor = offset;
  while (cursor + 12 <= end) {
    const nameSize = reader.u32(cursor);
    const descSize = reader.u32(cursor + 4);
    const type = reader.u32(cursor + 8);
    const nameOffset = cursor + 12;
    const descOffset = alignUp(nameOffset + nameSize, align);
    const next = alignUp(descOffset + descSize, align);
    if (descOffset + descSize > end) throw reader.corrupt("note runs past its area", cursor);
    // The owner name includes its terminating NUL in namesz.
    const owner = reader.buffer.toString("latin1", nameOffset, nameOffset + Math.max(0, nameSize - 1));
    notes.push({ owner, type, descOffset, descSize });
    cursor = next;
  }
  return notes;
}
