// Decides the verdict of each gated metric and of the whole gate. Pure: measurements,
// baseline and limits in, verdicts out.
//
// Rules (documented in examples/ci/README.md):
// - relative: change = (now - baseline) / baseline. It is a regression when the change
//   exceeds the metric's --max-increase AND its measured noise, the larger relative
//   spread (max - min over median) of the baseline's runs and of this gate's runs.
//   Deterministic metrics have no noise, so any change beyond the limit counts. When the
//   change exceeds the limit but not the noise, the verdict is "inconclusive".
// - budget: the figure must not exceed the budget; an excess within the current runs'
//   own spread is "inconclusive", beyond it a regression.
// - the gate fails (regression) when any metric regressed; inconclusive metrics never
//   fail it, they say that the machine was too noisy to tell.
import { formatChange, formatLimitPercent, formatMetricValue } from "./format-metric.js";
import { maxIncreaseFor, type GatePolicy } from "./gate-policy.js";
import { METRICS, type MetricKind, type MetricName, type MetricUnit } from "./metrics.js";
import type { MeasuredMetrics, MetricMeasurement } from "./baseline.js";

export type MetricVerdictName = "pass" | "improved" | "inconclusive" | "regression";
export type GateVerdictName = "pass" | "inconclusive" | "regression";

export interface MetricVerdict {
  metric: MetricName;
  kind: MetricKind;
  unit: MetricUnit;
  /** Baseline figure; undefined when the gate has only a budget for this metric. */
  baseline: number | undefined;
  current: number;
  /** (current - baseline) / baseline; Infinity when the baseline was 0 and now is not. */
  changeFraction: number | undefined;
  /** The noise a change must exceed (relative); 0 for deterministic metrics. */
  noiseFraction: number;
  /** The --max-increase limit applied; undefined without a baseline. */
  maxIncreaseFraction: number | undefined;
  /** The --budget applied, in the metric's unit. */
  budget: number | undefined;
  verdict: MetricVerdictName;
  /** Why, in one line: "+10.0% is more than the 5% limit". */
  reason: string;
}

export interface GateResult {
  verdict: GateVerdictName;
  metrics: MetricVerdict[];
}

export interface GateInput {
  metrics: readonly MetricName[];
  /** Baseline measurements; undefined for a budget-only gate. */
  baseline: MeasuredMetrics | undefined;
  current: MeasuredMetrics;
  policy: GatePolicy;
}

const SEVERITY: Record<MetricVerdictName, number> = { pass: 0, improved: 1, inconclusive: 2, regression: 3 };

export function evaluateGate(input: GateInput): GateResult {
  const metrics = input.metrics.map((metric) => evaluateMetric(metric, input));
  const verdict: GateVerdictName = metrics.some((m) => m.verdict === "regression")
    ? "regression"
    : metrics.some((m) => m.verdict === "inconclusive")
      ? "inconclusive"
      : "pass";
  return { verdict, metrics };
}

interface Judgement {
  verdict: MetricVerdictName;
  reason: string;
}

function evaluateMetric(metric: MetricName, input: GateInput): MetricVerdict {
  const current = input.current[metric];
  if (!current) throw new Error(`no measurement of ${metric}`);
  const before = input.baseline?.[metric];
  const budget = input.policy.budgets[metric];
  const maxIncrease = before ? maxIncreaseFor(input.policy, metric) : undefined;
  const changeFraction = before ? relativeChange(before.value, current.value) : undefined;
  const noiseFraction = before ? Math.max(before.spreadFraction, current.spreadFraction) : current.spreadFraction;
  const judgements: Judgement[] = [];
  if (before && changeFraction !== undefined && maxIncrease !== undefined) judgements.push(judgeChange(changeFraction, maxIncrease, noiseFraction));
  if (budget !== undefined) judgements.push(judgeBudget(metric, current, budget));
  const worst = judgements.reduce<Judgement>((a, b) => (SEVERITY[b.verdict] > SEVERITY[a.verdict] ? b : a), { verdict: "pass", reason: "" });
  return {
    metric,
    kind: METRICS[metric].kind,
    unit: METRICS[metric].unit,
    baseline: before?.value,
    current: current.value,
    changeFraction,
    noiseFraction,
    maxIncreaseFraction: maxIncrease,
    budget,
    verdict: worst.verdict,
    reason: worst.reason || judgements.map((j) => j.reason).join("; "),
  };
}

export function relativeChange(baseline: number, current: number): number {
  if (baseline === 0) return current === 0 ? 0 : Infinity;
  return (current - baseline) / baseline;
}

function judgeChange(change: number, limit: number, noise: number): Judgement {
  const shown = formatChange(change);
  const noiseText = noise > 0 ? ` (noise ±${formatLimitPercent(noise)})` : "";
  if (change > limit) {
    if (change > noise) return { verdict: "regression", reason: `${shown} is more than the ${formatLimitPercent(limit)} limit${noiseText}` };
    return { verdict: "inconclusive", reason: `${shown} is more than the ${formatLimitPercent(limit)} limit but within the measured noise${noiseText}` };
  }
  if (change < -limit && -change > noise) return { verdict: "improved", reason: `${shown}: better than the baseline; consider --update-baseline` };
  return { verdict: "pass", reason: `${shown} is within the ${formatLimitPercent(limit)} limit${noiseText}` };
}

function judgeBudget(metric: MetricName, current: MetricMeasurement, budget: number): Judgement {
  const shownBudget = formatMetricValue(metric, budget);
  if (current.value <= budget) return { verdict: "pass", reason: `within the ${shownBudget} budget` };
  const excess = relativeChange(budget, current.value);
  const shownValue = formatMetricValue(metric, current.value);
  if (excess > current.spreadFraction) return { verdict: "regression", reason: `${shownValue} is over the ${shownBudget} budget` };
  return { verdict: "inconclusive", reason: `${shownValue} is over the ${shownBudget} budget but within the measured noise (±${formatLimitPercent(current.spreadFraction)})` };
}
