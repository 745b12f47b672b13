// One small parser for the flag tables of every command. Two shapes of command line:
// - "program" (run, env, compare, ci): flags come before the program; `--` or the first
//   word that is not a flag starts it, and everything after belongs to it untouched;
// - "operands" (analyze, doctor, dump, ...): flags and operands mix in any order; `--`
//   makes every later word an operand.
// `--flag=value` and `--flag value` both work; an unknown flag gets the closest known one.
// (Not yargs: a bundled yargs costs ~45 ms of CPU at start-up, and `run` sits in front of
// the user's program; see README "Why not yargs".)
import { usageError } from "./errors.js";
import { parseDurationMs } from "./units.js";
import { findClosestNames } from "./closest-names.js";

export interface OptionSpec<T> {
  names: string[];
  /** Placeholder shown in help when the option takes a value. */
  value?: string;
  description: string;
  /** Accepted but not listed in help or completion (old spellings kept working). */
  hidden?: boolean;
  apply: (options: T, value: string, flagName: string) => void;
}

export type ArgumentShape = "program" | "operands";

/**
 * Applies the flags in `args` to `options` and returns the rest: the program and its
 * arguments ("program"), or the operands ("operands"). `helpCommand` names the command
 * in "see allocrun ... --help" hints.
 */
export function parseOptionTable<T>(specs: readonly OptionSpec<T>[], args: readonly string[], options: T, helpCommand: string, shape: ArgumentShape = "program"): string[] {
  const byName = new Map(specs.flatMap((spec) => spec.names.map((name) => [name, spec] as const)));
  const operands: string[] = [];
  let index = 0;
  while (index < args.length) {
    const arg = args[index] as string;
    if (arg === "--") {
      index++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (shape === "program") break;
      operands.push(arg);
      index++;
      continue;
    }
    const equals = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const spec = byName.get(name);
    if (!spec) throw unknownOptionError(name, specs, helpCommand);
    let value = "";
    if (spec.value) {
      if (equals > 0) value = arg.slice(equals + 1);
      else {
        const next = args[index + 1];
        if (next === undefined) throw usageError(`${name} needs a value (${spec.value})`, `see ${helpCommand} --help`);
        value = next;
        index++;
      }
    } else if (equals > 0) {
      throw usageError(`${name} takes no value`, `see ${helpCommand} --help`);
    }
    spec.apply(options, value, name);
    index++;
  }
  return [...operands, ...args.slice(index)];
}

function unknownOptionError<T>(name: string, specs: readonly OptionSpec<T>[], helpCommand: string) {
  const [suggestion] = findClosestNames(name, specs.flatMap((spec) => spec.names), 1);
  const help = `see ${helpCommand} --help`;
  return usageError(`unknown option ${name}`, suggestion ? `did you mean ${suggestion}? (${help})` : help);
}

/** Help lines for a table, aligned in two columns; a description's later lines stay in its column. */
export function formatOptionHelp<T>(specs: readonly OptionSpec<T>[]): string {
  const rows = specs.filter((spec) => !spec.hidden).map((spec) => [spec.names.join(", ") + (spec.value ? ` ${spec.value}` : ""), spec.description] as const);
  const width = Math.max(...rows.map(([left]) => left.length));
  const indent = " ".repeat(width + 4);
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right.split("\n").join(`\n${indent}`)}`).join("\n");
}

/** The `-h, --help` row every table ends with. */
export function helpOption<T extends { help: boolean }>(): OptionSpec<T> {
  return { names: ["-h", "--help"], description: "show this help", apply: (o) => (o.help = true) };
}

export function parseWholeNumber(value: string, flagName: string, minimum: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < minimum) throw usageError(`${flagName} needs a whole number of at least ${minimum}, got "${value}"`);
  return n;
}

/** `--sample-interval`: "20ms", "0.1s" or a bare number of milliseconds. */
export function parseSampleInterval(value: string, flagName: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined || ms < 1) throw usageError(`${flagName} needs a duration such as 20ms or 0.1s, got "${value}"`);
  return ms;
}

/** `--timeout`: "30s", "2m", "500ms", or a bare number of seconds (as timeout(1) takes it). */
export function parseTimeoutSeconds(value: string, flagName: string): number {
  const ms = /^\s*\d+(?:\.\d+)?\s*$/.test(value) ? Number(value) * 1000 : parseDurationMs(value);
  if (ms === undefined || !(ms >= 1)) throw usageError(`${flagName} needs a duration such as 30s, 2m or 90 (seconds), got "${value}"`);
  return ms / 1000;
}
