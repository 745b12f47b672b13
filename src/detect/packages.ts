// What provides each preloadable library and analysis tool, per distribution family
// (distro-paths.md §2). Used only to print install hints: libraries are found by probing
// files and sonames, never by trusting these names.
import type { LibraryName } from "../core/allocators.js";
import type { DistroFamily, OsRelease } from "./os-release.js";
import type { ToolName } from "./tools.js";

/** Sonames to look for, preferred first. */
export const LIBRARY_SONAMES: Record<LibraryName, readonly string[]> = {
  jemalloc: ["libjemalloc.so.2"],
  tcmalloc: ["libtcmalloc.so.4"],
  "tcmalloc-minimal": ["libtcmalloc_minimal.so.4"],
  mimalloc: ["libmimalloc.so.2", "libmimalloc.so.3"],
  profiler: ["libprofiler.so.0"],
  memusage: ["libmemusage.so"],
};

type PackageTable = Partial<Record<DistroFamily, string>>;

/** Package per family; a missing family means the distribution does not ship it. */
const LIBRARY_PACKAGES: Record<LibraryName, PackageTable> = {
  jemalloc: { debian: "libjemalloc2", fedora: "jemalloc", suse: "libjemalloc2", arch: "jemalloc", alpine: "jemalloc", nix: "jemalloc" },
  tcmalloc: { debian: "libgoogle-perftools4", fedora: "gperftools-libs", suse: "libtcmalloc4", arch: "gperftools", alpine: "gperftools", nix: "gperftools" },
  "tcmalloc-minimal": {
    debian: "libtcmalloc-minimal4", fedora: "gperftools-libs", suse: "libtcmalloc_minimal4", arch: "gperftools", alpine: "gperftools", nix: "gperftools",
  },
  mimalloc: { debian: "libmimalloc2.0", fedora: "mimalloc", suse: "libmimalloc2", arch: "mimalloc", alpine: "mimalloc2", nix: "mimalloc" },
  profiler: { debian: "libgoogle-perftools4", fedora: "gperftools-libs", suse: "libprofiler0", arch: "gperftools", alpine: "gperftools", nix: "gperftools" },
  // glibc's memusage preload library; musl has none.
  memusage: { debian: "libc6", fedora: "glibc-utils", suse: "glibc-utils", arch: "glibc", nix: "glibc" },
};

const TOOL_PACKAGES: Record<ToolName, PackageTable> = {
  jeprof: { debian: "libjemalloc-dev", fedora: "jemalloc-devel", suse: "jemalloc", arch: "jemalloc", alpine: "jemalloc-dev", nix: "jemalloc" },
  "google-pprof": { debian: "google-perftools", fedora: "pprof", arch: "gperftools", nix: "gperftools" },
  addr2line: { debian: "binutils", fedora: "binutils", suse: "binutils", arch: "binutils", alpine: "binutils", nix: "binutils" },
  "llvm-symbolizer": { debian: "llvm", fedora: "llvm", suse: "llvm", arch: "llvm", alpine: "llvm", nix: "llvm" },
  gdb: { debian: "gdb", fedora: "gdb", suse: "gdb", arch: "gdb", alpine: "gdb", nix: "gdb" },
  go: { debian: "golang-go", fedora: "golang", suse: "go", arch: "go", alpine: "go", nix: "go" },
  dot: { debian: "graphviz", fedora: "graphviz", suse: "graphviz", arch: "graphviz", alpine: "graphviz", nix: "graphviz" },
};

/** The package that provides a library or tool on this family (and release), if any. */
export function packageFor(what: LibraryName | ToolName, family: DistroFamily, os?: OsRelease): string | undefined {
  // Debian 13 moved to mimalloc 3 (libmimalloc3, libmimalloc.so.3).
  if (what === "mimalloc" && os?.id === "debian" && Number(os.versionId) >= 13) return "libmimalloc3";
  const table: PackageTable = what in LIBRARY_PACKAGES ? LIBRARY_PACKAGES[what as LibraryName] : TOOL_PACKAGES[what as ToolName];
  return table[family];
}

/** "apt install libjemalloc2"; undefined for families without a package manager we know. */
export function installCommand(family: DistroFamily, packageName: string): string | undefined {
  switch (family) {
    case "debian": return `apt install ${packageName}`;
    case "fedora": return `dnf install ${packageName}`;
    case "suse": return `zypper install ${packageName}`;
    case "arch": return `pacman -S ${packageName}`;
    case "alpine": return `apk add ${packageName}`;
    case "nix": return `nix profile install nixpkgs#${packageName}`;
    case "unknown": return undefined;
  }
}

/** ALLOCRUN_TCMALLOC_MINIMAL_LIB for "tcmalloc-minimal". */
export function libraryEnvVariable(name: LibraryName): string {
  return `ALLOCRUN_${name.toUpperCase().replace(/-/g, "_")}_LIB`;
}

const isLibraryName = (what: string): what is LibraryName => what in LIBRARY_SONAMES;

/** A one-line hint naming the fix for a missing library or tool on this family. */
export function installHint(what: LibraryName | ToolName, family: DistroFamily, os?: OsRelease): string {
  const packageName = packageFor(what, family, os);
  if (isLibraryName(what)) {
    const soname = LIBRARY_SONAMES[what][0] as string;
    if (family === "nix") {
      const attribute = packageName ?? what;
      return `build it with nix-build '<nixpkgs>' -A ${attribute} --no-out-link, then set ${libraryEnvVariable(what)}=<that path>/lib/${soname}`;
    }
    if (what === "memusage" && family === "alpine") return "memusage is part of glibc; musl-based Alpine has no equivalent";
    const command = packageName === undefined ? undefined : installCommand(family, packageName);
    if (command !== undefined) return `install it: ${command}`;
    return `install the package that provides ${soname}, or pass its path with --lib or ${libraryEnvVariable(what)}`;
  }
  const command = packageName === undefined ? undefined : installCommand(family, packageName);
  if (command !== undefined) return `install it: ${command}`;
  if (what === "google-pprof" && family !== "unknown") return "google-pprof is not packaged here; `go tool pprof` reads the same profiles";
  return `install ${what} with your package manager and make sure it is on PATH`;
}
