// Loading the real fixture profiles the way `allocrun analyze` does (with the fixture
// binaries standing in for the paths recorded on the capturing machine), and reading the
// saved jeprof / google-pprof --text reports to compare with.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeProfile, type Analysis, type PreparedProfile } from "../../src/analysis/analysis.js";
import { loadPreparedProfiles } from "../../src/analysis/load-profile.js";
import { chooseSampleType, type SampleTypeRequest } from "../../src/analysis/sample-type.js";
import type { SymbolizeOptions } from "../../src/symbolize/symbolize-profile.js";
import { PROFILE_FIXTURES_DIR } from "../profile/fixtures.js";

export const FIXTURE_BINARIES = ["leak", "churn"].map((name) => join(PROFILE_FIXTURES_DIR, "bin", name));

/** Symbolize options for fixtures: no disk cache, the fixture binaries offered by basename. */
export function fixtureSymbolizeOptions(extra: Partial<SymbolizeOptions> = {}): SymbolizeOptions {
  return { searchPath: process.env.PATH ?? "", candidates: FIXTURE_BINARIES, suggestPackages: false, ...extra };
}

export async function prepareFixture(name: string, extra: Partial<SymbolizeOptions> = {}): Promise<PreparedProfile> {
  const [prepared] = await loadPreparedProfiles([join(PROFILE_FIXTURES_DIR, name)], fixtureSymbolizeOptions(extra));
  return prepared as PreparedProfile;
}

export async function analyzeFixture(name: string, request: SampleTypeRequest = {}, extra: Partial<SymbolizeOptions> = {}): Promise<Analysis> {
  const prepared = await prepareFixture(name, extra);
  return analyzeProfile(prepared, chooseSampleType(prepared.profile, request));
}

export interface ReferenceRow {
  flat: number;
  cum: number;
  /** With nm's `<hex>` tags and `@@VERSION` suffixes removed. */
  name: string;
}

export interface ReferenceReport {
  total: number;
  rows: ReferenceRow[];
}

/** jeprof's disambiguation tags (`leaf_alloc<0000000000001199>`) and symbol versions. */
export function normalizeReferenceName(name: string): string {
  return name.replace(/<[0-9a-f]+>/g, "").replace(/@{1,2}[A-Za-z0-9_.]+$/, "").trim();
}

/** A saved `jeprof --text` / `google-pprof --text` report. */
export function readReferenceReport(fileName: string): ReferenceReport {
  const lines = readFileSync(join(PROFILE_FIXTURES_DIR, fileName), "utf8").split("\n");
  const total = /^Total: (\d+(?:\.\d+)?)/.exec(lines[0] ?? "");
  if (!total) throw new Error(`${fileName}: no Total line`);
  const rows: ReferenceRow[] = [];
  for (const line of lines.slice(1)) {
    const match = /^\s*(-?\d+(?:\.\d+)?)\s+\S+%\s+\S+%\s+(-?\d+(?:\.\d+)?)\s+\S+%\s+(.+)$/.exec(line);
    if (match) rows.push({ flat: Number(match[1]), cum: Number(match[2]), name: normalizeReferenceName(match[3] as string) });
  }
  return { total: Number(total[1]), rows };
}
