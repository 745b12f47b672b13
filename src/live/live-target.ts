// A running process and the allocator allocrun talks to in it; one gdb session of calls
// against it, after which the process must still be running.
import { environmentError } from "../core/errors.js";
import { runGdbSession, type GdbCall, type GdbCallResult, type GdbSessionOptions } from "./gdb-session.js";
import { chooseLiveAllocator, type AllocatorChoice, type LiveAllocator } from "./live-allocator.js";
import { isProcessRunning, readLiveProcess, type LiveProcess } from "./live-process.js";

export interface LiveTarget {
  process: LiveProcess;
  allocator: LiveAllocator;
}

export function openLiveTarget(pid: number, choice: AllocatorChoice): LiveTarget {
  const process = readLiveProcess(pid);
  return { process, allocator: chooseLiveAllocator(process, choice) };
}

/** Makes the calls from a thread outside the allocator and checks the process survived. */
export async function callInTarget(target: LiveTarget, calls: GdbCall[], options: GdbSessionOptions = {}): Promise<Map<string, GdbCallResult>> {
  const { process, allocator } = target;
  const session = await runGdbSession(
    { pid: process.pid, targetUid: process.uid, allocatorRanges: allocator.codeRanges, allocatorNamePattern: allocator.functionNamePattern, calls },
    options,
  );
  if (!isProcessRunning(process.pid)) {
    throw environmentError(`process ${process.pid} is gone after allocrun attached to it`, "it may have been exiting anyway; if not, please report this with its allocator and version");
  }
  return session.results;
}
