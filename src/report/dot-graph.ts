// `--format dot`: the call graph jeprof --dot/--pdf draws — one box per function, its size
// by flat value, labelled with flat and cum; edges labelled with the value flowing from
// caller to callee. Small nodes and edges are dropped as jeprof does (node fraction 0.5%,
// edge fraction 0.1%, at most 80 nodes). With a base profile the graph shows NEW − OLD
// (base stacks enter with negative weight), growth red and shrinkage blue.
import { basename } from "node:path";
import type { Analysis } from "../analysis/analysis.js";
import { buildCallGraph } from "../analysis/call-graph.js";
import { joinStackTables, type StackTable } from "../analysis/stack-table.js";
import { formatDelta, formatValue } from "./values.js";

const NODE_FRACTION = 0.005;
const EDGE_FRACTION = 0.001;
const MAX_NODES = 80;

const escapeDot = (text: string) => text.replace(/\\/g, "\\\\").replace(/"/g, '\\"');

/** A DOT string of lines, each centred (\n) or left-aligned (\l). */
function label(lines: string[], end: "\\n" | "\\l"): string {
  return `"${lines.map((line) => escapeDot(line) + end).join("")}"`;
}

function signedStacks(analysis: Analysis): StackTable {
  if (analysis.base === undefined) return analysis.stacks;
  return joinStackTables(analysis.stacks, analysis.base.stacks, -1);
}

export function renderDotGraph(analysis: Analysis): string {
  const isDiff = analysis.base !== undefined;
  const graph = buildCallGraph(signedStacks(analysis));
  const { unit, type } = analysis.sampleType;
  // Percentages and cut-offs relate to the profile's size (for a diff: the larger of the two).
  const scaleTotal = isDiff ? Math.max(analysis.total, analysis.base?.stacks.total ?? 0) : analysis.total;
  const show = isDiff ? formatDelta : formatValue;
  const percent = (value: number) => (scaleTotal === 0 ? "0.0%" : `${((value / scaleTotal) * 100).toFixed(1)}%`);
  const nodes = graph.nodes
    .filter((node) => Math.abs(node.cum) >= NODE_FRACTION * scaleTotal || Math.abs(node.flat) >= NODE_FRACTION * scaleTotal)
    .sort((a, b) => Math.abs(b.cum) - Math.abs(a.cum))
    .slice(0, MAX_NODES);
  const ids = new Map(nodes.map((node, index) => [node.fn.key, `N${index + 1}`]));
  const maxFlat = Math.max(1e-9, ...nodes.map((node) => Math.abs(node.flat)));
  const lines: string[] = [];
  lines.push(`digraph "allocrun" {`);
  lines.push(`node [width=0.375,height=0.25];`);
  const legend = [
    `${isDiff ? "Change" : "Total"}: ${show(graph.total, unit)} ${type}`,
    isDiff ? `${basename(analysis.source)} minus ${basename(analysis.base?.source ?? "")}` : basename(analysis.source),
    `Showing ${nodes.length} of ${graph.nodes.length} functions (dropped below ${(NODE_FRACTION * 100).toFixed(1)}%)`,
  ];
  lines.push(`Legend [shape=plaintext,fontsize=20,label=${label(legend, "\\l")}];`);
  for (const node of nodes) {
    const fontSize = Math.round(8 + 40 * Math.sqrt(Math.abs(node.flat) / maxFlat));
    const text = [node.fn.name, `${show(node.flat, unit)} (${percent(node.flat)})`];
    if (node.cum !== node.flat) text.push(`of ${show(node.cum, unit)} (${percent(node.cum)})`);
    const colour = !isDiff ? "" : node.cum > 0 ? `,style=filled,fillcolor="#ffcccc"` : node.cum < 0 ? `,style=filled,fillcolor="#ccccff"` : "";
    lines.push(`${ids.get(node.fn.key)} [label=${label(text, "\\n")},shape=box,fontsize=${fontSize}${colour}];`);
  }
  for (const edge of graph.edges) {
    const from = ids.get(edge.caller);
    const to = ids.get(edge.callee);
    if (from === undefined || to === undefined || Math.abs(edge.value) < EDGE_FRACTION * scaleTotal) continue;
    const width = Math.max(1, Math.min(5, (Math.abs(edge.value) / Math.max(scaleTotal, 1e-9)) * 5));
    const colour = isDiff ? (edge.value > 0 ? `,color="#cc0000"` : `,color="#0000cc"`) : "";
    lines.push(`${from} -> ${to} [label="${escapeDot(show(edge.value, unit))}",weight=${Math.max(1, Math.round(Math.abs(edge.value) ** 0.3))},style="setlinewidth(${width.toFixed(2)})"${colour}];`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
