// Runs one program and measures it: exit status, peak RSS, CPU and wall time, and a
// memory timeline of its process tree. On the `run` hot path: node: builtins only.
//
// Peak RSS comes from ru_maxrss of wait4 in native/build/allocrun-launch (see
// native/launch.c for why a C launcher). Without it (no compiler at install time) the
// program is spawned straight from node and the peak is the largest VmHWM sampled,
// which misses whatever the program touches after the last sample: the method is
// reported in LaunchResult.peakRssMethod.
import type { ChildProcess, StdioOptions } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { childProcess, temporaryDirectory } from "../core/lazy-builtins.js";
import { environmentError, inputError } from "../core/errors.js";
import { packagePath } from "../core/package-root.js";
import { ExitCode } from "../core/exit-codes.js";
import {
  errnoNameOf,
  parseLauncherStatusLine,
  signalNameOf,
  signalNumberFromName,
  type LauncherEvent,
  type ObservedProcess,
} from "./launcher-status.js";
import {
  DEFAULT_SAMPLE_INTERVAL_MS,
  MemorySampler,
  NO_SAMPLER_COST,
  type SamplerCost,
  type SamplerSummary,
} from "./sampler.js";
import { holdSignals, type SignalHold } from "./signal-relay.js";
import { StatusFile } from "./status-file.js";
import { spawnInheritingStdio, type InheritedStdio, type InheritedStdioChild } from "./inherited-stdio-spawn.js";
import type { RecordedTimeline } from "./timeline-recorder.js";
import { guardProcessGroup, signalProcessGroup, type GroupStop } from "./group-stop.js";
import { monotonicMs } from "../core/monotonic-ms.js";
import { markStartupPhase } from "../core/startup-trace.js";

export type { MemorySample } from "./sampler.js";
export type { ObservedProcess } from "./launcher-status.js";
export type { RecordedTimeline } from "./timeline-recorder.js";

const NO_TIMELINE: RecordedTimeline = { samples: 0, meanRssBytes: null, minRssBytes: null, maxRssBytes: null, windowSamples: 1, points: [] };

const LAUNCHER_PATH = packagePath("native/build/allocrun-launch");
const LAUNCHER_SOURCES = ["launch.c", "process-census.c", "process-census.h"].map((name) => packagePath(`native/${name}`));
const BUILD_SCRIPT = packagePath("scripts/build-native.mjs");
/** The launcher takes the program's LD_PRELOAD under this name (see native/launch.c). */
const TARGET_PRELOAD_VARIABLE = "ALLOCRUN_TARGET_LD_PRELOAD";

/** The built launcher, if there is one (a cheap existence check). */
export function findLauncher(): string | undefined {
  return existsSync(LAUNCHER_PATH) ? LAUNCHER_PATH : undefined;
}

/** Left beside the launcher when building it failed: later runs do not try again until a source changes. */
const FAILED_BUILD_MARKER = `${LAUNCHER_PATH}.build-failed`;

const modifiedMs = (path: string) => statSync(path).mtimeMs;

/**
 * The launcher, (re)built first when it is missing (an install whose postinstall could not
 * build it, a checkout without `npm install`) or older than its sources; undefined when it
 * cannot be built here (no C compiler). A failed build is tried again only after a
 * source changes, so a machine without a compiler does not pay for it on every run.
 */
export function ensureLauncher(): string | undefined {
  const sources = LAUNCHER_SOURCES.filter((source) => existsSync(source));
  const newestSourceMs = Math.max(0, ...sources.map(modifiedMs));
  if (existsSync(LAUNCHER_PATH) && modifiedMs(LAUNCHER_PATH) >= newestSourceMs) return LAUNCHER_PATH;
  if (sources.length === 0) return findLauncher();
  if (existsSync(FAILED_BUILD_MARKER) && modifiedMs(FAILED_BUILD_MARKER) >= newestSourceMs) return findLauncher();
  try {
    childProcess().execFileSync(process.execPath, [BUILD_SCRIPT, "--quiet"], { stdio: ["ignore", 2, 2] });
  } catch {
    // The script explains itself on stderr.
  }
  if (existsSync(LAUNCHER_PATH)) return LAUNCHER_PATH;
  try {
    mkdirSync(dirname(FAILED_BUILD_MARKER), { recursive: true });
    writeFileSync(FAILED_BUILD_MARKER, "");
  } catch {
    // A read-only install: the attempt repeats, which is all it costs.
  }
  return undefined;
}

export type InputSpec = "inherit" | "ignore" | { file: string };
/**
 * "capture" collects the stream into LaunchResult.stdout/stderr; "tee" does that and also
 * passes it on to allocrun's own stream as it arrives; { file } writes it there.
 */
export type OutputSpec = "inherit" | "ignore" | "capture" | "tee" | { file: string };
export interface StdioPlan {
  stdin?: InputSpec;
  stdout?: OutputSpec;
  stderr?: OutputSpec;
}

export interface LaunchRequest {
  /** Absolute path of the program (already resolved against PATH). */
  file: string;
  /** argv[0] first. */
  argv: string[];
  /** The program's full environment (LD_PRELOAD included: it reaches the program only). */
  env: Record<string, string>;
  cwd: string;
  /** Memory sampling interval; DEFAULT_SAMPLE_INTERVAL_MS (20) when 0 or less. */
  sampleIntervalMs: number;
  /** "inherit" (default: the program owns the terminal), "ignore" (stdin from /dev/null,
   * output discarded), or per stream. */
  stdio?: "inherit" | "ignore" | StdioPlan;
  /** Feeds the program's standard input from this file (overrides stdio's stdin). */
  stdinFile?: string;
  /** Called with the program's pid once it runs. */
  onStart?: (pid: number, how: ProgramStart) => void;
  /** Streams the memory timeline to this CSV file (columns in src/run/sampler.ts). */
  timelinePath?: string;
  /** The launcher binary; undefined: findLauncher(); null: spawn from node (sampled VmHWM). */
  launcherPath?: string | null;
  /** Stop the program (its whole process group) after this long; implies a group of its own. */
  timeoutMs?: number;
  /** Aborting stops the program's whole process group at once; implies a group of its own. */
  stop?: AbortSignal;
}

/** How long a stopped program gets between SIGTERM (or the relayed Ctrl-C) and SIGKILL. */
const STOP_GRACE_MS = 500;
/** The launcher's switch for a program-owned process group (see native/launch.c). */
const OWN_GROUP_VARIABLE = "ALLOCRUN_LAUNCH_OWN_GROUP";

export type PeakRssMethod = "wait4-rusage" | "sampled-vmhwm";

export interface LaunchResult {
  /** The program's pid; 0 when it could not be executed. */
  pid: number;
  /** Exit code; 127 (not found) or 126 (not executable) with execError; null when killed. */
  exitCode: number | null;
  /** "SIGTERM" when killed by a signal. */
  signal: string | null;
  signalNumber: number | null;
  /** High-water mark of the program's own resident set (main process). */
  peakRssBytes: number;
  peakRssMethod: PeakRssMethod;
  userSeconds: number;
  sysSeconds: number;
  wallSeconds: number;
  /** ISO time the program was started. */
  startedAt: string;
  /** Summary of every sample, and the kept ones (all, or the lowest and highest per window). */
  timeline: RecordedTimeline;
  /** Largest RSS summed over the process tree among the samples. */
  treePeakRssBytes?: number;
  /** Whether PSS (smaps_rollup) could be read. */
  pssAvailable: boolean;
  /** Why timelinePath could not be written, if it could not (the timeline above is complete). */
  timelineError?: string;
  /** The program could not be executed: code is the errno name (ENOENT, EACCES, ENOEXEC). */
  execError?: { code: string; message: string };
  /** Signals allocrun passed on to the program (not those it got directly, e.g. Ctrl-C). */
  forwardedSignals: string[];
  /** The program ran past LaunchRequest.timeoutMs and its process group was killed. */
  timedOut: boolean;
  /** Sampler cost, for overhead measurements. */
  samplerCost: SamplerCost;
  /** Every process the launcher saw run (the program, its forks and what they exec'd);
   * undefined without the native launcher. */
  processes?: ObservedProcess[];
  /** Processes the launcher saw but could not record (its table was full). */
  processesNotRecorded?: number;
  stdout?: Buffer;
  stderr?: Buffer;
}

/** Runs the program to completion. Rejects only when allocrun itself could not run it;
 * a program that fails, is killed or cannot be executed resolves normally. */
export async function launchProgram(request: LaunchRequest): Promise<LaunchResult> {
  const launcher = request.launcherPath === undefined ? ensureLauncher() : (request.launcherPath ?? undefined);
  const io = openStdio(request.stdio ?? "inherit", request.stdinFile);
  const signals = holdSignals();
  try {
    return await (launcher ? runThroughLauncher(request, launcher, io.stdio, signals) : runDirectly(request, io.stdio, signals));
  } finally {
    signals.release();
    for (const fd of io.openedFds) closeSync(fd);
  }
}

function openStdio(plan: "inherit" | "ignore" | StdioPlan, stdinFile: string | undefined): { stdio: StdioOptions; openedFds: number[] } {
  const spec: Required<StdioPlan> =
    typeof plan === "string" ? { stdin: plan, stdout: plan, stderr: plan } : { stdin: "inherit", stdout: "inherit", stderr: "inherit", ...plan };
  if (stdinFile !== undefined) spec.stdin = { file: stdinFile };
  const openedFds: number[] = [];
  const open = (file: string, flags: string): number => {
    const fd = openSync(file, flags);
    openedFds.push(fd);
    return fd;
  };
  const output = (stream: OutputSpec) =>
    typeof stream === "object" ? open(stream.file, "w") : stream === "capture" || stream === "tee" ? "pipe" : stream;
  try {
    const stdin = typeof spec.stdin === "object" ? open(spec.stdin.file, "r") : spec.stdin;
    return { stdio: [stdin, output(spec.stdout), output(spec.stderr)], openedFds };
  } catch (error) {
    for (const fd of openedFds) closeSync(fd);
    throw inputError(`cannot open a file for the program's standard streams: ${(error as Error).message}`, "check the path and its permissions", error);
  }
}

/** Everything a run collects before its result is assembled. */
interface RunRecord {
  request: LaunchRequest;
  startedAt: string;
  originMs: number;
  pid: number;
  sampler?: MemorySampler;
  summary?: SamplerSummary;
  forwardedSignals: string[];
  processes?: ObservedProcess[];
  processesNotRecorded?: number;
  /** Set when the program gets a process group of its own (timeout or stop asked for). */
  groupStop: GroupStop | undefined;
  /** Thrown by onStart: reported once the program is done, not in the middle of it. */
  callbackError?: unknown;
  stdout: Buffer[] | undefined;
  stderr: Buffer[] | undefined;
}

/** The launcher's process: a ChildProcess when some stream is piped, else the lighter kind. */
type LauncherChild = ChildProcess | InheritedStdioChild;

function beginRecord(request: LaunchRequest, child: LauncherChild): RunRecord {
  const record: RunRecord = {
    request,
    startedAt: new Date().toISOString(),
    originMs: monotonicMs(),
    pid: 0,
    forwardedSignals: [],
    groupStop: guardProcessGroup({ timeoutMs: request.timeoutMs, stop: request.stop, graceMs: STOP_GRACE_MS }),
    stdout: child.stdout ? [] : undefined,
    stderr: child.stderr ? [] : undefined,
  };
  const plan = typeof request.stdio === "object" ? request.stdio : undefined;
  child.stdout?.on("data", (chunk: Buffer) => {
    record.stdout?.push(chunk);
    if (plan?.stdout === "tee") process.stdout.write(chunk);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    record.stderr?.push(chunk);
    if (plan?.stderr === "tee") process.stderr.write(chunk);
  });
  return record;
}

/** How the program was started: `census` when the native launcher watches every process
 * (LaunchResult.processes says whether the preloaded libraries were mapped in each). */
export interface ProgramStart {
  census: boolean;
}

/** `ended`: the program is already gone (its end came with its pid): nothing to sample. */
function startSampling(record: RunRecord, pid: number, startedBy: "launcher" | "node", ended = false): void {
  const readCpuTimes = startedBy === "node"; // the launcher reports them from wait4
  record.pid = pid;
  const intervalMs = record.request.sampleIntervalMs > 0 ? record.request.sampleIntervalMs : DEFAULT_SAMPLE_INTERVAL_MS;
  const { timelinePath } = record.request;
  record.sampler = new MemorySampler(pid, {
    intervalMs,
    originMs: record.originMs,
    readCpuTimes,
    ...(timelinePath === undefined ? {} : { timelinePath }),
  });
  if (!ended) record.sampler.start();
  record.groupStop?.watch(pid);
  try {
    record.request.onStart?.(pid, { census: startedBy === "launcher" });
  } catch (error) {
    record.callbackError = error;
  }
}

function stopSampling(record: RunRecord): SamplerSummary | undefined {
  record.groupStop?.programEnded();
  if (record.sampler && !record.summary) record.summary = record.sampler.stop();
  return record.summary;
}

interface Outcome {
  exitCode: number | null;
  signalNumber: number | null;
  peakRssBytes: number;
  peakRssMethod: PeakRssMethod;
  userSeconds: number;
  sysSeconds: number;
  wallSeconds: number;
  execError?: { code: string; message: string };
}

function assembleResult(record: RunRecord, outcome: Outcome): LaunchResult {
  if (record.callbackError !== undefined) throw record.callbackError;
  const summary = stopSampling(record);
  const { execError, ...figures } = outcome;
  return {
    pid: record.pid,
    ...figures,
    signal: outcome.signalNumber === null ? null : signalNameOf(outcome.signalNumber),
    startedAt: record.startedAt,
    timeline: summary?.timeline ?? NO_TIMELINE,
    ...(summary && summary.timeline.samples > 0 ? { treePeakRssBytes: summary.treePeakRssBytes } : {}),
    pssAvailable: summary?.pssAvailable ?? false,
    ...(summary?.timelineError === undefined ? {} : { timelineError: summary.timelineError }),
    ...(execError ? { execError } : {}),
    forwardedSignals: record.forwardedSignals,
    ...(record.processes ? { processes: record.processes } : {}),
    ...(record.processesNotRecorded ? { processesNotRecorded: record.processesNotRecorded } : {}),
    timedOut: record.groupStop?.timedOut ?? false,
    samplerCost: summary?.cost ?? NO_SAMPLER_COST,
    ...(record.stdout ? { stdout: Buffer.concat(record.stdout) } : {}),
    ...(record.stderr ? { stderr: Buffer.concat(record.stderr) } : {}),
  };
}

const EXEC_ERROR_TEXT: Record<string, string> = {
  ENOENT: "no such file (or its interpreter is missing)",
  EACCES: "permission denied",
  ENOEXEC: "not an executable format",
};

function execFailure(file: string, code: string, peakRssMethod: PeakRssMethod): Outcome {
  return {
    exitCode: code === "ENOENT" ? ExitCode.notFound : ExitCode.notExecutable,
    signalNumber: null,
    peakRssBytes: 0,
    peakRssMethod,
    userSeconds: 0,
    sysSeconds: 0,
    wallSeconds: 0,
    execError: { code, message: `cannot execute ${file}: ${EXEC_ERROR_TEXT[code] ?? code}` },
  };
}

/** The outcome from samples alone: the program ran without ru_maxrss reaching us. */
function sampledOutcome(record: RunRecord, exitCode: number | null, signalNumber: number | null): Outcome {
  const summary = stopSampling(record);
  return {
    exitCode,
    signalNumber,
    peakRssBytes: summary?.mainPeakHwmBytes ?? 0,
    peakRssMethod: "sampled-vmhwm",
    userSeconds: summary?.cpu?.userSeconds ?? 0,
    sysSeconds: summary?.cpu?.sysSeconds ?? 0,
    wallSeconds: (monotonicMs() - record.originMs) / 1000,
  };
}

/** A timeout or a stop signal needs the program's whole tree reachable by one kill. */
function wantsOwnGroup(request: LaunchRequest): boolean {
  return request.timeoutMs !== undefined || request.stop !== undefined;
}

function launcherEnvironment(env: Record<string, string>, ownGroup: boolean): Record<string, string> {
  const { LD_PRELOAD: preload, ...rest } = env;
  const launcherEnv: Record<string, string> = preload === undefined ? rest : { ...rest, [TARGET_PRELOAD_VARIABLE]: preload };
  if (ownGroup) launcherEnv[OWN_GROUP_VARIABLE] = "1";
  return launcherEnv;
}

/**
 * Until the launcher reports the program's pid, its status file is read every millisecond
 * PID_POLL_FAST times (a read costs microseconds, and a short program is over in a few ms:
 * a late read would keep allocrun waiting), then after 2, 4 … ms up to every PID_POLL_MAX_MS.
 */
const PID_POLL_FAST = 10;
const PID_POLL_MAX_MS = 8;

async function runThroughLauncher(request: LaunchRequest, launcher: string, stdio: StdioOptions, signals: SignalHold): Promise<LaunchResult> {
  let status: StatusFile;
  try {
    // The run folder, where the timeline goes, is writable when TMPDIR is not.
    status = StatusFile.create(request.timelinePath === undefined ? [temporaryDirectory()] : [temporaryDirectory(), dirname(request.timelinePath)]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw environmentError(`cannot create the launcher's status file in ${temporaryDirectory()} (${code})`, "set TMPDIR to a writable folder", error);
  }
  try {
    return await superviseLauncher(request, launcher, stdio, signals, status);
  } finally {
    status.close();
  }
}

function superviseLauncher(request: LaunchRequest, launcher: string, stdio: StdioOptions, signals: SignalHold, status: StatusFile): Promise<LaunchResult> {
  return new Promise((resolve, reject) => {
    const child = spawnLauncher(launcher, [request.file, ...request.argv], {
      argv0: "allocrun-launch",
      cwd: request.cwd,
      env: launcherEnvironment(request.env, wantsOwnGroup(request)),
      stdio: [...(stdio as unknown[]), status.fd] as StdioOptions,
    });
    // The launcher decides whether a signal node got should reach the program (it can
    // tell a terminal's Ctrl-C, which the program got as well, from a targeted kill).
    signals.deliverTo((signal) => child.kill(signal));
    const record = beginRecord(request, child);
    let end: Extract<LauncherEvent, { kind: "end" }> | undefined;
    let execErrno: number | undefined;
    let launchError: Extract<LauncherEvent, { kind: "launch-error" }> | undefined;

    const onEvent = (event: LauncherEvent, ended: boolean): void => {
      if (event.kind === "pid") startSampling(record, event.pid, "launcher", ended);
      else if (event.kind === "forwarded") record.forwardedSignals.push(signalNameOf(event.signalNumber));
      else if (event.kind === "exec-error") execErrno = event.errno;
      else if (event.kind === "launch-error") launchError = event;
      else if (event.kind === "proc") (record.processes ??= []).push(event.process);
      else if (event.kind === "proc-overflow") record.processesNotRecorded = event.count;
      else if (event.kind === "end") {
        end = event;
        record.processes ??= []; // the census ran, even if the program ended before a walk
        stopSampling(record); // the pid may be reused from now on
      }
    };
    // A program over before its first read (`true`) has its pid and end read together:
    // sampling it would only read /proc for a process that is gone.
    const readStatus = (): void => {
      const events: LauncherEvent[] = [];
      status.drain((line) => {
        const event = parseLauncherStatusLine(line);
        if (event !== undefined) events.push(event);
      });
      const ended = events.some((event) => event.kind === "end");
      for (const event of events) onEvent(event, ended);
    };
    // Sampling starts with the pid; every other line can wait until the launcher is gone.
    let pollMs = 1;
    let polls = 0;
    const pollForPid = (): void => {
      readStatus();
      if (record.pid !== 0 || end !== undefined || execErrno !== undefined || launchError !== undefined) return;
      if (++polls >= PID_POLL_FAST) pollMs = Math.min(pollMs * 2, PID_POLL_MAX_MS);
      pidPoll = setTimeout(pollForPid, pollMs);
    };
    let pidPoll: NodeJS.Timeout | undefined = setTimeout(pollForPid, pollMs);
    const stopPolling = (): void => {
      clearTimeout(pidPoll);
      pidPoll = undefined;
    };
    // The launcher has exited, so its status file is complete ("end" stops the sampler).
    child.on("exit", () => {
      markStartupPhase("the launcher ended: results, manifest");
      stopPolling();
      readStatus();
    });

    child.on("error", (error) => {
      stopPolling();
      stopSampling(record);
      reject(environmentError(`cannot start the allocrun launcher: ${error.message}`, describeSpawnFix(request.cwd, "rebuild it: node scripts/build-native.mjs in the allocrun package"), error));
    });
    child.on("close", (code, signal) => {
      if (child.pid === undefined) return; // spawn failed: 'error' already rejected
      stopPolling();
      readStatus();
      settle(resolve, reject, () => {
        if (execErrno !== undefined) return assembleResult(record, execFailure(request.file, errnoNameOf(execErrno), "wait4-rusage"));
        if (launchError) {
          const cause = `${launchError.step}: ${errnoNameOf(launchError.errno)}`;
          throw environmentError(`the allocrun launcher failed (${cause})`, "reinstall allocrun or report a bug");
        }
        // Killed before it could report (e.g. SIGKILL): its own status stands for the program's.
        if (!end) return assembleResult(record, sampledOutcome(record, code, signalNumberFromName(signal)));
        return assembleResult(record, {
          exitCode: end.exitCode,
          signalNumber: end.signalNumber,
          peakRssBytes: end.maxRssKib * 1024,
          peakRssMethod: "wait4-rusage",
          userSeconds: end.userSeconds,
          sysSeconds: end.sysSeconds,
          wallSeconds: end.wallSeconds,
        });
      });
    });
  });
}

/** Without pipes, the launcher is spawned without loading child_process (see inherited-stdio-spawn.ts). */
function spawnLauncher(file: string, args: string[], options: { argv0: string; cwd: string; env: Record<string, string>; stdio: StdioOptions }): LauncherChild {
  markStartupPhase("spawn the launcher");
  const { stdio } = options;
  const inheritable = Array.isArray(stdio) && stdio.every((entry) => entry === "inherit" || entry === "ignore" || typeof entry === "number");
  const light = inheritable ? spawnInheritingStdio(file, args, { ...options, stdio: stdio as InheritedStdio[] }) : undefined;
  return light ?? childProcess().spawn(file, args, options);
}

/** Resolves with what `finish` returns, rejects with what it throws. */
function settle(resolve: (result: LaunchResult) => void, reject: (error: unknown) => void, finish: () => LaunchResult): void {
  try {
    resolve(finish());
  } catch (error) {
    reject(error);
  }
}

function describeSpawnFix(cwd: string, otherwise: string): string {
  return existsSync(cwd) ? otherwise : `the working directory ${cwd} does not exist`;
}

/** Signals a terminal sends to the whole foreground process group (Ctrl-C, Ctrl-\\, hangup). */
const TERMINAL_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(["SIGINT", "SIGQUIT", "SIGHUP"]);

function runDirectly(request: LaunchRequest, stdio: StdioOptions, signals: SignalHold): Promise<LaunchResult> {
  return new Promise((resolve, reject) => {
    const child = childProcess().spawn(request.file, request.argv.slice(1), {
      ...(request.argv[0] === undefined ? {} : { argv0: request.argv[0] }),
      cwd: request.cwd,
      env: request.env,
      stdio,
      // A session of its own: the program leads its own process group (see wantsOwnGroup).
      detached: wantsOwnGroup(request),
    });
    const record = beginRecord(request, child);
    // Without the launcher node cannot tell a terminal's signal (which the program, in
    // our process group, got too) from a targeted kill: with a terminal, assume the former.
    // A program in a group of its own got nothing from the terminal: its group gets every signal.
    const { isatty } = process.getBuiltinModule("node:tty");
    const hasTerminal = isatty(0) || isatty(2);
    signals.deliverTo((signal) => {
      if (wantsOwnGroup(request)) {
        if (child.pid !== undefined && signalProcessGroup(child.pid, signal)) record.forwardedSignals.push(signal);
        return;
      }
      if (hasTerminal && TERMINAL_SIGNALS.has(signal)) return;
      if (child.kill(signal)) record.forwardedSignals.push(signal);
    });
    if (child.pid !== undefined) startSampling(record, child.pid, "node");

    let spawnError: NodeJS.ErrnoException | undefined;
    let outcome: Outcome | undefined;
    child.on("error", (error) => (spawnError = error));
    child.on("exit", (code, signal) => (outcome = sampledOutcome(record, code, signalNumberFromName(signal))));
    child.on("close", () => {
      settle(resolve, reject, () => {
        if (outcome) return assembleResult(record, outcome);
        const code = spawnError?.code ?? "";
        if (code in EXEC_ERROR_TEXT && existsSync(request.cwd)) return assembleResult(record, execFailure(request.file, code, "sampled-vmhwm"));
        const fix = describeSpawnFix(request.cwd, "check that the program can be run from a shell");
        throw environmentError(`cannot start ${request.file}: ${spawnError?.message ?? "unknown error"}`, fix, spawnError);
      });
    });
  });
}
