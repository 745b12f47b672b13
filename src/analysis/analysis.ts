// The result every report renders: one profile (optionally against a base) reduced to the
// chosen sample type, its stacks, the per-function table, and the objects that lacked
// symbols. Pure: takes symbolized profiles, returns data.
import type { Profile, ProfileFormat, ValueType } from "../profile/model.js";
import type { UnsymbolizedObject } from "../symbolize/unsymbolized-hints.js";
import { diffProfiles, type ProfileDiff } from "./diff.js";
import { computeFunctionTable, type FunctionRow } from "./function-table.js";
import { countDumpsBeforeFreeing, rankGrowth, type GrowthRow } from "./growth.js";
import { extractStackTable, type StackTable } from "./stack-table.js";
import { isUnnamedFunction } from "./stacks.js";

/** A symbolized profile with allocator frames dropped, and where it came from. */
export interface PreparedProfile {
  source: string;
  profile: Profile;
  unsymbolizedObjects: UnsymbolizedObject[];
}

export interface Analysis {
  source: string;
  format: ProfileFormat;
  sampleType: ValueType;
  total: number;
  stacks: StackTable;
  /** Every function, largest flat first. */
  rows: FunctionRow[];
  /** Only objects whose unnamed frames appear in the analysed stacks. */
  unsymbolizedObjects: UnsymbolizedObject[];
  base?: { source: string; stacks: StackTable; diff: ProfileDiff };
}

export interface GrowthAnalysis {
  sources: string[];
  format: ProfileFormat;
  sampleType: ValueType;
  /** Total of each dump. */
  totals: number[];
  /** Trailing dumps left out of the ranking: the program had freed its heap (see countDumpsBeforeFreeing). */
  ignoredSources: string[];
  /** Whether rows carry slopePerSecond. */
  perSecond: boolean;
  rows: GrowthRow[];
  unsymbolizedObjects: UnsymbolizedObject[];
}

export function analyzeProfile(prepared: PreparedProfile, sampleType: string, base?: PreparedProfile): Analysis {
  const stacks = extractStackTable(prepared.profile, sampleType);
  const analysis: Analysis = {
    source: prepared.source,
    format: prepared.profile.format,
    sampleType: stacks.sampleType,
    total: stacks.total,
    stacks,
    rows: computeFunctionTable(stacks),
    unsymbolizedObjects: objectsSeenIn(stacks, prepared.unsymbolizedObjects),
  };
  if (base !== undefined) {
    const baseStacks = extractStackTable(base.profile, sampleType);
    analysis.base = { source: base.source, stacks: baseStacks, diff: diffProfiles(stacks, baseStacks) };
    analysis.unsymbolizedObjects = mergeObjects(analysis.unsymbolizedObjects, objectsSeenIn(baseStacks, base.unsymbolizedObjects));
  }
  return analysis;
}

/** Growth across dumps given in time order; `seconds`, when known, adds growth per second. */
export function analyzeGrowth(series: readonly PreparedProfile[], sampleType: string, seconds?: readonly number[]): GrowthAnalysis {
  const stacks = series.map((prepared) => extractStackTable(prepared.profile, sampleType));
  const ranked = countDumpsBeforeFreeing(stacks.map((profile) => profile.total));
  const first = series[0] as PreparedProfile;
  let unsymbolized: UnsymbolizedObject[] = [];
  series.forEach((prepared, index) => {
    unsymbolized = mergeObjects(unsymbolized, objectsSeenIn(stacks[index] as StackTable, prepared.unsymbolizedObjects));
  });
  return {
    sources: series.map((prepared) => prepared.source),
    format: first.profile.format,
    sampleType: (stacks[0] as StackTable).sampleType,
    totals: stacks.map((profile) => profile.total),
    ignoredSources: series.slice(ranked).map((prepared) => prepared.source),
    perSecond: seconds !== undefined,
    rows: rankGrowth(stacks.slice(0, ranked), seconds?.slice(0, ranked)),
    unsymbolizedObjects: unsymbolized,
  };
}

/** The objects whose unnamed functions the stacks reach (a table lists only functions its stacks reach). */
function objectsSeenIn(stacks: StackTable, objects: UnsymbolizedObject[]): UnsymbolizedObject[] {
  const unnamed = new Set(stacks.functions.filter(isUnnamedFunction).map((fn) => fn.object));
  return objects.filter((object) => unnamed.has(object.path.slice(object.path.lastIndexOf("/") + 1)));
}

function mergeObjects(a: UnsymbolizedObject[], b: UnsymbolizedObject[]): UnsymbolizedObject[] {
  const byPath = new Map(a.map((object) => [object.path, object]));
  for (const object of b) {
    const known = byPath.get(object.path);
    byPath.set(object.path, known === undefined ? object : { ...known, addresses: Math.max(known.addresses, object.addresses) });
  }
  return [...byPath.values()].sort((x, y) => (x.path < y.path ? -1 : 1));
}
