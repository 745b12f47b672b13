// Stacks in columns, the form the analyses walk: a million stacks of 14 frames are one
// Uint32Array of frame ids plus offsets and a Float64Array of values, not a million arrays
// of frame objects. Functions and frames (function + line) are numbered in the order the
// stacks first reach them (stack by stack, leaf first), so "first seen" ties resolve as
// they did over the object form. A StackProfile (object form: tests, site snapshots) is
// converted by asStackTable; every analysis accepts either.
import { basename } from "node:path";
import { grownTypedArray } from "../profile/address-table.js";
import type { Location, Profile, ValueType } from "../profile/model.js";
import { sampleView } from "../profile/sample-columns.js";
import type { FunctionRef, StackProfile } from "./stacks.js";

export interface StackTable {
  sampleType: ValueType;
  /** Every function some stack reaches, in first-reached order. */
  functions: FunctionRef[];
  /** Per distinct frame (function + line), in first-reached order: its function's index. */
  frameFunctions: number[];
  /** Per distinct frame: its source line, 0 when unknown. */
  frameLines: number[];
  /** The frame ids of every stack, leaf first, one stack after another. */
  stackFrames: Uint32Array;
  /** Stack s is stackFrames[stackStarts[s] .. stackStarts[s + 1]); stackCount + 1 entries. */
  stackStarts: Uint32Array;
  /** Value of each stack (never 0 when built from a profile). */
  values: Float64Array;
  stackCount: number;
  /** Sum of all values. */
  total: number;
}

/** Either form of a profile's stacks. */
export type Stacks = StackProfile | StackTable;

/** Numbers functions (by key) and frames (by function and line) as they are first reached. */
class FrameNumbering {
  readonly functions: FunctionRef[] = [];
  readonly frameFunctions: number[] = [];
  readonly frameLines: number[] = [];
  private readonly functionIndex = new Map<string, number>();
  private readonly frameIndex = new Map<string, number>();

  /** The index of the function with this key; `make` builds its ref when it is new. */
  functionOf(key: string, make: () => FunctionRef): number {
    let index = this.functionIndex.get(key);
    if (index === undefined) {
      index = this.functions.length;
      this.functionIndex.set(key, index);
      this.functions.push(make());
    }
    return index;
  }

  frameOf(functionIndex: number, line: number): number {
    const key = `${functionIndex}:${line}`;
    let frame = this.frameIndex.get(key);
    if (frame === undefined) {
      frame = this.frameFunctions.length;
      this.frameIndex.set(key, frame);
      this.frameFunctions.push(functionIndex);
      this.frameLines.push(line);
    }
    return frame;
  }

  table(sampleType: ValueType, stackFrames: Uint32Array, stackStarts: Uint32Array, values: Float64Array, stackCount: number): StackTable {
    let total = 0;
    for (let s = 0; s < stackCount; s++) total += values[s] as number;
    const { functions, frameFunctions, frameLines } = this;
    return { sampleType, functions, frameFunctions, frameLines, stackFrames, stackStarts, values, stackCount, total };
  }
}

const hex = (address: number) => `0x${address.toString(16)}`;

/**
 * The stacks of one sample type of a symbolized profile (inlined frames expanded, leaf
 * first); samples whose value is 0 are left out. Functions are identified by name, file
 * and object.
 */
export function extractStackTable(profile: Profile, sampleType: string): StackTable {
  const column = profile.sampleTypes.findIndex((type) => type.type === sampleType);
  if (column === -1) throw new Error(`sample type ${sampleType} not in profile`);
  const functions = new Map(profile.functions.map((fn) => [fn.id, fn]));
  const objects = new Map(profile.mappings.map((mapping) => [mapping.id, basename(mapping.file)]));
  // Indexed by location id (small dense integers): an array lookup per frame, not a Map's.
  const locations: (Location | undefined)[] = [];
  for (const location of profile.locations) locations[location.id] = location;
  const numbering = new FrameNumbering();
  const functionOf = (name: string, file: string, object: string) => {
    const key = `${name}\u0000${file}\u0000${object}`;
    return numbering.functionOf(key, () => ({ key, name, file, object }));
  };
  // Frame ids per location id, numbered when a kept stack first reaches the location; a
  // location of one frame (no inlining: most) also has it in `singleFrame`, the fast path.
  const framesOfLocation: (number[] | undefined)[] = [];
  const singleFrame = new Int32Array(locations.length).fill(-1);
  const framesOf = (locationId: number): number[] => {
    let frames = framesOfLocation[locationId];
    if (frames !== undefined) return frames;
    const location = locations[locationId];
    if (location === undefined) frames = [];
    else {
      const object = objects.get(location.mappingId) ?? "";
      frames =
        location.lines.length === 0
          ? [numbering.frameOf(functionOf(hex(location.address), "", object), 0)]
          : location.lines.map((line) => {
              const fn = functions.get(line.functionId);
              return numbering.frameOf(functionOf(fn?.name ?? hex(location.address), fn?.filename ?? "", object), line.line);
            });
    }
    framesOfLocation[locationId] = frames;
    if (frames.length === 1) singleFrame[locationId] = frames[0] as number;
    return frames;
  };
  const samples = sampleView(profile, column);
  let stackCount = 0;
  let locationCount = 0;
  for (let k = 0; k < samples.count; k++) {
    if (samples.value(k) === 0) continue;
    stackCount++;
    locationCount += samples.end(k) - samples.start(k);
  }
  // Sized for one frame per location; grown only when inlined frames need more.
  let stackFrames: Uint32Array = new Uint32Array(locationCount);
  const stackStarts = new Uint32Array(stackCount + 1);
  const values = new Float64Array(stackCount);
  let s = 0;
  let next = 0;
  for (let k = 0; k < samples.count; k++) {
    const value = samples.value(k);
    if (value === 0) continue;
    const ids = samples.locationIds(k);
    for (let i = samples.start(k), end = samples.end(k); i < end; i++) {
      const id = ids[i] as number;
      const single = singleFrame[id] ?? -1;
      if (single !== -1 && next < stackFrames.length) {
        stackFrames[next++] = single;
        continue;
      }
      const frames = framesOf(id);
      if (next + frames.length > stackFrames.length) stackFrames = grownTypedArray(stackFrames, Math.max(next + frames.length, 2 * stackFrames.length));
      for (const frame of frames) stackFrames[next++] = frame;
    }
    values[s] = value;
    stackStarts[++s] = next;
  }
  return numbering.table(profile.sampleTypes[column] as ValueType, stackFrames.subarray(0, next), stackStarts, values, stackCount);
}

/** The columnar form of either form (a table is returned as it is). */
export function asStackTable(stacks: Stacks): StackTable {
  if ("stackStarts" in stacks) return stacks;
  const numbering = new FrameNumbering();
  let frameTotal = 0;
  for (const stack of stacks.stacks) frameTotal += stack.frames.length;
  const stackFrames = new Uint32Array(frameTotal);
  const stackStarts = new Uint32Array(stacks.stacks.length + 1);
  const values = new Float64Array(stacks.stacks.length);
  let next = 0;
  stacks.stacks.forEach((stack, s) => {
    for (const { fn, line } of stack.frames) stackFrames[next++] = numbering.frameOf(numbering.functionOf(fn.key, () => fn), line);
    values[s] = stack.value;
    stackStarts[s + 1] = next;
  });
  const table = numbering.table(stacks.sampleType, stackFrames, stackStarts, values, stacks.stacks.length);
  // The object form states its total (tests give round figures); keep it.
  table.total = stacks.total;
  return table;
}

/** The function index of frame `i` of stack `s` (0 = leaf). */
export function functionAt(table: StackTable, s: number, i: number): number {
  return table.frameFunctions[table.stackFrames[(table.stackStarts[s] as number) + i] as number] as number;
}

/** The stacks of `first` then those of `second` with their values times `secondSign` (a diff's NEW − OLD). */
export function joinStackTables(first: StackTable, second: StackTable, secondSign: 1 | -1): StackTable {
  const numbering = new FrameNumbering();
  // Each table numbers its frames in first-reached order, so renumbering them in id order
  // keeps the joined table's order first-reached too.
  const renumber = (table: StackTable) =>
    table.frameFunctions.map((fn, frame) => {
      const ref = table.functions[fn] as FunctionRef;
      return numbering.frameOf(numbering.functionOf(ref.key, () => ref), table.frameLines[frame] as number);
    });
  const firstFrames = renumber(first);
  const secondFrames = renumber(second);
  const frameTotal = first.stackFrames.length + second.stackFrames.length;
  const stackFrames = new Uint32Array(frameTotal);
  first.stackFrames.forEach((frame, i) => (stackFrames[i] = firstFrames[frame] as number));
  second.stackFrames.forEach((frame, i) => (stackFrames[first.stackFrames.length + i] = secondFrames[frame] as number));
  const stackCount = first.stackCount + second.stackCount;
  const stackStarts = new Uint32Array(stackCount + 1);
  stackStarts.set(first.stackStarts.subarray(0, first.stackCount + 1));
  for (let s = 1; s <= second.stackCount; s++) stackStarts[first.stackCount + s] = (second.stackStarts[s] as number) + first.stackFrames.length;
  const values = new Float64Array(stackCount);
  values.set(first.values.subarray(0, first.stackCount));
  for (let s = 0; s < second.stackCount; s++) values[first.stackCount + s] = (second.values[s] as number) * secondSign;
  const table = numbering.table(first.sampleType, stackFrames, stackStarts, values, stackCount);
  table.total = first.total + secondSign * second.total;
  return table;
}

/**
 * One numbering of the functions of several tables (by `identity`, the key by default):
 * `ids[t][f]` is the shared id of function f of table t, `refs[id]` its first ref.
 */
export function shareFunctionIds(tables: readonly StackTable[], identity: (fn: FunctionRef) => string = (fn) => fn.key): { ids: number[][]; refs: FunctionRef[] } {
  const byIdentity = new Map<string, number>();
  const refs: FunctionRef[] = [];
  const ids = tables.map((table) =>
    table.functions.map((fn) => {
      const name = identity(fn);
      let id = byIdentity.get(name);
      if (id === undefined) byIdentity.set(name, (id = refs.push(fn) - 1));
      return id;
    }),
  );
  return { ids, refs };
}
