// Renders DOT text to SVG or PDF with Graphviz's `dot`, when it is installed.
import { execaSync } from "execa";
import { environmentError } from "../core/errors.js";

export type GraphvizFormat = "svg" | "pdf" | "png";

/** The rendered bytes; an environment error naming the package when dot is missing or fails. */
export function renderWithGraphviz(dotText: string, format: GraphvizFormat, dotPath = "dot"): Buffer {
  const result = execaSync(dotPath, [`-T${format}`], {
    input: dotText, encoding: "buffer", maxBuffer: 256 * 1024 * 1024, stripFinalNewline: false, reject: false,
  });
  // No exit code and no signal: dot never started (not installed, not executable).
  if (result.exitCode === undefined && result.signal === undefined) {
    throw environmentError(`cannot run Graphviz "${dotPath}" to render ${format}`, "install graphviz (apt install graphviz), or write .dot and render it elsewhere", result.cause);
  }
  if (result.failed) {
    // dot's own complaint, else execa's "Command failed with exit code 1: dot -Tsvg".
    const message = (Buffer.from(result.stderr).toString("utf8").trim() || (result.shortMessage ?? "")).split("\n")[0];
    throw environmentError(`Graphviz failed to render the call graph: ${message}`, "write the graph as .dot and inspect it");
  }
  return Buffer.from(result.stdout.buffer, result.stdout.byteOffset, result.stdout.byteLength);
}
