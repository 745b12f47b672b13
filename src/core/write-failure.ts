// A write that failed for want of room (full disk, quota, read-only mount) is something the
// user fixes, not a bug: one line naming the folder and about how much space was needed.
import { basename, dirname } from "node:path";
import { environmentError, type AllocrunError } from "./errors.js";
import { formatBytes } from "./units.js";

const NO_ROOM_REASONS: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
};

/** True for ENOSPC, EDQUOT and EROFS. */
export function isNoRoomError(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code !== undefined && (error as NodeJS.ErrnoException).code! in NO_ROOM_REASONS;
}

/** "could not save manifest.json in /runs/x: no space left on device (needs about 4.2 KiB)" */
export function describeWriteFailure(what: string, folder: string, neededBytes: number | undefined, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === undefined ? String((error as Error)?.message ?? error) : (NO_ROOM_REASONS[code] ?? code);
  const needed = neededBytes !== undefined && code !== "EROFS" ? ` (needs about ${formatBytes(Math.max(neededBytes, 1))})` : "";
  return `could not save ${what} in ${folder}: ${reason}${needed}`;
}

/** What to do about it, for the hint. */
export function writeFailureFix(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code === "EROFS" ? "write to a writable folder instead" : "free some space there or write to another folder";
}

/** An error for a failed write of `path` (its folder and name are shown). */
export function writeFailureError(path: string, neededBytes: number | undefined, error: unknown): AllocrunError {
  return environmentError(describeWriteFailure(basename(path), dirname(path), neededBytes, error), writeFailureFix(error), error);
}
