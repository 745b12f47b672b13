// A real Go program serving net/http/pprof on loopback, built here with the Go toolchain:
// its heap, allocs and CPU profiles fetched over HTTP into a run folder and analysed with
// the same model and outputs as every other profile.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchProfileUrls } from "../../src/live/profile-urls.js";
import { parseProfile } from "../../src/profile/read-profile.js";
import { runCli } from "../helpers/cli.js";
import { startPprofServer, whyNoGo, type RunningServer } from "./helpers/go-server.js";
import { runLiveCommand } from "./helpers/live-cli.js";
import { useScratch } from "./helpers/longrun.js";

const scratch = useScratch();
const noGo = whyNoGo();
const analyze = (...args: string[]) => runCli(["analyze", ...args, "--no-cache"], { env: { XDG_CACHE_HOME: scratch() } });

describe.skipIf(noGo !== undefined)(`a Go program's net/http/pprof over HTTP${noGo ? ` (skipped: ${noGo})` : ""}`, () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startPprofServer();
  });
  afterAll(async () => {
    const end = await server.stop();
    // Still serving after every fetch, and ending normally.
    expect(end.stdout).toMatch(/blocks grown \(checksum \d\), exiting normally/);
    expect(end.exitCode).toBe(0);
  });

  it("dumps /debug/pprof/heap into a run folder and analyses it: main.growHeap holds the memory", async () => {
    const folder = join(scratch(), "heap");
    const dump = await runLiveCommand("dump", [`${server.baseUrl}heap`, "-o", folder]);
    expect(dump.exitCode).toBe(0);
    expect(dump.stdout).toBe(join(folder, "heap.0001.pb.gz"));
    const profile = parseProfile(readFileSync(join(folder, "heap.0001.pb.gz")), "heap.0001.pb.gz");
    expect(profile.format).toBe("pprof");
    expect(profile.sampleTypes.map((type) => type.type)).toEqual(["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]);
    const manifest = JSON.parse(readFileSync(join(folder, "manifest.json"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({ command: ["dump", `${server.baseUrl}heap`], allocator: { name: "go" }, artifacts: [{ path: "heap.0001.pb.gz", kind: "pprof" }] });

    const result = await analyze(join(folder, "heap.0001.pb.gz"), "--format", "json", "--top", "3");
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout) as { sampleType: string; top: { function: string; file: string; line: number }[] };
    expect(json.sampleType).toBe("inuse_space");
    expect(json.top[0]).toMatchObject({ function: "main.growHeap", line: 27 });
    expect(json.top[0]?.file).toMatch(/pprof-server\.go$/);
  });

  it("dumps the heap twice and finds main.growHeap growing with --growth", async () => {
    const folder = join(scratch(), "series");
    expect((await runLiveCommand("dump", [`${server.baseUrl}heap`, "-o", folder])).exitCode).toBe(0);
    expect((await runLiveCommand("dump", [`${server.baseUrl}heap`, "-o", folder])).exitCode).toBe(0);
    const result = await analyze(join(folder, "heap.0001.pb.gz"), join(folder, "heap.0002.pb.gz"), "--growth", "--format", "json");
    const growth = JSON.parse(result.stdout) as { sites: { function: string; slopePerDump: number }[] };
    expect(growth.sites[0]?.function).toBe("main.growHeap");
    expect(growth.sites[0]?.slopePerDump).toBeGreaterThan(0);
  });

  it("analyses /debug/pprof/allocs as allocated space and profile?seconds=1 as CPU time", async () => {
    const folder = join(scratch(), "more");
    expect((await runLiveCommand("dump", [`${server.baseUrl}allocs`, "-o", folder])).exitCode).toBe(0);
    const cpuDump = await runLiveCommand("dump", [`${server.baseUrl}profile?seconds=1`, "-o", join(scratch(), "cpu")]);
    expect(cpuDump.exitCode).toBe(0);
    expect(cpuDump.stderr).not.toContain("--growth");

    const allocs = await analyze(join(folder, "allocs.0001.pb.gz"), "--top", "3");
    expect(allocs.stdout).toMatch(/^Total: \S+ \S+ alloc_space/);
    expect(allocs.stdout).toMatch(/main\.growHeap\s+pprof-server\.go:27/);
    const cpu = await analyze(cpuDump.stdout, "--format", "collapsed");
    expect(cpu.exitCode).toBe(0);
    expect(cpu.stdout).toMatch(/;main\.main;main\.burnCPU \d+\n/);
  });

  it("watches the heap endpoint and reports main.growHeap as the growing site", async () => {
    const result = await runLiveCommand("watch", [`${server.baseUrl}heap`, "--every", "200ms", "--count", "3", "-o", join(scratch(), "watch"), "--top", "1"], { env: { XDG_CACHE_HOME: scratch() } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Growth of inuse_space across 3 dumps/);
    expect(result.stdout).toMatch(/\s+1\.00\s+.*main\.growHeap\s+pprof-server\.go:27$/m);
  });

  it("fetches the URLs among analyze's targets into one kept run folder, files staying as they are", async () => {
    const cwd = scratch();
    const fetched = await fetchProfileUrls([`${server.baseUrl}heap`, "/some/file.heap", `${server.baseUrl}allocs`], cwd);
    const [heap, file, allocs] = fetched.targets;
    expect(file).toBe("/some/file.heap");
    expect(heap).toMatch(new RegExp(`^${cwd}/allocrun-out/[^/]+-go-dump/heap\\.0001\\.pb\\.gz$`));
    expect(allocs).toBe(join(heap as string, "..", "allocs.0001.pb.gz"));
    expect(fetched.notes).toEqual([`fetched ${server.baseUrl}heap into ${heap}`, `fetched ${server.baseUrl}allocs into ${allocs}`]);
    const result = await analyze(heap as string, "--top", "1");
    expect(result.stdout).toMatch(/main\.growHeap\s+pprof-server\.go:27/);
  });

  it("refuses a web page and an unknown profile with the endpoints to use", async () => {
    const page = await runLiveCommand("dump", [server.baseUrl]);
    expect(page.exitCode).toBe(2);
    expect(page.stderr).toBe(`allocrun: ${server.baseUrl} returned a web page, not a profile — use a profile endpoint: /debug/pprof/heap, /debug/pprof/allocs or /debug/pprof/profile?seconds=N`);
    const missing = await runLiveCommand("dump", [`${server.baseUrl}nothing`]);
    expect(missing.stderr).toMatch(/answered HTTP 404: Unknown profile — check the path/);
  });
});

describe("profile URLs", () => {
  it("are fetched only from loopback addresses; others get an SSH tunnel hint", async () => {
    const remote = await runLiveCommand("dump", ["http://10.1.2.3:6060/debug/pprof/heap"]);
    expect(remote.exitCode).toBe(2);
    expect(remote.stderr).toBe(
      "allocrun: allocrun fetches profiles only from this machine (127.0.0.1, ::1, localhost), not from 10.1.2.3 — forward the port first: ssh -L 6060:127.0.0.1:6060 10.1.2.3, then use http://127.0.0.1:6060/debug/pprof/heap",
    );
    expect((await runLiveCommand("dump", ["https://127.0.0.1:6060/debug/pprof/heap"])).stderr).toMatch(/over plain http from this machine, not https:\/\//);
  });

  it("say when nothing listens on the port", async () => {
    const result = await runLiveCommand("dump", ["http://127.0.0.1:1/debug/pprof/heap"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe("allocrun: nothing listens on 127.0.0.1:1 — is the program running, with net/http/pprof imported and its HTTP server started on that port?");
  });
});
