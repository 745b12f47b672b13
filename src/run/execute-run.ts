// Runs one prepared program into its own run folder and writes the manifest, whatever
// way the program ends: normal exit, crash, or a forwarded Ctrl-C.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllocatorStats, type AllocatorStatsFound } from "../stats/index.js";
import { checkFragmentation } from "../stats/fragmentation.js";
import { arch, cpus, release } from "node:os";
import { renderProgramVariables, type PreparedRun } from "./prepare-run.js";
import { findLauncher, launchProgram, type LaunchRequest, type LaunchResult } from "./launcher.js";
import { collectStrayProfiles, describeChildProcessArtifacts, listArtifacts } from "./artifacts.js";
import { MANIFEST_SCHEMA_VERSION, writeManifest, type AllocatorRecord, type RunManifest } from "./manifest.js";
import { watchPreloadTakesEffect, type PreloadObservation } from "./verify-preload.js";
import { describeExitQuirks } from "./exit-quirks.js";
import { planPeakCapture, removePartialPeakDumps } from "./peak-capture.js";
import { TOOL_VERSION } from "../core/version.js";

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
}

/** The program's stderr of a run with allocator statistics, kept in the run folder. */
const STATS_LOG = "stats.stderr.log";

export interface ExecutedRun {
  runDir: string;
  manifest: RunManifest;
  launch: LaunchResult;
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
  const launch = await launchProgram({
    file: request.program,
    argv: request.argv,
    env: buildProgramEnvironment(request.baseEnv, vars),
    cwd: request.cwd,
    sampleIntervalMs: request.sampleIntervalMs,
    stdio,
    stdinFile: request.stdinFile,
    timelinePath: `${runDir}/timeline.csv`,
    onStart: (pid) => {
      observation = watchPreloadTakesEffect(pid, preloaded, [findLauncher() ?? "", process.execPath]);
    },
  });
  const seen = observation ? await observation.result : undefined;
  const warnings = [...prepared.warnings];
  if (peakCapture.warning) warnings.push(peakCapture.warning);
  removePartialPeakDumps(runDir);
  let allocatorStats: AllocatorStatsFound | null = null;
  if (wantsStats && launch.stderr !== undefined) {
    writeFileSync(join(runDir, STATS_LOG), launch.stderr);
    allocatorStats = readStatsSafely(launch.stderr.toString("utf8"), warnings);
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
  const allocator = describeAllocator(prepared, seen, artifacts.map((a) => a.kind));
  warnings.push(...describeExitQuirks({ plan: prepared.plan, launch, artifacts }));
  const children = describeChildProcessArtifacts(artifacts);
  if (children) warnings.push(children);
  if (launch.peakRssMethod !== "wait4-rusage") {
    warnings.push("peak RSS was sampled (the native launcher is not built): short peaks may be missed; run `npm rebuild allocrun` with a C compiler installed");
  }
  const { timeline } = launch;
  const manifest: RunManifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    tool: { name: "allocrun", version: TOOL_VERSION },
    command: request.argv,
    program: request.program,
    cwd: request.cwd,
    allocator,
    presets: prepared.plan.presetsApplied,
    env: vars,
    startedAt: launch.startedAt,
    wallSeconds: launch.wallSeconds,
    userSeconds: launch.userSeconds,
    sysSeconds: launch.sysSeconds,
    exitCode: launch.exitCode,
    signal: launch.signal,
    peakRssBytes: launch.peakRssBytes,
    peakRssMethod: launch.peakRssMethod,
    treePeakRssBytes: launch.treePeakRssBytes ?? null,
    meanRssBytes: timeline.length ? Math.round(timeline.reduce((sum, sample) => sum + sample.rssBytes, 0) / timeline.length) : null,
    sampleIntervalMs: request.sampleIntervalMs,
    artifacts,
    allocatorStats,
    warnings,
    host: { os: readOsName(), kernel: release(), arch: arch(), cpus: cpus().length },
  };
  writeManifest(runDir, manifest);
  return { runDir, manifest, launch };
}

function describeAllocator(prepared: PreparedRun, seen: { missing: string[]; checked: boolean } | undefined, artifactKinds: string[]): AllocatorRecord {
  const base = { name: prepared.allocator, library: prepared.allocatorLibrary, version: null };
  if (prepared.allocator === "glibc" || !prepared.allocatorLibrary) {
    return { ...base, verified: true, verifiedBy: "not-needed" };
  }
  if (seen?.checked) {
    if (!seen.missing.includes(prepared.allocatorLibrary)) return { ...base, verified: true, verifiedBy: "maps" };
    return { ...base, verified: false, verifiedBy: "maps", reason: `${prepared.allocatorLibrary} was not mapped into the program: the loader ignored LD_PRELOAD` };
  }
  const ownOutput = prepared.allocator === "jemalloc" ? "jemalloc-heap" : prepared.allocator.startsWith("tcmalloc") ? "gperftools-heap" : undefined;
  if (ownOutput && artifactKinds.includes(ownOutput)) return { ...base, verified: true, verifiedBy: "artifacts" };
  return { ...base, verified: false, verifiedBy: "none", reason: "the program ended before allocrun could look at its memory maps" };
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

function readOsName(): string {
  try {
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
    return match?.[1] ?? "linux";
  } catch {
    return "linux";
  }
}
