// Reads only the parts of an ELF file the target checks need, with positioned reads:
// headers, program and section header tables, PT_INTERP, the dynamic section and its
// strings, .dynsym and .gnu.hash, notes and the Go build info. parseElf takes a whole Buffer, so the
// bytes land in a zero-filled buffer of the file's size (the kernel maps zero pages
// lazily: allocating 100 MB this way costs well under a millisecond) and parseElf runs
// over it. Everything else stays zero; callers must not read symbol names from .symtab.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { inputError } from "../../core/errors.js";
import {
  hasElfMagic, parseElf, PF_W, PF_X, PT_DYNAMIC, PT_INTERP, PT_LOAD, PT_NOTE, SHT_DYNAMIC, SHT_DYNSYM, SHT_NOTE,
  type ElfFile,
} from "../../elf/index.js";

export interface ElfHeaders {
  elf: ElfFile;
  /** File-sized; only the ranges listed above hold the file's bytes. */
  buffer: Buffer;
  /** True when the whole file was read (small files, or layouts this reader does not handle). */
  isComplete: boolean;
}

/** Below this size one read of the whole file is cheaper than several small ones. */
const WHOLE_FILE_BYTES = 1024 * 1024;
const HEAD_BYTES = 64 * 1024;
/** Enough for the Go ≥ 1.18 build-info header and its inline version string. */
const GO_BUILDINFO_BYTES = 4096;
const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;
const SHT_GNU_HASH = 0x6ffffff6;

interface Range {
  offset: number;
  size: number;
}

class PositionedFile {
  readonly size: number;
  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {
    this.size = fstatSync(fd).size;
  }

  static open(path: string): PositionedFile {
    try {
      return new PositionedFile(path, openSync(path, "r"));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw inputError(`${path} cannot be read (${code ?? String(error)})`, "check the path and its permissions", error);
    }
  }

  /** Copies [offset, offset + size) of the file into the same place in `target`. */
  fill(target: Buffer, { offset, size }: Range): void {
    this.readAt(target, offset, offset, size);
  }

  /** Copies `size` bytes from `fileOffset` to `target[targetOffset]`; the file's end stops it early. */
  readAt(target: Buffer, targetOffset: number, fileOffset: number, size: number): number {
    const count = Math.max(0, Math.min(size, this.size - fileOffset, target.length - targetOffset));
    let done = 0;
    while (done < count) {
      const read = readSync(this.fd, target, targetOffset + done, count - done, fileOffset + done);
      if (read === 0) break;
      done += read;
    }
    return done;
  }

  close(): void {
    closeSync(this.fd);
  }
}

export function readElfHeaders(path: string): ElfHeaders {
  const file = PositionedFile.open(path);
  try {
    return readFrom(file);
  } finally {
    file.close();
  }
}

function readFrom(file: PositionedFile): ElfHeaders {
  const readWhole = (): ElfHeaders => {
    const buffer = Buffer.alloc(file.size);
    file.fill(buffer, { offset: 0, size: file.size });
    return { elf: parseElf(buffer, file.path), buffer, isComplete: true };
  };
  if (file.size <= WHOLE_FILE_BYTES) return readWhole();
  const buffer = Buffer.alloc(file.size);
  file.fill(buffer, { offset: 0, size: HEAD_BYTES });
  if (!hasElfMagic(buffer)) return readWhole(); // parseElf reports "not an ELF file"
  const tables = locateHeaderTables(buffer);
  // No section headers (sstrip), or more than 0xff00 of them: rare, read everything.
  if (tables === undefined) return readWhole();
  file.fill(buffer, tables.programHeaders);
  file.fill(buffer, tables.sectionHeaders);
  let layout: ElfFile;
  try {
    // The tables are real; the areas they point to are still zero, which parses as empty.
    layout = parseElf(buffer, file.path);
  } catch {
    return readWhole();
  }
  for (const range of rangesTheChecksRead(layout, tables.namesIndex)) file.fill(buffer, range);
  let elf = parseElf(buffer, file.path);
  const buildInfo = elf.sections.find((section) => section.name === ".go.buildinfo");
  if (buildInfo !== undefined) {
    file.fill(buffer, { offset: buildInfo.offset, size: GO_BUILDINFO_BYTES });
    elf = parseElf(buffer, file.path);
  }
  return { elf, buffer, isComplete: false };
}

interface HeaderTables {
  programHeaders: Range;
  sectionHeaders: Range;
  namesIndex: number;
}

/** e_phoff/e_phentsize/e_phnum and e_shoff/e_shentsize/e_shnum/e_shstrndx. */
function locateHeaderTables(head: Buffer): HeaderTables | undefined {
  const is64 = head[4] === 2;
  const little = head[5] === 1;
  const u16 = (at: number) => (little ? head.readUInt16LE(at) : head.readUInt16BE(at));
  const word = (at: number) =>
    is64 ? Number(little ? head.readBigUInt64LE(at) : head.readBigUInt64BE(at)) : little ? head.readUInt32LE(at) : head.readUInt32BE(at);
  const [phoff, shoff] = is64 ? [word(0x20), word(0x28)] : [word(0x1c), word(0x20)];
  const [phentsize, phnum, shentsize, shnum, shstrndx] = (is64 ? [0x36, 0x38, 0x3a, 0x3c, 0x3e] : [0x2a, 0x2c, 0x2e, 0x30, 0x32]).map(u16) as [
    number, number, number, number, number,
  ];
  if (shoff === 0 || shnum === 0 || shstrndx >= 0xff00) return undefined;
  return {
    programHeaders: { offset: phoff, size: phentsize * phnum },
    sectionHeaders: { offset: shoff, size: shentsize * shnum },
    namesIndex: shstrndx,
  };
}

function rangesTheChecksRead(layout: ElfFile, namesIndex: number): Range[] {
  const ranges: Range[] = [];
  for (const header of layout.programHeaders) {
    if (header.type === PT_INTERP || header.type === PT_DYNAMIC || header.type === PT_NOTE) ranges.push({ offset: header.offset, size: header.filesz });
  }
  const wanted = new Set<number>([namesIndex]);
  layout.sections.forEach((section, index) => {
    if (section.type === SHT_NOTE || section.type === SHT_GNU_HASH) wanted.add(index);
    if (section.type === SHT_DYNAMIC || section.type === SHT_DYNSYM) {
      wanted.add(index);
      wanted.add(section.link); // .dynstr
    }
  });
  for (const index of wanted) {
    const section = layout.sections[index];
    if (section !== undefined) ranges.push({ offset: section.offset, size: section.size });
  }
  return ranges;
}

/**
 * Which of `texts` occur in the program's read-only data (.rodata*, or the read-only,
 * non-executable PT_LOAD segments when there are no section headers), read in chunks.
 * Fingerprints such as "_RJEM_MALLOC_CONF" live there; .text and .symtab are skipped.
 */
export function findStringsInReadOnlyData(path: string, elf: ElfFile, texts: readonly string[], maxBytes = Number.POSITIVE_INFINITY): Set<string> {
  const found = new Set<string>();
  if (texts.length === 0) return found;
  const regions = readOnlyDataRegions(elf);
  if (regions.reduce((total, region) => total + region.size, 0) > maxBytes) return found;
  const needles = texts.map((text) => ({ text, bytes: Buffer.from(text, "latin1") }));
  const overlap = Math.max(...needles.map(({ bytes }) => bytes.length)) - 1;
  const file = PositionedFile.open(path);
  try {
    const chunk = Buffer.alloc(SCAN_CHUNK_BYTES + overlap);
    for (const region of regions) {
      for (let start = region.offset; start < region.offset + region.size && found.size < needles.length; start += SCAN_CHUNK_BYTES) {
        const size = file.readAt(chunk, 0, start, Math.min(chunk.length, region.offset + region.size - start));
        if (size === 0) break;
        const window = chunk.subarray(0, size);
        for (const { text, bytes } of needles) if (!found.has(text) && window.indexOf(bytes) >= 0) found.add(text);
      }
    }
  } finally {
    file.close();
  }
  return found;
}

function readOnlyDataRegions(elf: ElfFile): Range[] {
  const rodata = elf.sections.filter((section) => section.name.startsWith(".rodata") && section.size > 0);
  if (rodata.length > 0) return rodata.map(({ offset, size }) => ({ offset, size }));
  return elf.programHeaders
    .filter((header) => header.type === PT_LOAD && (header.flags & (PF_X | PF_W)) === 0)
    .map(({ offset, filesz }) => ({ offset, size: filesz }));
}
