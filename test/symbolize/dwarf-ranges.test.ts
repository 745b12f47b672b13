import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../src/elf/index.js";
import { isInRanges, mergeRanges, readDebugAranges } from "../../src/symbolize/dwarf-ranges.js";
import { PROFILE_FIXTURES_DIR } from "../profile/fixtures.js";
import { compile, symbolOf } from "./synthetic-profiles.js";

const LEAK = join(PROFILE_FIXTURES_DIR, "bin", "leak");

describe("readDebugAranges", () => {
  it("covers the functions of a -g binary and nothing outside its code", () => {
    const { elf, buffer } = readElfFile(LEAK);
    const ranges = readDebugAranges(buffer, elf.sections, true);
    expect(ranges).toBeDefined();
    for (const name of ["leaf_alloc", "mid_alloc", "main"]) expect(isInRanges(ranges ?? [], symbolOf(LEAK, name).value + 1)).toBe(true);
    expect(isInRanges(ranges ?? [], 0)).toBe(false);
    expect(isInRanges(ranges ?? [], 0x10000000)).toBe(false);
  });

  it("covers only the compilation units built with -g", () => {
    const withDebug = "__attribute__((noinline)) int described(int x) { return x * 3; }\n";
    const program = compile("mixed.c", `${withDebug}int main(int argc, char **argv) { (void)argv; return described(argc); }\n`, ["-g", "-O1"]);
    const { elf, buffer } = readElfFile(program);
    const ranges = readDebugAranges(buffer, elf.sections, true) ?? [];
    expect(isInRanges(ranges, symbolOf(program, "described").value)).toBe(true);
    // _start comes from crt1.o, built without DWARF.
    expect(isInRanges(ranges, symbolOf(program, "_start").value)).toBe(false);
  });

  it("says undefined (coverage unknown) without the section or when it is damaged", () => {
    const stripped = compile("plain.c", "int main(void) { return 0; }\n", ["-O1"]);
    const { elf, buffer } = readElfFile(stripped);
    expect(readDebugAranges(buffer, elf.sections, true)).toBeUndefined();
    const leak = readElfFile(LEAK);
    const section = leak.elf.sections.find((candidate) => candidate.name === ".debug_aranges");
    const damaged = Buffer.from(leak.buffer);
    damaged.writeUInt16LE(9, (section?.offset ?? 0) + 4); // an unknown version
    expect(readDebugAranges(damaged, leak.elf.sections, true)).toBeUndefined();
  });

  it("merges overlapping and touching ranges", () => {
    expect(mergeRanges([[10, 20], [0, 5], [15, 30], [30, 31]])).toEqual([[0, 5], [10, 31]]);
  });
});
