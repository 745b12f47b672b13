// `allocrun compare [options] [--] PROGRAM [ARGS...]`: runs the program under several
// variants and reports which is smaller or faster. Data (the report) goes to stdout;
// progress, notes and failures go to stderr.
import { accessSync, constants, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../../core/atomic-write.js";
import { inputError, usageError } from "../../core/errors.js";
import { constants as osConstants } from "node:os";
import { ExitCode, exitCodeForSignal } from "../../core/exit-codes.js";
import { describeCompareFailure } from "../../compare/exit-status.js";
import { endBySignal } from "../../run/signal-relay.js";
import { painterFor } from "../../core/terminal.js";
import { resolveProgram } from "../../run/resolve-program.js";
import { COMPARE_OPTION_SPECS, parseCompareArguments, formatCompareHelp, type CompareOptions } from "../../compare/compare-options.js";
import type { CommandSurface } from "../command-table.js";
import { createProgressDisplay } from "../../compare/progress.js";
import { renderCsvReport } from "../../compare/render-csv.js";
import { renderHtmlReport } from "../../compare/render-html.js";
import { renderMarkdownReport, renderTerminalReport } from "../../compare/render-text.js";
import { runComparison, type CompareOutcome } from "../../compare/run-compare.js";
import { parseVariantList } from "../../compare/variants.js";

/** The copy of the JSON export kept in every compare folder. */
export const COMPARE_RESULT_FILE = "compare.json";
/** Measured runs per variant unless --runs says otherwise (raised for many variants). */
const DEFAULT_RUNS = 5;

export const surface: CommandSurface = { options: COMPARE_OPTION_SPECS, help: formatCompareHelp };

export default async function compare(args: string[]): Promise<number> {
  const options = parseCompareArguments(args);
  if (options.help) {
    process.stdout.write(formatCompareHelp());
    return ExitCode.ok;
  }
  const [programName, ...programArgs] = options.command;
  if (programName === undefined) throw usageError("no program to compare", "usage: allocrun compare [-a glibc,jemalloc,...] [--runs N] -- PROGRAM [ARGS...]");
  const cwd = process.cwd();
  const variants = parseVariantList(options.variantTexts);
  const program = resolveProgram(programName, cwd, process.env.PATH);
  const input = options.input === undefined ? undefined : checkInputFile(resolve(cwd, options.input), options.input);
  for (const path of exportPaths(options)) checkExportTarget(resolve(cwd, path), path);

  const stderr = process.stderr;
  const progress = createProgressDisplay(stderr, !options.quiet);
  const say = (line: string) => {
    progress.clear();
    stderr.write(`allocrun: ${line}\n`);
  };
  // Ctrl-C (or SIGTERM, SIGHUP) stops the whole compare: the running program's group is
  // killed, the runs done so far are reported, and the exit status says which signal.
  const stop = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onStopSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy) return;
    stoppedBy = signal;
    stop.abort(signal === "SIGINT" ? "interrupted (Ctrl-C)" : `stopped by ${signal}`);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onStopSignal);
  let outcome: CompareOutcome;
  try {
    outcome = await runComparison(
    {
      variants,
      baseline: options.baseline,
      program,
      argv: [programName, ...programArgs],
      cwd,
      env: process.env,
      outDir: options.outDir,
      showOutput: options.showOutput,
      stop: stop.signal,
      runsExplicit: options.runs !== undefined,
      settings: {
        runs: options.runs ?? DEFAULT_RUNS,
        warmup: options.warmup,
        sampleIntervalMs: options.sampleIntervalMs,
        prepare: options.prepare ?? null,
        input: input ?? null,
        alpha: 0.05,
        minEffect: options.minEffect,
        statsRuns: options.breakdown,
        noiseCheck: options.noiseCheck,
        timeoutSeconds: options.timeoutSeconds ?? null,
        onTimeout: options.onTimeout,
      },
    },
    {
      onNote: (message) => {
        if (!options.quiet) say(`note: ${message}`);
      },
      onRunStart: (state) => progress.update(state),
      onRunFailed: (variant, run, phase) => say(`${variant} ${phase === "measured" ? `run ${run.iteration}` : phase === "warmup" ? "warm-up" : "statistics run"} failed: ${run.failure} (${run.folder})`),
    },
  );
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onStopSignal);
  }
  progress.clear();
  writeOutputs(outcome, options, cwd);
  process.stdout.write(renderTerminalReport(outcome.report, painterFor(process.stdout), cwd));
  const { stopped } = outcome.report;
  if (stopped) say(`stopped after ${stopped.runsDone} of ${stopped.runsPlanned} runs: ${stopped.detail}; the report above covers the runs done`);
  if (stoppedBy) {
    // As `run` does: end by the same signal, so one Ctrl-C also stops a shell loop of compares.
    endBySignal(osConstants.signals[stoppedBy]);
    return exitCodeForSignal(osConstants.signals[stoppedBy]);
  }
  const failure = describeCompareFailure(outcome.report);
  if (failure && !stopped) say(failure.message);
  return failure ? failure.status : ExitCode.ok;
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

function exportPaths(options: CompareOptions): string[] {
  return [options.exportJson, options.exportMarkdown, options.exportCsv, options.exportHtml].filter((path): path is string => path !== undefined);
}

function checkInputFile(path: string, shown: string): string {
  try {
    // A FIFO or a device (/dev/null, /dev/zero) is standard input as much as a file is.
    if (statSync(path).isDirectory()) throw inputError(`--input ${shown} is a folder`, "pass a file, FIFO or device to feed to the program's standard input");
    accessSync(path, constants.R_OK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    throw inputError(`--input ${shown}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "cannot be read"}`, "check the path (relative paths start at the current directory)", error);
  }
  return path;
}

/** Export files are checked before the first run: a typo must not cost a whole comparison. */
function checkExportTarget(path: string, shown: string): void {
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch {
    throw usageError(`cannot write ${shown}: its folder ${dirname(path)} does not exist or is not writable`, "create the folder first or choose another path");
  }
  const isFolder = (() => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  })();
  if (isFolder) throw usageError(`cannot write ${shown}: it is a folder`, "give a file name");
}

function writeOutputs({ report, timelines }: CompareOutcome, options: CompareOptions, cwd: string): void {
  writeJsonAtomic(join(report.compareFolder, COMPARE_RESULT_FILE), report);
  if (options.exportJson) writeJsonAtomic(resolve(cwd, options.exportJson), report);
  if (options.exportMarkdown) writeFileAtomic(resolve(cwd, options.exportMarkdown), renderMarkdownReport(report));
  if (options.exportCsv) writeFileAtomic(resolve(cwd, options.exportCsv), renderCsvReport(report));
  if (options.exportHtml) writeFileAtomic(resolve(cwd, options.exportHtml), renderHtmlReport(report, timelines));
}
