import { describe, expect, it } from "vitest";
import type { MeasuredMetrics, MetricMeasurement } from "../../src/ci/baseline.js";
import { evaluateGate } from "../../src/ci/evaluate-gate.js";
import { parseGatePolicy } from "../../src/ci/gate-policy.js";
import type { MetricName } from "../../src/ci/metrics.js";
import { summarizeSamples } from "../../src/ci/sample-summary.js";

const exact = (value: number): MetricMeasurement => ({ ...summarizeSamples([value]), source: "test" });
const runs = (...samples: number[]): MetricMeasurement => ({ ...summarizeSamples(samples), source: "test" });

function judge(metric: MetricName, before: MetricMeasurement | undefined, now: MetricMeasurement, maxIncrease: string[] = [], budgets: string[] = []) {
  const baseline: MeasuredMetrics | undefined = before ? { [metric]: before } : undefined;
  const result = evaluateGate({ metrics: [metric], baseline, current: { [metric]: now }, policy: parseGatePolicy(maxIncrease, budgets) });
  return { gate: result.verdict, metric: result.metrics[0]! };
}

describe("relative thresholds on deterministic metrics", () => {
  it("fails a 10% growth under the default 5% limit and names the change", () => {
    const { gate, metric } = judge("alloc_count", exact(4000), exact(4400));
    expect(gate).toBe("regression");
    expect(metric.verdict).toBe("regression");
    expect(metric.changeFraction).toBeCloseTo(0.1);
    expect(metric.reason).toBe("+10.0% is more than the 5% limit");
  });

  it("passes the same 10% growth under --max-increase 15%", () => {
    expect(judge("alloc_count", exact(4000), exact(4400), ["15%"]).gate).toBe("pass");
  });

  it("lets a per-metric limit override the global one, both ways", () => {
    expect(judge("peak_heap", exact(1000), exact(1080), ["20%", "peak_heap=5%"]).gate).toBe("regression");
    expect(judge("peak_heap", exact(1000), exact(1080), ["1%", "peak_heap=10%"]).gate).toBe("pass");
  });

  it("passes an increase exactly at the limit, fails one byte above it", () => {
    expect(judge("alloc_bytes", exact(1000), exact(1050)).gate).toBe("pass");
    expect(judge("alloc_bytes", exact(1000), exact(1051)).gate).toBe("regression");
  });

  it("reports a large decrease as improved, which never fails the gate", () => {
    const { gate, metric } = judge("peak_heap", exact(1000), exact(800));
    expect(gate).toBe("pass");
    expect(metric.verdict).toBe("improved");
    expect(metric.reason).toMatch(/--update-baseline/);
  });

  it("treats growth from zero as a regression (a leak that appeared)", () => {
    const { gate, metric } = judge("live_at_exit", exact(0), exact(64));
    expect(gate).toBe("regression");
    expect(metric.changeFraction).toBe(Infinity);
  });

  it("passes zero against zero", () => {
    expect(judge("live_at_exit", exact(0), exact(0)).gate).toBe("pass");
  });
});

describe("noisy metrics fail only beyond both the threshold and the measured noise", () => {
  it("calls a +8% median inconclusive when the runs spread by 20%", () => {
    const { gate, metric } = judge("peak_rss", runs(100, 90, 110), runs(108, 98, 118));
    expect(metric.noiseFraction).toBeCloseTo(0.2);
    expect(metric.verdict).toBe("inconclusive");
    expect(gate).toBe("inconclusive");
    expect(metric.reason).toMatch(/within the measured noise/);
  });

  it("calls a +30% median a regression even with 20% spread", () => {
    expect(judge("peak_rss", runs(100, 90, 110), runs(130, 120, 140)).gate).toBe("regression");
  });

  it("uses the noisier of baseline and current runs", () => {
    const { metric } = judge("wall_time", runs(1, 1, 1), runs(1.1, 0.9, 1.4));
    expect(metric.noiseFraction).toBeCloseTo(0.5 / 1.1);
    expect(metric.verdict).toBe("inconclusive");
  });

  it("passes a change under the threshold however noisy the runs", () => {
    expect(judge("cpu_time", runs(1, 0.5, 1.5), runs(1.02, 0.5, 1.5)).gate).toBe("pass");
  });
});

describe("absolute budgets", () => {
  it("passes under the budget and fails over it, without a baseline", () => {
    expect(judge("peak_heap", undefined, exact(500 * 1024), [], ["peak_heap=512KiB"]).gate).toBe("pass");
    const over = judge("peak_heap", undefined, exact(513 * 1024), [], ["peak_heap=512KiB"]);
    expect(over.gate).toBe("regression");
    expect(over.metric.reason).toBe("513 KiB is over the 512 KiB budget");
    expect(over.metric.baseline).toBeUndefined();
  });

  it("calls a noisy figure over budget by less than its spread inconclusive", () => {
    expect(judge("peak_rss", undefined, runs(105, 95, 115), [], ["peak_rss=100"]).metric.verdict).toBe("inconclusive");
    expect(judge("peak_rss", undefined, runs(150, 145, 155), [], ["peak_rss=100"]).metric.verdict).toBe("regression");
  });

  it("fails on the budget even when the relative change passes", () => {
    const { metric } = judge("alloc_count", exact(1000), exact(1010), [], ["alloc_count=1k"]);
    expect(metric.verdict).toBe("regression");
    expect(metric.reason).toMatch(/budget/);
  });
});

describe("the whole gate", () => {
  it("fails when one metric regressed, and keeps every metric's verdict", () => {
    const result = evaluateGate({
      metrics: ["peak_heap", "alloc_count"],
      baseline: { peak_heap: exact(1000), alloc_count: exact(10) },
      current: { peak_heap: exact(1000), alloc_count: exact(20) },
      policy: parseGatePolicy([], []),
    });
    expect(result.verdict).toBe("regression");
    expect(result.metrics.map((m) => m.verdict)).toEqual(["pass", "regression"]);
  });
});
