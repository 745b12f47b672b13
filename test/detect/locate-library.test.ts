// Per-distribution behaviour of the library locator, on sample os-release / ldconfig texts
// with real library files standing at the paths those distributions use.
import { describe, expect, it } from "vitest";
import { AllocrunError } from "../../src/core/errors.js";
import { librarySearchDirectories, locateLibraryIn } from "../../src/detect/index.js";
import { readElfFile, readElfIdentity } from "../../src/elf/index.js";
import { buildExample } from "../helpers/examples.js";
import { REAL, sampleView } from "./sample-system.js";

function captureError(action: () => unknown): AllocrunError {
  try {
    action();
  } catch (error) {
    if (error instanceof AllocrunError) return error;
    throw error;
  }
  throw new Error("expected an AllocrunError");
}

describe("locateLibraryIn with ldconfig", () => {
  it("on Debian 12, takes libjemalloc.so.2 from the ldconfig cache and resolves merged-/usr to the real path", () => {
    const view = sampleView({
      osRelease: "debian-12",
      ldconfig: "debian-12-x86_64.txt",
      files: { "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2": REAL.jemalloc },
      links: { "/lib/x86_64-linux-gnu/libjemalloc.so.2": "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2" },
    });
    expect(locateLibraryIn(view, "jemalloc")).toEqual({
      name: "jemalloc", path: "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", soname: "libjemalloc.so.2", source: "ldconfig",
    });
  });

  it("on Ubuntu 24.04, finds libtcmalloc_minimal.so.4", () => {
    const view = sampleView({
      osRelease: "ubuntu-24.04",
      ldconfig: "ubuntu-24.04-x86_64.txt",
      files: { "/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4": REAL.tcmallocMinimal },
    });
    expect(locateLibraryIn(view, "tcmalloc-minimal")).toMatchObject({ source: "ldconfig", path: "/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4" });
  });

  it("on Fedora, takes the x86-64 /lib64 entry, not the 32-bit /lib one listed beside it", () => {
    const view = sampleView({
      osRelease: "fedora-40",
      ldconfig: "fedora-40-x86_64.txt",
      files: { "/lib64/libjemalloc.so.2": REAL.jemalloc, "/lib/libjemalloc.so.2": REAL.memusage32 },
    });
    expect(locateLibraryIn(view, "jemalloc")).toMatchObject({ source: "ldconfig", path: "/lib64/libjemalloc.so.2" });
  });

  it("on openSUSE, finds libtcmalloc.so.4 and suggests libprofiler0 when the CPU profiler is missing", () => {
    const view = sampleView({
      osRelease: "opensuse-tumbleweed",
      ldconfig: "opensuse-tumbleweed-x86_64.txt",
      files: { "/usr/lib64/libtcmalloc.so.4": REAL.tcmalloc },
    });
    expect(locateLibraryIn(view, "tcmalloc")).toMatchObject({ source: "ldconfig", path: "/usr/lib64/libtcmalloc.so.4" });
    expect(captureError(() => locateLibraryIn(view, "profiler"))).toMatchObject({
      kind: "environment",
      message: "profiler is not installed (no libprofiler.so.0 found)",
      hint: "install it: zypper install libprofiler0",
    });
  });

  it("on Arch, finds libmimalloc.so.2 in /usr/lib", () => {
    const view = sampleView({ osRelease: "arch", ldconfig: "arch-x86_64.txt", files: { "/usr/lib/libmimalloc.so.2": REAL.mimalloc } });
    expect(locateLibraryIn(view, "mimalloc")).toMatchObject({ source: "ldconfig", soname: "libmimalloc.so.2" });
  });

  it("on Rocky 9 without EPEL's jemalloc, fails with the dnf hint", () => {
    const view = sampleView({ osRelease: "rocky-9", ldconfig: "rocky-9-x86_64.txt" });
    const error = captureError(() => locateLibraryIn(view, "jemalloc"));
    expect(error).toMatchObject({ kind: "environment", message: "jemalloc is not installed (no libjemalloc.so.2 found)", hint: "install it: dnf install jemalloc" });
  });

  it("ignores a stale ldconfig entry whose file is gone and falls back to the directories", () => {
    const view = sampleView({
      osRelease: "amzn-2023",
      ldconfig: "amzn-2023-x86_64.txt",
      files: { "/usr/lib64/libjemalloc.so.2": REAL.jemalloc },
    });
    expect(locateLibraryIn(view, "jemalloc")).toMatchObject({ source: "search-path", path: "/usr/lib64/libjemalloc.so.2" });
  });
});

describe("locateLibraryIn without ldconfig", () => {
  it("on Alpine, probes /usr/lib and suggests apk packages", () => {
    const view = sampleView({ osRelease: "alpine-3.20", files: { "/usr/lib/libjemalloc.so.2": REAL.jemalloc } });
    expect(locateLibraryIn(view, "jemalloc")).toMatchObject({ source: "search-path", path: "/usr/lib/libjemalloc.so.2" });
    expect(captureError(() => locateLibraryIn(view, "mimalloc")).hint).toBe("install it: apk add mimalloc2");
  });

  it("on NixOS, finds a library in the user's nix profile, else explains nix-build", () => {
    const found = sampleView({ osRelease: "nixos-24.05", homeDir: "/home/ada", files: { "/home/ada/.nix-profile/lib/libjemalloc.so.2": REAL.jemalloc } });
    expect(locateLibraryIn(found, "jemalloc")).toMatchObject({ source: "search-path" });
    const missing = sampleView({ osRelease: "nixos-24.05" });
    expect(captureError(() => locateLibraryIn(missing, "jemalloc")).hint).toMatch(/^build it with nix-build '<nixpkgs>' -A jemalloc .*ALLOCRUN_JEMALLOC_LIB=/);
  });

  it("on an unknown distribution, probes every usual directory and gives the generic hint", () => {
    const found = sampleView({ osRelease: "gentoo", files: { "/usr/lib64/libtcmalloc.so.4": REAL.tcmalloc } });
    expect(locateLibraryIn(found, "tcmalloc")).toMatchObject({ source: "search-path", path: "/usr/lib64/libtcmalloc.so.4" });
    expect(captureError(() => locateLibraryIn(sampleView({}), "tcmalloc")).hint).toMatch(/--lib or ALLOCRUN_TCMALLOC_LIB$/);
  });

  it("finds a source build in /usr/local/lib and a Homebrew one in ~/.linuxbrew/lib", () => {
    const local = sampleView({ osRelease: "debian-12", files: { "/usr/local/lib/libjemalloc.so.2": REAL.jemalloc } });
    expect(locateLibraryIn(local, "jemalloc").path).toBe("/usr/local/lib/libjemalloc.so.2");
    const brew = sampleView({ osRelease: "fedora-40", homeDir: "/home/ada", files: { "/home/ada/.linuxbrew/lib/libmimalloc.so.2": REAL.mimalloc } });
    expect(locateLibraryIn(brew, "mimalloc").path).toBe("/home/ada/.linuxbrew/lib/libmimalloc.so.2");
  });

  it("accepts mimalloc 3 where only libmimalloc.so.3 exists (Debian 13), and names libmimalloc3 when nothing does", () => {
    const view = sampleView({ osRelease: "debian-13", files: { "/usr/lib/x86_64-linux-gnu/libmimalloc.so.3": REAL.mimalloc } });
    expect(locateLibraryIn(view, "mimalloc")).toMatchObject({ soname: "libmimalloc.so.3", source: "search-path" });
    expect(captureError(() => locateLibraryIn(sampleView({ osRelease: "debian-13" }), "mimalloc")).hint).toBe("install it: apt install libmimalloc3");
  });

  it("lists Debian's multiarch directories first and LD_LIBRARY_PATH before everything", () => {
    const directories = librarySearchDirectories("debian", { arch: "arm64", env: { LD_LIBRARY_PATH: "/opt/lib:relative" }, homeDir: undefined });
    expect(directories.slice(0, 3)).toEqual(["/opt/lib", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu"]);
    expect(directories).not.toContain("relative");
  });
});

describe("locateLibraryIn checks candidates against the program", () => {
  it("chooses the i386 libmemusage.so for a 32-bit program and the x32 one for an x32 program", () => {
    const files = {
      "/lib/x86_64-linux-gnu/libmemusage.so": REAL.memusage,
      "/lib32/libmemusage.so": REAL.memusage32,
      "/libx32/libmemusage.so": REAL.memusageX32,
    };
    const view = sampleView({ osRelease: "debian-12", ldconfig: "debian-12-x86_64.txt", files });
    expect(locateLibraryIn(view, "memusage").path).toBe("/lib/x86_64-linux-gnu/libmemusage.so");
    expect(locateLibraryIn(view, "memusage", { target: readElfIdentity("/lib32/libc.so.6") }).path).toBe("/lib32/libmemusage.so");
    expect(locateLibraryIn(view, "memusage", { target: readElfIdentity("/libx32/libc.so.6") }).path).toBe("/libx32/libmemusage.so");
  });

  it("refuses a 64-bit jemalloc for a 32-bit program and says why", () => {
    const view = sampleView({
      osRelease: "debian-12",
      ldconfig: "debian-12-x86_64.txt",
      files: { "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2": REAL.jemalloc },
      links: { "/lib/x86_64-linux-gnu/libjemalloc.so.2": "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2" },
    });
    const error = captureError(() => locateLibraryIn(view, "jemalloc", { target: readElfIdentity("/lib32/libc.so.6") }));
    expect(error.message).toBe(
      "jemalloc is not installed for 32-bit x86 (no usable libjemalloc.so.2: /lib/x86_64-linux-gnu/libjemalloc.so.2 is a 64-bit x86-64 library but the program is 32-bit x86)",
    );
    expect(error.hint).toBe("install it: apt install libjemalloc2");
  });

  it("skips a cache entry whose file has the wrong class even though ldconfig labels it x86-64", () => {
    const view = sampleView({
      osRelease: "debian-12",
      ldconfig: "debian-12-x86_64.txt",
      files: { "/lib/x86_64-linux-gnu/libjemalloc.so.2": REAL.memusage32, "/usr/local/lib/libjemalloc.so.2": REAL.jemalloc },
    });
    expect(locateLibraryIn(view, "jemalloc")).toMatchObject({ source: "search-path", path: "/usr/local/lib/libjemalloc.so.2" });
  });

  it("refuses a glibc library for a musl program", () => {
    const glibcProgram = readElfFile(buildExample("leak")).elf;
    const muslProgram = { ...glibcProgram, interpreter: "/lib/ld-musl-x86_64.so.1", needed: ["libc.musl-x86_64.so.1"] };
    const view = sampleView({ osRelease: "alpine-3.20", files: { "/usr/lib/libjemalloc.so.2": REAL.jemalloc } });
    expect(locateLibraryIn(view, "jemalloc", { target: glibcProgram }).path).toBe("/usr/lib/libjemalloc.so.2");
    expect(captureError(() => locateLibraryIn(view, "jemalloc", { target: muslProgram })).message).toMatch(
      /libjemalloc\.so\.2 is built for glibc but the program uses musl/,
    );
  });

  it("rejects a file that is not ELF, or not a shared library, found under the soname", () => {
    const view = sampleView({
      osRelease: "debian-12",
      files: { "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2": "/etc/os-release", "/usr/local/lib/libjemalloc.so.2": buildExample("leak", { flags: ["-no-pie"] }) },
    });
    expect(captureError(() => locateLibraryIn(view, "jemalloc")).message).toMatch(
      /libjemalloc\.so\.2 is not an ELF file; \/usr\/local\/lib\/libjemalloc\.so\.2 is not a shared library\)$/,
    );
  });
});

describe("locateLibraryIn with an explicit path", () => {
  const files = { "/opt/custom/libjemalloc-prof.so": REAL.jemalloc, "/opt/custom/notes.txt": "/etc/os-release" };

  it("uses --lib even when ldconfig knows another copy, and reports the file's DT_SONAME", () => {
    const view = sampleView({ osRelease: "debian-12", ldconfig: "debian-12-x86_64.txt", files });
    expect(locateLibraryIn(view, "jemalloc", { explicitPath: "/opt/custom/libjemalloc-prof.so" })).toEqual({
      name: "jemalloc", path: "/opt/custom/libjemalloc-prof.so", soname: "libjemalloc.so.2", source: "flag",
    });
  });

  it("fails with an input error naming --lib when the file does not exist or is not ELF", () => {
    const view = sampleView({ osRelease: "debian-12", files });
    expect(captureError(() => locateLibraryIn(view, "jemalloc", { explicitPath: "/opt/custom/missing.so" }))).toMatchObject({
      kind: "input", message: "--lib /opt/custom/missing.so: no such file",
    });
    expect(captureError(() => locateLibraryIn(view, "jemalloc", { explicitPath: "/opt/custom/notes.txt", explicitFlag: "--jemalloc-lib" }))).toMatchObject({
      kind: "input", message: "--jemalloc-lib /opt/custom/notes.txt: the file is not an ELF file",
    });
  });

  it("takes ALLOCRUN_TCMALLOC_MINIMAL_LIB from the environment and names the variable when it is wrong", () => {
    const ok = sampleView({ files: { "/opt/tc/lib.so": REAL.tcmallocMinimal }, env: { ALLOCRUN_TCMALLOC_MINIMAL_LIB: "/opt/tc/lib.so" } });
    expect(locateLibraryIn(ok, "tcmalloc-minimal")).toMatchObject({ source: "env", soname: "libtcmalloc_minimal.so.4" });
    const wrong = sampleView({ env: { ALLOCRUN_TCMALLOC_MINIMAL_LIB: "/opt/tc/gone.so" } });
    expect(captureError(() => locateLibraryIn(wrong, "tcmalloc-minimal"))).toMatchObject({
      kind: "input", message: "ALLOCRUN_TCMALLOC_MINIMAL_LIB=/opt/tc/gone.so: no such file", hint: "fix or unset ALLOCRUN_TCMALLOC_MINIMAL_LIB",
    });
  });

  it("lets --lib win over the environment variable", () => {
    const view = sampleView({ files, env: { ALLOCRUN_JEMALLOC_LIB: "/opt/custom/missing.so" } });
    expect(locateLibraryIn(view, "jemalloc", { explicitPath: "/opt/custom/libjemalloc-prof.so" }).source).toBe("flag");
  });
});
