import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "./temp-dir.js";

const madeInSuite: string[] = [];

describe("useTempDirs inside a describe block", () => {
  const temps = useTempDirs();

  it("makes distinct, empty, allocrun-prefixed directories", async () => {
    const first = await temps.make();
    const second = await temps.make();
    madeInSuite.push(first, second);
    expect(first).not.toBe(second);
    expect(first).toMatch(/\/allocrun-[^/]+$/);
    expect(readdirSync(first)).toEqual([]);
    // Contents that only a recursive cleanup removes.
    mkdirSync(join(first, "run", "profiles"), { recursive: true });
    writeFileSync(join(first, "run", "profiles", "heap.0.heap"), "x");
  });
});

describe("after that block", () => {
  it("has removed its directories with their contents", () => {
    expect(madeInSuite).toHaveLength(2);
    for (const path of madeInSuite) expect(existsSync(path), path).toBe(false);
  });
});
