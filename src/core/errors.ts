// One error class for everything the user can fix: a one-line message, a one-line hint
// naming the fix, and the kind that decides the exit code at the top level.

export type ErrorKind =
  | "usage" // wrong flag or argument
  | "input" // a file the user gave is missing or malformed
  | "environment" // something is missing on this machine (library, tool, permission)
  | "not-found" // the program to run does not exist
  | "not-executable"; // the program exists but cannot be executed

// A brand instead of `instanceof`: the CLI ships as separate bundles (one per command),
// each with its own copy of this class, and an error may cross from one to another.
const BRAND = Symbol.for("allocrun.error");

export class AllocrunError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  readonly [BRAND] = true;

  constructor(kind: ErrorKind, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AllocrunError";
    this.kind = kind;
    this.hint = options.hint;
  }
}

export const usageError = (message: string, hint?: string): AllocrunError =>
  new AllocrunError("usage", message, { hint });
export const inputError = (message: string, hint?: string, cause?: unknown): AllocrunError =>
  new AllocrunError("input", message, { hint, cause });
export const environmentError = (message: string, hint?: string, cause?: unknown): AllocrunError =>
  new AllocrunError("environment", message, { hint, cause });

export function isAllocrunError(value: unknown): value is AllocrunError {
  return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/** The whole error as one line for stderr: "message (hint)". */
export function formatErrorLine(error: AllocrunError): string {
  return error.hint ? `allocrun: ${error.message} — ${error.hint}` : `allocrun: ${error.message}`;
}
