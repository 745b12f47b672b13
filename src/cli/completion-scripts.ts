// bash, zsh and fish completion scripts, written from the command table and each
// command's option table: commands after `allocrun`, a command's flags after `-`, files
// otherwise. Flags before a command word complete as `run` flags (the default command).
import type { OptionSpec } from "../core/option-table.js";

export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

export interface CompletedCommand {
  name: string;
  summary: string;
  options: readonly OptionSpec<never>[];
}

const visible = (options: readonly OptionSpec<never>[]) => options.filter((spec) => !spec.hidden);
const flagWords = (options: readonly OptionSpec<never>[]) => visible(options).flatMap((spec) => spec.names);
/** Single-quoted for every shell here: ' closed, escaped and reopened. */
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

export function renderCompletion(shell: CompletionShell, commands: readonly CompletedCommand[]): string {
  if (shell === "bash") return renderBash(commands);
  if (shell === "zsh") return renderZsh(commands);
  return renderFish(commands);
}

function runOptions(commands: readonly CompletedCommand[]): readonly OptionSpec<never>[] {
  return commands.find((command) => command.name === "run")?.options ?? [];
}

function renderBash(commands: readonly CompletedCommand[]): string {
  const cases = commands.map((command) => `    ${command.name}) opts=${quote(flagWords(command.options).join(" "))} ;;`).join("\n");
  return `# bash completion for allocrun: eval "$(allocrun completion bash)" (e.g. in ~/.bashrc)
_allocrun() {
  local cur=\${COMP_WORDS[COMP_CWORD]} command=\${COMP_WORDS[1]} opts
  if [[ $COMP_CWORD -eq 1 && $cur != -* ]]; then
    COMPREPLY=($(compgen -W ${quote(commands.map((command) => command.name).join(" "))} -- "$cur"))
    return
  fi
  case $command in
${cases}
    *) opts=${quote(flagWords(runOptions(commands)).join(" "))} ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  fi
}
complete -o default -o bashdefault -F _allocrun allocrun
`;
}

function renderZsh(commands: readonly CompletedCommand[]): string {
  const describe = (text: string) => text.split("\n")[0]!.replaceAll(":", "\\:");
  const commandList = commands.map((command) => quote(`${command.name}:${describe(command.summary)}`)).join(" ");
  const cases = commands.map((command) => `    ${command.name}) opts=(${flagWords(command.options).map(quote).join(" ")}) ;;`).join("\n");
  return `#compdef allocrun
# zsh completion for allocrun: eval "$(allocrun completion zsh)" (e.g. in ~/.zshrc, after compinit)
_allocrun() {
  local -a commands opts
  commands=(${commandList})
  if (( CURRENT == 2 )) && [[ $PREFIX != -* ]]; then
    _describe 'command' commands
    _files
    return
  fi
  case $words[2] in
${cases}
    *) opts=(${flagWords(runOptions(commands)).map(quote).join(" ")}) ;;
  esac
  if [[ $PREFIX == -* ]]; then
    compadd -- $opts
  else
    _files
  fi
}
compdef _allocrun allocrun
`;
}

function renderFish(commands: readonly CompletedCommand[]): string {
  const names = commands.map((command) => command.name).join(" ");
  const lines = [`# fish completion for allocrun: allocrun completion fish > ~/.config/fish/completions/allocrun.fish`, "complete -c allocrun -f"];
  for (const command of commands) lines.push(`complete -c allocrun -n ${quote(`not __fish_seen_subcommand_from ${names}`)} -a ${command.name} -d ${quote(command.summary)}`);
  for (const command of commands) {
    const condition = command.name === "run" ? `not __fish_seen_subcommand_from ${names}; or __fish_seen_subcommand_from run` : `__fish_seen_subcommand_from ${command.name}`;
    for (const spec of visible(command.options)) {
      const flags = spec.names.map((name) => (name.startsWith("--") ? `-l ${name.slice(2)}` : `-s ${name.slice(1)}`)).join(" ");
      lines.push(`complete -c allocrun -n ${quote(condition)} ${flags}${spec.value ? " -r -F" : ""} -d ${quote(spec.description.split("\n")[0]!)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
