// Bytes still allocated at exit under glibc, exactly, from libmemusage's trace
// (MEMUSAGE_OUTPUT). The summary libmemusage prints has no such figure, and the trace
// costs 24 bytes per malloc/free call, which for a busy program is hundreds of MiB on
// disk. So the trace goes into a named pipe and only its last records are kept.
//
// Trace layout (glibc malloc/memusage.c): records of { u64 heap, u64 stack, u32 time
// low, u32 time high }; two placeholder records first, one per allocation call, and at
// exit libmemusage seeks back to rewrite the first two. A pipe cannot seek, so those two
// arrive at the end instead: ..., last call, { 0, peak total }, { peak heap, peak stack }.
// The record before them holds the heap in use after the program's last call.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants, openSync, unlinkSync } from "node:fs";
import { Socket } from "node:net";
import { environmentError } from "../core/errors.js";

export const MEMUSAGE_RECORD_BYTES = 24;
/** The final data record plus the two header records written at exit. */
const TAIL_RECORDS = 3;
/** The marker only has to cross a pipe; this is a safety net, never a measurement. */
const FINISH_TIMEOUT_MS = 10_000;

export interface MemusageTraceTap {
  /** The named pipe to give the program as MEMUSAGE_OUTPUT. */
  path: string;
  /** Call after the program has exited: the last records of the trace (empty when it never wrote one). */
  finish(): Promise<Buffer>;
}

/**
 * Creates a named pipe at `path` and starts draining it. The pipe is opened read-write
 * so that neither side ever blocks on open and no end-of-file arrives early; the end of
 * the trace is found by writing a random marker after the program has exited, which,
 * pipes being first-in first-out, arrives after everything the program wrote.
 */
export function openMemusageTraceTap(path: string): MemusageTraceTap {
  try {
    execFileSync("mkfifo", ["-m", "600", path], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    throw environmentError(`cannot create a named pipe at ${path} for libmemusage's trace`, "is the output folder on a filesystem that supports FIFOs (not a network share)?", error);
  }
  const socket = new Socket({ fd: openSync(path, constants.O_RDWR | constants.O_NONBLOCK), readable: true, writable: true });
  const marker = randomBytes(MEMUSAGE_RECORD_BYTES);
  const keepBytes = TAIL_RECORDS * MEMUSAGE_RECORD_BYTES;
  let window = Buffer.alloc(0);
  let traceTail: Buffer | undefined;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  socket.on("data", (chunk: Buffer) => {
    if (traceTail) return;
    window = Buffer.concat([window, chunk]);
    const markerAt = window.indexOf(marker);
    if (markerAt >= 0) {
      // Anything after the marker came from a straggler (a child of the same name): not ours.
      traceTail = Buffer.from(window.subarray(Math.max(0, markerAt - keepBytes), markerAt));
      resolveDone();
    } else if (window.length > keepBytes + marker.length) {
      window = window.subarray(window.length - keepBytes - marker.length);
    }
  });
  return {
    path,
    async finish() {
      socket.write(marker);
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, FINISH_TIMEOUT_MS)));
      await Promise.race([done, gaveUp]);
      clearTimeout(timer);
      socket.destroy();
      unlinkSync(path);
      return traceTail ?? Buffer.alloc(0);
    },
  };
}

/**
 * Heap bytes in use after the program's last allocation call, from the end of a trace
 * read through a pipe; undefined when the tail does not have the layout described above
 * (checked against the summary's heap peak, which the last record repeats).
 */
export function readLiveBytesFromTraceTail(tail: Buffer, heapPeakBytes: number): number | undefined {
  if (tail.length < TAIL_RECORDS * MEMUSAGE_RECORD_BYTES || tail.length % MEMUSAGE_RECORD_BYTES !== 0) return undefined;
  const recordAt = (fromEnd: number) => tail.length - fromEnd * MEMUSAGE_RECORD_BYTES;
  const peakRecordHeap = Number(tail.readBigUInt64LE(recordAt(1)));
  const totalRecordHeap = Number(tail.readBigUInt64LE(recordAt(2)));
  if (peakRecordHeap !== heapPeakBytes || totalRecordHeap !== 0) return undefined;
  return Number(tail.readBigUInt64LE(recordAt(3)));
}
