// symbolizeProfile on real binaries: PT_LOAD mapping, pc − 1, exact symbols, DWARF
// file:line, --binary and remapping, debug files by build-id, the disk cache, and honest
// reporting of objects that cannot be symbolized.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Profile } from "../../src/profile/model.js";
import { readElfFile, vaddrToFileOffset } from "../../src/elf/index.js";
import { readProfileFile } from "../../src/profile/read-profile.js";
import { symbolizeProfile, type SymbolizeOptions } from "../../src/symbolize/symbolize-profile.js";
import { PROFILE_FIXTURES_DIR } from "../profile/fixtures.js";
import { compile, syntheticProfile, symbolOf } from "./synthetic-profiles.js";
import { useTempDirs } from "../helpers/temp-dir.js";

/** Scratch folders, removed after this file's tests. */
const scratchDirs = useTempDirs();

const LEAK = join(PROFILE_FIXTURES_DIR, "bin", "leak");
const base: SymbolizeOptions = { searchPath: process.env.PATH ?? "", suggestPackages: false };
const scratch = () => scratchDirs.makeSync("allocrun-symcache-");

/** Outermost (physical) function name of each location, in location order. */
function outerNames(profile: Profile): string[] {
  const names = new Map(profile.functions.map((fn) => [fn.id, fn.name]));
  return profile.locations.map((location) => names.get(location.lines[location.lines.length - 1]?.functionId ?? -1) ?? "");
}

describe("symbolizeProfile", () => {
  it("looks return addresses up at pc − 1, so a call ending a function stays in it", async () => {
    const leafAlloc = symbolOf(LEAK, "leaf_alloc");
    const end = leafAlloc.value + leafAlloc.size; // first byte of the next function
    const profile = syntheticProfile(LEAK, [[{ fileOffset: end, isReturnAddress: true }], [{ fileOffset: end, isReturnAddress: false }]]);
    const { profile: named } = await symbolizeProfile(profile, { ...base, lineTool: "none" });
    expect(outerNames(named)).toEqual(["leaf_alloc", "thread_keep"]);
  });

  it("adds file:line from DWARF through the line tool", async () => {
    const main = symbolOf(LEAK, "main");
    const { profile: named } = await symbolizeProfile(syntheticProfile(LEAK, [[{ fileOffset: main.value + 8, isReturnAddress: true }]]), base);
    const fn = named.functions.find((candidate) => candidate.name === "main");
    expect(fn?.filename).toMatch(/leak\.c$/);
    expect(named.locations[0]?.lines[0]?.line).toBeGreaterThan(0);
  });

  it("symbolizes a real jemalloc profile of the fixture binary, allocator frames included", async () => {
    const profile = await readProfileFile(join(PROFILE_FIXTURES_DIR, "leak.jemalloc.f.heap"));
    const { profile: named } = await symbolizeProfile(profile, { ...base, candidates: [LEAK] });
    const names = new Set(outerNames(named));
    for (const expected of ["leaf_alloc", "mid_alloc", "leak_big", "leak_small", "thread_keep", "main"]) expect(names).toContain(expected);
  });

  it("uses --binary for the mapping with the same basename, even when the recorded path exists elsewhere", async () => {
    const copy = join(scratch(), "leak");
    copyFileSync(LEAK, copy);
    const main = symbolOf(LEAK, "main");
    const profile = syntheticProfile(LEAK, [[{ fileOffset: main.value + 8, isReturnAddress: true }]], { mappedAs: "/old/checkout/leak" });
    const missing = await symbolizeProfile(profile, base);
    expect(outerNames(missing.profile)[0]).toMatch(/^0x[0-9a-f]+$/);
    expect(missing.unsymbolizedObjects).toEqual([expect.objectContaining({ path: "/old/checkout/leak", reason: "missing", hint: expect.stringContaining("--binary") })]);
    const remapped = await symbolizeProfile(profile, { ...base, binary: copy });
    expect(outerNames(remapped.profile)).toEqual(["main"]);
    expect(remapped.objectPaths.get(profile.locations[0]?.mappingId ?? -1)).toBe(copy);
    const byCandidate = await symbolizeProfile(profile, { ...base, candidates: [copy] });
    expect(outerNames(byCandidate.profile)).toEqual(["main"]);
  });

  it("replaces the first executable mapping with --binary when no basename matches", async () => {
    const main = symbolOf(LEAK, "main");
    const profile = syntheticProfile(LEAK, [[{ fileOffset: main.value + 8, isReturnAddress: true }]], { mappedAs: "/gone/renamed-program" });
    const { profile: named } = await symbolizeProfile(profile, { ...base, binary: LEAK });
    expect(outerNames(named)).toEqual(["main"]);
  });

  it("reports a mapped file that is not ELF as unreadable instead of failing", async () => {
    const notElf = join(scratch(), "leak");
    writeFileSync(notElf, "#!/bin/sh\necho not a binary\n".repeat(400));
    const main = symbolOf(LEAK, "main");
    const { unsymbolizedObjects } = await symbolizeProfile(syntheticProfile(LEAK, [[{ fileOffset: main.value, isReturnAddress: false }]], { mappedAs: notElf }), base);
    expect(unsymbolizedObjects.map((object) => object.reason)).toEqual(["unreadable"]);
  });

  it("reads the cache on the next run: a planted entry wins over the binary", async () => {
    const cacheDirectory = scratch();
    const main = symbolOf(LEAK, "main");
    const profile = syntheticProfile(LEAK, [[{ fileOffset: main.value + 8, isReturnAddress: true }]]);
    await symbolizeProfile(profile, { ...base, cacheDirectory, lineTool: "none" });
    const symbolFiles = readdirSync(join(cacheDirectory, "symbols"));
    expect(symbolFiles).toHaveLength(1);
    expect(readdirSync(join(cacheDirectory, "objects"))).toHaveLength(1);
    const path = join(cacheDirectory, "symbols", symbolFiles[0] as string);
    const entry = JSON.parse(readFileSync(path, "utf8")) as { data: Record<string, [string, string, number][]> };
    const key = (main.value + 7).toString(16);
    expect(entry.data[key]?.[0]?.[0]).toBe("main");
    entry.data[key] = [["planted_in_cache", "cache.c", 7]];
    writeFileSync(path, JSON.stringify(entry));
    const { profile: named } = await symbolizeProfile(profile, { ...base, cacheDirectory, lineTool: "none" });
    expect(outerNames(named)).toEqual(["planted_in_cache"]);
  });

  it("ignores a corrupt cache entry and symbolizes from the binary", async () => {
    const cacheDirectory = scratch();
    const main = symbolOf(LEAK, "main");
    const profile = syntheticProfile(LEAK, [[{ fileOffset: main.value + 8, isReturnAddress: true }]]);
    await symbolizeProfile(profile, { ...base, cacheDirectory, lineTool: "none" });
    for (const folder of ["symbols", "objects"]) for (const name of readdirSync(join(cacheDirectory, folder))) writeFileSync(join(cacheDirectory, folder, name), "{not json");
    const { profile: named } = await symbolizeProfile(profile, { ...base, cacheDirectory, lineTool: "none" });
    expect(outerNames(named)).toEqual(["main"]);
  });

  it("demangles C++ names from the symbol table (c++filt and native agree on the short name)", async () => {
    const binary = compile("widget.cc", "namespace demo { struct Widget { static void* make(unsigned n); }; __attribute__((noinline)) void* Widget::make(unsigned n) { return new char[n]; } }\nint main() { return demo::Widget::make(8) == nullptr; }\n", ["-O1"]);
    const make = symbolOf(binary, "_ZN4demo6Widget4makeEj");
    const profile = syntheticProfile(binary, [[{ fileOffset: make.value + 4, isReturnAddress: true }]]);
    for (const demangler of ["auto", "native"] as const) {
      const { profile: named } = await symbolizeProfile(profile, { ...base, lineTool: "none", demangler });
      expect(outerNames(named)).toEqual(["demo::Widget::make"]);
    }
  });

  it("names code in a stripped library object+0xVADDR, never the nearest export, and says how to get symbols", async () => {
    const library = compile(
      "libdemo.c",
      "#include <stdlib.h>\n#include <string.h>\nvoid *exported_decoy(size_t n) { return calloc(1, n); }\n__attribute__((noinline, visibility(\"hidden\"))) void *hidden_alloc(size_t n) { void *p = malloc(n); memset(p, 1, n); return p; }\nvoid *exported_entry(size_t n) { return hidden_alloc(n); }\n",
      ["-shared", "-fPIC", "-O1", "-fno-toplevel-reorder"],
    );
    const hidden = symbolOf(library, "hidden_alloc");
    execFileSync("strip", ["--strip-all", library]);
    const profile = syntheticProfile(library, [[{ fileOffset: hidden.value + 12, isReturnAddress: true }]]);
    const { profile: named, unsymbolizedObjects } = await symbolizeProfile(profile, base);
    // The unwind tables place the address in hidden_alloc: named by where it starts.
    expect(outerNames(named)).toEqual([`libdemo.so+0x${hidden.value.toString(16)}`]);
    expect(unsymbolizedObjects).toEqual([expect.objectContaining({ path: library, reason: "stripped", hint: expect.stringContaining("-g") })]);
  });

  it("folds the unnamed addresses of one function of a stripped program into one row object+0xSTART (.eh_frame)", async () => {
    const program = compile(
      "twofuncs.c",
      "#include <stdlib.h>\n#include <string.h>\n__attribute__((noinline)) void *alloc_a(size_t n) { void *p = malloc(n); memset(p, 1, n); return realloc(p, n * 2); }\n__attribute__((noinline)) void *alloc_b(size_t n) { return calloc(1, n); }\nint main(int argc, char **argv) { (void)argv; free(alloc_a((size_t)argc * 64)); free(alloc_b(32)); return 0; }\n",
      ["-O1"],
    );
    // Function extents from the unstripped build (one nm call), before strip removes them.
    const nm = execFileSync("nm", ["--print-size", "--defined-only", program], { encoding: "utf8" });
    const extent = (name: string) => {
      const match = new RegExp(`^([0-9a-f]+) ([0-9a-f]+) T ${name}$`, "m").exec(nm);
      if (match === null) throw new Error(`nm shows no ${name}`);
      return { start: parseInt(match[1] as string, 16), size: parseInt(match[2] as string, 16) };
    };
    const [a, b] = [extent("alloc_a"), extent("alloc_b")];
    expect(a.size).toBeGreaterThan(12);
    execFileSync("strip", ["--strip-all", program]);
    const { elf } = readElfFile(program);
    expect(elf.hasSymtab).toBe(false);
    const at = (vaddr: number) => ({ fileOffset: vaddrToFileOffset(elf, vaddr) as number, isReturnAddress: false });
    const profile = syntheticProfile(program, [[at(a.start + 2)], [at(a.start + a.size - 1)], [at(b.start + 1)], [at(a.start + 4), at(b.start)]]);
    const [labelA, labelB] = [`twofuncs+0x${a.start.toString(16)}`, `twofuncs+0x${b.start.toString(16)}`];
    // Cold, then warm from the cache (where the unwind sections lie comes from it).
    const cacheDirectory = scratch();
    for (const pass of ["cold", "warm"]) {
      const { profile: named } = await symbolizeProfile(profile, { ...base, lineTool: "none", cacheDirectory });
      expect(outerNames(named), pass).toEqual([labelA, labelA, labelB, labelA, labelB]);
      expect(named.functions.map((fn) => fn.name).sort(), pass).toEqual([labelA, labelB].sort());
    }
  });

  const libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
  it.skipIf(!existsSync("/usr/lib/debug/.build-id") || !existsSync(libc))("finds local functions in the build-id debug file, and says libc6's debug package is missing without it", async () => {
    const jemallocProfile = await readProfileFile(join(PROFILE_FIXTURES_DIR, "leak.jemalloc.f.heap"));
    const withDebug = await symbolizeProfile(jemallocProfile, { ...base, candidates: [LEAK], lineTool: "none" });
    expect(new Set(outerNames(withDebug.profile))).toContain("__libc_start_call_main");
    const withoutDebug = await symbolizeProfile(jemallocProfile, { ...base, candidates: [LEAK], lineTool: "none", debugRoot: scratch(), suggestPackages: true });
    const names = outerNames(withoutDebug.profile);
    expect(names).not.toContain("__libc_start_call_main");
    expect(names.some((name) => /^libc\.so\.6\+0x[0-9a-f]+$/.test(name))).toBe(true);
    const libcEntry = withoutDebug.unsymbolizedObjects.find((object) => object.path === libc);
    expect(libcEntry?.hint).toMatch(/apt install libc6-dbgsym/);
  });
});
