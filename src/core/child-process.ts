// node:child_process loads net, stream, dgram and tty with it: about 3 ms, a fifth of what
// allocrun adds to the program it wraps. Modules on the `run` path therefore reach it
// through this function when they actually spawn something, never by a top-level import.
import type * as ChildProcessModule from "node:child_process";

export function childProcess(): typeof ChildProcessModule {
  return process.getBuiltinModule("node:child_process");
}
