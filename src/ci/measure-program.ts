// Runs the gated program and measures it: one instrumented run for the deterministic
// metrics (counted exactly by the allocator's source, see deterministic-sources.ts) and
// N plain runs for the noisy ones (no instrumentation, which would distort RSS and time).
// Every run gets its own run folder inside the gate's output folder; the program's
// output is kept there as stdout.log / stderr.log.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AllocatorName } from "../core/allocators.js";
import { AllocrunError, environmentError, inputError } from "../core/errors.js";
import type { CompositionStep } from "../presets/index.js";
import { readProfileFile } from "../profile/read-profile.js";
import { executeRun, type ExecutedRun } from "../run/execute-run.js";
import type { RunManifest } from "../run/manifest.js";
import { prepareRun } from "../run/prepare-run.js";
import { parseAllocatorStats } from "../stats/index.js";
import type { HostDescription, MeasuredMetrics } from "./baseline.js";
import { extractDeterministicMetrics, type DeterministicSource, type InstrumentedEvidence } from "./deterministic-sources.js";
import { openMemusageTraceTap } from "./memusage-trace-tap.js";
import { METRICS, type MetricName } from "./metrics.js";
import { summarizeSamples } from "./sample-summary.js";

export interface MeasureRequest {
  /** Resolved path of the program. */
  program: string;
  /** argv as the user gave it, argv[0] first. */
  argv: string[];
  allocator: AllocatorName;
  libraryPath: string | undefined;
  /** The user's --preset/--conf/-e/--env-file steps, applied to every run. */
  userSteps: CompositionStep[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The gate's output folder; run folders are created inside. */
  outDir: string;
  /** Undefined: no instrumented run. */
  deterministic: DeterministicSource | undefined;
  /** Noisy metrics to measure; none: no plain runs. */
  noisyMetrics: MetricName[];
  runs: number;
  warmupRuns: number;
  /** Undefined: no limit. */
  timeoutSeconds: number | undefined;
  onProgress: (line: string) => void;
}

export interface ProgramMeasurement {
  metrics: MeasuredMetrics;
  /** The allocator library the runs used (null for glibc). */
  allocatorLibrary: string | null;
  /** Heap profile written by the instrumented run, when its source writes one. */
  profilePath: string | undefined;
  /** The machine, as the runs' manifests describe it. */
  host: HostDescription | undefined;
  warnings: string[];
}

const SAMPLE_INTERVAL_MS = 20;

export async function measureProgram(request: MeasureRequest): Promise<ProgramMeasurement> {
  const result: ProgramMeasurement = { metrics: {}, allocatorLibrary: null, profilePath: undefined, host: undefined, warnings: [] };
  if (request.deterministic) await measureExactly(request, request.deterministic, result);
  if (request.noisyMetrics.length > 0) await measureNoisy(request, result);
  result.warnings = [...new Set(result.warnings)];
  return result;
}

async function measureExactly(request: MeasureRequest, source: DeterministicSource, result: ProgramMeasurement): Promise<void> {
  request.onProgress(`counting allocations exactly (${source.description})`);
  const runDir = createRunDir(request.outDir, "exact");
  const tap = source.needsTraceTap ? openMemusageTraceTap(join(request.outDir, ".memusage-trace.fifo")) : undefined;
  let executed: ExecutedRun;
  let traceTail: Buffer | undefined;
  try {
    executed = await runOnce(request, [...request.userSteps, ...source.steps(tap?.path)], runDir);
  } finally {
    traceTail = await tap?.finish();
  }
  noteRun(result, executed.manifest);
  const stderrText = readFileSync(join(runDir, "stderr.log"), "utf8");
  const evidence: InstrumentedEvidence = { ...parseAllocatorStats(stderrText) };
  if (traceTail) evidence.memusageTraceTail = traceTail;
  const profilePath = findFinalProfile(executed.manifest, runDir, source);
  if (profilePath) {
    evidence.profile = await readProfileFile(profilePath);
    result.profilePath = profilePath;
  }
  const extracted = extractDeterministicMetrics(source, evidence);
  const missing = source.metrics.filter((metric) => extracted.values[metric] === undefined);
  if (missing.length === source.metrics.length) {
    throw environmentError(
      `could not count allocations: ${extracted.problems.join("; ")}`,
      `see ${join(runDir, "stderr.log")}; gate peak_rss instead with --metric peak_rss`,
    );
  }
  result.warnings.push(...extracted.problems);
  for (const [metric, value] of Object.entries(extracted.values) as Array<[MetricName, number]>) {
    const sizes = METRICS[metric].unit === "bytes" ? `, ${source.sizes} sizes` : "";
    result.metrics[metric] = { ...summarizeSamples([value]), source: `${source.description}${sizes}` };
  }
}

async function measureNoisy(request: MeasureRequest, result: ProgramMeasurement): Promise<void> {
  for (let i = 1; i <= request.warmupRuns; i++) {
    request.onProgress(`warm-up run ${i}/${request.warmupRuns}`);
    await runOnce(request, request.userSteps, createRunDir(request.outDir, `warmup-${i}`));
  }
  const manifests: RunManifest[] = [];
  for (let i = 1; i <= request.runs; i++) {
    request.onProgress(`run ${i}/${request.runs}`);
    const executed = await runOnce(request, request.userSteps, createRunDir(request.outDir, `run-${i}`));
    manifests.push(executed.manifest);
    noteRun(result, executed.manifest);
  }
  const peakRssSource = manifests[0]?.peakRssMethod === "wait4-rusage" ? "wait4 ru_maxrss" : "sampled VmHWM";
  for (const metric of request.noisyMetrics) {
    const samples = manifests.map((manifest) => readNoisyMetric(metric, manifest));
    const source = metric === "peak_rss" ? peakRssSource : metric === "cpu_time" ? "wait4 rusage user + sys" : "monotonic clock";
    result.metrics[metric] = { ...summarizeSamples(samples), source: `${source}, median of ${request.runs}` };
  }
}

function noteRun(result: ProgramMeasurement, manifest: RunManifest): void {
  result.allocatorLibrary = manifest.allocator.library;
  result.host = manifest.host;
  result.warnings.push(...manifest.warnings);
}

function readNoisyMetric(metric: MetricName, manifest: RunManifest): number {
  switch (metric) {
    case "peak_rss":
      return manifest.peakRssBytes;
    case "wall_time":
      return manifest.wallSeconds;
    case "cpu_time":
      return manifest.userSeconds + manifest.sysSeconds;
    default:
      throw new Error(`${metric} is not a noisy metric`);
  }
}

/** One run of the program with these steps; a program that fails stops the gate. */
async function runOnce(request: MeasureRequest, steps: CompositionStep[], runDir: string): Promise<ExecutedRun> {
  const prepared = prepareRun({ allocator: request.allocator, steps, libraryPath: request.libraryPath, env: request.env, cwd: request.cwd, program: request.program });
  const executed = await executeRun({
    prepared,
    program: request.program,
    argv: request.argv,
    cwd: request.cwd,
    runDir,
    sampleIntervalMs: SAMPLE_INTERVAL_MS,
    baseEnv: request.env,
    stdio: { stdin: "ignore", stdout: { file: join(runDir, "stdout.log") }, stderr: { file: join(runDir, "stderr.log") } },
    ...(request.timeoutSeconds === undefined ? {} : { timeoutMs: request.timeoutSeconds * 1000 }),
  });
  const { launch } = executed;
  if (launch.timedOut) {
    throw inputError(`the program ran past --timeout ${request.timeoutSeconds}s in ${runDir}: allocrun killed it (and its process group)`, `raise --timeout, or check why it hangs: its output is in ${join(runDir, "stderr.log")}`);
  }
  if (launch.execError) {
    const kind = launch.execError.code === "ENOENT" ? "not-found" : "not-executable";
    throw new AllocrunError(kind, `${request.argv[0]}: ${launch.execError.message}`, { hint: "check the path, the #! line and chmod +x" });
  }
  if (launch.exitCode !== 0) {
    const how = launch.signal ? `died of ${launch.signal}` : `exited with status ${launch.exitCode}`;
    throw inputError(`the program ${how} in ${runDir}; a gate needs a command that succeeds`, `its output is in ${join(runDir, "stderr.log")}${lastLine(join(runDir, "stderr.log"))}`);
  }
  return executed;
}

/** Where allocator reports start in a stderr capture; the program's own words come before. */
const REPORT_MARKERS = ["Memory usage summary:", "MALLOC:", "___ Begin jemalloc statistics", '{"jemalloc":'];

/** The program's last line on stderr, without what the instrumentation appended at exit. */
function lastLine(path: string): string {
  let text: string;
  try {
    text = withoutColourCodes(readFileSync(path, "utf8"));
  } catch {
    return "";
  }
  const cut = Math.min(...REPORT_MARKERS.map((marker) => text.indexOf(marker)).filter((at) => at >= 0), text.length);
  const lines = text.slice(0, cut).trimEnd().split("\n");
  const last = lines[lines.length - 1];
  return last ? ` (last line: ${last.slice(0, 160)})` : "";
}

/** Drops ESC [ ... m sequences (libmemusage colours its summary even into files). */
function withoutColourCodes(text: string): string {
  return text
    .split("\u001b[")
    .map((piece, index) => (index === 0 ? piece : piece.slice(piece.search(/[^0-9;]/) + 1)))
    .join("");
}

function createRunDir(outDir: string, name: string): string {
  const path = join(outDir, name);
  mkdirSync(path, { recursive: true });
  return path;
}

/** The profile written at exit by the launched process itself (not by a child). */
function findFinalProfile(manifest: RunManifest, runDir: string, source: DeterministicSource): string | undefined {
  if (!source.profileKind) return undefined;
  const candidates = manifest.artifacts
    .filter((artifact) => artifact.kind === source.profileKind && artifact.fromChildProcess !== true)
    .map((artifact) => artifact.path)
    .sort();
  // jemalloc marks its exit dump ".f.heap"; gperftools numbers dumps, the last is the exit one.
  const final = source.profileKind === "jemalloc-heap" ? candidates.find((path) => path.endsWith(".f.heap")) : candidates[candidates.length - 1];
  return final === undefined ? undefined : join(runDir, final);
}
