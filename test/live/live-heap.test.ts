// The "done when": examples/longrun started under jemalloc (profiling on from the
// start, and paused until `allocrun prof PID on`) and under tcmalloc (HEAPPROFILE), dumped
// twice while it runs, the growing site found with --growth, and the program still running
// and exiting normally afterwards. Real gdb, real allocators, real processes.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { runLiveCommand } from "./helpers/live-cli.js";
import { startUnderAllocrun, useScratch, type RunningLongrun } from "./helpers/longrun.js";

const scratch = useScratch();

interface GrowthJson {
  sites: { function: string; line: number; slopePerDump: number }[];
  sources: string[];
}

async function growthOf(folder: string): Promise<GrowthJson> {
  const result = await runCli(["analyze", folder, "--growth", "--format", "json", "--no-cache"], { env: { XDG_CACHE_HOME: scratch() } });
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  return JSON.parse(result.stdout) as GrowthJson;
}

async function dumpInto(pid: number, folder: string): Promise<string> {
  const result = await runLiveCommand("dump", [String(pid), "-o", folder]);
  expect(result.stderr).not.toMatch(/^allocrun: (?!dumped|analyse|warning)/m);
  expect(result.exitCode).toBe(0);
  return result.stdout.trim();
}

/** The program ends as longrun does on SIGTERM: status 0, after its own goodbye line. */
async function expectNormalExit(program: RunningLongrun): Promise<void> {
  const end = await program.stop();
  expect(end.stdout).toMatch(/blocks grown, exiting normally on a signal/);
  expect(end.exitCode).toBe(0);
}

describe("allocrun dump on a running jemalloc program", () => {
  it("dumps a program started with allocrun --jemalloc --prof twice and finds grow_site with --growth; the program exits normally", async () => {
    const program = await startUnderAllocrun(["--jemalloc", "--prof"], join(scratch(), "run"));
    const dumps = join(scratch(), "dumps");
    const first = await dumpInto(program.pid, dumps);
    const second = await dumpInto(program.pid, dumps);
    expect(first).toBe(join(dumps, `jeprof.${program.pid}.0.m0.heap`));
    expect(second).toBe(join(dumps, `jeprof.${program.pid}.1.m1.heap`));
    expect(readFileSync(second, "utf8")).toMatch(/^heap_v2\/131072\n/);

    const growth = await growthOf(dumps);
    expect(growth.sources).toEqual([first, second]);
    expect(growth.sites[0]).toMatchObject({ function: "grow_site", line: 27 });
    expect(growth.sites[0]?.slopePerDump).toBeGreaterThan(0);
    await expectNormalExit(program);
  });

  it("resumes sampling with prof on in a program started with prof_active:false, then finds grow_site", async () => {
    const program = await startUnderAllocrun(["--jemalloc", "--prof", "--conf", "prof_active:false"], join(scratch(), "run"));
    const paused = await runLiveCommand("dump", [String(program.pid), "-o", join(scratch(), "paused")]);
    expect(paused.exitCode).toBe(0);
    expect(paused.stderr).toContain(`sampling is paused (prof.active is false): the dump holds only what was sampled while it was on; resume with allocrun prof ${program.pid} on`);
    expect(readFileSync(paused.stdout.trim(), "utf8")).not.toMatch(/^@ /m);

    const on = await runLiveCommand("prof", [String(program.pid), "on"]);
    expect(on.stdout).toBe(`process ${program.pid}: heap sampling off -> on (prof.active)`);
    const dumps = join(scratch(), "dumps");
    await dumpInto(program.pid, dumps);
    await dumpInto(program.pid, dumps);
    const growth = await growthOf(dumps);
    expect(growth.sites[0]).toMatchObject({ function: "grow_site", line: 27 });

    const off = await runLiveCommand("prof", [String(program.pid), "off"]);
    expect(off.stdout).toBe(`process ${program.pid}: heap sampling on -> off (prof.active)`);
    const again = await runLiveCommand("prof", [String(program.pid), "off"]);
    expect(again.stdout).toBe(`process ${program.pid}: heap sampling was already off (prof.active)`);
    await expectNormalExit(program);
  });

  it("records the dumps in a manifest that names the process, its allocator and each dump", async () => {
    const program = await startUnderAllocrun(["--jemalloc", "--prof"], join(scratch(), "run"));
    const dumps = join(scratch(), "dumps");
    await dumpInto(program.pid, dumps);
    const manifest = JSON.parse(readFileSync(join(dumps, "manifest.json"), "utf8")) as Record<string, unknown>;
    await expectNormalExit(program);
    expect(manifest).toMatchObject({
      schemaVersion: 1,
      command: ["dump", String(program.pid)],
      program: expect.stringMatching(/\/longrun-[0-9a-f]+$/) as unknown,
      allocator: { name: "jemalloc", library: "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", version: expect.stringMatching(/^5\.3\.0/) as unknown, verified: true },
      exitCode: null,
      artifacts: [{ path: `jeprof.${program.pid}.0.m0.heap`, kind: "jemalloc-heap", pid: program.pid, fromChildProcess: false }],
    });
    expect(manifest.peakRssBytes).toBeGreaterThan(0);
  });

  it("refuses a program started without prof:true, saying how to start it, and leaves it running", async () => {
    const program = await startUnderAllocrun(["--jemalloc"], join(scratch(), "run"));
    const folder = join(scratch(), "none");
    const result = await runLiveCommand("dump", [String(program.pid), "-o", folder]);
    expect(result.exitCode).toBe(2);
    // The process name is the binary's, cut to 15 characters by the kernel.
    expect(result.stderr).toMatch(
      new RegExp(
        `^allocrun: process ${program.pid} \\(longrun-[0-9a-f]+\\) was started without jemalloc profiling \\(opt\\.prof is false\\), which cannot be turned on later — restart it with allocrun --jemalloc --prof --conf prof_active:false -- PROGRAM \\(sampling off until allocrun prof PID on\\)$`,
      ),
    );
    const on = await runLiveCommand("prof", [String(program.pid), "on"]);
    expect(on.exitCode).toBe(2);
    expect(on.stderr).toContain("opt.prof is false");
    expect(readdirSync(folder).filter((name) => name.endsWith(".heap"))).toEqual([]);
    await expectNormalExit(program);
  });
});

describe("allocrun dump on a running tcmalloc program", () => {
  it("dumps a program started with allocrun --tcmalloc --prof twice and finds grow_site with --growth; the program exits normally", async () => {
    const program = await startUnderAllocrun(["--tcmalloc", "--prof"], join(scratch(), "run"));
    const dumps = join(scratch(), "dumps");
    const first = await dumpInto(program.pid, dumps);
    const second = await dumpInto(program.pid, dumps);
    expect(first).toBe(join(dumps, `heap_${program.pid}.0001.heap`));
    expect(second).toBe(join(dumps, `heap_${program.pid}.0002.heap`));
    expect(readFileSync(second, "utf8")).toMatch(/^heap profile: .* @ heapprofile\n/);

    const growth = await growthOf(dumps);
    expect(growth.sites[0]).toMatchObject({ function: "grow_site", line: 27 });
    // Unsampled: every dump holds whole 256 KiB blocks of grow_site.
    expect((growth.sites[0]?.slopePerDump ?? 0) % 262144).toBe(0);
    await expectNormalExit(program);
  });

  it("refuses a program without the heap profiler running and one on tcmalloc_minimal", async () => {
    const plain = await startUnderAllocrun(["--tcmalloc"], join(scratch(), "run"));
    const minimal = await startUnderAllocrun(["--tcmalloc-minimal"], join(scratch(), "run"));
    const [notRunning, noProfiler] = await Promise.all([
      runLiveCommand("dump", [String(plain.pid), "-o", join(scratch(), "d")]),
      runLiveCommand("dump", [String(minimal.pid), "-o", join(scratch(), "d")]),
    ]);
    expect(notRunning.exitCode).toBe(2);
    expect(notRunning.stderr).toMatch(/tcmalloc's heap profiler is not running in process \d+ \(it was started without HEAPPROFILE\) — restart it with allocrun --tcmalloc --prof -- PROGRAM/);
    expect(noProfiler.exitCode).toBe(2);
    expect(noProfiler.stderr).toMatch(/uses tcmalloc_minimal \(libtcmalloc_minimal\.so\.4[.\d]*\), which has no heap profiler/);
    await expectNormalExit(plain);
    await expectNormalExit(minimal);
  });
});
