// Renders DOT text to SVG or PDF with Graphviz's `dot`, when it is installed. Plain
// spawnSync, not execa: this module is part of the analyze bundle, and importing execa
// would cost every analysis 0.2–0.3 s for a renderer few of them use.
import { spawnSync } from "node:child_process";
import { environmentError } from "../core/errors.js";

export type GraphvizFormat = "svg" | "pdf" | "png";

/** The rendered bytes; an environment error naming the package when dot is missing or fails. */
export function renderWithGraphviz(dotText: string, format: GraphvizFormat, dotPath = "dot"): Buffer {
  const result = spawnSync(dotPath, [`-T${format}`], { input: dotText, maxBuffer: 256 * 1024 * 1024 });
  // No exit status and no signal: dot never started (not installed, not executable).
  if (result.status === null && result.signal === null) {
    throw environmentError(`cannot run Graphviz "${dotPath}" to render ${format}`, "install graphviz (apt install graphviz), or write .dot and render it elsewhere", result.error);
  }
  if (result.status !== 0 || result.error !== undefined) {
    // dot's own complaint, else how it ended.
    const ending = result.status === null ? `killed by ${result.signal}` : `exit code ${result.status}`;
    const message = (result.stderr.toString("utf8").trim() || `dot -T${format} ended with ${ending}`).split("\n")[0];
    throw environmentError(`Graphviz failed to render the call graph: ${message}`, "write the graph as .dot and inspect it");
  }
  return result.stdout;
}
