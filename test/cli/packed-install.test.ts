// The package as a user gets it: `npm pack`, installed into a temporary prefix with
// `npm install --global --prefix`, then run from PATH. Dependencies come from the npm
// cache, or the registry when the cache lacks them.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildExample, REPO_ROOT } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temps = useTempDirs();
const npmMissing = spawnSync("npm", ["--version"]).error !== undefined;

interface PackedFile {
  path: string;
}

describe.skipIf(npmMissing)("the packed tarball (skipped: npm is not installed)", () => {
  let dir = "";
  let prefix = "";
  let tarball = "";
  const run = (args: string[], cwd = dir) => spawnSync("allocrun", args, { cwd, encoding: "utf8", env: { ...process.env, PATH: `${join(prefix, "bin")}:${process.env.PATH}` } });

  beforeAll(async () => {
    dir = await temps.make();
    prefix = join(dir, "prefix");
    const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as { filename: string }[];
    tarball = join(dir, packed!.filename);
    execFileSync("npm", ["install", "--global", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", tarball], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  }, 180_000);

  it("holds only what a user needs: no prebuilt launcher, no compiled files the CLI never loads, no test helpers", () => {
    const [listing] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as { files: PackedFile[] }[];
    const paths = listing!.files.map((file) => file.path);
    expect(paths).toContain("dist/bundle/main.cjs");
    expect(paths).toContain("native/launch.c");
    expect(paths.filter((path) => path.startsWith("native/build/"))).toEqual([]);
    expect(paths.filter((path) => path.startsWith("dist/") && !path.startsWith("dist/bundle/") && !path.startsWith("dist/man/"))).toEqual([]);
    expect(paths.filter((path) => path.startsWith("test/") || path.startsWith("bench/"))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).not.toContain("tmp-promise");
  });

  it("puts allocrun and its man page on the prefix, and builds the launcher at install", () => {
    expect(run(["--version"])).toMatchObject({ status: 0, stdout: `allocrun ${JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version}\n` });
    expect(existsSync(join(prefix, "share", "man", "man1", "allocrun.1"))).toBe(true);
    expect(existsSync(join(prefix, "lib", "node_modules", "allocrun", "native", "build", "allocrun-launch"))).toBe(true);
  });

  it("runs a program under jemalloc from PATH, building a missing launcher on first use", () => {
    rmSync(join(prefix, "lib", "node_modules", "allocrun", "native", "build"), { recursive: true, force: true });
    const out = join(dir, "run");
    const result = run(["--jemalloc", "-q", "-o", out, "--", buildExample("workload")]);
    expect(result.status, result.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.allocator.name).toBe("jemalloc");
    expect(manifest.allocator.library).toMatch(/libjemalloc\.so/);
    // wait4's ru_maxrss: only the native launcher gives it, so it was rebuilt.
    expect(manifest.peakRssMethod).toBe("wait4-rusage");
    expect(existsSync(join(prefix, "lib", "node_modules", "allocrun", "native", "build", "allocrun-launch"))).toBe(true);
  });
});
