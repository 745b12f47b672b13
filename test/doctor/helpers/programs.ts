// Real programs for the doctor tests: Go binaries built with the installed toolchain, a
// jemalloc built from Debian's source with the _rjem_ prefix (as tikv-jemallocator
// embeds it), set-ID copies, and a way to run commands as an unprivileged user.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXAMPLES_DIR, REPO_ROOT } from "../../helpers/examples.js";

const BUILD_DIR = join(REPO_ROOT, "test", ".build");
const LIB_DIR = "/usr/lib/x86_64-linux-gnu";
export const JEMALLOC_LIBRARY = `${LIB_DIR}/libjemalloc.so.2`;
export const TCMALLOC_LIBRARY = `${LIB_DIR}/libtcmalloc.so.4`;
/** Debian's static, unprefixed jemalloc (libjemalloc-dev). */
export const JEMALLOC_STATIC_ARCHIVE = `${LIB_DIR}/libjemalloc_pic.a`;
/** gperftools' static tcmalloc (libgoogle-perftools-dev). */
export const TCMALLOC_MINIMAL_STATIC_ARCHIVE = `${LIB_DIR}/libtcmalloc_minimal.a`;

const hashOf = (...parts: (string | Buffer)[]): string => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex").slice(0, 12);
};

/** Builds examples/go/<name>/<name>.go (standard library only; no network, private caches). */
export function buildGoProgram(name: "hello" | "cgo-hello", options: { cgo: boolean }): string {
  const source = join(EXAMPLES_DIR, "go", name, `${name}.go`);
  const output = join(BUILD_DIR, `go-${name}-${options.cgo ? "cgo" : "nocgo"}-${hashOf(readFileSync(source))}`);
  if (existsSync(output)) return output;
  mkdirSync(BUILD_DIR, { recursive: true });
  const partial = `${output}.${process.pid}.tmp`;
  execFileSync("go", ["build", "-o", partial, `${name}.go`], {
    cwd: join(EXAMPLES_DIR, "go", name),
    env: {
      ...process.env,
      CGO_ENABLED: options.cgo ? "1" : "0",
      GOCACHE: join(BUILD_DIR, "go-cache"),
      GOPATH: join(BUILD_DIR, "go-path"),
      GOFLAGS: "-mod=mod",
      GOPROXY: "off",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  renameSync(partial, output);
  return output;
}

/** jemalloc's source as Debian ships it for Rust (package librust-jemalloc-sys-dev). */
function findJemallocSource(): string | undefined {
  const registry = "/usr/share/cargo/registry";
  if (!existsSync(registry)) return undefined;
  const crate = readdirSync(registry).find((entry) => /^jemalloc-sys-\d/.test(entry));
  return crate === undefined ? undefined : join(registry, crate);
}

export const PREFIXED_JEMALLOC_SKIP_REASON = "needs jemalloc's source from Debian's librust-jemalloc-sys-dev package (apt install librust-jemalloc-sys-dev)";

/**
 * Builds libjemalloc.a configured the way tikv-jemalloc-sys does (--with-jemalloc-prefix=_rjem_
 * --with-private-namespace=_rjem_), without profiling, at -O1 so that dead profiling code
 * (and its strings) is dropped as in release builds. About 25 s on two cores, once.
 * Undefined when the source package is not installed.
 */
export function buildPrefixedJemalloc(): string | undefined {
  const crate = findJemallocSource();
  if (crate === undefined) return undefined;
  const version = readFileSync(join(crate, "configure", "VERSION"), "utf8").trim();
  const output = join(BUILD_DIR, `rjem-jemalloc-${hashOf(version)}`);
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
  run("./configure", [
    "--with-jemalloc-prefix=_rjem_", "--with-private-namespace=_rjem_", "--disable-cxx", "--disable-prof",
    "--disable-stats", "--disable-fill", "CFLAGS=-O1 -g0",
  ]);
  run("make", ["-j2", "lib/libjemalloc.a"]);
  renameSync(work, output);
  return archive;
}

/** A fresh folder every user can enter (set-ID copies must be reachable by `nobody`). */
export function makeSharedTempDir(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(directory, 0o755);
  return directory;
}

/** A copy of `source` owned by uid:gid with `mode` (e.g. 0o4755 for set-user-ID). */
export function makeOwnedCopy(source: string, directory: string, name: string, owner: { uid: number; gid: number }, mode: number): string {
  const copy = join(directory, name);
  copyFileSync(source, copy);
  chownSync(copy, owner.uid, owner.gid);
  // chown clears set-ID bits, so the mode comes last.
  chmodSync(copy, mode);
  return copy;
}

export const NOBODY = { name: "nobody", uid: 65534, gid: 65534 };

/** Why commands cannot run as `nobody` here, or undefined when they can. */
export function whyNotRunAsNobody(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root to switch to the nobody user";
  if (spawnSync("runuser", ["--version"]).error !== undefined) return "needs runuser (util-linux)";
  const probe = spawnSync("runuser", ["-u", NOBODY.name, "--", "test", "-r", join(REPO_ROOT, "bin", "allocrun.js")]);
  if (probe.status !== 0) return `the nobody user cannot read ${REPO_ROOT}`;
  return undefined;
}

/** Why `gcc -m32` cannot link here, or undefined. */
export function whyNo32BitCompiler(): string | undefined {
  const directory = mkdtempSync(join(tmpdir(), "allocrun-m32-"));
  try {
    const result = spawnSync("gcc", ["-m32", "-x", "c", "-o", join(directory, "probe"), "-"], { input: "int main(void){return 0;}\n" });
    return result.status === 0 ? undefined : "gcc -m32 cannot link: install gcc-multilib";
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Why musl-gcc is unusable here, or undefined. */
export function whyNoMuslCompiler(): string | undefined {
  return spawnSync("musl-gcc", ["--version"]).error === undefined ? undefined : "musl-gcc not found: install musl-tools";
}
