// The flags of `allocrun compare`, declared once (parser and help come from this table).
// Flags come before the program; `--` or the first word that is not a flag starts it.
import { usageError } from "../core/errors.js";
import { formatOptionHelp, helpOption, parseOptionTable, parseSampleInterval, parseTimeoutSeconds, parseWholeNumber, type OptionSpec } from "../core/option-table.js";

export interface CompareOptions {
  /** Raw -a values; parsed by parseVariantList. */
  variantTexts: string[];
  /** Undefined: DEFAULT_RUNS, or more when the number of tests needs them (see run-compare). */
  runs: number | undefined;
  warmup: number;
  baseline: string | undefined;
  prepare: string | undefined;
  input: string | undefined;
  showOutput: boolean;
  sampleIntervalMs: number;
  outDir: string | undefined;
  exportJson: string | undefined;
  exportMarkdown: string | undefined;
  exportCsv: string | undefined;
  exportHtml: string | undefined;
  breakdown: boolean;
  minEffect: number;
  noiseCheck: boolean;
  timeoutSeconds: number | undefined;
  onTimeout: "continue" | "stop";
  quiet: boolean;
  help: boolean;
  command: string[];
}


/** "1%" or "0.01" → 0.01. */
function parseFraction(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const n = match ? Number(match[1]) / (match[2] ? 100 : 1) : NaN;
  if (!(n >= 0 && n < 1)) throw usageError(`${flag} needs a fraction such as 1% or 0.01, got "${value}"`);
  return n;
}

function parseOnTimeout(value: string, flag: string): "continue" | "stop" {
  if (value === "continue" || value === "stop") return value;
  throw usageError(`${flag} needs continue or stop, got "${value}"`);
}

export const COMPARE_OPTION_SPECS: OptionSpec<CompareOptions>[] = [
  {
    names: ["-a", "--allocator"],
    value: "LIST",
    description: "variants to compare, comma-separated: ALLOCATOR[+KEY=VALUE|+PRESET...] (default: every installed one of glibc, jemalloc, tcmalloc, mimalloc)",
    apply: (o, v) => o.variantTexts.push(v),
  },
  // The old plural spelling keeps working; -a is --allocator in every command.
  { names: ["--allocators"], value: "LIST", description: "same as --allocator", hidden: true, apply: (o, v) => o.variantTexts.push(v) },
  { names: ["--runs"], value: "N", description: "measured runs per variant (default 5, more when many variants need them to reach significance)", apply: (o, v, f) => (o.runs = parseWholeNumber(v, f, 1)) },
  { names: ["--warmup"], value: "N", description: "warm-up runs per variant, not counted (default 1)", apply: (o, v, f) => (o.warmup = parseWholeNumber(v, f, 0)) },
  { names: ["--baseline"], value: "VARIANT", description: "variant the others are compared with (default glibc)", apply: (o, v) => (o.baseline = v) },
  { names: ["--prepare"], value: "CMD", description: "shell command run before every run (e.g. to reset a cache)", apply: (o, v) => (o.prepare = v) },
  { names: ["--input"], value: "FILE", description: "feed FILE to the program's standard input on every run", apply: (o, v) => (o.input = v) },
  { names: ["--show-output"], description: "let the program's output through (discarded by default)", apply: (o) => (o.showOutput = true) },
  {
    names: ["--sample-interval"],
    value: "MS",
    description: "memory sampling interval (default 20ms)",
    apply: (o, v, f) => (o.sampleIntervalMs = parseSampleInterval(v, f)),
  },
  { names: ["-o", "--out"], value: "DIR", description: "compare folder (default ./allocrun-out/<time>-<program>-compare)", apply: (o, v) => (o.outDir = v) },
  { names: ["--export-json"], value: "FILE", description: "write the results as JSON (documented keys)", apply: (o, v) => (o.exportJson = v) },
  { names: ["--export-markdown"], value: "FILE", description: "write the report as Markdown", apply: (o, v) => (o.exportMarkdown = v) },
  { names: ["--export-csv"], value: "FILE", description: "write one CSV row per variant and metric", apply: (o, v) => (o.exportCsv = v) },
  { names: ["--export-html"], value: "FILE", description: "write a self-contained HTML report with charts", apply: (o, v) => (o.exportHtml = v) },
  { names: ["--no-breakdown"], description: "skip the statistics run per variant (no 'where the memory went')", apply: (o) => (o.breakdown = false) },
  { names: ["--min-effect"], value: "PCT", description: "smaller differences count as none (default 1%)", apply: (o, v, f) => (o.minEffect = parseFraction(v, f)) },
  { names: ["--no-noise-check"], description: "skip the A/A copy of the baseline that measures the noise floor", apply: (o) => (o.noiseCheck = false) },
  {
    names: ["--timeout"],
    value: "DURATION",
    description: "kill a run (its whole process group) after DURATION, e.g. 30s, 2m, 90 (seconds); it counts as failed",
    apply: (o, v, f) => (o.timeoutSeconds = parseTimeoutSeconds(v, f)),
  },
  { names: ["--on-timeout"], value: "continue|stop", description: "after a timed-out run: go on with the next run (default) or stop the compare", apply: (o, v, f) => (o.onTimeout = parseOnTimeout(v, f)) },
  { names: ["-q", "--quiet"], description: "no progress bar or notes on stderr", apply: (o) => (o.quiet = true) },
  helpOption(),
];

export function defaultCompareOptions(): CompareOptions {
  return {
    variantTexts: [],
    runs: undefined,
    warmup: 1,
    baseline: undefined,
    prepare: undefined,
    input: undefined,
    showOutput: false,
    sampleIntervalMs: 20,
    outDir: undefined,
    exportJson: undefined,
    exportMarkdown: undefined,
    exportCsv: undefined,
    exportHtml: undefined,
    breakdown: true,
    minEffect: 0.01,
    noiseCheck: true,
    timeoutSeconds: undefined,
    onTimeout: "continue",
    quiet: false,
    help: false,
    command: [],
  };
}

export function parseCompareArguments(args: readonly string[]): CompareOptions {
  const options = defaultCompareOptions();
  options.command = parseOptionTable(COMPARE_OPTION_SPECS, args, options, "allocrun compare");
  return options;
}

export function formatCompareHelp(): string {
  return `Usage: allocrun compare [options] [--] PROGRAM [ARGS...]

Runs PROGRAM under several allocators (or tunings of one), interleaved, and tells which
is smaller or faster for this workload, with a confidence interval and a significance
test per metric, corrected for the number of tests (Holm). A copy of the baseline runs
in every round to measure the noise floor: smaller differences are "inconclusive".
Every run keeps its own folder under the compare folder. Ctrl-C stops at once (exit 130)
and still writes the report of the runs done.

Variants: -a glibc,glibc+arena_max=2,jemalloc+narenas=1+dirty_decay_ms=0,tcmalloc+aggressive_decommit=true
  ALLOCATOR      glibc, jemalloc, tcmalloc, tcmalloc-minimal or mimalloc
  +KEY=VALUE     an allocator option, as --conf KEY=VALUE
  +NAME          a preset (as --preset NAME) or a short flag (stats, prof, ...)

Options:
${formatOptionHelp(COMPARE_OPTION_SPECS)}
`;
}
