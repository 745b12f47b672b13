import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractStacks } from "../../src/analysis/stacks.js";
import { AllocrunError } from "../../src/core/errors.js";
import { createSiteSnapshot, readSnapshotStacks } from "../../src/ci/site-snapshot.js";
import { parseProfile } from "../../src/profile/read-profile.js";
import { REPO_ROOT } from "../helpers/examples.js";

const fixture = join(REPO_ROOT, "test", "fixtures", "profiles", "leak.jemalloc-accum.f.heap");
const profile = parseProfile(readFileSync(fixture), fixture);
const types = ["alloc_objects", "alloc_space", "inuse_space"];

describe("the allocation-site snapshot saved with a baseline", () => {
  it("gives back every sample type's stacks exactly as they were saved", () => {
    const stacks = types.map((type) => extractStacks(profile, type));
    const text = JSON.stringify(createSiteSnapshot(stacks));
    for (const original of stacks) {
      expect(readSnapshotStacks(text, "baseline.sites.json", original.sampleType.type)).toEqual(original);
    }
  });

  it("stores each function once, however many stacks use it", () => {
    const snapshot = createSiteSnapshot(types.map((type) => extractStacks(profile, type)));
    const keys = snapshot.functions.map(([key]) => key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("says when a sample type was not saved, and refuses a damaged file", () => {
    const text = JSON.stringify(createSiteSnapshot([extractStacks(profile, "inuse_space")]));
    expect(readSnapshotStacks(text, "s.json", "alloc_objects")).toBeUndefined();
    const damaged = JSON.parse(text);
    damaged.profiles.inuse_space.stacks[0][1] = 999999; // a function index past the table
    expect(() => readSnapshotStacks(JSON.stringify(damaged), "s.json", "inuse_space")).toThrow(AllocrunError);
    expect(() => readSnapshotStacks("{", "s.json", "inuse_space")).toThrow(/s\.json is not valid JSON/);
  });
});
