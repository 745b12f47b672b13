// One small parser for the flag tables of run, env, compare and ci. Flags come before
// the program: `--` or the first word that is not a flag starts it, and everything after
// belongs to the program untouched. `--flag=value` and `--flag value` both work.
// (Not yargs: it takes ~74 ms to import, and `run` sits in front of the user's program.)
import { usageError } from "../core/errors.js";
import { parseDurationMs } from "../core/units.js";
import { findClosestNames } from "../presets/index.js";

export interface OptionSpec<T> {
  names: string[];
  /** Placeholder shown in help when the option takes a value. */
  value?: string;
  description: string;
  apply: (options: T, value: string, flagName: string) => void;
}

/**
 * Applies the flags in `args` to `options` and returns the rest (the program and its
 * arguments). `helpCommand` names the command in "see allocrun ... --help" hints.
 */
export function parseOptionTable<T>(specs: readonly OptionSpec<T>[], args: readonly string[], options: T, helpCommand: string): string[] {
  const byName = new Map(specs.flatMap((spec) => spec.names.map((name) => [name, spec] as const)));
  let index = 0;
  while (index < args.length) {
    const arg = args[index] as string;
    if (arg === "--") {
      index++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const equals = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const spec = byName.get(name);
    if (!spec) {
      const [suggestion] = findClosestNames(name, byName.keys(), 1);
      const help = `see ${helpCommand} --help`;
      throw usageError(`unknown option ${name}`, suggestion ? `did you mean ${suggestion}? (${help})` : help);
    }
    let value = "";
    if (spec.value) {
      if (equals > 0) value = arg.slice(equals + 1);
      else {
        const next = args[index + 1];
        if (next === undefined) throw usageError(`${name} needs a value (${spec.value})`);
        value = next;
        index++;
      }
    } else if (equals > 0) {
      throw usageError(`${name} takes no value`);
    }
    spec.apply(options, value, name);
    index++;
  }
  return args.slice(index);
}

/** Help lines for a table, aligned in two columns. */
export function formatOptionHelp<T>(specs: readonly OptionSpec<T>[]): string {
  const rows = specs.map((spec) => [spec.names.join(", ") + (spec.value ? ` ${spec.value}` : ""), spec.description] as const);
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join("\n");
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
