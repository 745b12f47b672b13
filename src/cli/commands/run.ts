// `allocrun [run] [options] [--] PROGRAM [ARGS...]`: the default command.
import { join, resolve } from "node:path";
import { AllocrunError, formatErrorLine, isAllocrunError, usageError } from "../../core/errors.js";
import { exitCodeForSignal, ExitCode } from "../../core/exit-codes.js";
import { painterFor } from "../../core/terminal.js";
import { parseRunArguments, RUN_OPTION_SPECS, type RunOptions } from "../run-options.js";
import type { CommandSurface } from "../command-table.js";
import { generalHelp } from "./help.js";
import { resolveProgram } from "../../run/resolve-program.js";
import { prepareRun, renderProgramVariables, type PreparedRun } from "../../run/prepare-run.js";
import { createRunFolder } from "../../run/run-folder.js";
import { executeRun, RunNotSavedError, saveManifest, type ExecutedRun } from "../../run/execute-run.js";
import { formatRunSummary } from "../../run/summary.js";
import { listArtifacts } from "../../run/artifacts.js";
import { endBySignal } from "../../run/signal-relay.js";
import { formatEnvironment } from "../../presets/index.js";
import { formatCommandLine } from "../../core/shell-words.js";
import { noteCodeCacheCoverage } from "../code-cache-coverage.js";
import { markStartupPhase } from "../../core/startup-trace.js";

export const surface: CommandSurface = { options: RUN_OPTION_SPECS, help: generalHelp };

export default async function run(args: string[]): Promise<number> {
  markStartupPhase("parse the command line, find the program");
  const options = parseRunArguments(args);
  if (options.help) {
    process.stdout.write(generalHelp());
    return ExitCode.ok;
  }
  const [programName, ...programArgs] = options.command;
  if (programName === undefined) throw usageError("no program to run", "usage: allocrun [--jemalloc|--tcmalloc|--mimalloc|--glibc] [options] -- PROGRAM [ARGS...]");
  const cwd = process.cwd();
  const program = resolveProgram(programName, cwd, process.env.PATH);
  const allocator = options.allocator ?? "glibc";
  markStartupPhase("presets, libraries, target checks");
  const prepared = prepareRun({ allocator, steps: options.steps, libraryPath: options.libraryPath, env: process.env, cwd, program });
  if (options.dryRun) return printDryRun(prepared, options, cwd, options.command);

  markStartupPhase("run folder, environment, launcher set-up");
  const runDir = createRunFolder({ outDir: options.outDir, cwd, programPath: program, allocator });
  let executed: ExecutedRun;
  try {
    executed = await executeRun({
      prepared,
      program,
      argv: [programName, ...programArgs],
      cwd,
      runDir,
      sampleIntervalMs: options.sampleIntervalMs,
      baseEnv: process.env,
      recordEnv: options.recordEnv,
    });
  } catch (error) {
    if (error instanceof RunNotSavedError) return reportUnsavedRun(error, programName);
    throw error;
  }
  if (executed.launch.execError) throw execFailure(programName, executed.launch.execError);
  markStartupPhase("after the manifest: objects, analysis, summary");
  noteCodeCacheCoverage(prepared.allocatorLibrary === null ? 1 : 2);
  const recorded = await recordProfiledObjects(executed);
  const analysed = options.analyze ? await analyzeIfProfiled(executed, options).catch((error: unknown) => reportAnalysisFailure(error, runDir)) : false;
  if (recorded || analysed) {
    // objects.json and the analysis (analysis.json, flame.svg) are listed in the manifest too.
    executed.manifest.artifacts = listArtifacts(runDir, executed.launch.pid);
    try {
      saveManifest(executed);
    } catch (error) {
      if (error instanceof RunNotSavedError) return reportUnsavedRun(error, programName);
      throw error;
    }
  }
  const heapLine = analysed === false ? undefined : analysed.heapLine;
  if (!options.quiet) process.stderr.write(formatRunSummary(executed.manifest, runDir, cwd, painterFor(process.stderr), heapLine));
  if (executed.launch.signalNumber !== null) endBySignal(executed.launch.signalNumber);
  return programExitCode(executed);
}

/** The program already ran: allocrun says what it could not save, and the status passes through. */
function reportUnsavedRun(error: RunNotSavedError, programName: string): number {
  process.stderr.write(`${formatErrorLine(error)}\n`);
  const { launch } = error.executed;
  if (launch.execError) throw execFailure(programName, launch.execError);
  if (launch.signalNumber !== null) endBySignal(launch.signalNumber);
  return programExitCode(error.executed);
}

/** The program already ran: a failed analysis must not change its exit status or lose the folder. */
function reportAnalysisFailure(error: unknown, runDir: string): false {
  if (isAllocrunError(error)) {
    process.stderr.write(`allocrun: warning: ${error.message}${error.hint ? ` — ${error.hint}` : ""}\n`);
    return false;
  }
  const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
  process.stderr.write(`allocrun: warning: could not analyse the profiles (${reason}); the run folder is complete — try: allocrun analyze ${runDir}\n`);
  return false;
}

function execFailure(programName: string, failure: { code: string; message: string }): AllocrunError {
  if (failure.code === "ENOENT") return new AllocrunError("not-found", `${programName}: ${failure.message}`, { hint: "check the path, and the #! line if it is a script" });
  return new AllocrunError("not-executable", `${programName}: ${failure.message}`, { hint: "is it a program for this machine (file, chmod +x)?" });
}

function programExitCode({ launch }: ExecutedRun): number {
  if (launch.signalNumber !== null) return exitCodeForSignal(launch.signalNumber);
  return launch.exitCode ?? ExitCode.runSetupFailed;
}

function printDryRun(prepared: PreparedRun, options: RunOptions, cwd: string, command: string[]): number {
  const outDir = options.outDir ? resolve(cwd, options.outDir) : `${cwd}/allocrun-out/<run>`;
  const vars = renderProgramVariables(prepared, outDir, command[0]);
  process.stdout.write(formatEnvironment(vars, "shell"));
  process.stdout.write(`${formatCommandLine(command)}\n`);
  for (const warning of prepared.warnings) process.stderr.write(`allocrun: warning: ${warning}\n`);
  return ExitCode.ok;
}

const PROFILE_KINDS = ["jemalloc-heap", "gperftools-heap", "gperftools-cpu"];

/**
 * The builds of the objects the profiles map (objects.json), so a later analysis notices a
 * rebuilt binary. Loaded lazily, only when the run produced profiles; never fails the run.
 */
async function recordProfiledObjects(executed: ExecutedRun): Promise<boolean> {
  const profiles = executed.manifest.artifacts.filter((artifact) => PROFILE_KINDS.includes(artifact.kind));
  if (profiles.length === 0) return false;
  try {
    const { recordMappedObjects } = await import("../../analysis/record-objects.js");
    return recordMappedObjects(executed.runDir, profiles.map((artifact) => join(executed.runDir, artifact.path)));
  } catch {
    return false;
  }
}

/**
 * Profiles are analysed only when the run produced some; the analyser loads lazily.
 * Returns false when no analysis ran, else the heap line for the summary (peak and exit).
 */
async function analyzeIfProfiled(executed: ExecutedRun, options: RunOptions): Promise<false | { heapLine: string | undefined }> {
  const hasProfiles = executed.manifest.artifacts.some((artifact) => PROFILE_KINDS.includes(artifact.kind));
  if (!hasProfiles) return false;
  const { analyzeRunFolderAfterRun } = await import("../../report/after-run.js");
  return { heapLine: await analyzeRunFolderAfterRun(executed.runDir, { top: options.top, quiet: options.quiet }) };
}
