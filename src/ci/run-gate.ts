// `allocrun ci` from parsed options to exit code: decide what to gate, find the baseline,
// measure, then either record a new baseline or judge against it and write the reports.
import { appendFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import type { AllocatorName } from "../core/allocators.js";
import { inputError, usageError } from "../core/errors.js";
import { ExitCode } from "../core/exit-codes.js";
import type { Painter } from "../core/terminal.js";
import { TOOL_VERSION } from "../core/version.js";
import type { CompositionStep } from "../presets/index.js";
import { resolveProgram } from "../run/resolve-program.js";
import { createRunFolder } from "../run/run-folder.js";
import { createBaseline, listBaselineDifferences, type Baseline } from "./baseline.js";
import { readBaselineFile, writeBaselineFile } from "./baseline-file.js";
import { allocatorsProviding, deterministicSourceFor, type DeterministicSource } from "./deterministic-sources.js";
import { evaluateGate, type GateResult } from "./evaluate-gate.js";
import { metricsNamedByPolicy, type GatePolicy } from "./gate-policy.js";
import { measureProgram, type ProgramMeasurement } from "./measure-program.js";
import { chooseDefaultMetrics, isDeterministic, METRIC_NAMES, NOISY_METRICS, type MetricName } from "./metrics.js";
import { renderBaselineText } from "./render-baseline.js";
import { renderGateMarkdown, renderGateText, type GateContext } from "./render-gate.js";
import { renderGateJunit } from "./render-junit.js";
import { buildVerdictReport, type VerdictReport } from "./verdict-report.js";

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
  outDir: string | undefined;
  junitPath: string | undefined;
  json: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface GateStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Colours for the table on whichever stream it goes to. */
  tablePainter: Painter;
}

interface GatePlan {
  program: string;
  allocator: AllocatorName;
  source: DeterministicSource | undefined;
  baseline: Baseline | undefined;
  gated: MetricName[];
}

export async function runGate(request: GateRequest, streams: GateStreams): Promise<number> {
  const plan = planGate(request);
  const say = (line: string) => streams.stderr.write(`allocrun ci: ${line}\n`);
  const outDir = createRunFolder({ outDir: request.outDir, cwd: request.cwd, programPath: `ci-${basename(plan.program)}`, allocator: plan.allocator });
  const deterministicGated = plan.gated.some(isDeterministic);
  const measurement = await measureProgram({
    program: plan.program,
    argv: request.command,
    allocator: plan.allocator,
    libraryPath: request.libraryPath,
    userSteps: request.steps,
    cwd: request.cwd,
    env: request.env,
    outDir,
    deterministic: deterministicGated ? plan.source : undefined,
    noisyMetrics: plan.gated.filter((metric) => !isDeterministic(metric)),
    runs: request.runs,
    warmupRuns: request.warmupRuns,
    onProgress: say,
  });
  for (const warning of measurement.warnings) say(`warning: ${warning}`);
  if (request.updateBaseline) return recordBaseline(request, plan, measurement, streams);
  return judge(request, plan, measurement, outDir, streams);
}

/** Everything decided before anything runs, so usage errors come first and cost nothing. */
function planGate(request: GateRequest): GatePlan {
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

function recordBaseline(request: GateRequest, plan: GatePlan, measurement: ProgramMeasurement, streams: GateStreams): number {
  const baseline = createBaseline({
    toolVersion: TOOL_VERSION,
    createdAt: new Date().toISOString(),
    command: request.command,
    allocator: { name: plan.allocator, library: measurement.allocatorLibrary },
    environment: measurement.host ?? { os: "unknown", kernel: "unknown", arch: process.arch, cpus: 0 },
    runs: plan.gated.some((metric) => !isDeterministic(metric)) ? request.runs : 1,
    metrics: measurement.metrics,
  });
  writeBaselineFile(request.baselinePath, baseline);
  const shown = relative(request.cwd, request.baselinePath) || request.baselinePath;
  const text = renderBaselineText(baseline, shown, streams.tablePainter);
  (request.json ? streams.stderr : streams.stdout).write(text);
  if (request.json) streams.stdout.write(`${JSON.stringify(baseline, null, 2)}\n`);
  return ExitCode.ok;
}

function judge(request: GateRequest, plan: GatePlan, measurement: ProgramMeasurement, outDir: string, streams: GateStreams): number {
  const result = evaluateGate({ metrics: plan.gated, baseline: plan.baseline?.metrics, current: measurement.metrics, policy: request.policy });
  const warnings = [...measurement.warnings];
  if (plan.baseline && measurement.host) {
    const differences = listBaselineDifferences(plan.baseline, {
      command: request.command,
      allocatorLibrary: measurement.allocatorLibrary,
      environment: measurement.host,
      gatesNoisyMetrics: plan.gated.some((metric) => !isDeterministic(metric)),
    });
    for (const difference of differences) streams.stderr.write(`allocrun ci: warning: ${difference}\n`);
    warnings.push(...differences);
  }
  const exitCode = result.verdict === "regression" ? ExitCode.verdictFailed : ExitCode.ok;
  const context = describeGate(request, plan, measurement);
  const report = buildVerdictReport({
    toolVersion: TOOL_VERSION,
    result,
    exitCode,
    measured: measurement.metrics,
    command: request.command,
    allocator: { name: plan.allocator, library: measurement.allocatorLibrary },
    baselineFile: context.baselineFile,
    outDir,
    warnings,
    files: ["summary.md", "verdict.json"],
  });
  writeReports(request, { result, context, report }, streams);
  return exitCode;
}

function describeGate(request: GateRequest, plan: GatePlan, measurement: ProgramMeasurement): GateContext {
  const noisy = plan.gated.some((metric) => !isDeterministic(metric));
  const deterministic = plan.gated.some(isDeterministic);
  return {
    command: request.command,
    allocator: plan.allocator + (measurement.allocatorLibrary ? ` (${measurement.allocatorLibrary})` : ""),
    deterministicSource: deterministic && plan.source ? plan.source.description : undefined,
    noisyRuns: noisy ? request.runs : undefined,
    baselineFile: plan.baseline ? relative(request.cwd, request.baselinePath) || request.baselinePath : undefined,
  };
}

interface JudgedGate {
  result: GateResult;
  context: GateContext;
  report: VerdictReport;
}

/** The table on stdout (stderr with --json), verdict.json and summary.md in the gate's folder, and the optional reports. */
function writeReports(request: GateRequest, { result, context, report }: JudgedGate, streams: GateStreams): void {
  const text = renderGateText(result, context, streams.tablePainter);
  const markdown = renderGateMarkdown(result, context);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(join(report.outDir, "summary.md"), markdown);
  writeFileSync(join(report.outDir, "verdict.json"), json);
  if (request.json) {
    streams.stderr.write(text);
    streams.stdout.write(json);
  } else {
    streams.stdout.write(text);
  }
  if (request.junitPath) writeReportFile(resolve(request.cwd, request.junitPath), renderGateJunit(result), "--junit");
  const stepSummary = request.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) appendStepSummary(stepSummary, markdown, streams);
  streams.stderr.write(`allocrun ci: reports and runs in ${relative(request.cwd, report.outDir) || report.outDir}\n`);
}

function writeReportFile(path: string, content: string, flag: string): void {
  try {
    writeFileSync(path, content);
  } catch (error) {
    throw usageError(`${flag} ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? "error"})`, `does ${dirname(path)} exist and is it writable?`);
  }
}

/** The job summary is a nicety: failing to write it must not change the verdict. */
function appendStepSummary(path: string, markdown: string, streams: GateStreams): void {
  try {
    appendFileSync(path, markdown);
  } catch (error) {
    streams.stderr.write(`allocrun ci: warning: could not append to GITHUB_STEP_SUMMARY (${path}): ${(error as Error).message}\n`);
  }
}
