// Who called an allocating function: the heaviest chain of callers of each leaf, so the
// top table shows `leaf_alloc ← mid_alloc ← leak_big` without opening a flame graph (what
// jeprof and pprof show with --cum / peek). Pure.
import type { FunctionRef, StackProfile } from "../analysis/stacks.js";

export interface CallerChain {
  /** Nearest caller first. */
  callers: FunctionRef[];
  /** The chain's share of the function's flat value, 0–1. */
  share: number;
}

/**
 * For each function that is a leaf somewhere, the caller chain (up to `depth` callers,
 * recursion folded) that carries most of its flat value.
 */
export function findHeaviestCallers(profile: StackProfile, depth = 2): Map<string, CallerChain> {
  const byLeaf = new Map<string, { flat: number; chains: Map<string, { callers: FunctionRef[]; value: number }> }>();
  for (const stack of profile.stacks) {
    const leaf = stack.frames[0];
    if (leaf === undefined || stack.value === 0) continue;
    const callers: FunctionRef[] = [];
    for (let i = 1; i < stack.frames.length && callers.length < depth; i++) {
      const fn = (stack.frames[i] as { fn: FunctionRef }).fn;
      const previous = callers[callers.length - 1] ?? leaf.fn;
      if (fn.key !== previous.key) callers.push(fn);
    }
    let entry = byLeaf.get(leaf.fn.key);
    if (entry === undefined) byLeaf.set(leaf.fn.key, (entry = { flat: 0, chains: new Map() }));
    entry.flat += stack.value;
    const key = callers.map((fn) => fn.key).join("\u0001");
    const chain = entry.chains.get(key);
    if (chain === undefined) entry.chains.set(key, { callers, value: stack.value });
    else chain.value += stack.value;
  }
  const heaviest = new Map<string, CallerChain>();
  for (const [key, entry] of byLeaf) {
    let best: { callers: FunctionRef[]; value: number } | undefined;
    for (const chain of entry.chains.values()) if (best === undefined || chain.value > best.value) best = chain;
    if (best !== undefined && best.callers.length > 0) heaviest.set(key, { callers: best.callers, share: entry.flat === 0 ? 0 : best.value / entry.flat });
  }
  return heaviest;
}

/** "← mid_alloc ← leak_big", with the share when other callers hold a part: "← main (62%)". */
export function formatCallerChain(chain: CallerChain | undefined): string {
  if (chain === undefined) return "";
  const names = chain.callers.map((fn) => `← ${fn.name}`).join(" ");
  return chain.share < 0.995 ? `${names} (${Math.round(chain.share * 100)}%)` : names;
}
