// Entry point: picks the subcommand, runs it, and turns errors into one line on stderr
// and the right exit code. Only the run path is imported eagerly; every other command
// is loaded on demand so `allocrun -- prog` starts as fast as possible.
import { AllocrunError, formatErrorLine, isAllocrunError } from "../core/errors.js";
import { ExitCode } from "../core/exit-codes.js";

type Command = (args: string[]) => Promise<number>;
/** An ES module bundle exports the command as default; a CommonJS one (run, env, help) as exports.default. */
type CommandModule = { default: Command | { default: Command } };

function commandOf(module: CommandModule): Command {
  return typeof module.default === "function" ? module.default : module.default.default;
}

const SUBCOMMANDS: Record<string, () => Promise<CommandModule>> = {
  run: () => import("./commands/run.js"),
  env: () => import("./commands/env.js"),
  presets: () => import("./commands/presets.js"),
  analyze: () => import("./commands/analyze.js"),
  compare: () => import("./commands/compare.js"),
  ci: () => import("./commands/ci.js"),
  doctor: () => import("./commands/doctor.js"),
  dump: () => import("./commands/dump.js"),
  prof: () => import("./commands/prof.js"),
  stats: () => import("./commands/stats.js"),
  watch: () => import("./commands/watch.js"),
  help: () => import("./commands/help.js"),
};

/** `run` reports its own failures as 125/126/127; every other command uses 2. */
function exitCodeForError(error: AllocrunError, isRunCommand: boolean): number {
  if (!isRunCommand) return ExitCode.usage;
  if (error.kind === "not-found") return ExitCode.notFound;
  if (error.kind === "not-executable") return ExitCode.notExecutable;
  return ExitCode.runSetupFailed;
}

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  const loader = first !== undefined ? SUBCOMMANDS[first] : undefined;
  const isRunCommand = loader === undefined || first === "run";
  const args = loader === undefined ? argv : argv.slice(1);
  try {
    const command = commandOf(await (loader ?? SUBCOMMANDS.run!)());
    return await command(args);
  } catch (error) {
    if (isAllocrunError(error)) {
      process.stderr.write(`${formatErrorLine(error)}\n`);
      return exitCodeForError(error, isRunCommand);
    }
    process.stderr.write(`allocrun: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.stderr.write("allocrun: this is a bug; please report it with the command you ran\n");
    return isRunCommand ? ExitCode.runSetupFailed : ExitCode.usage;
  }
}

// Output piped into `head` and closed early is not an error worth a stack trace. Without
// a reader for stdout the command's output is done; without one for stderr (`2>&1 | true`)
// allocrun just stops talking and still ends with the status it owes (the program's, in a run).
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});
process.stderr.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = ExitCode.runSetupFailed;
  },
);
