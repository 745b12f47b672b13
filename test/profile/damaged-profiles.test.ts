// Real profiles, damaged the ways files really get damaged (cut short, a corrupted header,
// a line in the wrong place, a hostile gzip): each is refused with the file and the line,
// never analysed into a confident wrong answer.
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { AllocrunError } from "../../src/core/errors.js";
import { parseProfile } from "../../src/profile/read-profile.js";
import { maxDecompressedBytes } from "../../src/profile/parse/pprof.js";
import { readFixture } from "./fixtures.js";

const JEMALLOC = "leak.jemalloc.f.heap";

function fixtureLines(name: string): string[] {
  return readFixture(name).toString("utf8").split("\n");
}

function parseFailure(text: string | Uint8Array, name: string): AllocrunError {
  const data = typeof text === "string" ? new TextEncoder().encode(text) : text;
  let caught: unknown;
  try {
    parseProfile(data, name);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AllocrunError);
  return caught as AllocrunError;
}

describe("damaged jemalloc heap profiles", () => {
  const lines = fixtureLines(JEMALLOC);
  const mapsLine = lines.findIndex((line) => line.startsWith("MAPPED_LIBRARIES:"));

  it("still parses the undamaged fixture", () => {
    expect(mapsLine).toBeGreaterThan(1);
    expect(parseProfile(readFixture(JEMALLOC), JEMALLOC).mappings.length).toBeGreaterThan(0);
  });

  it("refuses a profile cut right after MAPPED_LIBRARIES:, naming that line", () => {
    const cut = lines.slice(0, mapsLine + 1).join("\n") + "\n";
    const error = parseFailure(cut, "cut.heap");
    expect(error.message).toMatch(new RegExp(`^cut\\.heap:${mapsLine + 1}: MAPPED_LIBRARIES: lists no mapped file`));
  });

  it("refuses a header sampling period that jemalloc cannot have written", () => {
    for (const period of ["99999999999999999999", "100000", "0"]) {
      const damaged = [`heap_v2/${period}`, ...lines.slice(1)].join("\n");
      expect(parseFailure(damaged, "period.heap").message).toMatch(/^period\.heap:1: /);
    }
  });

  it("accepts every power-of-two period jemalloc writes (2^0 … 2^63)", () => {
    for (const exponent of [0, 19, 63]) {
      const header = `heap_v2/${(2n ** BigInt(exponent)).toString()}`;
      const profile = parseProfile(new TextEncoder().encode([header, ...lines.slice(1)].join("\n")), "p.heap");
      expect(profile.period).toBe(2 ** exponent);
    }
  });

  it("refuses a stray MAPPED_LIBRARIES: line before the stacks, naming the first stack after it", () => {
    const firstStack = lines.findIndex((line) => line.startsWith("@"));
    const damaged = [...lines.slice(0, firstStack), "MAPPED_LIBRARIES:", ...lines.slice(firstStack)].join("\n");
    const error = parseFailure(damaged, "stray.heap");
    expect(error.message).toMatch(new RegExp(`^stray\\.heap:${firstStack + 2}: a profile line after the MAPPED_LIBRARIES: of line ${firstStack + 1}`));
  });
});

describe("gzip bombs", () => {
  it("stops inflating at 100 times the file's size and says so", () => {
    // 64 MiB of zeros gzip to ~64 KiB: far past what a real profile.proto decompresses to.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(maxDecompressedBytes(bomb.byteLength)).toBeLessThan(64 * 1024 * 1024);
    const error = parseFailure(bomb, "bomb.pb.gz");
    expect(error.message).toMatch(/^bomb\.pb\.gz: at byte offset 0: gzip data that decompresses to more than \d+ MiB/);
    expect(error.hint).toContain("gunzip -k bomb.pb.gz");
  });

  it("bounds relative to the input, with a floor and a ceiling", () => {
    expect(maxDecompressedBytes(1000)).toBe(16 * 1024 * 1024);
    expect(maxDecompressedBytes(1024 * 1024)).toBe(100 * 1024 * 1024);
    expect(maxDecompressedBytes(100 * 1024 * 1024)).toBe(1024 * 1024 * 1024);
  });
});
