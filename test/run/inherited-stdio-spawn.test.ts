// The launcher's light spawn (no child_process): exit status, signals, fds and errors as
// child_process reports them, on real processes.
import { openSync, closeSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnInheritingStdio, type InheritedStdioChild } from "../../src/run/inherited-stdio-spawn.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temp = useTempDirs();

function spawnShell(script: string, stdio: Parameters<typeof spawnInheritingStdio>[2]["stdio"] = ["ignore", "ignore", "ignore"], env: Record<string, string> = {}): InheritedStdioChild {
  const child = spawnInheritingStdio("/bin/sh", ["-c", script], { argv0: "sh", cwd: "/", env, stdio });
  if (child === undefined) throw new Error("this Node offers no process handle");
  return child;
}

/** The (code, signal) of `exit` and of `close`, in the order they came. */
function ending(child: InheritedStdioChild): Promise<[string, number | null, string | null][]> {
  const events: [string, number | null, string | null][] = [];
  return new Promise((resolve) => {
    child.on("exit", (code: number | null, signal: string | null) => events.push(["exit", code, signal]));
    child.on("close", (code: number | null, signal: string | null) => {
      events.push(["close", code, signal]);
      resolve(events);
    });
  });
}

describe("spawnInheritingStdio", () => {
  it("reports the exit code on exit and then on close", async () => {
    const child = spawnShell("exit 3");
    expect(child.pid).toBeGreaterThan(0);
    expect(await ending(child)).toEqual([["exit", 3, null], ["close", 3, null]]);
  });

  it("reports a fatal signal by name, with no exit code", async () => {
    expect(await ending(spawnShell("kill -TERM $$"))).toEqual([["exit", null, "SIGTERM"], ["close", null, "SIGTERM"]]);
  });

  it("sends signals while the process runs and refuses once it is reaped", async () => {
    const child = spawnShell("sleep 5");
    const ended = ending(child);
    expect(child.kill("SIGKILL")).toBe(true);
    expect(await ended).toEqual([["exit", null, "SIGKILL"], ["close", null, "SIGKILL"]]);
    expect(child.kill("SIGTERM")).toBe(false);
  });

  it("hands the child the fds it is given, at the positions given, with its argv0 and environment", async () => {
    const output = join(await temp.make(), "out.txt");
    const fd = openSync(output, "w");
    try {
      const child = spawnShell('echo "$0 $ONLY_THIS" >&3; echo "${HOME:-no HOME}" >&3', ["ignore", "ignore", "ignore", fd], { ONLY_THIS: "kept" });
      await ending(child);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(output, "utf8")).toBe("sh kept\nno HOME\n");
  });

  it("emits an ENOENT error after returning, as child_process does, when the file does not exist", async () => {
    const child = spawnInheritingStdio("/nonexistent/allocrun-launch", [], { argv0: "x", cwd: "/", env: {}, stdio: ["ignore"] });
    expect(child?.pid).toBeUndefined();
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => child?.on("error", resolve));
    expect(error).toMatchObject({ code: "ENOENT", syscall: "spawn /nonexistent/allocrun-launch" });
  });

  it("leaves a NUL in an argument or the environment to child_process, which rejects it clearly", () => {
    expect(spawnInheritingStdio("/bin/true", ["a\0b"], { argv0: "true", cwd: "/", env: {}, stdio: [] })).toBeUndefined();
    expect(spawnInheritingStdio("/bin/true", [], { argv0: "true", cwd: "/", env: { A: "x\0y" }, stdio: [] })).toBeUndefined();
  });
});
