// Every run gets a folder of its own. A run owns its folder once it has created the
// claim file in it with O_EXCL: of several runs given the same -o at once (a new or an
// existing empty folder), exactly one gets it; the others stop before their program
// starts. Default folders are also made with a non-recursive mkdir of a fresh name, so
// two runs started in the same second get different names.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, writeSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { environmentError, usageError } from "../core/errors.js";

export interface RunFolderRequest {
  /** `-o/--out`; when absent, a fresh folder under ./allocrun-out/. */
  outDir: string | undefined;
  cwd: string;
  programPath: string;
  allocator: string;
  now?: Date;
}

/** 20261126-061530 in local time: sorts by time, readable, no colons (portable). */
function timestampForFolder(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

function safeNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._+-]+/g, "_").slice(0, 40) || "program";
}

/** The claim file: the first file of every run folder, kept (hidden, not an artifact). */
export const RUN_FOLDER_CLAIM = ".allocrun-claim";

export function createRunFolder(request: RunFolderRequest): string {
  if (request.outDir !== undefined) return claimExplicitFolder(resolve(request.cwd, request.outDir));
  const parent = resolve(request.cwd, "allocrun-out");
  makeParent(parent, "./allocrun-out");
  const base = `${timestampForFolder(request.now ?? new Date())}-${safeNamePart(basename(request.programPath))}-${request.allocator}`;
  for (let attempt = 1; attempt < 1000; attempt++) {
    const candidate = join(parent, attempt === 1 ? base : `${base}-${attempt}`);
    if (tryMkdir(candidate) && tryClaim(candidate)) return candidate;
  }
  throw environmentError(`could not create a run folder in ${parent}`, "clean up old runs or pass -o DIR");
}

function claimExplicitFolder(path: string): string {
  let existing: string[] | undefined;
  try {
    // Usually a new folder: asked first, so that no ENOENT error (and its stack) is built.
    if (existsSync(path)) existing = readdirSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") throw usageError(`--out ${path} is a file, not a folder`, "pass a new or empty folder");
  }
  if (existing === undefined) {
    makeParent(resolve(path, ".."), path);
    tryMkdir(path); // made by another run just now: the claim below decides
  } else if (existing.length > 0) {
    throw alreadyUsedError(path);
  }
  if (!tryClaim(path)) throw alreadyUsedError(path);
  return path;
}

function alreadyUsedError(path: string) {
  return usageError(`--out ${path} already holds files (or another allocrun run took it just now); allocrun never overwrites a run`, "pass a new or empty folder");
}

/** Creates the claim file; false when another run created it first. */
function tryClaim(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(join(path, RUN_FOLDER_CLAIM), "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw unwritableError(path, error);
  }
  try {
    writeSync(fd, `pid ${process.pid}\n`);
  } catch {
    // The empty file claims the folder just as well.
  } finally {
    closeSync(fd);
  }
  return true;
}

function makeParent(path: string, shown: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    throw unwritableError(shown, error);
  }
}

function tryMkdir(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw unwritableError(path, error);
  }
}

function unwritableError(path: string, cause: unknown) {
  const code = (cause as NodeJS.ErrnoException).code ?? "error";
  return environmentError(`cannot write the run folder ${path} (${code})`, "choose a writable folder with -o DIR", cause);
}
