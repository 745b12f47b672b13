// What `allocrun -- prog` loads of Node before and around the program: node:child_process
// brings net, stream and dgram (~3 ms of every start), so a run whose streams are all
// inherited spawns its launcher without it (src/run/inherited-stdio-spawn.ts).
import { execa } from "execa";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "../helpers/cli.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temp = useTempDirs();
const HEAVY_BUILTINS = ["NativeModule child_process", "NativeModule net", "NativeModule stream", "NativeModule dgram", "NativeModule tty"];

/** Node's list of loaded builtins at allocrun's exit, and the run's manifest. */
async function runRecordingBuiltins(args: string[], nodeArgs: string[] = []): Promise<{ loaded: string[]; manifest: { exitCode: number; peakRssMethod: string; processes: unknown[] | null } }> {
  const scratch = temp.makeSync();
  const listFile = join(scratch, "builtins.txt");
  const hook = join(scratch, "hook.cjs");
  writeFileSync(hook, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(listFile)}, process.moduleLoadList.join("\\n")));`);
  const runDir = join(scratch, "run");
  const result = await execa(process.execPath, [...nodeArgs, "--require", hook, CLI, ...args, "-q", "-o", runDir, "--", "true"], { reject: false, stdin: "ignore" });
  expect(result).toMatchObject({ exitCode: 0, stderr: "" });
  return { loaded: readFileSync(listFile, "utf8").split("\n"), manifest: JSON.parse(readFileSync(join(runDir, "manifest.json"), "utf8")) };
}

describe("builtins on the run path", () => {
  it.each(["--glibc", "--jemalloc"])("a run with %s starts its program through the launcher without child_process, net or streams", async (allocator) => {
    const { loaded, manifest } = await runRecordingBuiltins([allocator]);
    expect(loaded).toContain("Internal Binding process_wrap"); // the list is the real one
    expect(loaded.filter((name) => HEAVY_BUILTINS.includes(name))).toEqual([]);
    expect(manifest).toMatchObject({ exitCode: 0, peakRssMethod: "wait4-rusage" });
    expect(manifest.processes).not.toBeNull(); // the launcher's census ran (`true` may end before its first look)
  });

  it("prints no deprecation warning for the process handle under --pending-deprecation, and still spares child_process", async () => {
    const { loaded } = await runRecordingBuiltins(["--glibc"], ["--pending-deprecation"]); // asserts an empty stderr
    expect(loaded.filter((name) => HEAVY_BUILTINS.includes(name))).toEqual([]);
  });
});

describe("ALLOCRUN_TRACE_STARTUP", () => {
  it("appends the phases of each start to the file, in order, for bench/startup-phases.mjs", async () => {
    const scratch = temp.makeSync();
    const traceFile = join(scratch, "trace.jsonl");
    for (const run of ["a", "b"]) {
      const result = await execa(process.execPath, [CLI, "--glibc", "-q", "-o", join(scratch, run), "--", "true"], { reject: false, stdin: "ignore", env: { ALLOCRUN_TRACE_STARTUP: traceFile } });
      expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    }
    const traces = readFileSync(traceFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Array<[string, number]>);
    expect(traces).toHaveLength(2);
    for (const marks of traces) {
      const names = marks.map(([name]) => name);
      expect(names[0]).toBe("read bundle and code cache");
      expect(names).toContain("spawn the launcher");
      expect(names.indexOf("spawn the launcher")).toBeLessThan(names.indexOf("the launcher ended: results, manifest"));
      expect(names.at(-1)).toBe("exit");
      const times = marks.map(([, ms]) => ms);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });
});
