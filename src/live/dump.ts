// `allocrun dump`: one heap profile of a running process (jemalloc prof.dump, gperftools
// GetHeapProfile) or of a loopback pprof endpoint, saved into a dump run folder.
import { existsSync, unlinkSync, writeFileSync } from "node:fs";
import { moveFileNoReplace } from "../core/move-file.js";
import { tmpdir } from "node:os";
import { randomBytes } from "node:crypto";
import { basename, join } from "node:path";
import { environmentError } from "../core/errors.js";
import { parseProfile } from "../profile/read-profile.js";
import type { ArtifactKind } from "../run/manifest.js";
import { openDumpFolder, nextDumpName, recordDumps, type DumpFolder, type DumpSource, type ProcessFigures } from "./dump-folder.js";
import type { GdbSessionOptions } from "./gdb-session.js";
import { endpointName, fetchProfile, isProfileUrl, parseProfileUrl } from "./http-profile.js";
import { dumpJemallocHeap } from "./jemalloc-live.js";
import { readCpuSeconds, readProcessCwd, readStatusBytes, sharesMountNamespace } from "./live-process.js";
import { openLiveTarget, type LiveTarget } from "./live-target.js";
import { dumpTcmallocHeap } from "./tcmalloc-live.js";

export interface DumpRequest {
  /** A pid, or an http://127.0.0.1:PORT/... profile URL. */
  target: string;
  /** -o DIR: a new folder, or one holding earlier dumps of the same target. */
  outDir: string | undefined;
  cwd: string;
  /** The command recorded in the manifest: "dump" or "watch". */
  commandName: "dump" | "watch";
  /** Which allocator to talk to when the process has several. */
  allocator?: "jemalloc" | "tcmalloc" | "rjem";
  session?: GdbSessionOptions;
}

export interface DumpResult {
  runDir: string;
  /** The profile written, absolute. */
  path: string;
  kind: ArtifactKind;
  /** Heap (bytes) rather than CPU: a series of these has a growth to rank. */
  isHeapProfile: boolean;
  /** What the user should know (paused sampling...). */
  warnings: string[];
  /** "jemalloc (libjemalloc.so.2)", "go pprof endpoint" */
  source: string;
}

/** Takes one dump; `folder` continues a series (watch), else -o DIR or a new folder. */
export async function takeDump(request: DumpRequest, folder?: DumpFolder): Promise<{ result: DumpResult; folder: DumpFolder }> {
  return isProfileUrl(request.target) ? fetchUrlDump(request, folder) : dumpProcess(request, folder);
}

async function dumpProcess(request: DumpRequest, existing: DumpFolder | undefined): Promise<{ result: DumpResult; folder: DumpFolder }> {
  const pid = Number(request.target);
  const target = openLiveTarget(pid, { preferred: request.allocator, purpose: "dump the heap" });
  const { process, allocator } = target;
  const source: DumpSource = {
    command: [request.commandName, String(pid)],
    program: process.exe.replace(/ \(deleted\)$/, ""),
    shortName: process.name,
    cwd: request.cwd,
    programCwd: readProcessCwd(pid) ?? request.cwd,
    allocator: { name: allocator.kind, library: allocator.path, version: null, verified: true, verifiedBy: "maps" },
    pid,
  };
  // A folder the user named is claimed (or checked) first; a default one only once there is a dump for it.
  let folder = existing ?? (request.outDir === undefined ? undefined : openDumpFolder(request.outDir, source));
  const dump = allocator.kind === "jemalloc" ? await dumpJemalloc(target, request.session) : await dumpTcmalloc(target, request.session);
  try {
    folder ??= openDumpFolder(undefined, source);
    if (dump.version !== undefined) folder.manifest.allocator.version = dump.version;
    const name =
      dump.kind === "jemalloc-heap"
        ? nextDumpName(folder.runDir, 0, (sequence) => `jeprof.${pid}.${sequence}.m${sequence}.heap`)
        : nextDumpName(folder.runDir, 1, (sequence) => `heap_${pid}.${String(sequence).padStart(4, "0")}.heap`);
    const path = join(folder.runDir, name);
    moveFileNoReplace(dump.file, path);
    recordDumps(folder, dump.warnings, processFigures(pid));
    return { result: { runDir: folder.runDir, path, kind: dump.kind, isHeapProfile: true, warnings: dump.warnings, source: allocator.description }, folder };
  } finally {
    removeQuietly(dump.file);
  }
}

function processFigures(pid: number): ProcessFigures | undefined {
  const cpu = readCpuSeconds(pid);
  return cpu === undefined ? undefined : { peakRssBytes: readStatusBytes(pid, "VmHWM") ?? null, ...cpu };
}

/** A heap profile the process produced, in a temporary file until it joins a run folder. */
interface ProducedDump {
  file: string;
  kind: "jemalloc-heap" | "gperftools-heap";
  version: string | undefined;
  warnings: string[];
}

const temporaryName = () => `allocrun-dump-${process.pid}-${randomBytes(6).toString("hex")}.heap`;

/**
 * jemalloc writes the file itself, as the process's user and inside its mount namespace:
 * into its own /tmp (seen through /proc/PID/root when it lives in a container).
 */
async function dumpJemalloc(target: LiveTarget, session: GdbSessionOptions | undefined): Promise<ProducedDump> {
  const pid = target.process.pid;
  const pathInTarget = `/tmp/${temporaryName()}`;
  const seen = sharesMountNamespace(pid) ? pathInTarget : `/proc/${pid}/root${pathInTarget}`;
  try {
    const dump = await dumpJemallocHeap(target, pathInTarget, session);
    if (!existsSync(seen)) throw environmentError(`jemalloc reported a dump to ${pathInTarget}, but allocrun cannot find it at ${seen}`, "check that /proc is mounted and readable");
    return { file: seen, kind: "jemalloc-heap", version: dump.profiling.version, warnings: dump.warnings };
  } catch (error) {
    removeQuietly(seen);
    throw error;
  }
}

/** gdb itself writes tcmalloc's profile text, as allocrun's user. */
async function dumpTcmalloc(target: LiveTarget, session: GdbSessionOptions | undefined): Promise<ProducedDump> {
  const file = join(tmpdir(), temporaryName());
  try {
    await dumpTcmallocHeap(target, file, session);
  } catch (error) {
    removeQuietly(file);
    throw error;
  }
  return { file, kind: "gperftools-heap", version: undefined, warnings: [] };
}

async function fetchUrlDump(request: DumpRequest, existing: DumpFolder | undefined): Promise<{ result: DumpResult; folder: DumpFolder }> {
  const url = parseProfileUrl(request.target);
  const endpoint = endpointName(url);
  const body = await fetchProfile(url);
  // Refuse what allocrun could not analyse later, before a folder is made for it.
  const profile = parseProfile(body, url.href);
  const folder =
    existing ??
    openDumpFolder(request.outDir, {
      command: [request.commandName, url.href],
      program: url.href,
      shortName: `pprof-${url.port || "80"}-${endpoint}`,
      cwd: request.cwd,
      programCwd: request.cwd,
      allocator: { name: "go", library: null, version: null, verified: true, verifiedBy: "not-needed", reason: "profile fetched over HTTP" },
      pid: undefined,
    });
  const extension = profile.format === "pprof" ? "pb.gz" : "heap";
  const name = nextDumpName(folder.runDir, 1, (sequence) => `${endpoint}.${String(sequence).padStart(4, "0")}.${extension}`);
  const path = join(folder.runDir, name);
  writeFileSync(path, body);
  recordDumps(folder, [], undefined);
  const kind = folder.manifest.artifacts.find((artifact) => artifact.path === name)?.kind ?? "pprof";
  const isHeapProfile = profile.sampleTypes.some((type) => type.unit === "bytes");
  return { result: { runDir: folder.runDir, path, kind, isHeapProfile, warnings: [], source: `${url.host} ${basename(url.pathname)}` }, folder };
}


function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already moved, or never written.
  }
}
