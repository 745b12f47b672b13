// A program rebuilt after it was profiled: the old addresses point into different code, so
// the analysis must say so and leave them unnamed instead of crediting the memory to
// whatever function the new build has there (which jeprof does, silently).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { EXAMPLES_DIR } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temps = useTempDirs();

// 8 KiB of code ahead of the example's functions: every address the first build had in
// them falls inside this function in the second build.
const PADDING = `__attribute__((used, noinline)) void rebuilt_padding(void) { __asm__ volatile(".fill 8192, 1, 0x90"); }\n`;

function compile(source: string, output: string): void {
  execFileSync("gcc", ["-g", "-O1", "-pthread", "-o", output, "-x", "c", "-"], { input: source, stdio: ["pipe", "ignore", "inherit"] });
}

describe("a binary rebuilt after profiling", () => {
  it("is recorded at run time, then reported as changed and left unnamed instead of named wrongly", async () => {
    const directory = await temps.make();
    const program = join(directory, "leak");
    const source = readFileSync(join(EXAMPLES_DIR, "leak.c"), "utf8");
    compile(source, program);
    const out = join(directory, "run");
    const env = { XDG_CACHE_HOME: join(directory, "cache") };
    const run = await runCli(["--jemalloc", "--prof", "-q", "-o", out, "--", program], { env });
    expect(run.exitCode).toBe(0);

    const recorded = JSON.parse(readFileSync(join(out, "objects.json"), "utf8")) as { schemaVersion: number; objects: { path: string; buildId?: string }[] };
    expect(recorded.schemaVersion).toBe(1);
    const before = recorded.objects.find((object) => object.path === program);
    expect(before?.buildId).toMatch(/^[0-9a-f]{40}$/);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { artifacts: { path: string; kind: string }[] };
    expect(manifest.artifacts).toContainEqual(expect.objectContaining({ path: "objects.json", kind: "objects" }));

    // Unchanged: the program's own functions are named.
    const fresh = await runCli(["analyze", out], { env });
    expect(fresh.exitCode).toBe(0);
    expect(fresh.stdout).toContain("leaf_alloc");

    compile(PADDING + source, program);
    const stale = await runCli(["analyze", out, "--top", "50"], { env });
    expect(stale.exitCode).toBe(0);
    expect(stale.stdout).not.toContain("rebuilt_padding");
    expect(stale.stdout).not.toContain("leaf_alloc");
    expect(stale.stdout).toMatch(/\bleak\+0x[0-9a-f]+/);
    expect(stale.stdout).toMatch(/leak \(\d+ address(es)?\): build-id [0-9a-f]{12}… when profiled, [0-9a-f]{12}… now: the file was rebuilt since it was profiled/);

    // The same profile analysed on its own (next to its objects.json) is checked too.
    const profile = manifest.artifacts.find((artifact) => artifact.kind === "jemalloc-heap")?.path as string;
    const direct = await runCli(["analyze", join(out, profile), "--format", "json"], { env });
    const json = JSON.parse(direct.stdout) as { unsymbolizedObjects: { path: string; reason: string }[]; top: { function: string }[] };
    expect(json.unsymbolizedObjects).toContainEqual(expect.objectContaining({ path: program, reason: "changed" }));
    expect(json.top.map((row) => row.function)).not.toContain("rebuilt_padding");
    // Not folded by the new build's unwind tables either: its padding function now spans
    // every old address, which would make them one row.
    expect(json.top.filter((row) => row.function.startsWith("leak+0x")).length).toBeGreaterThan(1);
  });
});
