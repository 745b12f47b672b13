import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { dumpProfileCanonically } from "../../src/profile/canonical-dump.js";
import type { Profile } from "../../src/profile/model.js";
import { parseProfile } from "../../src/profile/read-profile.js";
import { PROFILE_FIXTURE, listFixtures, readFixture } from "./fixtures.js";

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

describe("canonical dumps of the fixture profiles", () => {
  it.each(listFixtures(PROFILE_FIXTURE))("%s matches its golden dump", (name) => {
    const dump = dumpProfileCanonically(parseProfile(readFixture(name), name));
    const golden = join(GOLDEN_DIR, `${name}.txt`);
    if (UPDATE) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(golden, dump);
    }
    expect(existsSync(golden), `${golden} is missing: run UPDATE_GOLDEN=1 npx vitest run test/profile`).toBe(true);
    expect(dump).toBe(readFileSync(golden, "utf8"));
  });
});

describe("dumpProfileCanonically", () => {
  const profile: Profile = {
    format: "gperftools-cpu",
    sampleTypes: [{ type: "samples", unit: "count" }],
    defaultSampleType: "samples",
    samples: [
      { locationIds: [2, 1], values: [1.23456] },
      { locationIds: [1], values: [2], labels: { thread: "main" } },
    ],
    locations: [
      { id: 1, mappingId: 1, address: 0x1010, isReturnAddress: true, lines: [{ functionId: 1, line: 7 }] },
      { id: 2, mappingId: 0, address: 0x9000, isReturnAddress: false, lines: [] },
    ],
    functions: [{ id: 1, name: "main", systemName: "main", filename: "a.c" }],
    mappings: [{ id: 1, start: 0x1000, limit: 0x2000, offset: 0, file: "/bin/a", isExecutable: true }],
    period: 1,
    comments: ["hello"],
  };

  it("sorts samples by stack, rounds values to 3 decimals, marks interrupted PCs and lists symbols", () => {
    expect(dumpProfileCanonically(profile)).toBe(`format: gperftools-cpu
sample types: samples/count (default samples)
period: 1
totals: 3.235
comment: hello
samples: 2 (addresses leaf first; "!" marks an interrupted PC, not a return address)
  2 thread="main" @ 0x1010
  1.235 @ 0x9000! 0x1010
mappings: 1 (locations outside any: 1)
  1 0x1000-0x2000 off=0x0 x /bin/a locations=1
symbols: 1
  0x1010: main a.c:7
`);
  });

  it("does not depend on the order of samples in the profile", () => {
    const reversed = { ...profile, samples: [...profile.samples].reverse() };
    expect(dumpProfileCanonically(reversed)).toBe(dumpProfileCanonically(profile));
  });
});
