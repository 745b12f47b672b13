// Every run gets a folder of its own. It is created with a non-recursive mkdir of the
// final path, which fails when the path exists: two runs started in the same
// millisecond get different names, and an existing folder is never reused.
import { accessSync, constants, mkdirSync, readdirSync } from "node:fs";
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

export function createRunFolder(request: RunFolderRequest): string {
  if (request.outDir !== undefined) return claimExplicitFolder(resolve(request.cwd, request.outDir));
  const parent = resolve(request.cwd, "allocrun-out");
  makeParent(parent, "./allocrun-out");
  const base = `${timestampForFolder(request.now ?? new Date())}-${safeNamePart(basename(request.programPath))}-${request.allocator}`;
  for (let attempt = 1; attempt < 1000; attempt++) {
    const candidate = join(parent, attempt === 1 ? base : `${base}-${attempt}`);
    if (tryMkdir(candidate)) return candidate;
  }
  throw environmentError(`could not create a run folder in ${parent}`, "clean up old runs or pass -o DIR");
}

function claimExplicitFolder(path: string): string {
  let existing: string[] | undefined;
  try {
    existing = readdirSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") throw usageError(`--out ${path} is a file, not a folder`, "pass a new or empty folder");
  }
  if (existing !== undefined) {
    if (existing.length > 0) {
      throw usageError(`--out ${path} already holds files; allocrun never overwrites a run`, "pass a new or empty folder");
    }
    checkWritable(path);
    return path;
  }
  makeParent(resolve(path, ".."), path);
  if (!tryMkdir(path)) throw usageError(`--out ${path} was created by someone else just now`, "pass another folder");
  return path;
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

function checkWritable(path: string): void {
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    throw unwritableError(path, error);
  }
}

function unwritableError(path: string, cause: unknown) {
  const code = (cause as NodeJS.ErrnoException).code ?? "error";
  return environmentError(`cannot write the run folder ${path} (${code})`, "choose a writable folder with -o DIR", cause);
}
