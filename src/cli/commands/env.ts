// `allocrun env [options]`: the environment a run would set, for a shell, a systemd
// unit or a Dockerfile. Profile paths point into --out (default: the current folder).
import { resolve } from "node:path";
import { usageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { parseRunArguments } from "../run-options.js";
import { generalHelp } from "./help.js";
import { prepareRun } from "../../run/prepare-run.js";
import { formatEnvironment, renderEnvironment } from "../../presets/index.js";

export default async function env(args: string[]): Promise<number> {
  const options = parseRunArguments(args);
  if (options.help) {
    process.stdout.write(generalHelp());
    return ExitCode.ok;
  }
  if (options.command.length > 0) throw usageError(`allocrun env takes no program (got "${options.command[0]}")`, "run it with allocrun [options] -- PROGRAM, or use --dry-run");
  const cwd = process.cwd();
  const prepared = prepareRun({ allocator: options.allocator ?? "glibc", steps: options.steps, libraryPath: options.libraryPath, env: process.env, cwd, program: undefined });
  const vars = renderEnvironment(prepared.plan, { libraryPaths: prepared.libraryPaths, outDir: resolve(cwd, options.outDir ?? ".") });
  process.stdout.write(formatEnvironment(vars, options.envFormat));
  for (const warning of prepared.warnings) process.stderr.write(`allocrun: warning: ${warning}\n`);
  return ExitCode.ok;
}
