// The built CLI end to end: flags, exit codes, stdout/stderr, the four exports, and the
// HTML report in real headless Chromium.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { buildExample } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { renderInChromium } from "./chromium.js";

const temps = useTempDirs();

describe("allocrun compare with every export", () => {
  let dir = "";
  let result: CliResult;
  beforeAll(async () => {
    dir = await temps.make();
    // A path with a space: every report must show the command quoted, ready to paste.
    mkdirSync(join(dir, "my programs"));
    const holes = join(dir, "my programs", "holes");
    copyFileSync(buildExample("holes"), holes);
    result = await runCli(
      [
        "compare", "-a", "glibc,tcmalloc", "--runs", "5", "--warmup", "0", "--sample-interval", "5ms", "-o", join(dir, "cmp"),
        "--export-json", join(dir, "r.json"), "--export-markdown", join(dir, "r.md"), "--export-csv", join(dir, "r.csv"), "--export-html", join(dir, "r.html"),
        "--", holes, "16",
      ],
      { cwd: dir },
    );
  }, 120_000);

  it("exits 0 and prints the report on stdout, without colour or progress when not on a terminal", () => {
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^allocrun compare: /);
    expect(result.stdout.split("\n")[0]).toBe(`allocrun compare: '${join(dir, "my programs", "holes")}' 16`);
    expect(result.stdout).toMatch(/tcmalloc +peak RSS .* better/);
    expect(result.stdout).toMatch(/\nRecommendation: tcmalloc for this workload/);
    expect(result.stdout + result.stderr).not.toContain("\u001b[");
    expect(result.stdout + result.stderr).not.toContain("\r");
  });

  it("measures peak RSS with the native launcher's wait4, as the in-process compare does", () => {
    // Fails when the bundled CLI cannot find native/build/allocrun-launch (or presets/)
    // relative to its chunk files: every figure then falls back to sampled VmHWM.
    const report = JSON.parse(readFileSync(join(dir, "r.json"), "utf8"));
    expect(report.results[0].runs[0].peakRssMethod).toBe("wait4-rusage");
    expect(report.results[1].notes).toEqual([]);
  });

  it("writes JSON with the documented keys, and the same JSON into the compare folder", () => {
    const report = JSON.parse(readFileSync(join(dir, "r.json"), "utf8"));
    expect(report).toMatchObject({ schemaVersion: 2, baseline: "glibc", metrics: ["peakRssBytes", "meanRssBytes", "wallSeconds", "userSeconds", "sysSeconds"] });
    const [glibc, tcmalloc] = report.results;
    expect(glibc).toMatchObject({ variant: "glibc", allocator: "glibc", library: null, failedRuns: 0 });
    expect(tcmalloc.library).toMatch(/libtcmalloc\.so\.4/);
    expect(tcmalloc.runs).toHaveLength(5);
    expect(Object.keys(tcmalloc.runs[0]).sort()).toEqual(["exitCode", "failure", "folder", "iteration", "meanRssBytes", "ok", "peakRssBytes", "peakRssMethod", "signal", "sysSeconds", "timedOut", "userSeconds", "wallSeconds"]);
    expect(Object.keys(tcmalloc.peakRssBytes).sort()).toEqual(["adjustedPValue", "ci", "highSpread", "max", "median", "min", "n", "noiseFloor", "pValue", "ratio", "spread", "verdict", "verdictReason"]);
    expect(tcmalloc.peakRssBytes.verdict).toBe("better");
    expect(Object.keys(report.machine).sort()).toEqual(["cores", "loadAverage", "othersCpuCores", "stealFraction", "timeVerdictsReliable", "warning"]);
    expect(report.noise.baseline).toBe("glibc");
    expect(report.noise.runs).toHaveLength(5);
    expect(Object.keys(report.noise.metrics.wallSeconds).sort()).toEqual(["ci", "floor", "ratio"]);
    expect(report.stopped).toBeNull();
    expect(report.settings).toMatchObject({ noiseCheck: true, timeoutSeconds: null, onTimeout: "continue" });
    expect(tcmalloc.breakdown.source).toBe("tcmalloc MALLOCSTATS");
    expect(existsSync(join(report.compareFolder, tcmalloc.runs[0].folder, "manifest.json"))).toBe(true);
    expect(JSON.parse(readFileSync(join(report.compareFolder, "compare.json"), "utf8"))).toEqual(report);
  });

  it("writes Markdown tables ready for a pull request", () => {
    const markdown = readFileSync(join(dir, "r.md"), "utf8");
    expect(markdown.split("\n")[0]).toBe(`### allocrun compare: \`'${join(dir, "my programs", "holes")}' 16\``);
    expect(markdown).toContain("| variant | ok runs | peak RSS | mean RSS | wall | user | sys |");
    expect(markdown).toMatch(/\*\*Recommendation: tcmalloc/);
  });

  it("writes one CSV row per variant and metric", () => {
    const lines = readFileSync(join(dir, "r.csv"), "utf8").trimEnd().split("\r\n");
    expect(lines[0]).toBe("variant,allocator,metric,n,failed_runs,median,min,max,iqr,mad,relative_mad,ratio,ci_low,ci_high,ci_level,p_value,verdict,adjusted_p_value,noise_floor,verdict_reason");
    expect(lines).toHaveLength(1 + 2 * 5);
    const tcmallocPeak = lines.find((line) => line.startsWith("tcmalloc,tcmalloc,peakRssBytes,5,0,"))?.split(",") ?? [];
    expect(tcmallocPeak.slice(16, 18), lines.join("\n")).toEqual(["better", expect.stringMatching(/^[\d.e-]+$/)]);
    // The floor is the largest of --min-effect (1%) and twice the runs' scatter (1.04% seen under load).
    expect(Number(tcmallocPeak[18])).toBeGreaterThanOrEqual(0.01);
    expect(tcmallocPeak[19]).toBe("");
  });

  it("writes an HTML report that renders its charts in headless Chromium, offline and without script errors", () => {
    const html = readFileSync(join(dir, "r.html"), "utf8");
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).toContain(`<h1>allocrun compare: <code>&#39;${join(dir, "my programs", "holes")}&#39; 16</code></h1>`);
    const page = renderInChromium(join(dir, "r.html"));
    expect(page.consoleLines).toEqual([]);
    expect(page.dom).toContain('data-charts-ready="3"');
    expect(page.dom.match(/<g class="series" data-series="\d+">/g)).toHaveLength(2);
    expect(page.dom.match(/<g class="point" data-series="\d+">/g)).toHaveLength(2);
    expect(page.dom).toMatch(/Pareto front \(no other variant is both smaller and faster\): <strong>[^<]*tcmalloc/);
  });
});

describe("allocrun compare refuses bad requests before running anything", () => {
  it("exits 2 and suggests the allocator meant", async () => {
    const result = await runCli(["compare", "-a", "glibc,tcmaloc", "--", "true"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown allocator "tcmaloc".*did you mean "tcmalloc"/);
  });

  it("exits 2 when the baseline is not one of the variants", async () => {
    const result = await runCli(["compare", "-a", "glibc,tcmalloc", "--baseline", "jemalloc", "--", "true"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--baseline jemalloc is not one of the compared variants — choose one of glibc, tcmalloc/);
  });

  it("exits 2 for an export into a missing folder without creating a compare folder", async () => {
    const dir = await temps.make();
    const result = await runCli(["compare", "-a", "glibc", "-o", join(dir, "cmp"), "--export-html", join(dir, "missing", "r.html"), "--", "true"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/cannot write .*r\.html: its folder .* does not exist/);
    expect(existsSync(join(dir, "cmp"))).toBe(false);
  });

  it("exits 2 for a missing --input file", async () => {
    const result = await runCli(["compare", "-a", "glibc", "--input", "/nonexistent/input", "--", "cat"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--input \/nonexistent\/input: no such file/);
  });
});
