// Function symbols from .symtab and .dynsym, and the lookup the symbolizer relies on:
// an address resolves to a symbol only when it lies inside that symbol's extent. jeprof
// resolves stripped code to the nearest exported symbol and is silently wrong
// (profile-formats.md §6.2); returning nothing is the honest answer.
import { ByteReader } from "./byte-reader.js";
import { SHT_DYNSYM, SHT_SYMTAB, STB_GLOBAL, STB_LOCAL, STB_WEAK, STT_FUNC, STT_GNU_IFUNC } from "./constants.js";
import { EM_ARM } from "./machine.js";
import { lastAtOrBelow } from "./sorted-search.js";
import type { ElfFile } from "./types.js";

export type SymbolBinding = "local" | "global" | "weak" | "other";

export interface FunctionSymbol {
  name: string;
  /** Start vaddr (ARM Thumb bit cleared). */
  value: number;
  /** Extent in bytes; 0 means unknown, and then only the exact address matches. */
  size: number;
  binding: SymbolBinding;
}

interface RawSymbol {
  /** Absolute buffer offset of the name, or -1 for an unnamed symbol. Decoded on demand. */
  nameStart: number;
  value: number;
  size: number;
  type: number;
  binding: number;
  sectionIndex: number;
}

interface StringTable {
  reader: ByteReader;
  end: number;
}

const BINDINGS: Record<number, SymbolBinding> = { [STB_LOCAL]: "local", [STB_GLOBAL]: "global", [STB_WEAK]: "weak" };
const BINDING_RANK: Record<SymbolBinding, number> = { global: 0, weak: 1, local: 2, other: 3 };
/** How far findSymbol looks back for an enclosing symbol behind a smaller one. */
const MAX_LOOKBACK = 64;

function readerFor(elf: ElfFile, buffer: Buffer): ByteReader {
  return new ByteReader(buffer, elf.fileName, elf.endianness === "little", elf.bits === 64);
}

/**
 * Calls `visit` for every entry of .symtab and .dynsym (undefined symbols included) until
 * it returns true. Names are decoded only by callers that need them (symbolName).
 */
function forEachSymbol(elf: ElfFile, buffer: Buffer, visit: (symbol: RawSymbol, strings: StringTable) => boolean | void): void {
  const reader = readerFor(elf, buffer);
  const entrySize = reader.is64 ? 24 : 16;
  for (const table of elf.sections) {
    if (table.type !== SHT_SYMTAB && table.type !== SHT_DYNSYM) continue;
    const strings = elf.sections[table.link];
    if (strings === undefined) throw reader.corrupt(`symbol table ${table.name} links to missing string table ${table.link}`, table.offset);
    reader.requireRange(table.offset, table.size, `symbol table ${table.name}`);
    reader.requireRange(strings.offset, strings.size, `string table ${strings.name}`);
    const stringTable: StringTable = { reader, end: strings.offset + strings.size };
    // Entry 0 is the reserved null symbol.
    for (let at = table.offset + entrySize; at + entrySize <= table.offset + table.size; at += entrySize) {
      const nameOffset = reader.u32(at);
      const info = reader.is64 ? reader.u8(at + 4) : reader.u8(at + 12);
      const stop = visit({
        nameStart: nameOffset === 0 ? -1 : strings.offset + nameOffset,
        value: reader.is64 ? reader.u64(at + 8) : reader.u32(at + 4),
        size: reader.is64 ? reader.u64(at + 16) : reader.u32(at + 8),
        type: info & 0xf,
        binding: info >> 4,
        sectionIndex: reader.is64 ? reader.u16(at + 6) : reader.u16(at + 14),
      }, stringTable);
      if (stop === true) return;
    }
  }
}

const symbolName = (symbol: RawSymbol, strings: StringTable): string =>
  symbol.nameStart < 0 ? "" : strings.reader.cString(symbol.nameStart, strings.end, "symbol name");

/** Leading underscores mark internal aliases (__libc_malloc vs malloc). */
function underscoreCount(name: string): number {
  let count = 0;
  while (name.charCodeAt(count) === 0x5f) count++;
  return count;
}

/** Negative when `a` is the better name for an address both symbols start at. */
function comparePreferred(a: FunctionSymbol, b: FunctionSymbol): number {
  return (
    Number(b.size > 0) - Number(a.size > 0) ||
    BINDING_RANK[a.binding] - BINDING_RANK[b.binding] ||
    underscoreCount(a.name) - underscoreCount(b.name) ||
    a.name.length - b.name.length ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

/**
 * Defined FUNC and IFUNC symbols of .symtab and .dynsym, sorted by address, one per address
 * (aliases collapse to the preferred name: sized, global, fewest leading underscores, shortest).
 */
export function readFunctionSymbols(elf: ElfFile, buffer: Buffer): FunctionSymbol[] {
  // One preferred symbol per address, then a native numeric sort of the addresses:
  // node's 150k symbols sort several times faster this way than with a comparator.
  const byAddress = new Map<number, FunctionSymbol>();
  forEachSymbol(elf, buffer, (raw, strings) => {
    if (raw.type !== STT_FUNC && raw.type !== STT_GNU_IFUNC) return;
    if (raw.sectionIndex === 0 || raw.nameStart < 0) return;
    const name = symbolName(raw, strings);
    if (name === "") return;
    // ARM marks Thumb functions by setting bit 0 of the address.
    const value = elf.machine === EM_ARM ? raw.value - (raw.value % 2) : raw.value;
    const symbol: FunctionSymbol = { name, value, size: raw.size, binding: BINDINGS[raw.binding] ?? "other" };
    const current = byAddress.get(value);
    if (current === undefined || comparePreferred(symbol, current) < 0) byAddress.set(value, symbol);
  });
  const addresses = Float64Array.from(byAddress.keys()).sort();
  return Array.from(addresses, (address) => byAddress.get(address) as FunctionSymbol);
}

const contains = (symbol: FunctionSymbol, vaddr: number): boolean =>
  symbol.size === 0 ? vaddr === symbol.value : vaddr >= symbol.value && vaddr < symbol.value + symbol.size;

/**
 * The symbol whose extent [value, value + size) contains vaddr (size 0: exact match only),
 * or undefined. Never the nearest unrelated symbol. `symbols` must come from readFunctionSymbols.
 */
export function findSymbol(symbols: readonly FunctionSymbol[], vaddr: number): FunctionSymbol | undefined {
  let low = 0;
  let high = symbols.length - 1;
  let candidate = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if ((symbols[middle] as FunctionSymbol).value <= vaddr) {
      candidate = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  // A small symbol (a label, a nested helper) may sit inside a larger function.
  for (let index = candidate; index >= 0 && index > candidate - MAX_LOOKBACK; index--) {
    const symbol = symbols[index] as FunctionSymbol;
    if (contains(symbol, vaddr)) return symbol;
  }
  return undefined;
}

/** True when .symtab or .dynsym defines or references a symbol of exactly this name. */
export function hasSymbolNamed(elf: ElfFile, buffer: Buffer, name: string): boolean {
  // Compare raw bytes (name + NUL) instead of decoding every name: fast on large tables.
  const needle = Buffer.from(`${name}\0`, "utf8");
  let found = false;
  forEachSymbol(elf, buffer, (raw, strings) => {
    const end = raw.nameStart + needle.length;
    found = raw.nameStart >= 0 && end <= strings.end && buffer.compare(needle, 0, needle.length, raw.nameStart, end) === 0;
    return found;
  });
  return found;
}

/**
 * Function symbols for address lookups, without decoding every name: a large binary (node:
 * 150k symbols, 7 MB of names) is asked about a few thousand addresses, so addresses,
 * sizes and bindings go into typed arrays and a name is decoded only when an address
 * resolves to it (or breaks a tie between aliases). Answers as findSymbol over
 * readFunctionSymbols does.
 */
export class FunctionSymbolIndex {
  private constructor(
    private readonly values: Float64Array,
    private readonly sizes: Float64Array,
    private readonly bindings: Uint8Array,
    private readonly nameStarts: Float64Array,
    private readonly nameEnds: Float64Array,
    private readonly reader: ByteReader,
  ) {}

  static read(elf: ElfFile, buffer: Buffer): FunctionSymbolIndex {
    const values: number[] = [];
    const sizes: number[] = [];
    const bindings: number[] = [];
    const nameStarts: number[] = [];
    const nameEnds: number[] = [];
    forEachSymbol(elf, buffer, (raw, strings) => {
      if (raw.type !== STT_FUNC && raw.type !== STT_GNU_IFUNC) return;
      if (raw.sectionIndex === 0 || raw.nameStart < 0 || raw.nameStart >= strings.end || buffer[raw.nameStart] === 0) return;
      values.push(elf.machine === EM_ARM ? raw.value - (raw.value % 2) : raw.value);
      sizes.push(raw.size);
      bindings.push(raw.binding);
      nameStarts.push(raw.nameStart);
      nameEnds.push(strings.end);
    });
    const order = Uint32Array.from(values.keys()).sort((a, b) => (values[a] as number) - (values[b] as number));
    const pick = <T extends Float64Array | Uint8Array>(from: number[], into: T): T => {
      for (let position = 0; position < order.length; position++) into[position] = from[order[position] as number] as number;
      return into;
    };
    const count = order.length;
    return new FunctionSymbolIndex(
      pick(values, new Float64Array(count)),
      pick(sizes, new Float64Array(count)),
      pick(bindings, new Uint8Array(count)),
      pick(nameStarts, new Float64Array(count)),
      pick(nameEnds, new Float64Array(count)),
      readerFor(elf, buffer),
    );
  }

  /** The symbol whose extent contains vaddr (size 0: exact match), or undefined. */
  find(vaddr: number): FunctionSymbol | undefined {
    const { values } = this;
    // Last entry at or below vaddr; entries sharing an address are aliases of one another.
    const candidate = lastAtOrBelow(values, vaddr);
    // Walk back over distinct addresses, as findSymbol does over its one-per-address list.
    let distinct = 0;
    for (let index = candidate; index >= 0 && distinct < MAX_LOOKBACK; ) {
      const value = values[index] as number;
      let first = index;
      while (first > 0 && values[first - 1] === value) first--;
      const best = this.preferred(first, index);
      if (contains(best, vaddr)) return best;
      index = first - 1;
      distinct++;
    }
    return undefined;
  }

  /** The preferred alias among entries first..last (same address). */
  private preferred(first: number, last: number): FunctionSymbol {
    let best = this.symbolAt(first);
    for (let index = first + 1; index <= last; index++) {
      const other = this.symbolAt(index);
      if (comparePreferred(other, best) < 0) best = other;
    }
    return best;
  }

  private symbolAt(index: number): FunctionSymbol {
    const name = this.reader.cString(this.nameStarts[index] as number, this.nameEnds[index] as number, "symbol name");
    return { name, value: this.values[index] as number, size: this.sizes[index] as number, binding: BINDINGS[this.bindings[index] as number] ?? "other" };
  }
}
