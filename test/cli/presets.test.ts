import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temps = useTempDirs();

describe("allocrun presets", () => {
  it("lists every shipped preset with its allocator, flag and one-line description", async () => {
    const result = await runCli(["presets"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^jemalloc-prof\s+jemalloc\s+--prof\s+\S.*$/m);
    expect(result.stdout).toMatch(/^cpu-profile\s+any\s+--cpu-prof\s+/m);
    expect(result.stdout).toMatch(/searched \(later wins\):/);
  });

  it("shows a user's project preset and what it sets", async () => {
    const cwd = await temps.make();
    mkdirSync(join(cwd, ".allocrun", "presets"), { recursive: true });
    writeFileSync(join(cwd, ".allocrun", "presets", "lean.json"), JSON.stringify({ description: "few arenas", allocator: "jemalloc", conf: { narenas: 1 } }));
    const list = await runCli(["presets", "--json"], { cwd });
    expect(JSON.parse(list.stdout).map((row: { name: string }) => row.name)).toContain("lean");
    const shown = await runCli(["presets", "show", "lean"], { cwd });
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toMatch(/MALLOC_CONF=.*narenas:1/);
  });

  it("exits 2 with close names for an unknown preset", async () => {
    const result = await runCli(["presets", "show", "jemalloc-prf"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/jemalloc-prof/);
  });
});
