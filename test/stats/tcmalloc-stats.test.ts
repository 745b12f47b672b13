import { describe, expect, it } from "vitest";
import { parseTcmallocStats } from "../../src/stats/index.js";
import { readStatsFixture } from "./read-fixture.js";

describe("tcmalloc MALLOCSTATS", () => {
  it("reads every MALLOC: figure of a level-1 report", () => {
    const stats = parseTcmallocStats(readStatsFixture("tcmalloc-mallocstats1.holes.stderr"));
    expect(stats).toMatchObject({
      bytesInUseByApplication: 18059736,
      pageHeapFreelistBytes: 1212416,
      centralCacheFreelistBytes: 121128,
      transferCacheFreelistBytes: 524288,
      threadCacheFreelistBytes: 5376,
      metadataBytes: 2621440,
      actualMemoryUsedBytes: 22544384,
      releasedToOsBytes: 0,
      virtualAddressSpaceUsedBytes: 22544384,
      spansInUse: 835,
      threadHeapsInUse: 2,
      pageSizeBytes: 8192,
    });
  });

  it("assigns each label to its own field: the six parts add up to the actual memory used", () => {
    for (const name of ["tcmalloc-mallocstats1.holes.stderr", "tcmalloc-minimal-mallocstats2.churn.stderr"]) {
      const s = parseTcmallocStats(readStatsFixture(name))!;
      const parts = s.bytesInUseByApplication + s.pageHeapFreelistBytes + s.centralCacheFreelistBytes + s.transferCacheFreelistBytes + s.threadCacheFreelistBytes + s.metadataBytes;
      expect(parts).toBe(s.actualMemoryUsedBytes);
      expect(s.actualMemoryUsedBytes + s.releasedToOsBytes).toBe(s.virtualAddressSpaceUsedBytes);
    }
  });

  it("stops at the end of the block of a level-2 report and ignores the size-class tables", () => {
    const stats = parseTcmallocStats(readStatsFixture("tcmalloc-minimal-mallocstats2.churn.stderr"));
    expect(stats?.bytesInUseByApplication).toBe(94872);
    expect(Object.keys(stats!.byLabel)).toHaveLength(12);
  });

  it("returns undefined for other allocators' output and for an incomplete block", () => {
    expect(parseTcmallocStats(readStatsFixture("mimalloc-show-stats.holes.stderr"))).toBeUndefined();
    const firstLines = readStatsFixture("tcmalloc-mallocstats1.holes.stderr").split("\n").slice(0, 4).join("\n");
    expect(parseTcmallocStats(firstLines)).toBeUndefined();
  });
});
