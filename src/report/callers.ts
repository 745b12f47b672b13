// Who called an allocating function: the heaviest chain of callers of each leaf, so the
// top table shows `leaf_alloc ← mid_alloc ← leak_big` without opening a flame graph (what
// jeprof and pprof show with --cum / peek). Pure.
import { asStackTable, type Stacks } from "../analysis/stack-table.js";
import type { FunctionRef } from "../analysis/stacks.js";
import { grownTypedArray, mixHash, SequenceIndex } from "../profile/address-table.js";

export interface CallerChain {
  /** Nearest caller first. */
  callers: FunctionRef[];
  /** The chain's share of the function's flat value, 0–1. */
  share: number;
}

/**
 * For each function that is a leaf somewhere, the caller chain (up to `depth` callers,
 * recursion folded) that carries most of its flat value. `onlyFor` (function keys) limits
 * the work to the functions a report shows: a table of 10 rows need not hash the chains of
 * 100k stacks whose leaves it never prints.
 */
export function findHeaviestCallers(stacks: Stacks, depth = 2, onlyFor?: ReadonlySet<string>): Map<string, CallerChain> {
  // Each distinct (leaf, callers...) chain is a row of `chainFunctions` (depth + 2 slots:
  // leaf, caller count, callers), found through a hash index: no object or string per stack.
  // Rows are numbered in first-seen order, so ties resolve to the chain seen first.
  const table = asStackTable(stacks);
  const { functions, frameFunctions, stackFrames, stackStarts, values } = table;
  const width = depth + 2;
  let chainFunctions = new Int32Array(1024 * width);
  let chainValues = new Float64Array(1024);
  let chainCount = 0;
  const index = new SequenceIndex();
  const current = new Int32Array(width);
  const isCurrent = (chain: number) => {
    for (let k = 0; k < width; k++) if (chainFunctions[chain * width + k] !== current[k]) return false;
    return true;
  };
  const flat = new Float64Array(functions.length);
  const wanted = onlyFor === undefined ? undefined : Uint8Array.from(functions, (fn) => (onlyFor.has(fn.key) ? 1 : 0));
  for (let s = 0; s < table.stackCount; s++) {
    const value = values[s] as number;
    const start = stackStarts[s] as number;
    const end = stackStarts[s + 1] as number;
    if (start === end || value === 0) continue;
    const leaf = frameFunctions[stackFrames[start] as number] as number;
    if (wanted !== undefined && wanted[leaf] === 0) continue;
    current[0] = leaf;
    for (let k = 2; k < width; k++) current[k] = -1;
    let count = 0;
    for (let i = start + 1; i < end && count < depth; i++) {
      const fn = frameFunctions[stackFrames[i] as number] as number;
      if (fn !== current[count === 0 ? 0 : count + 1]) current[2 + count++] = fn;
    }
    current[1] = count;
    flat[leaf] = (flat[leaf] as number) + value;
    let hash = 0x811c9dc5;
    for (let k = 0; k < width; k++) hash = Math.imul(hash ^ (current[k] as number), 0x01000193);
    hash = mixHash(hash);
    const found = index.find(hash, isCurrent);
    if (found >= 0) {
      chainValues[found] = (chainValues[found] as number) + value;
      continue;
    }
    if (chainCount === chainValues.length) {
      chainFunctions = grownTypedArray(chainFunctions, chainFunctions.length * 2);
      chainValues = grownTypedArray(chainValues, chainValues.length * 2);
    }
    chainFunctions.set(current, chainCount * width);
    chainValues[chainCount] = value;
    index.add(hash, chainCount++);
  }
  const best = new Int32Array(functions.length).fill(-1);
  for (let chain = 0; chain < chainCount; chain++) {
    const leaf = chainFunctions[chain * width] as number;
    const known = best[leaf] as number;
    if (known === -1 || (chainValues[chain] as number) > (chainValues[known] as number)) best[leaf] = chain;
  }
  const heaviest = new Map<string, CallerChain>();
  best.forEach((chain, leaf) => {
    const count = chain === -1 ? 0 : (chainFunctions[chain * width + 1] as number);
    if (count === 0) return;
    const callers = Array.from(chainFunctions.subarray(chain * width + 2, chain * width + 2 + count), (fn) => functions[fn] as FunctionRef);
    const leafFlat = flat[leaf] as number;
    heaviest.set((functions[leaf] as FunctionRef).key, { callers, share: leafFlat === 0 ? 0 : (chainValues[chain] as number) / leafFlat });
  });
  return heaviest;
}

/** "← mid_alloc ← leak_big", with the share when other callers hold a part: "← main (62%)". */
export function formatCallerChain(chain: CallerChain | undefined): string {
  if (chain === undefined) return "";
  const names = chain.callers.map((fn) => `← ${fn.name}`).join(" ");
  return chain.share < 0.995 ? `${names} (${Math.round(chain.share * 100)}%)` : names;
}
