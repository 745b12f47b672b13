// Real programs for the doctor tests: Go binaries built with the installed toolchain, a
// jemalloc built from Debian's source with the _rjem_ prefix (as tikv-jemallocator
// embeds it), set-ID copies, and a way to run commands as an unprivileged user.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXAMPLES_DIR, REPO_ROOT } from "../../helpers/examples.js";
import { buildRjemJemallocArchive, RJEM_SOURCE_SKIP_REASON } from "../../helpers/rjem-jemalloc.js";

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

export const PREFIXED_JEMALLOC_SKIP_REASON = RJEM_SOURCE_SKIP_REASON;

/** A _rjem_-prefixed jemalloc without profiling, as tikv-jemallocator builds it by default. */
export function buildPrefixedJemalloc(): string | undefined {
  return buildRjemJemallocArchive({ profiling: false });
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

/** Why musl-gcc is unusable here, or undefined. */
export function whyNoMuslCompiler(): string | undefined {
  return spawnSync("musl-gcc", ["--version"]).error === undefined ? undefined : "musl-gcc not found: install musl-tools";
}
