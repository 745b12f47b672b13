// The manifest says what each figure is and what else shaped it: the allocator's real
// version, the program's own peak beside the largest process's, the locale, allocator
// variables the user already had, THP mode, the executable that really ran; and it never
// stores the values of variables allocrun does not understand unless asked (--record-env).
import { existsSync, readFileSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildExample } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import type { RunManifest } from "../../src/run/manifest.js";

const temp = useTempDirs();
const DEBIAN_JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
const THP_ENABLED = "/sys/kernel/mm/transparent_hugepage/enabled";

async function run(args: string[], env: Record<string, string> = {}): Promise<{ manifest: RunManifest; text: string; exitCode: number; stderr: string }> {
  const out = join(await temp.make(), "run");
  const result = await runCli(["-o", out, ...args], { env });
  const text = readFileSync(join(out, "manifest.json"), "utf8");
  return { manifest: JSON.parse(text) as RunManifest, text, exitCode: result.exitCode, stderr: result.stderr };
}

describe("manifest.json records what each figure is", () => {
  let peak: string;
  beforeAll(() => {
    peak = buildExample("peak");
  });

  it.skipIf(!existsSync(DEBIAN_JEMALLOC))("records jemalloc's own version, not null (Debian's libjemalloc2)", async () => {
    const { manifest } = await run(["--jemalloc", "--", peak, "8"]);
    expect(manifest.allocator.version).toMatch(/^5\.3\.0-\d+-g[0-9a-f]+$/);
  });

  it("records the program's own peak beside ru_maxrss: equal for a program without children", async () => {
    const { manifest } = await run(["--glibc", "--", peak, "16"]);
    expect(manifest.peakRssMethod).toBe("wait4-rusage");
    expect(manifest.programPeakRssBytes).toBe(manifest.peakRssBytes);
    expect(manifest.processes?.map((process) => process.exe)).toEqual([peak]);
  });

  it("records the locale, the user's own allocator variables and THP mode, and no other variable", async () => {
    const env = { LANG: "C.UTF-8", LC_ALL: "C", MALLOC_ARENA_MAX: "3", MY_SECRET_TOKEN: "hunter2" };
    const { manifest, text } = await run(["--jemalloc", "--", peak, "4"], env);
    expect(manifest.conditions?.locale).toMatchObject({ LANG: "C.UTF-8", LC_ALL: "C" });
    expect(manifest.conditions?.inheritedMemoryVariables).toEqual({ MALLOC_ARENA_MAX: "3" });
    const thp = existsSync(THP_ENABLED) ? /\[([^\]]+)\]/.exec(readFileSync(THP_ENABLED, "utf8"))?.[1] : null;
    expect(manifest.conditions?.transparentHugePages).toBe(thp ?? null);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("MY_SECRET_TOKEN");
  });

  it("records the real path of a program reached through a link, and what a shim exec'd", async () => {
    const directory = await temp.make();
    const link = join(directory, "peak-link");
    symlinkSync(peak, link);
    const shim = join(directory, "shim");
    writeFileSync(shim, `#!/bin/sh\nexec ${link} "$@"\n`);
    chmodSync(shim, 0o755);
    const linked = await run(["--jemalloc", "--", link, "4"]);
    expect(linked.manifest.conditions).toMatchObject({ programRealPath: peak, executedRealPath: null });
    const shimmed = await run(["--jemalloc", "--", shim, "4"]);
    expect(shimmed.manifest.conditions).toMatchObject({ programRealPath: shim, executedRealPath: peak });
  });

  it("stores -e and --env-file values only for allocator variables, other names as <set>", async () => {
    const directory = await temp.make();
    const envFile = join(directory, "app.env");
    writeFileSync(envFile, "API_KEY=sk-live-123\nMALLOC_ARENA_MAX=2\n");
    const { manifest, text } = await run(["--glibc", "-e", "TOKEN=abc-secret", "--env-file", envFile, "-e", "LANG=C", "--", peak, "4"]);
    expect(manifest.env).toMatchObject({ TOKEN: "<set>", API_KEY: "<set>", MALLOC_ARENA_MAX: "2", LANG: "C" });
    expect(text).not.toContain("abc-secret");
    expect(text).not.toContain("sk-live-123");
  });

  it("keeps -e values out of the run manifests of `allocrun ci` too", async () => {
    const directory = await temp.make();
    const result = await runCli(["ci", "--update-baseline", "--baseline", join(directory, "baseline.json"), "--metric", "peak_rss", "--runs", "1", "--warmup", "0", "-o", join(directory, "ci"), "--glibc", "-e", "TOKEN=abc-secret", "--", peak, "4"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(directory, "ci", "run-1", "manifest.json"), "utf8")) as RunManifest;
    expect(manifest.env).toMatchObject({ TOKEN: "<set>" });
    expect(readFileSync(join(directory, "baseline.json"), "utf8")).not.toContain("abc-secret");
  });

  it("stores every value with --record-env", async () => {
    const { manifest } = await run(["--glibc", "--record-env", "-e", "TOKEN=abc-secret", "--", peak, "4"]);
    expect(manifest.env).toMatchObject({ TOKEN: "abc-secret" });
  });
});
