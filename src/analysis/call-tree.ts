// The call tree behind flame graphs: root first, one node per distinct path, each with its
// value (and, for a differential graph, the base profile's value on the same path).
import type { FunctionRef, StackProfile } from "./stacks.js";

export interface CallTreeNode {
  /** undefined for the root. */
  fn: FunctionRef | undefined;
  value: number;
  /** Value in the base profile (differential trees only). */
  baseValue: number;
  children: Map<string, CallTreeNode>;
}

const newNode = (fn: FunctionRef | undefined): CallTreeNode => ({ fn, value: 0, baseValue: 0, children: new Map() });

function addStacks(root: CallTreeNode, profile: StackProfile, field: "value" | "baseValue"): void {
  for (const stack of profile.stacks) {
    let node = root;
    node[field] += stack.value;
    for (let i = stack.frames.length - 1; i >= 0; i--) {
      const fn = (stack.frames[i] as { fn: FunctionRef }).fn;
      let child = node.children.get(fn.key);
      if (child === undefined) node.children.set(fn.key, (child = newNode(fn)));
      child[field] += stack.value;
      node = child;
    }
  }
}

/** Tree of `profile`; with `base`, every node also carries the base value of its path. */
export function buildCallTree(profile: StackProfile, base?: StackProfile): CallTreeNode {
  const root = newNode(undefined);
  addStacks(root, profile, "value");
  if (base !== undefined) addStacks(root, base, "baseValue");
  return root;
}

/** Children sorted by name: flame graphs order siblings alphabetically, like flamegraph.pl. */
export function sortedChildren(node: CallTreeNode): CallTreeNode[] {
  return [...node.children.values()].sort((a, b) => ((a.fn?.name ?? "") < (b.fn?.name ?? "") ? -1 : (a.fn?.name ?? "") > (b.fn?.name ?? "") ? 1 : 0));
}
