import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { findTool, toolVersion } from "../../src/detect/find-tool.js";
import { installHint, TOOL_NAMES } from "../../src/detect/index.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temps = useTempDirs();

/** A directory holding one executable shell script called `name`. */
async function directoryWithTool(name: string): Promise<string> {
  const directory = await temps.make();
  writeFileSync(join(directory, name), "#!/bin/sh\necho 'fake-tool 1.2.3'\n");
  chmodSync(join(directory, name), 0o755);
  return directory;
}

describe("findTool", () => {
  it("finds every analysis tool installed on this machine on PATH", () => {
    for (const tool of TOOL_NAMES) expect(findTool(tool), tool).toMatch(new RegExp(`/${tool}$`));
  });

  it("returns undefined for a missing tool and for a PATH without it", () => {
    expect(findTool("allocrun-no-such-tool")).toBeUndefined();
    expect(findTool("addr2line", "/nonexistent:relative/bin")).toBeUndefined();
    expect(findTool("addr2line", "")).toBeUndefined();
  });

  it("searches only the path it is given, in order", async () => {
    const first = await directoryWithTool("allocrun-fake-tool");
    const second = await directoryWithTool("allocrun-fake-tool");
    expect(findTool("allocrun-fake-tool", `/nonexistent:${second}:${first}`)).toBe(join(second, "allocrun-fake-tool"));
    expect(findTool("allocrun-fake-tool", "/usr/bin:/bin")).toBeUndefined();
  });

  it("ignores relative PATH entries, which would depend on the current directory", async () => {
    const directory = await directoryWithTool("allocrun-fake-tool");
    expect(findTool("allocrun-fake-tool", relative(process.cwd(), directory))).toBeUndefined();
  });

  it("does not take a directory or a non-executable file for a tool", async () => {
    const directory = await temps.make();
    mkdirSync(join(directory, "allocrun-dir-tool"));
    writeFileSync(join(directory, "allocrun-plain-file"), "#!/bin/sh\n");
    expect(findTool("allocrun-dir-tool", directory)).toBeUndefined();
    expect(findTool("allocrun-plain-file", directory)).toBeUndefined();
    expect(findTool("/usr/bin")).toBeUndefined();
    expect(findTool("/etc/os-release")).toBeUndefined();
  });

  it("checks a name with a slash as it is, whatever the path", () => {
    expect(findTool("/usr/bin/addr2line", "")).toBe("/usr/bin/addr2line");
  });
});

describe("toolVersion", () => {
  it("reads versions from --version, `go version` and dot's stderr", () => {
    expect(toolVersion("addr2line")).toMatch(/^GNU addr2line .*2\.\d+/);
    expect(toolVersion("go")).toMatch(/^go version go1\.\d+/);
    expect(toolVersion("dot")).toMatch(/graphviz version/);
    expect(toolVersion("jeprof")).toMatch(/jemalloc 5\./);
  });

  it("looks a bare name up in the PATH of the environment it is given", async () => {
    const directory = await directoryWithTool("allocrun-fake-tool");
    expect(toolVersion("allocrun-fake-tool", { PATH: `${directory}:/usr/bin:/bin` })).toBe("fake-tool 1.2.3");
  });

  it("returns undefined for a tool that is not installed", () => {
    expect(toolVersion("allocrun-no-such-tool")).toBeUndefined();
  });

  it("has an install hint for every tool on Debian", () => {
    for (const tool of TOOL_NAMES) expect(installHint(tool, "debian"), tool).toMatch(/^install it: apt install \S+$/);
  });
});
