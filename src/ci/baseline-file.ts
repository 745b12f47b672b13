// Reading and writing the baseline file; the schema itself lives in baseline.ts.
import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { writeJsonAtomic } from "../core/atomic-write.js";
import { environmentError, inputError } from "../core/errors.js";
import { parseBaseline, type Baseline } from "./baseline.js";

/** The baseline at `path`, or undefined when there is no file there. */
export function readBaselineFile(path: string): Baseline | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw inputError(`cannot read the baseline ${path} (${code ?? "error"})`, code === "EISDIR" ? "--baseline takes a file, not a folder" : "check its permissions", error);
  }
  return parseBaseline(text, path);
}

export function writeBaselineFile(path: string, baseline: Baseline): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeJsonAtomic(path, baseline);
  } catch (error) {
    throw environmentError(`cannot write the baseline ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`, "choose a writable path with --baseline FILE", error);
  }
}
