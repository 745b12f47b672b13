// JSON keys, the flame graph SVG (well-formed, self-contained, differential colours), the
// pprof export read back by `go tool pprof`, and the dot call graph rendered by Graphviz.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Profile as PprofProfile } from "pprof-format";
import { describe, expect, it } from "vitest";
import { analyzeProfile, type PreparedProfile } from "../../src/analysis/analysis.js";
import { loadPreparedProfiles } from "../../src/analysis/load-profile.js";
import { chooseSampleType } from "../../src/analysis/sample-type.js";
import { findTool } from "../../src/detect/find-tool.js";
import { renderDotGraph } from "../../src/report/dot-graph.js";
import { renderFlameGraphSvg } from "../../src/report/flame-svg.js";
import { renderWithGraphviz } from "../../src/report/graphviz.js";
import { ANALYSIS_SCHEMA_VERSION, buildAnalysisJson } from "../../src/report/json-report.js";
import { encodePprof } from "../../src/report/pprof-export.js";
import { fixtureSymbolizeOptions, readReferenceReport } from "../analysis/reference-reports.js";
import { fixturePath } from "../profile/fixtures.js";
import { useTempDirs } from "../helpers/temp-dir.js";

/** Scratch folders, removed after this file's tests. */
const scratchDirs = useTempDirs();

const PATH = process.env.PATH ?? "";
const scratch = () => scratchDirs.makeSync("allocrun-export-");

async function prepare(...names: string[]): Promise<PreparedProfile[]> {
  return loadPreparedProfiles(names.map(fixturePath), fixtureSymbolizeOptions());
}

/** Parses XML with Python's expat-based parser: throws on anything not well-formed. */
function parseXml(text: string): void {
  const path = join(scratch(), "doc.xml");
  writeFileSync(path, text);
  execFileSync("python3", ["-c", "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])", path], { stdio: ["ignore", "ignore", "pipe"] });
}

/** The fill of the first frame whose tooltip starts with `name`. */
function fillOf(svg: string, name: string): string | undefined {
  return new RegExp(`<title>${name} — [^<]*</title><rect [^>]*fill="(rgb\\([^)]*\\))"`).exec(svg)?.[1];
}

function expectSelfContained(svg: string): void {
  // The SVG namespace is an identifier, not a fetch; nothing else may point outside.
  const withoutNamespace = svg.replace(/xmlns(:\w+)?="[^"]*"/g, "");
  expect(withoutNamespace).not.toMatch(/https?:\/\//);
  expect(svg).not.toMatch(/<script[^>]*\ssrc=/);
  expect(svg).not.toMatch(/(xlink:)?href=/);
  expect(svg).not.toMatch(/@import|url\(/);
}

describe("json", () => {
  it("has the documented keys, top sorted by flat", async () => {
    const [current] = await prepare("leak.jemalloc.f.heap");
    const json = buildAnalysisJson(analyzeProfile(current as PreparedProfile, "inuse_space"), 5) as Record<string, unknown>;
    expect(json).toMatchObject({ schemaVersion: ANALYSIS_SCHEMA_VERSION, kind: "profile", sampleType: "inuse_space", unit: "bytes", format: "jemalloc-heap" });
    const top = json.top as Record<string, unknown>[];
    expect(top).toHaveLength(5);
    expect(Object.keys(top[0] ?? {}).sort()).toEqual(["cum", "cumPercent", "file", "flat", "flatPercent", "function", "line", "object"]);
    expect(top[0]).toMatchObject({ function: "leaf_alloc", object: "leak", line: expect.any(Number), file: expect.stringMatching(/leak\.c$/) });
    const flats = top.map((row) => row.flat as number);
    expect([...flats].sort((a, b) => b - a)).toEqual(flats);
    expect(Math.abs((json.total as number) - 32998413)).toBeLessThanOrEqual(1);
    expect(json.unsymbolizedObjects).toEqual([expect.objectContaining({ path: "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", reason: "stripped" })]);
  });

  it("adds base and delta per row against a base profile", async () => {
    const [current, base] = await prepare("leak.tcmalloc.0005.heap", "leak.tcmalloc.0003.heap");
    const json = buildAnalysisJson(analyzeProfile(current as PreparedProfile, "inuse_space", base), 10) as Record<string, unknown>;
    expect(json).toMatchObject({ kind: "diff", base: { total: 22411808 }, deltaTotal: 32902336 - 22411808 });
    const leaf = (json.top as Record<string, unknown>[])[0];
    const baseFlat = readReferenceReport("leak.tcmalloc.0003.inuse_space.pprof.txt").rows.find((row) => row.name === "leaf_alloc")?.flat ?? -1;
    expect(leaf).toMatchObject({ function: "leaf_alloc", flat: 32737280, base: { flat: baseFlat }, delta: { flat: 32737280 - baseFlat } });
  });
});

describe("flame graph svg", () => {
  it("is well-formed, self-contained and interactive", async () => {
    const [current] = await prepare("leak.jemalloc.f.heap");
    const svg = renderFlameGraphSvg(analyzeProfile(current as PreparedProfile, "inuse_space"));
    parseXml(svg);
    expectSelfContained(svg);
    expect(svg).toContain("<script");
    for (const feature of ["function zoom", "function search", "mouseover"]) expect(svg).toContain(feature);
    // Static reading: each frame carries its label and a tooltip without any script running.
    expect(svg).toMatch(/<title>leaf_alloc — 20\.0 MiB \(63\.\d+%\) · [^<]*leak\.c<\/title>/);
    expect(svg).toMatch(/<text[^>]*>leaf_alloc<\/text>/);
  });

  it("fits the window's width and opens on the flame: outermost frames first, under the title", async () => {
    const [current] = await prepare("leak.jemalloc.f.heap");
    const svg = renderFlameGraphSvg(analyzeProfile(current as PreparedProfile, "inuse_space"));
    expect(svg).toMatch(/<svg [^>]*width="100%"[^>]*viewBox="0 0 1200 \d+"/);
    const yOf = (name: string) => Number(new RegExp(`<title>${name} — [^<]*</title><rect [^>]*y="(\\d+)"`).exec(svg)?.[1]);
    // main calls leaf_alloc: the caller sits above its callee, and the first row starts right under the title.
    expect(yOf("main")).toBeLessThan(yOf("leaf_alloc"));
    const rows = [...svg.matchAll(/<rect x="[^"]*" y="(\d+)"/g)].map((match) => Number(match[1]));
    expect(Math.min(...rows)).toBeLessThan(60);
  });

  it("escapes names that would break XML", async () => {
    const [current] = await prepare("leak.jemalloc.f.heap");
    const prepared = current as PreparedProfile;
    const renamed = { ...prepared, profile: { ...prepared.profile, functions: prepared.profile.functions.map((fn) => (fn.name === "main" ? { ...fn, name: "std::map<int, \"x\">::operator<&>" } : fn)) } };
    const svg = renderFlameGraphSvg(analyzeProfile(renamed, "inuse_space"));
    parseXml(svg);
    expect(svg).toContain("std::map&lt;int, &quot;x&quot;&gt;::operator&lt;&amp;&gt;");
  });

  it("colours growth red and shrinkage blue against a base, and stays well-formed", async () => {
    const [current, base] = await prepare("leak.tcmalloc.0005.heap", "leak.tcmalloc.0003.heap");
    const svg = renderFlameGraphSvg(analyzeProfile(current as PreparedProfile, "inuse_space", base));
    parseXml(svg);
    expectSelfContained(svg);
    expect(fillOf(svg, "thread_keep")).toBe("rgb(255,51,51)");
    expect(svg).toContain("Differential flame graph");
    const [older, newer] = await prepare("leak.tcmalloc.0003.heap", "leak.tcmalloc.0005.heap");
    const shrinking = renderFlameGraphSvg(analyzeProfile(older as PreparedProfile, "inuse_space", newer));
    expect(fillOf(shrinking, "thread_keep")).toBe("rgb(51,51,255)");
    expect(fillOf(shrinking, "leak_small")).toBe("rgb(250,250,250)");
  });
});

describe("pprof export", () => {
  const go = findTool("go", PATH);

  it("round-trips through pprof-format with every sample type and symbolized locations", async () => {
    const [current] = await prepare("leak.jemalloc-accum.f.heap");
    const prepared = current as PreparedProfile;
    const decoded = PprofProfile.decode(gunzipSync(encodePprof(prepared, { defaultSampleType: "inuse_space" })));
    const strings = decoded.stringTable.strings;
    expect(decoded.sampleType.map((type) => strings[Number(type.type)])).toEqual(prepared.profile.sampleTypes.map((type) => type.type));
    expect(decoded.function.map((fn) => strings[Number(fn.name)])).toContain("leaf_alloc");
  });

  for (const [fixture, sampleType] of [
    ["leak.jemalloc.f.heap", "inuse_space"],
    ["leak.tcmalloc.0005.heap", "alloc_space"],
    ["churn.cpu.prof", "cpu"],
  ] as const) {
    it.skipIf(go === undefined)(`is read by go tool pprof -top, which agrees on the ${sampleType} total of ${fixture}`, async () => {
      const [current] = await prepare(fixture);
      const prepared = current as PreparedProfile;
      const analysis = analyzeProfile(prepared, chooseSampleType(prepared.profile, sampleType === "alloc_space" ? { alloc: true } : {}));
      const file = join(scratch(), "profile.pb.gz");
      writeFileSync(file, encodePprof(prepared, { defaultSampleType: sampleType }));
      const unit = sampleType === "cpu" ? "ns" : "B";
      const top = execFileSync(go as string, ["tool", "pprof", "-top", `-unit=${unit}`, file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      const total = /of (\d+)(?:B|ns) total/.exec(top)?.[1];
      expect(Number(total)).toBe(Math.round(analysis.total));
      expect(top).toContain(analysis.rows[0]?.fn.name);
    });
  }

  it.skipIf(go === undefined)("exports NEW − OLD like pprof -diff_base, percentages of the base total", async () => {
    const [current, base] = await prepare("leak.tcmalloc.0005.heap", "leak.tcmalloc.0003.heap");
    const file = join(scratch(), "diff.pb.gz");
    writeFileSync(file, encodePprof(current as PreparedProfile, { defaultSampleType: "inuse_space", base }));
    const top = execFileSync(go as string, ["tool", "pprof", "-top", "-unit=B", file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(top).toMatch(/of 22411808B total/);
    expect(top).toMatch(/10485760B\s+46\.79%.*leaf_alloc/);
  });
});

describe("dot call graph", () => {
  it("draws jeprof-style boxes and edges, and Graphviz renders it to well-formed SVG", async () => {
    const [current] = await prepare("leak.jemalloc.f.heap");
    const dot = renderDotGraph(analyzeProfile(current as PreparedProfile, "inuse_space"));
    expect(dot).toMatch(/^digraph "allocrun" \{/);
    expect(dot).toMatch(/N\d+ \[label="leaf_alloc\\n31\.1 MiB \(98\.8%\)\\n",shape=box/);
    expect(dot).toMatch(/N\d+ -> N\d+ \[label="20\.0 MiB"/);
    if (findTool("dot", PATH) === undefined) return;
    const svg = renderWithGraphviz(dot, "svg").toString("utf8");
    parseXml(svg);
    expect(svg).toContain("leaf_alloc");
  });

  it("colours growing functions red against a base", async () => {
    const [current, base] = await prepare("leak.tcmalloc.0005.heap", "leak.tcmalloc.0003.heap");
    const dot = renderDotGraph(analyzeProfile(current as PreparedProfile, "inuse_space", base));
    expect(dot).toMatch(/label="thread_keep\\n\+?0 B[^"]*\\nof \+10\.0 MiB[^"]*",shape=box,fontsize=\d+,style=filled,fillcolor="#ffcccc"/);
  });
});
