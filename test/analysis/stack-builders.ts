// Compact StackProfiles for analysis tests: stacks written root first, as people read them.
import type { FunctionRef, StackProfile } from "../../src/analysis/stacks.js";

const refs = new Map<string, FunctionRef>();

export function fnRef(name: string): FunctionRef {
  let ref = refs.get(name);
  if (ref === undefined) refs.set(name, (ref = { key: `${name}\u0000\u0000prog`, name, file: "", object: "prog" }));
  return ref;
}

/** `[["main", "a", "leaf"], 10]`: a stack main → a → leaf with value 10. */
export function stackProfile(entries: [string[], number][], type = "inuse_space", unit = "bytes"): StackProfile {
  const stacks = entries.map(([rootFirst, value]) => ({ frames: [...rootFirst].reverse().map((name) => ({ fn: fnRef(name), line: 0 })), value }));
  return { sampleType: { type, unit }, stacks, total: entries.reduce((sum, [, value]) => sum + value, 0) };
}
