// Proves the preload took effect by looking at the running program's memory maps. The
// loader silently ignores an LD_PRELOAD it cannot load, so this is the only honest
// evidence short of the allocator's own output.
import { readFileSync, readlinkSync } from "node:fs";

export interface PreloadVerdict {
  /** True when the maps of the exec'd program were read after the loader finished. */
  checked: boolean;
  /** Preloaded libraries that were not mapped. */
  missing: string[];
}

export interface PreloadObservation {
  result: Promise<PreloadVerdict>;
}

const POLL_MS = 2;
const GIVE_UP_MS = 2000;

/** Libraries are mapped by the loader before libc's own, so seeing libc means it is done. */
function loaderIsDone(maps: string): boolean {
  return /\/libc[.-][^/\n]*\.so|\/libc\.so\.6|\/libc\.musl-|\/ld-musl-/.test(maps);
}

/**
 * Polls /proc/<pid>/maps until the program (not the launcher that forked it) is running
 * with its libraries loaded, then reports which of `libraries` are absent.
 */
export function watchPreloadTakesEffect(pid: number, libraries: string[], notExecutables: string[] = []): PreloadObservation {
  const started = Date.now();
  // Right after fork the pid still runs the launcher (or node): wait for the exec.
  const skip = new Set(notExecutables);
  const result = new Promise<PreloadVerdict>((resolve) => {
    if (libraries.length === 0) {
      resolve({ checked: true, missing: [] });
      return;
    }
    const poll = () => {
      let exe: string;
      let maps: string;
      try {
        exe = readlinkSync(`/proc/${pid}/exe`);
        maps = readFileSync(`/proc/${pid}/maps`, "latin1");
      } catch {
        resolve({ checked: false, missing: [] });
        return;
      }
      if (!skip.has(exe) && maps.length > 0 && loaderIsDone(maps)) {
        resolve({ checked: true, missing: libraries.filter((library) => !maps.includes(library)) });
        return;
      }
      if (Date.now() - started > GIVE_UP_MS) {
        resolve({ checked: false, missing: [] });
        return;
      }
      setTimeout(poll, POLL_MS);
    };
    poll();
  });
  return { result };
}
