// `allocrun comapre` is a typo for `compare`, not a program to run: when the first word is
// close to a command name and no program of that name exists (a path, or a file on PATH
// or in the current folder), say so instead of running it. A real program always runs.
import { statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { AllocrunError } from "../core/errors.js";
import { findClosestNames } from "../core/closest-names.js";
import { COMMANDS } from "./command-table.js";

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function programExists(name: string, searchPath: string): boolean {
  if (name.includes("/")) return true;
  if (isFile(name)) return true;
  return searchPath.split(delimiter).some((dir) => dir !== "" && isFile(join(dir, name)));
}

/** The error for a mistyped command, or undefined when `word` should run as a program. */
export function mistypedCommandError(word: string | undefined, searchPath = process.env.PATH ?? ""): AllocrunError | undefined {
  if (word === undefined || word.startsWith("-")) return undefined;
  const [suggestion] = findClosestNames(
    word,
    COMMANDS.map((entry) => entry.name),
    1,
  );
  if (suggestion === undefined || programExists(word, searchPath)) return undefined;
  return new AllocrunError("not-found", `${word} is neither an allocrun command nor a program`, {
    hint: `did you mean allocrun ${suggestion}? (see allocrun help)`,
  });
}
