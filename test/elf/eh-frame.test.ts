// Function extents from the unwind tables, checked against binutils readelf on real
// objects: the .eh_frame_hdr search table and the .eh_frame walk must both give exactly
// the FDE ranges readelf prints.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findFunctionStart, readElfFile, readFunctionRanges, readSectionContents, type FunctionRanges } from "../../src/elf/index.js";

const JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";

function rangesOf(path: string, useHeader: boolean): FunctionRanges | undefined {
  const { elf } = readElfFile(path);
  const frame = elf.sections.find((section) => section.name === ".eh_frame");
  const header = useHeader ? elf.sections.find((section) => section.name === ".eh_frame_hdr") : undefined;
  if (frame === undefined) throw new Error(`${path} has no .eh_frame`);
  const [frameBytes, headerBytes] = readSectionContents(path, header === undefined ? [frame] : [frame, header]);
  const little = elf.endianness === "little";
  return readFunctionRanges({ bytes: frameBytes as Buffer, addr: frame.addr }, header === undefined ? undefined : { bytes: headerBytes as Buffer, addr: header.addr }, little, elf.bits === 64);
}

const asText = (ranges: FunctionRanges | undefined): string[] => [...(ranges?.starts ?? [])].map((start, index) => `${start.toString(16)}..${(ranges?.ends[index] ?? 0).toString(16)}`);

describe.skipIf(!existsSync(JEMALLOC))("readFunctionRanges on libjemalloc.so.2", () => {
  it("gives readelf's FDE ranges, from the header's table and from the walk alike", () => {
    const dump = execFileSync("readelf", ["--wide", "--debug-dump=frames", JEMALLOC], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const fromReadelf = [...dump.matchAll(/ FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/g)]
      .map((match) => [parseInt(match[1] as string, 16), parseInt(match[2] as string, 16)] as const)
      .filter(([start, end]) => end > start)
      .sort((a, b) => a[0] - b[0])
      .map(([start, end]) => `${start.toString(16)}..${end.toString(16)}`);
    expect(fromReadelf.length).toBeGreaterThan(100);
    const fromHeader = rangesOf(JEMALLOC, true);
    expect(asText(fromHeader)).toEqual(fromReadelf);
    expect(asText(rangesOf(JEMALLOC, false))).toEqual(fromReadelf);

    const ranges = fromHeader as FunctionRanges;
    const [start, end] = [ranges.starts[10] as number, ranges.ends[10] as number];
    expect(findFunctionStart(ranges, start)).toBe(start);
    expect(findFunctionStart(ranges, end - 1)).toBe(start);
    expect(findFunctionStart(ranges, (ranges.starts[0] as number) - 1)).toBeUndefined();
  });
});

describe("readFunctionRanges on bad input", () => {
  it("returns undefined for a truncated .eh_frame instead of throwing", () => {
    const frame = Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(readFunctionRanges({ bytes: frame, addr: 0x1000 }, undefined, true, true)).toBeUndefined();
  });
});
