// The /proc sampler against real, idle process trees (idle so their memory holds still
// while the test reads /proc itself to compare).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { appendChildPids, readProcessCpuSeconds, readProcessMemory } from "../../src/run/proc-reader.js";
import { MemorySampler } from "../../src/run/sampler.js";
import { buildExample } from "../helpers/examples.js";

let scratch: string;
/** pids to SIGKILL after each test. */
const started: number[] = [];

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "allocrun-sampler-test-"));
});
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `sh -c 'sleeper 30 & wait'`, resolved once the sleeper has touched its 1 MiB
 * (built at -O0: at -O1 gcc drops the memset of a block nobody reads). */
async function startShellWithSleeper(): Promise<{ shell: number; sleeper: number }> {
  const child = spawn("/bin/sh", ["-c", `${buildExample("sleeper", { flags: ["-O0"] })} 30 & wait`], { stdio: ["ignore", "pipe", "ignore"] });
  const line = await new Promise<string>((resolve) => child.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString())));
  const sleeper = Number(/ready (\d+)/.exec(line)?.[1]);
  started.push(child.pid!, sleeper); // killing the shell would leave the sleeper running

  return { shell: child.pid!, sleeper };
}

/** A "Name:  N kB" field of /proc/<pid>/status in bytes, parsed independently of proc-reader. */
function statusBytes(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1]) * 1024;
}

describe("MemorySampler", () => {
  it("sums VmRSS over the program and its child processes", async () => {
    const { shell, sleeper } = await startShellWithSleeper();
    const sampler = new MemorySampler(shell, { intervalMs: 1000, originMs: performance.now() });
    // The processes are alive: read their RSS just before and just after the sample.
    const before = statusBytes(shell, "VmRSS") + statusBytes(sleeper, "VmRSS");
    const hwmBefore = statusBytes(shell, "VmHWM");
    sampler.sample();
    const hwmAfter = statusBytes(shell, "VmHWM");
    const after = statusBytes(shell, "VmRSS") + statusBytes(sleeper, "VmRSS");
    const { timeline: { points: timeline } } = sampler.stop();
    expect(timeline).toHaveLength(1);
    expect(timeline[0]!.processes).toBe(2);
    expect(timeline[0]!.rssBytes).toBeGreaterThanOrEqual(Math.min(before, after) * 0.99);
    expect(timeline[0]!.rssBytes).toBeLessThanOrEqual(Math.max(before, after) * 1.01);
    // The shell may still be setting itself up: its high-water mark only grows meanwhile.
    expect(timeline[0]!.hwmBytes).toBeGreaterThanOrEqual(hwmBefore);
    expect(timeline[0]!.hwmBytes).toBeLessThanOrEqual(hwmAfter);
  });

  it("reads PSS of the tree on the first sample, below the RSS sum of processes sharing libc", async () => {
    const { shell } = await startShellWithSleeper();
    const sampler = new MemorySampler(shell, { intervalMs: 1000, originMs: performance.now() });
    sampler.sample();
    sampler.sample();
    const { timeline: { points: timeline }, pssAvailable, cost } = sampler.stop();
    expect(pssAvailable).toBe(true);
    expect(cost.pssReads).toBe(1);
    expect(timeline[0]!.pssBytes).toBeGreaterThan(1024 * 1024);
    expect(timeline[0]!.pssBytes).toBeLessThan(timeline[0]!.rssBytes);
    expect(timeline[1]!.pssBytes).toBeUndefined();
  });

  it("streams the timeline as CSV with one row per sample", async () => {
    const { shell } = await startShellWithSleeper();
    const timelinePath = join(scratch, "timeline.csv");
    const sampler = new MemorySampler(shell, { intervalMs: 1000, originMs: performance.now(), timelinePath });
    sampler.sample();
    sampler.sample();
    const { timeline: { points: timeline } } = sampler.stop();
    const rows = readFileSync(timelinePath, "utf8").trim().split("\n");
    expect(rows[0]).toBe("t_ms,rss_bytes,pss_bytes,hwm_bytes,processes");
    expect(rows.slice(1).map((row) => row.split(",").map((cell) => (cell === "" ? undefined : Number(cell))))).toEqual(
      timeline.map((sample) => [sample.tMs, sample.rssBytes, sample.pssBytes, sample.hwmBytes, sample.processes]),
    );
  });

  it("keeps memory and the timeline file within maxTimelinePoints over many samples, with a summary of all", async () => {
    const { shell } = await startShellWithSleeper();
    const timelinePath = join(scratch, "bounded.csv");
    const sampler = new MemorySampler(shell, { intervalMs: 1000, originMs: performance.now(), timelinePath, maxTimelinePoints: 100 });
    let mostRetained = 0;
    for (let index = 0; index < 2000; index++) {
      sampler.sample();
      mostRetained = Math.max(mostRetained, sampler.retainedSamples());
    }
    const { timeline, treePeakRssBytes } = sampler.stop();
    expect(mostRetained).toBeLessThanOrEqual(102); // the kept points plus the open window
    expect(timeline.samples).toBe(2000);
    expect(timeline.points.length).toBeLessThanOrEqual(100);
    expect(timeline.maxRssBytes).toBe(treePeakRssBytes);
    const rows = readFileSync(timelinePath, "utf8").trim().split("\n").slice(1);
    expect(rows).toHaveLength(timeline.points.length);
    expect(Math.max(...rows.map((row) => Number(row.split(",")[1])))).toBe(treePeakRssBytes);
  });

  it("records nothing for a process that has already exited", async () => {
    const child = spawn("/bin/true");
    await new Promise((resolve) => child.on("close", resolve));
    const sampler = new MemorySampler(child.pid!, { intervalMs: 1000, originMs: performance.now() });
    sampler.sample();
    expect(sampler.stop()).toMatchObject({ timeline: { samples: 0, points: [], meanRssBytes: null }, treePeakRssBytes: 0, pssAvailable: false });
  });
});

describe("proc-reader", () => {
  it("finds the children of a multi-threaded process (node itself) through every thread", () => {
    const child = spawn("/bin/sleep", ["30"]);
    started.push(child.pid!);
    const threads = readProcessMemory(process.pid)!.threads;
    const children: number[] = [];
    expect(threads).toBeGreaterThan(1);
    expect(appendChildPids(process.pid, threads, children)).toBe(true);
    expect(children).toContain(child.pid);
  });

  it("reads the CPU time of a process as process.cpuUsage sees it, to a few clock ticks", () => {
    let spin = 0;
    for (let i = 0; i < 3e7; i++) spin += i;
    expect(spin).toBeGreaterThan(0);
    const usage = process.cpuUsage();
    const read = readProcessCpuSeconds(process.pid)!;
    expect(Math.abs(read.userSeconds - usage.user / 1e6)).toBeLessThan(0.1);
    expect(Math.abs(read.sysSeconds - usage.system / 1e6)).toBeLessThan(0.1);
  });
});
