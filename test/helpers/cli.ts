// Runs the real, built CLI (bin/allocrun.js → dist/) as a user would.
import { execa, type Options } from "execa";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./examples.js";

export const CLI = join(REPO_ROOT, "bin", "allocrun.js");

if (!existsSync(join(REPO_ROOT, "dist", "cli", "main.js"))) {
  throw new Error("dist/ is missing: run `npm run build` (npm test does it first)");
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The signal that ended allocrun (a run ends by its program's fatal signal), if any. */
  signal?: string;
}

export async function runCli(args: string[], options: Options = {}): Promise<CliResult> {
  const result = await execa(process.execPath, [CLI, ...args], { reject: false, stdin: "ignore", ...options });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout ?? ""), stderr: String(result.stderr ?? ""), signal: result.signal };
}
