// Prints variables for a shell (`eval "$(allocrun env ...)"`), a dotenv file (systemd
// EnvironmentFile, docker --env-file, dotenv) or JSON. Every format round-trips exactly.
import { usageError } from "../core/errors.js";

export type EnvironmentFormat = "shell" | "dotenv" | "json";

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function formatEnvironment(variables: Readonly<Record<string, string>>, format: EnvironmentFormat): string {
  const entries = Object.entries(variables);
  if (format === "json") return `${JSON.stringify(variables, null, 2)}\n`;
  for (const [name] of entries) {
    if (!SHELL_NAME.test(name)) throw usageError(`"${name}" cannot be written as a ${format} variable`, "use --format json");
  }
  const formatLine = format === "shell" ? (name: string, value: string) => `export ${name}=${quoteForShell(value)}` : formatDotenvLine;
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
