// bin/allocrun.js compiles the bundle with a V8 code cache kept in the user's cache folder:
// it must be written once, survive being missing or corrupt, and leave the other
// commands' bundles loadable (they are imported from the cached script).
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temp = useTempDirs();

function cacheFiles(cacheHome: string): string[] {
  try {
    return readdirSync(join(cacheHome, "allocrun", "code-cache"));
  } catch {
    return [];
  }
}

describe("code cache of the CLI bundle", () => {
  it("is written on the first start, named by the bundle's hash, and used after", async () => {
    const cacheHome = temp.makeSync();
    const env = { XDG_CACHE_HOME: cacheHome };
    const first = await runCli(["--version"], { env });
    expect(first.exitCode).toBe(0);
    const files = cacheFiles(cacheHome);
    expect(files).toHaveLength(1);
    const hash = /^\/\/ bundle-hash: ([0-9a-f]{32})/.exec(readFileSync("dist/bundle/main.cjs", "utf8"))?.[1];
    expect(files[0]).toBe(`main-${hash}-${process.version}-${process.arch}.bin`);
    const written = readFileSync(join(cacheHome, "allocrun", "code-cache", files[0]!));
    // A start with an accepted cache leaves it as it is.
    const second = await runCli(["--version"], { env });
    expect(second).toMatchObject({ exitCode: 0, stdout: first.stdout, stderr: "" });
    expect(readFileSync(join(cacheHome, "allocrun", "code-cache", files[0]!))).toEqual(written);
  });

  it("is written again by a run that went further through the run path than its writer, and only then", async () => {
    const cacheHome = temp.makeSync();
    const env = { XDG_CACHE_HOME: cacheHome };
    const coverage = () => {
      const bytes = readFileSync(join(cacheHome, "allocrun", "code-cache", cacheFiles(cacheHome)[0]!));
      return { header: /^allocrun-code-cache (\d+)\n/.exec(bytes.toString("latin1", 0, 32))?.[1], bytes };
    };
    const run = async (allocator: string) => {
      const result = await runCli([allocator, "-q", "-o", join(cacheHome, `run-${allocator}-${Math.random()}`), "--", "true"], { env });
      expect(result).toMatchObject({ exitCode: 0, stderr: "" });
      return coverage();
    };
    await runCli(["--version"], { env });
    expect(coverage().header).toBe("0"); // the first start writes it, whatever it ran
    const afterGlibc = await run("--glibc");
    expect(afterGlibc.header).toBe("1");
    expect((await run("--glibc")).bytes).toEqual(afterGlibc.bytes);
    const afterJemalloc = await run("--jemalloc");
    expect(afterJemalloc.header).toBe("2");
    expect(afterJemalloc.bytes.length).toBeGreaterThan(afterGlibc.bytes.length); // the checks and the library lookup
    expect((await run("--glibc")).bytes).toEqual(afterJemalloc.bytes);
    expect(cacheFiles(cacheHome)).toHaveLength(1);
  });

  it("drops other builds' caches unchanged for 30 days when it writes its own, and keeps recent ones", async () => {
    const cacheHome = temp.makeSync();
    const folder = join(cacheHome, "allocrun", "code-cache");
    mkdirSync(folder, { recursive: true });
    const aged = (days: number) => new Date(Date.now() - days * 24 * 3600 * 1000);
    for (const [name, days] of [["main-0000-v1.0.0-x64.bin", 31], ["main-1111-v1.0.0-x64.bin", 29], ["notes.txt", 400]] as const) {
      writeFileSync(join(folder, name), "old");
      utimesSync(join(folder, name), aged(days), aged(days));
    }
    expect((await runCli(["--version"], { env: { XDG_CACHE_HOME: cacheHome } })).exitCode).toBe(0);
    const names = cacheFiles(cacheHome);
    expect(names.filter((name) => name.startsWith("main-0000"))).toEqual([]);
    expect(names).toContain("main-1111-v1.0.0-x64.bin");
    expect(names).toContain("notes.txt");
    expect(names).toHaveLength(3); // and this build's own
  });

  it("a corrupt cache costs a plain compile and is replaced", async () => {
    const cacheHome = temp.makeSync();
    const env = { XDG_CACHE_HOME: cacheHome };
    await runCli(["--version"], { env });
    const path = join(cacheHome, "allocrun", "code-cache", cacheFiles(cacheHome)[0]!);
    writeFileSync(path, "not a V8 code cache");
    const result = await runCli(["--version"], { env });
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    expect(result.stdout).toMatch(/^allocrun \d/);
    expect(readFileSync(path).toString()).not.toBe("not a V8 code cache");
  });

  it("an unwritable cache folder changes nothing for the user", async () => {
    const cacheHome = join(temp.makeSync(), "a-file");
    writeFileSync(cacheHome, ""); // a file where the cache folder would go: mkdir fails
    const result = await runCli(["--version"], { env: { XDG_CACHE_HOME: cacheHome } });
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
  });

  it("commands in other bundles load from the cached script", async () => {
    const cacheHome = temp.makeSync();
    const env = { XDG_CACHE_HOME: cacheHome };
    await runCli(["--version"], { env });
    expect(cacheFiles(cacheHome)).toHaveLength(1);
    const result = await runCli(["completion", "bash"], { env });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("allocrun");
  });
});
