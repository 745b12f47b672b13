// Each shipped flag preset, rendered with the real libraries of this machine, run on a
// real program: the files and messages it promises must appear.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AllocatorName, LibraryName } from "../../src/core/allocators.js";
import { LIBRARY_SONAMES } from "../../src/detect/packages.js";
import { composeEnvPlan, loadPresetCatalog, renderEnvironment, type ArtifactHint, type CompositionStep } from "../../src/presets/index.js";
import { buildExample } from "../helpers/examples.js";

/** Library paths straight from the loader cache (`ldconfig -p`, x86-64 entries), independent of allocrun's own detection. */
function findLibrariesWithLdconfig(): Partial<Record<LibraryName, string>> {
  const listing = execFileSync("/sbin/ldconfig", ["-p"], { encoding: "utf8" });
  const paths: Partial<Record<LibraryName, string>> = {};
  for (const [name, sonames] of Object.entries(LIBRARY_SONAMES) as Array<[LibraryName, readonly string[]]>) {
    const soname = sonames[0] as string;
    const match = new RegExp(`^\\t${soname.replaceAll(".", "\\.")} \\(libc6,x86-64\\) => (.+)$`, "m").exec(listing);
    if (match?.[1]) paths[name] = match[1];
  }
  return paths;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

const catalog = loadPresetCatalog({ home: "/nonexistent-home", cwd: "/nonexistent-cwd", env: {} });
let leak: string;
let libraryPaths: Partial<Record<LibraryName, string>>;
const outDirs: string[] = [];

beforeAll(() => {
  leak = buildExample("leak");
  libraryPaths = findLibrariesWithLdconfig();
});
afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the leak example (scale = its argument) under the composed plan; returns what it left behind. */
function runLeak(allocator: AllocatorName, steps: CompositionStep[], scale = 1) {
  const outDir = mkdtempSync(join(tmpdir(), "allocrun-preset-run-"));
  outDirs.push(outDir);
  const plan = composeEnvPlan(catalog, allocator, steps);
  const variables = renderEnvironment(plan, { libraryPaths, outDir, programPath: leak });
  // The program starts in another directory, to prove the profile paths do not depend on it.
  const result = spawnSync(leak, [String(scale)], { cwd: tmpdir(), env: { ...process.env, ...variables }, encoding: "utf8" });
  const files = readdirSync(outDir).sort();
  const filesFor = (hint: ArtifactHint | undefined) => (hint ? files.filter((file) => globToRegExp(hint.glob).test(file)) : []);
  return { plan, outDir, result, files, filesFor, head: (file: string) => readFileSync(join(outDir, file), "latin1").slice(0, 40) };
}

describe("shipped presets on the real allocators of this machine", () => {
  it("jemalloc --prof writes a heap_v2 profile into the run folder, where its artifact hint says", () => {
    const run = runLeak("jemalloc", [{ kind: "flag", flag: "prof" }]);
    expect(run.result.status).toBe(0);
    const heaps = run.filesFor(run.plan.artifactHints[0]);
    expect(heaps).toHaveLength(1);
    expect(heaps[0]).toMatch(/^jeprof\.\d+\.0\.f\.heap$/);
    expect(run.head(heaps[0] as string)).toMatch(/^heap_v2\/131072\n/);
  });

  it("jemalloc --periodic adds interval dumps once the program allocates more than 64 MiB", () => {
    const run = runLeak("jemalloc", [{ kind: "flag", flag: "periodic" }], 3);
    expect(run.files.some((file) => /\.i0\.heap$/.test(file))).toBe(true);
    expect(run.files.some((file) => /\.f\.heap$/.test(file))).toBe(true);
  });

  it("jemalloc --leak-check prints jemalloc's leak summary", () => {
    const run = runLeak("jemalloc", [{ kind: "flag", flag: "leak-check" }]);
    expect(run.result.stderr).toContain("<jemalloc>: Leak approximation summary:");
  });

  it("jemalloc --stats prints one JSON document with the allocated bytes", () => {
    const run = runLeak("jemalloc", [{ kind: "flag", flag: "stats" }]);
    const json = run.result.stderr.slice(run.result.stderr.indexOf('{"jemalloc":'));
    const stats = JSON.parse(json) as { jemalloc: { stats: { allocated: number } } };
    expect(stats.jemalloc.stats.allocated).toBeGreaterThan(30 * 1024 * 1024);
  });

  it("tcmalloc --heap-profile writes gperftools heap profiles named by HEAPPROFILE", () => {
    const run = runLeak("tcmalloc", [{ kind: "flag", flag: "heap-profile" }]);
    expect(run.result.status).toBe(0);
    const heaps = run.filesFor(run.plan.artifactHints[0]);
    expect(heaps).toEqual(["heap.0001.heap"]);
    expect(run.head("heap.0001.heap")).toMatch(/^heap profile: /);
  });

  it("tcmalloc --periodic dumps during the run and at exit", () => {
    const run = runLeak("tcmalloc", [{ kind: "flag", flag: "periodic" }], 3);
    expect(run.filesFor(run.plan.artifactHints[0]).length).toBeGreaterThanOrEqual(2);
  });

  it("tcmalloc --leak-check runs the heap checker (memory reachable from globals is no leak)", () => {
    const run = runLeak("tcmalloc", [{ kind: "flag", flag: "leak-check" }]);
    expect(run.result.stderr).toContain("Perftools heap leak checker is active");
    expect(run.result.stderr).toContain('No leaks found for check "_main_"');
  });

  it.each(["tcmalloc", "tcmalloc-minimal"] as const)("%s --stats prints MALLOCSTATS totals", (allocator) => {
    const run = runLeak(allocator, [{ kind: "flag", flag: "stats" }]);
    expect(run.result.stderr).toMatch(/^MALLOC: +\d+ \( +[\d.]+ MiB\) Bytes in use by application$/m);
  });

  it("mimalloc --stats prints mimalloc's heap stats", () => {
    const run = runLeak("mimalloc", [{ kind: "flag", flag: "stats" }]);
    expect(run.result.status).toBe(0);
    expect(run.result.stderr).toContain("heap stats");
  });

  it("glibc --stats prints the memusage summary for the program", () => {
    const run = runLeak("glibc", [{ kind: "flag", flag: "stats" }]);
    expect(run.result.stderr).toContain("Memory usage summary:");
  });

  it("--cpu-prof writes a CPU profile beside any allocator", () => {
    const run = runLeak("mimalloc", [{ kind: "flag", flag: "cpu-prof" }]);
    expect(run.filesFor(run.plan.artifactHints[0])).toEqual(["cpu.prof"]);
  });

  it("glibc-arena-max-2 reaches glibc as a tunable it accepts", () => {
    const plan = composeEnvPlan(catalog, "glibc", [{ kind: "preset", name: "glibc-arena-max-2" }]);
    const variables = renderEnvironment(plan, { libraryPaths, outDir: "/tmp" });
    const listed = execFileSync("/lib64/ld-linux-x86-64.so.2", ["--list-tunables"], { env: { ...process.env, ...variables }, encoding: "utf8" });
    expect(listed).toMatch(/^glibc\.malloc\.arena_max: 0x2 /m);
  });
});
