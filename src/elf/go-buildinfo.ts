// The Go toolchain version from .go.buildinfo (src/debug/buildinfo in the Go tree):
// 16-byte magic "\xff Go buildinf:" + pointer size + flags, then either (flags & 2,
// Go ≥ 1.18) two varint-prefixed strings at offset 32, or two pointers to Go string
// headers. Best effort: anything unexpected yields undefined, never an error.
import { vaddrToFileOffset } from "./address.js";
import type { ProgramHeader } from "./types.js";

export const GO_BUILDINFO_MAGIC = Buffer.from("\xff Go buildinf:", "latin1");
const HEADER_SIZE = 32;
const MAX_VERSION_LENGTH = 128;

export function readGoVersion(buffer: Buffer, buildInfoOffset: number, programHeaders: readonly ProgramHeader[]): string | undefined {
  if (buildInfoOffset < 0 || buildInfoOffset + HEADER_SIZE > buffer.length) return undefined;
  if (!buffer.subarray(buildInfoOffset, buildInfoOffset + GO_BUILDINFO_MAGIC.length).equals(GO_BUILDINFO_MAGIC)) return undefined;
  const pointerSize = buffer[buildInfoOffset + 14] as number;
  const flags = buffer[buildInfoOffset + 15] as number;
  const version = (flags & 2) !== 0
    ? readVarintString(buffer, buildInfoOffset + HEADER_SIZE)
    : readPointedString(buffer, buildInfoOffset + 16, pointerSize, (flags & 1) !== 0, programHeaders);
  return version !== undefined && /^go\d/.test(version) ? version : undefined;
}

function readVarintString(buffer: Buffer, offset: number): string | undefined {
  let length = 0;
  let shift = 0;
  let cursor = offset;
  for (;;) {
    if (cursor >= buffer.length || shift > 28) return undefined;
    const byte = buffer[cursor++] as number;
    length |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  if (length > MAX_VERSION_LENGTH || cursor + length > buffer.length) return undefined;
  return buffer.toString("utf8", cursor, cursor + length);
}

function readPointedString(
  buffer: Buffer,
  pointerOffset: number,
  pointerSize: number,
  bigEndian: boolean,
  programHeaders: readonly ProgramHeader[],
): string | undefined {
  const readPointer = (offset: number): number | undefined => {
    if (offset < 0 || offset + pointerSize > buffer.length) return undefined;
    if (pointerSize === 8) return Number(bigEndian ? buffer.readBigUInt64BE(offset) : buffer.readBigUInt64LE(offset));
    if (pointerSize === 4) return bigEndian ? buffer.readUInt32BE(offset) : buffer.readUInt32LE(offset);
    return undefined;
  };
  const headerVaddr = readPointer(pointerOffset);
  const headerOffset = headerVaddr === undefined ? undefined : vaddrToFileOffset({ programHeaders }, headerVaddr);
  if (headerOffset === undefined) return undefined;
  const dataVaddr = readPointer(headerOffset);
  const length = readPointer(headerOffset + pointerSize);
  if (dataVaddr === undefined || length === undefined || length > MAX_VERSION_LENGTH) return undefined;
  const dataOffset = vaddrToFileOffset({ programHeaders }, dataVaddr);
  if (dataOffset === undefined || dataOffset + length > buffer.length) return undefined;
  return buffer.toString("utf8", dataOffset, dataOffset + length);
}
