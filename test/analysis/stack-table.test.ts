// The columnar stacks and the reports that walk them at scale: the same answers as over
// the object form, including the orders that ties and string sorting decide.
import { describe, expect, it } from "vitest";
import type { Analysis } from "../../src/analysis/analysis.js";
import { buildCallTree, sortedChildren, type CallTreeNode } from "../../src/analysis/call-tree.js";
import { asStackTable, joinStackTables } from "../../src/analysis/stack-table.js";
import { renderCollapsed } from "../../src/report/collapsed.js";
import { findHeaviestCallers, formatCallerChain } from "../../src/report/callers.js";
import { fnRef, stackProfile } from "./stack-builders.js";

/** Just what the collapsed renderer reads of an analysis. */
function analysisOf(entries: [string[], number][], baseEntries?: [string[], number][]): Analysis {
  const stacks = asStackTable(stackProfile(entries));
  const base = baseEntries === undefined ? undefined : asStackTable(stackProfile(baseEntries));
  return { stacks, total: stacks.total, base: base && { source: "base", stacks: base, diff: { rows: [], total: 0, baseTotal: 0 } } } as unknown as Analysis;
}

describe("asStackTable", () => {
  it("numbers functions and frames in the order the stacks first reach them, leaf first", () => {
    const table = asStackTable(stackProfile([[["main", "a", "leaf"], 10], [["main", "b"], 5]]));
    expect(table.functions.map((fn) => fn.name)).toEqual(["leaf", "a", "main", "b"]);
    expect(Array.from(table.stackStarts)).toEqual([0, 3, 5]);
    expect(Array.from(table.values)).toEqual([10, 5]);
    expect(table.total).toBe(15);
  });

  it("joins two tables into one numbering, the second negated (a diff's NEW − OLD)", () => {
    const joined = joinStackTables(asStackTable(stackProfile([[["main", "a"], 4]])), asStackTable(stackProfile([[["main", "b"], 3], [["main", "a"], 1]])), -1);
    expect(joined.functions.map((fn) => fn.name)).toEqual(["a", "main", "b"]);
    expect(Array.from(joined.values)).toEqual([4, -3, -1]);
    expect(joined.total).toBe(0);
  });
});

describe("collapsed stacks", () => {
  it("sorts lines exactly as strings sort, also where one name is a prefix of another", () => {
    // "foo!" sorts before "foo;…" ('!' < ';') but "foo_bar" after it: ids in name order
    // alone would put "foo;x" before "foo!".
    const entries: [string[], number][] = [
      [["foo", "x"], 1],
      [["foo!"], 2],
      [["foo_bar"], 3],
      [["foo"], 4],
      [["fo", "y"], 5],
      [["foo!", "z"], 6],
    ];
    const lines = renderCollapsed(analysisOf(entries)).trimEnd().split("\n");
    const keys = lines.map((line) => line.slice(0, line.lastIndexOf(" ")));
    expect(keys).toEqual([...keys].sort());
    expect(lines).toEqual(["fo;y 5", "foo 4", "foo!;z 6", "foo! 2", "foo;x 1", "foo_bar 3"].sort());
  });

  it("merges stacks whose names read the same, and lines of either side against a base", () => {
    const lines = renderCollapsed(analysisOf([[["main", "a"], 4], [["main", "a"], 1]], [[["main", "b"], 3]])).trimEnd().split("\n");
    expect(lines).toEqual(["main;a 0 5", "main;b 3 0"]);
  });
});

describe("heaviest callers over the columns", () => {
  it("keeps the first-seen chain when two chains weigh the same", () => {
    const callers = findHeaviestCallers(stackProfile([[["main", "p", "leaf"], 5], [["main", "q", "leaf"], 5]]));
    expect(formatCallerChain(callers.get(fnRef("leaf").key))).toBe("← p ← main (50%)");
  });
});

describe("buildCallTree with an expansion limit", () => {
  const names = (node: CallTreeNode): string[] => sortedChildren(node).map((child) => child.fn?.name ?? "");

  it("gives children only to nodes at least as heavy as the limit, with every node's value", () => {
    const profile = stackProfile([[["main", "big", "leaf"], 90], [["main", "small", "leaf"], 10]]);
    const root = buildCallTree(profile, undefined, (top) => top.value * 0.5);
    const main = sortedChildren(root)[0] as CallTreeNode;
    expect(names(main)).toEqual(["big", "small"]);
    const [big, small] = sortedChildren(main) as [CallTreeNode, CallTreeNode];
    expect([big.value, small.value]).toEqual([90, 10]);
    expect(names(big)).toEqual(["leaf"]);
    expect(small.children.size).toBe(0);
    // Without a limit the whole tree is there.
    expect(sortedChildren(sortedChildren(buildCallTree(profile))[0] as CallTreeNode).map((node) => node.children.size)).toEqual([1, 1]);
  });
});
