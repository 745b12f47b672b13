// Runs a comparison: prepares every variant up front (so a typo fails before the first
// run), runs the interleaved schedule into one compare folder, then summarizes. This is
// the shell around the pure parts (statistics, analyze, memory-breakdown, renderers).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import type { AllocatorName, LibraryName } from "../core/allocators.js";
import { AllocrunError, environmentError, inputError, isAllocrunError } from "../core/errors.js";
import { TOOL_VERSION } from "../core/version.js";
import { locateLibrary } from "../detect/index.js";
import { executeRun, type ExecutedRun } from "../run/execute-run.js";
import { prepareRun, type PreparedRun } from "../run/prepare-run.js";
import { createRunFolder } from "../run/run-folder.js";
import { parseAllocatorStats } from "../stats/index.js";
import { findParetoFront, metricValues, recommendVariant, summarizeVariants, type VariantRuns } from "./analyze.js";
import { explainPeakMemory } from "./memory-breakdown.js";
import { COMPARE_SCHEMA_VERSION, METRICS, type CompareReport, type CompareSettings, type RunRecord, type RunTimeline, type TimelinePoint } from "./report-model.js";
import { planRuns, type PlannedRun } from "./schedule.js";
import { median, smallestPossiblePValue } from "./statistics.js";
import { assignFolderNames, DEFAULT_VARIANT_ALLOCATORS, type Variant } from "./variants.js";

export interface CompareRequest {
  /** Empty: every installed allocator of DEFAULT_VARIANT_ALLOCATORS. */
  variants: Variant[];
  /** Label of the baseline; undefined: "glibc" if compared, else the first variant. */
  baseline: string | undefined;
  program: string;
  /** argv of the program, argv[0] as the user typed it. */
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** -o: the compare folder; undefined: ./allocrun-out/<time>-<program>-compare. */
  outDir: string | undefined;
  settings: CompareSettings;
  showOutput: boolean;
}

export interface CompareProgress {
  /** 1-based position in the schedule and its length. */
  done: number;
  total: number;
  variant: string;
  phase: PlannedRun["phase"];
  iteration: number;
}

export interface CompareHooks {
  onNote?: (message: string) => void;
  onRunStart?: (progress: CompareProgress) => void;
  onRunFailed?: (variant: string, record: RunRecord, phase: PlannedRun["phase"]) => void;
}

export interface CompareOutcome {
  report: CompareReport;
  /** Timeline of each variant's median run (by peak RSS), for charts; absent without successful runs. */
  timelines: Map<string, RunTimeline>;
}

interface PreparedVariant {
  variant: Variant;
  prepared: PreparedRun;
  /** Same variant with its allocator's statistics preset added; undefined when it has none. */
  statsPrepared: PreparedRun | undefined;
  folderName: string;
  runs: RunRecord[];
  warmupRuns: RunRecord[];
  timelines: TimelinePoint[][];
  statsRecord: RunRecord | undefined;
  /** The variables allocrun set for the program, from the first measured run's manifest. */
  env: Record<string, string>;
  notes: Set<string>;
}

export async function runComparison(request: CompareRequest, hooks: CompareHooks = {}): Promise<CompareOutcome> {
  const notes: string[] = [];
  const note = (message: string) => {
    notes.push(message);
    hooks.onNote?.(message);
  };
  const variants = request.variants.length ? request.variants : chooseInstalledVariants(request.env, note);
  if (variants.length === 0) throw environmentError("no allocator to compare", "install one of libjemalloc2, libgoogle-perftools4, libmimalloc2.0, or name variants with -a");
  const baseline = chooseBaseline(variants, request.baseline, note);
  const runsNeeded = smallestPossiblePValue(request.settings.runs, request.settings.runs);
  if (runsNeeded >= request.settings.alpha && variants.length > 1) {
    note(`with ${request.settings.runs} runs per variant no difference can be significant at ${request.settings.alpha} (smallest p ${runsNeeded.toFixed(2)}); use --runs 4 or more`);
  }
  const folderNames = assignFolderNames(variants.map((v) => v.label));
  const prepared: PreparedVariant[] = variants.map((variant, index) => prepareVariant(variant, folderNames[index] as string, request));
  for (const entry of prepared) for (const warning of entry.prepared.warnings) entry.notes.add(warning);

  const compareFolder = createRunFolder({ outDir: request.outDir, cwd: request.cwd, programPath: request.program, allocator: "compare" });
  const startedAt = new Date().toISOString();
  const statsVariants = request.settings.statsRuns ? prepared.flatMap((entry, index) => (entry.statsPrepared ? [index] : [])) : [];
  const schedule = planRuns({ variantCount: prepared.length, warmup: request.settings.warmup, runs: request.settings.runs, statsVariants });
  const statsText = new Map<PreparedVariant, string>();

  for (const [position, planned] of schedule.entries()) {
    const entry = prepared[planned.variantIndex] as PreparedVariant;
    hooks.onRunStart?.({ done: position + 1, total: schedule.length, variant: entry.variant.label, phase: planned.phase, iteration: planned.iteration });
    await runPrepareCommand(request);
    const suffix = planned.phase === "measured" ? `${planned.iteration}` : planned.phase === "warmup" ? `warmup-${planned.iteration}` : "stats";
    const folder = `${entry.folderName}-${suffix}`;
    const runDir = createRunFolder({ outDir: join(compareFolder, folder), cwd: request.cwd, programPath: request.program, allocator: entry.variant.allocator });
    const isStats = planned.phase === "stats";
    const executed = await executeRun({
      prepared: isStats ? (entry.statsPrepared as PreparedRun) : entry.prepared,
      program: request.program,
      argv: request.argv,
      cwd: request.cwd,
      runDir,
      sampleIntervalMs: request.settings.sampleIntervalMs,
      baseEnv: request.env,
      stdio: {
        stdin: "ignore",
        stdout: request.showOutput ? "inherit" : "ignore",
        // Allocator statistics arrive on stderr: the statistics run keeps it in its folder.
        stderr: isStats ? { file: join(runDir, "stderr.log") } : request.showOutput ? "inherit" : "ignore",
      },
      stdinFile: request.settings.input ?? undefined,
    });
    if (executed.launch.execError) throw new AllocrunError(executed.launch.execError.code === "ENOENT" ? "not-found" : "not-executable", executed.launch.execError.message);
    const record = recordRun(executed, planned.iteration, folder);
    collectRunNotes(entry, executed);
    if (!record.ok) hooks.onRunFailed?.(entry.variant.label, record, planned.phase);
    if (planned.phase === "measured") {
      if (entry.runs.length === 0) entry.env = executed.manifest.env;
      entry.runs.push(record);
      entry.timelines.push(executed.launch.timeline.points.map((s) => ({ tMs: s.tMs, rssBytes: s.rssBytes })));
    } else if (planned.phase === "warmup") entry.warmupRuns.push(record);
    else {
      entry.statsRecord = record;
      statsText.set(entry, readTextIfPresent(join(runDir, "stderr.log")));
    }
  }

  const inputs: VariantRuns[] = prepared.map((entry) => ({
    variant: entry.variant.label,
    allocator: entry.variant.allocator,
    library: entry.prepared.allocatorLibrary,
    presets: entry.prepared.plan.presetsApplied,
    env: entry.env,
    runs: entry.runs,
    warmupRuns: entry.warmupRuns,
    breakdown: explainVariant(entry, statsText.get(entry)),
    notes: [...entry.notes],
  }));
  const sampleCounts = prepared.flatMap((entry) => entry.timelines.map((timeline) => timeline.length));
  if (sampleCounts.length && median(sampleCounts) < 5) {
    note(`most runs lasted fewer than 5 sampling intervals (${request.settings.sampleIntervalMs} ms): mean RSS is rough; use a shorter --sample-interval or a longer workload`);
  }
  const results = summarizeVariants(inputs, baseline, { alpha: request.settings.alpha, minEffect: request.settings.minEffect });
  const report: CompareReport = {
    schemaVersion: COMPARE_SCHEMA_VERSION,
    tool: { name: "allocrun", version: TOOL_VERSION },
    command: request.argv,
    program: request.program,
    cwd: request.cwd,
    startedAt,
    compareFolder,
    settings: request.settings,
    baseline,
    metrics: METRICS.map((m) => m.key),
    results,
    pareto: findParetoFront(results),
    recommendation: recommendVariant(results, baseline, request.settings.alpha),
    notes,
  };
  const timelines = new Map<string, RunTimeline>();
  for (const entry of prepared) {
    const timeline = pickMedianTimeline(entry);
    if (timeline) timelines.set(entry.variant.label, timeline);
  }
  return { report, timelines };
}

/** Default variants: each of glibc, jemalloc, tcmalloc, mimalloc whose library is found here. */
function chooseInstalledVariants(env: NodeJS.ProcessEnv, note: (message: string) => void): Variant[] {
  const found: Variant[] = [];
  for (const allocator of DEFAULT_VARIANT_ALLOCATORS) {
    if (allocator !== "glibc") {
      try {
        locateLibrary(allocator as LibraryName, {}, env);
      } catch (error) {
        if (!isAllocrunError(error)) throw error;
        note(`skipping ${allocator}: ${error.message}${error.hint ? ` (${error.hint})` : ""}`);
        continue;
      }
    }
    found.push({ label: allocator, allocator, steps: [] });
  }
  return found;
}

function chooseBaseline(variants: readonly Variant[], asked: string | undefined, note: (message: string) => void): string {
  if (asked !== undefined) {
    if (variants.some((v) => v.label === asked)) return asked;
    throw new AllocrunError("usage", `--baseline ${asked} is not one of the compared variants`, { hint: `choose one of ${variants.map((v) => v.label).join(", ")}` });
  }
  if (variants.some((v) => v.label === "glibc")) return "glibc";
  const first = (variants[0] as Variant).label;
  note(`glibc is not among the variants: ${first} is the baseline`);
  return first;
}

function prepareVariant(variant: Variant, folderName: string, request: CompareRequest): PreparedVariant {
  const prepare = (steps: Variant["steps"]) =>
    prepareRun({ allocator: variant.allocator, steps, libraryPath: undefined, env: request.env, cwd: request.cwd, program: request.program });
  const prepared = prepare(variant.steps);
  let statsPrepared: PreparedRun | undefined;
  const notes = new Set<string>();
  if (request.settings.statsRuns) {
    try {
      statsPrepared = prepare([...variant.steps, { kind: "flag", flag: "stats" }]);
    } catch (error) {
      // An allocator without a statistics preset gets no breakdown; the report says why.
      if (!isAllocrunError(error) || error.kind !== "usage") throw error;
      notes.add(`no statistics run, so no breakdown: ${error.message}`);
    }
  }
  return { variant, prepared, statsPrepared, folderName, runs: [], warmupRuns: [], timelines: [], statsRecord: undefined, env: {}, notes };
}

/** --prepare: a shell command before every run; its failure stops the comparison. */
async function runPrepareCommand(request: CompareRequest): Promise<void> {
  const command = request.settings.prepare;
  if (!command) return;
  const result = await execa("/bin/sh", ["-c", command], {
    cwd: request.cwd, env: request.env, extendEnv: false, stdio: ["ignore", request.showOutput ? "inherit" : "ignore", "inherit"], reject: false,
  });
  if (result.exitCode === undefined && result.signal === undefined) throw environmentError(`--prepare could not start /bin/sh: ${result.originalMessage ?? String(result.cause)}`);
  if (result.failed) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with status ${result.exitCode}`;
    throw inputError(`--prepare "${command}" ${how}`, "fix the command; it runs with /bin/sh -c before every run");
  }
}

function recordRun(executed: ExecutedRun, iteration: number, folder: string): RunRecord {
  const m = executed.manifest;
  const failure = m.signal ? `killed by ${m.signal}` : m.exitCode !== 0 ? `exit status ${m.exitCode}` : null;
  return {
    iteration,
    folder,
    ok: failure === null,
    exitCode: m.exitCode,
    signal: m.signal,
    failure,
    peakRssBytes: m.peakRssBytes,
    peakRssMethod: m.peakRssMethod,
    meanRssBytes: m.meanRssBytes,
    wallSeconds: m.wallSeconds,
    userSeconds: m.userSeconds,
    sysSeconds: m.sysSeconds,
  };
}

/** Per-variant notes worth a user's attention, each said once. */
function collectRunNotes(entry: PreparedVariant, executed: ExecutedRun): void {
  const allocator = executed.manifest.allocator;
  // Said once per variant: the pid in "busybox (pid 4242) is static" differs from run to run.
  if (!allocator.verified && allocator.verifiedBy === "maps" && allocator.reason) entry.notes.add(allocator.reason.replace(/ \(pid \d+\)/g, ""));
  if (executed.manifest.peakRssMethod !== "wait4-rusage") entry.notes.add("peak RSS was sampled, not taken from wait4: short peaks may be missed (build the native launcher)");
}

function explainVariant(entry: PreparedVariant, text: string | undefined) {
  if (!entry.statsRecord || text === undefined) return null;
  const peaks = metricValues(entry.runs, "peakRssBytes");
  if (peaks.length === 0) return null;
  let found;
  try {
    found = parseAllocatorStats(text);
  } catch (error) {
    if (!isAllocrunError(error)) throw error;
    entry.notes.add(`statistics run: ${error.message}`);
    return null;
  }
  const breakdown = explainPeakMemory({ allocator: entry.variant.allocator as AllocatorName, found, peakRssBytes: median(peaks), statsFolder: entry.statsRecord.folder });
  if (!breakdown) entry.notes.add(`the statistics run printed no ${entry.variant.allocator} statistics (${entry.statsRecord.failure ?? whyNoStatistics(entry)})`);
  return breakdown;
}

/** A static program never loads a preloaded statistics library; others may skip exit handlers. */
function whyNoStatistics(entry: PreparedVariant): string {
  const elf = entry.statsPrepared?.target?.executedElf;
  if (elf?.isStatic) return `${elf.isGo ? "a Go program, " : ""}statically linked: the statistics library cannot be preloaded into it`;
  return "the program may exit without running exit handlers";
}

function readTextIfPresent(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** The timeline of the successful run whose peak RSS is the median (lower middle for even counts). */
function pickMedianTimeline(entry: PreparedVariant): RunTimeline | undefined {
  const candidates = entry.runs.map((run, index) => ({ run, index })).filter(({ run }) => run.ok);
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => a.run.peakRssBytes - b.run.peakRssBytes);
  const middle = candidates[Math.floor((candidates.length - 1) / 2)] as { run: RunRecord; index: number };
  return { iteration: middle.run.iteration, points: entry.timelines[middle.index] ?? [] };
}
