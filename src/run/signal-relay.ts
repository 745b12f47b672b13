// While programs run, allocrun must survive the signals meant to stop them and pass
// those signals on, so that it can still finalise the run folder after the program exits.
// Handlers are installed while at least one program runs and removed afterwards, so the
// default behaviour (die on SIGINT/SIGTERM) returns once allocrun is on its own again.
//
// SIGUSR1 is not relayed: node reserves it for its inspector.

import { os } from "../core/lazy-builtins.js";

export const RELAYED_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR2"];

export type SignalRecipient = (signal: NodeJS.Signals) => void;

export interface SignalHold {
  /** Passes signals to `recipient` from now on, first those that arrived before. */
  deliverTo(recipient: SignalRecipient): void;
  /** Stops relaying; the last release restores node's default handling. */
  release(): void;
}

const holds = new Set<(signal: NodeJS.Signals) => void>();

function relay(signal: NodeJS.Signals): void {
  for (const hold of holds) hold(signal);
}

/** Starts catching RELAYED_SIGNALS now, before the program is spawned: a signal that
 * arrives while node is still setting up the child must not kill allocrun. */
export function holdSignals(): SignalHold {
  const early: NodeJS.Signals[] = [];
  let recipient: SignalRecipient | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (recipient) recipient(signal);
    else early.push(signal);
  };
  if (holds.size === 0) for (const signal of RELAYED_SIGNALS) process.on(signal, relay);
  holds.add(onSignal);
  return {
    deliverTo(next) {
      recipient = next;
      for (const signal of early.splice(0)) next(signal);
    },
    release() {
      if (!holds.delete(onSignal)) return;
      if (holds.size === 0) for (const signal of RELAYED_SIGNALS) process.off(signal, relay);
    },
  };
}

/** Signals whose default action writes a core file (signal(7)). */
const CORE_DUMPING_SIGNALS: ReadonlySet<string> = new Set(["SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGSEGV", "SIGSYS", "SIGXCPU", "SIGXFSZ"]);

/**
 * Ends allocrun by the signal that killed the program, as timeout(1) and env(1) do, so the
 * caller sees what it would have seen without allocrun: a shell stops its `for` loop on
 * one Ctrl-C only when the foreground job died of SIGINT, not when it exited 130.
 * Returns when the signal cannot end us: a core-dumping signal (a core file of node, not
 * of the program, would only mislead; timeout(1) sets RLIMIT_CORE to 0 for this, which
 * node cannot), or one node keeps handling (SIGUSR1 starts its inspector, SIGPIPE is
 * ignored); the caller then exits 128+N.
 */
export function endBySignal(signalNumber: number): void {
  const name = Object.entries(os().constants.signals).find(([, number]) => number === signalNumber)?.[0];
  if (name !== undefined && (CORE_DUMPING_SIGNALS.has(name) || name === "SIGUSR1" || name === "SIGPIPE")) return;
  // The default disposition returns once node has no listener left for the signal.
  if (name !== undefined) process.removeAllListeners(name);
  process.kill(process.pid, signalNumber);
}
