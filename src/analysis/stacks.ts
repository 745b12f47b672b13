// A symbolized profile's stacks in object form: for one sample type, each sample's stack
// as a list of source-level frames (inlined frames expanded, leaf first) with its value.
// Functions are identified by name + file + object. The analyses walk the columnar form
// (stack-table.ts); this one is for small, readable uses (site snapshots, tests).
import type { Profile, ValueType } from "../profile/model.js";
import { extractStackTable } from "./stack-table.js";

export interface FunctionRef {
  /** Stable identity across profiles: name, file and object joined. */
  key: string;
  name: string;
  /** Source file, "" when unknown. */
  file: string;
  /** Basename of the mapped object, "" when unknown. */
  object: string;
}

export interface StackFrame {
  fn: FunctionRef;
  /** Source line, 0 when unknown. */
  line: number;
}

export interface Stack {
  /** Leaf first. */
  frames: StackFrame[];
  value: number;
}

export interface StackProfile {
  sampleType: ValueType;
  stacks: Stack[];
  /** Sum of all values. */
  total: number;
}

/** A function named after its object and address ("libfoo.so+0x1a2b"): its object had no symbol for it. */
export function isUnnamedFunction(fn: FunctionRef): boolean {
  return fn.name.startsWith(`${fn.object}+0x`);
}

/** Stacks of one sample type in the object form (site snapshots); samples whose value is 0 are left out. */
export function extractStacks(profile: Profile, sampleType: string): StackProfile {
  const table = extractStackTable(profile, sampleType);
  // One frame object per distinct frame, shared by the stacks that hold it.
  const frames = table.frameFunctions.map((fn, frame): StackFrame => ({ fn: table.functions[fn] as FunctionRef, line: table.frameLines[frame] as number }));
  const stacks = Array.from({ length: table.stackCount }, (_, s): Stack => {
    const ids = table.stackFrames.subarray(table.stackStarts[s], table.stackStarts[s + 1]);
    return { frames: Array.from(ids, (frame) => frames[frame] as StackFrame), value: table.values[s] as number };
  });
  return { sampleType: table.sampleType, stacks, total: table.total };
}
