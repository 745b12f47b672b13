// jemalloc configured the way Rust's tikv-jemalloc-sys configures it (_rjem_ prefix and
// private namespace), built from the source Debian ships in librust-jemalloc-sys-dev into
// test/.build once per variant: without profiling (doctor's fingerprint tests) and with it
// (live dumps of a program whose heap is the embedded copy).
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./examples.js";

const BUILD_DIR = join(REPO_ROOT, "test", ".build");
const REGISTRY = "/usr/share/cargo/registry";

export const RJEM_SOURCE_SKIP_REASON = "needs jemalloc's source from Debian's librust-jemalloc-sys-dev package (apt install librust-jemalloc-sys-dev)";

/** The jemalloc-sys crate folder, or undefined when the package is not installed. */
export function findJemallocSysCrate(): string | undefined {
  if (!existsSync(REGISTRY)) return undefined;
  const crate = readdirSync(REGISTRY).find((entry) => /^jemalloc-sys-\d/.test(entry));
  return crate === undefined ? undefined : join(REGISTRY, crate);
}

/** Path of libjemalloc.a built with the _rjem_ prefix; undefined without the source. */
export function buildRjemJemallocArchive(options: { profiling: boolean }): string | undefined {
  const crate = findJemallocSysCrate();
  if (crate === undefined) return undefined;
  const version = readFileSync(join(crate, "configure", "VERSION"), "utf8").trim();
  const output = join(BUILD_DIR, `rjem-${options.profiling ? "prof" : "noprof"}-jemalloc-${version.replace(/[^\w.-]/g, "_").slice(0, 40)}`);
  const archive = join(output, "lib", "libjemalloc.a");
  if (existsSync(archive)) return archive;
  mkdirSync(BUILD_DIR, { recursive: true });
  const work = `${output}.${process.pid}.tmp`;
  rmSync(work, { recursive: true, force: true });
  cpSync(join(crate, "jemalloc"), work, { recursive: true });
  // The crate keeps the generated configure script beside the source tree.
  copyFileSync(join(crate, "configure", "configure"), join(work, "configure"));
  copyFileSync(join(crate, "configure", "VERSION"), join(work, "VERSION"));
  chmodSync(join(work, "configure"), 0o755);
  const run = (command: string, args: string[]) => execFileSync(command, args, { cwd: work, stdio: ["ignore", "ignore", "pipe"] });
  const features = options.profiling ? ["--enable-prof"] : ["--disable-prof", "--disable-stats", "--disable-fill"];
  run("./configure", ["--with-jemalloc-prefix=_rjem_", "--with-private-namespace=_rjem_", "--disable-cxx", ...features, "CFLAGS=-O1 -g0"]);
  run("make", ["-j2", "lib/libjemalloc.a"]);
  renameSync(work, output);
  return archive;
}
