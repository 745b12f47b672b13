import { describe, expect, it } from "vitest";
import { AllocrunError } from "../../src/core/errors.js";
import { DEFAULT_MAX_INCREASE_FRACTION, maxIncreaseFor, metricsNamedByPolicy, parseGatePolicy } from "../../src/ci/gate-policy.js";

function usageErrorOf(action: () => unknown): AllocrunError {
  try {
    action();
  } catch (error) {
    if (error instanceof AllocrunError) return error;
    throw error;
  }
  throw new Error("expected a usage error");
}

describe("--max-increase", () => {
  it("defaults to a documented 5%, no larger than 10%", () => {
    expect(DEFAULT_MAX_INCREASE_FRACTION).toBe(0.05);
    expect(maxIncreaseFor(parseGatePolicy([], []), "peak_rss")).toBe(0.05);
  });

  it("reads a global percentage with or without the sign", () => {
    expect(parseGatePolicy(["7%"], []).defaultMaxIncreaseFraction).toBeCloseTo(0.07);
    expect(parseGatePolicy(["2.5"], []).defaultMaxIncreaseFraction).toBeCloseTo(0.025);
  });

  it("reads METRIC=PCT for one metric and leaves the others at the global limit", () => {
    const policy = parseGatePolicy(["10%", "alloc_count=1%"], []);
    expect(maxIncreaseFor(policy, "alloc_count")).toBeCloseTo(0.01);
    expect(maxIncreaseFor(policy, "peak_heap")).toBeCloseTo(0.1);
    expect(metricsNamedByPolicy(policy)).toEqual(["alloc_count"]);
  });

  it("accepts kebab-case metric names", () => {
    expect(maxIncreaseFor(parseGatePolicy(["peak-heap=3%"], []), "peak_heap")).toBeCloseTo(0.03);
  });

  it("rejects a value that is not a percentage, saying what to write", () => {
    const error = usageErrorOf(() => parseGatePolicy(["five"], []));
    expect(error.kind).toBe("usage");
    expect(error.message).toMatch(/percentage such as 5%/);
  });

  it("suggests the closest metric for a misspelt one", () => {
    const error = usageErrorOf(() => parseGatePolicy(["alloc_cuont=2%"], []));
    expect(error.message).toBe('unknown metric "alloc_cuont" in --max-increase');
    expect(error.hint).toMatch(/^did you mean alloc_count\?/);
  });
});

describe("--budget", () => {
  it("reads sizes with KiB, MiB and GiB", () => {
    const policy = parseGatePolicy([], ["peak_rss=512MiB", "peak_heap=64KiB", "alloc_bytes=2GiB", "live_at_exit=100"]);
    expect(policy.budgets).toEqual({ peak_rss: 512 * 1024 ** 2, peak_heap: 64 * 1024, alloc_bytes: 2 * 1024 ** 3, live_at_exit: 100 });
  });

  it("reads durations in seconds (a bare number is seconds) and counts with k/M", () => {
    const policy = parseGatePolicy([], ["wall_time=1500ms", "cpu_time=2", "alloc_count=2M"]);
    expect(policy.budgets).toEqual({ wall_time: 1.5, cpu_time: 2, alloc_count: 2_000_000 });
  });

  it("requires METRIC=VALUE", () => {
    expect(usageErrorOf(() => parseGatePolicy([], ["512MiB"])).message).toBe('--budget needs METRIC=VALUE, got "512MiB"');
  });

  it("rejects a size that is not one, with an example in the hint", () => {
    const error = usageErrorOf(() => parseGatePolicy([], ["peak_rss=lots"]));
    expect(error.message).toMatch(/"lots" is not a size/);
    expect(error.hint).toMatch(/512MiB/);
  });
});
