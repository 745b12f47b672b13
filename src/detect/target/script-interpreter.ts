// "#!" scripts: the kernel runs the interpreter named on the first line, so that is the
// ELF file LD_PRELOAD has to reach. `#!/usr/bin/env NAME` is resolved along PATH.
import { accessSync, closeSync, constants, openSync, readSync, statSync } from "node:fs";
import { basename, delimiter, isAbsolute, join } from "node:path";

/** The kernel reads at most this much of the "#!" line (BINPRM_BUF_SIZE is 256). */
const SHEBANG_BYTES = 256;
/** Linux follows at most this many nested script interpreters. */
const MAX_NESTING = 4;

/** The interpreter path and its first argument from a "#!" line, or undefined when not a script. */
export function parseShebang(head: Buffer): { interpreter: string; argument: string | undefined } | undefined {
  if (head.length < 2 || head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  const newline = head.indexOf(0x0a);
  const line = head.toString("utf8", 2, newline < 0 ? head.length : newline).trim();
  const match = /^(\S+)(?:\s+(.*))?$/.exec(line);
  if (match === null) return undefined;
  return { interpreter: match[1] as string, argument: match[2]?.trim() || undefined };
}

/** The program `env` would run for "#!/usr/bin/env [-S] [-i] [VAR=x] NAME args". */
function envProgram(argument: string): string | undefined {
  return argument.split(/\s+/).find((word) => !word.startsWith("-") && !word.includes("="));
}

function findOnPath(name: string, pathVariable: string | undefined): string | undefined {
  if (name.includes("/")) return name;
  for (const directory of (pathVariable ?? "/usr/local/bin:/usr/bin:/bin").split(delimiter)) {
    if (directory === "") continue;
    const candidate = join(directory, name);
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

function readHead(path: string): Buffer {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(SHEBANG_BYTES);
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * For a "#!" script, the executable file the kernel ends up running (through `env` and
 * nested interpreters); `interpreter` is undefined when it cannot be found, and the run
 * then fails on its own with the shell's message. Undefined when `path` is no script.
 */
export function resolveScriptInterpreter(path: string, pathVariable: string | undefined): { interpreter: string | undefined } | undefined {
  let current = path;
  for (let depth = 0; depth < MAX_NESTING; depth++) {
    let head: Buffer;
    try {
      head = readHead(current);
    } catch (error) {
      if (current === path) throw error;
      return { interpreter: undefined };
    }
    const shebang = parseShebang(head);
    if (shebang === undefined) return current === path ? undefined : { interpreter: current };
    let next: string | undefined = shebang.interpreter;
    if (basename(next) === "env" && shebang.argument !== undefined) {
      const name = envProgram(shebang.argument);
      next = name === undefined ? undefined : findOnPath(name, pathVariable);
    }
    if (next === undefined || !isAbsolute(next)) return { interpreter: undefined };
    current = next;
  }
  return { interpreter: undefined };
}
