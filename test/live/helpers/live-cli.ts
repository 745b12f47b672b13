// Runs a live-process command (dump, prof, stats, watch) from the built dist/ as the CLI
// entry would: its exit code, and AllocrunErrors printed as one line with exit 2.
// TODO(cli lead): switch to runCli(["dump", ...]) once src/cli/main.ts maps these commands.
import { execa, type Options } from "execa";
import { join } from "node:path";
import type { CliResult } from "../../helpers/cli.js";
import { REPO_ROOT } from "../../helpers/examples.js";

const RUNNER = `
const [command, ...args] = process.argv.slice(1);
const dist = process.env.ALLOCRUN_DIST;
const { default: run } = await import(dist + "/cli/commands/" + command + ".js");
const { isAllocrunError, formatErrorLine } = await import(dist + "/core/errors.js");
try {
  process.exitCode = await run(args);
} catch (error) {
  if (!isAllocrunError(error)) throw error;
  process.stderr.write(formatErrorLine(error) + "\\n");
  process.exitCode = 2;
}
`;

export type LiveCommand = "dump" | "prof" | "stats" | "watch";

export async function runLiveCommand(command: LiveCommand, args: string[], options: Options = {}): Promise<CliResult> {
  const result = await execa(process.execPath, ["--input-type=module", "-e", RUNNER, command, ...args], {
    reject: false,
    stdin: "ignore",
    ...options,
    env: { ...options.env, ALLOCRUN_DIST: join(REPO_ROOT, "dist") },
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout ?? ""), stderr: String(result.stderr ?? "") };
}
