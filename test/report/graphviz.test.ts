import { describe, expect, it } from "vitest";
import { renderWithGraphviz } from "../../src/report/graphviz.js";

describe("renderWithGraphviz", () => {
  it("returns dot's output as a Buffer", () => {
    const svg = renderWithGraphviz('digraph { "leaf_alloc" -> "main" }', "svg");
    expect(Buffer.isBuffer(svg)).toBe(true);
    expect(svg.toString("utf8")).toMatch(/<svg[\s\S]*leaf_alloc[\s\S]*<\/svg>\n$/);
    expect(renderWithGraphviz("digraph { a -> b }", "pdf").subarray(0, 5).toString("latin1")).toBe("%PDF-");
  });

  it("names the package when dot cannot be started", () => {
    expect(() => renderWithGraphviz("digraph { a -> b }", "svg", "/nonexistent/dot")).toThrow(
      expect.objectContaining({ kind: "environment", message: 'cannot run Graphviz "/nonexistent/dot" to render svg', hint: expect.stringContaining("apt install graphviz") }),
    );
  });

  it("passes on dot's own complaint about DOT text it cannot read", () => {
    expect(() => renderWithGraphviz("digraph { a -> ", "svg")).toThrow(
      expect.objectContaining({ kind: "environment", message: expect.stringMatching(/^Graphviz failed to render the call graph: .*syntax error/) }),
    );
  });
});
