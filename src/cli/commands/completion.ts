// `allocrun completion bash|zsh|fish`: prints a completion script for that shell, built
// from the command table and every command's option table (so it never falls behind).
import { usageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { COMMANDS, type CommandSurface } from "../command-table.js";
import { COMPLETION_SHELLS, renderCompletion, type CompletedCommand, type CompletionShell } from "../completion-scripts.js";
import { formatOptionHelp, helpOption, parseOptionTable, type OptionSpec } from "../../core/option-table.js";

const OPTION_SPECS: OptionSpec<{ help: boolean }>[] = [helpOption()];

export const formatCompletionHelp = (): string => `Usage: allocrun completion bash|zsh|fish

Prints a completion script: commands, each command's options, files.

  bash   eval "$(allocrun completion bash)"       (in ~/.bashrc)
  zsh    eval "$(allocrun completion zsh)"        (in ~/.zshrc, after compinit)
  fish   allocrun completion fish > ~/.config/fish/completions/allocrun.fish

Options:
${formatOptionHelp(OPTION_SPECS)}
`;

export const surface: CommandSurface = { options: OPTION_SPECS, help: formatCompletionHelp };

export interface DescribedCommand extends CompletedCommand {
  synopsis: string;
  help: string;
}

/** Every command with its options and help; loads each command's module (not on any hot path). */
export async function describeCommands(): Promise<DescribedCommand[]> {
  return Promise.all(
    COMMANDS.map(async (entry) => {
      const commandSurface = entry.name === "completion" ? surface : (await entry.load()).surface;
      return { name: entry.name, synopsis: entry.synopsis, summary: entry.summary, options: commandSurface?.options ?? [], help: commandSurface?.help() ?? "" };
    }),
  );
}

export default async function completion(args: string[]): Promise<number> {
  const options = { help: false };
  const operands = parseOptionTable(OPTION_SPECS, args, options, "allocrun completion", "operands");
  if (options.help) {
    process.stdout.write(formatCompletionHelp());
    return ExitCode.ok;
  }
  const [shell, ...rest] = operands;
  if (shell === undefined || rest.length > 0 || !(COMPLETION_SHELLS as readonly string[]).includes(shell)) {
    throw usageError(shell === undefined ? "completion needs a shell" : `completion takes bash, zsh or fish, not "${operands.join(" ")}"`, "allocrun completion bash");
  }
  process.stdout.write(renderCompletion(shell as CompletionShell, await describeCommands()));
  return ExitCode.ok;
}
