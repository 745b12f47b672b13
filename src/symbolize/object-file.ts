// One mapped object (executable or shared library) as the symbolizer sees it: its PT_LOAD
// segments for file offset → vaddr, its build-id, whether symbols and DWARF are available
// (in the file or a separate debug file), and its function symbols, read on demand.
import {
  findFunctionStart,
  findSymbol,
  FunctionSymbolIndex,
  parseElf,
  PT_LOAD,
  readElfFileForSymbols,
  readFunctionRanges,
  readFunctionSymbols,
  readSectionContents,
  SHT_NOBITS,
  type ElfFile,
  type FunctionRanges,
  type FunctionSymbol,
  type LoadedElf,
} from "../elf/index.js";
import { findDebugFile } from "../detect/debug-file.js";
import { isInRanges, readDebugAranges } from "./dwarf-ranges.js";
import { stampKey, statStamp, type FileStamp, type ObjectMeta, type SectionPlace, type Segment, type SymbolCache, type UnwindSections } from "./symbol-cache.js";
import { readFileSync } from "node:fs";

export class ObjectFile {
  private loaded: LoadedElf | undefined;
  private debugLoaded: LoadedElf | undefined;
  private symbols: { find(vaddr: number): FunctionSymbol | undefined } | undefined;
  /** From the unwind tables, read at the first unnamed address; null when there are none. */
  private unwindRanges: FunctionRanges | null | undefined;

  private constructor(
    readonly path: string,
    readonly stamp: FileStamp,
    readonly meta: ObjectMeta,
    loaded: LoadedElf | undefined,
  ) {
    this.loaded = loaded;
  }

  /**
   * Opens `path` (headers from the cache when the file is unchanged). Throws an
   * AllocrunError for unreadable or non-ELF files; returns undefined when it does not exist.
   */
  static open(path: string, cache: SymbolCache, debugRoot: string | undefined): ObjectFile | undefined {
    const stamp = statStamp(path);
    if (stamp === undefined) return undefined;
    const cached = cache.readMeta(stamp);
    if (cached !== undefined) return new ObjectFile(path, stamp, cached, undefined);
    const loaded = readElfFileForSymbols(path);
    const { elf } = loaded;
    const segments: Segment[] = elf.programHeaders
      .filter((header) => header.type === PT_LOAD)
      .map((header) => ({ offset: header.offset, vaddr: header.vaddr, filesz: header.filesz }));
    const debug = loadMatchingDebugFile(path, elf.buildId, debugRoot);
    const dwarf = debug?.elf.hasDebugInfo ? debug : elf.hasDebugInfo ? loaded : undefined;
    const meta: ObjectMeta = {
      buildId: elf.buildId,
      segments,
      hasSymtab: elf.hasSymtab || (debug?.elf.hasSymtab ?? false),
      hasDebugInfo: dwarf !== undefined,
      debugFile: debug?.elf.fileName,
      dwarfRanges: dwarf === undefined ? undefined : readDebugAranges(dwarf.buffer, dwarf.elf.sections, dwarf.elf.endianness === "little"),
      unwindSections: unwindSectionsOf(elf),
    };
    cache.writeMeta(stamp, meta);
    const object = new ObjectFile(path, stamp, meta, loaded);
    object.debugLoaded = debug;
    return object;
  }

  /** The identity results are cached under: build-id when there is one. */
  get symbolKey(): string {
    return this.meta.buildId ?? stampKey(this.stamp);
  }

  /** The file DWARF tools should read: the debug file when there is one. */
  get dwarfPath(): string {
    return this.meta.debugFile ?? this.path;
  }

  /** True when the line tool can tell something about vaddr (DWARF covers it, or coverage is unknown). */
  hasDwarfFor(vaddr: number): boolean {
    if (!this.meta.hasDebugInfo) return false;
    return this.meta.dwarfRanges === undefined || isInRanges(this.meta.dwarfRanges, vaddr);
  }

  /** ELF vaddr of a file offset, or undefined when no PT_LOAD holds it. */
  fileOffsetToVaddr(fileOffset: number): number | undefined {
    for (const segment of this.meta.segments) {
      if (fileOffset >= segment.offset && fileOffset < segment.offset + segment.filesz) return fileOffset - segment.offset + segment.vaddr;
    }
    return undefined;
  }

  /** The function symbol whose extent contains vaddr (.symtab, .dynsym, debug file). */
  findFunctionSymbol(vaddr: number): FunctionSymbol | undefined {
    this.symbols ??= this.readSymbols();
    return this.symbols.find(vaddr);
  }

  /**
   * The start of the function holding vaddr by the unwind tables (.eh_frame), which
   * `strip` keeps: groups the unnamed addresses of one function. Undefined outside them.
   */
  findUnwindFunctionStart(vaddr: number): number | undefined {
    if (this.unwindRanges === undefined) this.unwindRanges = this.readUnwindRanges() ?? null;
    return this.unwindRanges === null ? undefined : findFunctionStart(this.unwindRanges, vaddr);
  }

  private readUnwindRanges(): FunctionRanges | undefined {
    // Caches written before the places were recorded: find them in the headers.
    if (this.meta.unwindSections === undefined) {
      this.loaded ??= readElfFileForSymbols(this.path);
      this.meta.unwindSections = unwindSectionsOf(this.loaded.elf);
    }
    const places = this.meta.unwindSections;
    if (places === null) return undefined;
    const { frame, header, littleEndian, is64 } = places;
    const [frameBytes, headerBytes] = readSectionContents(this.path, header === undefined ? [frame] : [frame, header]);
    if (frameBytes === undefined) return undefined;
    const headerSection = header === undefined || headerBytes === undefined ? undefined : { bytes: headerBytes, addr: header.addr };
    return readFunctionRanges({ bytes: frameBytes, addr: frame.addr }, headerSection, littleEndian, is64);
  }

  private readSymbols(): { find(vaddr: number): FunctionSymbol | undefined } {
    this.loaded ??= readElfFileForSymbols(this.path);
    if (this.meta.debugFile !== undefined) this.debugLoaded ??= loadDebugElf(this.meta.debugFile);
    // Without a debug file, names are decoded only for the addresses asked.
    if (this.debugLoaded === undefined) return FunctionSymbolIndex.read(this.loaded.elf, this.loaded.buffer);
    const merged = mergeSymbols(readFunctionSymbols(this.loaded.elf, this.loaded.buffer), readFunctionSymbols(this.debugLoaded.elf, this.debugLoaded.buffer));
    return { find: (vaddr) => findSymbol(merged, vaddr) };
  }
}

/** Where the unwind tables lie (read later, only if an address stays unnamed). */
function unwindSectionsOf(elf: ElfFile): UnwindSections | null {
  const place = (name: string): SectionPlace | undefined => {
    const section = elf.sections.find((candidate) => candidate.name === name && candidate.type !== SHT_NOBITS && candidate.size > 0);
    return section === undefined ? undefined : { offset: section.offset, addr: section.addr, size: section.size };
  };
  const frame = place(".eh_frame");
  if (frame === undefined) return null;
  const header = place(".eh_frame_hdr");
  return { frame, ...(header === undefined ? {} : { header }), littleEndian: elf.endianness === "little", is64: elf.bits === 64 };
}

/**
 * A separate debug file, or undefined when unreadable. Debug files keep the program
 * headers of the original but not their contents (PT_INTERP points into a NOBITS
 * section), which parseElf rejects; only sections matter here, so on failure the headers
 * are hidden (e_phnum = 0) and the file parsed again.
 */
function loadDebugElf(path: string): LoadedElf | undefined {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch {
    return undefined;
  }
  try {
    return { elf: parseElf(buffer, path), buffer };
  } catch {
    // retried below without program headers
  }
  try {
    const is64 = buffer[4] === 2;
    const littleEndian = buffer[5] === 1;
    const phnumOffset = is64 ? 0x38 : 0x2c;
    if (littleEndian) buffer.writeUInt16LE(0, phnumOffset);
    else buffer.writeUInt16BE(0, phnumOffset);
    return { elf: parseElf(buffer, path), buffer };
  } catch {
    return undefined;
  }
}

/** A debug file only counts when its build-id matches: a stale one would give wrong names. */
function loadMatchingDebugFile(path: string, buildId: string | undefined, debugRoot: string | undefined): LoadedElf | undefined {
  const candidate = findDebugFile(path, buildId, debugRoot);
  if (candidate === undefined) return undefined;
  const debug = loadDebugElf(candidate);
  if (debug === undefined) return undefined;
  if (buildId !== undefined && debug.elf.buildId !== undefined && debug.elf.buildId !== buildId) return undefined;
  return debug;
}

/** Both lists sorted by address; the object's own (exported) name wins at equal addresses. */
function mergeSymbols(own: FunctionSymbol[], fromDebug: FunctionSymbol[]): FunctionSymbol[] {
  const byAddress = new Map<number, FunctionSymbol>();
  for (const symbol of fromDebug) byAddress.set(symbol.value, symbol);
  for (const symbol of own) byAddress.set(symbol.value, symbol);
  return [...byAddress.values()].sort((a, b) => a.value - b.value);
}
