// Real series of dumps, sample type choice, and allocator frames on real profiles.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeGrowth } from "../../src/analysis/analysis.js";
import { loadPreparedProfiles } from "../../src/analysis/load-profile.js";
import { dumpSequence, findRunFolderProfiles } from "../../src/analysis/run-folder-profiles.js";
import { chooseSampleType } from "../../src/analysis/sample-type.js";
import { isAllocrunError } from "../../src/core/errors.js";
import { readProfileFile } from "../../src/profile/read-profile.js";
import { dropAllocatorFrames, isAllocatorObject } from "../../src/symbolize/allocator-frames.js";
import { symbolizeProfile } from "../../src/symbolize/symbolize-profile.js";
import { PROFILE_FIXTURES_DIR } from "../profile/fixtures.js";
import { fixtureSymbolizeOptions, prepareFixture } from "./reference-reports.js";
import { useTempDirs } from "../helpers/temp-dir.js";

/** Scratch folders, removed after this file's tests. */
const scratchDirs = useTempDirs();

const fixture = (name: string) => join(PROFILE_FIXTURES_DIR, name);

describe("--growth on real series", () => {
  it("ranks leaf_alloc first across the jemalloc interval dumps", async () => {
    const series = await loadPreparedProfiles([0, 1, 2, 3].map((i) => fixture(`leak.jemalloc-series.i${i}.heap`)), fixtureSymbolizeOptions());
    const growth = analyzeGrowth(series, "inuse_space");
    expect(growth.rows[0]?.fn.name).toBe("leaf_alloc");
    expect(growth.rows[0]?.slope).toBeGreaterThan(0);
    expect(growth.totals).toHaveLength(4);
  });

  it("ranks leaf_alloc first across the tcmalloc dumps, rising at every dump", async () => {
    const series = await loadPreparedProfiles([1, 2, 3, 4, 5].map((i) => fixture(`leak.tcmalloc.000${i}.heap`)), fixtureSymbolizeOptions());
    const growth = analyzeGrowth(series, "inuse_space");
    expect(growth.rows[0]?.fn.name).toBe("leaf_alloc");
    expect(growth.rows[0]?.monotonicity).toBe(1);
  });
});

describe("chooseSampleType", () => {
  it("defaults to inuse_space for heap and cpu for CPU profiles", async () => {
    expect(chooseSampleType(await readProfileFile(fixture("leak.tcmalloc.0005.heap")), {})).toBe("inuse_space");
    expect(chooseSampleType(await readProfileFile(fixture("churn.cpu.prof")), {})).toBe("cpu");
    expect(chooseSampleType(await readProfileFile(fixture("churn.cpu.prof")), { objects: true })).toBe("samples");
  });

  it("picks alloc_objects for --alloc --objects", async () => {
    expect(chooseSampleType(await readProfileFile(fixture("leak.tcmalloc.0005.heap")), { alloc: true, objects: true })).toBe("alloc_objects");
  });

  it("explains that jemalloc records allocated totals only with prof_accum", async () => {
    const profile = await readProfileFile(fixture("leak.jemalloc.f.heap"));
    let message = "";
    try {
      chooseSampleType(profile, { alloc: true });
    } catch (error) {
      if (isAllocrunError(error)) message = `${error.message} — ${error.hint}`;
    }
    expect(message).toMatch(/prof_accum:true/);
  });

  it("refuses --inuse on a CPU profile with a usage error", async () => {
    const profile = await readProfileFile(fixture("churn.cpu.prof"));
    expect(() => chooseSampleType(profile, { inuse: true })).toThrow(/heap profiles/);
  });
});

describe("allocator frames", () => {
  it("recognises allocator objects by file name, not by function names", () => {
    expect(isAllocatorObject("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2")).toBe(true);
    expect(isAllocatorObject("/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.9")).toBe(true);
    expect(isAllocatorObject("/usr/lib/x86_64-linux-gnu/libmimalloc.so.2.0")).toBe(true);
    expect(isAllocatorObject("/usr/lib/x86_64-linux-gnu/libc.so.6")).toBe(false);
    expect(isAllocatorObject("/opt/app/libjemalloc_wrapper_tests.so")).toBe(false);
  });

  it("drops jemalloc's frames so every stack starts in the program", async () => {
    const profile = await readProfileFile(fixture("leak.jemalloc.f.heap"));
    const { profile: named } = await symbolizeProfile(profile, fixtureSymbolizeOptions({ lineTool: "none" }));
    const trimmed = dropAllocatorFrames(named);
    const mappingFile = new Map(trimmed.mappings.map((mapping) => [mapping.id, mapping.file]));
    const locations = new Map(trimmed.locations.map((location) => [location.id, location]));
    for (const sample of trimmed.samples) {
      const leaf = locations.get(sample.locationIds[0] as number);
      expect(mappingFile.get(leaf?.mappingId ?? -1)).not.toMatch(/libjemalloc/);
    }
    // Nothing was lost: the same samples with the same values.
    expect(trimmed.samples.map((sample) => sample.values)).toEqual(named.samples.map((sample) => sample.values));
  });

  it("keeps CPU stacks whole: time in the allocator is real work", async () => {
    const prepared = await prepareFixture("churn.cpu.prof", { lineTool: "none" });
    const raw = await readProfileFile(fixture("churn.cpu.prof"));
    expect(prepared.profile.samples.map((sample) => sample.locationIds.length)).toEqual(raw.samples.map((sample) => sample.locationIds.length));
  });
});

describe("run folders", () => {
  it("orders dumps by their sequence number", () => {
    expect(dumpSequence("jeprof.123.7.i3.heap")).toBe(7);
    expect(dumpSequence("jeprof.123.12.f.heap")).toBe(12);
    expect(dumpSequence("heap.0004.heap")).toBe(4);
    expect(dumpSequence("whatever.txt")).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("takes the launched program's dumps of the first profile kind, oldest first", () => {
    const runDir = scratchDirs.makeSync("allocrun-runfolder-");
    const artifacts = [
      { path: "jeprof.10.2.f.heap", kind: "jemalloc-heap", bytes: 10, pid: 10, fromChildProcess: false },
      { path: "jeprof.10.0.i0.heap", kind: "jemalloc-heap", bytes: 10, pid: 10, fromChildProcess: false },
      { path: "jeprof.11.0.f.heap", kind: "jemalloc-heap", bytes: 10, pid: 11, fromChildProcess: true },
      { path: "jeprof.10.1.i1.heap", kind: "jemalloc-heap", bytes: 10, pid: 10, fromChildProcess: false },
      { path: "stderr.log", kind: "stderr", bytes: 10 },
    ];
    writeFileSync(join(runDir, "manifest.json"), JSON.stringify({ schemaVersion: 1, program: "/bin/prog", artifacts }));
    const run = findRunFolderProfiles(runDir);
    expect(run.series.map((path) => path.slice(runDir.length + 1))).toEqual(["jeprof.10.0.i0.heap", "jeprof.10.1.i1.heap", "jeprof.10.2.f.heap"]);
    expect(run.others.map((path) => path.slice(runDir.length + 1))).toEqual(["jeprof.11.0.f.heap"]);
    expect(run.program).toBe("/bin/prog");
  });

  it("says the profiles are empty when the program was killed before writing them", () => {
    const runDir = scratchDirs.makeSync("allocrun-runfolder-");
    writeFileSync(join(runDir, "manifest.json"), JSON.stringify({ artifacts: [{ path: "cpu.prof", kind: "gperftools-cpu", bytes: 0 }] }));
    expect(() => findRunFolderProfiles(runDir)).toThrow(/empty/);
  });

  it("rejects a folder without manifest.json with a hint", () => {
    const runDir = scratchDirs.makeSync("allocrun-runfolder-");
    expect(() => findRunFolderProfiles(runDir)).toThrow(/without manifest\.json/);
  });
});
