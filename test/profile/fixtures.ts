// The real profiles in test/fixtures/profiles (see its README) and the totals the
// reference tools printed for them.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/examples.js";

export const PROFILE_FIXTURES_DIR = join(REPO_ROOT, "test", "fixtures", "profiles");

export function fixturePath(name: string): string {
  return join(PROFILE_FIXTURES_DIR, name);
}

export function readFixture(name: string): Buffer {
  return readFileSync(fixturePath(name));
}

/** Fixture profile file names whose name matches `pattern`. */
export function listFixtures(pattern: RegExp): string[] {
  return readdirSync(PROFILE_FIXTURES_DIR)
    .filter((name) => pattern.test(name))
    .sort();
}

export const HEAP_FIXTURE = /\.heap$/;
export const PROFILE_FIXTURE = /\.(heap|prof)$/;

/**
 * The number on the "Total:" line of a saved jeprof/google-pprof text report, e.g.
 * `Total: 32998413 B` or `Total: 213 samples`.
 */
export function referenceTotal(reportName: string): number {
  const firstLine = readFileSync(fixturePath(reportName), "utf8").split("\n")[0] ?? "";
  const match = /^Total: (\d+(?:\.\d+)?) (B|objects|samples)$/.exec(firstLine);
  if (!match) throw new Error(`${reportName}: no "Total:" line, got ${JSON.stringify(firstLine)}`);
  return Number(match[1]);
}
