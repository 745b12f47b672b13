// Damaged profiles must either parse or fail with an AllocrunError: never another
// exception, never a hang, never a profile with non-finite values or dangling ids.
import { describe, expect, it } from "vitest";
import { AllocrunError } from "../../src/core/errors.js";
import type { Profile } from "../../src/profile/model.js";
import { parseProfile } from "../../src/profile/read-profile.js";
import { PROFILE_FIXTURE, listFixtures, readFixture } from "./fixtures.js";
import { seededRandom } from "../helpers/seeded-random.js";

const CASES_PER_FIXTURE = 300;
/** Bytes that matter to the grammars: digits, separators, line breaks, the word 3, 0xff. */
const INTERESTING_BYTES = [0x30, 0x31, 0x39, 0x20, 0x0a, 0x3a, 0x40, 0x5b, 0x5d, 0x2a, 0x2d, 0x78, 0x00, 0x03, 0xff, 0x7f];


function damage(original: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  if (random() < 0.35) return original.slice(0, pick(original.length));
  const bytes = original.slice();
  const mutations = 1 + pick(8);
  for (let i = 0; i < mutations; i++) {
    const at = pick(bytes.length);
    bytes[at] = random() < 0.5 ? (INTERESTING_BYTES[pick(INTERESTING_BYTES.length)] as number) : pick(256);
  }
  return bytes;
}

/** What is wrong with a parsed profile's structure ("" when nothing). */
function inconsistencyOf(profile: Profile): string {
  const locationIds = new Set(profile.locations.map((l) => l.id));
  const mappingIds = new Set([0, ...profile.mappings.map((m) => m.id)]);
  for (const sample of profile.samples) {
    if (sample.values.length !== profile.sampleTypes.length) return "a sample has the wrong number of values";
    if (!sample.values.every(Number.isFinite)) return `a sample value is not finite: ${sample.values.join(" ")}`;
    if (!sample.locationIds.every((id) => locationIds.has(id))) return "a sample names a missing location";
  }
  if (!profile.locations.every((l) => mappingIds.has(l.mappingId))) return "a location names a missing mapping";
  return "";
}

describe("parsing damaged profiles", () => {
  it.each(listFixtures(PROFILE_FIXTURE))("%s: truncations and byte mutations parse or fail with an AllocrunError", (name) => {
    const original = new Uint8Array(readFixture(name));
    const random = seededRandom([...name].reduce((hash, c) => Math.imul(hash, 31) + c.charCodeAt(0), 7));
    let parsed = 0;
    let failed = 0;
    for (let i = 0; i < CASES_PER_FIXTURE; i++) {
      const damaged = damage(original, random);
      let profile: Profile | undefined;
      try {
        profile = parseProfile(damaged, name);
      } catch (error) {
        if (!(error instanceof AllocrunError)) throw new Error(`case ${i}: ${String(error)}`, { cause: error });
        if (!error.message.includes(name)) {
          throw new Error(`case ${i}: the error does not name the file: ${error.message}`, { cause: error });
        }
        failed++;
        continue;
      }
      const inconsistency = inconsistencyOf(profile);
      if (inconsistency !== "") throw new Error(`case ${i}: ${inconsistency}`);
      parsed++;
    }
    // Both outcomes occur, so the test exercises the error paths as well as the happy one.
    expect(parsed).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
  });
});
