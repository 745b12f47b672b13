// Temporary directories for tests, removed with everything in them once the test file
// (or the describe block that asked for them) is done, so runs leave nothing in /tmp.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dir, type DirectoryResult } from "tmp-promise";
import { afterAll } from "vitest";

export interface TempDirs {
  /** A new empty directory, removed by the afterAll hook. */
  make(): Promise<string>;
  /** The same, synchronously; the prefix shows which test made it. */
  makeSync(prefix?: string): string;
}

/** Call at the top of a test file or describe block (or in a helper module imported at the
 * top of a test file): registers the cleanup there. */
export function useTempDirs(): TempDirs {
  const made: DirectoryResult[] = [];
  const madeSync: string[] = [];
  afterAll(async () => {
    for (const path of madeSync.splice(0)) rmSync(path, { recursive: true, force: true });
    await Promise.all(made.splice(0).map((directory) => directory.cleanup()));
  });
  return {
    async make() {
      // tmp names it <prefix>-<pid>-<random>: /tmp/allocrun-4242-Xy7…
      const directory = await dir({ unsafeCleanup: true, prefix: "allocrun" });
      made.push(directory);
      return directory.path;
    },
    makeSync(prefix = "allocrun-") {
      const directory = mkdtempSync(join(tmpdir(), prefix));
      madeSync.push(directory);
      return directory;
    },
  };
}
