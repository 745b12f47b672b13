// Prints variables for a shell (`eval "$(allocrun env ...)"`), a dotenv file (systemd
// EnvironmentFile, docker --env-file, dotenv), a systemd unit's Environment= lines, a
// Dockerfile's ENV lines, or JSON. Every format round-trips exactly or refuses the value.
// The last three scope the variables to one service or image, unlike an eval in a shell.
import { usageError } from "../core/errors.js";

export const ENVIRONMENT_FORMATS = ["shell", "dotenv", "systemd", "docker", "json"] as const;
export type EnvironmentFormat = (typeof ENVIRONMENT_FORMATS)[number];

const LINE_FORMATTERS: Record<Exclude<EnvironmentFormat, "json">, (name: string, value: string) => string> = {
  shell: (name, value) => `export ${name}=${quoteForShell(value)}`,
  dotenv: formatDotenvLine,
  systemd: formatSystemdLine,
  docker: formatDockerLine,
};

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function formatEnvironment(variables: Readonly<Record<string, string>>, format: EnvironmentFormat): string {
  const entries = Object.entries(variables);
  if (format === "json") return `${JSON.stringify(variables, null, 2)}\n`;
  for (const [name] of entries) {
    if (!SHELL_NAME.test(name)) throw usageError(`"${name}" cannot be written as a ${format} variable`, "use --format json");
  }
  const formatLine = LINE_FORMATTERS[format];
  return entries.map(([name, value]) => `${formatLine(name, value)}\n`).join("");
}

/** Single quotes keep everything literal; a single quote itself is closed, escaped and reopened. */
export function quoteForShell(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * dotenv has no escapes except \n and \r inside double quotes, and turns every carriage
 * return of the file into a newline, so pick a quote the value does not contain:
 * '…' or `…` (literal, may span lines, no CR), else "…" (newlines as \n, CR as \r).
 */
function formatDotenvLine(name: string, value: string): string {
  const hasCarriageReturn = value.includes("\r");
  if (!hasCarriageReturn && !value.includes("'")) return `${name}='${value}'`;
  if (!hasCarriageReturn && !value.includes("`")) return `${name}=\`${value}\``;
  if (!value.includes('"') && !/\\[nr]/.test(value)) return `${name}="${value.replaceAll("\n", "\\n").replaceAll("\r", "\\r")}"`;
  throw usageError(`the value of ${name} mixes all three quote characters and cannot be written as dotenv`, "use --format shell or --format json");
}

/** A unit's `Environment="NAME=value"`: C escapes inside the quotes, `%` doubled (specifiers). */
function formatSystemdLine(name: string, value: string): string {
  const escaped = value.replace(/[\\"]/g, (c) => `\\${c}`).replaceAll("\n", "\\n").replaceAll("\r", "\\r").replaceAll("\t", "\\t").replaceAll("%", "%%");
  return `Environment="${name}=${escaped}"`;
}

/** A Dockerfile's `ENV NAME="value"`: backslash, quote and `$` escaped; a line break cannot be written. */
function formatDockerLine(name: string, value: string): string {
  if (/[\n\r]/.test(value)) throw usageError(`the value of ${name} spans lines and cannot be written as a Dockerfile ENV`, "use --format dotenv with docker run --env-file");
  return `ENV ${name}="${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}
