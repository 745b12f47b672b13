// What works once analyze fetches URLs, the symbolizer keeps pprof's own symbols and run
// folders list pprof dumps (issue 7 integration).
import { execFileSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { PROFILE_FIXTURES_DIR, fixturePath } from "../profile/fixtures.js";
import { startPprofServer, whyNoGo, type RunningServer } from "./helpers/go-server.js";
import { useScratch } from "./helpers/longrun.js";
import { useTempDirs } from "../helpers/temp-dir.js";

/** Scratch folders, removed after this file's tests. */
const scratchDirs = useTempDirs();

const scratch = useScratch();
const noGo = whyNoGo();
const analyze = (...args: string[]) => runCli(["analyze", ...args, "--no-cache"], { cwd: scratch(), env: { XDG_CACHE_HOME: scratch() } });

describe.skipIf(noGo !== undefined)("allocrun analyze http://127.0.0.1:PORT/debug/pprof/heap", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startPprofServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("fetches the profile into a kept run folder and reports main.growHeap", async () => {
    const result = await analyze(`${server.baseUrl}heap`, "--top", "1");
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`^allocrun: fetched ${server.baseUrl}heap into \\S+/heap\\.0001\\.pb\\.gz$`, "m"));
    expect(result.stdout).toMatch(/main\.growHeap\s+pprof-server\.go:27/);
  });

  it("ranks growth across a folder of pprof dumps (analyze DIR --growth)", async () => {
    const folder = join(scratch(), "go");
    for (let i = 0; i < 2; i++) expect((await runCli(["dump", `${server.baseUrl}heap`, "-o", folder])).exitCode).toBe(0);
    expect((await analyze(folder, "--growth")).stdout).toMatch(/main\.growHeap\s+pprof-server\.go:27/);
  });
});

describe.skipIf(noGo !== undefined)("a pprof file symbolized where it was made", () => {
  it("keeps its function names when the binary is not here any more", async () => {
    const directory = scratchDirs.makeSync("allocrun-gone-");
    const binary = join(directory, "leak");
    copyFileSync(join(PROFILE_FIXTURES_DIR, "bin", "leak"), binary);
    const proto = join(directory, "leak.pb.gz");
    execFileSync("go", ["tool", "pprof", "-proto", "-output", proto, binary, fixturePath("leak.tcmalloc.0005.heap")], { stdio: "ignore", env: { ...process.env, HOME: directory } });
    rmSync(binary);
    const result = await analyze(proto, "--top", "1");
    expect(result.stdout).toMatch(/31\.2 MiB\s+99\.5%.*leaf_alloc\s+leak\.c:20/);
  });
});
