// Caller chains for the functions a report shows only: the same chain for each of them as
// over every leaf, and no work (no entry) for the others.
import { describe, expect, it } from "vitest";
import { findHeaviestCallers, formatCallerChain } from "../../src/report/callers.js";
import { fnRef, stackProfile } from "../analysis/stack-builders.js";

describe("findHeaviestCallers limited to some functions", () => {
  const profile = stackProfile([
    [["main", "p", "leaf"], 5],
    [["main", "q", "leaf"], 7],
    [["main", "r", "other"], 9],
    [["main", "s", "third"], 1],
  ]);

  it("answers for the functions asked about as over all leaves, and leaves the rest out", () => {
    const all = findHeaviestCallers(profile);
    const limited = findHeaviestCallers(profile, 2, new Set([fnRef("leaf").key, fnRef("third").key]));
    expect([...limited.keys()].sort()).toEqual([fnRef("leaf").key, fnRef("third").key].sort());
    expect(limited.get(fnRef("leaf").key)).toEqual(all.get(fnRef("leaf").key));
    expect(formatCallerChain(limited.get(fnRef("leaf").key))).toBe("← q ← main (58%)");
    expect(formatCallerChain(limited.get(fnRef("third").key))).toBe("← s ← main");
    expect(all.has(fnRef("other").key)).toBe(true);
  });
});
