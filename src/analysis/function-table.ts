// Flat and cumulative value per function, as jeprof/pprof --text show them. Flat: the
// stack's leaf frame. Cum: every function on the stack, once per stack even when it
// recurses. Each row also names the line that carries most of the function's weight.
import { asStackTable, type Stacks } from "./stack-table.js";
import type { FunctionRef } from "./stacks.js";

export interface FunctionRow {
  fn: FunctionRef;
  flat: number;
  cum: number;
  /** Line with the largest cumulative weight in this function, 0 when unknown. */
  line: number;
}

export function computeFunctionTable(stacks: Stacks): FunctionRow[] {
  // One pass over the frame columns; tallies are typed arrays indexed by function or frame.
  const table = asStackTable(stacks);
  const { functions, frameFunctions, frameLines, stackFrames, stackStarts, values } = table;
  const flat = new Float64Array(functions.length);
  const cum = new Float64Array(functions.length);
  /** The last stack that added to a function's cum: recursion counts once per stack. */
  const lastStack = new Int32Array(functions.length).fill(-1);
  const lineWeights = new Float64Array(frameFunctions.length);
  for (let s = 0; s < table.stackCount; s++) {
    const value = values[s] as number;
    const start = stackStarts[s] as number;
    const end = stackStarts[s + 1] as number;
    if (end > start) {
      const leaf = frameFunctions[stackFrames[start] as number] as number;
      flat[leaf] = (flat[leaf] as number) + value;
    }
    for (let i = start; i < end; i++) {
      const frame = stackFrames[i] as number;
      const fn = frameFunctions[frame] as number;
      lineWeights[frame] = (lineWeights[frame] as number) + value;
      if (lastStack[fn] === s) continue;
      lastStack[fn] = s;
      cum[fn] = (cum[fn] as number) + value;
    }
  }
  const rows = functions.map((fn, index): FunctionRow => ({ fn, flat: flat[index] as number, cum: cum[index] as number, line: 0 }));
  // The line carrying most weight; frames are numbered in first-reached order, so the
  // first line reached wins a tie.
  const best = new Float64Array(functions.length).fill(-Infinity);
  for (let frame = 0; frame < frameFunctions.length; frame++) {
    const line = frameLines[frame] as number;
    if (line === 0) continue;
    const fn = frameFunctions[frame] as number;
    const weight = Math.abs(lineWeights[frame] as number);
    if (weight > (best[fn] as number)) {
      best[fn] = weight;
      (rows[fn] as FunctionRow).line = line;
    }
  }
  return sortByFlat(rows);
}

/** Largest flat first; ties by cum, then name (stable output for goldens). */
export function sortByFlat<T extends FunctionRow>(rows: T[]): T[] {
  return rows.sort((a, b) => b.flat - a.flat || b.cum - a.cum || compareNames(a.fn.name, b.fn.name));
}

export function sortByCum<T extends FunctionRow>(rows: T[]): T[] {
  return rows.sort((a, b) => b.cum - a.cum || b.flat - a.flat || compareNames(a.fn.name, b.fn.name));
}

const compareNames = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
