// The flags of `allocrun [run]` and `allocrun env`, declared once, in groups: what the
// program runs with (allocator and settings, shared with `ci`), the preset short flags,
// then what only `run` or only `env` reads. `run` sits in front of the user's program, so
// the parser is the small table parser of option-table.ts.
import type { AllocatorName } from "../core/allocators.js";
import { isAllocatorName, unknownAllocatorError, ALLOCATOR_NAMES } from "../core/allocators.js";
import { usageError } from "../core/errors.js";
import { ENVIRONMENT_FORMATS, type CompositionStep, type EnvironmentFormat, type ShortFlag } from "../presets/index.js";
import { formatOptionHelp, helpOption, parseOptionTable, parseSampleInterval, parseWholeNumber, type OptionSpec } from "../core/option-table.js";

export type { CompositionStep };

export interface RunOptions {
  allocator: AllocatorName | undefined;
  libraryPath: string | undefined;
  steps: CompositionStep[];
  outDir: string | undefined;
  dryRun: boolean;
  quiet: boolean;
  analyze: boolean;
  top: number;
  sampleIntervalMs: number;
  envFormat: EnvironmentFormat;
  /** Record the values of every variable set with -e/--env-file in manifest.json. */
  recordEnv: boolean;
  help: boolean;
  /** The program and its arguments (empty for `env`). */
  command: string[];
}

type RunOptionSpec = OptionSpec<RunOptions>;

const allocatorFlag = (name: AllocatorName): RunOptionSpec => ({
  names: [`--${name}`],
  description: `run under ${name === "glibc" ? "glibc's own malloc" : name}`,
  apply: (o) => setAllocator(o, name, `--${name}`),
});

const presetFlag = (flag: ShortFlag, description: string): RunOptionSpec => ({
  names: [`--${flag}`],
  description,
  apply: (o) => o.steps.push({ kind: "flag", flag }),
});

function setAllocator(options: RunOptions, name: AllocatorName, flagName: string): void {
  if (options.allocator && options.allocator !== name) {
    throw usageError(`${flagName} conflicts with the allocator chosen before (${options.allocator})`, "choose one allocator per run; use `allocrun compare` for several");
  }
  options.allocator = name;
}

/** What the program runs with: allocator, library, settings. `run`, `env` and `ci` read these. */
export const COMPOSITION_OPTION_SPECS: RunOptionSpec[] = [
  ...ALLOCATOR_NAMES.map(allocatorFlag),
  {
    names: ["-a", "--allocator"],
    value: "NAME",
    description: `allocator: ${ALLOCATOR_NAMES.join(", ")}`,
    apply: (o, v, flag) => {
      if (!isAllocatorName(v)) throw unknownAllocatorError(v, flag);
      setAllocator(o, v, flag);
    },
  },
  { names: ["--lib"], value: "PATH", description: "use this allocator library instead of searching for it", apply: (o, v) => (o.libraryPath = v) },
  { names: ["--preset"], value: "NAME", description: "apply a preset (repeatable; see `allocrun presets`)", apply: (o, v) => o.steps.push({ kind: "preset", name: v }) },
  { names: ["--conf"], value: "KEY=VALUE", description: "add an allocator option (MALLOC_CONF, GLIBC_TUNABLES, MIMALLOC_*, TCMALLOC_*)", apply: (o, v) => o.steps.push({ kind: "conf", text: v }) },
  { names: ["-e", "--env"], value: "KEY=VALUE", description: "set a variable for the program", apply: (o, v) => o.steps.push({ kind: "env", text: v }) },
  { names: ["--env-file"], value: "FILE", description: "set variables from a dotenv file", apply: (o, v) => o.steps.push({ kind: "env-file", path: v }) },
];

/** The presets' short flags: what the run records. */
const PRESET_FLAG_SPECS: RunOptionSpec[] = [
  presetFlag("prof", "heap profile at exit (jemalloc prof, tcmalloc heap profiler)"),
  presetFlag("heap-profile", "gperftools heap profiler (HEAPPROFILE); same as --prof for jemalloc"),
  presetFlag("periodic", "heap dumps at intervals while the program runs"),
  presetFlag("leak-check", "report memory still allocated at exit"),
  presetFlag("stats", "allocator statistics at exit"),
  presetFlag("cpu-prof", "gperftools CPU profile (libprofiler), with any allocator"),
];

export const RUN_OPTION_SPECS: RunOptionSpec[] = [
  ...COMPOSITION_OPTION_SPECS,
  ...PRESET_FLAG_SPECS,
  {
    names: ["--record-env"],
    description: "record every -e/--env-file value in manifest.json (default: allocator variables only, others as <set>)",
    apply: (o) => (o.recordEnv = true),
  },
  { names: ["-o", "--out"], value: "DIR", description: "run folder (default ./allocrun-out/<time>-<program>-<allocator>)", apply: (o, v) => (o.outDir = v) },
  { names: ["--dry-run"], description: "print the environment and command, run nothing", apply: (o) => (o.dryRun = true) },
  { names: ["-q", "--quiet"], description: "no summary on stderr", apply: (o) => (o.quiet = true) },
  { names: ["--no-analyze"], description: "do not analyse profiles after the run", apply: (o) => (o.analyze = false) },
  { names: ["--top"], value: "N", description: "rows in the automatic top table (default 10)", apply: (o, v, f) => (o.top = parseWholeNumber(v, f, 1)) },
  {
    names: ["--sample-interval"],
    value: "MS",
    description: "memory sampling interval (default 20ms)",
    apply: (o, v, f) => (o.sampleIntervalMs = parseSampleInterval(v, f)),
  },
  helpOption(),
];

export const ENV_OPTION_SPECS: RunOptionSpec[] = [
  ...COMPOSITION_OPTION_SPECS,
  ...PRESET_FLAG_SPECS,
  { names: ["-o", "--out"], value: "DIR", description: "folder the profile paths point into (default: the current folder)", apply: (o, v) => (o.outDir = v) },
  {
    names: ["--format"],
    value: "FORMAT",
    description: `${ENVIRONMENT_FORMATS.join(", ")} (default shell)`,
    apply: (o, v, f) => {
      if (!(ENVIRONMENT_FORMATS as readonly string[]).includes(v)) throw usageError(`${f} must be one of ${ENVIRONMENT_FORMATS.join(", ")}, got "${v}"`, "see allocrun env --help");
      o.envFormat = v as EnvironmentFormat;
    },
  },
  helpOption(),
];

export function defaultRunOptions(): RunOptions {
  return {
    allocator: undefined,
    libraryPath: undefined,
    steps: [],
    outDir: undefined,
    dryRun: false,
    quiet: false,
    analyze: true,
    top: 10,
    sampleIntervalMs: 20,
    envFormat: "shell",
    recordEnv: false,
    help: false,
    command: [],
  };
}

export function parseRunArguments(args: readonly string[]): RunOptions {
  const options = defaultRunOptions();
  options.command = parseOptionTable(RUN_OPTION_SPECS, args, options, "allocrun");
  return options;
}

export function parseEnvArguments(args: readonly string[]): RunOptions {
  const options = defaultRunOptions();
  options.command = parseOptionTable(ENV_OPTION_SPECS, args, options, "allocrun env");
  return options;
}

/** Help lines for the table, aligned. */
export function formatRunOptionHelp(): string {
  return formatOptionHelp(RUN_OPTION_SPECS);
}
