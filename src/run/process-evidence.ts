// Turns the launcher's process census into per-process evidence for the manifest: which
// process ran which executable, whether the preloaded allocator was mapped in it (or
// why not), and its peak; then decides whether the run's work really ran under the
// allocator. Runs after the program exited (ELF headers of each executable, read once).
import { basename } from "node:path";
import type { AllocatorName } from "../core/allocators.js";
import type { ObservedProcess } from "./launcher-status.js";
import { inspectObservedExecutable } from "./preflight.js";

/** Why a process did not run on the preloaded allocator (or could not be checked). */
export type ProcessAllocatorReason =
  /** statically linked: no loader, so no LD_PRELOAD */
  | "static"
  /** a Go program (without cgo it is static; its heap is the Go runtime's anyway) */
  | "go"
  /** set-user-ID/set-group-ID or capabilities: the loader ignores LD_PRELOAD paths */
  | "secure-exec"
  /** dynamic, but the loader finished without the library (LD_PRELOAD removed from its environment) */
  | "not-loaded"
  /** the library was mapped, but the program links another allocator too */
  | "different-allocator-linked"
  /** it ended before its libraries could be seen */
  | "ended-too-soon";

export interface ProcessRecord {
  pid: number;
  ppid: number;
  /** The executable; null when it could not be read (another user's process). */
  exe: string | null;
  /** The kernel's name of the process (comm, at most 15 characters). */
  name: string;
  /** true: the allocator library was mapped in it; false: it was not; null: not known. */
  allocatorSeen: boolean | null;
  reason?: ProcessAllocatorReason;
  /** The allocator it links itself, with reason "different-allocator-linked". */
  linkedAllocator?: string;
  /** VmHWM as last seen (`vmhwm-last-seen`: a peak in its last milliseconds can be missed),
   * or ru_maxrss when allocrun reaped it (`wait4-rusage`). */
  peakRssBytes: number;
  peakRssMethod: "vmhwm-last-seen" | "wait4-rusage";
}

export interface ProcessEvidence {
  processes: ProcessRecord[];
  /** Set when some process that did measurable work ran without the allocator. */
  failure?: string;
  /** The allocator was seen mapped in the program. */
  seenInProgram: boolean;
  warnings: string[];
}

/** A process counts as doing measurable work when its peak is at least this share of the largest. */
const MEASURABLE_SHARE = 1 / 8;
/** ru_maxrss above every peak seen by this much means an unseen process held the peak. */
const UNSEEN_PEAK_RATIO = 1.25;
const UNSEEN_PEAK_SLACK_BYTES = 8 * 1024 * 1024;
const MIB = 1024 * 1024;

const REASON_WORDS: Record<Exclude<ProcessAllocatorReason, "different-allocator-linked" | "ended-too-soon">, string> = {
  static: "is static: it ran on its own allocator",
  go: "is a Go program: the Go runtime manages its heap",
  "secure-exec": "ran with another user's identity (set-ID): the loader ignored LD_PRELOAD",
  "not-loaded": "started without LD_PRELOAD in its environment: it ran on its own allocator",
};

export interface EvidenceInput {
  observed: ObservedProcess[];
  allocator: AllocatorName;
  /** The pid the program started with. */
  programPid: number;
  /** The program's own executable: already checked before the run. */
  programExe: string;
  /** ru_maxrss of the program (the largest of it and the children it waited for). */
  peakRssBytes: number;
  notRecorded?: number;
}

export function gatherProcessEvidence(input: EvidenceInput): ProcessEvidence {
  const preloads = input.allocator !== "glibc";
  const inspected = new Map<string, ReturnType<typeof inspectObservedExecutable>>();
  const inspect = (exe: string, name: string) => {
    if (!inspected.has(exe)) inspected.set(exe, inspectObservedExecutable(exe, input.allocator, name));
    return inspected.get(exe);
  };
  const warnings: string[] = [];
  const linkedWarned = new Set<string>();
  const processes = input.observed.map((observed): ProcessRecord => {
    const record: ProcessRecord = {
      pid: observed.pid,
      ppid: observed.ppid,
      exe: observed.exe,
      name: observed.name,
      allocatorSeen: preloads ? observed.preloadMapped : null,
      peakRssBytes: observed.hwmKib * 1024,
      peakRssMethod: observed.exact ? "wait4-rusage" : "vmhwm-last-seen",
    };
    if (!preloads) return record;
    const facts = observed.exe === null ? undefined : inspect(observed.exe, nameOf(observed));
    const reason = reasonFor(observed, facts?.elf);
    if (reason) record.reason = reason;
    const linked = facts?.findings.find((finding) => finding.id === "target.linked-allocator" && finding.severity === "warning");
    if (linked && observed.preloadMapped === true && observed.exe !== null) {
      record.reason = "different-allocator-linked";
      record.linkedAllocator = /against ([^\s:]+)/.exec(linked.what)?.[1] ?? "another allocator";
      // The program itself was warned about before it started.
      if (observed.exe !== input.programExe && !linkedWarned.has(observed.exe)) {
        linkedWarned.add(observed.exe);
        warnings.push(`${linked.what} (pid ${observed.pid})${linked.fix ? ` — ${linked.fix}` : ""}`);
      }
    }
    return record;
  });
  if (!preloads) return { processes, seenInProgram: false, warnings };

  const largest = Math.max(0, ...processes.map((process) => process.peakRssBytes));
  const failing = processes.filter(
    (process) => process.allocatorSeen !== true && process.reason !== undefined && process.reason !== "ended-too-soon" && process.peakRssBytes >= largest * MEASURABLE_SHARE,
  );
  for (const process of failing) warnings.push(`${describeProcess(process)} ${REASON_WORDS[process.reason as keyof typeof REASON_WORDS]}`);
  let failure = failing.length > 0 ? `${describeProcess(failing[0]!)} ${REASON_WORDS[failing[0]!.reason as keyof typeof REASON_WORDS]}` : undefined;

  const hadChildren = processes.some((process) => process.pid !== input.programPid);
  if (hadChildren && input.peakRssBytes > largest * UNSEEN_PEAK_RATIO + UNSEEN_PEAK_SLACK_BYTES) {
    const unseen = `the process with the peak RSS (${(input.peakRssBytes / MIB).toFixed(1)} MiB by wait4) ended before allocrun could look at it; the largest seen peaked at ${(largest / MIB).toFixed(1)} MiB`;
    warnings.push(unseen);
    failure ??= unseen;
  }
  if (input.notRecorded) warnings.push(`${input.notRecorded} processes were not recorded (more than the launcher's census holds)`);
  const seenInProgram = processes.some((process) => process.pid === input.programPid && process.allocatorSeen === true);
  return { processes, ...(failure ? { failure } : {}), seenInProgram, warnings };
}

function reasonFor(observed: ObservedProcess, elf: { isStatic: boolean; isGo: boolean } | undefined): ProcessAllocatorReason | undefined {
  if (observed.preloadMapped === true) return undefined;
  if (observed.secure) return "secure-exec";
  if (elf?.isGo) return "go";
  if (elf?.isStatic) return "static";
  if (observed.preloadMapped === false) return "not-loaded";
  return "ended-too-soon";
}

/** How messages name a process: its executable's name, or the name it runs under when that
 * differs (Debian's redis-server is a link to redis-check-rdb, which looks at argv[0]). */
function nameOf(process: { exe: string | null; name: string }): string {
  if (process.exe === null) return process.name;
  const file = basename(process.exe);
  return file.startsWith(process.name) ? file : process.name;
}

/** "busybox (pid 4242)" */
function describeProcess(process: ProcessRecord): string {
  return `${nameOf(process)} (pid ${process.pid})`;
}
