// `allocrun ci` end to end: the real CLI, real allocators, the workload example and a
// variant of it that allocates 10% more, installed at the same path the way a CI build
// replaces its binary.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { buildExample } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";

/** Scratch folders, removed after this file's tests. */
const scratchDirs = useTempDirs();

const DETERMINISTIC = "peak_heap,alloc_count,alloc_bytes,live_at_exit";

interface Project {
  dir: string;
  install(variant: "base" | "grown"): void;
  ci(args: string[], env?: Record<string, string>): Promise<CliResult>;
}

/** A scratch project with build/workload in it, like a CI checkout after `make`. */
function createProject(): Project {
  const dir = scratchDirs.makeSync("allocrun-ci-");
  mkdirSync(join(dir, "build"));
  const builds = { base: buildExample("workload"), grown: buildExample("workload", { flags: ["-DWORKLOAD_PERCENT=110"] }) };
  return {
    dir,
    install: (variant) => copyFileSync(builds[variant], join(dir, "build", "workload")),
    ci: (args, env = {}) => runCli(["ci", ...args], { cwd: dir, env: { ...env, NO_COLOR: "1" } }),
  };
}

interface Annotation {
  kind: string;
  properties: Record<string, string>;
  message: string;
}

/** GitHub's workflow command syntax, decoded as the runner decodes it. */
function parseAnnotations(output: string): Annotation[] {
  const decode = (text: string) => text.replaceAll("%3A", ":").replaceAll("%2C", ",").replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%25", "%");
  return [...output.matchAll(/^::(error|warning|notice)(?: ([^:]*))?::(.*)$/gm)].map(([, kind, properties, message]) => ({
    kind: kind as string,
    properties: Object.fromEntries((properties ?? "").split(",").filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf("=")), decode(pair.slice(pair.indexOf("=") + 1))])),
    message: decode(message as string),
  }));
}

const verdictOf = (result: CliResult) => JSON.parse(result.stdout) as { verdict: string; metrics: Array<{ metric: string; current: number; verdict: string; changeFraction: number | null }> };

describe("allocrun ci under glibc (libmemusage): the example and its +10% variant", () => {
  let project: Project;

  beforeAll(async () => {
    project = createProject();
    project.install("base");
    const created = await project.ci(["--update-baseline", "--", "./build/workload"]);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/baseline written to \.allocrun\/baseline\.json/);
  });

  it("writes a baseline with every exact metric, its allocator, command and environment", () => {
    const baseline = JSON.parse(readFileSync(join(project.dir, ".allocrun", "baseline.json"), "utf8"));
    expect(baseline.schemaVersion).toBe(1);
    expect(Object.keys(baseline.metrics).sort()).toEqual(["alloc_bytes", "alloc_count", "live_at_exit", "peak_heap"]);
    expect(baseline.metrics.alloc_count).toMatchObject({ kind: "deterministic", unit: "count", spreadFraction: 0 });
    // 2000 records (struct + name each), the index, stdout's buffer.
    expect(baseline.metrics.alloc_count.value).toBe(4003);
    expect(baseline.allocator).toEqual({ name: "glibc", library: null });
    expect(baseline.command).toEqual(["./build/workload"]);
    expect(baseline.environment.cpus).toBeGreaterThan(0);
  });

  // Ten attempts, a test each: one test of ten took 40 s on a loaded 2-core machine.
  it.for(Array.from({ length: 10 }, (_, index) => index + 1))("passes the unchanged program against its own baseline (attempt %i of 10)", async (attempt) => {
    const result = await project.ci(["--", "./build/workload"]);
    expect(result.exitCode, `attempt ${attempt}: ${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/^pass: 2 metrics within limits$/m);
  });

  it("counts the deterministic metrics identically from run to run", async () => {
    const seen: number[][] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await project.ci(["--json", "--metric", DETERMINISTIC, "--", "./build/workload"]);
      expect(result.exitCode, result.stderr).toBe(0);
      seen.push(verdictOf(result).metrics.map((m) => m.current));
    }
    expect(seen[0]).toHaveLength(4);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    expect(verdictOf(await project.ci(["--json", "--metric", DETERMINISTIC, "--", "./build/workload"])).metrics.every((m) => m.changeFraction === 0)).toBe(true);
  });

  describe("with the variant that allocates 10% more installed", () => {
    beforeAll(() => project.install("grown"));

    it("fails with exit 1, naming the metric and the change", async () => {
      const result = await project.ci(["--", "./build/workload"]);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(/^alloc_count\s+4,003\s+4,403\s+\+10\.0%\s+\+5%\s+REGRESSION$/m);
      expect(result.stdout).toMatch(/^memory regression: .*alloc_count \+10\.0% is more than the 5% limit/m);
    });

    it("prints GitHub annotations on GITHUB_ACTIONS=true: an error on the command, no spurious warning", async () => {
      const result = await project.ci(["--", "./build/workload"], { GITHUB_ACTIONS: "true" });
      expect(result.exitCode).toBe(1);
      const annotations = parseAnnotations(result.stdout);
      expect(annotations).toEqual([
        {
          kind: "error",
          properties: { title: "allocrun ci: memory regression" },
          message: "memory regression: peak_heap +10.1% is more than the 5% limit; alloc_count +10.0% is more than the 5% limit (command: ./build/workload)",
        },
      ]);
      // libmemusage's summary is read from stderr.log: no "no stats file was written".
      expect(result.stderr).not.toMatch(/warning/);
      expect(parseAnnotations((await project.ci(["--", "./build/workload"])).stdout)).toEqual([]);
    });

    it("passes under a --max-increase above the growth, and fails again when one metric's own limit is lower", async () => {
      expect((await project.ci(["--max-increase", "25%", "--", "./build/workload"])).exitCode).toBe(0);
      const strict = await project.ci(["--max-increase", "25%", "--max-increase", "alloc_count=5%", "--json", "--", "./build/workload"]);
      expect(strict.exitCode).toBe(1);
      expect(verdictOf(strict).metrics.filter((m) => m.verdict === "regression").map((m) => m.metric)).toEqual(["alloc_count"]);
    });

    it("writes JUnit XML, verdict.json and appends Markdown to GITHUB_STEP_SUMMARY", async () => {
      const summary = join(project.dir, "step-summary.md");
      writeFileSync(summary, "earlier step\n");
      const out = join(project.dir, "gate-out");
      const result = await project.ci(["--junit", "junit.xml", "-o", out, "--", "./build/workload"], { GITHUB_STEP_SUMMARY: summary });
      expect(result.exitCode).toBe(1);
      const markdown = readFileSync(summary, "utf8");
      expect(markdown.startsWith("earlier step\n### allocrun ci: ❌ memory regression")).toBe(true);
      expect(markdown).toMatch(/^\| alloc_count \| 4,003 \| 4,403 \| \+10\.0% \| \+5% \| REGRESSION \|$/m);
      const junit = readFileSync(join(project.dir, "junit.xml"), "utf8");
      expect(junit).toMatch(/<testsuite name="allocrun ci" tests="2" failures="2"/);
      expect(junit).toMatch(/<testcase classname="memory" name="alloc_count">\s*<failure message="\+10\.0% is more than the 5% limit"/);
      const verdict = JSON.parse(readFileSync(join(out, "verdict.json"), "utf8"));
      expect(verdict).toMatchObject({ schemaVersion: 1, verdict: "regression", exitCode: 1, allocator: { name: "glibc", library: null } });
      expect(existsSync(join(out, "summary.md"))).toBe(true);
      expect(existsSync(join(out, "exact", "stderr.log"))).toBe(true);
    });
  });
});

describe("allocrun ci budgets, both ways", () => {
  let project: Project;
  beforeAll(() => {
    project = createProject();
    project.install("base");
  });

  it("needs no baseline for a budget-only gate, and passes under the budgets", async () => {
    const result = await project.ci(["--budget", "alloc_count=5k", "--budget", "peak_heap=1MiB", "--", "./build/workload"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^alloc_count\s+—\s+4,003\s+—\s+≤ 5,000\s+ok$/m);
  });

  it("ignores the default baseline of another allocator when only budgets are asked for", async () => {
    expect((await project.ci(["--update-baseline", "--", "./build/workload"])).exitCode).toBe(0);
    const result = await project.ci(["-a", "jemalloc", "--budget", "alloc_count=5k", "--", "./build/workload"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^alloc_count\s+—\s+4,004\s+—\s+≤ 5,000\s+ok$/m);
  });

  it("fails with exit 1 over a count budget and over a size budget", async () => {
    const count = await project.ci(["--budget", "alloc_count=4000", "--", "./build/workload"]);
    expect(count.exitCode).toBe(1);
    expect(count.stdout).toMatch(/alloc_count 4,003 is over the 4,000 budget/);
    const size = await project.ci(["--budget", "peak_heap=100KiB", "--", "./build/workload"]);
    expect(size.exitCode).toBe(1);
    expect(size.stdout).toMatch(/peak_heap 126 KiB is over the 100 KiB budget/);
  });
});

describe("allocrun ci refuses what it cannot judge, with exit 2 and the fix", () => {
  let project: Project;
  beforeAll(() => {
    project = createProject();
    project.install("base");
  });

  it("stops on a missing baseline and says how to create one", async () => {
    const result = await project.ci(["--", "./build/workload"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/no baseline at .*\.allocrun\/baseline\.json — record one with --update-baseline/);
    const explicit = await project.ci(["--baseline", "nowhere.json", "--budget", "alloc_count=5k", "--", "./build/workload"]);
    expect(explicit.exitCode).toBe(2);
  });

  it("refuses a baseline recorded under another allocator", async () => {
    expect((await project.ci(["--update-baseline", "--baseline", "glibc.json", "--", "./build/workload"])).exitCode).toBe(0);
    const result = await project.ci(["--baseline", "glibc.json", "-a", "jemalloc", "--", "./build/workload"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/was recorded under glibc, but this gate runs under jemalloc — pass -a glibc/);
  });

  it("suggests the metric meant by a misspelt --metric", async () => {
    const result = await project.ci(["--metric", "peak_hep", "--", "./build/workload"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown metric "peak_hep" in --metric — did you mean peak_heap\?/);
  });

  it("names the allocators that can count a metric this one cannot", async () => {
    const result = await project.ci(["--update-baseline", "-a", "mimalloc", "--metric", "alloc_count", "--", "./build/workload"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/alloc_count cannot be counted exactly under mimalloc — gate it with -a glibc or -a jemalloc or -a tcmalloc/);
  });

  it("explains that a script starting the real program cannot be counted by libmemusage", async () => {
    const script = join(project.dir, "run.sh");
    writeFileSync(script, "#!/bin/sh\nexec ./build/workload\n", { mode: 0o755 });
    const result = await project.ci(["--update-baseline", "--", "./run.sh"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/could not count allocations: libmemusage printed no summary: .*a script that starts the real program/);
  });

  it("stops when the program fails, pointing at its output", async () => {
    const result = await project.ci(["--update-baseline", "--", "./build/workload", "0"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/the program exited with status 2 .* — its output is in .*stderr\.log \(last line: usage: workload \[percent\]\)/);
  });
});

describe("allocrun ci with the allocators' own exact counts", () => {
  for (const allocator of ["jemalloc", "tcmalloc"]) {
    it(`counts identically twice under ${allocator}, fails the +10% variant on alloc_count and names the site that grew`, async () => {
      const project = createProject();
      project.install("base");
      const metrics = ["--metric", "alloc_count,alloc_bytes,live_at_exit"];
      const created = await project.ci(["-a", allocator, "--update-baseline", ...metrics, "--", "./build/workload"]);
      expect(created.exitCode, created.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(project.dir, ".allocrun", "baseline.json"), "utf8")).profile).toEqual({ path: "baseline.sites.json", format: "allocrun-sites" });
      const again = await project.ci([...metrics, "--json", "--", "./build/workload"]);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(verdictOf(again).metrics.map((m) => m.changeFraction)).toEqual([0, 0, 0]);

      project.install("grown");
      const out = join(project.dir, "grown-gate");
      const grown = await project.ci([...metrics, "--json", "-o", out, "--", "./build/workload"], { GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: "/" });
      expect(grown.exitCode).toBe(1);
      const count = verdictOf(grown).metrics.find((m) => m.metric === "alloc_count");
      expect(count?.verdict).toBe("regression");
      expect(count?.changeFraction).toBeCloseTo(0.1, 2);
      // 200 more records, each a struct and a name: all of the growth is in make_record.
      expect(grown.stderr).toMatch(/^top growing allocation sites: make_record \+400 allocations$/m);
      // The site's source line gets its own annotation, beside the one on the command. The
      // workspace is / because the cached test build may have been compiled in another checkout.
      const [site, verdict] = parseAnnotations(grown.stderr);
      expect(site).toMatchObject({ kind: "error", properties: { title: "allocrun ci: alloc_count grew here" }, message: "make_record +400 allocations since the baseline" });
      expect(site?.properties.file).toMatch(/(^|\/)workload\.c$/);
      expect(Number(site?.properties.line)).toBeGreaterThan(0);
      expect(verdict).toMatchObject({ kind: "error", properties: { title: "allocrun ci: memory regression" } });
      expect(readFileSync(join(out, "growing-sites.md"), "utf8")).toMatch(/^\| \+400 \| 10\.0% \| 4,400 \| 4,000 \| make_record \| workload\.c:\d+ \|$/m);
      expect(readFileSync(join(out, "growing-sites.svg"), "utf8")).toMatch(/^<svg [^>]*>/m);
      expect(JSON.parse(readFileSync(join(out, "verdict.json"), "utf8")).files).toEqual(["summary.md", "verdict.json", "growing-sites.md", "growing-sites.svg"]);
    });
  }
});

describe("allocrun ci on a noisy metric", () => {
  it("says inconclusive when the change is within the measured noise, and fails beyond it", async () => {
    const project = createProject();
    project.install("base");
    const quick = ["--metric", "peak_rss", "--runs", "3", "--warmup", "0"];
    expect((await project.ci(["--update-baseline", ...quick, "--", "./build/workload"])).exitCode).toBe(0);
    const path = join(project.dir, ".allocrun", "baseline.json");
    const measured = JSON.parse(readFileSync(path, "utf8"));
    const rss = measured.metrics.peak_rss.value as number;
    const withBaseline = (value: number, spreadFraction: number) =>
      writeFileSync(path, JSON.stringify({ ...measured, metrics: { peak_rss: { ...measured.metrics.peak_rss, value, spreadFraction } } }));

    // Now about twice a baseline whose runs spread by 500%: over the 5% limit, within the
    // noise. (Factors this large keep the test independent of this machine's own RSS noise.)
    withBaseline(Math.round(rss / 2), 5);
    const unclear = await project.ci([...quick, "--", "./build/workload"]);
    expect(unclear.exitCode, unclear.stdout).toBe(0);
    expect(unclear.stdout).toMatch(/^peak_rss .* inconclusive$/m);
    expect(unclear.stdout).toMatch(/too noisy to judge/);

    // Now about fifty times the baseline: beyond the noise too.
    withBaseline(Math.round(rss / 50), 5);
    const clear = await project.ci([...quick, "--", "./build/workload"]);
    expect(clear.exitCode).toBe(1);
    expect(clear.stdout).toMatch(/^peak_rss .* REGRESSION$/m);
  });
});
