// `allocrun dump`: one heap profile of a running process (jemalloc prof.dump, gperftools
// GetHeapProfile) or of a loopback pprof endpoint, saved into a dump run folder.
import { copyFileSync, existsSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, join } from "node:path";
import { environmentError } from "../core/errors.js";
import { parseProfile } from "../profile/read-profile.js";
import type { ArtifactKind } from "../run/manifest.js";
import { openDumpFolder, nextDumpName, recordDumps, type DumpFolder, type ProcessFigures } from "./dump-folder.js";
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
  const folder =
    existing ??
    openDumpFolder(request.outDir, {
      command: [request.commandName, String(pid)],
      program: process.exe.replace(/ \(deleted\)$/, ""),
      shortName: process.name,
      cwd: request.cwd,
      programCwd: readProcessCwd(pid) ?? request.cwd,
      allocator: { name: allocator.kind, library: allocator.path, version: null, verified: true, verifiedBy: "maps" },
      pid,
    });
  const { path, kind, warnings } = allocator.kind === "jemalloc" ? await dumpJemalloc(target, folder, request.session) : await dumpTcmalloc(target, folder, request.session);
  recordDumps(folder, warnings, processFigures(pid));
  return { result: { runDir: folder.runDir, path, kind, isHeapProfile: true, warnings, source: allocator.description }, folder };
}

function processFigures(pid: number): ProcessFigures | undefined {
  const cpu = readCpuSeconds(pid);
  return cpu === undefined ? undefined : { peakRssBytes: readStatusBytes(pid, "VmHWM") ?? null, ...cpu };
}

/**
 * jemalloc writes the file itself, as the process's user and inside its mount namespace:
 * into its own /tmp (seen through /proc/PID/root when it lives in a container), then the
 * file is moved into the run folder.
 */
async function dumpJemalloc(target: LiveTarget, folder: DumpFolder, session: GdbSessionOptions | undefined) {
  const pid = target.process.pid;
  const pathInTarget = `/tmp/allocrun-dump-${process.pid}-${randomBytes(6).toString("hex")}.heap`;
  const seen = sharesMountNamespace(pid) ? pathInTarget : `/proc/${pid}/root${pathInTarget}`;
  const name = nextDumpName(folder.runDir, 0, (sequence) => `jeprof.${pid}.${sequence}.m${sequence}.heap`);
  try {
    const dump = await dumpJemallocHeap(target, pathInTarget, session);
    if (dump.profiling.version !== undefined) folder.manifest.allocator.version = dump.profiling.version;
    if (!existsSync(seen)) throw environmentError(`jemalloc reported a dump to ${pathInTarget}, but allocrun cannot find it at ${seen}`, "check that /proc is mounted and readable");
    moveFile(seen, join(folder.runDir, name));
    return { path: join(folder.runDir, name), kind: "jemalloc-heap" as const, warnings: dump.warnings };
  } finally {
    removeQuietly(seen);
  }
}

/** gdb itself writes tcmalloc's profile text: straight into the run folder. */
async function dumpTcmalloc(target: LiveTarget, folder: DumpFolder, session: GdbSessionOptions | undefined) {
  const name = nextDumpName(folder.runDir, 1, (sequence) => `heap_${target.process.pid}.${String(sequence).padStart(4, "0")}.heap`);
  const path = join(folder.runDir, name);
  // A .tmp name until complete: listArtifacts skips those.
  const partial = `${path}.${process.pid}.tmp`;
  try {
    await dumpTcmallocHeap(target, partial, session);
    renameSync(partial, path);
  } finally {
    removeQuietly(partial);
  }
  return { path, kind: "gperftools-heap" as const, warnings: [] };
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

function moveFile(source: string, target: string): void {
  try {
    renameSync(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    copyFileSync(source, target);
    unlinkSync(source);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already moved, or never written.
  }
}
