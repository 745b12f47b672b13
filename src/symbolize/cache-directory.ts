// Where symbolization results are cached: $XDG_CACHE_HOME/allocrun, else ~/.cache/allocrun.
import { homedir } from "node:os";
import { join } from "node:path";

export function defaultCacheDirectory(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(env.HOME ?? homedir(), ".cache");
  return join(base, "allocrun");
}
