// The machine-readable verdict (`--json`, and verdict.json in the gate's folder).
// Documented in examples/ci/README.md; bump VERDICT_SCHEMA_VERSION on incompatible changes.
import type { MeasuredMetrics } from "./baseline.js";
import type { GateResult, GateVerdictName, MetricVerdictName } from "./evaluate-gate.js";
import type { MetricKind, MetricName, MetricUnit } from "./metrics.js";

export const VERDICT_SCHEMA_VERSION = 1;

export interface MetricVerdictRecord {
  metric: MetricName;
  kind: MetricKind;
  unit: MetricUnit;
  baseline: number | null;
  current: number;
  /** (current - baseline) / baseline; null without a baseline or when the baseline was 0. */
  changeFraction: number | null;
  noiseFraction: number;
  maxIncreaseFraction: number | null;
  budget: number | null;
  verdict: MetricVerdictName;
  reason: string;
  /** The figure of every run behind `current`. */
  samples: number[];
  source: string;
}

export interface VerdictReport {
  schemaVersion: number;
  tool: { name: "allocrun"; version: string };
  verdict: GateVerdictName;
  /** 0 pass or inconclusive, 1 regression. */
  exitCode: number;
  command: string[];
  allocator: { name: string; library: string | null };
  baselineFile: string | null;
  /** The folder holding the runs and reports of this gate. */
  outDir: string;
  metrics: MetricVerdictRecord[];
  warnings: string[];
  /** Extra files written for a regression (growing allocation sites), relative to outDir. */
  files: string[];
}

export interface VerdictReportInput {
  toolVersion: string;
  result: GateResult;
  exitCode: number;
  measured: MeasuredMetrics;
  command: string[];
  allocator: { name: string; library: string | null };
  baselineFile: string | undefined;
  outDir: string;
  warnings: string[];
  files: string[];
}

export function buildVerdictReport(input: VerdictReportInput): VerdictReport {
  return {
    schemaVersion: VERDICT_SCHEMA_VERSION,
    tool: { name: "allocrun", version: input.toolVersion },
    verdict: input.result.verdict,
    exitCode: input.exitCode,
    command: input.command,
    allocator: input.allocator,
    baselineFile: input.baselineFile ?? null,
    outDir: input.outDir,
    metrics: input.result.metrics.map((m) => ({
      metric: m.metric,
      kind: m.kind,
      unit: m.unit,
      baseline: m.baseline ?? null,
      current: m.current,
      changeFraction: m.changeFraction === undefined || !Number.isFinite(m.changeFraction) ? null : m.changeFraction,
      noiseFraction: m.noiseFraction,
      maxIncreaseFraction: m.maxIncreaseFraction ?? null,
      budget: m.budget ?? null,
      verdict: m.verdict,
      reason: m.reason,
      samples: input.measured[m.metric]?.samples ?? [m.current],
      source: input.measured[m.metric]?.source ?? "",
    })),
    warnings: input.warnings,
    files: input.files,
  };
}
