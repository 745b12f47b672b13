// Name lookups in .dynsym without decoding the whole table: readFunctionSymbols builds
// and sorts every symbol (130 ms for node's 61 000 exports), while the run path asks
// about a handful of names. Defined symbols are found through .gnu.hash, as ld.so finds
// them; the entries below the hash table's symoffset (imports) are compared as bytes.
import type { ElfFile, SectionHeader } from "../../elf/index.js";
import { SHT_DYNSYM } from "../../elf/index.js";

const SHT_GNU_HASH = 0x6ffffff6;
const SHN_UNDEF = 0;

export interface DynamicSymbols {
  /** .dynsym defines `name` (the executable exports it, so it interposes on libraries). */
  defines(name: string): boolean;
  /** .dynsym defines or imports `name`. */
  mentions(name: string): boolean;
}

/** Undefined when there is no .dynsym; `buffer` must hold .dynsym, its strings and .gnu.hash. */
export function indexDynamicSymbols(elf: ElfFile, buffer: Buffer): DynamicSymbols | undefined {
  const table = elf.sections.find((section) => section.type === SHT_DYNSYM);
  const strings = table === undefined ? undefined : elf.sections[table.link];
  if (table === undefined || strings === undefined || table.entsize === 0) return undefined;
  const little = elf.endianness === "little";
  const u32 = (at: number) => (little ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at));
  const u16 = (at: number) => (little ? buffer.readUInt16LE(at) : buffer.readUInt16BE(at));
  const count = Math.floor(table.size / table.entsize);
  const sectionIndexField = elf.bits === 64 ? 6 : 14;

  const nameIs = (index: number, needle: Buffer): boolean => {
    const at = table.offset + index * table.entsize;
    const start = strings.offset + u32(at);
    const end = start + needle.length;
    return end < strings.offset + strings.size && buffer[end] === 0 && buffer.compare(needle, 0, needle.length, start, end) === 0;
  };
  const isDefined = (index: number) => u16(table.offset + index * table.entsize + sectionIndexField) !== SHN_UNDEF;
  const scan = (from: number, to: number, needle: Buffer): boolean => {
    for (let index = from; index < to; index++) if (nameIs(index, needle)) return true;
    return false;
  };

  const hash = readGnuHash(elf.sections, u32, elf.bits);
  /** The hashed entry of this name (hashed entries may be imports too), or undefined. */
  const findHashed = (needle: Buffer, name: string): number | undefined => {
    if (hash !== undefined) return hash.lookup(name, (candidate) => nameIs(candidate, needle));
    for (let index = 1; index < count; index++) if (nameIs(index, needle)) return index;
    return undefined;
  };
  return {
    defines(name) {
      const index = findHashed(Buffer.from(name, "latin1"), name);
      return index !== undefined && isDefined(index);
    },
    mentions(name) {
      const needle = Buffer.from(name, "latin1");
      // Entries below symoffset are left out of the hash table: imports only.
      return findHashed(needle, name) !== undefined || (hash !== undefined && scan(1, Math.min(hash.symoffset, count), needle));
    },
  };
}

interface GnuHash {
  symoffset: number;
  lookup(name: string, nameMatches: (index: number) => boolean): number | undefined;
}

function readGnuHash(sections: readonly SectionHeader[], u32: (at: number) => number, bits: 32 | 64): GnuHash | undefined {
  const section = sections.find((candidate) => candidate.type === SHT_GNU_HASH);
  if (section === undefined || section.size < 16) return undefined;
  const at = section.offset;
  const bucketCount = u32(at);
  const symoffset = u32(at + 4);
  const bloomWords = u32(at + 8);
  const buckets = at + 16 + bloomWords * (bits / 8);
  const chains = buckets + bucketCount * 4;
  if (bucketCount === 0 || chains > section.offset + section.size) return undefined;
  return {
    symoffset,
    lookup(name, nameMatches) {
      const wanted = gnuHashOf(name);
      let index = u32(buckets + (wanted % bucketCount) * 4);
      if (index < symoffset) return undefined;
      for (;;) {
        const chainAt = chains + (index - symoffset) * 4;
        if (chainAt + 4 > section.offset + section.size) return undefined;
        const entry = u32(chainAt);
        if ((entry | 1) === (wanted | 1) && nameMatches(index)) return index;
        if ((entry & 1) !== 0) return undefined; // last entry of this bucket's chain
        index++;
      }
    },
  };
}

/** dl_new_hash: h = h * 33 + c, from 5381, modulo 2^32. */
function gnuHashOf(name: string): number {
  let hash = 5381;
  for (let i = 0; i < name.length; i++) hash = (Math.imul(hash, 33) + name.charCodeAt(i)) >>> 0;
  return hash;
}
