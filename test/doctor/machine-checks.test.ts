// Machine checks on this machine's real libraries and tools: versions against dpkg and
// glibc's own answer, jemalloc's real replies, the folder and ptrace rules.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askJemalloc, hasProfilingStrings, judgeJemallocProfiling, parseConfReply } from "../../src/doctor/machine/jemalloc-profiling.js";
import { findOwnLibc } from "../../src/doctor/machine/allocator-libraries.js";
import { readLibraryVersion } from "../../src/detect/library-version.js";
import { checkOutputFolder } from "../../src/doctor/machine/output-folder.js";
import { checkPtraceScope } from "../../src/doctor/machine/ptrace-scope.js";
import { inspectTools, systemToolLookup } from "../../src/doctor/machine/tools.js";
import { JEMALLOC_LIBRARY, TCMALLOC_LIBRARY } from "./helpers/programs.js";

const LIB_DIR = "/usr/lib/x86_64-linux-gnu";
const probe = { program: "/bin/true", env: process.env };
const dpkgVersion = (packageName: string): string => execFileSync("dpkg-query", ["-W", "-f", "${Version}", packageName], { encoding: "utf8" });

describe("jemalloc's own reply to MALLOC_CONF", () => {
  it("is read as 'rejected' for an option this jemalloc really lacks", () => {
    const stderr = askJemalloc(JEMALLOC_LIBRARY, ["prof_bogus:true"], probe);
    expect(stderr).toContain("<jemalloc>: Invalid conf pair: prof_bogus:true");
    expect(parseConfReply(stderr, "prof_bogus:true")).toBe("rejected");
  });

  it("is read as 'accepted' for prof:true by Debian's amd64 build, which has --enable-prof", () => {
    const stderr = askJemalloc(JEMALLOC_LIBRARY, ["prof:true", "prof_active:false"], probe);
    expect(parseConfReply(stderr, "prof:true")).toBe("accepted");
  });

  it("is 'silent' when the library is not jemalloc", () => {
    expect(parseConfReply(askJemalloc(TCMALLOC_LIBRARY, ["prof:true"], probe), "prof:true")).toBe("silent");
  });
});

describe("jemalloc profiling verdict", () => {
  it("finds the heap_v2 strings in Debian's jemalloc and not in mimalloc, which has no heap profiler", () => {
    expect(hasProfilingStrings(readFileSync(JEMALLOC_LIBRARY))).toBe(true);
    expect(hasProfilingStrings(readFileSync(`${LIB_DIR}/libmimalloc.so.2`))).toBe(false);
  });

  it("trusts a rejection over the strings and names this distribution's way to a profiling build", () => {
    const verdict = judgeJemallocProfiling("/lib/libjemalloc.so.2", true, "rejected", "fedora");
    expect(verdict.profiling).toBe(false);
    expect(verdict.finding.severity).toBe("warning");
    expect(verdict.finding.what).toContain('"Invalid conf pair: prof:true"');
    expect(verdict.finding.fix).toContain("Fedora builds jemalloc without --enable-prof");
  });

  it("is positive only when the strings and the reply agree, and unsure otherwise", () => {
    expect(judgeJemallocProfiling("x", true, "accepted", "debian").profiling).toBe(true);
    expect(judgeJemallocProfiling("x", false, "silent", "debian").profiling).toBe(false);
    expect(judgeJemallocProfiling("x", true, "silent", "debian").profiling).toBeNull();
    expect(judgeJemallocProfiling("x", false, "accepted", "debian").profiling).toBeNull();
  });
});

describe("allocator versions, read from the libraries", () => {
  it("reads jemalloc's git-describe version, which dpkg's version starts with", () => {
    const version = readLibraryVersion("jemalloc", JEMALLOC_LIBRARY, readFileSync(JEMALLOC_LIBRARY));
    expect(version).toMatch(/^\d+\.\d+\.\d+-\d+-g[0-9a-f]{40}$/);
    expect(dpkgVersion("libjemalloc2").startsWith(version!.split("-")[0]!)).toBe(true);
  });

  it("reads gperftools' version string from libtcmalloc, as dpkg reports it", () => {
    const version = readLibraryVersion("tcmalloc", TCMALLOC_LIBRARY, readFileSync(TCMALLOC_LIBRARY));
    expect(version).toBeDefined();
    expect(dpkgVersion("libgoogle-perftools4").startsWith(`${version}-`)).toBe(true);
  });

  it("reads mimalloc's version from the real file name behind the soname", () => {
    const real = execFileSync("readlink", ["-f", `${LIB_DIR}/libmimalloc.so.2`], { encoding: "utf8" }).trim();
    const version = readLibraryVersion("mimalloc", real, Buffer.alloc(0));
    expect(version).toBe("2.0");
    expect(dpkgVersion("libmimalloc2.0").startsWith(version!)).toBe(true);
  });

  it("finds this process's libc and reads the same glibc version getconf reports", () => {
    const libc = findOwnLibc(readFileSync("/proc/self/maps", "utf8"));
    expect(libc).toMatch(/\/libc\.so\.6$/);
    const version = readLibraryVersion("glibc", libc!, readFileSync(libc!));
    expect(execFileSync("getconf", ["GNU_LIBC_VERSION"], { encoding: "utf8" }).trim()).toBe(`glibc ${version}`);
  });
});

describe("output folder", () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), "allocrun-out-check-"));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("is fine when the nearest existing folder is writable", () => {
    const [result] = checkOutputFolder(directory);
    expect(result?.severity).toBe("ok");
    expect(result?.what).toBe(`run folders go to ${join(directory, "allocrun-out")} (writable)`);
  });

  it("blocks when a file stands where the folder should be", () => {
    writeFileSync(join(directory, "allocrun-out"), "");
    const [result] = checkOutputFolder(directory);
    expect(result?.severity).toBe("blocking");
    expect(result?.fix).toBe("run from another folder or pass -o DIR");
  });
});

describe("ptrace_scope", () => {
  it("explains each Yama level for a normal user", () => {
    expect(checkPtraceScope(undefined, 1000)[0]?.severity).toBe("ok");
    expect(checkPtraceScope("0", 1000)[0]?.severity).toBe("ok");
    expect(checkPtraceScope("1", 1000)[0]).toMatchObject({ severity: "info", fix: expect.stringContaining("kernel.yama.ptrace_scope=0") });
    expect(checkPtraceScope("2", 1000)[0]?.severity).toBe("warning");
    expect(checkPtraceScope("3", 1000)[0]).toMatchObject({ severity: "warning", what: expect.stringContaining("until reboot") });
  });

  it("lets root attach up to level 2, but not at 3", () => {
    expect(checkPtraceScope("2", 0)[0]?.severity).toBe("ok");
    expect(checkPtraceScope("3", 0)[0]?.severity).toBe("warning");
  });
});

describe("analysis tools", () => {
  it("finds the installed tools with their versions and the Debian package of each", () => {
    const { tools, findings } = inspectTools(systemToolLookup(process.env), "debian", undefined);
    const jeprof = tools.find((tool) => tool.name === "jeprof");
    expect(jeprof).toMatchObject({ path: "/usr/bin/jeprof", package: "libjemalloc-dev" });
    expect(jeprof?.version).toContain("jemalloc");
    const go = tools.find((tool) => tool.name === "go");
    expect(go?.version).toBe(spawnSync("go", ["version"], { encoding: "utf8" }).stdout.trim());
    expect(findings.filter((finding) => finding.id === "tool.jeprof")).toEqual([]);
  });

  it("says for a missing tool what it is for and which package has it, on an empty PATH", () => {
    const empty = mkdtempSync(join(tmpdir(), "allocrun-empty-path-"));
    try {
      const { tools, findings } = inspectTools(systemToolLookup({ PATH: empty }), "debian", undefined);
      expect(tools.every((tool) => tool.path === null)).toBe(true);
      const jeprof = findings.find((finding) => finding.id === "tool.jeprof");
      expect(jeprof).toMatchObject({ severity: "info", fix: "install it: apt install libjemalloc-dev" });
      expect(jeprof?.what).toContain("allocrun reads heap_v2 files itself and does not need it");
      expect(findings.find((finding) => finding.id === "tool.addr2line")).toMatchObject({ severity: "warning", fix: "install it: apt install binutils" });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
