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
  // One tally per function holds its row and its bookkeeping, so a frame costs one lookup.
  const tallies = new Map<string, Tally>();
  const tallyFor = (fn: FunctionRef): Tally => {
    let tally = tallies.get(fn.key);
    if (tally === undefined) tallies.set(fn.key, (tally = { row: { fn, flat: 0, cum: 0, line: 0 }, lastStack: -1, lineWeights: undefined }));
    return tally;
  };
  const { stacks } = profile;
  for (let stackIndex = 0; stackIndex < stacks.length; stackIndex++) {
    const stack = stacks[stackIndex] as (typeof stacks)[number];
    const leaf = stack.frames[0];
    if (leaf !== undefined) tallyFor(leaf.fn).row.flat += stack.value;
    for (const frame of stack.frames) {
      const tally = tallyFor(frame.fn);
      if (frame.line !== 0) {
        tally.lineWeights ??= new Map();
        tally.lineWeights.set(frame.line, (tally.lineWeights.get(frame.line) ?? 0) + stack.value);
      }
      // Recursion counts once per stack.
      if (tally.lastStack === stackIndex) continue;
      tally.lastStack = stackIndex;
      tally.row.cum += stack.value;
    }
  }
  const rows: FunctionRow[] = [];
  for (const { row, lineWeights } of tallies.values()) {
    rows.push(row);
    if (lineWeights === undefined) continue;
    let best = -Infinity;
    for (const [line, weight] of lineWeights) if (Math.abs(weight) > best) [best, row.line] = [Math.abs(weight), line];
  }
  return sortByFlat(rows);
}

interface Tally {
  row: FunctionRow;
  /** The last stack that added to the row's cum. */
  lastStack: number;
  lineWeights: Map<number, number> | undefined;
}

/** Largest flat first; ties by cum, then name (stable output for goldens). */
export function sortByFlat<T extends FunctionRow>(rows: T[]): T[] {
  return rows.sort((a, b) => b.flat - a.flat || b.cum - a.cum || compareNames(a.fn.name, b.fn.name));
}

export function sortByCum<T extends FunctionRow>(rows: T[]): T[] {
  return rows.sort((a, b) => b.cum - a.cum || b.flat - a.flat || compareNames(a.fn.name, b.fn.name));
}

const compareNames = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
