import { describe, expect, it } from "vitest";
import { explainPeakMemory } from "../../src/compare/memory-breakdown.js";
import { parseAllocatorStats } from "../../src/stats/index.js";
import { readStatsFixture } from "../stats/read-fixture.js";

const MiB = 1048576;

function explain(allocator: "glibc" | "jemalloc" | "tcmalloc" | "mimalloc", fixture: string, peakRssBytes: number) {
  return explainPeakMemory({ allocator, found: parseAllocatorStats(readStatsFixture(fixture)), peakRssBytes, statsFolder: `${allocator}-stats` });
}

describe("where the peak memory went", () => {
  it("splits jemalloc's peak into allocated, resident minus allocated, and the rest", () => {
    // holes 16 under jemalloc: allocated 18206720, resident 38318080; peak RSS 40 MiB.
    const b = explain("jemalloc", "jemalloc-json-summary.holes.stderr", 40 * MiB)!;
    expect(b).toMatchObject({ source: "jemalloc stats_print", moment: "exit", liveHeapBytes: 18206720, allocatorHeldBytes: 38318080, unattributedBytes: null });
    expect(b.overheadBytes).toBe(38318080 - 18206720);
    expect(b.restBytes).toBe(40 * MiB - 38318080);
    expect(b.liveHeapBytes! + b.overheadBytes! + b.restBytes!).toBe(40 * MiB);
  });

  it("uses tcmalloc's bytes in use and actual memory used", () => {
    const b = explain("tcmalloc", "tcmalloc-mallocstats1.holes.stderr", 26 * MiB)!;
    expect(b).toMatchObject({ liveHeapBytes: 18059736, allocatorHeldBytes: 22544384, overheadBytes: 22544384 - 18059736, restBytes: 26 * MiB - 22544384 });
  });

  it("keeps glibc's overhead and rest together: libmemusage knows only the live-heap peak", () => {
    const b = explain("glibc", "memusage.holes.stderr", 36 * MiB)!;
    expect(b).toMatchObject({ source: "glibc libmemusage", moment: "peak", liveHeapBytes: 17556136, allocatorHeldBytes: null, overheadBytes: null, restBytes: null });
    expect(b.unattributedBytes).toBe(36 * MiB - 17556136);
  });

  it("reports mimalloc's committed peak without inventing a live heap", () => {
    const b = explain("mimalloc", "mimalloc-show-stats.holes.stderr", 21 * MiB)!;
    expect(b).toMatchObject({ liveHeapBytes: null, overheadBytes: null, unattributedBytes: null, figures: { committedPeak: 32 * MiB } });
    expect(b.note).toMatch(/counts no live bytes/);
  });

  it("clamps a rest below zero and says the allocator's figure is an upper bound", () => {
    const b = explain("jemalloc", "jemalloc-json-summary.holes.stderr", 30 * MiB)!;
    expect(b.restBytes).toBe(0);
    expect(b.note).toMatch(/upper bound/);
  });

  it("says that jemalloc's figures are from the exit when the program freed its heap before exiting", () => {
    // jq over 10 MB of JSON under jemalloc: what stats_print said at exit.
    const text = '{"jemalloc":{"stats":{"allocated":360568,"active":4591616,"metadata":4150512,"metadata_thp":0,"resident":123052032,"mapped":125280256,"retained":24666112}}}';
    const b = explainPeakMemory({ allocator: "jemalloc", found: parseAllocatorStats(text), peakRssBytes: 125 * MiB, statsFolder: "jemalloc-stats" })!;
    expect(b.moment).toBe("exit");
    expect(b.note).toMatch(/figures at exit \(it reports no peak\).*allocrun --jemalloc --prof/);
  });

  it("explains a glibc live heap above peak RSS: memusage counts requested bytes, not touched pages", () => {
    const b = explain("glibc", "memusage.holes.stderr", 10 * MiB)!;
    expect(b.liveHeapBytes).toBeGreaterThan(10 * MiB);
    expect(b.note).toMatch(/live heap exceeds peak RSS: libmemusage counts the bytes requested/);
  });

  it("has nothing to say when the allocator printed no statistics of its own", () => {
    expect(explain("jemalloc", "tcmalloc-mallocstats1.holes.stderr", 30 * MiB)).toBeNull();
  });
});
