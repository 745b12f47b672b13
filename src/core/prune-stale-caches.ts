// Caches named by a build (the ELF facts of one allocrun's sources) would pile up with
// every upgrade: when a build starts its own, the others' that nothing has written to for
// STALE_AFTER_MS go. One still in use only loses its cache, rebuilt on its next run.
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const STALE_AFTER_MS = 30 * 24 * 3600 * 1000;

/** Removes the entries of `directory` named `prefix…`, other than `keep`, unchanged for STALE_AFTER_MS. */
export function pruneStaleCaches(directory: string, prefix: string, keep: string): void {
  const nowMs = Date.now();
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return;
  }
  for (const name of names) {
    if (name === keep || !name.startsWith(prefix)) continue;
    const path = join(directory, name);
    try {
      if (nowMs - statSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Best effort: another allocrun may be removing it too.
    }
  }
}
