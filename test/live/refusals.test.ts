// When allocrun cannot or must not attach, it says so in one line that names the fix, and
// the process is left alone: another allocator, a process that is gone, one that is already
// traced, one of another user, ptrace forbidden by Yama.
import { execa } from "execa";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { explainPtraceDenied, predictPtraceRefusal } from "../../src/live/ptrace-permission.js";
import { CLI, runCli } from "../helpers/cli.js";
import { runLiveCommand } from "./helpers/live-cli.js";
import { LONGRUN_ARGS, longrunPath, startUnderAllocrun, startWithEnvironment, useScratch } from "./helpers/longrun.js";

const scratch = useScratch();
const isRoot = process.getuid?.() === 0;
const hasStrace = spawnSync("strace", ["-V"]).status === 0;
const canRunAsNobody = isRoot && spawnSync("runuser", ["-u", "nobody", "--", "test", "-r", CLI]).status === 0;

describe("allocrun dump refuses clearly", () => {
  it("names glibc malloc and how to start the program under a profiling allocator", async () => {
    const program = await startWithEnvironment({});
    const result = await runLiveCommand("dump", [String(program.pid)]);
    const end = await program.stop();
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^allocrun: process \d+ \(longrun-[0-9a-f]+\) uses glibc malloc \(or an allocator allocrun does not know\): allocrun can dump the heap only for jemalloc and tcmalloc — start it under a profiling allocator: allocrun --jemalloc --prof --conf prof_active:false -- PROGRAM/,
    );
    expect(end.exitCode).toBe(0);
  });

  it("names mimalloc when the process uses it", async () => {
    const program = await startUnderAllocrun(["--mimalloc"], join(scratch(), "run"));
    const result = await runLiveCommand("stats", [String(program.pid)]);
    await program.stop();
    expect(result.stderr).toContain("uses mimalloc: allocrun can read allocator statistics only for jemalloc and tcmalloc");
  });

  it("says a process that has ended does not exist any more", async () => {
    const ended = await execa(longrunPath(), ["0"], { reject: false });
    const pid = Number(/pid (\d+)/.exec(String(ended.stdout))?.[1]);
    const result = await runLiveCommand("dump", [String(pid)]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`allocrun: process ${pid} does not exist (any more) — check the pid: pgrep -a NAME`);
  });

  it("rejects what is not a pid or a loopback URL without attaching", async () => {
    expect((await runLiveCommand("dump", ["longrun"])).stderr).toBe('allocrun: "longrun" is not a process id — allocrun dump PID, a positive number (pgrep -a NAME lists them)');
    expect((await runLiveCommand("dump", [])).stderr).toBe("allocrun: dump needs the process id of a running program — allocrun dump PID (find it with pgrep -a NAME)");
    expect((await runLiveCommand("prof", ["1", "maybe"])).stderr).toBe('allocrun: prof takes on or off, not "maybe" — allocrun prof 1 on');
    expect((await runLiveCommand("dump", ["1", "--alocator", "rjem"])).stderr).toMatch(/^allocrun: unknown option --alocator — did you mean --allocator\? \(see allocrun dump --help\)/);
  });

  it.skipIf(!hasStrace)("names the tracer of a process that is already being traced, and leaves it running", async () => {
    const env = JSON.parse((await runCli(["env", "--jemalloc", "--prof", "--format", "json"], { cwd: scratch() })).stdout) as Record<string, string>;
    const traced = execa("strace", ["-f", "-o", "/dev/null", longrunPath(), ...LONGRUN_ARGS], { env, reject: false, buffer: false, stdin: "ignore" });
    const pid = await new Promise<number>((resolve) => {
      let out = "";
      traced.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        const match = /pid (\d+) running/.exec(out);
        if (match) resolve(Number(match[1]));
      });
    });
    const cwd = scratch();
    const result = await runLiveCommand("dump", [String(pid)], { cwd });
    process.kill(pid, "SIGTERM");
    await traced;
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^allocrun: process ${pid} is already being traced by process ${traced.pid} \\(a debugger or strace\\)`));
    // No run folder is left behind for a dump that did not happen.
    expect(existsSync(join(cwd, "allocrun-out"))).toBe(false);
  });

  it.skipIf(!canRunAsNobody)("tells a user that another user's process needs that user or root", async () => {
    const program = await startUnderAllocrun(["--jemalloc", "--prof"], join(scratch(), "run"));
    const result = await execa("runuser", ["-u", "nobody", "--", process.execPath, CLI, "dump", String(program.pid)], { reject: false, cwd: "/tmp" });
    const end = await program.stop();
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`allocrun: cannot read /proc/${program.pid}/maps (EACCES): process ${program.pid} belongs to another user — run allocrun as that user or as root`);
    expect(end.exitCode).toBe(0);
  });
});

describe("ptrace permission", () => {
  const context = { pid: 42, uid: 1000, targetUid: 1000 };

  it("refuses before attaching when Yama forbids it: scope 3 for everyone, scope 2 for non-root", () => {
    expect(predictPtraceRefusal({ ...context, scope: "3", uid: 0 })?.hint).toBe("set kernel.yama.ptrace_scope=1 in /etc/sysctl.d/ and reboot");
    expect(predictPtraceRefusal({ ...context, scope: "2" })?.message).toBe("only root may attach to process 42: kernel.yama.ptrace_scope is 2");
    expect(predictPtraceRefusal({ ...context, scope: "2", uid: 0 })).toBeUndefined();
    expect(predictPtraceRefusal({ ...context, scope: "1" })).toBeUndefined();
    expect(predictPtraceRefusal({ ...context, scope: undefined, targetUid: 0 })?.message).toBe("process 42 belongs to another user (uid 0); you are uid 1000");
  });

  it("explains the kernel's EPERM: a tracer, scope 1 for a non-child, else a container's missing CAP_SYS_PTRACE", () => {
    expect(explainPtraceDenied({ ...context, scope: "1" }, 77).message).toBe("process 42 is already being traced by process 77 (a debugger or strace)");
    expect(explainPtraceDenied({ ...context, scope: "1" }, 0).hint).toBe("run it as root (sudo allocrun ...), or sudo sysctl kernel.yama.ptrace_scope=0 (until reboot)");
    expect(explainPtraceDenied({ ...context, scope: "0" }, 0).hint).toMatch(/CAP_SYS_PTRACE \(docker run --cap-add=SYS_PTRACE\)/);
  });
});
