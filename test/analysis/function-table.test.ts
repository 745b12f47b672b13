import { describe, expect, it } from "vitest";
import { buildCallGraph } from "../../src/analysis/call-graph.js";
import { buildCallTree, sortedChildren } from "../../src/analysis/call-tree.js";
import { computeFunctionTable, sortByCum } from "../../src/analysis/function-table.js";
import { stackProfile } from "./stack-builders.js";

const row = (rows: ReturnType<typeof computeFunctionTable>, name: string) => rows.find((candidate) => candidate.fn.name === name);

describe("computeFunctionTable", () => {
  it("gives flat to the leaf and cum to every function on the stack", () => {
    const rows = computeFunctionTable(stackProfile([[["main", "a", "leaf"], 10], [["main", "b", "leaf"], 5], [["main", "b"], 2]]));
    expect(rows.map((r) => [r.fn.name, r.flat, r.cum])).toEqual([
      ["leaf", 15, 15],
      ["b", 2, 7],
      ["main", 0, 17],
      ["a", 0, 10],
    ]);
  });

  it("counts a recursive function once per stack in cum", () => {
    const rows = computeFunctionTable(stackProfile([[["main", "walk", "walk", "walk", "alloc"], 8]]));
    expect(row(rows, "walk")?.cum).toBe(8);
    expect(row(rows, "main")?.cum).toBe(8);
  });

  it("sorts by cum on request, ties broken by flat then name", () => {
    const rows = sortByCum(computeFunctionTable(stackProfile([[["main", "x"], 3], [["main", "y"], 3]])));
    expect(rows.map((r) => r.fn.name)).toEqual(["main", "x", "y"]);
  });

  it("names the line carrying most of a function's weight", () => {
    const profile = stackProfile([[["main", "leaf"], 1], [["main", "leaf"], 9]]);
    const [light, heavy] = profile.stacks;
    if (light?.frames[0] && heavy?.frames[0]) {
      light.frames[0] = { ...light.frames[0], line: 11 };
      heavy.frames[0] = { ...heavy.frames[0], line: 42 };
    }
    expect(row(computeFunctionTable(profile), "leaf")?.line).toBe(42);
  });
});

describe("buildCallTree", () => {
  it("merges common prefixes root first and keeps base values for a differential tree", () => {
    const current = stackProfile([[["main", "a"], 4], [["main", "b"], 6]]);
    const base = stackProfile([[["main", "a"], 10]]);
    const root = buildCallTree(current, base);
    expect(root.value).toBe(10);
    expect(root.baseValue).toBe(10);
    const main = sortedChildren(root)[0];
    expect(main?.fn?.name).toBe("main");
    expect(sortedChildren(main ?? root).map((child) => [child.fn?.name, child.value, child.baseValue])).toEqual([
      ["a", 4, 10],
      ["b", 6, 0],
    ]);
  });
});

describe("buildCallGraph", () => {
  it("weights each caller → callee edge once per stack, skipping self-recursion", () => {
    const graph = buildCallGraph(stackProfile([[["main", "walk", "walk", "alloc"], 5], [["main", "alloc"], 1]]));
    const edges = graph.edges.map((edge) => [edge.caller.split("\u0000")[0], edge.callee.split("\u0000")[0], edge.value]);
    expect(edges).toEqual([
      ["walk", "alloc", 5],
      ["main", "walk", 5],
      ["main", "alloc", 1],
    ]);
  });
});
