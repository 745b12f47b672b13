// Builtins the `run` path needs only now and then, or only once its program runs, fetched
// when used instead of imported: node:child_process loads net, stream, dgram and tty with
// it (~3 ms, a fifth of what allocrun adds to the program it wraps), node:os ~0.2 ms.
import type * as ChildProcessModule from "node:child_process";
import type * as OsModule from "node:os";

export function childProcess(): typeof ChildProcessModule {
  return process.getBuiltinModule("node:child_process");
}

export function os(): typeof OsModule {
  return process.getBuiltinModule("node:os");
}

/**
 * os.tmpdir() on Linux without loading node:os: the first of TMPDIR, TMP and TEMP that is
 * set and not empty, else /tmp, without a trailing slash.
 */
export function temporaryDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.TMPDIR || env.TMP || env.TEMP || "/tmp";
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/** os.homedir() without loading node:os when HOME is set (it reads HOME first too). */
export function homeDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME || os().homedir();
}
