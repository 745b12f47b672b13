// `allocrun ci [options] -- PROGRAM [ARGS...]`: the memory-regression gate.
// Exit status: 0 pass (or inconclusive), 1 regression, 2 usage, input or environment error.
import { resolve } from "node:path";
import { ExitCode } from "../../core/exit-codes.js";
import { painterFor } from "../../core/terminal.js";
import { DEFAULT_MAX_INCREASE_FRACTION, parseGatePolicy, parseMetricName } from "../../ci/gate-policy.js";
import { METRICS, METRIC_NAMES, type MetricName } from "../../ci/metrics.js";
import { runGate, type GateRequest } from "../../ci/run-gate.js";
import { COMPOSITION_OPTION_SPECS, defaultRunOptions, type RunOptions } from "../run-options.js";
import { formatOptionHelp, helpOption, parseOptionTable, parseTimeoutSeconds, parseWholeNumber, type OptionSpec } from "../../core/option-table.js";
import type { CommandSurface } from "../command-table.js";

export const DEFAULT_BASELINE_PATH = ".allocrun/baseline.json";
const DEFAULT_RUNS = 5;

interface CiOptions {
  /** Allocator, library and composition steps, shared with `run`. */
  run: RunOptions;
  baselinePath: string | undefined;
  updateBaseline: boolean;
  metrics: MetricName[];
  maxIncrease: string[];
  budgets: string[];
  runs: number;
  warmupRuns: number | undefined;
  timeoutSeconds: number | undefined;
  outDir: string | undefined;
  junitPath: string | undefined;
  json: boolean;
  help: boolean;
  command: string[];
}

type CiOptionSpec = OptionSpec<CiOptions>;

/** The flags `ci` shares with `run`: what runs the program, not what it records. */
const SHARED_SPECS: CiOptionSpec[] = COMPOSITION_OPTION_SPECS.map((spec) => ({
  ...spec,
  apply: (options, value, flagName) => spec.apply(options.run, value, flagName),
}));

const CI_SPECS: CiOptionSpec[] = [
  { names: ["--baseline"], value: "FILE", description: `the baseline to compare with (default ${DEFAULT_BASELINE_PATH})`, apply: (o, v) => (o.baselinePath = v) },
  { names: ["--update-baseline"], description: "measure and (re)write the baseline instead of judging", apply: (o) => (o.updateBaseline = true) },
  {
    names: ["--metric"],
    value: "NAME",
    description: "gate this metric (repeatable or comma-separated; default peak_heap,alloc_count where counted)",
    apply: (o, v, f) => o.metrics.push(...v.split(",").filter(Boolean).map((name) => parseMetricName(name, f))),
  },
  {
    names: ["--max-increase"],
    value: "PCT|METRIC=PCT",
    description: `allowed growth over the baseline (default ${DEFAULT_MAX_INCREASE_FRACTION * 100}%), for all metrics or one`,
    apply: (o, v) => o.maxIncrease.push(v),
  },
  { names: ["--budget"], value: "METRIC=VALUE", description: "absolute limit, e.g. peak_rss=512MiB, alloc_count=2M, wall_time=3s", apply: (o, v) => o.budgets.push(v) },
  { names: ["--runs"], value: "N", description: `plain runs behind each noisy metric's median (default ${DEFAULT_RUNS})`, apply: (o, v, f) => (o.runs = parseWholeNumber(v, f, 1)) },
  { names: ["--warmup"], value: "N", description: "runs before those, not counted (default 1 when noisy metrics are gated)", apply: (o, v, f) => (o.warmupRuns = parseWholeNumber(v, f, 0)) },
  {
    names: ["--timeout"],
    value: "DURATION",
    description: "kill a run (its whole process group) after DURATION, e.g. 30s, 2m, 90 (seconds); the gate then fails",
    apply: (o, v, f) => (o.timeoutSeconds = parseTimeoutSeconds(v, f)),
  },
  { names: ["-o", "--out"], value: "DIR", description: "folder for the runs and reports (default ./allocrun-out/<time>-ci-<program>-<allocator>)", apply: (o, v) => (o.outDir = v) },
  { names: ["--json"], description: "print the verdict (or the new baseline) as JSON on stdout; the table goes to stderr", apply: (o) => (o.json = true) },
  { names: ["--junit"], value: "FILE", description: "write the verdict as JUnit XML", apply: (o, v) => (o.junitPath = v) },
  helpOption(),
];

const ALL_SPECS = [...CI_SPECS, ...SHARED_SPECS];

/** Flags until `--` or the first word that is not one; the rest is the program. */
export function parseCiArguments(args: readonly string[]): CiOptions {
  const options: CiOptions = {
    run: defaultRunOptions(),
    baselinePath: undefined,
    updateBaseline: false,
    metrics: [],
    maxIncrease: [],
    budgets: [],
    runs: DEFAULT_RUNS,
    warmupRuns: undefined,
    timeoutSeconds: undefined,
    outDir: undefined,
    junitPath: undefined,
    json: false,
    help: false,
    command: [],
  };
  options.command = parseOptionTable(ALL_SPECS, args, options, "allocrun ci");
  return options;
}

export function formatCiHelp(): string {
  const metricWidth = Math.max(...METRIC_NAMES.map((name) => name.length));
  return `allocrun ci — fail a build when a change makes the program use more memory.

Usage:
  allocrun ci [--baseline FILE] [options] -- PROGRAM [ARGS...]
  allocrun ci --update-baseline [options] -- PROGRAM [ARGS...]

Options:
${formatOptionHelp(ALL_SPECS)}

Metrics (deterministic ones are counted exactly in one instrumented run; noisy ones are
the median of --runs plain runs and only fail beyond their measured noise):
${METRIC_NAMES.map((name) => `  ${name.padEnd(metricWidth)}  ${METRICS[name].kind.padEnd(13)}  ${METRICS[name].description}`).join("\n")}

Exit status: 0 pass (also when a noisy metric was inconclusive), 1 regression,
2 usage, input or environment error (missing baseline, program failed, library missing).
With GITHUB_STEP_SUMMARY set, a Markdown summary is appended to it. The baseline format
and CI examples: examples/ci/README.md.
`;
}

export const surface: CommandSurface = { options: ALL_SPECS, help: formatCiHelp };

export default async function ci(args: string[]): Promise<number> {
  const options = parseCiArguments(args);
  if (options.help) {
    process.stdout.write(formatCiHelp());
    return ExitCode.ok;
  }
  const cwd = process.cwd();
  const policy = parseGatePolicy(options.maxIncrease, options.budgets);
  const request: GateRequest = {
    command: options.command,
    allocator: options.run.allocator,
    libraryPath: options.run.libraryPath,
    steps: options.run.steps,
    metrics: options.metrics,
    policy,
    maxIncreaseGiven: options.maxIncrease.length > 0,
    baselinePath: resolve(cwd, options.baselinePath ?? DEFAULT_BASELINE_PATH),
    baselineGiven: options.baselinePath !== undefined,
    updateBaseline: options.updateBaseline,
    runs: options.runs,
    warmupRuns: options.warmupRuns ?? 1,
    timeoutSeconds: options.timeoutSeconds,
    outDir: options.outDir,
    junitPath: options.junitPath,
    json: options.json,
    cwd,
    env: process.env,
  };
  const tableStream = options.json ? process.stderr : process.stdout;
  return runGate(request, { stdout: process.stdout, stderr: process.stderr, tablePainter: painterFor(tableStream) });
}
