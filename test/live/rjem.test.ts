// Rust programs built with tikv-jemallocator: their heap is a jemalloc compiled in with the
// _rjem_ prefix. allocrun's jemalloc options are translated to _RJEM_MALLOC_CONF, the live
// commands find the embedded copy by its _rjem_mallctl symbol, and its dumps are heap_v2
// files like any other. The stand-in program is examples/longrun linked against a
// profiling _rjem_ jemalloc built from Debian's jemalloc-sys source.
import { execa } from "execa";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { rjemEnvironmentFor } from "../../src/presets/rjem-conf.js";
import { parseProfile } from "../../src/profile/read-profile.js";
import { runCli } from "../helpers/cli.js";
import { runLiveCommand } from "./helpers/live-cli.js";
import { LONGRUN_ARGS, useScratch } from "./helpers/longrun.js";
import { buildRjemLongrun, whyNoRjemSource } from "./helpers/rjem.js";

const scratch = useScratch();

describe("rjemEnvironmentFor", () => {
  it("gives MALLOC_CONF's options to _RJEM_MALLOC_CONF and keeps only the non-output ones in MALLOC_CONF", () => {
    const vars = { LD_PRELOAD: "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", MALLOC_CONF: "prof:true,prof_prefix:/out/jeprof,lg_prof_sample:17,narenas:2,stats_print:true", PATH: "/bin" };
    expect(rjemEnvironmentFor(vars)).toEqual({
      LD_PRELOAD: "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
      MALLOC_CONF: "narenas:2",
      _RJEM_MALLOC_CONF: "prof:true,prof_prefix:/out/jeprof,lg_prof_sample:17,narenas:2,stats_print:true",
      PATH: "/bin",
    });
    expect(vars.MALLOC_CONF).toBe("prof:true,prof_prefix:/out/jeprof,lg_prof_sample:17,narenas:2,stats_print:true");
  });

  it("lets a _RJEM_MALLOC_CONF the user set win key by key, and drops an emptied MALLOC_CONF", () => {
    expect(rjemEnvironmentFor({ MALLOC_CONF: "prof:true,lg_prof_sample:17", _RJEM_MALLOC_CONF: "lg_prof_sample:19,prof_leak:true" })).toEqual({
      _RJEM_MALLOC_CONF: "prof:true,lg_prof_sample:19,prof_leak:true",
    });
  });

  it("leaves an environment without MALLOC_CONF as it is", () => {
    expect(rjemEnvironmentFor({ LD_PRELOAD: "x.so", _RJEM_MALLOC_CONF: "narenas:1" })).toEqual({ LD_PRELOAD: "x.so", _RJEM_MALLOC_CONF: "narenas:1" });
  });
});

const noSource = whyNoRjemSource();

describe.skipIf(noSource !== undefined)(`a program whose heap is a _rjem_-prefixed jemalloc${noSource ? ` (skipped: ${noSource})` : ""}`, () => {
  let program: string;
  beforeAll(() => {
    program = buildRjemLongrun();
  }, 300_000);

  /** Weight of the sampled stacks that pass through grow_site, from the collapsed output. */
  async function growSiteBytes(dump: string): Promise<number> {
    const result = await runCli(["analyze", dump, "--format", "collapsed", "--no-cache"], { env: { XDG_CACHE_HOME: scratch() } });
    expect(result.exitCode).toBe(0);
    return result.stdout
      .split("\n")
      .filter((line) => /(^|;)grow_site(;|\s)/.test(line))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
  }

  it("runs under allocrun's --jemalloc --prof options translated to _RJEM_MALLOC_CONF, is dumped after prof on, and grow_site grows", async () => {
    const planned = await runCli(["env", "--jemalloc", "--prof", "--conf", "prof_active:false", "--format", "json"], { cwd: scratch() });
    const env = rjemEnvironmentFor(JSON.parse(planned.stdout) as Record<string, string>);
    expect(env.MALLOC_CONF).toBeUndefined();
    expect(env._RJEM_MALLOC_CONF).toMatch(/^prof:true,.*prof_active:false$/);

    const child = execa(program, LONGRUN_ARGS, { env, buffer: false, reject: false, stdin: "ignore" });
    let stdout = "";
    const pid = await new Promise<number>((resolve) => {
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        const match = /pid (\d+) running/.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
    });
    const folder = join(scratch(), "dumps");
    const on = await runLiveCommand("prof", [String(pid), "on"]);
    const first = await runLiveCommand("dump", [String(pid), "-o", folder]);
    const second = await runLiveCommand("dump", [String(pid), "-o", folder]);
    const stats = await runLiveCommand("stats", [String(pid), "--json"]);
    process.kill(pid, "SIGTERM");
    const end = await child;

    expect(on.stdout).toBe(`process ${pid}: heap sampling off -> on (prof.active)`);
    expect(first.stderr).toContain("(jemalloc compiled into longrun-");
    expect(first.stderr).toContain("with the _rjem_ prefix (Rust tikv-jemallocator))");
    expect(second.stdout).toBe(join(folder, `jeprof.${pid}.1.m1.heap`));
    expect(parseProfile(readFileSync(second.stdout), second.stdout).format).toBe("jemalloc-heap");
    expect(await growSiteBytes(second.stdout)).toBeGreaterThan(await growSiteBytes(first.stdout));
    expect((JSON.parse(stats.stdout) as { version: string }).version).toMatch(/^5\.1\.0/);
    expect(stdout).toMatch(/exiting normally on a signal/);
    expect(end.exitCode).toBe(0);
  });

  it("is run by `allocrun --jemalloc --prof` with _RJEM_MALLOC_CONF set, and its final dump lands in the run folder", async () => {
    const out = join(scratch(), "run");
    // longrun frees its blocks before a normal exit: prof_accum keeps what was allocated.
    const result = await runCli(["--jemalloc", "--prof", "--conf", "prof_accum:true", "--no-analyze", "-q", "-o", out, "--", program, "1"]);
    expect(result.exitCode).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { env: Record<string, string>; warnings: string[]; artifacts: Array<{ path: string; kind: string }> };
    expect(manifest.env._RJEM_MALLOC_CONF).toMatch(/prof:true/);
    expect(manifest.env._RJEM_MALLOC_CONF).toContain(`prof_prefix:${out}/`);
    expect(manifest.env.MALLOC_CONF).toBeUndefined();
    expect(manifest.warnings.join("\n")).toMatch(/embeds jemalloc with the _rjem_ prefix .*allocrun sets its options in _RJEM_MALLOC_CONF/);
    const heap = manifest.artifacts.find((artifact) => artifact.kind === "jemalloc-heap");
    expect(heap).toBeDefined();
    const collapsed = await runCli(["analyze", join(out, heap!.path), "--alloc", "--format", "collapsed", "--no-cache"], { env: { XDG_CACHE_HOME: scratch() } });
    expect(collapsed.stdout).toMatch(/(^|;)grow_site(;|\s)/m);
  });

  it("is refused with _RJEM_MALLOC_CONF in the hint when it was started without profiling", async () => {
    const child = execa(program, LONGRUN_ARGS, { env: { MALLOC_CONF: "prof:true" }, buffer: false, reject: false, stdin: "ignore" });
    const pid = await new Promise<number>((resolve) => child.stdout?.setEncoding("utf8").on("data", (chunk: string) => resolve(Number(/pid (\d+)/.exec(chunk)?.[1]))));
    const result = await runLiveCommand("dump", [String(pid)], { cwd: scratch() });
    process.kill(pid, "SIGTERM");
    expect((await child).exitCode).toBe(0);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/was started without jemalloc profiling \(opt\.prof is false\), which cannot be turned on later — restart it with _RJEM_MALLOC_CONF=prof:true,prof_active:false/);
  });
});
