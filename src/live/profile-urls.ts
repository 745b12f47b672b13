// `allocrun analyze http://127.0.0.1:6060/debug/pprof/heap`: profile URLs among analyze's
// targets are fetched first, into one dump run folder (kept, so the profile can serve as
// a --base later), and analysed from there like any file.
import type { DumpFolder } from "./dump-folder.js";
import { takeDump } from "./dump.js";
import { isProfileUrl } from "./http-profile.js";

export interface FetchedTargets {
  /** The targets with every URL replaced by the file fetched from it, in the same order. */
  targets: string[];
  /** One line per fetch, for stderr. */
  notes: string[];
}

export async function fetchProfileUrls(targets: readonly string[], cwd: string): Promise<FetchedTargets> {
  const notes: string[] = [];
  const local: string[] = [];
  let folder: DumpFolder | undefined;
  for (const target of targets) {
    if (!isProfileUrl(target)) {
      local.push(target);
      continue;
    }
    const taken = await takeDump({ target, outDir: undefined, cwd, commandName: "dump" }, folder);
    folder = taken.folder;
    local.push(taken.result.path);
    notes.push(`fetched ${target} into ${taken.result.path}`);
  }
  return { targets: local, notes };
}
