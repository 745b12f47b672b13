// Renders DOT text to SVG or PDF with Graphviz's `dot`, when it is installed.
import { spawnSync } from "node:child_process";
import { environmentError } from "../core/errors.js";

export type GraphvizFormat = "svg" | "pdf" | "png";

/** The rendered bytes; an environment error naming the package when dot is missing or fails. */
export function renderWithGraphviz(dotText: string, format: GraphvizFormat, dotPath = "dot"): Buffer {
  const result = spawnSync(dotPath, [`-T${format}`], { input: dotText, maxBuffer: 256 * 1024 * 1024 });
  if (result.error !== undefined) {
    throw environmentError(`cannot run Graphviz "${dotPath}" to render ${format}`, "install graphviz (apt install graphviz), or write .dot and render it elsewhere", result.error);
  }
  if (result.status !== 0) {
    const message = result.stderr.toString("utf8").trim().split("\n")[0] ?? "";
    throw environmentError(`Graphviz failed to render the call graph: ${message}`, "write the graph as .dot and inspect it");
  }
  return result.stdout;
}
