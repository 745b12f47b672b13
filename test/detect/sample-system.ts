// A SystemView assembled from fixture texts and real library files placed at the paths
// another distribution would use: per-distribution logic runs on real bytes without
// needing that distribution.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SystemView } from "../../src/detect/index.js";
import { REPO_ROOT } from "../helpers/examples.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures");

export const readOsReleaseFixture = (name: string): string => readFileSync(join(FIXTURES, "os-release", name), "utf8");
export const readLdconfigFixture = (name: string): string => readFileSync(join(FIXTURES, "ldconfig", name), "utf8");

export const REAL = {
  jemalloc: "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
  tcmalloc: "/usr/lib/x86_64-linux-gnu/libtcmalloc.so.4",
  tcmallocMinimal: "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4",
  mimalloc: "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2",
  profiler: "/usr/lib/x86_64-linux-gnu/libprofiler.so.0",
  memusage: "/usr/lib/x86_64-linux-gnu/libmemusage.so",
  memusage32: "/lib32/libmemusage.so",
  memusageX32: "/libx32/libmemusage.so",
} as const;

export interface SampleSystem {
  osRelease?: string;
  ldconfig?: string;
  /** Path on the sample system → real file on this machine whose bytes it has. */
  files?: Record<string, string>;
  /** Symlinks on the sample system: path → resolved path. */
  links?: Record<string, string>;
  env?: Record<string, string>;
  arch?: string;
  homeDir?: string;
}

export function sampleView(sample: SampleSystem): SystemView {
  const files = sample.files ?? {};
  const links = sample.links ?? {};
  const resolve = (path: string): string => links[path] ?? path;
  return {
    osRelease: sample.osRelease === undefined ? undefined : readOsReleaseFixture(sample.osRelease),
    ldconfigText: sample.ldconfig === undefined ? undefined : readLdconfigFixture(sample.ldconfig),
    fileExists: (path) => files[resolve(path)] !== undefined,
    realpath: resolve,
    readFile: (path) => {
      const source = files[resolve(path)];
      return source === undefined ? undefined : readFileSync(source);
    },
    arch: sample.arch ?? "x64",
    env: sample.env ?? {},
    homeDir: sample.homeDir ?? "/home/user",
  };
}
