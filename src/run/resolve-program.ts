// Finds the executable the way execvp(3) would, so a missing or non-executable program
// is reported before anything runs (exit 127 / 126, the env(1) convention).
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { AllocrunError } from "../core/errors.js";

export function resolveProgram(program: string, cwd: string, pathVariable: string | undefined): string {
  if (program.includes("/")) {
    const path = isAbsolute(program) ? program : resolve(cwd, program);
    checkExecutable(path, program);
    return path;
  }
  let foundButNotExecutable: string | undefined;
  for (const directory of (pathVariable ?? "/usr/local/bin:/usr/bin:/bin").split(delimiter)) {
    const candidate = resolve(cwd, directory || ".", program);
    if (!isFile(candidate)) continue;
    if (isExecutable(candidate)) return candidate;
    foundButNotExecutable ??= candidate;
  }
  if (foundButNotExecutable) checkExecutable(foundButNotExecutable, program);
  throw new AllocrunError("not-found", `${program}: command not found`, { hint: "check the spelling, or give a path such as ./" + program });
}

function isFile(path: string): boolean {
  try {
    // Most PATH folders lack the program: no exception (and its stack trace) for each.
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function checkExecutable(path: string, shown: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new AllocrunError("not-found", `${shown}: no such file`, { hint: `check the path (${join(path)})` });
  }
  if (isDirectory) throw new AllocrunError("not-executable", `${shown} is a directory`, { hint: "give the program inside it" });
  if (!isExecutable(path)) throw new AllocrunError("not-executable", `${shown} is not executable`, { hint: `chmod +x ${shown}` });
}
