// `allocrun help [COMMAND]` / `allocrun --help`: the whole surface on one screen, or one
// command's own help (the same text as `allocrun COMMAND --help`).
import { usageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { findClosestNames } from "../../core/closest-names.js";
import { COMMANDS, commandOf, findCommand } from "../command-table.js";
import { formatRunOptionHelp } from "../run-options.js";
import { helpOption, parseOptionTable, type OptionSpec } from "../../core/option-table.js";

/** Built on demand: formatting the option table is work a plain run does not need. */
export const generalHelp = (): string => {
  const width = Math.max(...COMMANDS.map((entry) => entry.synopsis.length)) + "allocrun ".length;
  const commands = COMMANDS.map((entry) => `  ${`allocrun ${entry.synopsis}`.padEnd(width)}  ${entry.summary}`).join("\n");
  return `allocrun — run native programs under jemalloc, tcmalloc, mimalloc or glibc malloc;
measure, profile and compare their memory.

Usage:
${commands}
  allocrun --version

Run options:
${formatRunOptionHelp()}

Exit status of a run: the program's own; 128+N when it died of signal N; 125 when
allocrun could not run it, 126 when it is not executable, 127 when it is not found.
Other commands: 0 ok, 1 a verdict failed (ci, doctor), 2 usage or input error.
Run \`allocrun help COMMAND\` or \`allocrun COMMAND --help\` for a command's own options.
`;
};

/** `allocrun` alone: the overview, as a usage failure (nothing was run). */
export function printUsage(): number {
  process.stdout.write(generalHelp());
  return ExitCode.usage;
}

const OPTION_SPECS: OptionSpec<{ help: boolean }>[] = [helpOption()];

export default async function help(args: string[] = []): Promise<number> {
  const options = { help: false };
  const [name, ...rest] = parseOptionTable(OPTION_SPECS, args, options, "allocrun help", "operands");
  if (name === undefined || name === "run" || options.help) {
    process.stdout.write(generalHelp());
    return ExitCode.ok;
  }
  if (rest.length > 0) throw usageError(`help takes one command (got ${args.length} words)`, "allocrun help COMMAND");
  const entry = findCommand(name);
  if (entry === undefined) {
    const [suggestion] = findClosestNames(
      name,
      COMMANDS.map((command) => command.name),
      1,
    );
    throw usageError(`unknown command ${name}`, suggestion ? `did you mean ${suggestion}? (see allocrun help)` : "see allocrun help");
  }
  return commandOf(await entry.load())(["--help"]);
}
