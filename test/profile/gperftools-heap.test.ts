import { describe, expect, it } from "vitest";
import { AllocrunError } from "../../src/core/errors.js";
import { parseGperftoolsHeap } from "../../src/profile/parse/gperftools-heap.js";
import type { Profile } from "../../src/profile/model.js";
import { totalValue, totalValues } from "../../src/profile/totals.js";
import { listFixtures, readFixture, referenceTotal } from "./fixtures.js";

const GPERFTOOLS_FIXTURES = listFixtures(/\.tcmalloc.*\.heap$/);
const VIEWS = ["inuse_space", "inuse_objects", "alloc_space", "alloc_objects"] as const;

function parse(text: string, fileName = "test.heap"): Profile {
  const profile = parseGperftoolsHeap(text, fileName);
  if (!profile) throw new Error(`${fileName} was declined`);
  return profile;
}

const MAPS = `
MAPPED_LIBRARIES:
55cbca2b7000-55cbca2b9000 r-xp 00001000 00:00 1531912     /srv/demo/leak
`;

describe("parseGperftoolsHeap on real HEAPPROFILE dumps", () => {
  it.each(GPERFTOOLS_FIXTURES)("%s: all four totals equal google-pprof's exactly", (name) => {
    const profile = parse(readFixture(name).toString("utf8"), name);
    const base = name.replace(/\.heap$/, "");
    for (const view of VIEWS) expect(totalValue(profile, view)).toBe(referenceTotal(`${base}.${view}.pprof.txt`));
  });

  it("does not scale heapprofile data: requested sizes, every allocation (20000 x 64 B of leak_small)", () => {
    const profile = parse(readFixture("leak.tcmalloc.0005.heap").toString("utf8"));
    expect(profile.period).toBe(1);
    expect(profile.sampleTypes.map((t) => t.type)).toEqual(["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]);
    expect(profile.samples.some((s) => s.values[2] === 20000 && s.values[3] === 1280000)).toBe(true);
    expect(profile.locations.every((l) => l.isReturnAddress)).toBe(true);
  });

  it("keeps the executable mapping of the profiled binary from the gperftools-formatted maps", () => {
    const profile = parse(readFixture("leak.tcmalloc.0005.heap").toString("utf8"));
    const leak = profile.mappings.filter((m) => m.file.endsWith("/bin/leak"));
    expect(leak.filter((m) => m.isExecutable)).toHaveLength(1);
    const leakLocations = profile.locations.filter((l) => l.mappingId === leak.find((m) => m.isExecutable)?.id);
    expect(leakLocations.length).toBeGreaterThan(3);
  });
});

describe("parseGperftoolsHeap scaling decisions (profile-formats.md §2.3)", () => {
  it("aggregates GetHeapSample's one line per object and un-samples heap_v2/R with the Poisson factor", () => {
    const profile = parse(`heap profile:    2: 200000 [   2: 200000] @ heap_v2/524288
     1:   100000 [     1:   100000] @ 0x7f2307439a70 0x55cbca2b8195
     1:   100000 [     1:   100000] @ 0x7f2307439a70 0x55cbca2b8195
${MAPS}`);
    const scale = 1 / (1 - Math.exp(-100000 / 524288));
    expect(profile.samples).toHaveLength(1);
    expect(profile.samples[0]?.values[2]).toBeCloseTo(2 * scale, 9);
    expect(profile.samples[0]?.values[3]).toBeCloseTo(200000 * scale, 6);
    expect(profile.samples[0]?.numLabels).toEqual({ bytes: 100000 });
    expect(profile.period).toBe(524288);
  });

  it("applies v1 scaling with half the period for heap/P", () => {
    const profile = parse("heap profile: 1: 1000 [1: 1000] @ heap/1048576\n1: 1000 [1: 1000] @ 0x1\n");
    // ratio = 1000 / 524288: objects and bytes are divided by it.
    expect(totalValues(profile)).toEqual([524.288, 524288, 524.288, 524288]);
    expect(profile.period).toBe(524288);
  });

  it("leaves objects larger than the v1 period alone", () => {
    const profile = parse("heap profile: 1: 1048576 [1: 1048576] @ heap/1048576\n1: 1048576 [1: 1048576] @ 0x1\n");
    expect(totalValues(profile)).toEqual([1, 1048576, 1, 1048576]);
  });

  it("treats an untyped header with equal pairs as v1 sampling at 128 KiB", () => {
    const profile = parse("heap profile: 2: 200 [2: 200]\n2: 200 [2: 200] @ 0x1\n");
    expect(totalValues(profile)).toEqual([2621.44, 262144, 2621.44, 262144]);
  });

  it("does not scale an untyped header whose pairs differ, nor a growth profile", () => {
    const untyped = parse("heap profile: 1: 200 [3: 600]\n1: 200 [3: 600] @ 0x1\n");
    expect(totalValues(untyped)).toEqual([3, 600, 1, 200]);
    const growth = parse("heap profile: 1: 200 [1: 200] @ growthz\n1: 200 [1: 200] @ 0x1\n");
    expect(totalValues(growth)).toEqual([1, 200, 1, 200]);
    expect(growth.period).toBe(1);
  });
});

describe("parseGperftoolsHeap on the rest of the grammar", () => {
  it("keeps %warn lines as comments and ignores other % commands", () => {
    const profile = parse("%warn sampling is off: set TCMALLOC_SAMPLE_PARAMETER\n%other\nheap profile: 0: 0 [0: 0] @ heapprofile\n");
    expect(profile.comments).toContain("warning: sampling is off: set TCMALLOC_SAMPLE_PARAMETER");
    expect(profile.samples).toEqual([]);
  });

  it("accepts a bucket with an empty stack (HEAP_PROFILE_MMAP)", () => {
    const profile = parse(`heap profile:    2:   131072 [     2:   131072] @ heapprofile\n     2:   131072 [     2:   131072] @\n${MAPS}`);
    expect(profile.samples).toEqual([{ locationIds: [], values: [2, 131072, 2, 131072], numLabels: { bytes: 65536 } }]);
  });

  it("reads a --- Memory map: --- section and substitutes $build", () => {
    const profile = parse(`heap profile: 1: 64 [1: 64] @ heapprofile
1: 64 [1: 64] @ 0x401010
--- Memory map: ---
build=/home/builder/out
00400000-00402000: $build/bin/server
7f0000000000-7f0000010000: /lib/libc.so.6 (@1000)
`);
    expect(profile.mappings.map((m) => [m.file, m.offset, m.isExecutable])).toEqual([
      ["/home/builder/out/bin/server", 0, true],
      ["/lib/libc.so.6", 0x1000, true],
    ]);
    expect(profile.locations[0]?.mappingId).toBe(1);
  });

  it("corrects %d counters that wrapped negative and says so", () => {
    const profile = parse("heap profile: 1: 64 [1: 64] @ heapprofile\n1: 64 [-2147483648: 64] @ 0x1\n");
    expect(profile.samples[0]?.values[0]).toBe(2147483648);
    expect(profile.comments.some((c) => c.includes("wrapped"))).toBe(true);
  });

  it("notes a missing maps section instead of failing", () => {
    const profile = parse("heap profile: 1: 64 [1: 64] @ heapprofile\n1: 64 [1: 64] @ 0x1\n");
    expect(profile.mappings).toEqual([]);
    expect(profile.comments.some((c) => c.includes("no MAPPED_LIBRARIES"))).toBe(true);
  });

  it("declines jemalloc profiles and other text", () => {
    expect(parseGperftoolsHeap("heap_v2/524288\n  t*: 0: 0 [0: 0]\n", "x")).toBeUndefined();
    expect(parseGperftoolsHeap("hello\n", "x")).toBeUndefined();
    expect(parseGperftoolsHeap("%warn only a warning\n", "x")).toBeUndefined();
  });

  it("fails a damaged header or bucket with the file name and line number", () => {
    const failure = (text: string) => {
      try {
        parseGperftoolsHeap(text, "bad.heap");
      } catch (error) {
        expect(error).toBeInstanceOf(AllocrunError);
        return (error as AllocrunError).message;
      }
      return "no error";
    };
    expect(failure("%warn x\nheap profile: lots\n")).toMatch(/^bad\.heap:2: expected "heap profile: <n>/);
    expect(failure("heap profile: 1: 64 [1: 64] @ heapprofile\n1: 64 [1: 64] 0x1\n")).toMatch(/^bad\.heap:2: expected "<n>: <bytes>/);
    expect(failure("heap profile: 1: 64 [1: 64] @ heapprofile\n\n1: 64 [1: 64] @ 0x1 g\n")).toBe(
      'bad.heap:3: expected a hex address in the stack ("g")',
    );
    expect(failure("heap profile: 1: 64 [1: 64] @ heapprofile\n1: 64 [-2147483649: 64] @ 0x1\n")).toMatch(/^bad\.heap:2: a count is negative/);
    expect(failure(`heap profile: 1: 64 [1: 64] @ heap_v2/${"9".repeat(400)}\n`)).toMatch(/^bad\.heap:1: the sampling period is too large/);
  });
});
