// Writes a file so that readers see either nothing or the whole content: write a
// sibling temp file, then rename (or link) it to the target, atomic within one
// filesystem. A failed write (a full disk) leaves neither the temp file nor a partial target.
import { linkSync, renameSync, unlinkSync, writeFileSync } from "node:fs";

function temporaryPathFor(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // never written
  }
}

export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const temporary = temporaryPathFor(path);
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    removeQuietly(temporary);
    throw error;
  }
}

/** Like writeFileAtomic, but never replaces a file already at `path`: returns false then. */
export function writeFileAtomicNoReplace(path: string, content: string | Uint8Array): boolean {
  const temporary = temporaryPathFor(path);
  try {
    writeFileSync(temporary, content);
    linkSync(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    // A filesystem without hard links (vfat): exclusive create, removed again if cut short.
    if (code === "EPERM" || code === "ENOTSUP" || code === "ENOSYS") return writeExclusive(path, content);
    throw error;
  } finally {
    removeQuietly(temporary);
  }
}

function writeExclusive(path: string, content: string | Uint8Array): boolean {
  try {
    writeFileSync(path, content, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    removeQuietly(path);
    throw error;
  }
}

/** Writes JSON with two-space indentation and a final newline. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
