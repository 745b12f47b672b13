// `allocrun ci` from parsed options to exit code: plan, measure, then either record a new
// baseline or judge against it and write the reports. On a regression under an allocator
// that profiles, also name the allocation sites that grew.
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { environmentError, usageError } from "../core/errors.js";
import { ExitCode } from "../core/exit-codes.js";
import type { Painter } from "../core/terminal.js";
import { TOOL_VERSION } from "../core/version.js";
import { createRunFolder } from "../run/run-folder.js";
import { createBaseline, listBaselineDifferences, type Baseline } from "./baseline.js";
import { writeBaselineFile } from "./baseline-file.js";
import { evaluateGate, type GateResult } from "./evaluate-gate.js";
import { reportGrowingSites, saveSiteSnapshot, type GrowingSitesReport } from "./growing-sites.js";
import { measureProgram, type ProgramMeasurement } from "./measure-program.js";
import { isDeterministic, type MetricName } from "./metrics.js";
import { planGate, type GatePlan, type GateRequest } from "./plan-gate.js";
import { renderBaselineText } from "./render-baseline.js";
import { renderGateMarkdown, renderGateText, type GateContext } from "./render-gate.js";
import { renderGithubAnnotations } from "./render-annotations.js";
import { renderGateJunit } from "./render-junit.js";
import { SITE_SNAPSHOT_FORMAT } from "./site-snapshot.js";
import { buildVerdictReport } from "./verdict-report.js";

export type { GateRequest } from "./plan-gate.js";

export interface GateStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Colours for the table on whichever stream it goes to. */
  tablePainter: Painter;
}

/** One gate in progress: what was asked, what was planned, where it writes. */
interface Gate {
  request: GateRequest;
  plan: GatePlan;
  outDir: string;
  streams: GateStreams;
  say(line: string): void;
}

export async function runGate(request: GateRequest, streams: GateStreams): Promise<number> {
  const plan = planGate(request);
  const outDir = createRunFolder({ outDir: request.outDir, cwd: request.cwd, programPath: `ci-${basename(plan.program)}`, allocator: plan.allocator });
  const gate: Gate = { request, plan, outDir, streams, say: (line) => streams.stderr.write(`allocrun ci: ${line}\n`) };
  const noisy = plan.gated.filter((metric) => !isDeterministic(metric));
  if (noisy.length > 0 && request.runs < 3) gate.say(`warning: with --runs ${request.runs} the noise of ${noisy.join(", ")} cannot be measured; use --runs 5`);
  const measurement = await measure(gate, plan.gated.some(isDeterministic), noisy);
  for (const warning of measurement.warnings) gate.say(`warning: ${warning}`);
  const unmeasured = plan.gated.filter((metric) => measurement.metrics[metric] === undefined);
  if (unmeasured.length > 0) {
    throw environmentError(`could not measure ${unmeasured.join(", ")} (see the warnings above)`, `the runs are in ${shownPath(gate, outDir)}; gate other metrics with --metric`);
  }
  if (request.updateBaseline) return recordBaseline(gate, measurement);
  return judge(gate, measurement);
}

function measure(gate: Gate, exactRun: boolean, noisyMetrics: MetricName[]): Promise<ProgramMeasurement> {
  const { request, plan } = gate;
  return measureProgram({
    program: plan.program,
    argv: request.command,
    allocator: plan.allocator,
    libraryPath: request.libraryPath,
    userSteps: request.steps,
    cwd: request.cwd,
    env: request.env,
    outDir: gate.outDir,
    deterministic: exactRun ? plan.source : undefined,
    noisyMetrics,
    runs: request.runs,
    warmupRuns: request.warmupRuns,
    timeoutSeconds: request.timeoutSeconds,
    onProgress: gate.say,
  });
}

const shownPath = (gate: Gate, path: string) => relative(gate.request.cwd, path) || path;

/** The allocation-site snapshot kept beside the baseline: baseline.json → baseline.sites.json. */
function siteSnapshotPathFor(baselinePath: string): string {
  return join(dirname(baselinePath), `${basename(baselinePath).replace(/\.json$/, "")}.sites.json`);
}

async function recordBaseline(gate: Gate, measurement: ProgramMeasurement): Promise<number> {
  const { request, plan, streams } = gate;
  const profile = measurement.profilePath ? await saveSites(gate, measurement.profilePath) : undefined;
  const baseline = createBaseline({
    toolVersion: TOOL_VERSION,
    createdAt: new Date().toISOString(),
    command: request.command,
    allocator: { name: plan.allocator, library: measurement.allocatorLibrary },
    environment: measurement.host ?? { os: "unknown", kernel: "unknown", arch: process.arch, cpus: 0 },
    runs: plan.gated.some((metric) => !isDeterministic(metric)) ? request.runs : 1,
    metrics: measurement.metrics,
    ...(profile ? { profile } : {}),
  });
  writeBaselineFile(request.baselinePath, baseline);
  const text = renderBaselineText(baseline, shownPath(gate, request.baselinePath), streams.tablePainter);
  (request.json ? streams.stderr : streams.stdout).write(text);
  if (request.json) streams.stdout.write(`${JSON.stringify(baseline, null, 2)}\n`);
  return ExitCode.ok;
}

/** Saves the exact run's allocation sites beside the baseline; a failure costs only the later site report. */
async function saveSites(gate: Gate, profilePath: string): Promise<Baseline["profile"]> {
  const snapshotPath = siteSnapshotPathFor(gate.request.baselinePath);
  try {
    await saveSiteSnapshot({ path: profilePath, program: gate.plan.program, env: gate.request.env }, snapshotPath);
  } catch (error) {
    gate.say(`warning: could not save the allocation sites with the baseline: ${(error as Error).message}`);
    return undefined;
  }
  gate.say(`allocation sites saved to ${shownPath(gate, snapshotPath)} (commit it with the baseline: a regression then names the sites that grew)`);
  return { path: basename(snapshotPath), format: SITE_SNAPSHOT_FORMAT };
}

async function judge(gate: Gate, measurement: ProgramMeasurement): Promise<number> {
  const { request, plan } = gate;
  const result = evaluateGate({ metrics: plan.gated, baseline: plan.baseline?.metrics, current: measurement.metrics, policy: request.policy });
  const warnings = [...measurement.warnings];
  if (plan.baseline && measurement.host) {
    const differences = listBaselineDifferences(plan.baseline, {
      command: request.command,
      allocatorLibrary: measurement.allocatorLibrary,
      environment: measurement.host,
      gatesNoisyMetrics: plan.gated.some((metric) => !isDeterministic(metric)),
    });
    for (const difference of differences) gate.say(`warning: ${difference}`);
    warnings.push(...differences);
  }
  const exitCode = result.verdict === "regression" ? ExitCode.verdictFailed : ExitCode.ok;
  const growth = result.verdict === "regression" ? await explainRegression(gate, result, measurement) : undefined;
  const context = describeGate(gate, measurement);
  const report = buildVerdictReport({
    toolVersion: TOOL_VERSION,
    result,
    exitCode,
    measured: measurement.metrics,
    command: request.command,
    allocator: { name: plan.allocator, library: measurement.allocatorLibrary },
    baselineFile: context.baselineFile,
    outDir: gate.outDir,
    warnings,
    files: ["summary.md", "verdict.json", ...(growth?.files ?? [])],
  });
  const text = renderGateText(result, context, gate.streams.tablePainter) + describeGrowth(gate, growth);
  const markdown = renderGateMarkdown(result, context) + (growth ? `${growth.markdown}\n` : "");
  writeReports(gate, { result, text, markdown, json: `${JSON.stringify(report, null, 2)}\n` });
  if (request.env.GITHUB_ACTIONS === "true") {
    const annotations = renderGithubAnnotations({ result, command: request.command, growth, warnings, workspace: request.env.GITHUB_WORKSPACE ?? request.cwd });
    (request.json ? gate.streams.stderr : gate.streams.stdout).write(annotations);
  }
  return exitCode;
}

/**
 * Under jemalloc or tcmalloc the exact run left a heap profile (or one is recorded now,
 * when only noisy metrics were gated); against the sites saved with the baseline it says
 * where the growth came from. Never changes the verdict: a failure here is a warning.
 */
async function explainRegression(gate: Gate, result: GateResult, measurement: ProgramMeasurement): Promise<GrowingSitesReport | undefined> {
  const { plan, request } = gate;
  if (!plan.source?.profileKind) return undefined;
  const regressed = result.metrics.find((m) => m.verdict === "regression")?.metric;
  if (regressed === undefined) return undefined;
  try {
    let profilePath = measurement.profilePath;
    if (!profilePath) {
      gate.say("recording a heap profile to find what grew");
      profilePath = (await measure(gate, true, [])).profilePath;
    }
    if (!profilePath) return undefined;
    const saved = plan.baseline?.profile ? resolve(dirname(request.baselinePath), plan.baseline.profile.path) : undefined;
    if (saved && !existsSync(saved)) gate.say(`warning: the baseline's allocation sites ${shownPath(gate, saved)} are missing (not committed?)`);
    return await reportGrowingSites({ path: profilePath, program: plan.program, env: request.env }, saved && existsSync(saved) ? saved : undefined, regressed, gate.outDir);
  } catch (error) {
    gate.say(`warning: could not name the growing allocation sites: ${(error as Error).message}`);
    return undefined;
  }
}

function describeGrowth(gate: Gate, growth: GrowingSitesReport | undefined): string {
  if (!growth) return "";
  const files = growth.files.map((file) => shownPath(gate, join(gate.outDir, file))).join(", ");
  const lead = growth.comparedWithBaseline ? "top growing allocation sites" : "largest allocation sites (no sites were saved with the baseline: record it again to compare)";
  return `${lead}: ${growth.topGrowth.join(", ") || "none"}\n  see ${files}\n`;
}

function describeGate(gate: Gate, measurement: ProgramMeasurement): GateContext {
  const { request, plan } = gate;
  const noisy = plan.gated.some((metric) => !isDeterministic(metric));
  const deterministic = plan.gated.some(isDeterministic);
  return {
    command: request.command,
    allocator: plan.allocator + (measurement.allocatorLibrary ? ` (${measurement.allocatorLibrary})` : ""),
    deterministicSource: deterministic && plan.source ? plan.source.description : undefined,
    noisyRuns: noisy ? request.runs : undefined,
    baselineFile: plan.baseline ? shownPath(gate, request.baselinePath) : undefined,
  };
}

interface RenderedVerdict {
  result: GateResult;
  text: string;
  markdown: string;
  json: string;
}

/** The table on stdout (stderr with --json), verdict.json and summary.md in the gate's folder, and the optional reports. */
function writeReports(gate: Gate, { result, text, markdown, json }: RenderedVerdict): void {
  const { request, streams, outDir } = gate;
  writeFileSync(join(outDir, "summary.md"), markdown);
  writeFileSync(join(outDir, "verdict.json"), json);
  if (request.json) {
    streams.stderr.write(text);
    streams.stdout.write(json);
  } else {
    streams.stdout.write(text);
  }
  if (request.junitPath) writeReportFile(resolve(request.cwd, request.junitPath), renderGateJunit(result), "--junit");
  const stepSummary = request.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) appendStepSummary(gate, stepSummary, markdown);
  gate.say(`reports and runs in ${shownPath(gate, outDir)}`);
}

function writeReportFile(path: string, content: string, flag: string): void {
  try {
    writeFileSync(path, content);
  } catch (error) {
    throw usageError(`${flag} ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? "error"})`, `does ${dirname(path)} exist and is it writable?`);
  }
}

/** The job summary is a nicety: failing to write it must not change the verdict. */
function appendStepSummary(gate: Gate, path: string, markdown: string): void {
  try {
    appendFileSync(path, markdown);
  } catch (error) {
    gate.say(`warning: could not append to GITHUB_STEP_SUMMARY (${path}): ${(error as Error).message}`);
  }
}
