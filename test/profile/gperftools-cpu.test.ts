import { describe, expect, it } from "vitest";
import { AllocrunError } from "../../src/core/errors.js";
import { parseGperftoolsCpu } from "../../src/profile/parse/gperftools-cpu.js";
import type { Profile } from "../../src/profile/model.js";
import { totalValue, totalValues } from "../../src/profile/totals.js";
import { readFixture, referenceTotal } from "./fixtures.js";

/** A CPU profile in the layout profiledata.cc writes, for any word size and byte order. */
function cpuProfileBytes(words: number[], wordSize: 4 | 8, littleEndian: boolean, mapsText = ""): Uint8Array {
  const binary = new Uint8Array(words.length * wordSize);
  const view = new DataView(binary.buffer);
  words.forEach((word, i) => {
    if (wordSize === 4) view.setUint32(i * 4, word, littleEndian);
    else view.setBigUint64(i * 8, BigInt(word), littleEndian);
  });
  const maps = new TextEncoder().encode(mapsText);
  const bytes = new Uint8Array(binary.length + maps.length);
  bytes.set(binary);
  bytes.set(maps, binary.length);
  return bytes;
}

const HEADER_250HZ = [0, 3, 0, 4000, 0];
const TRAILER = [0, 1, 0];
const MAPS = "00400000-00402000 r-xp 00000000 00:00 42          /srv/demo/work\n";

function parse(bytes: Uint8Array): Profile {
  const profile = parseGperftoolsCpu(bytes, "cpu.prof");
  if (!profile) throw new Error("declined");
  return profile;
}

function failure(bytes: Uint8Array): string {
  try {
    parseGperftoolsCpu(bytes, "cpu.prof");
  } catch (error) {
    expect(error).toBeInstanceOf(AllocrunError);
    return (error as AllocrunError).message;
  }
  return "no error";
}

describe("parseGperftoolsCpu on a real libprofiler capture", () => {
  const profile = parse(readFixture("churn.cpu.prof"));

  it("counts as many samples as google-pprof's Total line", () => {
    expect(totalValue(profile, "samples")).toBe(referenceTotal("churn.cpu.pprof.txt"));
  });

  it("reports CPU time in nanoseconds at 1000 Hz (1 ms per sample)", () => {
    expect(profile.sampleTypes).toEqual([
      { type: "samples", unit: "count" },
      { type: "cpu", unit: "nanoseconds" },
    ]);
    expect(profile.period).toBe(1_000_000);
    expect(totalValue(profile, "cpu")).toBe(totalValue(profile, "samples") * 1_000_000);
  });

  it("treats each stack's first pc as the interrupted instruction and the rest as return addresses", () => {
    const locations = new Map(profile.locations.map((l) => [l.id, l]));
    for (const sample of profile.samples) {
      const [leaf, ...callers] = sample.locationIds.map((id) => locations.get(id));
      expect(leaf?.isReturnAddress).toBe(false);
      expect(callers.every((l) => l?.isReturnAddress)).toBe(true);
    }
  });

  it("reads the maps text after the end-of-data record", () => {
    expect(profile.mappings.some((m) => m.file.endsWith("/bin/churn") && m.isExecutable)).toBe(true);
    expect(profile.comments).toEqual([]);
  });
});

describe("parseGperftoolsCpu layouts", () => {
  const words = [...HEADER_250HZ, 3, 2, 0x401000, 0x401100, 2, 2, 0x401000, 0x401100, 1, 1, 0x401000, ...TRAILER];

  it.each([
    [4, true],
    [4, false],
    [8, true],
    [8, false],
  ] as const)("reads %i-byte words, little-endian %s, and sums evicted duplicates of a stack", (size, littleEndian) => {
    const profile = parse(cpuProfileBytes(words, size, littleEndian, MAPS));
    expect(profile.samples.map((s) => s.values)).toEqual([
      [5, 20_000_000],
      [1, 4_000_000],
    ]);
    expect(profile.period).toBe(4_000_000);
    expect(profile.mappings[0]?.file).toBe("/srv/demo/work");
    expect(profile.locations.every((l) => l.mappingId === 1)).toBe(true);
  });

  it("keeps the same address as two locations when it is a pc in one stack and a return address in another", () => {
    const profile = parse(cpuProfileBytes([...HEADER_250HZ, 1, 1, 0x401000, 1, 2, 0x401100, 0x401000, ...TRAILER], 8, true));
    expect(profile.locations.filter((l) => l.address === 0x401000).map((l) => l.isReturnAddress).sort()).toEqual([false, true]);
    expect(totalValues(profile)).toEqual([2, 8_000_000]);
  });
});

describe("parseGperftoolsCpu on other input", () => {
  it("declines text and files whose first words are not 0, 3, 0", () => {
    expect(parseGperftoolsCpu(new TextEncoder().encode("heap_v2/524288\n"), "x")).toBeUndefined();
    expect(parseGperftoolsCpu(cpuProfileBytes([0, 4, 0, 100, 0], 8, true), "x")).toBeUndefined();
    expect(parseGperftoolsCpu(new Uint8Array(0), "x")).toBeUndefined();
  });

  it("fails a header cut short, naming the byte offset", () => {
    expect(failure(cpuProfileBytes([0, 3, 0, 4000], 8, true))).toBe(
      "cpu.prof: at byte offset 32: the file ends inside the header",
    );
  });

  it("fails a file without the end-of-data record", () => {
    expect(failure(cpuProfileBytes([...HEADER_250HZ, 1, 1, 0x401000], 8, true))).toMatch(
      /^cpu\.prof: at byte offset 64: the file ends before the end-of-data record/,
    );
  });

  it("fails a stack depth larger than the file instead of allocating or looping on it", () => {
    expect(failure(cpuProfileBytes([...HEADER_250HZ, 1, 0xffffffff, 0x401000, ...TRAILER], 4, true))).toMatch(
      /^cpu\.prof: at byte offset 24: stack depth 4294967295 runs past the end of the file/,
    );
  });

  it("fails a zero sampling period", () => {
    expect(failure(cpuProfileBytes([0, 3, 0, 0, 0, ...TRAILER], 8, true))).toMatch(/sampling period is 0/);
  });
});
