import { describe, expect, it } from "vitest";
import { installHint, libraryEnvVariable, packageFor, parseOsRelease } from "../../src/detect/index.js";
import { readOsReleaseFixture } from "./sample-system.js";

describe("installHint for libraries", () => {
  it.each([
    ["jemalloc", "debian", "install it: apt install libjemalloc2"],
    ["tcmalloc", "debian", "install it: apt install libgoogle-perftools4"],
    ["tcmalloc-minimal", "debian", "install it: apt install libtcmalloc-minimal4"],
    ["mimalloc", "debian", "install it: apt install libmimalloc2.0"],
    ["profiler", "debian", "install it: apt install libgoogle-perftools4"],
    ["memusage", "debian", "install it: apt install libc6"],
    ["jemalloc", "fedora", "install it: dnf install jemalloc"],
    ["tcmalloc", "fedora", "install it: dnf install gperftools-libs"],
    ["mimalloc", "fedora", "install it: dnf install mimalloc"],
    ["jemalloc", "suse", "install it: zypper install libjemalloc2"],
    ["tcmalloc", "suse", "install it: zypper install libtcmalloc4"],
    ["tcmalloc-minimal", "suse", "install it: zypper install libtcmalloc_minimal4"],
    ["mimalloc", "suse", "install it: zypper install libmimalloc2"],
    ["profiler", "suse", "install it: zypper install libprofiler0"],
    ["jemalloc", "arch", "install it: pacman -S jemalloc"],
    ["tcmalloc-minimal", "arch", "install it: pacman -S gperftools"],
    ["mimalloc", "arch", "install it: pacman -S mimalloc"],
    ["jemalloc", "alpine", "install it: apk add jemalloc"],
    ["tcmalloc", "alpine", "install it: apk add gperftools"],
    ["mimalloc", "alpine", "install it: apk add mimalloc2"],
  ] as const)("tells %s users on %s: %s", (library, family, hint) => {
    expect(installHint(library, family)).toBe(hint);
  });

  it("explains that musl has no memusage instead of naming a package", () => {
    expect(installHint("memusage", "alpine")).toMatch(/musl/);
  });

  it("on NixOS, tells how to get a store path and which variable to set", () => {
    expect(installHint("tcmalloc-minimal", "nix")).toBe(
      "build it with nix-build '<nixpkgs>' -A gperftools --no-out-link, then set ALLOCRUN_TCMALLOC_MINIMAL_LIB=<that path>/lib/libtcmalloc_minimal.so.4",
    );
  });

  it("on an unknown distribution, names the soname and the --lib escape hatch", () => {
    expect(installHint("jemalloc", "unknown")).toBe(
      "install the package that provides libjemalloc.so.2, or pass its path with --lib or ALLOCRUN_JEMALLOC_LIB",
    );
  });

  it("names libmimalloc3 on Debian 13, which moved to mimalloc 3", () => {
    const trixie = parseOsRelease(readOsReleaseFixture("debian-13"));
    expect(packageFor("mimalloc", "debian", trixie)).toBe("libmimalloc3");
    expect(packageFor("mimalloc", "debian", parseOsRelease(readOsReleaseFixture("debian-12")))).toBe("libmimalloc2.0");
  });
});

describe("installHint for tools", () => {
  it.each([
    ["jeprof", "debian", "install it: apt install libjemalloc-dev"],
    ["jeprof", "fedora", "install it: dnf install jemalloc-devel"],
    ["jeprof", "suse", "install it: zypper install jemalloc"],
    ["jeprof", "arch", "install it: pacman -S jemalloc"],
    ["google-pprof", "debian", "install it: apt install google-perftools"],
    ["google-pprof", "fedora", "install it: dnf install pprof"],
    ["addr2line", "fedora", "install it: dnf install binutils"],
    ["llvm-symbolizer", "debian", "install it: apt install llvm"],
    ["gdb", "arch", "install it: pacman -S gdb"],
    ["go", "debian", "install it: apt install golang-go"],
    ["go", "fedora", "install it: dnf install golang"],
    ["dot", "alpine", "install it: apk add graphviz"],
  ] as const)("tells %s users on %s: %s", (tool, family, hint) => {
    expect(installHint(tool, family)).toBe(hint);
  });

  it("points openSUSE users to go tool pprof, since the perl pprof is not packaged there", () => {
    expect(installHint("google-pprof", "suse")).toMatch(/go tool pprof/);
  });
});

describe("libraryEnvVariable", () => {
  it("upper-cases the name and turns dashes into underscores", () => {
    expect(libraryEnvVariable("tcmalloc-minimal")).toBe("ALLOCRUN_TCMALLOC_MINIMAL_LIB");
    expect(libraryEnvVariable("jemalloc")).toBe("ALLOCRUN_JEMALLOC_LIB");
  });
});
