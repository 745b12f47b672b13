// allocrun writes every run into ./allocrun-out/<run>/ (or -o DIR): profiles dumped by
// the allocator go there too, so an unwritable folder means runs without output.
import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { finding, type Finding } from "../../detect/finding.js";

/** The folder itself when it exists, else its nearest existing ancestor (mkdir -p creates the rest). */
function nearestExisting(path: string): string {
  let current = path;
  for (;;) {
    try {
      statSync(current);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

export function checkOutputFolder(cwd: string, outDir = "allocrun-out"): Finding[] {
  const folder = resolve(cwd, outDir);
  const existing = nearestExisting(folder);
  try {
    if (!statSync(existing).isDirectory()) {
      return [finding("machine.output-folder", "blocking", `${existing} is a file, so runs cannot create ${folder}`, "run from another folder or pass -o DIR")];
    }
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    return [finding("machine.output-folder", "blocking", `${existing} is not writable: runs cannot create ${folder} for their results and profiles`, "run from a writable folder or pass -o DIR")];
  }
  return [finding("machine.output-folder", "ok", `run folders go to ${folder} (writable)`)];
}
