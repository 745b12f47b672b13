// What /proc tells about a running process before allocrun attaches to it: its memory
// maps (which allocator it uses), executable, owner and state.
import { readFileSync, readlinkSync } from "node:fs";
import { environmentError, inputError, usageError } from "../core/errors.js";

export interface LiveProcess {
  pid: number;
  /** /proc/PID/exe as the kernel shows it (may end in " (deleted)"). */
  exe: string;
  /** The process's name (comm). */
  name: string;
  /** Real user id of the process. */
  uid: number;
  mapsText: string;
}

/** The pid in a command-line argument, or a usage error. */
export function parsePid(text: string | undefined, command: string): number {
  if (text === undefined) throw usageError(`${command} needs the process id of a running program`, `allocrun ${command} PID (find it with pgrep -a NAME)`);
  const pid = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(pid) || pid < 1) {
    throw usageError(`"${text}" is not a process id`, `allocrun ${command} PID, a positive number (pgrep -a NAME lists them)`);
  }
  return pid;
}

function processGone(pid: number, cause?: unknown) {
  return inputError(`process ${pid} does not exist (any more)`, "check the pid: pgrep -a NAME", cause);
}

function readProcFile(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ESRCH") throw processGone(pid, error);
    if (code === "EACCES" || code === "EPERM") {
      throw environmentError(`cannot read /proc/${pid}/${file} (${code}): process ${pid} belongs to another user`, "run allocrun as that user or as root", error);
    }
    throw environmentError(`cannot read /proc/${pid}/${file} (${code ?? String(error)})`, "check that /proc is mounted", error);
  }
}

/** The one-letter state of /proc/PID/stat (R, S, D, T, t, Z, X...), undefined when gone. */
export function readProcessState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The name in parentheses may itself contain ") ": the state follows the last one.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

/** True while the process exists and has not exited (a zombie has). */
export function isProcessRunning(pid: number): boolean {
  const state = readProcessState(pid);
  return state !== undefined && state !== "Z" && state !== "X";
}

/** Reads what allocrun needs to know before attaching; input error when the process is gone. */
export function readLiveProcess(pid: number): LiveProcess {
  const status = readProcFile(pid, "status");
  const state = /^State:\s+(\S)/m.exec(status)?.[1];
  if (state === "Z" || state === "X") throw inputError(`process ${pid} has exited (it is a zombie its parent has not reaped)`, "dump a running process: pgrep -a NAME");
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
  const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? String(pid);
  const mapsText = readProcFile(pid, "maps");
  let exe: string;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    // Kernel threads have no executable; others hide it from other users.
    exe = name;
  }
  return { pid, exe, name, uid, mapsText };
}

/** A figure from /proc/PID/status in bytes (VmRSS, VmHWM), undefined when not there. */
export function readStatusBytes(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The process's working directory, when it may be read. */
export function readProcessCwd(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** Who traces the process (a debugger, strace), 0 when nobody. */
export function readTracerPid(pid: number): number {
  try {
    return Number(/^TracerPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** CPU time the process used so far (utime, stime of /proc/PID/stat), in seconds. */
export function readCpuSeconds(pid: number): { userSeconds: number; sysSeconds: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the name: state is field 3, utime 14, stime 15; USER_HZ is 100 on Linux.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { userSeconds: Number(fields[11]) / 100, sysSeconds: Number(fields[12]) / 100 };
  } catch {
    return undefined;
  }
}

/** True when the process sees the same mounts as allocrun (not in a container of its own). */
export function sharesMountNamespace(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`) === readlinkSync("/proc/self/ns/mnt");
  } catch {
    return false;
  }
}
