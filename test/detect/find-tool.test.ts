import { describe, expect, it } from "vitest";
import { findExecutable, findTool, installHint, TOOL_NAMES, toolVersion } from "../../src/detect/index.js";

describe("findTool", () => {
  it("finds every analysis tool installed on this machine on PATH", () => {
    for (const tool of TOOL_NAMES) expect(findTool(tool), tool).toMatch(new RegExp(`/${tool}$`));
  });

  it("returns undefined for a missing tool and for a PATH without it", () => {
    expect(findTool("allocrun-no-such-tool")).toBeUndefined();
    expect(findTool("addr2line", { PATH: "/nonexistent:relative/bin" })).toBeUndefined();
  });

  it("does not take a directory or a non-executable file for a tool", () => {
    expect(findExecutable("/usr/bin")).toBeUndefined();
    expect(findExecutable("/etc/os-release")).toBeUndefined();
    expect(findExecutable("/usr/bin/addr2line")).toBe("/usr/bin/addr2line");
  });
});

describe("toolVersion", () => {
  it("reads versions from --version, `go version` and dot's stderr", () => {
    expect(toolVersion("addr2line")).toMatch(/^GNU addr2line .*2\.\d+/);
    expect(toolVersion("go")).toMatch(/^go version go1\.\d+/);
    expect(toolVersion("dot")).toMatch(/graphviz version/);
    expect(toolVersion("jeprof")).toMatch(/jemalloc 5\./);
  });

  it("returns undefined for a tool that is not installed", () => {
    expect(toolVersion("allocrun-no-such-tool")).toBeUndefined();
  });

  it("has an install hint for every tool on Debian", () => {
    for (const tool of TOOL_NAMES) expect(installHint(tool, "debian"), tool).toMatch(/^install it: apt install \S+$/);
  });
});
