// Function extents from the unwind tables (.eh_frame_hdr / .eh_frame), which survive
// `strip`: every FDE covers one function's [pc_begin, pc_begin + pc_range), in ELF
// vaddrs. Used to fold the unnamed addresses of a stripped object into one row per
// function. Pure functions over section bytes; the caller reads the sections.
import { lastAtOrBelow } from "./sorted-search.js";

/** Sorted, non-empty function extents: starts[i] ≤ vaddr < ends[i]. */
export interface FunctionRanges {
  starts: Float64Array;
  ends: Float64Array;
}

/** One section's bytes and the vaddr they are loaded at (sh_addr). */
export interface SectionBytes {
  bytes: Buffer;
  addr: number;
}

// DW_EH_PE_* pointer encodings (LSB Core, "DWARF Extensions"): low nibble = format,
// bits 4-6 = what the value is relative to, 0x80 = indirect, 0xff = omitted.
const DW_EH_PE_OMIT = 0xff;
const DW_EH_PE_PCREL = 0x10;
const DW_EH_PE_DATAREL = 0x30;
const DW_EH_PE_SDATA4 = 0x0b;

/** Where a read ended and what it decoded. */
interface Decoded {
  value: number;
  next: number;
}

class UnwindReader {
  constructor(
    readonly section: SectionBytes,
    readonly littleEndian: boolean,
    readonly is64: boolean,
  ) {}

  private need(at: number, size: number): void {
    if (at < 0 || at + size > this.section.bytes.length) throw new RangeError(`unwind table read past its section at 0x${at.toString(16)}`);
  }

  u8(at: number): number {
    this.need(at, 1);
    return this.section.bytes[at] as number;
  }

  /** An unsigned or signed fixed-size integer as a number (addresses stay below 2^53). */
  fixed(at: number, size: 2 | 4 | 8, signed: boolean): number {
    this.need(at, size);
    const bytes = this.section.bytes;
    if (size === 2) return signed ? (this.littleEndian ? bytes.readInt16LE(at) : bytes.readInt16BE(at)) : this.littleEndian ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at);
    if (size === 4) return signed ? (this.littleEndian ? bytes.readInt32LE(at) : bytes.readInt32BE(at)) : this.littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at);
    const low = this.littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at + 4);
    const high = this.littleEndian ? (signed ? bytes.readInt32LE(at + 4) : bytes.readUInt32LE(at + 4)) : signed ? bytes.readInt32BE(at) : bytes.readUInt32BE(at);
    return high * 0x1_0000_0000 + low;
  }

  leb128(at: number, signed: boolean): Decoded {
    let value = 0;
    let scale = 1;
    let byte: number;
    let next = at;
    do {
      byte = this.u8(next++);
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    if (signed && byte & 0x40) value -= scale;
    return { value, next };
  }

  cString(at: number): Decoded & { text: string } {
    const end = this.section.bytes.indexOf(0, at);
    if (end < 0) throw new RangeError(`unterminated string at 0x${at.toString(16)}`);
    return { text: this.section.bytes.toString("latin1", at, end), value: 0, next: end + 1 };
  }

  /** A DW_EH_PE-encoded pointer; `dataBase` is what datarel is relative to. */
  pointer(at: number, encoding: number, dataBase = 0): Decoded {
    // What gcc and clang emit on every target here: pcrel|sdata4 in FDEs, datarel|sdata4
    // in the header's table. Decoded directly: the general path is 10× slower.
    if (encoding === (DW_EH_PE_PCREL | DW_EH_PE_SDATA4) || encoding === (DW_EH_PE_DATAREL | DW_EH_PE_SDATA4)) {
      this.need(at, 4);
      const offset = this.littleEndian ? this.section.bytes.readInt32LE(at) : this.section.bytes.readInt32BE(at);
      return { value: offset + (encoding === (DW_EH_PE_PCREL | DW_EH_PE_SDATA4) ? this.section.addr + at : dataBase), next: at + 4 };
    }
    const { value: raw, next } = this.rawValue(at, encoding & 0x0f);
    const relativeTo = encoding & 0x70;
    let value = raw;
    if (relativeTo === DW_EH_PE_PCREL) value += this.section.addr + at;
    else if (relativeTo === DW_EH_PE_DATAREL) value += dataBase;
    else if (relativeTo !== 0) throw new RangeError(`unsupported pointer encoding 0x${encoding.toString(16)}`);
    // Wrap to the address width: pcrel sums of unsigned fields may overflow it.
    const width = this.is64 ? 2 ** 64 : 2 ** 32;
    if (value < 0) value += width;
    else if (value >= width) value -= width;
    return { value, next };
  }

  /** The value of a pointer's format alone (pc_range uses it without an application). */
  rawValue(at: number, format: number): Decoded {
    switch (format) {
      case 0x00:
        return this.is64 ? { value: this.fixed(at, 8, false), next: at + 8 } : { value: this.fixed(at, 4, false), next: at + 4 };
      case 0x01:
        return this.leb128(at, false);
      case 0x02:
        return { value: this.fixed(at, 2, false), next: at + 2 };
      case 0x03:
        return { value: this.fixed(at, 4, false), next: at + 4 };
      case 0x04:
        return { value: this.fixed(at, 8, false), next: at + 8 };
      case 0x09:
        return this.leb128(at, true);
      case 0x0a:
        return { value: this.fixed(at, 2, true), next: at + 2 };
      case 0x0b:
        return { value: this.fixed(at, 4, true), next: at + 4 };
      case 0x0c:
        return { value: this.fixed(at, 8, true), next: at + 8 };
      default:
        throw new RangeError(`unsupported pointer format 0x${format.toString(16)}`);
    }
  }
}

/** A CFI record's header: its extent and the CIE id / pointer field. */
interface RecordHeader {
  /** Offset of the first byte after the record. */
  end: number;
  /** Offset of the CIE id (0 in a CIE) / CIE pointer field. */
  idAt: number;
  id: number;
  /** Offset of the first byte after the id field. */
  body: number;
}

/** undefined at the zero terminator or the end of the section. */
function readRecordHeader(reader: UnwindReader, at: number): RecordHeader | undefined {
  if (at + 4 > reader.section.bytes.length) return undefined;
  let length = reader.fixed(at, 4, false);
  if (length === 0) return undefined;
  let idAt = at + 4;
  let idSize: 4 | 8 = 4;
  if (length === 0xffffffff) {
    // 64-bit DWARF: an 8-byte length, and (as readelf reads it) an 8-byte id.
    length = reader.fixed(at + 4, 8, false);
    idAt = at + 12;
    idSize = 8;
  }
  const end = idAt + length;
  if (end > reader.section.bytes.length) throw new RangeError(`CFI record at 0x${at.toString(16)} runs past its section`);
  return { end, idAt, id: reader.fixed(idAt, idSize, false), body: idAt + idSize };
}

/** The FDE pointer encoding a CIE sets with its 'R' augmentation (absptr without one). */
function readFdeEncoding(reader: UnwindReader, cie: RecordHeader): number {
  const version = reader.u8(cie.body);
  const augmentation = reader.cString(cie.body + 1);
  let at = augmentation.next;
  if (augmentation.text.includes("eh")) at += reader.is64 ? 8 : 4;
  at = reader.leb128(at, false).next; // code alignment
  at = reader.leb128(at, true).next; // data alignment
  at = version === 1 ? at + 1 : reader.leb128(at, false).next; // return address register
  if (!augmentation.text.startsWith("z")) return 0;
  at = reader.leb128(at, false).next; // augmentation data length
  for (const letter of augmentation.text.slice(1)) {
    if (letter === "R") return reader.u8(at);
    if (letter === "L") at += 1;
    else if (letter === "P") at = reader.pointer(at + 1, reader.u8(at)).next;
    else if (letter !== "S" && letter !== "B") break; // unknown: the rest cannot be parsed
  }
  return 0;
}

/** Decodes FDEs of one .eh_frame, remembering each CIE's encoding. */
class FdeDecoder {
  private readonly encodings = new Map<number, number>();
  constructor(readonly reader: UnwindReader) {}

  /** The FDE's [start, end) at `at` (empty for a CIE); undefined at the terminator. */
  range(at: number): { start: number; end: number; next: number } | undefined {
    const record = readRecordHeader(this.reader, at);
    if (record === undefined || record.id === 0) return record === undefined ? undefined : { start: 0, end: 0, next: record.end };
    const cieAt = record.idAt - record.id;
    let encoding = this.encodings.get(cieAt);
    if (encoding === undefined) {
      const cie = readRecordHeader(this.reader, cieAt);
      if (cie === undefined || cie.id !== 0) throw new RangeError(`FDE at 0x${at.toString(16)} points to no CIE`);
      encoding = readFdeEncoding(this.reader, cie);
      this.encodings.set(cieAt, encoding);
    }
    const begin = this.reader.pointer(record.body, encoding);
    const length = this.reader.rawValue(begin.next, encoding & 0x0f);
    return { start: begin.value, end: begin.value + length.value, next: record.end };
  }
}

/**
 * Function extents of an object from its unwind tables: the sorted search table of
 * .eh_frame_hdr when there is one (no sort needed), else a walk over .eh_frame.
 * Empty ranges (FDEs of length 0) are dropped. Undefined when the tables are unusable.
 */
export function readFunctionRanges(ehFrame: SectionBytes, ehFrameHdr: SectionBytes | undefined, littleEndian: boolean, is64: boolean): FunctionRanges | undefined {
  const decoder = new FdeDecoder(new UnwindReader(ehFrame, littleEndian, is64));
  try {
    const fromHeader = ehFrameHdr === undefined ? undefined : rangesFromHeader(new UnwindReader(ehFrameHdr, littleEndian, is64), decoder);
    return fromHeader ?? rangesFromWalk(decoder);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function rangesFromHeader(header: UnwindReader, decoder: FdeDecoder): FunctionRanges | undefined {
  const hdrAddr = header.section.addr;
  if (header.u8(0) !== 1) return undefined;
  const framePointerEncoding = header.u8(1);
  const countEncoding = header.u8(2);
  const tableEncoding = header.u8(3);
  if (framePointerEncoding === DW_EH_PE_OMIT || countEncoding === DW_EH_PE_OMIT || tableEncoding === DW_EH_PE_OMIT) return undefined;
  const framePointer = header.pointer(4, framePointerEncoding, hdrAddr);
  const count = header.pointer(framePointer.next, countEncoding, hdrAddr);
  const starts = new Float64Array(count.value);
  const ends = new Float64Array(count.value);
  const ehFrameAddr = decoder.reader.section.addr;
  let kept = 0;
  let sorted = true;
  let at = count.next;
  for (let index = 0; index < count.value; index++) {
    const location = header.pointer(at, tableEncoding, hdrAddr);
    const fde = header.pointer(location.next, tableEncoding, hdrAddr);
    at = fde.next;
    const range = decoder.range(fde.value - ehFrameAddr);
    if (range === undefined || range.end <= range.start) continue;
    // The table is sorted by initial location; the promise is checked, not assumed.
    if (kept > 0 && range.start < (starts[kept - 1] as number)) sorted = false;
    starts[kept] = range.start;
    ends[kept] = range.end;
    kept++;
  }
  return sorted ? { starts: starts.subarray(0, kept), ends: ends.subarray(0, kept) } : sortRanges([...starts.subarray(0, kept)], [...ends.subarray(0, kept)]);
}

function rangesFromWalk(decoder: FdeDecoder): FunctionRanges {
  const starts: number[] = [];
  const ends: number[] = [];
  for (let at = 0; ; ) {
    const range = decoder.range(at);
    if (range === undefined) break;
    if (range.end > range.start) {
      starts.push(range.start);
      ends.push(range.end);
    }
    at = range.next;
  }
  return sortRanges(starts, ends);
}

function sortRanges(starts: number[], ends: number[]): FunctionRanges {
  const order = starts.map((_, index) => index).sort((a, b) => (starts[a] as number) - (starts[b] as number));
  return { starts: Float64Array.from(order, (index) => starts[index] as number), ends: Float64Array.from(order, (index) => ends[index] as number) };
}

/** The start of the function extent holding vaddr (binary search), or undefined. */
export function findFunctionStart(ranges: FunctionRanges, vaddr: number): number | undefined {
  const found = lastAtOrBelow(ranges.starts, vaddr);
  return found >= 0 && vaddr < (ranges.ends[found] as number) ? ranges.starts[found] : undefined;
}
