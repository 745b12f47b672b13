import { describe, expect, it } from "vitest";
import { diffProfiles } from "../../src/analysis/diff.js";
import { countDumpsBeforeFreeing, fitLine, monotonicityOf, rankGrowth } from "../../src/analysis/growth.js";
import { stackProfile } from "./stack-builders.js";

describe("diffProfiles", () => {
  it("shows NEW − OLD per function, growth and shrinkage, largest change first", () => {
    const base = stackProfile([[["main", "cache"], 100], [["main", "buffers"], 50]]);
    const current = stackProfile([[["main", "cache"], 400], [["main", "fresh"], 30]]);
    const diff = diffProfiles(current, base);
    expect(diff.rows.map((row) => [row.fn.name, row.deltaFlat, row.flat, row.baseFlat])).toEqual([
      ["cache", 300, 400, 100],
      ["buffers", -50, 0, 50],
      ["fresh", 30, 30, 0],
      ["main", 0, 0, 0],
    ]);
    expect(diff.rows.find((row) => row.fn.name === "main")?.deltaCum).toBe(280);
    expect(diff.total - diff.baseTotal).toBe(280);
  });
});

describe("growth across a series", () => {
  it("fits a least-squares line", () => {
    expect(fitLine([0, 1, 2, 3], [1, 3, 5, 7])).toEqual({ slope: 2, r2: 1 });
    expect(fitLine([0], [5]).slope).toBe(0);
  });

  it("scores monotonicity from the direction of each step", () => {
    expect(monotonicityOf([1, 2, 3, 4])).toBe(1);
    expect(monotonicityOf([4, 3, 2, 1])).toBe(-1);
    expect(monotonicityOf([1, 5, 1, 5, 1])).toBe(0);
    expect(monotonicityOf([10, 10.05, 11], 0.1)).toBe(0.5);
  });

  it("ranks a steady leak above a larger one-off spike, though the spike has the bigger last − first", () => {
    const dumps = [
      { leak: 10, spike: 0 },
      { leak: 20, spike: 0 },
      { leak: 30, spike: 0 },
      { leak: 40, spike: 500 },
      { leak: 50, spike: 0 },
      { leak: 60, spike: 120 },
    ].map(({ leak, spike }) =>
      stackProfile([
        [["main", "leak"], leak],
        [["main", "spike"], spike],
        [["main", "steady"], 70],
      ]),
    );
    const rows = rankGrowth(dumps);
    expect(rows[0]?.fn.name).toBe("leak");
    expect(rows[0]?.monotonicity).toBe(1);
    expect(rows[0]?.slope).toBeCloseTo(10);
    expect(rows.map((row) => row.fn.name)).not.toContain("steady");
    const spike = rows.find((row) => row.fn.name === "spike");
    expect(spike === undefined || spike.score < (rows[0]?.score ?? 0)).toBe(true);
  });

  it("gives the slope per dump, and per second when the dumps' times are given", () => {
    const dumps = [10, 20, 30].map((value) => stackProfile([[["main", "leak"], value]]));
    const [row] = rankGrowth(dumps, [0, 5, 10]);
    expect(row?.slope).toBeCloseTo(10);
    expect(row?.slopePerSecond).toBeCloseTo(2);
    expect(rankGrowth(dumps)[0]?.slopePerSecond).toBeUndefined();
  });

  it("leaves out the trailing dumps of a program that freed everything, keeping at least two", () => {
    expect(countDumpsBeforeFreeing([1, 5, 10, 0.2])).toBe(3);
    expect(countDumpsBeforeFreeing([1, 5, 10, 0.2, 0])).toBe(3);
    expect(countDumpsBeforeFreeing([10, 0, 0])).toBe(2);
    expect(countDumpsBeforeFreeing([1, 5, 10])).toBe(3);
    expect(countDumpsBeforeFreeing([10, 8, 6])).toBe(3);
  });

  it("returns nothing when no site grew", () => {
    const dumps = [30, 20, 10].map((value) => stackProfile([[["main", "shrinking"], value]]));
    expect(rankGrowth(dumps)).toEqual([]);
  });
});
