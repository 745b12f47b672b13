// What a gate will do, decided before anything runs so that usage errors come first and
// cost nothing: the program, the allocator, the baseline (or none for budgets only), the
// gated metrics and whether the allocator's exact source can count them.
import type { AllocatorName } from "../core/allocators.js";
import { inputError, usageError } from "../core/errors.js";
import type { CompositionStep } from "../presets/index.js";
import { resolveProgram } from "../run/resolve-program.js";
import type { Baseline } from "./baseline.js";
import { readBaselineFile } from "./baseline-file.js";
import { allocatorsProviding, deterministicSourceFor, type DeterministicSource } from "./deterministic-sources.js";
import { metricsNamedByPolicy, type GatePolicy } from "./gate-policy.js";
import { chooseDefaultMetrics, isDeterministic, METRIC_NAMES, NOISY_METRICS, type MetricName } from "./metrics.js";

export interface GateRequest {
  /** The program and its arguments. */
  command: string[];
  /** -a; undefined: the baseline's allocator, else glibc. */
  allocator: AllocatorName | undefined;
  libraryPath: string | undefined;
  steps: CompositionStep[];
  /** --metric, in the order given; empty: the defaults. */
  metrics: MetricName[];
  policy: GatePolicy;
  /** Whether --max-increase was given at all (it needs a baseline). */
  maxIncreaseGiven: boolean;
  baselinePath: string;
  /** Whether --baseline was given (a missing file is then always an error). */
  baselineGiven: boolean;
  updateBaseline: boolean;
  runs: number;
  warmupRuns: number;
  /** --timeout: a run that lasts longer is killed (with its process group) and fails the gate. */
  timeoutSeconds: number | undefined;
  outDir: string | undefined;
  junitPath: string | undefined;
  json: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface GatePlan {
  program: string;
  allocator: AllocatorName;
  source: DeterministicSource | undefined;
  baseline: Baseline | undefined;
  gated: MetricName[];
}

export function planGate(request: GateRequest): GatePlan {
  const [programName] = request.command;
  if (programName === undefined) throw usageError("no program to gate", "usage: allocrun ci [--baseline FILE] [options] -- PROGRAM [ARGS...]");
  const program = resolveProgram(programName, request.cwd, request.env.PATH);
  const budgetOnly = isBudgetOnly(request);
  const baseline = budgetOnly ? undefined : readBaselineForPlan(request);
  const allocator = request.allocator ?? baseline?.allocator.name ?? "glibc";
  if (!request.updateBaseline && !budgetOnly) {
    if (!baseline) throw inputError(`no baseline at ${request.baselinePath}`, "record one with --update-baseline (same command and options), then commit it");
    if (baseline.allocator.name !== allocator) {
      throw usageError(
        `${request.baselinePath} was recorded under ${baseline.allocator.name}, but this gate runs under ${allocator}`,
        `pass -a ${baseline.allocator.name}, or record a new baseline with --update-baseline`,
      );
    }
  }
  const source = deterministicSourceFor(allocator);
  const gated = chooseGatedMetrics(request, source, budgetOnly);
  checkMetricsAvailable(gated, allocator, source);
  if (baseline && !request.updateBaseline) checkBaselineHasMetrics(baseline, gated, request.baselinePath);
  return { program, allocator, source, baseline: request.updateBaseline ? undefined : baseline, gated };
}

/**
 * Budgets alone need no baseline: without --baseline and --max-increase, and with every
 * --metric budgeted, the gate judges the budgets only and does not read the default baseline
 * (which may belong to another allocator's gate in the same project).
 */
function isBudgetOnly(request: GateRequest): boolean {
  const budgeted = Object.keys(request.policy.budgets);
  if (request.updateBaseline || request.baselineGiven || request.maxIncreaseGiven || budgeted.length === 0) return false;
  return request.metrics.every((metric) => budgeted.includes(metric));
}

/** When updating, an unreadable old baseline does not matter; it only suggests the allocator. */
function readBaselineForPlan(request: GateRequest): Baseline | undefined {
  if (!request.updateBaseline) return readBaselineFile(request.baselinePath);
  try {
    return readBaselineFile(request.baselinePath);
  } catch {
    return undefined;
  }
}

function chooseGatedMetrics(request: GateRequest, source: DeterministicSource | undefined, budgetOnly: boolean): MetricName[] {
  const named = metricsNamedByPolicy(request.policy);
  let chosen: MetricName[];
  if (request.metrics.length > 0) chosen = [...request.metrics, ...named];
  else if (budgetOnly) chosen = named;
  else chosen = [...chooseDefaultMetrics(new Set([...(source?.metrics ?? []), ...NOISY_METRICS])), ...named];
  const unique = new Set(chosen);
  return METRIC_NAMES.filter((metric) => unique.has(metric));
}

function checkMetricsAvailable(gated: MetricName[], allocator: AllocatorName, source: DeterministicSource | undefined): void {
  for (const metric of gated) {
    if (!isDeterministic(metric) || source?.metrics.includes(metric)) continue;
    const others = allocatorsProviding(metric).map((name) => `-a ${name}`);
    throw usageError(
      `${metric} cannot be counted exactly under ${allocator}${source ? ` (${source.description} provides ${source.metrics.join(", ")})` : ""}`,
      `gate it with ${others.join(" or ")} (the program's allocations do not depend on the allocator), or choose another --metric`,
    );
  }
}

function checkBaselineHasMetrics(baseline: Baseline, gated: MetricName[], path: string): void {
  const missing = gated.filter((metric) => baseline.metrics[metric] === undefined);
  if (missing.length === 0) return;
  throw inputError(
    `${path} has no value for ${missing.join(", ")}`,
    `record ${missing.length > 1 ? "them" : "it"} with --update-baseline ${missing.map((metric) => `--metric ${metric}`).join(" ")}`,
  );
}
