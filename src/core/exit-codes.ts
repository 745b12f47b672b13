// One exit-code scheme for the whole tool (documented in the README).
// `run` follows env(1)/timeout(1): the program's own status, or 125/126/127 for our failures.
export const ExitCode = {
  ok: 0,
  /** A verdict the user asked for failed (ci regression, doctor found blocking problems). */
  verdictFailed: 1,
  /** Usage, input or environment error in a non-run command. */
  usage: 2,
  /** `run`: allocrun itself could not run the program (bad flag, missing allocator...). */
  runSetupFailed: 125,
  /** `run`: the program exists but is not executable. */
  notExecutable: 126,
  /** `run`: the program was not found. */
  notFound: 127,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit status a shell reports for a process killed by signal N. */
export function exitCodeForSignal(signalNumber: number): number {
  return 128 + signalNumber;
}
