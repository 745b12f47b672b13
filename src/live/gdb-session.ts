// One gdb session against a running process: attach, call the allocator's own entry
// points from a thread that is not inside the allocator, detach (gdb-driver.ts does the
// work inside gdb). Retries while every thread is busy in the allocator, interrupts gdb
// when a call hangs, and turns gdb's complaints into errors that name the fix.
import { spawn } from "node:child_process";
import { environmentError, inputError, type AllocrunError } from "../core/errors.js";
import { formatDurationMs } from "../core/units.js";
import { distroFamily, installHint, readOsRelease } from "../detect/index.js";
import { readPtraceScope } from "../doctor/machine/ptrace-scope.js";
import { GDB_DRIVER_PY, RESULT_MARKER } from "./gdb-driver.js";
import { isProcessRunning, readTracerPid } from "./live-process.js";
import { explainPtraceDenied, predictPtraceRefusal } from "./ptrace-permission.js";

/** One argument of a call, as the driver places it in the target. */
export type GdbArgument =
  | { null: true }
  | { int: number }
  | { ulong: number }
  /** A NUL-terminated string in the scratch page; the argument is its address. */
  | { str: string }
  /** A pointer-sized slot holding the address of this string (jemalloc's `const char **` newp). */
  | { pointerToStr: string }
  /** These bytes (hex) in the scratch page; `out` names them in the results, read after the call. */
  | { bytes: string; out?: string; derefString?: boolean }
  /** A zeroed buffer of this many bytes, read back as text under `outText`. */
  | { buffer: number; outText: string };

export interface GdbCall {
  id: string;
  /** Function name as the dynamic symbol table has it (mallctl, _rjem_mallctl, GetHeapProfile). */
  fn: string;
  returns: "int" | "long" | "void";
  args: GdbArgument[];
  /** The call returns a malloc'ed C string: gdb writes it to this file, then frees it. */
  returnedString?: { toFile: string; free: string };
}

export interface GdbCallResult {
  id: string;
  returned: number;
  outputs: Record<string, string | null>;
  /** Bytes written for returnedString; -1 when the call returned NULL. */
  fileBytes?: number;
  /** gdb's message when the call could not be made (no such function...). */
  error?: string;
}

export interface GdbSessionRequest {
  pid: number;
  /** Target's owner, for permission messages. */
  targetUid: number;
  allocatorRanges: Array<[number, number]>;
  allocatorNamePattern: string | null;
  calls: GdbCall[];
}

export interface GdbSessionOptions {
  /** How long one session may take before gdb is interrupted. */
  timeoutMs?: number;
  /** Sessions to try while every thread is inside the allocator. */
  attempts?: number;
  env?: NodeJS.ProcessEnv;
}

export interface GdbSessionResult {
  /** Thread (tid) the calls ran on. */
  tid: number;
  threads: number;
  attempts: number;
  results: Map<string, GdbCallResult>;
}

type DriverReply =
  | { status: "ok"; tid: number; threads: number; results: GdbCallResult[] }
  | { status: "busy"; threads: number }
  | { status: "attach-failed"; message: string }
  | { status: "call-failed"; message: string };

const SCRATCH_BYTES = 256 * 1024;
const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_ATTEMPTS = 25;

function gdbMissing(cause: unknown): AllocrunError {
  return environmentError("gdb is not installed: allocrun attaches to running programs with it", installHint("gdb", distroFamily(readOsRelease())), cause);
}

/** Runs the calls in the process; throws an AllocrunError that says what to do when it cannot. */
export async function runGdbSession(request: GdbSessionRequest, options: GdbSessionOptions = {}): Promise<GdbSessionResult> {
  const env = options.env ?? process.env;
  const context = { pid: request.pid, scope: readPtraceScope(), uid: process.getuid?.() ?? 0, targetUid: request.targetUid };
  const refusal = predictPtraceRefusal(context);
  if (refusal !== undefined) throw refusal;
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    if (!isProcessRunning(request.pid)) throw processGone(request.pid);
    const reply = await runDriver(request, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, env);
    switch (reply.status) {
      case "ok":
        return { tid: reply.tid, threads: reply.threads, attempts: attempt, results: new Map(reply.results.map((result) => [result.id, result])) };
      case "busy":
        if (!isProcessRunning(request.pid)) throw processGone(request.pid);
        if (attempt >= attempts) {
          throw environmentError(
            `every thread of process ${request.pid} was inside the allocator in ${attempts} attempts, so no call could be made safely`,
            "try again; a process that never leaves the allocator can dump itself periodically (jemalloc lg_prof_interval, gperftools HEAP_PROFILE_TIME_INTERVAL)",
          );
        }
        // Stop the process as briefly as possible, more rarely each time.
        await sleep(20 * attempt);
        break;
      case "attach-failed":
        throw explainAttachFailure(reply.message, context);
      case "call-failed":
        if (!isProcessRunning(request.pid)) throw processGone(request.pid);
        throw environmentError(`gdb could not call into process ${request.pid}: ${reply.message}`, "the process was left as it was; report this with the allocator's version");
    }
  }
}

function processGone(pid: number): AllocrunError {
  return inputError(`process ${pid} does not exist (any more)`, "check the pid: pgrep -a NAME");
}

function explainAttachFailure(message: string, context: { pid: number; scope: string | undefined; uid: number; targetUid: number }): AllocrunError {
  if (/No such process/i.test(message)) return processGone(context.pid);
  if (/Operation not permitted/i.test(message)) return explainPtraceDenied(context, readTracerPid(context.pid));
  return environmentError(`gdb could not attach to process ${context.pid}: ${message}`, "check that it is a running program you may debug");
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs gdb once with the driver; resolves with the driver's reply. */
function runDriver(request: GdbSessionRequest, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<DriverReply> {
  const driverRequest = {
    pid: request.pid,
    allocatorRanges: request.allocatorRanges,
    allocatorNamePattern: request.allocatorNamePattern,
    calls: request.calls,
    scratchBytes: SCRATCH_BYTES,
  };
  const args = [
    "-nx", "-batch",
    "-iex", "set debuginfod enabled off",
    "-iex", "set auto-load python-scripts off",
    "-iex", "set auto-load gdb-scripts off",
    "-iex", "set pagination off",
    "-iex", "set confirm off",
    "-iex", "set width 0",
    "-iex", "set print thread-events off",
    "-iex", "set print inferior-events off",
    "-iex", "set unwindonsignal on",
    // Signals the program gets meanwhile reach it at once, as without gdb (a SIGTERM must
    // still end it); faults inside a call still stop gdb, which unwinds the call.
    "-iex", "handle SIGHUP SIGQUIT SIGPIPE SIGTERM SIGCONT SIGXCPU SIGXFSZ SIGUSR1 SIGUSR2 SIGPWR nostop noprint pass",
    "-ex", "python import os; exec(os.environ['ALLOCRUN_GDB_DRIVER'])",
  ];
  const { DEBUGINFOD_URLS: _ignored, ...inherited } = env;
  const child = spawn("gdb", args, {
    // Its own process group: a Ctrl-C meant for allocrun must not interrupt a call.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...inherited, LC_ALL: "C", ALLOCRUN_GDB_DRIVER: GDB_DRIVER_PY, ALLOCRUN_GDB_REQUEST: JSON.stringify(driverRequest) },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise<DriverReply>((resolve, reject) => {
    let timedOut = false;
    // SIGINT makes gdb interrupt the call, which unwinds it (unwindonsignal) and detaches.
    const interrupt = setTimeout(() => {
      timedOut = true;
      child.kill("SIGINT");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(interrupt);
      const code = (error as NodeJS.ErrnoException).code;
      reject(code === "ENOENT" ? gdbMissing(error) : environmentError(`cannot run gdb (${code ?? error.message})`, "check the gdb installation", error));
    });
    child.on("close", () => {
      clearTimeout(interrupt);
      const line = stdout.split("\n").find((candidate) => candidate.startsWith(RESULT_MARKER));
      if (timedOut) {
        reject(environmentError(`gdb did not finish within ${formatDurationMs(timeoutMs)} and was interrupted`, "the call into the allocator was unwound; try again when the process is less busy"));
      } else if (line !== undefined) {
        resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as DriverReply);
      } else {
        reject(explainGdbWithoutReply(stderr));
      }
    });
  });
}

function explainGdbWithoutReply(stderr: string): AllocrunError {
  if (/Python scripting is not supported/i.test(stderr)) {
    return environmentError("this gdb was built without Python, which allocrun needs to talk to a running program", "install the full gdb package (not gdb-minimal)");
  }
  const last = stderr.trim().split("\n").filter((line) => line.trim() !== "").pop() ?? "no output";
  return environmentError(`gdb ended without an answer: ${last}`, "run gdb -p PID by hand to see what fails");
}
