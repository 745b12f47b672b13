// While programs run, allocrun must survive the signals meant to stop them and pass
// those signals on, so that it can still finalise the run folder after the program exits.
// Handlers are installed while at least one program runs and removed afterwards, so the
// default behaviour (die on SIGINT/SIGTERM) returns once allocrun is on its own again.
//
// SIGUSR1 is not relayed: node reserves it for its inspector.

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
