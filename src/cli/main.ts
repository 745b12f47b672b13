// Entry point: picks the subcommand, runs it, and turns errors into one line on stderr
// and the right exit code. Only the run path is imported eagerly; every other command
// is loaded on demand so `allocrun -- prog` starts as fast as possible.
import { AllocrunError, formatErrorLine, isAllocrunError } from "../core/errors.js";
import { ExitCode } from "../core/exit-codes.js";
import { commandOf, findCommand } from "./command-table.js";
import { printUsage } from "./commands/help.js";
import { mistypedCommandError } from "./mistyped-command.js";
import { printVersion } from "./version.js";
import { isNoRoomError, writeFailureError } from "../core/write-failure.js";
import { markStartupPhase } from "../core/startup-trace.js";

/** `run` reports its own failures as 125/126/127; every other command uses 2. */
function exitCodeForError(error: AllocrunError, isRunCommand: boolean): number {
  if (!isRunCommand) return ExitCode.usage;
  if (error.kind === "not-found") return ExitCode.notFound;
  if (error.kind === "not-executable") return ExitCode.notExecutable;
  return ExitCode.runSetupFailed;
}

async function main(argv: string[]): Promise<number> {
  markStartupPhase("pick the command, load it");
  const first = argv[0];
  if (first === "--version" || first === "-V") return printVersion();
  const entry = findCommand(first);
  const isRunCommand = entry === undefined || entry.name === "run";
  if (argv.length === 0) return printUsage();
  const args = entry === undefined ? argv : argv.slice(1);
  try {
    const mistyped = entry === undefined ? mistypedCommandError(first) : undefined;
    if (mistyped) throw mistyped;
    const command = commandOf(await (entry ?? findCommand("run")!).load());
    return await command(args);
  } catch (error) {
    if (isAllocrunError(error)) {
      process.stderr.write(`${formatErrorLine(error)}\n`);
      return exitCodeForError(error, isRunCommand);
    }
    // A full disk or read-only folder met where no caller expected it: still the user's to fix.
    if (isNoRoomError(error) && (error as NodeJS.ErrnoException).path !== undefined) {
      process.stderr.write(`${formatErrorLine(writeFailureError((error as NodeJS.ErrnoException).path!, undefined, error))}\n`);
      return isRunCommand ? ExitCode.runSetupFailed : ExitCode.usage;
    }
    process.stderr.write(`allocrun: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.stderr.write("allocrun: this is a bug; please report it with the command you ran\n");
    return isRunCommand ? ExitCode.runSetupFailed : ExitCode.usage;
  }
}

/** A reader that went away (`| head`, `2>&1 | true`) is not an error worth a stack trace. */
function whenReaderGone(name: "stdout" | "stderr", then: () => void): void {
  whenStreamCreated(name, (stream) =>
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
      then();
    }),
  );
}

/**
 * Calls `then` once process[name] is first used. Node builds the stream (and loads the
 * stream modules for it) on first access: a quiet run, which never writes, must not pay
 * for that before its program starts.
 */
function whenStreamCreated(name: "stdout" | "stderr", then: (stream: NodeJS.WriteStream) => void): void {
  const descriptor = Object.getOwnPropertyDescriptor(process, name);
  const createStream = descriptor?.get;
  if (createStream === undefined || descriptor?.configurable !== true) {
    then(process[name]);
    return;
  }
  let created = false;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: descriptor.enumerable ?? false,
    get() {
      const stream = createStream.call(process) as NodeJS.WriteStream;
      if (!created) {
        created = true;
        then(stream);
      }
      return stream;
    },
  });
}
// Without a reader for stdout the command's output is done; without one for stderr,
// allocrun stops talking and still ends with the status it owes (the program's, in a run).
whenReaderGone("stdout", () => process.exit(process.exitCode ?? 0));
whenReaderGone("stderr", () => {});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = ExitCode.runSetupFailed;
  },
);
