// The call tree behind flame graphs: root first, one node per distinct path, each with its
// value (and, for a differential graph, the base profile's value on the same path).
import { asStackTable, shareFunctionIds, type StackTable, type Stacks } from "./stack-table.js";
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

/**
 * Tree of `profile`; with `base`, every node also carries the base value of its path.
 * With `expansionLimit`, only nodes whose |value| + |baseValue| reaches the limit it
 * returns for the root get children: a flame graph draws nothing narrower than a tenth of
 * a pixel, and a million distinct stacks would otherwise make a node per frame. Lighter
 * nodes still carry their values.
 */
export function buildCallTree(profile: Stacks, base?: Stacks, expansionLimit?: (root: CallTreeNode) => number): CallTreeNode {
  // The stacks of both profiles are grouped root first, level by level: `order` holds
  // stack numbers (base stacks after the current ones), and each node's stacks are one
  // contiguous, stably sorted range of it, split by a counting sort into its children.
  const tables = base === undefined ? [asStackTable(profile)] : [asStackTable(profile), asStackTable(base)];
  const { ids: globalIds, refs } = shareFunctionIds(tables);
  const current = tables[0] as StackTable;
  const stackCount = tables.reduce((sum, table) => sum + table.stackCount, 0);
  const order = Uint32Array.from({ length: stackCount }, (_, k) => k);
  const bucketOf = new Int32Array(stackCount);
  const sorted = new Uint32Array(stackCount);
  /** The global function id of the frame `depth` levels below the root of stack k, or -1. */
  const functionAtDepth = (k: number, depth: number): number => {
    const which = k < current.stackCount ? 0 : 1;
    const table = tables[which] as StackTable;
    const s = which === 0 ? k : k - current.stackCount;
    const index = (table.stackStarts[s + 1] as number) - 1 - depth;
    if (index < (table.stackStarts[s] as number)) return -1;
    return (globalIds[which] as number[])[table.frameFunctions[table.stackFrames[index] as number] as number] as number;
  };
  const valueOf = (k: number) => (k < current.stackCount ? (current.values[k] as number) : ((tables[1] as StackTable).values[k - current.stackCount] as number));

  let expandAbove = -Infinity;
  const expand = (node: CallTreeNode, from: number, to: number, depth: number): void => {
    const children: CallTreeNode[] = [];
    const childOf = new Map<number, number>();
    for (let i = from; i < to; i++) {
      const k = order[i] as number;
      const id = functionAtDepth(k, depth);
      if (id === -1) {
        bucketOf[i] = -1;
        continue;
      }
      let child = childOf.get(id);
      if (child === undefined) {
        childOf.set(id, (child = children.length));
        const fn = refs[id] as FunctionRef;
        children.push(newNode(fn));
        node.children.set(fn.key, children[child] as CallTreeNode);
      }
      bucketOf[i] = child;
      const target = children[child] as CallTreeNode;
      if (k < current.stackCount) target.value += valueOf(k);
      else target.baseValue += valueOf(k);
    }
    if (children.length === 0) return;
    // Counting sort of the range by child, stable, so each child's stacks keep their order.
    const starts = new Uint32Array(children.length + 1);
    for (let i = from; i < to; i++) {
      const bucket = bucketOf[i] as number;
      if (bucket >= 0) starts[bucket + 1] = (starts[bucket + 1] as number) + 1;
    }
    for (let c = 0; c < children.length; c++) starts[c + 1] = (starts[c + 1] as number) + (starts[c] as number);
    const fill = starts.slice(0, children.length);
    for (let i = from; i < to; i++) {
      const bucket = bucketOf[i] as number;
      if (bucket < 0) continue;
      sorted[from + (fill[bucket] as number)] = order[i] as number;
      fill[bucket] = (fill[bucket] as number) + 1;
    }
    const used = starts[children.length] as number;
    order.set(sorted.subarray(from, from + used), from);
    children.forEach((child, c) => {
      if (Math.abs(child.value) + Math.abs(child.baseValue) >= expandAbove) expand(child, from + (starts[c] as number), from + (starts[c + 1] as number), depth + 1);
    });
  };

  const root = newNode(undefined);
  for (let k = 0; k < stackCount; k++) {
    if (k < current.stackCount) root.value += valueOf(k);
    else root.baseValue += valueOf(k);
  }
  if (expansionLimit !== undefined) expandAbove = expansionLimit(root);
  expand(root, 0, stackCount, 0);
  return root;
}

/** Children sorted by name: flame graphs order siblings alphabetically, like flamegraph.pl. */
export function sortedChildren(node: CallTreeNode): CallTreeNode[] {
  return [...node.children.values()].sort((a, b) => ((a.fn?.name ?? "") < (b.fn?.name ?? "") ? -1 : (a.fn?.name ?? "") > (b.fn?.name ?? "") ? 1 : 0));
}
