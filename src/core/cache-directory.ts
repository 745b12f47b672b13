// The user cache folder of allocrun: $XDG_CACHE_HOME/allocrun, else ~/.cache/allocrun
// (symbolization results, the ELF facts of the run path).
import { join } from "node:path";
import { os } from "./lazy-builtins.js";

export function defaultCacheDirectory(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(env.HOME ?? os().homedir(), ".cache");
  return join(base, "allocrun");
}
