// locateLibrary on this real Debian 12 machine, where every supported library is installed.
import { realpathSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ALLOCATOR_NAMES, HELPER_LIBRARY_NAMES, type LibraryName } from "../../src/core/allocators.js";
import { AllocrunError } from "../../src/core/errors.js";
import { createSystemView, locateLibrary, locateLibraryIn, parseOsRelease } from "../../src/detect/index.js";
import { readElfFile } from "../../src/elf/index.js";
import { buildExample } from "../helpers/examples.js";
import { readOsReleaseFixture } from "./sample-system.js";

const LIBRARY_NAMES: LibraryName[] = [...ALLOCATOR_NAMES.filter((name) => name !== "glibc"), ...HELPER_LIBRARY_NAMES] as LibraryName[];
const EXPECTED_SONAMES: Record<LibraryName, string> = {
  jemalloc: "libjemalloc.so.2",
  tcmalloc: "libtcmalloc.so.4",
  "tcmalloc-minimal": "libtcmalloc_minimal.so.4",
  mimalloc: "libmimalloc.so.2",
  profiler: "libprofiler.so.0",
  memusage: "libmemusage.so",
};

describe("locateLibrary on this machine", () => {
  it.each(LIBRARY_NAMES)("finds %s through ldconfig, as a real path to a file with the right soname", (name) => {
    const target = readElfFile(buildExample("leak")).elf;
    const location = locateLibrary(name, { target }, { PATH: "/usr/bin:/bin" });
    expect(location).toMatchObject({ name, soname: EXPECTED_SONAMES[name], source: "ldconfig" });
    expect(location.path).toBe(realpathSync(location.path));
    expect(location.path.startsWith("/usr/lib/x86_64-linux-gnu/")).toBe(true);
    const { elf } = readElfFile(location.path);
    if (elf.soname !== undefined) expect(elf.soname).toBe(EXPECTED_SONAMES[name]);
  });

  it("fails clearly when ALLOCRUN_JEMALLOC_LIB points to a missing file", () => {
    let caught: unknown;
    try {
      locateLibrary("jemalloc", {}, { ...process.env, ALLOCRUN_JEMALLOC_LIB: "/nonexistent/libjemalloc.so.2" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AllocrunError);
    expect(caught).toMatchObject({
      kind: "input",
      message: "ALLOCRUN_JEMALLOC_LIB=/nonexistent/libjemalloc.so.2: no such file",
      hint: "fix or unset ALLOCRUN_JEMALLOC_LIB",
    });
  });

  it("uses ALLOCRUN_TCMALLOC_MINIMAL_LIB when it names a real library", () => {
    const path = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4";
    expect(locateLibrary("tcmalloc-minimal", {}, { ...process.env, ALLOCRUN_TCMALLOC_MINIMAL_LIB: path })).toMatchObject({
      source: "env", path: realpathSync(path), soname: "libtcmalloc_minimal.so.4",
    });
  });

  it("with a Fedora os-release and no ldconfig, probes Fedora's directories, finds nothing here and suggests dnf", () => {
    const view = { ...createSystemView(), osRelease: parseOsRelease(readOsReleaseFixture("fedora-40")), ldconfigText: undefined, ldconfigEntries: () => undefined };
    let caught: unknown;
    try {
      locateLibraryIn(view, "jemalloc");
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      kind: "environment",
      message: "jemalloc is not installed (no libjemalloc.so.2 found)",
      hint: "install it: dnf install jemalloc",
    });
  });

  it("with no ldconfig on Debian, still finds libjemalloc.so.2 in the multiarch directory", () => {
    const view = { ...createSystemView(), ldconfigText: undefined, ldconfigEntries: () => undefined };
    expect(locateLibraryIn(view, "jemalloc")).toMatchObject({ source: "search-path", path: "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2" });
  });
});
