// The status lines native/launch.c writes to fd 3 (the protocol is documented there).
import { os } from "../core/lazy-builtins.js";

export type LauncherEvent =
  | { kind: "pid"; pid: number }
  | { kind: "exec-error"; errno: number }
  | { kind: "launch-error"; errno: number; step: string }
  | { kind: "forwarded"; signalNumber: number }
  | { kind: "not-forwarded"; signalNumber: number; reason: string }
  | { kind: "proc"; process: ObservedProcess }
  | { kind: "proc-overflow"; count: number }
  | {
      kind: "end";
      exitCode: number | null;
      signalNumber: number | null;
      maxRssKib: number;
      userSeconds: number;
      sysSeconds: number;
      wallSeconds: number;
    };

/** One process the launcher's census saw (native/process-census.c). */
export interface ObservedProcess {
  pid: number;
  ppid: number;
  /** Largest VmHWM seen, or ru_maxrss when `exact` (the launcher reaped it). */
  hwmKib: number;
  /** true: every LD_PRELOAD library was mapped; false: the loader finished without one;
   * null: the loader was never seen finished (static, or it ended too soon). */
  preloadMapped: boolean | null;
  /** Real and effective user or group ids differed (secure execution). */
  secure: boolean;
  exact: boolean;
  /** The kernel's short name of the process (comm). */
  name: string;
  /** null when /proc/<pid>/exe could not be read (another user's process). */
  exe: string | null;
}

/** One status line → event; undefined for lines this version does not know. */
export function parseLauncherStatusLine(line: string): LauncherEvent | undefined {
  const [kind, ...fields] = line.trim().split(" ");
  const numbers = fields.map(Number);
  const first = numbers[0] ?? NaN;
  switch (kind) {
    case "pid":
      return { kind, pid: first };
    case "exec-error":
      return { kind, errno: first };
    case "launch-error":
      return { kind, errno: first, step: fields.slice(1).join(" ") };
    case "forwarded":
      return { kind, signalNumber: first };
    case "not-forwarded":
      return { kind, signalNumber: first, reason: fields[1] ?? "" };
    case "proc": {
      const [pid = NaN, ppid = NaN, hwmKib = NaN, preload = NaN, secure, exact] = numbers;
      const exe = fields.slice(7).join(" ");
      const process: ObservedProcess = {
        pid,
        ppid,
        hwmKib,
        preloadMapped: preload === 1 ? true : preload === 0 ? false : null,
        secure: secure === 1,
        exact: exact === 1,
        name: fields[6] ?? "?",
        exe: exe === "-" || exe === "" ? null : exe,
      };
      return { kind, process };
    }
    case "proc-overflow":
      return { kind, count: first };
    case "end": {
      const [value = NaN, maxRssKib = NaN, userUs = NaN, sysUs = NaN, wallUs = NaN] = numbers.slice(1);
      const bySignal = fields[0] === "signal";
      return {
        kind,
        exitCode: bySignal ? null : value,
        signalNumber: bySignal ? value : null,
        maxRssKib,
        userSeconds: userUs / 1e6,
        sysSeconds: sysUs / 1e6,
        wallSeconds: wallUs / 1e6,
      };
    }
    default:
      return undefined;
  }
}

let signalNames: Map<number, string> | undefined;
let errnoNames: Map<number, string> | undefined;

function invert(table: Record<string, number>): Map<number, string> {
  const inverted = new Map<number, string>();
  for (const [name, value] of Object.entries(table)) if (!inverted.has(value)) inverted.set(value, name);
  return inverted;
}

/** 15 → "SIGTERM"; unknown numbers (real-time signals) → "SIG34". */
export function signalNameOf(signalNumber: number): string {
  signalNames ??= invert(os().constants.signals);
  return signalNames.get(signalNumber) ?? `SIG${signalNumber}`;
}

/** 2 → "ENOENT". */
export function errnoNameOf(errno: number): string {
  errnoNames ??= invert(os().constants.errno);
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

/** "SIGTERM" → 15; null for null or an unknown name. */
export function signalNumberFromName(signal: string | null): number | null {
  if (signal === null) return null;
  return (os().constants.signals as Record<string, number | undefined>)[signal] ?? null;
}
