// `allocrun --jemalloc --prof PROGRAM` ends with the top allocation sites on stderr and
// leaves analysis.json, analysis.txt and flame.svg in the run folder.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildExample } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temps = useTempDirs();

describe("analysis at the end of a profiling run", () => {
  it("prints the top allocation sites and writes the analysis files", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--jemalloc", "--prof", "-o", out, "--", buildExample("leak")], { env: { XDG_CACHE_HOME: join(out, "..", "cache") } });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/Top 10 by flat:\n.*function.*\n\s+[\d.]+ MiB\s+[\d.]+%.*leaf_alloc/);
    expect(result.stderr).toContain(`wrote analysis.json, analysis.txt, flame.svg in ${out}`);
    for (const name of ["analysis.json", "analysis.txt", "flame.svg"]) expect(existsSync(join(out, name))).toBe(true);
    const json = JSON.parse(readFileSync(join(out, "analysis.json"), "utf8")) as { top: { function: string }[]; sampleType: string };
    expect(json.sampleType).toBe("inuse_space");
    expect(json.top[0]?.function).toBe("leaf_alloc");
    // The program's own output is untouched: stdout belongs to it.
    expect(result.stdout).not.toContain("Top 10");
  });

  it("stays silent with -q but still writes the files", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--jemalloc", "--prof", "-q", "-o", out, "--", buildExample("leak")], { env: { XDG_CACHE_HOME: join(out, "..", "cache") } });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toContain("Top 10");
    expect(existsSync(join(out, "flame.svg"))).toBe(true);
  });

  it("analyze --base takes a run folder, as the main argument does", async () => {
    const dir = await temps.make();
    const env = { XDG_CACHE_HOME: join(dir, "cache") };
    // The new run keeps twice as much: jemalloc samples at random, so two identical runs can
    // report identical totals and a diff with nothing in it.
    for (const [name, scale] of [["old", "1"], ["new", "2"]] as const) {
      const made = await runCli(["--jemalloc", "--prof", "-q", "--no-analyze", "-o", join(dir, name), "--", buildExample("leak"), scale], { env });
      expect(made.exitCode, made.stderr).toBe(0);
    }
    const result = await runCli(["analyze", join(dir, "new"), "--base", join(dir, "old"), "--format", "json"], { env });
    expect(result.exitCode, result.stderr).toBe(0);
    // A diff whose base is the old run's final profile.
    const report = JSON.parse(result.stdout) as { kind: string; base: { source: string }; top: { function: string }[] };
    expect(report.kind).toBe("diff");
    expect(report.base.source).toMatch(new RegExp(`^${join(dir, "old")}/.*\\.heap$`));
    expect(report.top.map((row) => row.function)).toContain("leaf_alloc");
  });
});
