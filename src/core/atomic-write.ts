// Writes a file so that readers see either nothing or the whole content: write a
// sibling temp file, then rename over the target (atomic within one filesystem).
import { renameSync, writeFileSync } from "node:fs";

export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

/** Writes JSON with two-space indentation and a final newline. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
