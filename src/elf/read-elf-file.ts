// The only part of src/elf that touches the file system: read a file and parse it.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { inputError, isAllocrunError } from "../core/errors.js";
import { ByteReader } from "./byte-reader.js";
import { PT_DYNAMIC, PT_INTERP, PT_NOTE, SHT_DYNAMIC, SHT_DYNSYM, SHT_NOTE, SHT_STRTAB, SHT_SYMTAB } from "./constants.js";
import { ELF_IDENTITY_BYTES, hasElfMagic, parseElf, parseElfIdentity } from "./parse-elf.js";
import type { ElfFile, ElfIdentity, SectionHeader } from "./types.js";

export interface LoadedElf {
  elf: ElfFile;
  /** The whole file; pass it to readFunctionSymbols / containsAscii. */
  buffer: Buffer;
}

function readFailed(path: string, error: unknown) {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable" : code === "EISDIR" ? "is a directory" : `cannot be read (${code ?? String(error)})`;
  return inputError(`${path} ${reason}`, "check the path", error);
}

export function readElfFile(path: string): LoadedElf {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (error) {
    throw readFailed(path, error);
  }
  return { elf: parseElf(buffer, path), buffer };
}

/** Below this size a whole read is as cheap as picking the parts. */
const SPARSE_READ_MIN_BYTES = 16 << 20;
/** Sections read by name besides the tables: what parseElf and the symbolizer look into. */
const NAMED_SECTIONS = new Set([".go.buildinfo", ".debug_aranges", ".gnu_debuglink"]);

/**
 * Like readElfFile, but for a large file reads only what parseElf, the symbol tables and
 * .debug_aranges need: headers, notes, dynamic section, .symtab/.dynsym and their
 * strings. The rest of the buffer stays zero and is never touched, so it costs neither
 * reading nor resident memory (node's 99 MB binary: ~11 MB read). Files without section
 * headers are read whole.
 */
export function readElfFileForSymbols(path: string): LoadedElf {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw readFailed(path, error);
  }
  let buffer: Buffer | undefined;
  try {
    const size = fstatSync(fd).size;
    if (size >= SPARSE_READ_MIN_BYTES) buffer = readNeededParts(fd, size, path);
  } catch (error) {
    if (isAllocrunError(error)) throw error;
    throw readFailed(path, error);
  } finally {
    closeSync(fd);
  }
  return buffer === undefined ? readElfFile(path) : { elf: parseElf(buffer, path), buffer };
}

/** The file's buffer with only the needed ranges filled, or undefined to read it whole. */
function readNeededParts(fd: number, size: number, path: string): Buffer | undefined {
  // Zero-filled by the kernel on first touch: the parts never read stay unmapped.
  const buffer = Buffer.alloc(size);
  const fill = (offset: number, length: number) => {
    if (offset < 0 || length <= 0 || offset >= size) return;
    readFully(fd, buffer, offset, Math.min(size, offset + length) - offset, offset);
  };
  fill(0, ELF_IDENTITY_BYTES);
  if (!hasElfMagic(buffer)) return undefined;
  const is64 = buffer[4] === 2;
  const reader = new ByteReader(buffer, path, buffer[5] === 1, is64);
  const programTable = { offset: reader.word(is64 ? 0x20 : 0x1c), entry: reader.u16(is64 ? 0x36 : 0x2a), count: reader.u16(is64 ? 0x38 : 0x2c) };
  const sectionTable = { offset: reader.word(is64 ? 0x28 : 0x20), entry: reader.u16(is64 ? 0x3a : 0x2e), count: reader.u16(is64 ? 0x3c : 0x30) };
  const namesIndex = reader.u16(is64 ? 0x3e : 0x32);
  if (sectionTable.offset === 0 || sectionTable.count === 0 || namesIndex >= sectionTable.count) return undefined;
  fill(programTable.offset, programTable.count * programTable.entry);
  fill(sectionTable.offset, sectionTable.count * sectionTable.entry);
  for (let index = 0; index < programTable.count; index++) {
    const at = programTable.offset + index * programTable.entry;
    const type = reader.u32(at);
    if (type !== PT_NOTE && type !== PT_INTERP && type !== PT_DYNAMIC) continue;
    fill(is64 ? reader.u64(at + 8) : reader.u32(at + 4), is64 ? reader.u64(at + 32) : reader.u32(at + 16));
  }
  const section = (index: number) => {
    const at = sectionTable.offset + index * sectionTable.entry;
    return { name: reader.u32(at), type: reader.u32(at + 4), offset: is64 ? reader.u64(at + 24) : reader.u32(at + 16), size: is64 ? reader.u64(at + 32) : reader.u32(at + 20) };
  };
  const names = section(namesIndex);
  fill(names.offset, names.size);
  const nameOf = (nameOffset: number) => {
    const start = names.offset + nameOffset;
    const end = buffer.indexOf(0, start);
    return end < 0 || end > names.offset + names.size ? "" : buffer.toString("latin1", start, end);
  };
  const tableTypes = new Set([SHT_SYMTAB, SHT_DYNSYM, SHT_STRTAB, SHT_NOTE, SHT_DYNAMIC]);
  for (let index = 0; index < sectionTable.count; index++) {
    const header = section(index);
    if (tableTypes.has(header.type) || NAMED_SECTIONS.has(nameOf(header.name))) fill(header.offset, header.size);
  }
  return buffer;
}

/** Reads only the first 64 bytes: class, byte order, type, machine. */
export function readElfIdentity(path: string): ElfIdentity {
  return withOpenFile(path, (fd) => {
    const head = Buffer.alloc(ELF_IDENTITY_BYTES);
    const length = readSync(fd, head, 0, head.length, 0);
    return parseElfIdentity(head.subarray(0, length), path);
  });
}

/** The file bytes of the given sections, read by offset (not the whole file). */
export function readSectionContents(path: string, sections: readonly Pick<SectionHeader, "offset" | "size">[]): Buffer[] {
  return withOpenFile(path, (fd) =>
    sections.map((section) => readFileRange(fd, section.offset, section.size)),
  );
}

/** Runs `use` on the open file; failures other than AllocrunErrors become "cannot be read". */
export function withOpenFile<T>(path: string, use: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw readFailed(path, error);
  }
  try {
    return use(fd);
  } catch (error) {
    if (isAllocrunError(error)) throw error;
    throw readFailed(path, error);
  } finally {
    closeSync(fd);
  }
}

/** `length` bytes of the open file from `position` (fewer at end of file). */
export function readFileRange(fd: number, position: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  return bytes.subarray(0, readFully(fd, bytes, 0, length, position));
}

/** Reads `length` bytes at file `position` into buffer[at…] (fewer at end of file); returns the count. */
function readFully(fd: number, buffer: Buffer, at: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, at + done, length - done, position + done);
    if (read <= 0) break;
    done += read;
  }
  return done;
}
