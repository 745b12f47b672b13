// The limits a gate applies: a relative threshold per metric (`--max-increase`, global or
// METRIC=PCT) and absolute budgets (`--budget METRIC=VALUE`). Parsing only; verdicts are
// decided in evaluate-gate.ts.
import { usageError } from "../core/errors.js";
import { parseBytes, parseDurationMs } from "../core/units.js";
import { findClosestNames } from "../core/closest-names.js";
import { isMetricName, METRIC_NAMES, METRICS, type MetricName } from "./metrics.js";

/** Documented default: a metric may grow by 5% before the gate fails. */
export const DEFAULT_MAX_INCREASE_FRACTION = 0.05;

export interface GatePolicy {
  /** `--max-increase PCT` without a metric name; the default when absent. */
  defaultMaxIncreaseFraction: number;
  /** `--max-increase METRIC=PCT`. */
  maxIncreaseFraction: Partial<Record<MetricName, number>>;
  /** `--budget METRIC=VALUE`, in the metric's unit (bytes, count, seconds). */
  budgets: Partial<Record<MetricName, number>>;
}

export function maxIncreaseFor(policy: GatePolicy, metric: MetricName): number {
  return policy.maxIncreaseFraction[metric] ?? policy.defaultMaxIncreaseFraction;
}

/** Metrics the user named in a threshold or budget: they are gated even without --metric. */
export function metricsNamedByPolicy(policy: GatePolicy): MetricName[] {
  const named = new Set<MetricName>([...(Object.keys(policy.maxIncreaseFraction) as MetricName[]), ...(Object.keys(policy.budgets) as MetricName[])]);
  return METRIC_NAMES.filter((name) => named.has(name));
}

export function parseGatePolicy(maxIncreaseTexts: readonly string[], budgetTexts: readonly string[]): GatePolicy {
  const policy: GatePolicy = { defaultMaxIncreaseFraction: DEFAULT_MAX_INCREASE_FRACTION, maxIncreaseFraction: {}, budgets: {} };
  for (const text of maxIncreaseTexts) {
    const { metric, value } = splitMetricAssignment(text, "--max-increase", false);
    const fraction = parsePercent(value, text);
    if (metric === undefined) policy.defaultMaxIncreaseFraction = fraction;
    else policy.maxIncreaseFraction[metric] = fraction;
  }
  for (const text of budgetTexts) {
    const { metric, value } = splitMetricAssignment(text, "--budget", true);
    policy.budgets[metric as MetricName] = parseBudgetValue(metric as MetricName, value, text);
  }
  return policy;
}

export function parseMetricName(text: string, flagName: string): MetricName {
  const name = text.trim().replace(/-/g, "_");
  if (isMetricName(name)) return name;
  const [suggestion] = findClosestNames(name, METRIC_NAMES, 1);
  throw usageError(
    `unknown metric "${text}" in ${flagName}`,
    suggestion ? `did you mean ${suggestion}? (metrics: ${METRIC_NAMES.join(", ")})` : `metrics: ${METRIC_NAMES.join(", ")}`,
  );
}

function splitMetricAssignment(text: string, flagName: string, metricRequired: boolean): { metric: MetricName | undefined; value: string } {
  const equals = text.indexOf("=");
  if (equals < 0) {
    if (metricRequired) throw usageError(`${flagName} needs METRIC=VALUE, got "${text}"`, `for example ${flagName} peak_rss=512MiB`);
    return { metric: undefined, value: text };
  }
  return { metric: parseMetricName(text.slice(0, equals), flagName), value: text.slice(equals + 1) };
}

/** "5%", "5" and "2.5%" are percentages; the result is a fraction (0.05). */
function parsePercent(value: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
  if (!match) throw usageError(`--max-increase needs a percentage such as 5% or alloc_count=2%, got "${text}"`);
  return Number(match[1]) / 100;
}

function parseBudgetValue(metric: MetricName, value: string, text: string): number {
  const unit = METRICS[metric].unit;
  const parsed = unit === "bytes" ? parseBytes(value) : unit === "seconds" ? parseSeconds(value) : parseCount(value);
  if (parsed === undefined) {
    const example = unit === "bytes" ? `${metric}=512MiB (B, KiB, MiB, GiB)` : unit === "seconds" ? `${metric}=2.5s (ms, s, m)` : `${metric}=100000 (or 100k, 2M)`;
    throw usageError(`--budget ${text}: "${value}" is not a ${unit === "count" ? "count" : unit === "bytes" ? "size" : "duration"}`, `for example --budget ${example}`);
  }
  return parsed;
}

/** A bare number is seconds here (a budget of "2" milliseconds is never what anyone means). */
function parseSeconds(value: string): number | undefined {
  if (/^\s*\d+(?:\.\d+)?\s*$/.test(value)) return Number(value);
  const ms = parseDurationMs(value);
  return ms === undefined ? undefined : ms / 1000;
}

const COUNT_SUFFIXES: Record<string, number> = { "": 1, k: 1e3, m: 1e6, g: 1e9 };

function parseCount(value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)\s*$/i.exec(value);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (COUNT_SUFFIXES[(match[2] ?? "").toLowerCase()] ?? 1));
}
