import { describe, expect, it } from "vitest";
import { parseAllocatorStats } from "../../src/stats/index.js";
import { readStatsFixture } from "./read-fixture.js";

describe("parseAllocatorStats", () => {
  it("finds both reports when jemalloc and mimalloc were preloaded together", () => {
    const found = parseAllocatorStats(readStatsFixture("jemalloc-and-mimalloc.holes.stderr"));
    expect(Object.keys(found).sort()).toEqual(["jemalloc", "mimalloc"]);
  });

  it("finds exactly the report each allocator printed", () => {
    expect(Object.keys(parseAllocatorStats(readStatsFixture("tcmalloc-mallocstats1.holes.stderr")))).toEqual(["tcmalloc"]);
    expect(Object.keys(parseAllocatorStats(readStatsFixture("memusage.holes.stderr")))).toEqual(["memusage"]);
    expect(Object.keys(parseAllocatorStats(readStatsFixture("jemalloc-text.holes.stderr")))).toEqual(["jemalloc"]);
    expect(parseAllocatorStats("ordinary program stderr\n")).toEqual({});
  });
});
