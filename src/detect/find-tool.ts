// Finding analysis tools (addr2line, dot, getcap…) on a search path and asking them for
// their version. Imports `which`: for doctor and analysis code only, never for anything
// the `run` or `env` commands load. No execa here: importing it costs 0.2–0.3 s, and
// `analyze` loads this module even when it runs no tool.
import { spawnSync } from "node:child_process";
import { delimiter, isAbsolute } from "node:path";
import which from "which";

/**
 * The path of the first executable file named `name` in the absolute directories of
 * `searchPath` (a PATH value), or undefined. A name with a slash is checked as is.
 */
export function findTool(name: string, searchPath: string = process.env.PATH ?? ""): string | undefined {
  // which takes empty and relative PATH entries (and an empty PATH) as the current
  // directory; a tool found there depends on where allocrun happens to be started.
  const directories = searchPath.split(delimiter).filter((directory) => isAbsolute(directory));
  if (!name.includes("/") && directories.length === 0) return undefined;
  return which.sync(name, { nothrow: true, path: directories.join(delimiter) }) ?? undefined;
}

/** How each tool reports its version; dot prints to stderr. */
const VERSION_ARGS: Record<string, string[]> = { go: ["version"], dot: ["-V"], jeprof: ["--version"], "google-pprof": ["--version"] };

/**
 * The first non-empty line a tool prints about its version ("GNU addr2line (GNU Binutils
 * for Debian) 2.40"), or undefined when it cannot be run. `env` is the tool's whole
 * environment, and its PATH is where a bare name is looked up.
 */
export function toolVersion(pathOrName: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = findTool(pathOrName, env.PATH ?? "");
  if (path === undefined) return undefined;
  const base = path.slice(path.lastIndexOf("/") + 1);
  const result = spawnSync(path, VERSION_ARGS[base] ?? ["--version"], {
    env, stdio: ["ignore", "pipe", "pipe"], timeout: 10_000, encoding: "utf8",
  });
  // Some tools print the version on stderr (dot -V) or exit non-zero after printing it;
  // no exit status means it did not start, or was killed (timeout).
  if (result.status === null) return undefined;
  return firstLine(`${result.stdout}\n${result.stderr}`);
}

function firstLine(text: string): string | undefined {
  return text.split("\n").map((line) => line.trim()).find((line) => line !== "");
}
