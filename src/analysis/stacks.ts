// A symbolized profile flattened into what every analysis needs: for one sample type, each
// sample's stack as a list of source-level frames (inlined frames expanded, leaf first)
// with its value. Functions are identified by name + file + object.
import { basename } from "node:path";
import type { Profile, ValueType } from "../profile/model.js";

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

const hex = (address: number) => `0x${address.toString(16)}`;

/** Stacks of one sample type; samples whose value is 0 are left out. */
export function extractStacks(profile: Profile, sampleType: string): StackProfile {
  const index = profile.sampleTypes.findIndex((type) => type.type === sampleType);
  if (index === -1) throw new Error(`sample type ${sampleType} not in profile`);
  const functions = new Map(profile.functions.map((fn) => [fn.id, fn]));
  const objects = new Map(profile.mappings.map((mapping) => [mapping.id, basename(mapping.file)]));
  const refs = new Map<string, FunctionRef>();
  const refFor = (name: string, file: string, object: string): FunctionRef => {
    const key = `${name}\u0000${file}\u0000${object}`;
    let ref = refs.get(key);
    if (ref === undefined) refs.set(key, (ref = { key, name, file, object }));
    return ref;
  };
  // Indexed by location id (small dense integers): an array lookup per frame, not a Map's.
  const framesByLocation: (StackFrame[] | undefined)[] = [];
  for (const location of profile.locations) {
    const object = objects.get(location.mappingId) ?? "";
    const frames: StackFrame[] =
      location.lines.length === 0
        ? [{ fn: refFor(hex(location.address), "", object), line: 0 }]
        : location.lines.map((line) => {
            const fn = functions.get(line.functionId);
            return { fn: refFor(fn?.name ?? hex(location.address), fn?.filename ?? "", object), line: line.line };
          });
    framesByLocation[location.id] = frames;
  }
  const stacks: Stack[] = [];
  let total = 0;
  for (const sample of profile.samples) {
    const value = sample.values[index] ?? 0;
    if (value === 0) continue;
    // Counted first so each stack's array is allocated at its exact size: a million
    // stacks grown by push would reserve a third more slots than they use.
    let length = 0;
    for (const locationId of sample.locationIds) length += framesByLocation[locationId]?.length ?? 0;
    const frames = new Array<StackFrame>(length);
    let next = 0;
    for (const locationId of sample.locationIds) {
      const expanded = framesByLocation[locationId];
      if (expanded === undefined) continue;
      for (const frame of expanded) frames[next++] = frame;
    }
    stacks.push({ frames, value });
    total += value;
  }
  return { sampleType: profile.sampleTypes[index] as ValueType, stacks, total };
}
