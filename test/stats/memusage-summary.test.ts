import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseMemusageSummaries, parseMemusageSummary } from "../../src/stats/index.js";
import { buildExample } from "../helpers/examples.js";
import { readStatsFixture } from "./read-fixture.js";

// What `holes 16` asks malloc for, from its source: 65536 buffers of 256 bytes, 4096
// records of 48, 2796 blocks of 6000, three calloc'd arrays (524288 + 32776 + 22368
// bytes) and stdio's 4096-byte buffer for stdout.
const HOLES_16_MALLOC_CALLS = 65536 + 4096 + 2796 + 1;
const HOLES_16_HEAP_TOTAL = 65536 * 256 + 4096 * 48 + 2796 * 6000 + 524288 + 32776 + 22368 + 4096;

describe("glibc libmemusage summary", () => {
  it("reads totals, calls and histogram through the colour escapes", () => {
    const summary = parseMemusageSummary(readStatsFixture("memusage.holes.stderr"))!;
    expect(summary.heapTotalBytes).toBe(HOLES_16_HEAP_TOTAL);
    expect(summary.heapPeakBytes).toBe(17556136);
    expect(summary.calls.malloc).toEqual({ calls: HOLES_16_MALLOC_CALLS, bytes: 65536 * 256 + 4096 * 48 + 2796 * 6000 + 4096, failed: 0 });
    expect(summary.calls.calloc).toEqual({ calls: 3, bytes: 524288 + 32776 + 22368, failed: 0 });
    expect(summary.calls.free?.failed).toBeNull();
    expect(summary.histogram).toContainEqual({ range: "256-271", count: 65536 });
    expect(summary.histogram).toContainEqual({ range: "large", count: 1 });
  });

  it("gives the same exact figures for a live run of the same program", () => {
    const holes = buildExample("holes");
    const { stderr } = spawnSync(holes, ["16"], {
      env: { ...process.env, LD_PRELOAD: "libmemusage.so", MEMUSAGE_PROG_NAME: holes.split("/").pop() },
      stdio: ["ignore", "ignore", "pipe"],
      encoding: "utf8",
    });
    const summary = parseMemusageSummary(stderr)!;
    expect(summary.heapTotalBytes).toBe(HOLES_16_HEAP_TOTAL);
    expect(summary.calls.malloc?.calls).toBe(HOLES_16_MALLOC_CALLS);
  });

  it("returns one summary per traced process and none for other output", () => {
    const one = readStatsFixture("memusage.churn.stderr");
    expect(parseMemusageSummaries(one + one)).toHaveLength(2);
    expect(parseMemusageSummaries(readStatsFixture("tcmalloc-mallocstats1.holes.stderr"))).toEqual([]);
  });
});
