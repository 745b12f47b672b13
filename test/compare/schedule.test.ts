import { describe, expect, it } from "vitest";
import { planRuns } from "../../src/compare/schedule.js";

describe("run schedule", () => {
  it("interleaves variants round by round: warm-ups, measured runs, then statistics runs", () => {
    const order = planRuns({ variantCount: 3, warmup: 1, runs: 2, statsVariants: [0, 2] }).map((r) => `${r.phase[0]}${r.variantIndex}.${r.iteration}`);
    expect(order).toEqual(["w0.1", "w1.1", "w2.1", "m0.1", "m1.1", "m2.1", "m0.2", "m1.2", "m2.2", "s0.1", "s2.1"]);
  });

  it("has no warm-up round when --warmup 0", () => {
    expect(planRuns({ variantCount: 2, warmup: 0, runs: 1, statsVariants: [] }).map((r) => r.phase)).toEqual(["measured", "measured"]);
  });
});
