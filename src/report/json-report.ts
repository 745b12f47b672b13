// `--format json`: stable keys, documented here; bump ANALYSIS_SCHEMA_VERSION on any
// incompatible change.
//
// {
//   "schemaVersion": 1,
//   "kind": "profile" | "diff" | "growth",
//   "source": "<profile path>",          (growth: "sources": [paths in series order])
//   "format": "jemalloc-heap" | "gperftools-heap" | "gperftools-cpu" | "pprof",
//   "sampleType": "inuse_space" | "inuse_objects" | "alloc_space" | "alloc_objects" | "cpu" | "samples",
//   "unit": "bytes" | "count" | "nanoseconds",
//   "total": <number>                    un-sampled sum over all stacks, in `unit`
//   "top": [                             top N by flat value (diff: changed rows by |delta.flat|)
//     { "function", "flat", "cum", "flatPercent", "cumPercent",   (percent of total, 0-100)
//       "file": "<source path>" | null, "line": <number> | null, "object": "<basename>" | null,
//       diff only: "base": { "flat", "cum" }, "delta": { "flat", "cum" } } ],
//   diff only: "base": { "source", "total" }, "deltaTotal",
//   growth only: "totals": [per dump], "ignoredSources": [trailing dumps left out: the
//       program had freed its heap], "sites": [ { "function", "file", "line", "object",
//       "values": [per ranked dump], "slopePerDump", "slopePerSecond" (null when the dumps'
//       times are unknown), "monotonicity", "r2", "score" } ],
//   "unsymbolizedObjects": [ { "path", "reason": "stripped" | "missing" | "unreadable" | "changed" (rebuilt since the run),
//       "addresses", "hint" } ]
// }
import type { Analysis, GrowthAnalysis } from "../analysis/analysis.js";
import type { DiffRow } from "../analysis/diff.js";
import type { FunctionRow } from "../analysis/function-table.js";
import { percentOf } from "./values.js";

export const ANALYSIS_SCHEMA_VERSION = 1;

const round2 = (value: number) => Math.round(value * 100) / 100;
const roundValue = (value: number) => (Number.isInteger(value) ? value : round2(value));

function rowLocation(row: { fn: FunctionRow["fn"]; line: number }) {
  return {
    file: row.fn.file === "" ? null : row.fn.file,
    line: row.line === 0 ? null : row.line,
    object: row.fn.object === "" ? null : row.fn.object,
  };
}

function topRow(row: FunctionRow, total: number) {
  return {
    function: row.fn.name,
    flat: roundValue(row.flat),
    cum: roundValue(row.cum),
    flatPercent: round2(percentOf(row.flat, total)),
    cumPercent: round2(percentOf(row.cum, total)),
    ...rowLocation(row),
  };
}

function diffRow(row: DiffRow, total: number) {
  return {
    ...topRow(row, total),
    base: { flat: roundValue(row.baseFlat), cum: roundValue(row.baseCum) },
    delta: { flat: roundValue(row.deltaFlat), cum: roundValue(row.deltaCum) },
  };
}

export function buildAnalysisJson(analysis: Analysis, top: number): Record<string, unknown> {
  const common = {
    schemaVersion: ANALYSIS_SCHEMA_VERSION,
    kind: analysis.base === undefined ? "profile" : "diff",
    source: analysis.source,
    format: analysis.format,
    sampleType: analysis.sampleType.type,
    unit: analysis.sampleType.unit,
    total: roundValue(analysis.total),
  };
  if (analysis.base === undefined) {
    return { ...common, top: analysis.rows.slice(0, top).map((row) => topRow(row, analysis.total)), unsymbolizedObjects: analysis.unsymbolizedObjects };
  }
  return {
    ...common,
    base: { source: analysis.base.source, total: roundValue(analysis.base.stacks.total) },
    deltaTotal: roundValue(analysis.total - analysis.base.stacks.total),
    top: analysis.base.diff.rows
      .filter((row) => row.deltaFlat !== 0 || row.deltaCum !== 0)
      .slice(0, top)
      .map((row) => diffRow(row, analysis.total)),
    unsymbolizedObjects: analysis.unsymbolizedObjects,
  };
}

export function buildGrowthJson(growth: GrowthAnalysis, top: number): Record<string, unknown> {
  return {
    schemaVersion: ANALYSIS_SCHEMA_VERSION,
    kind: "growth",
    sources: growth.sources,
    format: growth.format,
    sampleType: growth.sampleType.type,
    unit: growth.sampleType.unit,
    total: roundValue(growth.totals[growth.totals.length - 1] ?? 0),
    totals: growth.totals.map(roundValue),
    ignoredSources: growth.ignoredSources,
    sites: growth.rows.slice(0, top).map((row) => ({
      function: row.fn.name,
      ...rowLocation(row),
      values: row.values.map(roundValue),
      slopePerDump: roundValue(row.slope),
      slopePerSecond: row.slopePerSecond === undefined ? null : roundValue(row.slopePerSecond),
      monotonicity: round2(row.monotonicity),
      r2: round2(row.r2),
      score: roundValue(row.score),
    })),
    unsymbolizedObjects: growth.unsymbolizedObjects,
  };
}

export const renderJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
