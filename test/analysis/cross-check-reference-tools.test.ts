// allocrun against jeprof (jemalloc) and google-pprof (gperftools heap and CPU) on real
// profiles: the same total, and the same functions at the top, wherever those tools name
// code correctly. Where they cannot (stripped objects: they print the nearest exported
// symbol), allocrun must say object+0xADDR and list the object as lacking symbols.
import { describe, expect, it } from "vitest";
import { analyzeProfile, type Analysis, type PreparedProfile } from "../../src/analysis/analysis.js";
import { chooseSampleType, type SampleTypeRequest } from "../../src/analysis/sample-type.js";
import { analyzeFixture, prepareFixture, readReferenceReport, type ReferenceRow } from "./reference-reports.js";

const close = (a: number, b: number) => Math.abs(a - b) <= 1;

/** Per function name, the value of stacks whose leaf location (any inline level) is in it. */
function leafLocationValues(prepared: PreparedProfile, sampleType: string): Map<string, number> {
  const { profile } = prepared;
  const column = profile.sampleTypes.findIndex((type) => type.type === sampleType);
  const names = new Map(profile.functions.map((fn) => [fn.id, fn.name]));
  const locations = new Map(profile.locations.map((location) => [location.id, location]));
  const values = new Map<string, number>();
  for (const sample of profile.samples) {
    const leaf = locations.get(sample.locationIds[0] ?? -1);
    const value = sample.values[column] ?? 0;
    for (const name of new Set(leaf?.lines.map((line) => names.get(line.functionId) ?? "") ?? [])) values.set(name, (values.get(name) ?? 0) + value);
  }
  return values;
}

type Match = "same name" | "inline level of the same location" | "stripped object";

function matchFlatRow(theirs: ReferenceRow, analysis: Analysis, leafValues: Map<string, number>): Match | undefined {
  const ours = analysis.rows.find((row) => row.fn.name === theirs.name);
  if (ours !== undefined && close(ours.flat, theirs.flat)) return "same name";
  if (close(leafValues.get(theirs.name) ?? Number.NaN, theirs.flat)) return "inline level of the same location";
  const stripped = new Set(analysis.unsymbolizedObjects.map((object) => object.path.slice(object.path.lastIndexOf("/") + 1)));
  const unnamed = analysis.rows.find((row) => row.fn.name.startsWith(`${row.fn.object}+0x`) && close(row.flat, theirs.flat));
  if (unnamed !== undefined && stripped.has(unnamed.fn.object)) return "stripped object";
  return undefined;
}

interface Case {
  fixture: string;
  request: SampleTypeRequest;
  reference: string;
}

const CASES: Case[] = [
  { fixture: "leak.jemalloc.f.heap", request: {}, reference: "leak.jemalloc.f.inuse_space.jeprof.txt" },
  { fixture: "leak.jemalloc.f.heap", request: { objects: true }, reference: "leak.jemalloc.f.inuse_objects.jeprof.txt" },
  { fixture: "leak.jemalloc-accum.f.heap", request: { alloc: true }, reference: "leak.jemalloc-accum.f.alloc_space.jeprof.txt" },
  { fixture: "leak.jemalloc-accum.f.heap", request: { alloc: true, objects: true }, reference: "leak.jemalloc-accum.f.alloc_objects.jeprof.txt" },
  { fixture: "leak.jemalloc-series.i2.heap", request: {}, reference: "leak.jemalloc-series.i2.inuse_space.jeprof.txt" },
  { fixture: "leak.tcmalloc.0005.heap", request: {}, reference: "leak.tcmalloc.0005.inuse_space.pprof.txt" },
  { fixture: "leak.tcmalloc.0005.heap", request: { alloc: true }, reference: "leak.tcmalloc.0005.alloc_space.pprof.txt" },
  { fixture: "leak.tcmalloc.0005.heap", request: { alloc: true, objects: true }, reference: "leak.tcmalloc.0005.alloc_objects.pprof.txt" },
  { fixture: "leak.tcmalloc.0003.heap", request: {}, reference: "leak.tcmalloc.0003.inuse_space.pprof.txt" },
  { fixture: "churn.cpu.prof", request: { objects: true }, reference: "churn.cpu.pprof.txt" },
];

describe("allocrun analyze agrees with jeprof and google-pprof on real profiles", () => {
  for (const { fixture, request, reference } of CASES) {
    it(`matches the total and the top-10 functions of ${reference}`, async () => {
      const prepared = await prepareFixture(fixture);
      const sampleType = chooseSampleType(prepared.profile, request);
      const analysis = analyzeProfile(prepared, sampleType);
      const theirs = readReferenceReport(reference);
      expect(Math.abs(analysis.total - theirs.total)).toBeLessThanOrEqual(1);

      const leafValues = leafLocationValues(prepared, sampleType);
      const topFlat = theirs.rows.filter((row) => row.flat > 0).slice(0, 10);
      expect(topFlat.length).toBeGreaterThan(0);
      const matches = topFlat.map((row) => [row.name, matchFlatRow(row, analysis, leafValues)]);
      expect(matches.filter(([, match]) => match === undefined)).toEqual([]);

      // By cum: every function at or above their 10th cumulative value, with at least
      // their cum (allocrun also counts callers that inlined a function).
      const byCum = [...theirs.rows].sort((a, b) => b.cum - a.cum);
      const threshold = byCum[Math.min(9, byCum.length - 1)]?.cum ?? 0;
      for (const row of byCum.filter((candidate) => candidate.cum >= threshold)) {
        const ours = analysis.rows.find((candidate) => candidate.fn.name === row.name);
        const unnamed = analysis.rows.find((candidate) => candidate.fn.name.includes("+0x") && close(candidate.cum, row.cum));
        expect(ours !== undefined ? ours.cum >= row.cum - 1 : unnamed !== undefined, `${row.name} cum ${row.cum}`).toBe(true);
      }
    });
  }

  it("names the libstdc++ start-up allocation libstdc++.so.6.0.30+0x…, where jeprof prints an unrelated export", async () => {
    const analysis = await analyzeFixture("leak.jemalloc.f.heap");
    const theirs = readReferenceReport("leak.jemalloc.f.inuse_space.jeprof.txt");
    const wrong = theirs.rows.find((row) => row.name.startsWith("std::__throw_ios_failure"));
    expect(wrong?.flat).toBeGreaterThan(0);
    const ours = analysis.rows.find((row) => close(row.flat, wrong?.flat ?? -1));
    expect(ours?.fn.name).toMatch(/^libstdc\+\+\.so\.6\.0\.30\+0x[0-9a-f]+$/);
    expect(analysis.unsymbolizedObjects.map((object) => object.path)).toContain("/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30");
  });
});
