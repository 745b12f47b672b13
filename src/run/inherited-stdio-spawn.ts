// Spawns a process whose standard streams are all inherited or ignored (the launcher, in
// almost every run) straight through Node's process handle, the object child_process.spawn
// wraps. child_process itself loads net, stream, dgram and tty for the pipes such a child
// never has (~3 ms of allocrun's start-up, measured side by side with bench/startup.mjs's
// method: 1.29x -> 1.23x of `node -e 0`). The handle is reached
// through process.binding, which Node keeps for compatibility (its deprecation warning is
// kept quiet): where it is gone, spawnInheritingStdio returns undefined and the caller uses
// child_process.
import { EventEmitter } from "node:events";
import { getSystemErrorName } from "node:util";
import { signalNumberFromName } from "./launcher-status.js";

/** One standard stream of the child: inherited as this fd, or /dev/null. */
export type InheritedStdio = number | "inherit" | "ignore";

export interface InheritedSpawnOptions {
  argv0: string;
  cwd: string;
  env: Record<string, string>;
  /** fd i of the child; "inherit" is allocrun's own fd i. */
  stdio: readonly InheritedStdio[];
}

interface ProcessHandle {
  pid?: number;
  onexit: (exitStatus: number, signalName: string) => void;
  spawn(options: object): number;
  kill(signalNumber: number): number;
  close(): void;
}
type ProcessHandleClass = new () => ProcessHandle;

/**
 * The parts of a ChildProcess the launcher's supervisor uses: `exit` and then `close`
 * with (code, signal), or `error` when it could not be started.
 */
export class InheritedStdioChild extends EventEmitter {
  pid: number | undefined;
  readonly stdout = null;
  readonly stderr = null;
  private handle: ProcessHandle | undefined;

  constructor(Handle: ProcessHandleClass, file: string, args: readonly string[], options: InheritedSpawnOptions) {
    super();
    const handle = new Handle();
    handle.onexit = (exitStatus, signalName) => {
      handle.close();
      this.handle = undefined;
      const signal = signalName === "" ? null : (signalName as NodeJS.Signals);
      const code = signal === null ? exitStatus : null;
      this.emit("exit", code, signal);
      process.nextTick(() => this.emit("close", code, signal));
    };
    const status = handle.spawn({
      file,
      args: [options.argv0, ...args],
      cwd: options.cwd,
      envPairs: Object.entries(options.env).map(([name, value]) => `${name}=${value}`),
      stdio: options.stdio.map((entry, fd) => (entry === "ignore" ? { type: "ignore" } : { type: "fd", fd: entry === "inherit" ? fd : entry })),
      detached: false,
    });
    if (status === 0) {
      this.pid = handle.pid;
      this.handle = handle;
      return;
    }
    handle.close();
    // As child_process reports it: asynchronously, with the errno's name as the code.
    const code = getSystemErrorName(status);
    const error: NodeJS.ErrnoException = Object.assign(new Error(`spawn ${file} ${code}`), { errno: status, code, syscall: `spawn ${file}`, path: file });
    process.nextTick(() => this.emit("error", error));
  }

  /** False when the process has already been reaped or the signal could not be sent. */
  kill(signal: NodeJS.Signals = "SIGTERM"): boolean {
    const number = signalNumberFromName(signal);
    return this.handle !== undefined && number !== null && this.handle.kill(number) === 0;
  }
}

/** The process handle class, when this Node still offers it without a warning. */
function processHandleClass(): ProcessHandleClass | undefined {
  // process.binding warns under --pending-deprecation (and may warn in a later Node): the
  // warning is allocrun's business, not the wrapped program's stderr.
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try {
    const binding = (process as unknown as { binding(name: string): { Process?: unknown } }).binding("process_wrap");
    return typeof binding.Process === "function" ? (binding.Process as ProcessHandleClass) : undefined;
  } catch {
    return undefined;
  } finally {
    process.noDeprecation = quiet;
  }
}

/**
 * The child, or undefined when this path cannot take it: no process handle here, or a NUL
 * in an argument or the environment (child_process rejects those with a clear error).
 */
export function spawnInheritingStdio(file: string, args: readonly string[], options: InheritedSpawnOptions): InheritedStdioChild | undefined {
  const Handle = processHandleClass();
  if (Handle === undefined) return undefined;
  const texts = [file, options.argv0, options.cwd, ...args, ...Object.keys(options.env), ...Object.values(options.env)];
  if (texts.some((text) => text.includes("\0"))) return undefined;
  return new InheritedStdioChild(Handle, file, args, options);
}
