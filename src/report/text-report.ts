// The default report: the total, then the top N functions by flat and by cumulative value
// (jeprof --text's columns), in terminal, Markdown or CSV row syntax. With a base profile
// the tables show the change per function instead.
import { basename } from "node:path";
import type { Analysis, GrowthAnalysis } from "../analysis/analysis.js";
import type { DiffRow } from "../analysis/diff.js";
import { sortByCum, type FunctionRow } from "../analysis/function-table.js";
import { keepMeaningfulObjects, type UnsymbolizedObject } from "../symbolize/unsymbolized-hints.js";
import type { StackTable } from "../analysis/stack-table.js";
import { isUnnamedFunction } from "../analysis/stacks.js";
import { findHeaviestCallers, formatCallerChain, type CallerChain } from "./callers.js";
import { cell, renderTable, type Cell, type Table, type TableStyle } from "./table.js";
import { formatDelta, formatPercentOf, formatValue, percentOf } from "./values.js";

export interface TextReportOptions {
  top: number;
  style: TableStyle;
  /** Also show the table by cumulative value (default true). */
  withCumTable?: boolean;
}

/** "leak.c:20", or the object for frames without source: "(libc.so.6)". */
export function locationText(row: { fn: { file: string; object: string }; line: number }): string {
  if (row.fn.file !== "") return row.line > 0 ? `${basename(row.fn.file)}:${row.line}` : basename(row.fn.file);
  return row.fn.object === "" ? "" : `(${row.fn.object})`;
}

const round = (value: number) => Math.round(value);

/** The per-function table; with `callers`, a last column names each row's heaviest callers. */
function functionTable(rows: FunctionRow[], analysis: Analysis, callers?: Map<string, CallerChain>): Table {
  const { unit } = analysis.sampleType;
  let running = 0;
  return {
    columns: [
      { header: "flat", align: "right" },
      { header: "flat%", key: "flat_percent", align: "right" },
      { header: "sum%", key: "sum_percent", align: "right" },
      { header: "cum", align: "right" },
      { header: "cum%", key: "cum_percent", align: "right" },
      { header: "function", align: "left" },
      { header: "location", align: "left" },
      ...(callers ? [{ header: "called from", key: "called_from", align: "left" as const }] : []),
    ],
    rows: rows.map((row): Cell[] => {
      running += row.flat;
      return [
        cell(formatValue(row.flat, unit), round(row.flat)),
        cell(formatPercentOf(row.flat, analysis.total), percentOf(row.flat, analysis.total).toFixed(2)),
        cell(formatPercentOf(running, analysis.total), percentOf(running, analysis.total).toFixed(2)),
        cell(formatValue(row.cum, unit), round(row.cum)),
        cell(formatPercentOf(row.cum, analysis.total), percentOf(row.cum, analysis.total).toFixed(2)),
        cell(row.fn.name),
        cell(locationText(row), row.fn.file === "" ? "" : `${row.fn.file}:${row.line}`),
        ...(callers ? [cell(formatCallerChain(callers.get(row.fn.key)))] : []),
      ];
    }),
  };
}

function diffTable(rows: DiffRow[], analysis: Analysis, field: "Flat" | "Cum"): Table {
  const { unit } = analysis.sampleType;
  const baseTotal = analysis.base?.stacks.total ?? 0;
  const delta = (row: DiffRow) => (field === "Flat" ? row.deltaFlat : row.deltaCum);
  return {
    columns: [
      { header: `${field.toLowerCase()} Δ`, key: `delta_${field.toLowerCase()}`, align: "right" },
      { header: "Δ% of base", key: "delta_percent_of_base_total", align: "right" },
      { header: "new", key: `new_${field.toLowerCase()}`, align: "right" },
      { header: "base", key: `base_${field.toLowerCase()}`, align: "right" },
      { header: "function", align: "left" },
      { header: "location", align: "left" },
    ],
    rows: rows.map((row): Cell[] => [
      cell(formatDelta(delta(row), unit), round(delta(row))),
      cell(baseTotal === 0 ? "" : formatPercentOf(delta(row), baseTotal), baseTotal === 0 ? "" : percentOf(delta(row), baseTotal).toFixed(2)),
      cell(formatValue(field === "Flat" ? row.flat : row.cum, unit), round(field === "Flat" ? row.flat : row.cum)),
      cell(formatValue(field === "Flat" ? row.baseFlat : row.baseCum, unit), round(field === "Flat" ? row.baseFlat : row.baseCum)),
      cell(row.fn.name),
      cell(locationText(row), row.fn.file === "" ? "" : `${row.fn.file}:${row.line}`),
    ]),
  };
}

function heading(text: string, style: TableStyle): string {
  return style === "markdown" ? `\n### ${text}\n\n` : `\n${text}:\n`;
}

export function totalLine(analysis: Analysis): string {
  const { type, unit } = analysis.sampleType;
  const exact = unit === "bytes" ? ` (${Math.round(analysis.total)} bytes)` : "";
  if (analysis.base === undefined) return `Total: ${formatValue(analysis.total, unit)} ${type}${exact} in ${analysis.stacks.stackCount} stacks — ${basename(analysis.source)}`;
  const change = analysis.total - analysis.base.stacks.total;
  return `Total: ${formatValue(analysis.total, unit)} ${type}, base ${formatValue(analysis.base.stacks.total, unit)}, change ${formatDelta(change, unit)} — ${basename(analysis.source)} vs ${basename(analysis.base.source)}`;
}

export function renderUnsymbolizedNote(objects: UnsymbolizedObject[], style: TableStyle): string {
  if (objects.length === 0) return "";
  const lines = objects.map((object) => {
    const count = object.reason === "missing" ? "file not found" : `${object.addresses} address${object.addresses === 1 ? "" : "es"}`;
    return `${style === "markdown" ? "- " : "  "}${basename(object.path)} (${count}): ${object.hint}`;
  });
  return `${heading("Objects without symbols (their frames show as object+0xADDR)", style)}${lines.join("\n")}\n`;
}

/** The whole text/Markdown report; CSV gets one table (top N by flat, or by change). */
export function renderTextReport(analysis: Analysis, options: TextReportOptions): string {
  const { top, style } = options;
  const diff = analysis.base?.diff;
  if (style === "csv") {
    const changed = diff?.rows.filter((row) => row.deltaFlat !== 0);
    return renderTable(changed ? diffTable(changed.slice(0, top), analysis, "Flat") : functionTable(analysis.rows.slice(0, top), analysis), "csv");
  }
  const parts: string[] = [style === "markdown" ? `**${totalLine(analysis)}**\n` : `${totalLine(analysis)}\n`];
  const indent = style === "terminal" ? "  " : "";
  if (diff) {
    const byFlat = diff.rows.filter((row) => row.deltaFlat !== 0);
    const byCum = diff.rows.filter((row) => row.deltaCum !== 0).sort((a, b) => Math.abs(b.deltaCum) - Math.abs(a.deltaCum));
    parts.push(heading(`Top ${top} changes by flat`, style), renderTable(diffTable(byFlat.slice(0, top), analysis, "Flat"), style, indent));
    if (options.withCumTable !== false) parts.push(heading(`Top ${top} changes by cum`, style), renderTable(diffTable(byCum.slice(0, top), analysis, "Cum"), style, indent));
  } else {
    // Functions that allocate (or run) nothing themselves belong in the cum table only.
    const topByFlat = analysis.rows.filter((row) => row.flat !== 0).slice(0, top);
    const callers = findHeaviestCallers(analysis.stacks, undefined, new Set(topByFlat.map((row) => row.fn.key)));
    parts.push(heading(`Top ${top} by flat`, style), renderTable(functionTable(topByFlat, analysis, callers), style, indent));
    if (options.withCumTable !== false) parts.push(heading(`Top ${top} by cum`, style), renderTable(functionTable(sortByCum([...analysis.rows]).slice(0, top), analysis), style, indent));
  }
  parts.push(renderUnsymbolizedNote(keepMeaningfulObjects(analysis.unsymbolizedObjects, valueHeldByUnnamedFrames(analysis.stacks), analysis.total), style));
  return parts.join("");
}

/** Per object file name: the value of the stacks that pass through its unnamed frames. */
function valueHeldByUnnamedFrames(table: StackTable): Map<string, number> {
  // Whether a function is unnamed is decided once per function, not once per frame; a
  // stack counts once per object (`lastStack`) however many of its frames are in it.
  const objects: string[] = [];
  const objectOfFunction = table.functions.map((fn) => {
    if (!isUnnamedFunction(fn)) return -1;
    const known = objects.indexOf(fn.object);
    return known === -1 ? objects.push(fn.object) - 1 : known;
  });
  const held = new Float64Array(objects.length);
  const lastStack = new Int32Array(objects.length).fill(-1);
  const { frameFunctions, stackFrames, stackStarts, values } = table;
  for (let s = 0; s < table.stackCount; s++) {
    const end = stackStarts[s + 1] as number;
    for (let i = stackStarts[s] as number; i < end; i++) {
      const object = objectOfFunction[frameFunctions[stackFrames[i] as number] as number] as number;
      if (object === -1 || lastStack[object] === s) continue;
      lastStack[object] = s;
      held[object] = (held[object] as number) + (values[s] as number);
    }
  }
  return new Map(objects.map((object, index) => [object, held[index] as number]));
}

const SPARKS = "▁▂▃▄▅▆▇█";

/** A one-line trend of a series: "▁▃▅█". */
export function sparkline(values: readonly number[]): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return values.map((value) => SPARKS[high === low ? 0 : Math.round(((value - low) / (high - low)) * (SPARKS.length - 1))]).join("");
}

/** Growth ranking across a series of dumps. */
export function renderGrowthReport(growth: GrowthAnalysis, options: TextReportOptions): string {
  const { unit, type } = growth.sampleType;
  const perSecond = growth.perSecond;
  const table: Table = {
    columns: [
      { header: "slope/dump", key: "slope_per_dump", align: "right" },
      ...(perSecond ? [{ header: "per second", key: "slope_per_second", align: "right" as const }] : []),
      { header: "steady", key: "monotonicity", align: "right" },
      { header: "trend", align: "left" },
      { header: "first", align: "right" },
      { header: "last", align: "right" },
      { header: "function", align: "left" },
      { header: "location", align: "left" },
    ],
    rows: growth.rows.slice(0, options.top).map((row): Cell[] => [
      cell(formatDelta(row.slope, unit), round(row.slope)),
      ...(perSecond ? [cell(`${formatDelta(row.slopePerSecond ?? 0, unit)}/s`, round(row.slopePerSecond ?? 0))] : []),
      cell(row.monotonicity.toFixed(2), row.monotonicity.toFixed(3)),
      cell(sparkline(row.values), row.values.map(round).join(" ")),
      cell(formatValue(row.values[0] ?? 0, unit), round(row.values[0] ?? 0)),
      cell(formatValue(row.values[row.values.length - 1] ?? 0, unit), round(row.values[row.values.length - 1] ?? 0)),
      cell(row.fn.name),
      cell(locationText(row), row.fn.file === "" ? "" : `${row.fn.file}:${row.line}`),
    ]),
  };
  if (options.style === "csv") return renderTable(table, "csv");
  const totals = growth.totals.map((total) => formatValue(total, unit)).join(" → ");
  const title = `Growth of ${type} across ${growth.sources.length} dumps (totals ${totals})`;
  const ignored = growth.ignoredSources.length;
  const ignoredNote =
    ignored === 0 ? "" : `${options.style === "terminal" ? "  " : ""}(the last ${ignored === 1 ? "dump is" : `${ignored} dumps are`} left out: the program had freed its heap by then)\n`;
  const body =
    growth.rows.length === 0
      ? "  no allocation site grew across the series\n"
      : renderTable(table, options.style, options.style === "terminal" ? "  " : "");
  const header = options.style === "markdown" ? `**${title}**\n` : `${title}\n`;
  return `${header}${heading(`Top ${options.top} steadily growing allocation sites`, options.style)}${ignoredNote}${body}${renderUnsymbolizedNote(growth.unsymbolizedObjects, options.style)}`;
}
