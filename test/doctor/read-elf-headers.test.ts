// The run path reads only ELF headers; it must see exactly what a whole-file parse sees,
// and its .dynsym lookups must agree with binutils nm.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../src/elf/index.js";
import { indexDynamicSymbols } from "../../src/detect/target/dynamic-symbols.js";
import { findStringsInReadOnlyData, readElfHeaders } from "../../src/detect/target/read-elf-headers.js";
import { buildExample } from "../helpers/examples.js";
import { buildGoProgram, JEMALLOC_LIBRARY, JEMALLOC_STATIC_ARCHIVE } from "./helpers/programs.js";

/** Files above the 1 MiB whole-read threshold, so the positioned path is what runs. */
function largeFiles(): string[] {
  return candidateFiles().filter((path) => statSync(path).size > 1024 * 1024);
}

function candidateFiles(): string[] {
  return [
    process.execPath, // ~100 MB, 61 000 exported symbols
    buildGoProgram("hello", { cgo: false }),
    buildGoProgram("cgo-hello", { cgo: true }),
    buildExample("leak", { flags: ["-static"] }),
    buildExample("leak", { flags: ["-static-pie"] }),
    "/usr/bin/redis-server",
  ].filter((path) => existsSync(path));
}

describe("readElfHeaders", () => {
  it("parses to the same ElfFile as reading the whole file, for large real binaries", () => {
    const files = largeFiles();
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const path of files) {
      const partial = readElfHeaders(path);
      expect(partial.isComplete, path).toBe(false);
      expect(partial.elf, path).toEqual(readElfFile(path).elf);
    }
  });

  it("reads small files whole", () => {
    const path = buildExample("leak");
    const { elf, isComplete } = readElfHeaders(path);
    expect(isComplete).toBe(true);
    expect(elf).toEqual(readElfFile(path).elf);
  });
});

/** `nm -D` names, split into defined and undefined. */
function nmDynamic(path: string): { defined: Set<string>; undefined: Set<string> } {
  const text = execFileSync("nm", ["-D", path], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const defined = new Set<string>();
  const imports = new Set<string>();
  for (const line of text.split("\n")) {
    const match = /^(?:[0-9a-f]+)?\s+(\w)\s+([^@\s]+)/.exec(line);
    if (match === null) continue;
    (match[1] === "U" || match[1] === "w" || match[1] === "v" ? imports : defined).add(match[2] as string);
  }
  return { defined, undefined: imports };
}

describe("indexDynamicSymbols", () => {
  it("agrees with nm -D on defined and imported names, through .gnu.hash", () => {
    for (const path of [JEMALLOC_LIBRARY, process.execPath, "/usr/bin/redis-server"].filter((file) => existsSync(file))) {
      const { elf, buffer } = readElfHeaders(path);
      const symbols = indexDynamicSymbols(elf, buffer);
      expect(symbols, path).toBeDefined();
      const nm = nmDynamic(path);
      const sample = (names: Set<string>) => [...names].filter((_, index) => index % Math.max(1, Math.floor(names.size / 200)) === 0);
      for (const name of sample(nm.defined)) {
        expect(symbols!.defines(name), `${path} defines ${name}`).toBe(true);
        expect(symbols!.mentions(name), `${path} mentions ${name}`).toBe(true);
      }
      for (const name of sample(nm.undefined)) {
        if (nm.defined.has(name)) continue;
        expect(symbols!.defines(name), `${path} imports ${name}`).toBe(false);
        expect(symbols!.mentions(name), `${path} mentions ${name}`).toBe(true);
      }
      expect(symbols!.mentions("allocrun_no_such_symbol")).toBe(false);
    }
  });

  it("finds malloc exported by a program with jemalloc linked in statically, and not in a normal one", () => {
    const embedded = buildExample("leak", { flags: ["-Wl,--whole-archive", JEMALLOC_STATIC_ARCHIVE, "-Wl,--no-whole-archive", "-lstdc++", "-lm", "-ldl"] });
    const plain = buildExample("leak");
    const definesMalloc = (path: string) => {
      const { elf, buffer } = readElfHeaders(path);
      return indexDynamicSymbols(elf, buffer)!.defines("malloc");
    };
    expect(definesMalloc(embedded)).toBe(true);
    expect(definesMalloc(plain)).toBe(false);
  });
});

describe("findStringsInReadOnlyData", () => {
  it("finds jemalloc's profiling strings in Debian's library and skips what is absent", () => {
    const { elf } = readElfHeaders(JEMALLOC_LIBRARY);
    expect(findStringsInReadOnlyData(JEMALLOC_LIBRARY, elf, ["heap_v2/%", "MAPPED_LIBRARIES:", "_RJEM_MALLOC_CONF"])).toEqual(new Set(["heap_v2/%", "MAPPED_LIBRARIES:"]));
  });

  it("gives up above its byte limit instead of reading a huge .rodata", () => {
    const { elf } = readElfHeaders(JEMALLOC_LIBRARY);
    expect(findStringsInReadOnlyData(JEMALLOC_LIBRARY, elf, ["heap_v2/%"], 1024).size).toBe(0);
  });
});
