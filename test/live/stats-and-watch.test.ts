// allocrun stats (live allocator figures) and allocrun watch (a series of dumps, then the
// growth report), on examples/longrun under real jemalloc and tcmalloc.
import { execa } from "execa";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "../helpers/cli.js";
import { runLiveCommand } from "./helpers/live-cli.js";
import { startUnderAllocrun, useScratch } from "./helpers/longrun.js";

const scratch = useScratch();

interface StatsJson {
  allocator: string;
  version: string | null;
  stats: Record<string, number>;
  processRssBytes: number;
  notes: string[];
}

async function statsOf(pid: number): Promise<StatsJson> {
  const result = await runLiveCommand("stats", [String(pid), "--json"]);
  expect(result.exitCode).toBe(0);
  return JSON.parse(result.stdout) as StatsJson;
}

describe("allocrun stats", () => {
  it("reads jemalloc's current totals (refreshed by epoch) and leaves the program running", async () => {
    const program = await startUnderAllocrun(["--jemalloc", "--prof"], join(scratch(), "run"));
    const first = await statsOf(program.pid);
    const second = await statsOf(program.pid);
    const text = await runLiveCommand("stats", [String(program.pid)]);
    const end = await program.stop();

    expect(first.allocator).toBe("jemalloc");
    expect(first.version).toMatch(/^5\.3\.0/);
    expect(Object.keys(first.stats)).toEqual(["allocatedBytes", "activeBytes", "metadataBytes", "residentBytes", "mappedBytes", "retainedBytes"]);
    // longrun keeps a 1 MiB block and adds 256 KiB ones; an epoch-refreshed read sees them grow.
    expect(first.stats.allocatedBytes).toBeGreaterThan(1024 * 1024);
    expect(second.stats.allocatedBytes).toBeGreaterThan(first.stats.allocatedBytes as number);
    expect(first.stats.activeBytes).toBeGreaterThanOrEqual(first.stats.allocatedBytes as number);
    expect(first.notes).toEqual(["profiling: sampling, a sample every ~131072 bytes"]);
    expect(text.stdout).toMatch(new RegExp(`^jemalloc 5\\.3\\.0\\S* in process ${program.pid} \\(longrun-`));
    expect(text.stdout).toMatch(/^ {2}allocated +\d.* B {2}bytes in live allocations/m);
    expect(text.stdout).toMatch(/^ {2}process rss +\d/m);
    expect(end.exitCode).toBe(0);
  });

  it("reads tcmalloc's MALLOCSTATS figures", async () => {
    const program = await startUnderAllocrun(["--tcmalloc"], join(scratch(), "run"));
    const stats = await statsOf(program.pid);
    const end = await program.stop();
    expect(stats.allocator).toBe("tcmalloc");
    expect(stats.stats.inUseBytes).toBeGreaterThan(1024 * 1024);
    expect(stats.stats.actualUsedBytes).toBeGreaterThanOrEqual(stats.stats.inUseBytes as number);
    expect(end.exitCode).toBe(0);
  });
});

/** The watch command run in the background, with its stderr visible as it comes. */
function startWatch(args: string[]) {
  const child = execa(process.execPath, [CLI, "watch", ...args], { reject: false, stdin: "ignore", env: { XDG_CACHE_HOME: scratch() } });
  let stderr = "";
  const dumpsSeen = (count: number) =>
    new Promise<void>((resolve) => {
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
        if (new RegExp(`dump ${count}/`).test(stderr)) resolve();
      });
    });
  return { child, dumpsSeen };
}

describe("allocrun watch", () => {
  it("takes --count dumps --every so often into one folder, then reports grow_site as growing", async () => {
    const program = await startUnderAllocrun(["--tcmalloc", "--prof"], join(scratch(), "run"));
    const folder = join(scratch(), "watch");
    const result = await runLiveCommand("watch", [String(program.pid), "--every", "200ms", "--count", "3", "-o", folder, "--top", "3"], { env: { XDG_CACHE_HOME: scratch() } });
    const end = await program.stop();

    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`dump 1/3: ${join(folder, `heap_${program.pid}.0001.heap`)}; next in 200 ms`);
    expect(result.stderr).toContain(`3 dumps taken in ${folder}`);
    expect(result.stdout).toMatch(/^Growth of inuse_space across 3 dumps/);
    expect(result.stdout).toMatch(/\n\s+\+\S+ MiB\s+1\.00\s+\S+\s+\S+ MiB\s+\S+ MiB\s+grow_site\s+longrun\.c:27$/m);
    expect(readFileSync(join(folder, "growth.txt"), "utf8")).toBe(`${result.stdout}\n`);
    const manifest = JSON.parse(readFileSync(join(folder, "manifest.json"), "utf8")) as { command: string[]; artifacts: { path: string; kind: string }[] };
    expect(manifest.command).toEqual(["watch", String(program.pid)]);
    expect(manifest.artifacts.map((artifact) => [artifact.path, artifact.kind])).toEqual([
      ["growth.txt", "analysis"],
      [`heap_${program.pid}.0001.heap`, "gperftools-heap"],
      [`heap_${program.pid}.0002.heap`, "gperftools-heap"],
      [`heap_${program.pid}.0003.heap`, "gperftools-heap"],
    ]);
    expect(end.exitCode).toBe(0);
  });

  it("stops early on Ctrl-C after the dump under way and still reports the growth", async () => {
    const program = await startUnderAllocrun(["--jemalloc", "--prof"], join(scratch(), "run"));
    const folder = join(scratch(), "watch");
    const watch = startWatch([String(program.pid), "--every", "100ms", "--count", "1000", "-o", folder]);
    await watch.dumpsSeen(2);
    watch.child.kill("SIGINT");
    const result = await watch.child;
    const end = await program.stop();

    expect(result.exitCode).toBe(0);
    expect(String(result.stderr)).toMatch(/stopping after the dump under way…\nallocrun: (dump \d+\/1000: \S+\nallocrun: )?stopped after \d+ dumps in /);
    expect(String(result.stdout)).toMatch(/^Growth of inuse_space across \d+ dumps/);
    expect(String(result.stdout)).toMatch(/grow_site\s+longrun\.c:27/);
    expect(existsSync(join(folder, "growth.txt"))).toBe(true);
    expect(end.exitCode).toBe(0);
  });

  it("ends the series when the program exits, and reports what it has", async () => {
    const program = await startUnderAllocrun(["--jemalloc", "--prof"], join(scratch(), "run"));
    const folder = join(scratch(), "watch");
    const watch = startWatch([String(program.pid), "--every", "100ms", "--count", "1000", "-o", folder]);
    await watch.dumpsSeen(2);
    const end = await program.stop();
    const result = await watch.child;

    expect(end.exitCode).toBe(0);
    expect(result.exitCode).toBe(0);
    expect(String(result.stderr)).toMatch(new RegExp(`process ${program.pid} exited after \\d+ dumps in `));
    expect(String(result.stdout)).toMatch(/grow_site\s+longrun\.c:27/);
    expect(readdirSync(folder).filter((name) => name.endsWith(".heap")).length).toBeGreaterThanOrEqual(2);
  });

  it("rejects a malformed --every and --count before attaching", async () => {
    const every = await runLiveCommand("watch", ["1", "--every", "soon"]);
    expect(every.exitCode).toBe(2);
    expect(every.stderr).toBe('allocrun: --every needs a duration, not "soon" — e.g. --every 30s, --every 5m, --every 500ms');
    const count = await runLiveCommand("watch", ["1", "--count", "0"]);
    expect(count.stderr).toBe('allocrun: --count needs a positive whole number, not "0" — e.g. --count 10');
  });
});
