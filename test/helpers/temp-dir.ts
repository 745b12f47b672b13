// Temporary directories for tests, removed with everything in them once the test file
// (or the describe block that asked for them) is done, so runs leave nothing in /tmp.
import { dir, type DirectoryResult } from "tmp-promise";
import { afterAll } from "vitest";

export interface TempDirs {
  /** A new empty directory, removed by the afterAll hook. */
  make(): Promise<string>;
}

/** Call at the top of a test file or describe block: registers the cleanup there. */
export function useTempDirs(): TempDirs {
  const made: DirectoryResult[] = [];
  afterAll(async () => {
    await Promise.all(made.splice(0).map((directory) => directory.cleanup()));
  });
  return {
    async make() {
      // tmp names it <prefix>-<pid>-<random>: /tmp/allocrun-4242-Xy7…
      const directory = await dir({ unsafeCleanup: true, prefix: "allocrun" });
      made.push(directory);
      return directory.path;
    },
  };
}
