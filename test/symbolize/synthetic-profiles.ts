// Small profiles around real binaries for symbolizer tests: the binary "mapped" at a PIE
// base the way the kernel maps it (r-- segment at offset 0, r-x segment at its file offset).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readElfFile, readFunctionSymbols } from "../../src/elf/index.js";
import type { Mapping, Profile } from "../../src/profile/model.js";
import { useTempDirs } from "../helpers/temp-dir.js";

/** Scratch folders, removed after this file's tests. */
const scratchDirs = useTempDirs();

export const PIE_BASE = 0x555555554000;

export interface SyntheticFrame {
  /** File offset of the address inside the object. */
  fileOffset: number;
  isReturnAddress: boolean;
}

/** Kernel-like mappings of `file`: one per PT_LOAD, at PIE_BASE + page-aligned offsets. */
export function mappingsOf(file: string, firstId = 1, base = PIE_BASE): Mapping[] {
  const { elf } = readElfFile(file);
  const loads = elf.programHeaders.filter((header) => header.type === 1);
  return loads.map((load, index) => {
    const offset = load.offset - (load.offset % 0x1000);
    const start = base + load.vaddr - (load.vaddr % 0x1000);
    return { id: firstId + index, start, limit: start + Math.max(0x1000, load.filesz + (load.offset - offset)), offset, file, isExecutable: (load.flags & 1) === 1 };
  });
}

/** One sample per stack (leaf first), all frames in `file`. */
export function syntheticProfile(file: string, stacks: SyntheticFrame[][], options: { mappedAs?: string; format?: Profile["format"] } = {}): Profile {
  const mappings = mappingsOf(file).map((mapping) => ({ ...mapping, file: options.mappedAs ?? file }));
  const locations: Profile["locations"] = [];
  const samples: Profile["samples"] = stacks.map((stack) => ({
    locationIds: stack.map((frame) => {
      const mapping = mappings.find((candidate) => frame.fileOffset >= candidate.offset && frame.fileOffset < candidate.offset + (candidate.limit - candidate.start) && candidate.isExecutable) as Mapping;
      const address = mapping.start + frame.fileOffset - mapping.offset;
      locations.push({ id: locations.length + 1, mappingId: mapping.id, address, isReturnAddress: frame.isReturnAddress, lines: [] });
      return locations.length;
    }),
    values: [1, 100],
  }));
  return {
    format: options.format ?? "jemalloc-heap",
    sampleTypes: [
      { type: "inuse_objects", unit: "count" },
      { type: "inuse_space", unit: "bytes" },
    ],
    defaultSampleType: "inuse_space",
    samples,
    locations,
    functions: [],
    mappings,
    period: 1,
    comments: [],
  };
}

/** Start address (= file offset for these binaries) and size of a function symbol. */
export function symbolOf(file: string, name: string): { value: number; size: number } {
  const { elf, buffer } = readElfFile(file);
  const symbol = readFunctionSymbols(elf, buffer).find((candidate) => candidate.name === name);
  if (symbol === undefined) throw new Error(`${name} is not in ${file}`);
  return symbol;
}

/**
 * Compiles a C or C++ source (by extension) into a fresh temp folder; returns the output
 * path. `libraries` go after the source, where the linker wants them.
 */
export function compile(fileName: string, source: string, flags: string[], libraries: string[] = []): string {
  const directory = scratchDirs.makeSync("allocrun-symbolize-");
  const sourcePath = join(directory, fileName);
  writeFileSync(sourcePath, source);
  const output = join(directory, fileName.replace(/\.(c|cc)$/, flags.includes("-shared") ? ".so" : ""));
  execFileSync(fileName.endsWith(".cc") ? "g++" : "gcc", [...flags, "-o", output, sourcePath, ...libraries], { stdio: ["ignore", "ignore", "inherit"] });
  return output;
}
