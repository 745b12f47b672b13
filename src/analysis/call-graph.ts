// The call graph jeprof --dot/--pdf draws: one node per function (flat, cum) and one edge
// per caller → callee pair, weighted by the stacks that pass through it (once per stack).
import { computeFunctionTable, type FunctionRow } from "./function-table.js";
import { AddressTable, grownTypedArray } from "../profile/address-table.js";
import { asStackTable, type Stacks } from "./stack-table.js";
import type { FunctionRef } from "./stacks.js";

export interface CallEdge {
  caller: string;
  callee: string;
  value: number;
}

export interface CallGraph {
  nodes: FunctionRow[];
  edges: CallEdge[];
  total: number;
}

export function buildCallGraph(stacks: Stacks): CallGraph {
  const table = asStackTable(stacks);
  const { functions, frameFunctions, stackFrames, stackStarts, values } = table;
  // Edges are numbered as first seen, found by caller × function count + callee in a
  // typed hash table; `lastStack` counts an edge once per stack.
  const edgeIds = new AddressTable();
  const callers: number[] = [];
  const callees: number[] = [];
  let edgeValues = new Float64Array(1024);
  let lastStack = new Int32Array(1024);
  for (let s = 0; s < table.stackCount; s++) {
    const end = stackStarts[s + 1] as number;
    for (let i = (stackStarts[s] as number) + 1; i < end; i++) {
      const callee = frameFunctions[stackFrames[i - 1] as number] as number;
      const caller = frameFunctions[stackFrames[i] as number] as number;
      if (caller === callee) continue;
      const key = caller * functions.length + callee;
      let edge = edgeIds.get(key) - 1;
      if (edge === -1) {
        edge = callers.push(caller) - 1;
        callees.push(callee);
        edgeIds.add(key, edge + 1);
        if (edge === edgeValues.length) {
          edgeValues = grownTypedArray(edgeValues, 2 * edgeValues.length);
          lastStack = grownTypedArray(lastStack, 2 * lastStack.length);
        }
        lastStack[edge] = -1;
      }
      if (lastStack[edge] === s) continue;
      lastStack[edge] = s;
      edgeValues[edge] = (edgeValues[edge] as number) + (values[s] as number);
    }
  }
  const keyOf = (fn: number) => (functions[fn] as FunctionRef).key;
  const edges = callers.map((caller, edge): CallEdge => ({ caller: keyOf(caller), callee: keyOf(callees[edge] as number), value: edgeValues[edge] as number }));
  return { nodes: computeFunctionTable(table), edges: edges.sort((a, b) => b.value - a.value), total: table.total };
}
