// gperftools tcmalloc in a running process: its heap profile as text (GetHeapProfile,
// the same "heap profile:" format HEAPPROFILE dumps use, written to a file by gdb and
// freed with tc_free), and its statistics (MallocExtension_GetStats, the MALLOCSTATS
// block, parsed by the exit-statistics parser).
import { unlinkSync } from "node:fs";
import { environmentError } from "../core/errors.js";
import { parseTcmallocStats, type TcmallocStats } from "../stats/tcmalloc-stats.js";
import type { GdbSessionOptions } from "./gdb-session.js";
import { callInTarget, type LiveTarget } from "./live-target.js";
import type { LiveStats } from "./live-stats.js";

const STATS_BUFFER_BYTES = 128 * 1024;
const HOW_TO_START = "restart it with allocrun --tcmalloc --prof -- PROGRAM (sets HEAPPROFILE)";

/** Writes the process's current heap profile to `path` (written by gdb, so any path allocrun may write). */
export async function dumpTcmallocHeap(target: LiveTarget, path: string, options: GdbSessionOptions = {}): Promise<void> {
  const { process, allocator } = target;
  if (!allocator.hasHeapProfiler) {
    throw environmentError(`process ${process.pid} uses ${allocator.description}, which has no heap profiler`, HOW_TO_START);
  }
  const results = await callInTarget(
    target,
    [
      { id: "running", fn: "IsHeapProfilerRunning", returns: "int", args: [] },
      { id: "profile", fn: "GetHeapProfile", returns: "long", args: [], returnedString: { toFile: path, free: "tc_free" } },
    ],
    options,
  );
  const running = results.get("running");
  const profile = results.get("profile");
  const failed = running?.error ?? profile?.error;
  if (failed !== undefined) throw environmentError(`gdb could not call tcmalloc's heap profiler in process ${process.pid}: ${failed}`, "the library's dynamic symbols must be visible");
  if (running?.returned === 0) {
    removeQuietly(path);
    throw environmentError(`tcmalloc's heap profiler is not running in process ${process.pid} (it was started without HEAPPROFILE)`, HOW_TO_START);
  }
  if ((profile?.fileBytes ?? -1) <= 0) {
    removeQuietly(path);
    throw environmentError(`tcmalloc in process ${process.pid} returned no heap profile`, "try again; report this if it persists");
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Nothing was written.
  }
}

type ByteFigure = { [K in keyof TcmallocStats]: TcmallocStats[K] extends number ? K : never }[keyof TcmallocStats];

const FIGURES: Array<[ByteFigure, string, string]> = [
  ["bytesInUseByApplication", "in-use", "bytes in use by the application"],
  ["pageHeapFreelistBytes", "page-heap-free", "free pages kept in the page heap"],
  ["centralCacheFreelistBytes", "central-cache-free", "free objects in the central cache"],
  ["transferCacheFreelistBytes", "transfer-cache-free", "free objects in the transfer cache"],
  ["threadCacheFreelistBytes", "thread-cache-free", "free objects in thread caches"],
  ["metadataBytes", "metadata", "the allocator's own bookkeeping"],
  ["actualMemoryUsedBytes", "actual-used", "all of the above: physical memory plus swap"],
  ["releasedToOsBytes", "released", "returned to the OS (address space only)"],
  ["virtualAddressSpaceUsedBytes", "virtual", "address space used"],
];

export async function readTcmallocStats(target: LiveTarget, options: GdbSessionOptions = {}): Promise<LiveStats> {
  const results = await callInTarget(
    target,
    [{ id: "stats", fn: "MallocExtension_GetStats", returns: "void", args: [{ buffer: STATS_BUFFER_BYTES, outText: "text" }, { int: STATS_BUFFER_BYTES }] }],
    options,
  );
  const result = results.get("stats");
  if (result?.error !== undefined) throw environmentError(`gdb could not call MallocExtension_GetStats in process ${target.process.pid}: ${result.error}`, "the library's dynamic symbols must be visible");
  const text = result?.outputs.text ?? "";
  const stats = parseTcmallocStats(text);
  if (stats === undefined) throw environmentError(`tcmalloc in process ${target.process.pid} returned statistics allocrun cannot read`, "report this with the gperftools version");
  return {
    allocator: target.allocator.hasHeapProfiler ? "tcmalloc" : "tcmalloc_minimal",
    version: null,
    figures: FIGURES.map(([key, name, meaning]) => ({ name, bytes: stats[key], meaning })),
    notes: [],
  };
}
