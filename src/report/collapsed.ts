// Folded stacks for flamegraph.pl and speedscope (profile-formats.md §5): root first,
// frames joined by ";", one space, an integer weight. Equal stacks are merged; ";" and line
// breaks inside names are replaced so they cannot split a frame or a line. With a base
// profile each line carries two weights, "OLD NEW" (flamegraph.pl's difffolded input).
import type { Analysis } from "../analysis/analysis.js";
import type { StackTable } from "../analysis/stack-table.js";
import { roundPreservingSum } from "./values.js";

export function sanitizeFrameName(name: string): string {
  return name.replace(/;/g, ":").replace(/[\r\n]+/g, " ");
}

function foldStacks(table: StackTable): Map<string, number> {
  const names = table.functions.map((fn) => sanitizeFrameName(fn.name));
  const { frameFunctions, stackFrames, stackStarts, values } = table;
  const folded = new Map<string, number>();
  for (let s = 0; s < table.stackCount; s++) {
    const start = stackStarts[s] as number;
    let key = start === stackStarts[s + 1] ? "[no stack]" : "";
    for (let i = (stackStarts[s + 1] as number) - 1; i >= start; i--) key += `${names[frameFunctions[stackFrames[i] as number] as number]}${i > start ? ";" : ""}`;
    folded.set(key, (folded.get(key) ?? 0) + (values[s] as number));
  }
  return folded;
}

export function renderCollapsed(analysis: Analysis): string {
  const current = foldStacks(analysis.stacks);
  if (analysis.base === undefined) {
    const keys = [...current.keys()].sort();
    const weights = roundPreservingSum(keys.map((key) => current.get(key) as number));
    return keys.flatMap((key, index) => ((weights[index] as number) > 0 ? [`${key} ${weights[index]}\n`] : [])).join("");
  }
  const old = foldStacks(analysis.base.stacks);
  const keys = [...new Set([...current.keys(), ...old.keys()])].sort();
  const newWeights = roundPreservingSum(keys.map((key) => current.get(key) ?? 0));
  const oldWeights = roundPreservingSum(keys.map((key) => old.get(key) ?? 0));
  return keys
    .flatMap((key, index) => ((newWeights[index] as number) > 0 || (oldWeights[index] as number) > 0 ? [`${key} ${oldWeights[index]} ${newWeights[index]}\n`] : []))
    .join("");
}
