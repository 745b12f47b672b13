// `allocrun analyze` as a user runs it (the built CLI): outputs on stdout or -o, format
// from the extension, run folders and series, and one-line errors with a hint (exit 2).
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeRunFolderAfterRun } from "../../src/report/after-run.js";
import { runCli } from "../helpers/cli.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { PROFILE_FIXTURES_DIR, fixturePath } from "../profile/fixtures.js";

const LEAK = join(PROFILE_FIXTURES_DIR, "bin", "leak");
const JEMALLOC_HEAP = fixturePath("leak.jemalloc.f.heap");
const temps = useTempDirs();
const analyze = async (...args: string[]) => runCli(["analyze", ...args, "--no-cache"], { env: { XDG_CACHE_HOME: await temps.make() } });

/** A run folder like `allocrun run` leaves: the tcmalloc dumps, a manifest naming the program. */
async function makeRunFolder(): Promise<string> {
  const runDir = join(await temps.make(), "run");
  mkdirSync(runDir);
  const artifacts = [1, 2, 3, 4, 5].map((i) => {
    const name = `leak.000${i}.heap`;
    copyFileSync(fixturePath(`leak.tcmalloc.000${i}.heap`), join(runDir, name));
    return { path: name, kind: "gperftools-heap", bytes: readFileSync(join(runDir, name)).length };
  });
  writeFileSync(join(runDir, "manifest.json"), JSON.stringify({ schemaVersion: 1, program: LEAK, command: [LEAK, "1"], artifacts }));
  return runDir;
}

describe("allocrun analyze", () => {
  it("prints the total and the top functions on stdout, nothing on stderr", async () => {
    const result = await analyze(JEMALLOC_HEAP, "--binary", LEAK);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Total: 31\.5 MiB inuse_space \(32998413 bytes\)/);
    expect(result.stdout).toMatch(/Top 10 by flat:\n.*\n\s+31\.1 MiB\s+98\.8%.*leaf_alloc\s+leak\.c:20/);
    expect(result.stderr).toBe("");
  });

  it("writes json with the documented keys", async () => {
    const result = await analyze(JEMALLOC_HEAP, "--binary", LEAK, "--format", "json", "--top", "3");
    const json = JSON.parse(result.stdout) as { schemaVersion: number; top: { function: string }[]; total: number; unit: string };
    expect(json.schemaVersion).toBe(1);
    expect(json.unit).toBe("bytes");
    expect(json.top.map((row) => row.function)).toEqual(["leaf_alloc", "main", "libstdc++.so.6.0.30+0xa5780"]);
  });

  it("takes the format from the -o extension and says where it wrote", async () => {
    const directory = await temps.make();
    for (const [name, check] of [
      ["flame.svg", (bytes: Buffer) => expect(bytes.toString("utf8")).toContain("Flame graph: inuse_space")],
      ["heap.pb.gz", (bytes: Buffer) => expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b])],
      ["stacks.folded", (bytes: Buffer) => expect(bytes.toString("utf8")).toMatch(/;leaf_alloc \d+\n/)],
      ["report.md", (bytes: Buffer) => expect(bytes.toString("utf8")).toContain("| flat | flat% |")],
    ] as const) {
      const result = await analyze(JEMALLOC_HEAP, "--binary", LEAK, "-o", join(directory, name));
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toContain(`wrote ${join(directory, name)}`);
      check(readFileSync(join(directory, name)));
    }
  });

  it("accepts flamegraph as another name for svg", async () => {
    const result = await analyze(JEMALLOC_HEAP, "--binary", LEAK, "--format", "flamegraph");
    expect(result.stdout).toMatch(/^<\?xml/);
  });

  it("renders the dot call graph with Graphviz for -o graph.svg", async () => {
    const output = join(await temps.make(), "graph.svg");
    const result = await analyze(JEMALLOC_HEAP, "--binary", LEAK, "--format", "dot", "-o", output);
    expect(result.exitCode).toBe(0);
    const svg = readFileSync(output, "utf8");
    expect(svg).toContain("<svg");
    expect(svg).toContain("leaf_alloc");
  });

  it("analyses the last dump of a run folder, finding the program from its manifest", async () => {
    const result = await analyze(await makeRunFolder());
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("— leak.0005.heap");
    expect(result.stdout).toMatch(/leaf_alloc\s+leak\.c:20/);
  });

  it("ranks steady growth across the run folder's dumps with --growth", async () => {
    const result = await analyze(await makeRunFolder(), "--growth", "--format", "json");
    const json = JSON.parse(result.stdout) as { kind: string; sources: string[]; sites: { function: string; monotonicity: number }[] };
    expect(json.kind).toBe("growth");
    expect(json.sources).toHaveLength(5);
    expect(json.sites[0]).toMatchObject({ function: "leaf_alloc", monotonicity: 1 });
  });

  it("shows what grew against --base", async () => {
    const result = await analyze(fixturePath("leak.tcmalloc.0005.heap"), "--base", fixturePath("leak.tcmalloc.0003.heap"), "--binary", LEAK);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/change \+10\.0 MiB/);
    expect(result.stdout).toMatch(/\+10\.0 MiB\s+46\.8%\s+31\.2 MiB\s+21\.2 MiB\s+leaf_alloc/);
  });

  it("analyses a CPU profile in time units", async () => {
    const result = await analyze(fixturePath("churn.cpu.prof"), "--top", "3");
    expect(result.stdout).toMatch(/^Total: 196 ms cpu/);
    expect(result.stdout).toMatch(/62\.0 ms\s+31\.6%.*_int_free/);
  });
});

describe("allocrun analyze errors: exit 2, one line, a hint", () => {
  const cases: [string, string[], RegExp][] = [
    ["a missing profile", ["/nonexistent/prof.heap"], /\/nonexistent\/prof\.heap does not exist — pass a run folder/],
    ["a misspelt flag", [JEMALLOC_HEAP, "--fromat", "json"], /unknown option --fromat — did you mean --format\? \(see allocrun analyze --help\)/],
    ["an unknown format", [JEMALLOC_HEAP, "--format", "jsno"], /unknown --format "jsno" — did you mean json\?/],
    ["--alloc without prof_accum", [JEMALLOC_HEAP, "--alloc"], /no allocated \(cumulative\) data — jemalloc records it only with MALLOC_CONF=prof_accum:true/],
    ["--growth with a single dump", [JEMALLOC_HEAP, "--growth"], /--growth needs a series of at least 2 dumps/],
    ["a file that is not a profile", [LEAK], /is not a heap or CPU profile allocrun knows/],
    ["a bad --top", [JEMALLOC_HEAP, "--top", "0"], /--top needs a whole number of at least 1, got "0"/],
  ];
  for (const [what, args, message] of cases) {
    it(`reports ${what}`, async () => {
      const result = await analyze(...args);
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it("reports a truncated profile with its file name", async () => {
    const truncated = join(await temps.make(), "cut.heap");
    writeFileSync(truncated, readFileSync(JEMALLOC_HEAP).subarray(0, 300));
    const result = await analyze(truncated);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("cut.heap");
  });
});

describe("analysis after allocrun run", () => {
  it("writes analysis.json, analysis.txt and flame.svg and never replaces existing files", async () => {
    const runDir = await makeRunFolder();
    writeFileSync(join(runDir, "flame.svg"), "mine");
    await analyzeRunFolderAfterRun(runDir, { top: 10, quiet: true });
    expect(readFileSync(join(runDir, "flame.svg"), "utf8")).toBe("mine");
    const json = JSON.parse(readFileSync(join(runDir, "analysis.json"), "utf8")) as { top: { function: string }[]; source: string };
    expect(json.top[0]?.function).toBe("leaf_alloc");
    expect(json.source).toMatch(/leak\.0005\.heap$/);
    expect(readFileSync(join(runDir, "analysis.txt"), "utf8")).toMatch(/^Total: /);
    expect(existsSync(join(runDir, "analysis.json"))).toBe(true);
  });
});
