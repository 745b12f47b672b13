// While programs run, allocrun must survive the signals meant to stop them and pass
// those signals on, so that it can still finalise the run folder after the program exits.
// Handlers are installed while at least one program runs and removed afterwards, so the
// default behaviour (die on SIGINT/SIGTERM) returns once allocrun is on its own again.
//
// SIGUSR1 is not relayed: node reserves it for its inspector.

export const RELAYED_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR2"];

export type SignalRecipient = (signal: NodeJS.Signals) => void;

const recipients = new Set<SignalRecipient>();

function relay(signal: NodeJS.Signals): void {
  for (const recipient of recipients) recipient(signal);
}

/** Starts relaying RELAYED_SIGNALS to `recipient`; call the returned function to stop. */
export function relaySignalsTo(recipient: SignalRecipient): () => void {
  if (recipients.size === 0) for (const signal of RELAYED_SIGNALS) process.on(signal, relay);
  recipients.add(recipient);
  return () => {
    if (!recipients.delete(recipient)) return;
    if (recipients.size === 0) for (const signal of RELAYED_SIGNALS) process.off(signal, relay);
  };
}
