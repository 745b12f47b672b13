// The call tree behind flame graphs: root first, one node per distinct path, each with its
// value (and, for a differential graph, the base profile's value on the same path).
import { asStackTable, type Stacks } from "./stack-table.js";
import type { FunctionRef } from "./stacks.js";

export interface CallTreeNode {
  /** undefined for the root. */
  fn: FunctionRef | undefined;
  value: number;
  /** Value in the base profile (differential trees only). */
  baseValue: number;
  children: Map<string, CallTreeNode>;
}

const newNode = (fn: FunctionRef | undefined): CallTreeNode => ({ fn, value: 0, baseValue: 0, children: new Map() });

function addStacks(root: CallTreeNode, stacks: Stacks, field: "value" | "baseValue"): void {
  const { functions, frameFunctions, stackFrames, stackStarts, values, stackCount } = asStackTable(stacks);
  for (let s = 0; s < stackCount; s++) {
    const value = values[s] as number;
    let node = root;
    node[field] += value;
    for (let i = (stackStarts[s + 1] as number) - 1; i >= (stackStarts[s] as number); i--) {
      const fn = functions[frameFunctions[stackFrames[i] as number] as number] as FunctionRef;
      let child = node.children.get(fn.key);
      if (child === undefined) node.children.set(fn.key, (child = newNode(fn)));
      child[field] += value;
      node = child;
    }
  }
}

/** Tree of `profile`; with `base`, every node also carries the base value of its path. */
export function buildCallTree(profile: Stacks, base?: Stacks): CallTreeNode {
  const root = newNode(undefined);
  addStacks(root, profile, "value");
  if (base !== undefined) addStacks(root, base, "baseValue");
  return root;
}

/** Children sorted by name: flame graphs order siblings alphabetically, like flamegraph.pl. */
export function sortedChildren(node: CallTreeNode): CallTreeNode[] {
  return [...node.children.values()].sort((a, b) => ((a.fn?.name ?? "") < (b.fn?.name ?? "") ? -1 : (a.fn?.name ?? "") > (b.fn?.name ?? "") ? 1 : 0));
}
