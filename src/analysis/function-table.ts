// Flat and cumulative value per function, as jeprof/pprof --text show them. Flat: the
// stack's leaf frame. Cum: every function on the stack, once per stack even when it
// recurses. Each row also names the line that carries most of the function's weight.
import type { FunctionRef, StackProfile } from "./stacks.js";

export interface FunctionRow {
  fn: FunctionRef;
  flat: number;
  cum: number;
  /** Line with the largest cumulative weight in this function, 0 when unknown. */
  line: number;
}

export function computeFunctionTable(profile: StackProfile): FunctionRow[] {
  const rows = new Map<string, FunctionRow>();
  /** Per row, the last stack that added to its cum: recursion counts once per stack. */
  const lastStack = new Map<FunctionRow, number>();
  const lineWeights = new Map<FunctionRow, Map<number, number>>();
  const rowFor = (fn: FunctionRef): FunctionRow => {
    let row = rows.get(fn.key);
    if (row === undefined) {
      rows.set(fn.key, (row = { fn, flat: 0, cum: 0, line: 0 }));
      lastStack.set(row, -1);
    }
    return row;
  };
  profile.stacks.forEach((stack, stackIndex) => {
    const leaf = stack.frames[0];
    if (leaf !== undefined) rowFor(leaf.fn).flat += stack.value;
    for (const frame of stack.frames) {
      const row = rowFor(frame.fn);
      if (frame.line !== 0) {
        let weights = lineWeights.get(row);
        if (weights === undefined) lineWeights.set(row, (weights = new Map()));
        weights.set(frame.line, (weights.get(frame.line) ?? 0) + stack.value);
      }
      if (lastStack.get(row) === stackIndex) continue;
      lastStack.set(row, stackIndex);
      row.cum += stack.value;
    }
  });
  for (const [row, weights] of lineWeights) {
    let best = -Infinity;
    for (const [line, weight] of weights) if (Math.abs(weight) > best) [best, row.line] = [Math.abs(weight), line];
  }
  return sortByFlat([...rows.values()]);
}

/** Largest flat first; ties by cum, then name (stable output for goldens). */
export function sortByFlat<T extends FunctionRow>(rows: T[]): T[] {
  return rows.sort((a, b) => b.flat - a.flat || b.cum - a.cum || compareNames(a.fn.name, b.fn.name));
}

export function sortByCum<T extends FunctionRow>(rows: T[]): T[] {
  return rows.sort((a, b) => b.cum - a.cum || b.flat - a.flat || compareNames(a.fn.name, b.fn.name));
}

const compareNames = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
