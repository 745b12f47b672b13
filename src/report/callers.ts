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
  // Chains are found through a trie of canonical FunctionRefs (one per key) rather than a
  // string joined per stack: at a million stacks those strings were most of the cost.
  // `chains` keeps first-seen order, so ties resolve as before.
  const byLeaf = new Map<FunctionRef, LeafEntry>();
  const canonicalRefs = new Map<string, FunctionRef>();
  const canonical = (fn: FunctionRef): FunctionRef => {
    const known = canonicalRefs.get(fn.key);
    if (known !== undefined) return known;
    canonicalRefs.set(fn.key, fn);
    return fn;
  };
  const scratch = new Array<FunctionRef>(depth);
  for (const stack of profile.stacks) {
    const leaf = stack.frames[0];
    if (leaf === undefined || stack.value === 0) continue;
    const leafFn = canonical(leaf.fn);
    let count = 0;
    for (let i = 1; i < stack.frames.length && count < depth; i++) {
      const fn = canonical((stack.frames[i] as { fn: FunctionRef }).fn);
      if (fn !== (count === 0 ? leafFn : scratch[count - 1])) scratch[count++] = fn;
    }
    let entry = byLeaf.get(leafFn);
    if (entry === undefined) byLeaf.set(leafFn, (entry = { flat: 0, root: { children: undefined, chain: undefined }, chains: [] }));
    entry.flat += stack.value;
    let node = entry.root;
    for (let c = 0; c < count; c++) {
      const fn = scratch[c] as FunctionRef;
      node.children ??= new Map();
      let child = node.children.get(fn);
      if (child === undefined) node.children.set(fn, (child = { children: undefined, chain: undefined }));
      node = child;
    }
    if (node.chain === undefined) entry.chains.push((node.chain = { callers: scratch.slice(0, count), value: stack.value }));
    else node.chain.value += stack.value;
  }
  const heaviest = new Map<string, CallerChain>();
  for (const [leaf, entry] of byLeaf) {
    let best: ChainValue | undefined;
    for (const chain of entry.chains) if (best === undefined || chain.value > best.value) best = chain;
    if (best !== undefined && best.callers.length > 0) heaviest.set(leaf.key, { callers: best.callers, share: entry.flat === 0 ? 0 : best.value / entry.flat });
  }
  return heaviest;
}

interface ChainValue {
  callers: FunctionRef[];
  value: number;
}

interface ChainNode {
  children: Map<FunctionRef, ChainNode> | undefined;
  chain: ChainValue | undefined;
}

interface LeafEntry {
  flat: number;
  root: ChainNode;
  chains: ChainValue[];
}

/** "← mid_alloc ← leak_big", with the share when other callers hold a part: "← main (62%)". */
export function formatCallerChain(chain: CallerChain | undefined): string {
  if (chain === undefined) return "";
  const names = chain.callers.map((fn) => `← ${fn.name}`).join(" ");
  return chain.share < 0.995 ? `${names} (${Math.round(chain.share * 100)}%)` : names;
}
