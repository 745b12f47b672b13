// Stops a program that leads a process group of its own, with everything it started:
// after a timeout (SIGTERM, then SIGKILL after a grace period, as timeout(1) -k does) or
// when the caller aborts (the polite signal was already relayed: SIGKILL after the grace
// period). One kill of the group reaches children the program forked or left behind.

export interface GroupStopOptions {
  timeoutMs?: number;
  stop?: AbortSignal;
  graceMs: number;
}

export interface GroupStop {
  /** The program ran past the timeout. */
  readonly timedOut: boolean;
  /** The program now runs as the leader of group `pid`. */
  watch(pid: number): void;
  /** The program was reaped: stop the timers; after a stop, kill what is left of its group. */
  programEnded(): void;
}

/** Sends `signal` to process group `pid`; false when the group is gone (ESRCH). */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Undefined when neither a timeout nor an abort signal is asked for. */
export function guardProcessGroup(options: GroupStopOptions): GroupStop | undefined {
  if (options.timeoutMs === undefined && options.stop === undefined) return undefined;
  let groupPid = 0;
  let timedOut = false;
  let stopping = false;
  let ended = false;
  const timers: NodeJS.Timeout[] = [];
  const killGroup = (signal: NodeJS.Signals): void => void signalProcessGroup(groupPid, signal);
  const stopGroup = (firstSignal: NodeJS.Signals | undefined): void => {
    if (stopping || ended) return;
    stopping = true;
    if (firstSignal) killGroup(firstSignal);
    timers.push(setTimeout(() => killGroup("SIGKILL"), options.graceMs));
  };
  const onAbort = (): void => stopGroup(undefined);
  return {
    get timedOut() {
      return timedOut;
    },
    watch(pid) {
      groupPid = pid;
      if (options.timeoutMs !== undefined) {
        timers.push(
          setTimeout(() => {
            timedOut = true;
            stopGroup("SIGTERM");
          }, options.timeoutMs),
        );
      }
      if (options.stop?.aborted) stopGroup(undefined);
      else options.stop?.addEventListener("abort", onAbort, { once: true });
    },
    programEnded() {
      if (ended) return;
      ended = true;
      for (const timer of timers) clearTimeout(timer);
      options.stop?.removeEventListener("abort", onAbort);
      // A group outlives its leader while members remain; a stopped run leaves none.
      if (stopping && groupPid > 0) killGroup("SIGKILL");
    },
  };
}
