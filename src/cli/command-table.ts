// Every subcommand once: its name, the line `allocrun help` shows, and how to load it.
// main.ts dispatches from this table; help, completion and the man page list it. Loading
// stays lazy: only the chosen command's bundle is read.
import type { OptionSpec } from "../core/option-table.js";

type Command = (args: string[]) => Promise<number>;
/** What a command module exports besides the command: its options and help, for completion and the man page. */
export interface CommandSurface {
  options: readonly OptionSpec<never>[];
  help: () => string;
}
/** An ES module bundle exports the command as default; a CommonJS one (run, env, help) as exports.default. */
export type CommandModule = { default: Command | { default: Command }; surface?: CommandSurface };

export interface CommandEntry {
  name: string;
  /** Usage as shown in the general help, without "allocrun ". */
  synopsis: string;
  summary: string;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: "run", synopsis: "[run] [options] [--] PROGRAM [ARGS...]", summary: "run PROGRAM (the default command)", load: () => import("./commands/run.js") },
  { name: "env", synopsis: "env [options]", summary: "print the environment a run would set", load: () => import("./commands/env.js") },
  { name: "presets", synopsis: "presets [show NAME]", summary: "list presets, or show what one sets", load: () => import("./commands/presets.js") },
  { name: "analyze", synopsis: "analyze RUN-DIR|PROFILE [options]", summary: "top table, diff, growth, flame graph, pprof", load: () => import("./commands/analyze.js") },
  { name: "compare", synopsis: "compare [options] -- PROGRAM ...", summary: "A/B/C/D of RSS and time across allocators", load: () => import("./commands/compare.js") },
  { name: "ci", synopsis: "ci [options] -- PROGRAM ...", summary: "memory-regression gate against a baseline", load: () => import("./commands/ci.js") },
  { name: "doctor", synopsis: "doctor [PROGRAM|RUN-DIR]", summary: "explain why a setup will not work", load: () => import("./commands/doctor.js") },
  { name: "dump", synopsis: "dump PID|URL", summary: "heap profile of a running program, now", load: () => import("./commands/dump.js") },
  { name: "prof", synopsis: "prof PID on|off", summary: "resume or pause jemalloc's heap sampling in a process", load: () => import("./commands/prof.js") },
  { name: "stats", synopsis: "stats PID", summary: "a running process's allocator statistics", load: () => import("./commands/stats.js") },
  { name: "watch", synopsis: "watch PID|URL --every 60s", summary: "periodic dumps, then what grew", load: () => import("./commands/watch.js") },
  { name: "completion", synopsis: "completion bash|zsh|fish", summary: "shell completion script", load: () => import("./commands/completion.js") },
  { name: "help", synopsis: "help [COMMAND]", summary: "this help, or a command's own", load: () => import("./commands/help.js") },
];

export function findCommand(name: string | undefined): CommandEntry | undefined {
  return name === undefined ? undefined : COMMANDS.find((entry) => entry.name === name);
}

export function commandOf(module: CommandModule): Command {
  return typeof module.default === "function" ? module.default : module.default.default;
}
