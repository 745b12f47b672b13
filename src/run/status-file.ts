// Where the native launcher writes its status lines (its fd 3): a file that node reads
// back, not a pipe. A pipe would need a net.Socket and the stream machinery in front of
// every program (about 12 ms of CPU at start-up, measured with bench/startup.mjs on a
// 2-core machine), while the lines are only needed live for the program's pid. The file is
// unlinked as soon as it is open, so nothing is left behind, whatever way allocrun ends.
import { closeSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { temporaryDirectory } from "../core/lazy-builtins.js";

const READ_CHUNK_BYTES = 64 * 1024;
/**
 * Written as zeros when the file is made, so that the launcher's lines land in space the
 * file system already gave: in a TMPDIR that is full, creating the file succeeds but the
 * launcher's writes would fail, and the run would lose its pid and census. A run's status
 * is a few hundred bytes, a line per process it saw.
 */
const RESERVED_BYTES = 64 * 1024;

export class StatusFile {
  #offset = 0;
  #pending = "";
  readonly #chunk = Buffer.alloc(READ_CHUNK_BYTES);

  private constructor(readonly fd: number) {}

  /** Made in the first of `directories` that takes it; throws the first failure when none does. */
  static create(directories: readonly string[] = [temporaryDirectory()]): StatusFile {
    let firstError: unknown;
    for (const directory of directories) {
      try {
        return new StatusFile(openUnlinked(directory));
      } catch (error) {
        firstError ??= error;
      }
    }
    throw firstError;
  }

  /** Calls `onLine` for each complete line written since the last call. */
  drain(onLine: (line: string) => void): void {
    for (;;) {
      const read = readSync(this.fd, this.#chunk, 0, this.#chunk.length, this.#offset);
      // The launcher's text ends where the reserved zeros begin.
      const written = this.#chunk.subarray(0, read).indexOf(0);
      const length = written < 0 ? read : written;
      this.#offset += length;
      this.#pending += this.#chunk.toString("latin1", 0, length);
      if (length < READ_CHUNK_BYTES) break;
    }
    let newline: number;
    while ((newline = this.#pending.indexOf("\n")) >= 0) {
      const line = this.#pending.slice(0, newline);
      this.#pending = this.#pending.slice(newline + 1);
      onLine(line);
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

function openUnlinked(directory: string): number {
  const path = join(directory, `allocrun-status-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(path, "wx+", 0o600);
  try {
    unlinkSync(path);
    // At position 0 without moving the file offset the launcher writes at.
    writeSync(fd, Buffer.alloc(RESERVED_BYTES), 0, RESERVED_BYTES, 0);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}
