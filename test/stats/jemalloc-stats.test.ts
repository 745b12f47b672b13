import { describe, expect, it } from "vitest";
import { parseJemallocStats, parseJemallocStatsJson, parseJemallocStatsText } from "../../src/stats/index.js";
import { isAllocrunError } from "../../src/core/errors.js";
import { readStatsFixture } from "./read-fixture.js";

describe("jemalloc exit statistics", () => {
  it("reads the six totals from the text report's summary line", () => {
    const stats = parseJemallocStatsText(readStatsFixture("jemalloc-text.holes.stderr"));
    expect(stats).toEqual({
      format: "text",
      allocatedBytes: 18206720,
      activeBytes: 18231296,
      metadataBytes: 3440240,
      residentBytes: 38318080,
      mappedBytes: 41259008,
      retainedBytes: 8024064,
      version: "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c",
      narenas: 8,
    });
  });

  it("reads the same totals from the minimal JSON report of the same program", () => {
    const stats = parseJemallocStatsJson(readStatsFixture("jemalloc-json-summary.holes.stderr"));
    expect(stats).toMatchObject({ format: "json", allocatedBytes: 18206720, residentBytes: 38318080, retainedBytes: 8024064, version: null, narenas: null });
  });

  it("finds version and narenas in the full JSON report of a two-thread program", () => {
    const stats = parseJemallocStats(readStatsFixture("jemalloc-json-full.churn.stderr"));
    expect(stats?.format).toBe("json");
    expect(stats?.version).toMatch(/^5\.3\.0-/);
    expect(stats?.narenas).toBe(8);
    // jemalloc's documented order: live bytes fit in active pages, active pages are mapped.
    expect(stats!.allocatedBytes).toBeLessThanOrEqual(stats!.activeBytes);
    expect(stats!.activeBytes).toBeLessThanOrEqual(stats!.mappedBytes);
  });

  it("cuts the JSON out of a line that other stderr output continues", () => {
    const text = `${readStatsFixture("jemalloc-json-summary.holes.stderr")}PROFILE: interrupts/evictions/bytes = 8/0/288\nprogram's own line {"x": 1}\n`;
    expect(parseJemallocStats(text)?.allocatedBytes).toBe(18206720);
  });

  it("returns undefined for stderr without jemalloc statistics", () => {
    expect(parseJemallocStats(readStatsFixture("tcmalloc-mallocstats1.holes.stderr"))).toBeUndefined();
    expect(parseJemallocStats("")).toBeUndefined();
  });

  it("rejects a JSON report that was cut off as an input error", () => {
    const whole = readStatsFixture("jemalloc-json-summary.holes.stderr");
    let caught: unknown;
    try {
      parseJemallocStats(whole.slice(0, whole.length - 10));
    } catch (error) {
      caught = error;
    }
    expect(isAllocrunError(caught) && caught.kind).toBe("input");
  });
});
