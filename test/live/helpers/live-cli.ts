// The live-process commands (dump, prof, stats, watch) through the built CLI, as a user
// runs them.
import type { Options } from "execa";
import { runCli, type CliResult } from "../../helpers/cli.js";

export type LiveCommand = "dump" | "prof" | "stats" | "watch";

export function runLiveCommand(command: LiveCommand, args: string[], options: Options = {}): Promise<CliResult> {
  return runCli([command, ...args], options);
}
