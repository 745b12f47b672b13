import { describe, expect, it } from "vitest";
import { AllocrunError } from "../../src/core/errors.js";
import { parseJemallocHeap } from "../../src/profile/parse/jemalloc-heap.js";
import { sampleTypeIndex, type Profile } from "../../src/profile/model.js";
import { totalValue } from "../../src/profile/totals.js";
import { dumpProfileCanonically } from "../../src/profile/canonical-dump.js";
import { listFixtures, readFixture, referenceTotal } from "./fixtures.js";

const JEMALLOC_FIXTURES = listFixtures(/\.jemalloc.*\.heap$/);

function parseFixture(name: string): Profile {
  const profile = parseJemallocHeap(readFixture(name).toString("utf8"), name);
  if (!profile) throw new Error(`${name} was declined`);
  return profile;
}

/** jeprof sums un-sampled floats and prints the integer part; allow 1 per sample or 0.01 %. */
function expectCloseToReference(actual: number, reference: number, sampleCount: number): void {
  const tolerance = Math.max(sampleCount, reference * 1e-4);
  expect(Math.abs(actual - reference)).toBeLessThanOrEqual(tolerance);
}

// profile-formats.md §1.2, with the elided addresses filled in and the libstdc++ init
// stack of the worked example (§1.3) added; jeprof printed "Total: 164082032 B" for it.
const ANNOTATED_EXAMPLE = `heap_v2/131072
  t*: 1244: 1950944 [0: 0]
  t0: 849: 907459 [0: 0]
  t1: 48: 25724589 [0: 0] worker-a
  t2: 48: 25724589 [0: 0]
@ 0x7f8fd6ca2630 0x7f8fd6ca2d21 0x7f8fd6c95f24 0x7f8fd6c22045 0x5598859871a8 0x559885987203 0x5598859872bf 0x7f8fd6a4524a 0x7f8fd6a45305 0x5598859870d1
  t*: 51: 3264 [0: 0]
  t0: 51: 3264 [0: 0]
@ 0x7f8fd6ca2630 0x7f8fd6ca2d21 0x7f8fd6c95f24 0x7f8fd6c22045 0x5598859871a8 0x5598859871c6 0x559885987251 0x7f8fd6aa71f5 0x7f8fd6b278ec
  t*: 96: 51449178 [0: 0]
  t1: 48: 25724589 [0: 0]
  t2: 48: 25724589 [0: 0]
@ 0x7f8fd6ca2630 0x7f8fd6ca2d21 0x7f8fd6c95f24 0x7f8fd6c22045 0x5598859871a8 0x5598859871c6 0x5598859871e0 0x5598859872ba 0x7f8fd6a4524a 0x7f8fd6a45305 0x5598859870d1
  t*: 100: 104857707 [0: 0]
  t0: 100: 104857707 [0: 0]
@ 0x7f8fd6ca2630 0x7f8fd6ca2d21 0x7f8fd6c95f24 0x7f8fd6c22ed9 0x7f8fd66a57ba
  t*: 1: 82659 [0: 0]
  t0: 1: 82659 [0: 0]

MAPPED_LIBRARIES:
559885986000-559885987000 r--p 00000000 fe:00 1531912                    /srv/demo/leak
559885987000-559885988000 r-xp 00001000 fe:00 1531912                    /srv/demo/leak
7f8fd6c09000-7f8fd6caf000 r-xp 00009000 fe:00 5595221                    /usr/lib/x86_64-linux-gnu/libjemalloc.so.2
7f8fd6cb0000-7f8fd6cb4000 rw-p 00000000 00:00 0
`;

function parseExample(text = ANNOTATED_EXAMPLE): Profile {
  const profile = parseJemallocHeap(text, "example.heap");
  if (!profile) throw new Error("example declined");
  return profile;
}

/** The failure message of parsing `text`, which must be an input error. */
function failureOf(text: string): string {
  try {
    parseJemallocHeap(text, "broken.heap");
  } catch (error) {
    expect(error).toBeInstanceOf(AllocrunError);
    expect((error as AllocrunError).kind).toBe("input");
    return (error as AllocrunError).message;
  }
  throw new Error("parsed without error");
}

describe("parseJemallocHeap on the annotated example of profile-formats.md", () => {
  it("un-samples each stack with the Poisson factor, matching the worked example", () => {
    const profile = parseExample();
    const space = sampleTypeIndex(profile, "inuse_space");
    const objects = sampleTypeIndex(profile, "inuse_objects");
    const byCallSite = new Map(
      profile.samples.map((s) => [profile.locations[(s.locationIds[6] as number) - 1]?.address, s.values]),
    );
    // Keyed by the 7th frame, the first that differs: leak_small, thr, leak_big (§1.3's table).
    expect(byCallSite.get(0x5598859872bf)?.[space]).toBeCloseTo(6686304.13, 1);
    expect(byCallSite.get(0x5598859872bf)?.[objects]).toBeCloseTo(104473.5, 1);
    expect(byCallSite.get(0x559885987251)?.[space]).toBeCloseTo(52326117.14, 1);
    expect(byCallSite.get(0x5598859871e0)?.[space]).toBeCloseTo(104892894.36, 1);
    expect(byCallSite.get(0x5598859871e0)?.[objects]).toBeCloseTo(100.03, 2);
  });

  it("totals the scaled stacks (jeprof's 164082032 B), not the scaled header line", () => {
    expect(Math.trunc(totalValue(parseExample(), "inuse_space"))).toBe(164082032);
  });

  it("offers only the in-use sample types when every accumulated pair is zero", () => {
    const profile = parseExample();
    expect(profile.sampleTypes.map((t) => t.type)).toEqual(["inuse_objects", "inuse_space"]);
    expect(profile.defaultSampleType).toBe("inuse_space");
    expect(profile.period).toBe(131072);
    expect(profile.periodType).toEqual({ type: "space", unit: "bytes" });
  });

  it("marks every frame as a return address, including the first one inside jemalloc", () => {
    expect(parseExample().locations.every((l) => l.isReturnAddress)).toBe(true);
  });

  it("places addresses in the executable mappings and leaves unmapped ones at mapping 0", () => {
    const profile = parseExample();
    const leak = profile.mappings.find((m) => m.file === "/srv/demo/leak" && m.isExecutable);
    const location = (address: number) => profile.locations.find((l) => l.address === address);
    expect(location(0x5598859871a8)?.mappingId).toBe(leak?.id);
    expect(location(0x7f8fd66a57ba)?.mappingId).toBe(0);
    expect(profile.mappings.some((m) => m.file === "")).toBe(false);
  });

  it("sums per-thread stack lines into thread totals and keeps header thread names", () => {
    const threads = parseExample().threads ?? [];
    expect(threads.map((t) => [t.id, t.name])).toEqual([
      [0, undefined],
      [1, "worker-a"],
      [2, undefined],
    ]);
    // t1 holds 48 objects of the thr() stack: 25724589 bytes scaled by that stack's factor.
    expect(threads[1]?.values[1]).toBeCloseTo(25724589 / (1 - Math.exp(-25724589 / 48 / 131072)), 3);
  });

  it("labels each sample with its average object size", () => {
    const big = parseExample().samples.find((s) => (s.values[1] as number) > 1e8);
    expect(big?.numLabels).toEqual({ bytes: 1048577 });
  });
});

describe("parseJemallocHeap on real jemalloc 5.3 dumps", () => {
  it.each(JEMALLOC_FIXTURES)("%s: inuse totals match jeprof's Total lines", (name) => {
    const profile = parseFixture(name);
    const base = name.replace(/\.heap$/, "");
    const count = profile.samples.length;
    expectCloseToReference(totalValue(profile, "inuse_space"), referenceTotal(`${base}.inuse_space.jeprof.txt`), count);
    expectCloseToReference(totalValue(profile, "inuse_objects"), referenceTotal(`${base}.inuse_objects.jeprof.txt`), count);
  });

  it("reads the accumulated pairs of a prof_accum dump as alloc_objects and alloc_space", () => {
    const name = "leak.jemalloc-accum.f.heap";
    const profile = parseFixture(name);
    expect(profile.sampleTypes.map((t) => t.type)).toEqual(["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]);
    const count = profile.samples.length;
    expectCloseToReference(totalValue(profile, "alloc_space"), referenceTotal("leak.jemalloc-accum.f.alloc_space.jeprof.txt"), count);
    expectCloseToReference(totalValue(profile, "alloc_objects"), referenceTotal("leak.jemalloc-accum.f.alloc_objects.jeprof.txt"), count);
    // The churn() stack freed everything it allocated: in use 0, allocated > 0.
    const freed = profile.samples.filter((s) => s.values[3] === 0);
    expect(freed.length).toBeGreaterThan(0);
    expect(freed.every((s) => (s.values[1] as number) > 0)).toBe(true);
  });

  it("finds the two worker threads' 10 x 512 KiB each in the thread totals", () => {
    const threads = parseFixture("leak.jemalloc.f.heap").threads ?? [];
    const workers = threads.filter((t) => t.id !== 0);
    expect(workers).toHaveLength(2);
    for (const worker of workers) expect(worker.values[1]).toBeGreaterThan(5 * 2 ** 20);
  });

  it("grows the in-use total along the periodic series of one run", () => {
    const totals = listFixtures(/\.jemalloc-series\.i\d+\.heap$/).map((name) => totalValue(parseFixture(name), "inuse_space"));
    expect(totals.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < totals.length; i++) expect(totals[i]).toBeGreaterThan(totals[i - 1] as number);
  });
});

describe("parseJemallocHeap on other input", () => {
  it("declines text that does not start with heap_v2/", () => {
    expect(parseJemallocHeap("heap profile:    1:   2 [ 1: 2] @ heapprofile\n", "x.heap")).toBeUndefined();
    expect(parseJemallocHeap("", "x.heap")).toBeUndefined();
  });

  it("fails a header without a sampling period, naming file and line 1", () => {
    expect(failureOf("heap_v2/abc\n  t*: 0: 0 [0: 0]\n")).toMatch(/^broken\.heap:1: expected "heap_v2\/<sampling period/);
  });

  it("fails a stack whose counts line is missing, naming the line", () => {
    const text = "heap_v2/524288\n  t*: 1: 2 [0: 0]\n@ 0x1 0x2\n@ 0x3\n  t*: 1: 2 [0: 0]\n\nMAPPED_LIBRARIES:\n";
    expect(failureOf(text)).toMatch(/^broken\.heap:4: expected "t\*: <objects>/);
  });

  it("fails a dump cut short before MAPPED_LIBRARIES", () => {
    const cut = ANNOTATED_EXAMPLE.slice(0, ANNOTATED_EXAMPLE.indexOf("\nMAPPED_LIBRARIES"));
    expect(failureOf(cut)).toMatch(/ends before its MAPPED_LIBRARIES/);
  });

  it("fails a non-hex address in a stack", () => {
    expect(failureOf("heap_v2/524288\n  t*: 1: 2 [0: 0]\n@ 0x1 0xzz 0x2\n")).toBe(
      'broken.heap:3: expected a hex address in the stack ("0xzz")',
    );
  });

  it("fails negative counts and thread ids, which jemalloc never writes", () => {
    expect(failureOf("heap_v2/524288\n  t*: -1: 2 [0: 0]\n")).toMatch(/^broken\.heap:2: expected "t\*:/);
    expect(failureOf("heap_v2/524288\n  t*: 1: 2 [0: 0]\n  t-1: 1: 2 [0: 0]\n")).toMatch(/^broken\.heap:3: expected a "t<thread>:"/);
  });

  it("fails a thread name on a per-stack thread line, which jeprof could not read", () => {
    const text = "heap_v2/524288\n  t*: 1: 2 [0: 0]\n@ 0x1\n  t*: 1: 2 [0: 0]\n  t0: 1: 2 [0: 0] main\n";
    expect(failureOf(text)).toMatch(/^broken\.heap:5: unexpected text/);
  });

  it("accepts Windows line endings", () => {
    const profile = parseExample(ANNOTATED_EXAMPLE.replaceAll("\n", "\r\n"));
    expect(Math.trunc(totalValue(profile, "inuse_space"))).toBe(164082032);
    expect(profile.mappings.map((m) => m.file)).toContain("/srv/demo/leak");
  });
});

describe("parseJemallocHeap on a text read in parts", () => {
  /** `text` handed over `size` characters at a time, as readProfileFile hands a file over. */
  function inParts(text: string, size: number): { first: string; more: () => string | undefined } {
    let next = size;
    return {
      first: text.slice(0, size),
      more: () => {
        if (next >= text.length) return undefined;
        const part = text.slice(next, next + size);
        next += size;
        return part;
      },
    };
  }

  it("gives the same profile for every part size, lines cut anywhere (real dumps and the annotated example)", () => {
    const texts = [ANNOTATED_EXAMPLE, ...JEMALLOC_FIXTURES.slice(0, 3).map((name) => readFixture(name).toString("utf8"))];
    for (const text of texts) {
      const whole = dumpProfileCanonically(parseExample(text));
      for (const size of [1, 2, 7, 64, 1000]) {
        const { first, more } = inParts(text, size);
        const profile = parseJemallocHeap(first, "parts.heap", more);
        expect(profile && dumpProfileCanonically(profile), `parts of ${size}`).toBe(whole);
      }
    }
  });

  it("names the right line of a damaged dump whose lines straddle parts", () => {
    const damaged = ANNOTATED_EXAMPLE.replace("0x559885987203", "0xnothex");
    const { first, more } = inParts(damaged, 5);
    expect(() => parseJemallocHeap(first, "broken.heap", more)).toThrow(failureOf(damaged));
  });
});
