import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { existsSync, statSync } from "node:fs";
import { findSymbol, FunctionSymbolIndex, readElfFile, readElfFileForSymbols, readFunctionSymbols, type FunctionSymbol } from "../../src/elf/index.js";
import { buildExample } from "../helpers/examples.js";
import { readelfFunctionSymbols } from "./readelf.js";

const JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";

function symbolsOf(path: string): FunctionSymbol[] {
  const { elf, buffer } = readElfFile(path);
  return readFunctionSymbols(elf, buffer);
}

/** `nm --defined-only` address of a named text symbol. */
function nmAddress(path: string, name: string, dynamic = false): number {
  const output = execFileSync("nm", ["--defined-only", ...(dynamic ? ["-D"] : []), path], { encoding: "utf8" });
  // nm -D appends the symbol version: "malloc@@GLIBC_2.2.5".
  const line = output.split("\n").find((entry) => entry.replace(/@.*$/, "").endsWith(` ${name}`) && / [tTiW] /.test(entry));
  if (line === undefined) throw new Error(`nm does not list ${name} in ${path}`);
  return parseInt(line.split(" ")[0] as string, 16);
}

describe("readFunctionSymbols", () => {
  it("returns every defined FUNC/IFUNC address that readelf -s lists, sorted and one per address", () => {
    for (const path of [buildExample("leak"), JEMALLOC]) {
      const ours = symbolsOf(path);
      const theirs = readelfFunctionSymbols(path);
      expect(ours.length).toBeGreaterThan(0);
      expect(new Set(ours.map((symbol) => symbol.value))).toEqual(new Set(theirs.map((symbol) => symbol.value)));
      for (let index = 1; index < ours.length; index++) {
        expect((ours[index] as FunctionSymbol).value).toBeGreaterThan((ours[index - 1] as FunctionSymbol).value);
      }
    }
  });

  it("keeps a name readelf lists at that address, with readelf's size", () => {
    const theirs = readelfFunctionSymbols(JEMALLOC);
    for (const symbol of symbolsOf(JEMALLOC)) {
      const sameAddress = theirs.filter((entry) => entry.value === symbol.value);
      expect(sameAddress.map((entry) => entry.name)).toContain(symbol.name);
      expect(sameAddress.find((entry) => entry.name === symbol.name)?.size).toBe(symbol.size);
    }
  });

  it("prefers the public name of an aliased function (malloc over __libc_malloc)", () => {
    const libc = symbolsOf("/lib/x86_64-linux-gnu/libc.so.6");
    // One nm call, outside the search (it once ran per symbol: 30-50 s).
    const mallocAddress = nmAddress("/lib/x86_64-linux-gnu/libc.so.6", "malloc", true);
    const malloc = libc.find((symbol) => symbol.value === mallocAddress);
    expect(malloc?.name).toBe("malloc");
  });

  it("finds nothing to list in a fully stripped executable's imports", () => {
    const names = symbolsOf(buildExample("leak", { strip: true })).map((symbol) => symbol.name);
    expect(names).not.toContain("main");
  });
});

describe("findSymbol", () => {
  it("resolves the first and last byte of main and of the local thread_keep in the leak example to the names nm gives", () => {
    const path = buildExample("leak");
    const symbols = symbolsOf(path);
    for (const name of ["main", "thread_keep"]) {
      const start = nmAddress(path, name);
      const symbol = findSymbol(symbols, start);
      expect(symbol?.name).toBe(name);
      expect(symbol?.size).toBeGreaterThan(0);
      expect(findSymbol(symbols, start + (symbol?.size ?? 0) - 1)?.name).toBe(name);
    }
  });

  it("resolves the first, middle and last byte of libjemalloc's exported functions to them", () => {
    const symbols = symbolsOf(JEMALLOC);
    for (const name of ["malloc", "mallocx", "free", "je_malloc_usable_size", "malloc_usable_size", "mallctl"]) {
      const symbol = symbols.find((entry) => entry.name === name);
      if (name === "je_malloc_usable_size") {
        expect(symbol).toBeUndefined(); // Debian builds without the je_ prefix
        continue;
      }
      expect(symbol, name).toBeDefined();
      if (symbol === undefined) continue;
      expect(symbol.value).toBe(nmAddress(JEMALLOC, name, true));
      for (const vaddr of [symbol.value, symbol.value + Math.floor(symbol.size / 2), symbol.value + symbol.size - 1]) {
        expect(findSymbol(symbols, vaddr)?.name).toBe(name);
      }
    }
  });

  it("returns undefined, not the nearest symbol, in the gaps of stripped libjemalloc's internals", () => {
    const symbols = symbolsOf(JEMALLOC);
    let gapsChecked = 0;
    for (let index = 0; index + 1 < symbols.length; index++) {
      const current = symbols[index] as FunctionSymbol;
      const next = symbols[index + 1] as FunctionSymbol;
      const end = current.value + current.size;
      if (current.size === 0 || end >= next.value) continue;
      expect(findSymbol(symbols, end)).toBeUndefined();
      expect(findSymbol(symbols, next.value - 1)).toBeUndefined();
      gapsChecked++;
    }
    // libjemalloc exports a few dozen functions among hundreds of internal ones.
    expect(gapsChecked).toBeGreaterThan(10);
  });

  it("returns undefined below the first symbol, past the last and for an empty table", () => {
    const symbols = symbolsOf(JEMALLOC);
    const last = symbols.at(-1) as FunctionSymbol;
    expect(findSymbol(symbols, 0)).toBeUndefined();
    expect(findSymbol(symbols, last.value + last.size + 0x10_0000)).toBeUndefined();
    expect(findSymbol([], 0x1000)).toBeUndefined();
  });

  it("matches a zero-size symbol only at its exact address and still finds an enclosing function", () => {
    const symbols: FunctionSymbol[] = [
      { name: "outer", value: 0x1000, size: 0x100, binding: "global" },
      { name: "label", value: 0x1040, size: 0, binding: "local" },
      { name: "after", value: 0x2000, size: 0x10, binding: "global" },
    ];
    expect(findSymbol(symbols, 0x1040)?.name).toBe("label");
    expect(findSymbol(symbols, 0x1041)?.name).toBe("outer");
    expect(findSymbol(symbols, 0x1100)).toBeUndefined();
    expect(findSymbol(symbols, 0x200f)?.name).toBe("after");
    expect(findSymbol(symbols, 0x2010)).toBeUndefined();
  });
});

describe("FunctionSymbolIndex and readElfFileForSymbols", () => {
  /** Probes: each symbol's first and last byte, the byte after it and a point inside. */
  function probesOf(symbols: FunctionSymbol[]): number[] {
    return symbols.flatMap((symbol) => [symbol.value, symbol.value + Math.max(0, symbol.size - 1), symbol.value + symbol.size, symbol.value + (symbol.size >> 1)]);
  }

  it("answers every address as findSymbol over readFunctionSymbols does, decoding names lazily", () => {
    for (const path of [buildExample("leak"), JEMALLOC, "/lib/x86_64-linux-gnu/libc.so.6"]) {
      const { elf, buffer } = readElfFile(path);
      const symbols = readFunctionSymbols(elf, buffer);
      const index = FunctionSymbolIndex.read(elf, buffer);
      for (const probe of probesOf(symbols)) expect(index.find(probe)).toEqual(findSymbol(symbols, probe));
    }
  });

  const large = ["/usr/bin/node", "/usr/lib/x86_64-linux-gnu/libLLVM.so.1"].find((path) => existsSync(path) && statSync(path).size >= 16 << 20);
  it.skipIf(large === undefined)("reads only headers and tables of a large binary, and parses and names it as the whole file does", (ctx) => {
    if (large === undefined) return ctx.skip("no binary of 16 MiB or more on this machine (node, libLLVM)");
    const whole = readElfFile(large);
    const sparse = readElfFileForSymbols(large);
    expect(sparse.elf).toEqual(whole.elf);
    const symbols = readFunctionSymbols(whole.elf, whole.buffer);
    const index = FunctionSymbolIndex.read(sparse.elf, sparse.buffer);
    const sample = symbols.filter((_, position) => position % 97 === 0);
    for (const probe of probesOf(sample)) expect(index.find(probe)?.name).toBe(findSymbol(symbols, probe)?.name);
  });
});
