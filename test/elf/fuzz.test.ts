// Truncated and corrupted copies of real binaries must either parse or fail with an
// AllocrunError; never a RangeError, TypeError or a hang.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AllocrunError } from "../../src/core/errors.js";
import { parseElf, readFunctionSymbols } from "../../src/elf/index.js";
import { buildExample } from "../helpers/examples.js";
import { seededRandom } from "../helpers/seeded-random.js";


/** "ok", "AllocrunError", or the name of whatever else was thrown. */
function outcomeOf(buffer: Buffer): string {
  try {
    const elf = parseElf(buffer, "fuzzed.elf");
    readFunctionSymbols(elf, buffer);
    return "ok";
  } catch (error) {
    return error instanceof AllocrunError ? "AllocrunError" : `${(error as Error).name}: ${(error as Error).message}`;
  }
}

const SAMPLES = [
  ["the leak example", () => buildExample("leak")],
  ["libmemusage.so", () => "/usr/lib/x86_64-linux-gnu/libmemusage.so"],
] as const;

describe.each(SAMPLES)("fuzzing %s", (_label, pathOf) => {
  it("fails every truncation (header, tables, end) with an AllocrunError", () => {
    const original = readFileSync(pathOf());
    const random = seededRandom(1);
    const lengths = new Set([0, 1, 4, 5, 16, 52, 63, 64, 65, 120, original.length - 1]);
    while (lengths.size < 300) lengths.add(Math.floor(random() * original.length));
    const outcomes = [...lengths].map((length) => outcomeOf(original.subarray(0, length)));
    // The section header table sits at the end, so any cut loses it.
    expect(outcomes.filter((outcome) => outcome !== "AllocrunError")).toEqual([]);
  });

  it("either parses or fails with an AllocrunError when header and table bytes are corrupted", () => {
    const original = readFileSync(pathOf());
    const random = seededRandom(2);
    const unexpected: string[] = [];
    let failures = 0;
    for (let round = 0; round < 400; round++) {
      const copy = Buffer.from(original);
      const flips = 1 + Math.floor(random() * 8);
      for (let flip = 0; flip < flips; flip++) {
        // Half the hits go to the ELF header and program headers, half anywhere.
        const limit = random() < 0.5 ? 0x400 : copy.length;
        copy[Math.floor(random() * limit)] = Math.floor(random() * 256);
      }
      const outcome = outcomeOf(copy);
      if (outcome === "AllocrunError") failures++;
      else if (outcome !== "ok") unexpected.push(outcome);
    }
    expect(unexpected).toEqual([]);
    // The corruption must actually reach the parser's checks.
    expect(failures).toBeGreaterThan(20);
  });
});
