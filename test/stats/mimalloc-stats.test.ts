import { describe, expect, it } from "vitest";
import { parseMimallocAmount, parseMimallocStats } from "../../src/stats/index.js";
import { readStatsFixture } from "./read-fixture.js";

describe("mimalloc show_stats", () => {
  it("reads peaks, counters and the process line of a 2.0.9 release build", () => {
    const stats = parseMimallocStats(readStatsFixture("mimalloc-show-stats.holes.stderr"))!;
    expect(stats.columns).toEqual(["peak", "total", "freed", "current", "unit", "count"]);
    expect(stats.reservedPeakBytes).toBe(32 * 1024 ** 2);
    expect(stats.committedPeakBytes).toBe(32 * 1024 ** 2);
    expect(stats.rows.touched?.values).toEqual({ peak: 65741, total: 65741, freed: 16 * 1024 ** 2, current: Math.round(-15.9 * 1024 ** 2) });
    expect(stats.rows.segments?.status).toBe("not all freed!");
    expect(stats.rows["pages"]?.values.freed).toBe(259);
    expect(stats.counters).toMatchObject({ "pages.extended": 0, mmaps: 0, commits: 0, "numa nodes": 1 });
    expect(stats.elapsedSeconds).toBe(0.012);
    expect(stats.process).toEqual({ userSeconds: 0.004, systemSeconds: 0.008, pageFaults: 0, peakRssBytes: Math.round(20.3 * 1024 ** 2), peakCommitBytes: 32 * 1024 ** 2 });
  });

  it("keeps the two '-abandoned' rows apart by the row they belong to", () => {
    const stats = parseMimallocStats(readStatsFixture("mimalloc-show-stats.churn.stderr"))!;
    expect(Object.keys(stats.rows)).toEqual(expect.arrayContaining(["segments.abandoned", "segments.cached", "pages.abandoned"]));
    expect(stats.rows.threads?.values.peak).toBeGreaterThanOrEqual(1);
  });

  it("finds the header when jemalloc's JSON report ends on the same line", () => {
    const stats = parseMimallocStats(readStatsFixture("jemalloc-and-mimalloc.holes.stderr"))!;
    expect(stats.reservedPeakBytes).toBe(0);
    expect(stats.process?.peakRssBytes).toBe(Math.round(37.9 * 1024 ** 2));
    expect(stats.process?.peakCommitBytes).toBeNull();
  });

  it("converts printed amounts with binary units for bytes and thousands for counts", () => {
    expect(parseMimallocAmount("20.3 MiB")).toBe(21286093);
    expect(parseMimallocAmount("64.2 KiB")).toBe(65741);
    expect(parseMimallocAmount("16 B")).toBe(16);
    expect(parseMimallocAmount("1.5 K")).toBe(1500);
    expect(parseMimallocAmount("-542")).toBe(-542);
    expect(parseMimallocAmount("lots")).toBeUndefined();
  });

  it("returns undefined when there is no report", () => {
    expect(parseMimallocStats(readStatsFixture("memusage.holes.stderr"))).toBeUndefined();
  });
});
