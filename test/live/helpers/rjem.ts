// A jemalloc configured as tikv-jemallocator's "profiling" feature configures it
// (--with-jemalloc-prefix=_rjem_ --with-private-namespace=_rjem_ --enable-prof), built once
// from Debian's librust-jemalloc-sys-dev source into test/.build (about 30 s on two cores),
// and examples/longrun linked against it with every malloc call renamed to _rjem_malloc:
// a stand-in for a Rust program whose heap is the embedded jemalloc.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildExample, REPO_ROOT } from "../../helpers/examples.js";

const BUILD_DIR = join(REPO_ROOT, "test", ".build");
const REGISTRY = "/usr/share/cargo/registry";

function findJemallocCrate(): string | undefined {
  if (!existsSync(REGISTRY)) return undefined;
  const crate = readdirSync(REGISTRY).find((entry) => /^jemalloc-sys-\d/.test(entry));
  return crate === undefined ? undefined : join(REGISTRY, crate);
}

/** Why the profiling _rjem_ jemalloc cannot be built here, or undefined. */
export function whyNoRjemSource(): string | undefined {
  return findJemallocCrate() === undefined ? "needs jemalloc's source from Debian's librust-jemalloc-sys-dev package (apt install librust-jemalloc-sys-dev)" : undefined;
}

function buildProfilingRjemArchive(): string {
  const crate = findJemallocCrate() as string;
  const version = readFileSync(join(crate, "configure", "VERSION"), "utf8").trim();
  const output = join(BUILD_DIR, `rjem-prof-jemalloc-${version.slice(0, 5)}`);
  const archive = join(output, "lib", "libjemalloc.a");
  if (existsSync(archive)) return archive;
  mkdirSync(BUILD_DIR, { recursive: true });
  const work = `${output}.${process.pid}.tmp`;
  rmSync(work, { recursive: true, force: true });
  cpSync(join(crate, "jemalloc"), work, { recursive: true });
  copyFileSync(join(crate, "configure", "configure"), join(work, "configure"));
  copyFileSync(join(crate, "configure", "VERSION"), join(work, "VERSION"));
  chmodSync(join(work, "configure"), 0o755);
  const run = (command: string, args: string[]) => execFileSync(command, args, { cwd: work, stdio: ["ignore", "ignore", "pipe"] });
  run("./configure", ["--with-jemalloc-prefix=_rjem_", "--with-private-namespace=_rjem_", "--disable-cxx", "--enable-prof", "CFLAGS=-O1 -g0"]);
  run("make", ["-j2", "lib/libjemalloc.a"]);
  renameSync(work, output);
  return archive;
}

/** longrun whose allocations all go to the embedded, prefixed, profiling jemalloc. */
export function buildRjemLongrun(): string {
  const archive = buildProfilingRjemArchive();
  const renamed = ["malloc", "calloc", "realloc", "free"].map((name) => `-D${name}=_rjem_${name}`);
  // The archive is listed before the source: --whole-archive makes the linker keep it all.
  return buildExample("longrun", { flags: [...renamed, "-Wl,--whole-archive", archive, "-Wl,--no-whole-archive", "-lm", "-ldl"] });
}
