// Which dump of a run folder analyze shows (--at), and the callers column of the top table.
import { describe, expect, it } from "vitest";
import { chooseDump, parseDumpChoice, type RunFolderProfiles } from "../../src/analysis/run-folder-profiles.js";
import { findHeaviestCallers, formatCallerChain } from "../../src/report/callers.js";
import { keepMeaningfulObjects, type UnsymbolizedObject } from "../../src/symbolize/unsymbolized-hints.js";
import { fnRef, stackProfile } from "./stack-builders.js";

function run(overrides: Partial<RunFolderProfiles>): RunFolderProfiles {
  return {
    runDir: "/r",
    program: undefined,
    kind: "jemalloc-heap",
    series: ["/r/jeprof.1.0.i0.heap", "/r/jeprof.1.1.i1.heap", "/r/jeprof.1.2.f.heap"],
    peak: "/r/peak.1.heap",
    lastIsExit: true,
    startedAtMs: 0,
    others: [],
    ...overrides,
  };
}

describe("analyze --at", () => {
  it("reads peak, exit, last and dump numbers, and refuses anything else with the choices", () => {
    expect(["peak", "exit", "last", "2"].map(parseDumpChoice)).toEqual(["peak", "exit", "last", 2]);
    for (const bad of ["0", "-1", "1.5", "first"]) expect(() => parseDumpChoice(bad)).toThrow(/peak, exit, last or a dump number/);
  });

  it("shows the peak dump by default, and the exit dump when the program held the most at exit", () => {
    expect(chooseDump(run({}), undefined)).toEqual({ path: "/r/peak.1.heap", moment: "peak" });
    expect(chooseDump(run({}), undefined, true)).toEqual({ path: "/r/jeprof.1.2.f.heap", moment: "exit" });
    expect(chooseDump(run({ peak: undefined }), undefined)).toEqual({ path: "/r/jeprof.1.2.f.heap", moment: "exit" });
  });

  it("picks exit, last and the Nth dump, and says what a killed program lacks", () => {
    expect(chooseDump(run({}), "exit").path).toBe("/r/jeprof.1.2.f.heap");
    expect(chooseDump(run({}), 2)).toEqual({ path: "/r/jeprof.1.1.i1.heap", moment: "dump 2 of 3" });
    const killed = run({ series: ["/r/jeprof.1.0.i0.heap"], lastIsExit: false });
    expect(chooseDump(killed, "last")).toEqual({ path: "/r/jeprof.1.0.i0.heap", moment: "last" });
    expect(() => chooseDump(killed, "exit")).toThrow(/no dump written at exit/);
    expect(() => chooseDump(run({ peak: undefined, lastIsExit: false }), "peak")).toThrow(/no dump at the heap's peak/);
    expect(() => chooseDump(run({}), 4)).toThrow(/has 3 dumps/);
  });
});

describe("callers in the top table", () => {
  it("names the heaviest caller chain of each allocating function, with its share when it is not all", () => {
    const profile = stackProfile([
      [["main", "leak_big", "mid_alloc", "leaf_alloc"], 20],
      [["main", "thread_keep", "leaf_alloc"], 10],
      [["main", "rec", "rec", "rec", "only"], 5],
    ]);
    const callers = findHeaviestCallers(profile);
    expect(formatCallerChain(callers.get(fnRef("leaf_alloc").key))).toBe("← mid_alloc ← leak_big (67%)");
    // Recursion is folded: the chain shows distinct callers.
    expect(formatCallerChain(callers.get(fnRef("only").key))).toBe("← rec ← main");
    expect(formatCallerChain(callers.get(fnRef("main").key))).toBe("");
  });
});

describe("objects without symbols", () => {
  const object = (path: string): UnsymbolizedObject => ({ path, reason: "stripped", addresses: 1, hint: "install debug symbols" });

  it("earn a hint only when their frames hold a meaningful share of the profile", () => {
    const objects = [object("/usr/lib/libstdc++.so.6"), object("/usr/lib/libjq.so.1")];
    const held = new Map([
      ["libstdc++.so.6", 173 * 1024],
      ["libjq.so.1", 90 * 1048576],
    ]);
    expect(keepMeaningfulObjects(objects, held, 100 * 1048576).map((o) => o.path)).toEqual(["/usr/lib/libjq.so.1"]);
    // At exit, libstdc++'s static initialisation is all there is: then it is worth naming.
    expect(keepMeaningfulObjects(objects, held, 200 * 1024).map((o) => o.path)).toEqual(["/usr/lib/libstdc++.so.6", "/usr/lib/libjq.so.1"]);
  });
});
