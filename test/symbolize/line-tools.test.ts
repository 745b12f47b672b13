// addr2line and llvm-symbolizer as batch processes on real binaries.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findTool } from "../../src/detect/find-tool.js";
import { parseAddr2lineOutput, parseLlvmSymbolizerJson, symbolizeWithLineTool, type LineTool } from "../../src/symbolize/line-tools.js";
import { PROFILE_FIXTURES_DIR } from "../profile/fixtures.js";
import { readElfFile, readFunctionSymbols as readFunctionSymbolsOf } from "../../src/elf/index.js";

const LEAK = join(PROFILE_FIXTURES_DIR, "bin", "leak");
const PATH = process.env.PATH ?? "";
const tools: LineTool[] = (["addr2line", "llvm-symbolizer"] as const).flatMap((kind) => {
  const path = findTool(kind, PATH);
  return path === undefined ? [] : [{ kind, path }];
});

/** vaddr of a named function in the fixture binary, from its symbol table. */
function functionAddress(name: string): number {
  const { elf, buffer } = readElfFile(LEAK);
  const symbols = readFunctionSymbolsOf(elf, buffer);
  const symbol = symbols.find((candidate) => candidate.name === name);
  if (symbol === undefined) throw new Error(`${name} not in ${LEAK}`);
  return symbol.value;
}

describe("symbolizeWithLineTool", () => {
  it("finds addr2line or llvm-symbolizer on this machine", () => {
    expect(tools.length).toBeGreaterThan(0);
  });

  for (const tool of tools) {
    it(`names functions with file and line in one ${tool.kind} process`, async () => {
      const addresses = [functionAddress("leaf_alloc") + 4, functionAddress("mid_alloc") + 4, functionAddress("main") + 4];
      const frames = await symbolizeWithLineTool(tool, LEAK, addresses);
      expect(frames).toBeDefined();
      const outer = addresses.map((address) => {
        const list = frames?.get(address) ?? [];
        return list[list.length - 1];
      });
      expect(outer.map((frame) => frame?.function)).toEqual(["leaf_alloc", "mid_alloc", "main"]);
      for (const frame of outer) {
        expect(frame?.file).toMatch(/leak\.c$/);
        expect(frame?.line).toBeGreaterThan(0);
      }
    });

    it(`reports ${tool.kind} failing on a missing object as undefined, not as names`, async () => {
      expect(await symbolizeWithLineTool(tool, "/nonexistent/object", [0x1000])).toBeUndefined();
    });
  }

  const libcDebug = "/usr/lib/x86_64-linux-gnu/libc.so.6";
  it.skipIf(!existsSync("/usr/lib/debug/.build-id") || tools.length === 0)("returns inlined frames innermost first (libc with its debug file)", async () => {
    // _int_free inlines other malloc.c helpers; at least one address in it has an inline chain.
    const { elf, buffer } = readElfFile(libcDebug);
    const free = readFunctionSymbolsOf(elf, buffer).find((symbol) => symbol.name === "free");
    expect(free).toBeDefined();
    const tool = tools[0] as LineTool;
    const addresses = Array.from({ length: 64 }, (_, i) => (free?.value ?? 0) + i * 4);
    const frames = await symbolizeWithLineTool(tool, libcDebug, addresses);
    const chains = [...(frames?.values() ?? [])].filter((list) => list.length > 1);
    expect(chains.length).toBeGreaterThan(0);
    for (const chain of chains) expect(chain[chain.length - 1]?.function).toMatch(/free/);
  });
});

describe("output parsers", () => {
  it("frames addr2line's variable-length inline output by the echoed addresses", () => {
    const stdout = ["0x0000000000096500", "heap_trim", "./malloc/arena.c:671", "_int_free", "./malloc/malloc.c:4684", "0x0000000000096510", "??", "??:0", ""].join("\n");
    const frames = parseAddr2lineOutput(stdout, [0x96500, 0x96510]);
    expect(frames?.get(0x96500)).toEqual([
      { function: "heap_trim", file: "./malloc/arena.c", line: 671 },
      { function: "_int_free", file: "./malloc/malloc.c", line: 4684 },
    ]);
    expect(frames?.get(0x96510)).toEqual([{ function: undefined, file: "", line: 0 }]);
  });

  it("rejects addr2line output that does not echo the addresses sent", () => {
    expect(parseAddr2lineOutput("0x0000000000000010\nf\nf.c:1\n", [0x20])).toBeUndefined();
  });

  it("reads discriminators and unknown lines", () => {
    const stdout = "0x0000000000000010\nf\nf.c:12 (discriminator 3)\n0x0000000000000020\ng\ng.c:?\n";
    const frames = parseAddr2lineOutput(stdout, [0x10, 0x20]);
    expect(frames?.get(0x10)?.[0]).toEqual({ function: "f", file: "f.c", line: 12 });
    expect(frames?.get(0x20)?.[0]).toEqual({ function: "g", file: "g.c", line: 0 });
  });

  it("reads llvm-symbolizer JSON, one line per address", () => {
    const stdout =
      '{"Address":"0x10","ModuleName":"x","Symbol":[{"FileName":"a.c","FunctionName":"inner","Line":3},{"FileName":"b.c","FunctionName":"outer","Line":9}]}\n' +
      '{"Address":"0x20","ModuleName":"x","Symbol":[{"FileName":"","FunctionName":"","Line":0}]}\n';
    const frames = parseLlvmSymbolizerJson(stdout, [0x10, 0x20]);
    expect(frames?.get(0x10)?.map((frame) => frame.function)).toEqual(["inner", "outer"]);
    expect(frames?.get(0x20)).toEqual([{ function: undefined, file: "", line: 0 }]);
    expect(parseLlvmSymbolizerJson("not json\n", [0x10])).toBeUndefined();
  });
});
