// Runs one prepared program into its own run folder and writes the manifest, whatever
// way the program ends: normal exit, crash, or a forwarded Ctrl-C.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllocatorStats, type AllocatorStatsFound } from "../stats/index.js";
import { checkFragmentation } from "../stats/fragmentation.js";
import { renderProgramVariables, type PreparedRun } from "./prepare-run.js";
import { findLauncher, launchProgram, type LaunchRequest, type LaunchResult } from "./launcher.js";
import { collectStrayProfiles, describeChildProcessArtifacts, listArtifacts } from "./artifacts.js";
import { MANIFEST_SCHEMA_VERSION, writeManifest, type AllocatorRecord, type RunManifest } from "./manifest.js";
import { watchPreloadTakesEffect, type PreloadObservation } from "./verify-preload.js";
import { describeExitQuirks } from "./exit-quirks.js";
import { gatherProcessEvidence, type ProcessEvidence } from "./process-evidence.js";
import { readAllocatorVersion } from "./allocator-version.js";
import { completeRunConditions, describeStartConditions, type StartConditions } from "./run-conditions.js";
import { redactVariables } from "../presets/index.js";
import { planPeakCapture, removePartialPeakDumps } from "./peak-capture.js";
import { TOOL_VERSION } from "../core/version.js";
import { writeFileAtomic } from "../core/atomic-write.js";
import { AllocrunError } from "../core/errors.js";
import { os } from "../core/lazy-builtins.js";
import { describeWriteFailure, writeFailureFix } from "../core/write-failure.js";
import { markStartupPhase } from "../core/startup-trace.js";

export interface ExecuteRequest {
  prepared: PreparedRun;
  program: string;
  argv: string[];
  cwd: string;
  runDir: string;
  sampleIntervalMs: number;
  baseEnv: NodeJS.ProcessEnv;
  stdio?: LaunchRequest["stdio"];
  stdinFile?: string;
  /** Record the values of every variable allocrun set (`--record-env`); by default only
   * allocator, profiler and locale values are recorded, other names with "<set>". */
  recordEnv?: boolean;
  /** See LaunchRequest: the program gets a process group of its own, killed on timeout or stop. */
  timeoutMs?: number;
  stop?: AbortSignal;
}

/** The program's stderr of a run with allocator statistics, kept in the run folder. */
const STATS_LOG = "stats.stderr.log";

export interface ExecutedRun {
  runDir: string;
  manifest: RunManifest;
  launch: LaunchResult;
}

/**
 * The program ran but its manifest could not be saved (a full disk): the message names
 * the folder and the space needed; `executed` still tells how the program ended.
 */
export class RunNotSavedError extends AllocrunError {
  constructor(
    message: string,
    hint: string,
    readonly executed: ExecutedRun,
    cause: unknown,
  ) {
    super("environment", message, { hint, cause });
  }
}

/** The program's environment: the caller's, plus what allocrun sets (LD_PRELOAD merged). */
export function buildProgramEnvironment(baseEnv: NodeJS.ProcessEnv, allocrunVars: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(baseEnv)) if (value !== undefined) env[key] = value;
  for (const [key, value] of Object.entries(allocrunVars)) {
    if (key === "LD_PRELOAD" && env.LD_PRELOAD) {
      // The user's own preloads stay, after ours: the first library defining malloc wins.
      const ours = value.split(/[\s:]+/).filter(Boolean);
      const theirs = env.LD_PRELOAD.split(/[\s:]+/).filter((entry) => entry && !ours.includes(entry));
      env[key] = [...ours, ...theirs].join(" ");
    } else {
      env[key] = value;
    }
  }
  return env;
}

/**
 * The program's stderr, where allocators print their exit statistics: teed by the launcher,
 * or in the file the caller sent it to (ci writes stderr.log). Undefined when not kept.
 */
function readProgramStderr(launch: LaunchResult, stdio: LaunchRequest["stdio"]): Buffer | undefined {
  if (launch.stderr !== undefined) return launch.stderr;
  const stderr = typeof stdio === "object" ? stdio.stderr : undefined;
  if (typeof stderr !== "object" || !("file" in stderr)) return undefined;
  try {
    return readFileSync(stderr.file);
  } catch {
    return undefined;
  }
}

export async function executeRun(request: ExecuteRequest): Promise<ExecutedRun> {
  const { prepared, runDir } = request;
  const peakCapture = planPeakCapture(renderProgramVariables(prepared, runDir, request.program), prepared.target?.executedElf);
  const vars = peakCapture.vars;
  const startedMs = Date.now();
  const preloaded = Object.values(prepared.libraryPaths).filter((path): path is string => Boolean(path));
  let observation: PreloadObservation | undefined;
  // Statistics go to the program's stderr: copy it aside (still shown live) to read them.
  const wantsStats = prepared.plan.artifactHints.some((hint) => hint.kind === "stats");
  const stdio = request.stdio ?? (wantsStats ? { stdin: "inherit" as const, stdout: "inherit" as const, stderr: "tee" as const } : "inherit");
  const programEnv = buildProgramEnvironment(request.baseEnv, vars);
  const launching = launchProgram({
    file: request.program,
    argv: request.argv,
    env: programEnv,
    cwd: request.cwd,
    sampleIntervalMs: request.sampleIntervalMs,
    stdio,
    stdinFile: request.stdinFile,
    ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
    ...(request.stop === undefined ? {} : { stop: request.stop }),
    timelinePath: `${runDir}/timeline.csv`,
    onStart: (pid, { census }) => {
      // The launcher's census already tells, for every process of the run.
      if (!census) observation = watchPreloadTakesEffect(pid, preloaded, [findLauncher() ?? "", process.execPath]);
    },
  });
  // The program has been started (launchProgram spawns before its first await): what does
  // not depend on how it runs is gathered now, in time allocrun would spend waiting.
  markStartupPhase("while the program runs: unchanging manifest parts, wait");
  let unchanging: Unchanging;
  try {
    unchanging = describeUnchanging(request, prepared, programEnv, vars);
  } catch (error) {
    await launching.catch(() => undefined); // a bug here must not leave the program unwatched
    throw error;
  }
  const launch = await launching;
  const seen = observation ? await observation.result : undefined;
  const warnings = [...prepared.warnings];
  if (launch.timedOut) warnings.push(`the program ran past its timeout of ${(request.timeoutMs ?? 0) / 1000}s: allocrun killed its process group`);
  if (peakCapture.warning) warnings.push(peakCapture.warning);
  removePartialPeakDumps(runDir);
  let allocatorStats: AllocatorStatsFound | null = null;
  const statsText = wantsStats ? readProgramStderr(launch, stdio) : undefined;
  if (statsText !== undefined) {
    try {
      writeFileAtomic(join(runDir, STATS_LOG), statsText);
    } catch (error) {
      warnings.push(describeWriteFailure(STATS_LOG, runDir, statsText.length, error));
    }
    allocatorStats = readStatsSafely(statsText.toString("utf8"), warnings);
    if (allocatorStats) {
      for (const finding of checkFragmentation(allocatorStats, launch.peakRssBytes)) warnings.push(`${finding.what} — ${finding.fix}`);
    }
  }
  // Only a profiling run can leave dumps behind (a user's relative prof_prefix/HEAPPROFILE).
  if (prepared.plan.artifactHints.length > 0) {
    for (const moved of collectStrayProfiles(request.cwd, startedMs - 1000, runDir)) {
      warnings.push(`moved ${moved} from the working directory into the run folder`);
    }
  }
  const artifacts = listArtifacts(runDir, launch.pid);
  const evidence = launch.processes
    ? gatherProcessEvidence({
        observed: launch.processes,
        allocator: prepared.allocator,
        programPid: launch.pid,
        programExe: request.program,
        peakRssBytes: launch.peakRssBytes,
        ...(launch.processesNotRecorded ? { notRecorded: launch.processesNotRecorded } : {}),
      })
    : undefined;
  if (evidence) warnings.push(...evidence.warnings);
  const allocator = describeAllocator(prepared, unchanging.allocatorVersion, evidence ?? seen, artifacts.map((a) => a.kind));
  warnings.push(...describeExitQuirks({ plan: prepared.plan, launch, artifacts }));
  const children = describeChildProcessArtifacts(artifacts);
  if (children) warnings.push(children);
  if (launch.timelineError !== undefined) warnings.push(`timeline.csv is incomplete: ${launch.timelineError}`);
  if (launch.peakRssMethod !== "wait4-rusage") {
    warnings.push("peak RSS was sampled (the native launcher is not built): short peaks may be missed; run `npm rebuild allocrun` with a C compiler installed");
  }
  const manifest: RunManifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    tool: { name: "allocrun", version: TOOL_VERSION },
    command: request.argv,
    program: request.program,
    cwd: request.cwd,
    allocator,
    presets: prepared.plan.presetsApplied,
    env: unchanging.env,
    conditions: completeRunConditions(unchanging.conditions, {
      processes: launch.processes,
      programPid: launch.pid,
      scriptInterpreter: prepared.target?.elf === undefined ? prepared.target?.executedElf?.fileName : undefined,
    }),
    startedAt: launch.startedAt,
    wallSeconds: launch.wallSeconds,
    userSeconds: launch.userSeconds,
    sysSeconds: launch.sysSeconds,
    exitCode: launch.exitCode,
    signal: launch.signal,
    peakRssBytes: launch.peakRssBytes,
    peakRssMethod: launch.peakRssMethod,
    programPeakRssBytes: programPeakOf(launch),
    treePeakRssBytes: launch.treePeakRssBytes ?? null,
    meanRssBytes: launch.timeline.meanRssBytes,
    sampleIntervalMs: request.sampleIntervalMs,
    processes: evidence?.processes ?? null,
    artifacts,
    allocatorStats,
    warnings,
    host: unchanging.host,
  };
  const executed = { runDir, manifest, launch };
  saveManifest(executed);
  return executed;
}

/** Writes (or rewrites) the manifest; throws RunNotSavedError when it cannot. */
export function saveManifest(executed: ExecutedRun): void {
  try {
    writeManifest(executed.runDir, executed.manifest);
  } catch (error) {
    const neededBytes = Buffer.byteLength(JSON.stringify(executed.manifest, null, 2));
    throw new RunNotSavedError(describeWriteFailure("manifest.json", executed.runDir, neededBytes, error), writeFailureFix(error), executed, error);
  }
}

type PreloadSeen = { missing: string[]; checked: boolean } | ProcessEvidence;

function describeAllocator(prepared: PreparedRun, version: string | null, seen: PreloadSeen | undefined, artifactKinds: string[]): AllocatorRecord {
  const base = { name: prepared.allocator, library: prepared.allocatorLibrary, version };
  if (prepared.allocator === "glibc" || !prepared.allocatorLibrary) {
    return { ...base, verified: true, verifiedBy: "not-needed" };
  }
  const notMapped = `${prepared.allocatorLibrary} was not mapped into the program: the loader ignored LD_PRELOAD`;
  if (seen && "processes" in seen) {
    // The census: every process of the run, not only the first.
    if (seen.failure !== undefined) return { ...base, verified: false, verifiedBy: "maps", reason: seen.failure };
    if (seen.seenInProgram) return { ...base, verified: true, verifiedBy: "maps" };
    const program = seen.processes.find((process) => process.allocatorSeen === false);
    if (program) return { ...base, verified: false, verifiedBy: "maps", reason: notMapped };
  } else if (seen?.checked) {
    if (!seen.missing.includes(prepared.allocatorLibrary)) return { ...base, verified: true, verifiedBy: "maps" };
    return { ...base, verified: false, verifiedBy: "maps", reason: notMapped };
  }
  const ownOutput = prepared.allocator === "jemalloc" ? "jemalloc-heap" : prepared.allocator.startsWith("tcmalloc") ? "gperftools-heap" : undefined;
  if (ownOutput && artifactKinds.includes(ownOutput)) return { ...base, verified: true, verifiedBy: "artifacts" };
  return { ...base, verified: false, verifiedBy: "none", reason: "the program ended before allocrun could look at its memory maps" };
}

/**
 * The program's own peak (its main process): ru_maxrss also covers the children it waited
 * for. With no child seen that is the program's; otherwise the largest VmHWM seen of it.
 */
function programPeakOf(launch: LaunchResult): number | null {
  const own = launch.processes?.filter((process) => process.pid === launch.pid) ?? [];
  const hadChildren = (launch.processes ?? []).some((process) => process.pid !== launch.pid);
  if (launch.peakRssMethod === "wait4-rusage" && !hadChildren) return launch.peakRssBytes;
  const seen = Math.max(0, ...own.map((process) => process.hwmKib * 1024), launch.timeline.points.reduce((peak, sample) => Math.max(peak, sample.hwmBytes ?? 0), 0));
  return seen > 0 ? seen : null;
}

/** The stats parsers reject a broken report; a run must still finish, so that becomes a warning. */
function readStatsSafely(text: string, warnings: string[]): AllocatorStatsFound | null {
  try {
    const found = parseAllocatorStats(text);
    return Object.keys(found).length > 0 ? found : null;
  } catch (error) {
    warnings.push(`the allocator's statistics could not be read (${(error as Error).message}); they are in ${STATS_LOG}`);
    return null;
  }
}

/** The parts of the manifest that do not depend on the program's run. */
interface Unchanging {
  conditions: StartConditions;
  host: RunManifest["host"];
  env: RunManifest["env"];
  allocatorVersion: string | null;
}

function describeUnchanging(request: ExecuteRequest, prepared: PreparedRun, programEnv: Record<string, string>, vars: Record<string, string>): Unchanging {
  return {
    conditions: describeStartConditions(request.program, programEnv, vars),
    host: { os: readOsName(), kernel: os().release(), arch: os().arch(), cpus: os().cpus().length },
    env: redactVariables(vars, request.recordEnv ?? false),
    allocatorVersion: readAllocatorVersion(prepared.allocator, prepared.allocatorLibrary),
  };
}

function readOsName(): string {
  try {
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
    return match?.[1] ?? "linux";
  } catch {
    return "linux";
  }
}
