// `allocrun --version` / `-V`.
import { ExitCode } from "../core/exit-codes.js";
import { TOOL_VERSION } from "../core/version.js";

export function printVersion(): number {
  process.stdout.write(`allocrun ${TOOL_VERSION}\n`);
  return ExitCode.ok;
}
