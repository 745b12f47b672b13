// Cheap reads of the few /proc files the memory sampler needs, many times a second.
// One reused buffer, open/read/close by hand (readFileSync allocates 64 KiB per /proc
// file, whose size it cannot stat), and byte-level parsing instead of regexes.
import { closeSync, openSync, readSync, readdirSync } from "node:fs";

let buffer = Buffer.allocUnsafe(16 * 1024);

/** Reads a whole /proc file into the shared buffer; returns its length, or -1 when the
 * file is gone or unreadable (the process exited, or belongs to another user). */
function readIntoBuffer(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return -1;
  }
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
      const count = readSync(fd, buffer, length, buffer.length - length, null);
      if (count === 0) return length;
      length += count;
    }
  } catch {
    return -1;
  } finally {
    closeSync(fd);
  }
}

const SPACE = 0x20;
const TAB = 0x09;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** The unsigned integer starting at or after `start` (skipping blanks), or -1. */
function parseUnsignedAt(start: number, end: number): number {
  let index = start;
  while (index < end && (buffer[index] === SPACE || buffer[index] === TAB)) index++;
  let value = 0;
  let digits = 0;
  for (; index < end; index++) {
    const byte = buffer[index]!;
    if (byte < DIGIT_0 || byte > DIGIT_9) break;
    value = value * 10 + (byte - DIGIT_0);
    digits++;
  }
  return digits > 0 ? value : -1;
}

/** The value of a "Name:   1234 kB" line in bytes, or -1 when the line is absent. */
function findKibField(length: number, label: Buffer): number {
  const at = buffer.subarray(0, length).indexOf(label);
  if (at < 0) return -1;
  const kib = parseUnsignedAt(at + label.length, length);
  return kib < 0 ? -1 : kib * 1024;
}

const VM_RSS = Buffer.from("VmRSS:");
const VM_HWM = Buffer.from("VmHWM:");
const THREADS = Buffer.from("Threads:");
const PSS = Buffer.from("\nPss:");

export interface ProcessMemory {
  rssBytes: number;
  hwmBytes: number;
  threads: number;
}

/** VmRSS, VmHWM and the thread count from /proc/<pid>/status; undefined when the process
 * is gone or is a zombie (whose status has no Vm* lines). */
export function readProcessMemory(pid: number): ProcessMemory | undefined {
  const length = readIntoBuffer(`/proc/${pid}/status`);
  if (length < 0) return undefined;
  const rssBytes = findKibField(length, VM_RSS);
  if (rssBytes < 0) return undefined;
  const threadsAt = buffer.subarray(0, length).indexOf(THREADS);
  const threads = threadsAt < 0 ? 1 : parseUnsignedAt(threadsAt + THREADS.length, length);
  return { rssBytes, hwmBytes: Math.max(findKibField(length, VM_HWM), rssBytes), threads: Math.max(threads, 1) };
}

/** Proportional set size from /proc/<pid>/smaps_rollup (Linux 4.14+); undefined when not
 * readable. Costs a page-table walk of the whole process: call it sparingly. */
export function readProcessPssBytes(pid: number): number | undefined {
  const length = readIntoBuffer(`/proc/${pid}/smaps_rollup`);
  if (length < 0) return undefined;
  const pss = findKibField(length, PSS);
  return pss < 0 ? undefined : pss;
}

/** Appends the child pids of one task, from /proc/<pid>/task/<tid>/children. */
function appendTaskChildren(path: string, into: number[]): boolean {
  const length = readIntoBuffer(path);
  if (length < 0) return false;
  let index = 0;
  while (index < length) {
    const value = parseUnsignedAt(index, length);
    if (value < 0) break;
    into.push(value);
    while (index < length && buffer[index] !== SPACE) index++;
    index++;
  }
  return true;
}

/** Appends the child processes of every thread of `pid` (a child belongs to the thread
 * that forked it). Single-threaded processes skip listing /proc/<pid>/task.
 * Returns false when the children files are not available (kernel without
 * CONFIG_PROC_CHILDREN, or the process is gone). */
export function appendChildPids(pid: number, threads: number, into: number[]): boolean {
  if (threads <= 1) return appendTaskChildren(`/proc/${pid}/task/${pid}/children`, into);
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  let ok = false;
  for (const tid of tids) ok = appendTaskChildren(`/proc/${pid}/task/${tid}/children`, into) || ok;
  return ok;
}

export interface ProcessCpuSeconds {
  userSeconds: number;
  sysSeconds: number;
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture node runs on
const CLOSE_PAREN = 0x29;

/** utime+cutime and stime+cstime from /proc/<pid>/stat (fields 14-17, in clock ticks). */
export function readProcessCpuSeconds(pid: number): ProcessCpuSeconds | undefined {
  const length = readIntoBuffer(`/proc/${pid}/stat`);
  if (length < 0) return undefined;
  // The command name (field 2) may contain spaces and parens: count from the last ')'.
  let index = buffer.subarray(0, length).lastIndexOf(CLOSE_PAREN) + 2;
  const fields: number[] = [];
  for (let field = 3; field <= 17 && index < length; field++) {
    if (field >= 14) fields.push(parseUnsignedAt(index, length));
    while (index < length && buffer[index] !== SPACE) index++;
    index++;
  }
  if (fields.length < 4 || fields.some((value) => value < 0)) return undefined;
  const [utime, stime, cutime, cstime] = fields as [number, number, number, number];
  return {
    userSeconds: (utime + cutime) / CLOCK_TICKS_PER_SECOND,
    sysSeconds: (stime + cstime) / CLOCK_TICKS_PER_SECOND,
  };
}
