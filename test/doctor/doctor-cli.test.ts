// `allocrun doctor` as a user runs it: the built CLI, real programs, exit codes 0/1/2,
// the --json document, and the checks that need another user (set-ID bits, capabilities,
// an unwritable folder) run as `nobody`.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli, type CliResult } from "../helpers/cli.js";
import { buildExample } from "../helpers/examples.js";
import { buildGoProgram, makeOwnedCopy, makeSharedTempDir, NOBODY, whyNotRunAsNobody } from "./helpers/programs.js";
import { whyNo32BitCompiler } from "../helpers/machine-capabilities.js";

async function runAsNobody(args: string[], cwd: string): Promise<CliResult> {
  const result = await execa("runuser", ["-u", NOBODY.name, "--", process.execPath, CLI, ...args], { cwd, reject: false, stdin: "ignore", env: { PATH: process.env.PATH } });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

interface DoctorJson {
  schemaVersion: number;
  machine: { distro: string | null; family: string; arch: string };
  allocators: { name: string; library: string | null; version: string | null; profiling: boolean | null }[];
  tools: { name: string; path: string | null; version: string | null; package: string | null }[];
  program: { path: string; isStatic: boolean; isGo: boolean; bits: number; libc: string } | null;
  findings: { id: string; severity: string; what: string; fix: string | null }[];
}

let scratch: string;
beforeAll(() => {
  scratch = makeSharedTempDir("allocrun-doctor-cli-");
  // A folder `nobody` can write run folders into.
  chmodSync(scratch, 0o777);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("allocrun doctor (this machine)", () => {
  it("prints machine, allocators and tools in that order, without colour into a pipe, and exits 0", async () => {
    const result = await runCli(["doctor"], { cwd: scratch });
    expect(result.exitCode).toBe(0);
    const headings = result.stdout.split("\n").filter((line) => /^[a-z]/.test(line));
    expect(headings).toEqual(["machine", "allocators", "tools", "no blocking problems (0 warnings)"]);
    expect(result.stdout).not.toContain("\x1b[");
    expect(result.stdout).toMatch(/^ {2}jemalloc +\/\S+libjemalloc\.so\.2 +5\.3\.0-0-g[0-9a-f]{8} +heap profiles$/m);
    expect(result.stdout).toMatch(/^ {2}jeprof +\/usr\/bin\/jeprof .* libjemalloc-dev$/m);
  });

  it("writes one JSON document with stable keys and jemalloc's verified profiling support", async () => {
    const result = await runCli(["doctor", "--json"], { cwd: scratch });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as DoctorJson;
    expect(Object.keys(report)).toEqual(["schemaVersion", "machine", "allocators", "tools", "program", "findings"]);
    expect(report.schemaVersion).toBe(1);
    expect(Object.keys(report.machine)).toEqual(["distro", "family", "arch"]);
    expect(report.machine.family).toBe("debian");
    expect(report.allocators.map((allocator) => allocator.name)).toEqual(["glibc", "jemalloc", "tcmalloc", "tcmalloc-minimal", "mimalloc"]);
    expect(report.allocators.find((allocator) => allocator.name === "jemalloc")).toMatchObject({ profiling: true, version: expect.stringMatching(/^5\.3\.0-/) });
    for (const tool of report.tools) expect(Object.keys(tool)).toEqual(["name", "path", "version", "package"]);
    for (const finding of report.findings) expect(Object.keys(finding)).toEqual(["id", "severity", "what", "fix"]);
    expect(report.findings.find((finding) => finding.id === "allocator.jemalloc.profiling")?.severity).toBe("ok");
    expect(report.program).toBeNull();
  });
});

describe("allocrun doctor PROGRAM", () => {
  it("exits 1 for a static program and prints the blocking finding with its fix under 'program'", async () => {
    const program = buildExample("leak", { flags: ["-static"] });
    const result = await runCli(["doctor", program], { cwd: scratch });
    expect(result.exitCode).toBe(1);
    const section = result.stdout.slice(result.stdout.indexOf(`program ${program}`));
    expect(section).toContain(`  blocking  ${program} is statically linked: LD_PRELOAD cannot replace its allocator\n            → link it dynamically; --glibc still measures it`);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("1 blocking problem, 0 warnings");
  });

  it("exits 0 for a normal program and reports a missing debug info as info", async () => {
    const result = await runCli(["doctor", "--json", buildExample("leak", { flags: ["-g0"] })], { cwd: scratch });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as DoctorJson;
    expect(report.program).toMatchObject({ isStatic: false, isGo: false, bits: 64, libc: "glibc" });
    const targetFindings = report.findings.filter((finding) => finding.id.startsWith("target."));
    expect(targetFindings).toEqual([
      { id: "target.debug-info", severity: "info", what: expect.stringContaining("has function names but no debug info"), fix: expect.stringContaining("rebuild it with -g") },
    ]);
  });

  it("explains a Go program and points to net/http/pprof", async () => {
    const result = await runCli(["doctor", "--json", buildGoProgram("hello", { cgo: false })], { cwd: scratch });
    expect(result.exitCode).toBe(1);
    const go = (JSON.parse(result.stdout) as DoctorJson).findings.find((finding) => finding.id === "target.go");
    expect(go).toMatchObject({ severity: "blocking", fix: expect.stringContaining("net/http/pprof") });
  });

  it("finds the 32-bit mismatch with every allocator and names the i386 packages", async (context) => {
    const reason = whyNo32BitCompiler();
    if (reason !== undefined) context.skip(reason);
    const result = await runCli(["doctor", "--json", buildExample("leak", { flags: ["-m32"] })], { cwd: scratch });
    expect(result.exitCode).toBe(1);
    const abi = (JSON.parse(result.stdout) as DoctorJson).findings.find((finding) => finding.id === "target.library-abi");
    expect(abi?.what).toContain("is 32-bit x86 but the jemalloc, tcmalloc, tcmalloc-minimal, mimalloc libraries here are 64-bit x86-64");
    expect(abi?.fix).toContain("dpkg --add-architecture i386");
    expect(abi?.fix).toContain("libjemalloc2:i386");
  });
});

describe("allocrun doctor usage errors", () => {
  it("exits 2 for an unknown option, naming it", async () => {
    const result = await runCli(["doctor", "--jsn"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--jsn");
    expect(result.stderr).toContain("see allocrun doctor --help");
  });

  it("exits 2 for more than one program", async () => {
    const result = await runCli(["doctor", "a", "b"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("doctor takes one PROGRAM");
  });

  it("exits 2 for a program that does not exist", async () => {
    const result = await runCli(["doctor", "./no-such-program"], { cwd: scratch });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("./no-such-program: no such file");
  });

  it("prints its help and exits 0", async () => {
    const result = await runCli(["doctor", "--help"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Exit status: 0 nothing blocking, 1 a blocking problem was found, 2 usage error.");
  });
});

describe("as an unprivileged user", () => {
  const skipReason = whyNotRunAsNobody();

  it.skipIf(skipReason !== undefined)("doctor blocks a set-user-ID root copy and `run --jemalloc` refuses it with exit 125", async () => {
    const copy = makeOwnedCopy(buildExample("leak"), scratch, "setuid-root-leak", { uid: 0, gid: 0 }, 0o4755);
    const doctor = await runAsNobody(["doctor", "--json", copy], scratch);
    expect(doctor.exitCode).toBe(1);
    const setuid = (JSON.parse(doctor.stdout) as DoctorJson).findings.find((finding) => finding.id === "target.setuid");
    expect(setuid).toMatchObject({ severity: "blocking", what: `${copy} is set-user-ID (owner uid 0): the loader ignores LD_PRELOAD for it` });
    const run = await runAsNobody(["--jemalloc", "--", copy], scratch);
    expect(run.exitCode).toBe(125);
    expect(run.stderr).toContain("is set-user-ID (owner uid 0): the loader ignores LD_PRELOAD for it");
  });

  it.skipIf(skipReason !== undefined)("doctor blocks a program with file capabilities (read with getcap)", async (context) => {
    const copy = join(scratch, "cap-leak");
    copyFileSync(buildExample("leak"), copy);
    chmodSync(copy, 0o755);
    const setcap = spawnSync("setcap", ["cap_net_raw+ep", copy], { encoding: "utf8" });
    if (setcap.status !== 0) context.skip(`setcap failed here: ${setcap.stderr.trim() || setcap.error?.message}`);
    const doctor = await runAsNobody(["doctor", "--json", copy], scratch);
    expect(doctor.exitCode).toBe(1);
    const capabilities = (JSON.parse(doctor.stdout) as DoctorJson).findings.find((finding) => finding.id === "target.capabilities");
    expect(capabilities).toMatchObject({ severity: "blocking", what: expect.stringContaining("has file capabilities (security.capability)") });
  });

  it.skipIf(skipReason !== undefined)("doctor blocks when the current folder is not writable for run folders", async () => {
    const readOnly = makeSharedTempDir("allocrun-readonly-");
    try {
      const doctor = await runAsNobody(["doctor", "--json"], readOnly);
      expect(doctor.exitCode).toBe(1);
      const folder = (JSON.parse(doctor.stdout) as DoctorJson).findings.find((finding) => finding.id === "machine.output-folder");
      expect(folder).toMatchObject({ severity: "blocking", fix: "run from a writable folder or pass -o DIR" });
    } finally {
      rmSync(readOnly, { recursive: true, force: true });
    }
  });
});
