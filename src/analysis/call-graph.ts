// The call graph jeprof --dot/--pdf draws: one node per function (flat, cum) and one edge
// per caller → callee pair, weighted by the stacks that pass through it (once per stack).
import { computeFunctionTable, type FunctionRow } from "./function-table.js";
import { asStackTable, type Stacks } from "./stack-table.js";

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
  // Keyed by caller and callee index; `lastStack` counts an edge once per stack.
  const edges = new Map<number, CallEdge & { lastStack: number }>();
  for (let s = 0; s < table.stackCount; s++) {
    const end = stackStarts[s + 1] as number;
    for (let i = (stackStarts[s] as number) + 1; i < end; i++) {
      const callee = frameFunctions[stackFrames[i - 1] as number] as number;
      const caller = frameFunctions[stackFrames[i] as number] as number;
      if (caller === callee) continue;
      const key = caller * functions.length + callee;
      let edge = edges.get(key);
      if (edge === undefined) edges.set(key, (edge = { caller: (functions[caller] as { key: string }).key, callee: (functions[callee] as { key: string }).key, value: 0, lastStack: -1 }));
      if (edge.lastStack === s) continue;
      edge.lastStack = s;
      edge.value += values[s] as number;
    }
  }
  const sorted = [...edges.values()].sort((a, b) => b.value - a.value).map(({ caller, callee, value }) => ({ caller, callee, value }));
  return { nodes: computeFunctionTable(table), edges: sorted, total: table.total };
}
