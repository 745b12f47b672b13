// `allocrun analyze RUN-DIR|PROFILE...`: symbolize and report heap or CPU profiles —
// top functions, a diff against --base, growth across dumps, flame graphs, pprof, dot.
// Data goes to stdout (or -o FILE); messages and progress go to stderr.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { analyzeGrowth, analyzeProfile } from "../../analysis/analysis.js";
import { loadPreparedProfiles } from "../../analysis/load-profile.js";
import { describeHeapMoments, readHeapMoments } from "../../analysis/heap-moments.js";
import { chooseDump, findRunFolderProfiles, parseDumpChoice, secondsIntoRun, type DumpChoice, type RunFolderProfiles } from "../../analysis/run-folder-profiles.js";
import { chooseSampleType } from "../../analysis/sample-type.js";
import { writeFileAtomic } from "../../core/atomic-write.js";
import { isNoRoomError, writeFailureError } from "../../core/write-failure.js";
import { inputError, usageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { fetchProfileUrls } from "../../live/profile-urls.js";
import { findClosestNames } from "../../core/closest-names.js";
import { formatOptionHelp, helpOption, parseOptionTable, parseWholeNumber, type OptionSpec } from "../../core/option-table.js";
import type { CommandSurface } from "../command-table.js";
import { renderWithGraphviz, type GraphvizFormat } from "../../report/graphviz.js";
import { isBinaryFormat, OUTPUT_FORMATS, renderAnalysisBytes, renderGrowth, type OutputFormat, type RenderInput } from "../../report/render.js";
import { defaultCacheDirectory } from "../../core/cache-directory.js";
import type { LineToolChoice, SymbolizeOptions } from "../../symbolize/symbolize-profile.js";

interface AnalyzeOptions {
  targets: string[];
  at: DumpChoice | undefined;
  base: string | undefined;
  growth: boolean;
  format: OutputFormat;
  /** --format as given; resolved into `format` with -o's extension after parsing. */
  formatText: string | undefined;
  output: string | undefined;
  top: number;
  inuse: boolean;
  alloc: boolean;
  objects: boolean;
  binary: string | undefined;
  symbolizer: LineToolChoice;
  cache: boolean;
  help: boolean;
}

const SYMBOLIZERS: readonly LineToolChoice[] = ["auto", "addr2line", "llvm-symbolizer", "none"];

export const ANALYZE_OPTION_SPECS: OptionSpec<AnalyzeOptions>[] = [
  {
    names: ["--at"],
    value: "WHEN",
    description: "which dump of a run folder: peak (default: the heap's high-water mark),\nexit, last, or N (the Nth dump of the series, from 1)",
    apply: (o, v) => (o.at = parseDumpChoice(v)),
  },
  { names: ["--base"], value: "OLD", description: "show NEW − OLD per function (what grew, what shrank); a profile or a run folder", apply: (o, v) => (o.base = v) },
  {
    names: ["--growth"],
    description: "rank allocation sites by steady growth across a series of dumps\n(the run folder's dumps, or the PROFILEs given, oldest first)",
    apply: (o) => (o.growth = true),
  },
  { names: ["--format"], value: "FORMAT", description: "text (default), json, collapsed, svg (flame graph), pprof, dot,\nmarkdown, csv", apply: (o, v) => (o.formatText = v) },
  {
    names: ["-o", "--output"],
    value: "FILE",
    description:
      "write there instead of stdout; the format follows the extension\nwhen --format is not given (.svg .json .pb.gz .dot .folded .md .csv);\n--format dot with -o x.svg/x.pdf renders with Graphviz",
    apply: (o, v) => (o.output = v),
  },
  { names: ["--top"], value: "N", description: "rows per table (default 10)", apply: (o, v, f) => (o.top = parseWholeNumber(v, f, 1)) },
  { names: ["--inuse"], description: "live memory (the default)", apply: (o) => (o.inuse = true) },
  { names: ["--alloc"], description: "everything allocated (jemalloc: prof_accum)", apply: (o) => (o.alloc = true) },
  { names: ["--objects"], description: "count objects (CPU: samples) instead of bytes (CPU: time)", apply: (o) => (o.objects = true) },
  { names: ["--binary"], value: "PATH", description: "the program's binary, when it moved or the profile came from elsewhere", apply: (o, v) => (o.binary = v) },
  {
    names: ["--symbolizer"],
    value: "TOOL",
    description: "auto (default), addr2line, llvm-symbolizer, none (symbol tables only)",
    apply: (o, v) => {
      if (!(SYMBOLIZERS as readonly string[]).includes(v)) throw usageError(`unknown --symbolizer "${v}"`, "choose auto, addr2line, llvm-symbolizer or none");
      o.symbolizer = v as LineToolChoice;
    },
  },
  { names: ["--no-cache"], description: "do not read or write the symbol cache ($XDG_CACHE_HOME/allocrun)", apply: (o) => (o.cache = false) },
  helpOption(),
];

export const formatAnalyzeHelp = (): string => `Usage: allocrun analyze RUN-DIR|PROFILE [PROFILE...] [options]

Symbolizes heap profiles (jemalloc heap_v2, gperftools) and CPU profiles (gperftools)
natively and reports where memory or time went. A RUN-DIR is a folder written by
\`allocrun run\`: its dump at the heap's peak (else its last profile) is analysed.

Options:
${formatOptionHelp(ANALYZE_OPTION_SPECS)}
`;

const EXTENSION_FORMATS: [RegExp, OutputFormat][] = [
  [/\.svg$/i, "svg"],
  [/\.json$/i, "json"],
  [/\.(pb|pb\.gz|pprof)$/i, "pprof"],
  [/\.(dot|gv)$/i, "dot"],
  [/\.(folded|collapsed)$/i, "collapsed"],
  [/\.md$/i, "markdown"],
  [/\.csv$/i, "csv"],
];

export function parseAnalyzeArguments(args: string[]): AnalyzeOptions {
  const options: AnalyzeOptions = {
    targets: [],
    at: undefined,
    base: undefined,
    growth: false,
    format: "text",
    formatText: undefined,
    output: undefined,
    top: 10,
    inuse: false,
    alloc: false,
    objects: false,
    binary: undefined,
    symbolizer: "auto",
    cache: true,
    help: false,
  };
  options.targets = parseOptionTable(ANALYZE_OPTION_SPECS, args, options, "allocrun analyze", "operands");
  options.format = chooseFormat(options.formatText, options.output);
  return options;
}

/** Other names people use for the same outputs. */
const FORMAT_ALIASES: Record<string, OutputFormat> = { flamegraph: "svg", flame: "svg", folded: "collapsed", md: "markdown", proto: "pprof", pb: "pprof", txt: "text" };

function chooseFormat(requested: string | undefined, output: string | undefined): OutputFormat {
  if (requested !== undefined) {
    if ((OUTPUT_FORMATS as readonly string[]).includes(requested)) return requested as OutputFormat;
    const alias = FORMAT_ALIASES[requested.toLowerCase()];
    if (alias !== undefined) return alias;
    const close = findClosestNames(requested, OUTPUT_FORMATS, 1);
    throw usageError(`unknown --format "${requested}"`, close.length > 0 ? `did you mean ${close[0]}? (one of ${OUTPUT_FORMATS.join(", ")})` : `one of ${OUTPUT_FORMATS.join(", ")}`);
  }
  if (output !== undefined) for (const [pattern, format] of EXTENSION_FORMATS) if (pattern.test(output)) return format;
  return "text";
}

interface Targets {
  /** Profiles to analyse, oldest first; the last is "the" profile. */
  profiles: string[];
  /** The run folder, when one was given. */
  run: RunFolderProfiles | undefined;
  /** Files offered for mappings whose path is gone (the run's recorded program). */
  candidates: string[];
  notes: string[];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    throw inputError(`${path} does not exist`, "pass a run folder (allocrun-out/...) or a profile file");
  }
}

function resolveTargets(options: AnalyzeOptions): Targets {
  if (options.targets.length === 0) throw usageError("analyze needs a run folder or a profile", "allocrun analyze allocrun-out/<run> (or a .heap / .prof file)");
  const [first] = options.targets;
  if (options.targets.length === 1 && isDirectory(first as string)) {
    const run = findRunFolderProfiles(resolve(first as string));
    const notes = run.others.length > 0 ? [`also in the run folder, not analysed: ${run.others.map((path) => path.slice(run.runDir.length + 1)).join(", ")}`] : [];
    return { profiles: run.series, run, candidates: run.program ? [run.program] : [], notes };
  }
  if (options.at !== undefined) throw usageError("--at picks a dump of a run folder", "allocrun analyze RUN-DIR --at exit (or pass the profile file itself)");
  for (const target of options.targets) {
    if (isDirectory(target)) throw usageError(`${target} is a folder; give either one run folder or profile files`, "allocrun analyze RUN-DIR, or allocrun analyze A.heap B.heap --growth");
  }
  if (options.targets.length > 1 && !options.growth) {
    throw usageError(`analyze takes one profile (got ${options.targets.length})`, "compare two with --base OLD NEW, or rank a series with --growth");
  }
  return { profiles: options.targets, run: undefined, candidates: [], notes: [] };
}

/** --base takes what the main argument takes: a run folder stands for its last profile. */
function resolveBase(base: string): string {
  if (!isDirectory(base)) return base;
  const run = findRunFolderProfiles(resolve(base));
  const last = run.series[run.series.length - 1];
  if (last === undefined) throw inputError(`--base ${base} is a run folder without profiles`, "give a run made with --prof, or a profile file");
  return last;
}

function progressReporter(): (message: string) => void {
  if (!process.stderr.isTTY) return () => undefined;
  return (message) => process.stderr.write(`\r\x1b[2Kallocrun: ${message}…`);
}

function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[2K");
}

function writeOutput(content: string | Buffer, options: AnalyzeOptions): void {
  if (options.output === undefined) {
    if (isBinaryFormat(options.format) && process.stdout.isTTY) {
      throw usageError(`--format ${options.format} is binary and stdout is a terminal`, `write it to a file: -o profile.pb.gz`);
    }
    process.stdout.write(content);
    return;
  }
  let bytes = content;
  const rendered = /\.(svg|pdf|png)$/i.exec(options.output);
  if (options.format === "dot" && rendered) bytes = renderWithGraphviz(String(content), (rendered[1] as string).toLowerCase() as GraphvizFormat);
  try {
    writeFileAtomic(resolve(options.output), bytes);
  } catch (error) {
    if (isNoRoomError(error)) throw writeFailureError(resolve(options.output), bytes.length, error);
    throw inputError(`cannot write ${options.output} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, "check that the folder exists and is writable", error);
  }
  process.stderr.write(`allocrun: wrote ${options.output}\n`);
}

/**
 * The dump of a run folder to analyse (--at, default the peak), announced on stderr with
 * what the heap held at peak and at exit; a profile file given directly is itself.
 */
async function chooseRunFolderDump(targets: Targets, options: AnalyzeOptions): Promise<string> {
  const { run } = targets;
  if (run === undefined) return targets.profiles[targets.profiles.length - 1] as string;
  const moments = run.kind.endsWith("-heap") ? await readHeapMoments(run) : undefined;
  const chosen = chooseDump(run, options.at, moments !== undefined && moments.peak !== undefined && moments.peak === moments.exit);
  const line = moments === undefined ? undefined : describeHeapMoments(moments);
  process.stderr.write(`allocrun: analysing the dump at ${chosen.moment} (${chosen.path.slice(run.runDir.length + 1)})${line === undefined ? "" : ` — ${line}`}\n`);
  return chosen.path;
}

export const surface: CommandSurface = { options: ANALYZE_OPTION_SPECS, help: formatAnalyzeHelp };

export default async function analyze(args: string[]): Promise<number> {
  const options = parseAnalyzeArguments(args);
  if (options.help) {
    process.stdout.write(formatAnalyzeHelp());
    return ExitCode.ok;
  }
  if (options.growth && options.base !== undefined) throw usageError("--growth and --base exclude each other", "--base compares two dumps, --growth ranks a whole series");
  // http://127.0.0.1:PORT/debug/pprof/heap: fetched into a kept dump folder first.
  const fetched = await fetchProfileUrls(options.base === undefined ? options.targets : [...options.targets, options.base], process.cwd());
  for (const note of fetched.notes) process.stderr.write(`allocrun: ${note}\n`);
  if (options.base !== undefined) options.base = resolveBase(fetched.targets.pop() as string);
  options.targets = fetched.targets;
  const targets = resolveTargets(options);
  const symbolizeOptions: SymbolizeOptions = {
    searchPath: process.env.PATH ?? "",
    cacheDirectory: options.cache ? defaultCacheDirectory(process.env) : undefined,
    binary: options.binary === undefined ? undefined : resolve(options.binary),
    candidates: targets.candidates,
    lineTool: options.symbolizer,
  };
  if (options.binary !== undefined && isDirectory(options.binary)) throw usageError(`--binary ${options.binary} is a folder`, "pass the program's executable file");
  const progress = progressReporter();
  for (const note of targets.notes) process.stderr.write(`allocrun: ${note}\n`);

  if (options.growth) {
    if (targets.profiles.length < 2) throw usageError(`--growth needs a series of at least 2 dumps (found ${targets.profiles.length})`, "dump periodically: jemalloc lg_prof_interval, tcmalloc HEAP_PROFILE_ALLOCATION_INTERVAL");
    const series = await loadPreparedProfiles(targets.profiles, symbolizeOptions, progress);
    clearProgress();
    const [first] = series;
    if (first === undefined) throw inputError("no profile to analyse", "pass profile files");
    const sampleType = chooseSampleType(first.profile, options);
    const { run } = targets;
    const seconds = run === undefined ? undefined : targets.profiles.map((path) => secondsIntoRun(run, path));
    const xsSeconds = seconds?.every((value): value is number => value !== undefined) ? seconds : undefined;
    writeOutput(renderGrowth(options.format, analyzeGrowth(series, sampleType, xsSeconds), options.top), options);
    return ExitCode.ok;
  }

  const chosen = await chooseRunFolderDump(targets, options);
  const paths = options.base === undefined ? [chosen] : [chosen, options.base];
  writeOutput(renderAnalysisBytes(options.format, await analyzeProfiles(paths, options, symbolizeOptions, progress)), options);
  return ExitCode.ok;
}

/**
 * The analysis of `paths` (the profile, then its base), with the prepared profiles only
 * when the format needs them: returning from here lets the others' samples be collected
 * before the output is built.
 */
async function analyzeProfiles(paths: string[], options: AnalyzeOptions, symbolizeOptions: SymbolizeOptions, progress: (message: string) => void): Promise<RenderInput> {
  const [current, base] = await loadPreparedProfiles(paths, symbolizeOptions, progress);
  clearProgress();
  if (current === undefined) throw inputError("no profile to analyse", "pass a profile file");
  if (base !== undefined && base.profile.format !== current.profile.format) {
    throw usageError(`--base is a ${base.profile.format} profile but ${current.source} is ${current.profile.format}`, "compare two dumps of the same kind");
  }
  const analysis = analyzeProfile(current, chooseSampleType(current.profile, options), base);
  return { analysis, top: options.top, ...(options.format === "pprof" ? { current, base } : {}) };
}
