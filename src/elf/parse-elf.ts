// parseElf: headers, segments, sections, dynamic section and notes of an ELF file held in
// a Buffer. Pure: no file system, no process state. 32/64-bit, little/big endian.
import { inputError } from "../core/errors.js";
import { vaddrToFileOffset } from "./address.js";
import { ByteReader } from "./byte-reader.js";
import {
  DF_1_PIE, DT_FLAGS_1, DT_NEEDED, DT_NULL, DT_RPATH, DT_RUNPATH, DT_SONAME, DT_STRSZ, DT_STRTAB,
  NT_GNU_BUILD_ID, NT_GO_BUILD_ID, PT_DYNAMIC, PT_INTERP, PT_NOTE, SHT_DYNAMIC, SHT_NOBITS, SHT_NOTE, SHT_SYMTAB,
} from "./constants.js";
import { GO_BUILDINFO_MAGIC, readGoVersion } from "./go-buildinfo.js";
import { elfMachineName } from "./machine.js";
import { readNotes, type ElfNote } from "./notes.js";
import type { ElfFile, ElfIdentity, ElfType, ProgramHeader, SectionHeader } from "./types.js";

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
/** Bytes needed to read the identity (e_ident through e_flags of a 64-bit header). */
export const ELF_IDENTITY_BYTES = 64;
const ELF_TYPES: Record<number, ElfType> = { 1: "rel", 2: "exec", 3: "dyn", 4: "core" };
const SHN_XINDEX = 0xffff;

/** True when the buffer starts with the ELF magic "\x7fELF". */
export function hasElfMagic(buffer: Buffer): boolean {
  return buffer.length >= 4 && buffer.subarray(0, 4).equals(ELF_MAGIC);
}

function openReader(buffer: Buffer, fileName: string): ByteReader {
  if (!hasElfMagic(buffer)) {
    throw inputError(
      `${fileName} is not an ELF file (no \\x7fELF magic at offset 0x0)`,
      "pass a native Linux executable or shared library, not a script or archive",
    );
  }
  const elfClass = buffer[4];
  const data = buffer[5];
  const probe = new ByteReader(buffer, fileName, true, false);
  if (elfClass !== 1 && elfClass !== 2) throw probe.corrupt(`unknown ELF class ${elfClass}`, 4);
  if (data !== 1 && data !== 2) throw probe.corrupt(`unknown ELF data encoding ${data}`, 5);
  return new ByteReader(buffer, fileName, data === 1, elfClass === 2);
}

function readIdentity(reader: ByteReader): ElfIdentity {
  const machine = reader.u16(0x12);
  return {
    fileName: reader.fileName,
    bits: reader.is64 ? 64 : 32,
    endianness: reader.littleEndian ? "little" : "big",
    osAbi: reader.u8(7),
    type: ELF_TYPES[reader.u16(0x10)] ?? "unknown",
    machine,
    machineName: elfMachineName(machine),
    flags: reader.u32(reader.is64 ? 0x30 : 0x24),
  };
}

/** Class, byte order, type and machine from the first 64 bytes (a file head is enough). */
export function parseElfIdentity(buffer: Buffer, fileName = "<buffer>"): ElfIdentity {
  return readIdentity(openReader(buffer, fileName));
}

export function parseElf(buffer: Buffer, fileName = "<buffer>"): ElfFile {
  const reader = openReader(buffer, fileName);
  const identity = readIdentity(reader);
  const programHeaders = readProgramHeaders(reader);
  const sections = readSectionHeaders(reader);
  const interpreter = readInterpreter(reader, programHeaders);
  const dynamic = readDynamic(reader, programHeaders, sections);
  const notes = collectNotes(reader, programHeaders, sections);
  const hasSection = (name: string): boolean => sections.some((section) => section.name === name);
  const buildIdNote = notes.find((note) => note.owner === "GNU" && note.type === NT_GNU_BUILD_ID);
  const goNote = notes.some((note) => note.owner === "Go" && note.type === NT_GO_BUILD_ID);
  const goBuildInfoOffset = locateGoBuildInfo(buffer, sections);
  const isGo = goNote || goBuildInfoOffset !== undefined || hasSection(".gopclntab");
  const isPie = (dynamic.flags1 & DF_1_PIE) !== 0;
  const isExecutable = identity.type === "exec" || (identity.type === "dyn" && isPie);
  return {
    ...identity,
    entry: reader.word(0x18),
    programHeaders,
    sections,
    interpreter,
    ...dynamic,
    isPie,
    buildId: buildIdNote && buffer.toString("hex", buildIdNote.descOffset, buildIdNote.descOffset + buildIdNote.descSize),
    isGo,
    goVersion: goBuildInfoOffset === undefined ? undefined : readGoVersion(buffer, goBuildInfoOffset, programHeaders),
    hasSymtab: sections.some((section) => section.type === SHT_SYMTAB),
    hasDebugInfo: hasSection(".debug_info") || hasSection(".zdebug_info"),
    isStatic: isExecutable && interpreter === undefined,
  };
}

function readTableLayout(reader: ByteReader, offsetField: number, entrySizeField: number, minEntrySize: number, what: string) {
  const tableOffset = reader.word(offsetField);
  const entrySize = reader.u16(entrySizeField);
  if (tableOffset !== 0 && entrySize < minEntrySize) throw reader.corrupt(`${what} entry size ${entrySize} is too small`, entrySizeField);
  return { tableOffset, entrySize };
}

function readProgramHeaders(reader: ByteReader): ProgramHeader[] {
  const is64 = reader.is64;
  const { tableOffset, entrySize } = readTableLayout(reader, is64 ? 0x20 : 0x1c, is64 ? 0x36 : 0x2a, is64 ? 56 : 32, "program header");
  const count = reader.u16(is64 ? 0x38 : 0x2c);
  if (tableOffset === 0 || count === 0) return [];
  reader.requireRange(tableOffset, count * entrySize, "program header table");
  const headers: ProgramHeader[] = [];
  for (let index = 0; index < count; index++) {
    const at = tableOffset + index * entrySize;
    headers.push(is64
      ? {
          type: reader.u32(at), flags: reader.u32(at + 4), offset: reader.u64(at + 8), vaddr: reader.u64(at + 16),
          filesz: reader.u64(at + 32), memsz: reader.u64(at + 40), align: reader.u64(at + 48),
        }
      : {
          type: reader.u32(at), offset: reader.u32(at + 4), vaddr: reader.u32(at + 8), filesz: reader.u32(at + 16),
          memsz: reader.u32(at + 20), flags: reader.u32(at + 24), align: reader.u32(at + 28),
        });
  }
  return headers;
}

type RawSection = Omit<SectionHeader, "name"> & { nameOffset: number };

function readRawSection(reader: ByteReader, at: number): RawSection {
  if (reader.is64) {
    return {
      nameOffset: reader.u32(at), type: reader.u32(at + 4), flags: reader.u64(at + 8), addr: reader.u64(at + 16),
      offset: reader.u64(at + 24), size: reader.u64(at + 32), link: reader.u32(at + 40), info: reader.u32(at + 44),
      addralign: reader.u64(at + 48), entsize: reader.u64(at + 56),
    };
  }
  return {
    nameOffset: reader.u32(at), type: reader.u32(at + 4), flags: reader.u32(at + 8), addr: reader.u32(at + 12),
    offset: reader.u32(at + 16), size: reader.u32(at + 20), link: reader.u32(at + 24), info: reader.u32(at + 28),
    addralign: reader.u32(at + 32), entsize: reader.u32(at + 36),
  };
}

function readSectionHeaders(reader: ByteReader): SectionHeader[] {
  const is64 = reader.is64;
  const { tableOffset, entrySize } = readTableLayout(reader, is64 ? 0x28 : 0x20, is64 ? 0x3a : 0x2e, is64 ? 64 : 40, "section header");
  if (tableOffset === 0) return [];
  let count = reader.u16(is64 ? 0x3c : 0x30);
  let namesIndex = reader.u16(is64 ? 0x3e : 0x32);
  // More than 0xff00 sections: the real count and name-table index live in section 0.
  if (count === 0 || namesIndex === SHN_XINDEX) {
    const first = readRawSection(reader, tableOffset);
    if (count === 0) count = first.size;
    if (namesIndex === SHN_XINDEX) namesIndex = first.link;
  }
  reader.requireRange(tableOffset, count * entrySize, "section header table");
  const raw: RawSection[] = [];
  for (let index = 0; index < count; index++) raw.push(readRawSection(reader, tableOffset + index * entrySize));
  const names = raw[namesIndex];
  if (names !== undefined && names.type !== SHT_NOBITS) reader.requireRange(names.offset, names.size, "section name table");
  return raw.map(({ nameOffset, ...section }) => ({
    ...section,
    name: names === undefined || nameOffset === 0 ? "" : reader.cString(names.offset + nameOffset, names.offset + names.size, "section name"),
  }));
}

function readInterpreter(reader: ByteReader, programHeaders: readonly ProgramHeader[]): string | undefined {
  const segment = programHeaders.find((header) => header.type === PT_INTERP);
  if (segment === undefined) return undefined;
  reader.requireRange(segment.offset, segment.filesz, "PT_INTERP");
  return reader.cString(segment.offset, segment.offset + segment.filesz, "PT_INTERP path");
}

interface DynamicInfo {
  needed: string[];
  soname: string | undefined;
  runpath: string | undefined;
  flags1: number;
}

function readDynamic(reader: ByteReader, programHeaders: readonly ProgramHeader[], sections: readonly SectionHeader[]): DynamicInfo {
  const info: DynamicInfo = { needed: [], soname: undefined, runpath: undefined, flags1: 0 };
  const segment = programHeaders.find((header) => header.type === PT_DYNAMIC);
  const section = sections.find((header) => header.type === SHT_DYNAMIC);
  const area = segment ? { offset: segment.offset, size: segment.filesz } : section ? { offset: section.offset, size: section.size } : undefined;
  if (area === undefined) return info;
  reader.requireRange(area.offset, area.size, "dynamic section");
  const entrySize = reader.is64 ? 16 : 8;
  const stringOffsets: { tag: number; value: number }[] = [];
  let strtabVaddr: number | undefined;
  let strtabSize: number | undefined;
  for (let at = area.offset; at + entrySize <= area.offset + area.size; at += entrySize) {
    const tag = reader.is64 ? reader.i64(at) : reader.i32(at);
    const value = reader.word(at + entrySize / 2);
    if (tag === DT_NULL) break;
    if (tag === DT_STRTAB) strtabVaddr = value;
    else if (tag === DT_STRSZ) strtabSize = value;
    else if (tag === DT_FLAGS_1) info.flags1 = value;
    else if (tag === DT_NEEDED || tag === DT_SONAME || tag === DT_RUNPATH || tag === DT_RPATH) stringOffsets.push({ tag, value });
  }
  if (stringOffsets.length === 0) return info;
  // DT_STRTAB is a vaddr; the section's sh_link is the fallback for unusual layouts.
  const linked = section === undefined ? undefined : sections[section.link];
  const tableOffset = (strtabVaddr === undefined ? undefined : vaddrToFileOffset({ programHeaders }, strtabVaddr)) ?? linked?.offset;
  const tableSize = strtabSize ?? linked?.size;
  if (tableOffset === undefined || tableSize === undefined) throw reader.corrupt("dynamic string table not found", area.offset);
  reader.requireRange(tableOffset, tableSize, "dynamic string table");
  for (const { tag, value } of stringOffsets) {
    const text = reader.cString(tableOffset + value, tableOffset + tableSize, "dynamic string");
    if (tag === DT_NEEDED) info.needed.push(text);
    else if (tag === DT_SONAME) info.soname = text;
    else if (tag === DT_RUNPATH || info.runpath === undefined) info.runpath = text;
  }
  return info;
}

function collectNotes(reader: ByteReader, programHeaders: readonly ProgramHeader[], sections: readonly SectionHeader[]): ElfNote[] {
  const areas = new Map<number, { size: number; align: number }>();
  for (const header of programHeaders) {
    if (header.type === PT_NOTE) areas.set(header.offset, { size: header.filesz, align: header.align });
  }
  for (const section of sections) {
    if (section.type === SHT_NOTE && !areas.has(section.offset)) areas.set(section.offset, { size: section.size, align: section.addralign });
  }
  return [...areas].flatMap(([offset, { size, align }]) => readNotes(reader, offset, size, align));
}

/** File offset of the Go build-info blob: the .go.buildinfo section, else a magic scan. */
function locateGoBuildInfo(buffer: Buffer, sections: readonly SectionHeader[]): number | undefined {
  const section = sections.find((header) => header.name === ".go.buildinfo");
  if (section !== undefined) return section.offset;
  // Without section headers (sstrip) the blob is still there, 16-byte aligned.
  if (sections.length > 0) return undefined;
  for (let at = buffer.indexOf(GO_BUILDINFO_MAGIC); at >= 0; at = buffer.indexOf(GO_BUILDINFO_MAGIC, at + 1)) {
    if (at % 16 === 0) return at;
  }
  return undefined;
}
