// A profile with nothing in it (a program that freed everything) still renders every format.
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { analyzeProfile, type PreparedProfile } from "../../src/analysis/analysis.js";
import { OUTPUT_FORMATS, renderAnalysis } from "../../src/report/render.js";

const empty: PreparedProfile = {
  source: "empty.heap",
  unsymbolizedObjects: [],
  profile: {
    format: "jemalloc-heap",
    sampleTypes: [
      { type: "inuse_objects", unit: "count" },
      { type: "inuse_space", unit: "bytes" },
    ],
    defaultSampleType: "inuse_space",
    samples: [],
    locations: [],
    functions: [],
    mappings: [],
    period: 524288,
    comments: [],
  },
};

describe("an empty profile", () => {
  for (const format of OUTPUT_FORMATS) {
    it(`renders as ${format} without failing`, () => {
      const analysis = analyzeProfile(empty, "inuse_space");
      const output = renderAnalysis(format, { analysis, current: empty, top: 10 });
      if (format === "pprof") expect(gunzipSync(output as Buffer).length).toBeGreaterThan(0);
      else if (format === "collapsed") expect(output).toBe("");
      else expect(String(output)).not.toContain("NaN");
    });
  }

  it("says the total is zero in text", () => {
    const analysis = analyzeProfile(empty, "inuse_space");
    expect(renderAnalysis("text", { analysis, current: empty, top: 10 })).toMatch(/^Total: 0 B inuse_space \(0 bytes\) in 0 stacks/);
  });
});
