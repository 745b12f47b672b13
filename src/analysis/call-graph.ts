// The call graph jeprof --dot/--pdf draws: one node per function (flat, cum) and one edge
// per caller → callee pair, weighted by the stacks that pass through it (once per stack).
import { computeFunctionTable, type FunctionRow } from "./function-table.js";
import type { StackProfile } from "./stacks.js";

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

export function buildCallGraph(profile: StackProfile): CallGraph {
  const edges = new Map<string, CallEdge>();
  for (const stack of profile.stacks) {
    const seen = new Set<string>();
    for (let i = 1; i < stack.frames.length; i++) {
      const callee = (stack.frames[i - 1] as { fn: { key: string } }).fn.key;
      const caller = (stack.frames[i] as { fn: { key: string } }).fn.key;
      if (caller === callee) continue;
      const key = `${caller}\u0001${callee}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let edge = edges.get(key);
      if (edge === undefined) edges.set(key, (edge = { caller, callee, value: 0 }));
      edge.value += stack.value;
    }
  }
  return { nodes: computeFunctionTable(profile), edges: [...edges.values()].sort((a, b) => b.value - a.value), total: profile.total };
}
