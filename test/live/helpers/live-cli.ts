// Runs a live-process command (dump, prof, stats, watch) from the built dist/ the way the
// CLI entry would (run-command.mjs), until src/cli/main.ts maps these subcommands; then
// runCli(["dump", ...]) from test/helpers/cli.ts does the same.
import { execa, type Options } from "execa";
import { join } from "node:path";
import type { CliResult } from "../../helpers/cli.js";
import { REPO_ROOT } from "../../helpers/examples.js";

export const RUN_COMMAND = join(REPO_ROOT, "test", "live", "helpers", "run-command.mjs");

export type LiveCommand = "dump" | "prof" | "stats" | "watch";

export async function runLiveCommand(command: LiveCommand, args: string[], options: Options = {}): Promise<CliResult> {
  const result = await execa(process.execPath, [RUN_COMMAND, command, ...args], {
    reject: false,
    stdin: "ignore",
    ...options,
    env: { ...options.env, ALLOCRUN_DIST: join(REPO_ROOT, "dist") },
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout ?? ""), stderr: String(result.stderr ?? "") };
}
