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
import { findParetoFront, metricValues, recommendVariant, summarizeNoise, summarizeVariants, type VariantRuns } from "./analyze.js";
import { recordMachineLoad } from "./machine-load.js";
import { explainPeakMemory } from "./memory-breakdown.js";
import { COMPARE_SCHEMA_VERSION, METRICS, type CompareReport, type CompareStop, type CompareSettings, type RunRecord, type RunTimeline, type TimelinePoint } from "./report-model.js";
import { planRuns, type PlannedRun } from "./schedule.js";
import { median, runsNeededForSignificance, smallestPossiblePValue } from "./statistics.js";
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
  /** False: settings.runs is a default, raised when the number of tests needs more runs. */
  runsExplicit?: boolean;
  showOutput: boolean;
  /** Aborting stops the compare at once: the running program's group is killed, the report is partial. */
  stop?: AbortSignal;
}

export interface CompareProgress {
  /** 1-based position in the schedule and its length. */
  done: number;
  total: number;
  variant: string;
  /** A noise-check run shows as a measured run of "<baseline> (A/A copy)". */
  phase: Exclude<PlannedRun["phase"], "noise">;
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
  /** The baseline's A/A copy runs (noise check); empty for other variants. */
  noiseRuns: RunRecord[];
  statsRecord: RunRecord | undefined;
  /** The variables allocrun set for the program, from the first measured run's manifest. */
  env: Record<string, string>;
  notes: Set<string>;
}

/** Fewer RSS samples per run than this make mean RSS too rough for a verdict. */
const MIN_SAMPLES_FOR_MEAN = 5;

/** The most runs per variant a default run count is raised to. */
const MAX_AUTOMATIC_RUNS = 12;

export async function runComparison(request: CompareRequest, hooks: CompareHooks = {}): Promise<CompareOutcome> {
  const notes: string[] = [];
  const note = (message: string) => {
    notes.push(message);
    hooks.onNote?.(message);
  };
  const variants = request.variants.length ? request.variants : chooseInstalledVariants(request.env, note);
  if (variants.length === 0) throw environmentError("no allocator to compare", "install one of libjemalloc2, libgoogle-perftools4, libmimalloc2.0, or name variants with -a");
  const baseline = chooseBaseline(variants, request.baseline, note);
  request = { ...request, settings: { ...request.settings, runs: chooseRunCount(request, variants.length, note) } };
  const folderNames = assignFolderNames(variants.map((v) => v.label));
  const prepared: PreparedVariant[] = variants.map((variant, index) => prepareVariant(variant, folderNames[index] as string, request));
  for (const entry of prepared) for (const warning of entry.prepared.warnings) entry.notes.add(warning);

  const compareFolder = createRunFolder({ outDir: request.outDir, cwd: request.cwd, programPath: request.program, allocator: "compare" });
  const startedAt = new Date().toISOString();
  const statsVariants = request.settings.statsRuns ? prepared.flatMap((entry, index) => (entry.statsPrepared ? [index] : [])) : [];
  const baselineIndex = prepared.findIndex((entry) => entry.variant.label === baseline);
  const noiseCopyOf = request.settings.noiseCheck && prepared.length > 1 ? baselineIndex : undefined;
  const schedule = planRuns({ variantCount: prepared.length, warmup: request.settings.warmup, runs: request.settings.runs, statsVariants, noiseCopyOf });
  const statsText = new Map<PreparedVariant, string>();
  const load = recordMachineLoad();
  let stopped: CompareStop | null = null;
  const stopAs = (reason: CompareStop["reason"], detail: string, runsDone: number) => (stopped = { reason, detail, runsDone, runsPlanned: schedule.length });
  const firstRound: RunRecord[] = [];

  for (const [position, planned] of schedule.entries()) {
    if (request.stop?.aborted) {
      stopAs("signal", describeAbort(request.stop), position);
      break;
    }
    const entry = prepared[planned.variantIndex] as PreparedVariant;
    const isNoise = planned.phase === "noise";
    const shownPhase: CompareProgress["phase"] = planned.phase === "noise" ? "measured" : planned.phase;
    hooks.onRunStart?.({ done: position + 1, total: schedule.length, variant: isNoise ? `${entry.variant.label} (A/A copy)` : entry.variant.label, phase: shownPhase, iteration: planned.iteration });
    await runPrepareCommand(request);
    const suffix = { measured: `${planned.iteration}`, warmup: `warmup-${planned.iteration}`, noise: `aa-${planned.iteration}`, stats: "stats" }[planned.phase];
    const folder = `${entry.folderName}-${suffix}`;
    const runDir = createRunFolder({ outDir: join(compareFolder, folder), cwd: request.cwd, programPath: request.program, allocator: entry.variant.allocator });
    const isStats = planned.phase === "stats";
    load.sample();
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
      timeoutMs: request.settings.timeoutSeconds === null ? undefined : request.settings.timeoutSeconds * 1000,
      // Always given, so that the program leads its own process group and one kill stops all of it.
      stop: request.stop ?? new AbortController().signal,
    });
    if (executed.launch.execError) throw new AllocrunError(executed.launch.execError.code === "ENOENT" ? "not-found" : "not-executable", executed.launch.execError.message);
    const interrupted = request.stop?.aborted === true;
    const record = recordRun(executed, planned.iteration, folder, request.settings.timeoutSeconds, interrupted);
    load.addProgramCpu(record.userSeconds + record.sysSeconds);
    collectRunNotes(entry, executed);
    if (!record.ok && !interrupted) hooks.onRunFailed?.(isNoise ? `${entry.variant.label} (A/A copy)` : entry.variant.label, record, shownPhase);
    if (planned.phase === "measured") {
      if (entry.runs.length === 0) entry.env = executed.manifest.env;
      entry.runs.push(record);
      entry.timelines.push(executed.launch.timeline.points.map((s) => ({ tMs: s.tMs, rssBytes: s.rssBytes })));
    } else if (planned.phase === "warmup") entry.warmupRuns.push(record);
    else if (isNoise) entry.noiseRuns.push(record);
    else {
      entry.statsRecord = record;
      statsText.set(entry, readTextIfPresent(join(runDir, "stderr.log")));
    }
    if (interrupted) {
      stopAs("signal", describeAbort(request.stop as AbortSignal), position + 1);
      break;
    }
    if (record.timedOut && request.settings.onTimeout === "stop") {
      stopAs("timeout", `${entry.variant.label} ran past --timeout ${request.settings.timeoutSeconds}s (${record.folder}); --on-timeout stop ends the compare there`, position + 1);
      break;
    }
    // The first round of runs (warm-up, or measured without one) failing under every
    // variant is the program failing, not an allocator: stop instead of repeating it.
    const isFirstRound = planned.iteration === 1 && planned.phase === (request.settings.warmup > 0 ? "warmup" : "measured");
    if (isFirstRound) {
      firstRound.push(record);
      if (firstRound.length === prepared.length && firstRound.every((run) => !run.ok)) {
        stopAs("program-failed", `the program failed under every variant in the first ${planned.phase === "warmup" ? "warm-up " : ""}round (${firstRound[0]?.failure}); fix the command first (its runs are in ${compareFolder})`, position + 1);
        break;
      }
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
    footprintOnly: entry.prepared.allocatorLibrary !== null && entry.prepared.target?.executedElf?.isGo === true,
  }));
  const sampleCounts = prepared.flatMap((entry) => entry.timelines.map((timeline) => timeline.length));
  const roughMeanRss = sampleCounts.length > 0 && median(sampleCounts) < MIN_SAMPLES_FOR_MEAN;
  if (roughMeanRss) {
    note(`most runs lasted fewer than 5 sampling intervals (${request.settings.sampleIntervalMs} ms): mean RSS is rough; use a shorter --sample-interval or a longer workload`);
  }
  const comparisonSettings = { alpha: request.settings.alpha, minEffect: request.settings.minEffect };
  const baselineEntry = prepared[baselineIndex] as PreparedVariant;
  const noise = noiseCopyOf === undefined ? null : summarizeNoise(baseline, baselineEntry.runs, baselineEntry.noiseRuns, comparisonSettings);
  const results = summarizeVariants(inputs, baseline, comparisonSettings, noise, roughMeanRss);
  const machine = load.finish();
  if (machine.warning) note(machine.warning);
  const baselineResult = results.find((result) => result.variant === baseline);
  const noisy = METRICS.filter(({ key }) => baselineResult?.[key]?.highSpread).map(({ title, key }) => `${title} ±${((baselineResult?.[key]?.spread.relativeMad ?? 0) * 100).toFixed(0)}%`);
  if (noisy.length) note(`the baseline ${baseline} varies a lot from run to run (${noisy.join(", ")}): a multithreaded or nondeterministic workload; its verdicts need differences larger than that`);
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
    noise,
    machine,
    stopped,
    notes,
  };
  const timelines = new Map<string, RunTimeline>();
  for (const entry of prepared) {
    const timeline = pickMedianTimeline(entry);
    if (timeline) timelines.set(entry.variant.label, timeline);
  }
  return { report, timelines };
}

function describeAbort(stop: AbortSignal): string {
  return typeof stop.reason === "string" ? stop.reason : "stopped";
}

/** Runs per variant: the smallest exact p-value must pass Holm's first step over every test. */
function chooseRunCount(request: CompareRequest, variantCount: number, note: (message: string) => void): number {
  const { runs, alpha } = request.settings;
  const tests = (variantCount - 1) * METRICS.length;
  if (tests === 0) return runs;
  const needed = runsNeededForSignificance(tests, alpha, runs, MAX_AUTOMATIC_RUNS);
  if (request.runsExplicit === false) return needed;
  if (smallestPossiblePValue(runs, runs) >= alpha / tests) {
    note(`with ${runs} runs per variant and ${tests} tests (Holm) no difference can be significant at ${alpha} (smallest p ${smallestPossiblePValue(runs, runs).toFixed(3)}); use --runs ${runsNeededForSignificance(tests, alpha, runs)} or more`);
  }
  return runs;
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
  return { variant, prepared, statsPrepared, folderName, runs: [], warmupRuns: [], noiseRuns: [], timelines: [], statsRecord: undefined, env: {}, notes };
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

function recordRun(executed: ExecutedRun, iteration: number, folder: string, timeoutSeconds: number | null, interrupted: boolean): RunRecord {
  const m = executed.manifest;
  const timedOut = executed.launch.timedOut;
  const ended = m.signal ? `killed by ${m.signal}` : m.exitCode !== 0 ? `exit status ${m.exitCode}` : null;
  const failure = timedOut ? `timed out after ${timeoutSeconds}s (${ended ?? "killed"})` : interrupted ? `interrupted (${ended ?? "stopped"})` : ended;
  return {
    iteration,
    folder,
    ok: failure === null,
    exitCode: m.exitCode,
    signal: m.signal,
    failure,
    timedOut,
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
