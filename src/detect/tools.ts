// Finding external programs on PATH without spawning anything (the run path uses it), and
// asking a tool for its version (spawns; analysis commands only).
import { spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * An absolute or relative path is checked as is; a bare name is looked up in PATH.
 * Returns the executable's path, or undefined.
 */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (name.includes("/")) return isExecutableFile(name) ? name : undefined;
  for (const directory of (env.PATH ?? "").split(delimiter)) {
    if (directory === "" || !isAbsolute(directory)) continue;
    const candidate = join(directory, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export const TOOL_NAMES = ["jeprof", "google-pprof", "addr2line", "llvm-symbolizer", "gdb", "go", "dot"] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export function isToolName(value: string): value is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(value);
}

/** The path of an analysis tool on PATH, or undefined. */
export function findTool(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findExecutable(name, env);
}

/** How each tool reports its version; dot prints to stderr. */
const VERSION_ARGS: Record<string, string[]> = { go: ["version"], dot: ["-V"], jeprof: ["--version"], "google-pprof": ["--version"] };

/**
 * The first non-empty line a tool prints about its version ("GNU addr2line (GNU Binutils
 * for Debian) 2.40"), or undefined when it cannot be run. Spawns: not for the run path.
 */
export function toolVersion(pathOrName: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = findExecutable(pathOrName, env);
  if (path === undefined) return undefined;
  const base = path.slice(path.lastIndexOf("/") + 1);
  const result = spawnSync(path, VERSION_ARGS[base] ?? ["--version"], {
    encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000, env,
  });
  if (result.error !== undefined) return undefined;
  // Some tools print the version on stderr (dot -V) or exit non-zero after printing it.
  return firstLine(`${result.stdout}\n${result.stderr}`);
}

function firstLine(text: string): string | undefined {
  return text.split("\n").map((line) => line.trim()).find((line) => line !== "");
}
