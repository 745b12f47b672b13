// The allocation sites saved with a baseline, so a later regression can name the sites
// that grew. Saved symbolized (function, file, object per frame), because the binary the
// baseline was measured on is gone by the time a gate compares against it: raw addresses
// would mean nothing. Compact JSON beside the baseline file:
//   { "schemaVersion": 1,
//     "functions": [[key, name, file, object], ...],
//     "profiles": { "<sample type>": { "unit": "bytes", "stacks": [[value, fn, line, fn, line, ...], ...] } } }
// Frames are leaf first; `fn` indexes `functions`. Sample types as in pprof: alloc_objects,
// alloc_space, inuse_space.
import { inputError } from "../core/errors.js";
import type { FunctionRef, StackFrame, StackProfile } from "../analysis/stacks.js";

export const SITE_SNAPSHOT_SCHEMA_VERSION = 1;
export const SITE_SNAPSHOT_FORMAT = "allocrun-sites";

interface EncodedProfile {
  unit: string;
  stacks: number[][];
}

export interface SiteSnapshot {
  schemaVersion: number;
  functions: Array<[string, string, string, string]>;
  profiles: Record<string, EncodedProfile>;
}

export function createSiteSnapshot(profiles: readonly StackProfile[]): SiteSnapshot {
  const functions: SiteSnapshot["functions"] = [];
  const indexByKey = new Map<string, number>();
  const indexOf = (fn: FunctionRef): number => {
    let index = indexByKey.get(fn.key);
    if (index === undefined) {
      index = functions.push([fn.key, fn.name, fn.file, fn.object]) - 1;
      indexByKey.set(fn.key, index);
    }
    return index;
  };
  const encoded: SiteSnapshot["profiles"] = {};
  for (const profile of profiles) {
    encoded[profile.sampleType.type] = {
      unit: profile.sampleType.unit,
      stacks: profile.stacks.map((stack) => [stack.value, ...stack.frames.flatMap((frame) => [indexOf(frame.fn), frame.line])]),
    };
  }
  return { schemaVersion: SITE_SNAPSHOT_SCHEMA_VERSION, functions, profiles: encoded };
}

/** The stacks of one sample type, or undefined when the snapshot did not save that type. */
export function readSnapshotStacks(text: string, file: string, sampleType: string): StackProfile | undefined {
  const malformed = (problem: string) => inputError(`${file}: ${problem}`, "record the baseline again with --update-baseline");
  let snapshot: SiteSnapshot;
  try {
    snapshot = JSON.parse(text) as SiteSnapshot;
  } catch (error) {
    throw inputError(`${file} is not valid JSON (${(error as Error).message})`, "record the baseline again with --update-baseline", error);
  }
  if (snapshot.schemaVersion !== SITE_SNAPSHOT_SCHEMA_VERSION || !Array.isArray(snapshot.functions) || typeof snapshot.profiles !== "object") {
    throw malformed(`not an allocation-site snapshot of schemaVersion ${SITE_SNAPSHOT_SCHEMA_VERSION}`);
  }
  const encoded = snapshot.profiles[sampleType];
  if (encoded === undefined) return undefined;
  const functions: FunctionRef[] = snapshot.functions.map(([key, name, file, object]) => ({ key, name, file, object }));
  let total = 0;
  const stacks = encoded.stacks.map((entry) => {
    const [value, ...pairs] = entry;
    if (typeof value !== "number" || pairs.length % 2 !== 0) throw malformed(`a ${sampleType} stack is malformed`);
    const frames: StackFrame[] = [];
    for (let i = 0; i < pairs.length; i += 2) {
      const fn = functions[pairs[i] as number];
      if (fn === undefined) throw malformed(`a ${sampleType} stack names function #${pairs[i]}, which is not in the table`);
      frames.push({ fn, line: pairs[i + 1] as number });
    }
    total += value;
    return { frames, value };
  });
  return { sampleType: { type: sampleType, unit: encoded.unit }, stacks, total };
}
