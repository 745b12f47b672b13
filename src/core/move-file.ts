// Moves a file, also across filesystems (rename fails there with EXDEV: copy, then
// unlink). Never replaces an existing target: what the user produced is never lost.
import { copyFileSync, constants, existsSync, renameSync, unlinkSync } from "node:fs";

export function moveFileNoReplace(source: string, target: string): void {
  if (existsSync(target)) throw new Error(`${target} exists`);
  try {
    renameSync(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    copyFileSync(source, target, constants.COPYFILE_EXCL);
    unlinkSync(source);
  }
}
