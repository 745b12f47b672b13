import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { locateLibrary, mapsContainLibrary, parseLoaderPreloadErrors } from "../../src/detect/index.js";

/** Runs a real program with LD_PRELOAD and returns its stdout and stderr. */
function runPreloaded(preload: string, command: string, args: string[] = []): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, { env: { ...process.env, LD_PRELOAD: preload }, encoding: "utf8" });
  return { stdout: result.stdout, stderr: result.stderr };
}

describe("parseLoaderPreloadErrors", () => {
  it("reads the missing-file, wrong-class and invalid-header complaints glibc's loader prints", () => {
    const { stderr } = runPreloaded("/nonexistent/libnothing.so /lib32/libmemusage.so /etc/os-release", "/bin/true");
    expect(parseLoaderPreloadErrors(stderr)).toEqual([
      { library: "/nonexistent/libnothing.so", reason: "cannot open shared object file" },
      { library: "/lib32/libmemusage.so", reason: "wrong ELF class: ELFCLASS32" },
      { library: "/etc/os-release", reason: "invalid ELF header" },
    ]);
  });

  it("finds nothing when the preload works, and ignores the program's own lines", () => {
    const { stderr } = runPreloaded(locateLibrary("jemalloc").path, "/bin/sh", ["-c", "echo 'ERROR: something else' >&2"]);
    expect(stderr).toContain("ERROR: something else");
    expect(parseLoaderPreloadErrors(stderr)).toEqual([]);
  });
});

describe("mapsContainLibrary", () => {
  it("sees the preloaded mimalloc in a real /proc/self/maps under its resolved path, not the symlink", () => {
    const mimalloc = locateLibrary("mimalloc");
    const { stdout: maps } = runPreloaded("/lib/x86_64-linux-gnu/libmimalloc.so.2", "/bin/cat", ["/proc/self/maps"]);
    expect(mimalloc.path).toBe("/usr/lib/x86_64-linux-gnu/libmimalloc.so.2.0");
    expect(mapsContainLibrary(maps, mimalloc.path)).toBe(true);
    expect(mapsContainLibrary(maps, "/lib/x86_64-linux-gnu/libmimalloc.so.2")).toBe(false);
    expect(mapsContainLibrary(maps, locateLibrary("jemalloc").path)).toBe(false);
  });

  it("matches paths with spaces and mappings of deleted files", () => {
    const maps = [
      "7f0000000000-7f0000001000 r-xp 00000000 fe:00 42                         /opt/my libs/libjemalloc.so.2 (deleted)",
      "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]",
      "7f0000002000-7f0000003000 rw-p 00000000 00:00 0 ",
    ].join("\n");
    expect(mapsContainLibrary(maps, "/opt/my libs/libjemalloc.so.2")).toBe(true);
    expect(mapsContainLibrary(maps, "/opt/my")).toBe(false);
  });
});
