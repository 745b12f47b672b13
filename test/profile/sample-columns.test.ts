// The text parsers keep samples in columns and make Sample objects only when read. The
// analyses read the columns directly: on real profiles they must give what the Sample
// objects give, byte for byte (stack tables, totals, dropped allocator frames, pprof).
import { describe, expect, it } from "vitest";
import { extractStackTable } from "../../src/analysis/stack-table.js";
import type { Profile } from "../../src/profile/model.js";
import { readProfileFile } from "../../src/profile/read-profile.js";
import { copyProfile, forEachSample, sampleCount, valuesOf } from "../../src/profile/sample-columns.js";
import { totalValues } from "../../src/profile/totals.js";
import { encodePprof } from "../../src/report/pprof-export.js";
import { dropAllocatorFrames } from "../../src/symbolize/allocator-frames.js";
import { fixturePath } from "./fixtures.js";

/** The same profile with its samples as plain objects: the columns are dropped. */
function asObjects(profile: Profile): Profile {
  const copy = copyProfile(profile, {});
  copy.samples = profile.samples.map((sample) => ({ ...sample }));
  return copy;
}

const FIXTURES = ["leak.jemalloc-accum.f.heap", "leak.tcmalloc.0001.heap", "churn.cpu.prof"];

describe.each(FIXTURES)("samples in columns and as objects agree on %s", (name) => {
  it("keeps its columns from the parser, and drops them when samples are set", async () => {
    const profile = await readProfileFile(fixturePath(name));
    expect(profile.columns?.count).toBe(profile.samples.length);
    expect(asObjects(profile).columns).toBeUndefined();
    expect(profile.columns).toBeDefined(); // the copy's samples were set, not the original's
  });

  it("gives the same counts, values, totals and samples one at a time", async () => {
    const columns = await readProfileFile(fixturePath(name));
    const objects = asObjects(columns);
    expect(sampleCount(columns)).toBe(sampleCount(objects));
    columns.sampleTypes.forEach((_, index) => expect(valuesOf(columns, index)).toEqual(valuesOf(objects, index)));
    expect(totalValues(columns)).toEqual(totalValues(objects));
    const seen: unknown[] = [];
    forEachSample(columns, (sample) => seen.push(sample));
    expect(seen).toEqual(objects.samples);
  });

  it("drops the same allocator frames and builds the same stack table", async () => {
    const columns = dropAllocatorFrames(await readProfileFile(fixturePath(name)));
    const objects = dropAllocatorFrames(asObjects(await readProfileFile(fixturePath(name))));
    expect(columns.samples).toEqual(objects.samples);
    for (const type of columns.sampleTypes) expect(extractStackTable(columns, type.type)).toEqual(extractStackTable(objects, type.type));
  });

  it("encodes the same pprof bytes", async () => {
    const columns = await readProfileFile(fixturePath(name));
    const prepared = (profile: Profile) => ({ source: name, profile, unsymbolizedObjects: [] });
    const options = { defaultSampleType: columns.defaultSampleType };
    expect(encodePprof(prepared(columns), options)).toEqual(encodePprof(prepared(asObjects(columns)), options));
  });
});
