// Bounds-checked reads over an ELF file's bytes. Every read that would leave the buffer
// becomes an input error naming the file and the offset, so a truncated or garbage file
// can never surface as a RangeError from deep inside the parser.
import { inputError, type AllocrunError } from "../core/errors.js";

export class ByteReader {
  constructor(
    readonly buffer: Buffer,
    readonly fileName: string,
    readonly littleEndian: boolean,
    readonly is64: boolean,
  ) {}

  get length(): number {
    return this.buffer.length;
  }

  /** The error for a structure that cannot be read at `offset`. */
  corrupt(what: string, offset: number): AllocrunError {
    return inputError(
      `${this.fileName} is truncated or not a valid ELF file: ${what} at offset 0x${offset.toString(16)} (file size ${this.buffer.length} bytes)`,
      "pass an intact ELF executable or shared library",
    );
  }

  /** Throws unless [offset, offset + size) lies inside the buffer. */
  requireRange(offset: number, size: number, what: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0 || offset + size > this.buffer.length) {
      throw this.corrupt(`${what} (${size} bytes) extends past the end`, offset);
    }
  }

  u8(offset: number): number {
    this.requireRange(offset, 1, "byte");
    return this.buffer[offset] as number;
  }

  u16(offset: number): number {
    this.requireRange(offset, 2, "16-bit field");
    return this.littleEndian ? this.buffer.readUInt16LE(offset) : this.buffer.readUInt16BE(offset);
  }

  u32(offset: number): number {
    this.requireRange(offset, 4, "32-bit field");
    return this.littleEndian ? this.buffer.readUInt32LE(offset) : this.buffer.readUInt32BE(offset);
  }

  /** 64-bit fields as numbers: user-space addresses and file sizes stay below 2^53. */
  u64(offset: number): number {
    this.requireRange(offset, 8, "64-bit field");
    // Two 32-bit halves: much faster than BigInt reads in symbol-table loops.
    const low = this.littleEndian ? this.buffer.readUInt32LE(offset) : this.buffer.readUInt32BE(offset + 4);
    const high = this.littleEndian ? this.buffer.readUInt32LE(offset + 4) : this.buffer.readUInt32BE(offset);
    return high * 0x1_0000_0000 + low;
  }

  /** A signed 32-bit field (d_tag in ELFCLASS32). */
  i32(offset: number): number {
    this.requireRange(offset, 4, "32-bit field");
    return this.littleEndian ? this.buffer.readInt32LE(offset) : this.buffer.readInt32BE(offset);
  }

  /** A signed 64-bit field (d_tag), as a number. */
  i64(offset: number): number {
    this.requireRange(offset, 8, "64-bit field");
    const value = this.littleEndian ? this.buffer.readBigInt64LE(offset) : this.buffer.readBigInt64BE(offset);
    return Number(value);
  }

  /** An address-sized field: 4 bytes in ELFCLASS32, 8 in ELFCLASS64. */
  word(offset: number): number {
    return this.is64 ? this.u64(offset) : this.u32(offset);
  }

  /** A NUL-terminated string starting at `offset` that must end before `limit`. */
  cString(offset: number, limit: number, what: string): string {
    const end = Math.min(limit, this.buffer.length);
    if (offset < 0 || offset >= end) throw this.corrupt(`${what} starts outside its table`, offset);
    const nul = this.buffer.indexOf(0, offset);
    if (nul < 0 || nul >= end) throw this.corrupt(`${what} is not NUL-terminated`, offset);
    return this.buffer.toString("utf8", offset, nul);
  }
}
