// One entry point from an analysis to the bytes of any output format.
import type { Analysis, GrowthAnalysis, PreparedProfile } from "../analysis/analysis.js";
import { usageError } from "../core/errors.js";
import { renderCollapsed, renderCollapsedBytes } from "./collapsed.js";
import { renderDotGraph } from "./dot-graph.js";
import { renderFlameGraphSvg } from "./flame-svg.js";
import { buildAnalysisJson, buildGrowthJson, renderJson } from "./json-report.js";
import { encodePprof } from "./pprof-export.js";
import { renderGrowthReport, renderTextReport } from "./text-report.js";

export const OUTPUT_FORMATS = ["text", "json", "collapsed", "svg", "pprof", "dot", "markdown", "csv"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Formats that are binary and must not be written to a terminal. */
export const isBinaryFormat = (format: OutputFormat) => format === "pprof";

export interface RenderInput {
  analysis: Analysis;
  /**
   * The prepared profiles behind the analysis: pprof needs every sample type. Only pprof
   * gets them, so that the others render after the samples (hundreds of MB at a million
   * stacks) are garbage.
   */
  current?: PreparedProfile;
  base?: PreparedProfile;
  top: number;
}

export function renderAnalysis(format: OutputFormat, input: RenderInput): string | Buffer {
  const { analysis, top } = input;
  switch (format) {
    case "text":
      return renderTextReport(analysis, { top, style: "terminal" });
    case "markdown":
      return renderTextReport(analysis, { top, style: "markdown" });
    case "csv":
      return renderTextReport(analysis, { top, style: "csv" });
    case "json":
      return renderJson(buildAnalysisJson(analysis, top));
    case "collapsed":
      return renderCollapsed(analysis);
    case "svg":
      return renderFlameGraphSvg(analysis);
    case "dot":
      return renderDotGraph(analysis);
    case "pprof":
      if (input.current === undefined) throw new Error("pprof output needs the prepared profiles");
      return encodePprof(input.current, { defaultSampleType: analysis.sampleType.type, base: input.base });
  }
}

/**
 * The bytes of any output format, for writing out. Collapsed output is built as bytes
 * directly: at a million stacks it is hundreds of megabytes, and the string plus its
 * encoding would hold it twice.
 */
export function renderAnalysisBytes(format: OutputFormat, input: RenderInput): Buffer {
  if (format === "collapsed") return renderCollapsedBytes(input.analysis);
  const rendered = renderAnalysis(format, input);
  return typeof rendered === "string" ? Buffer.from(rendered) : rendered;
}

export function renderGrowth(format: OutputFormat, growth: GrowthAnalysis, top: number): string {
  switch (format) {
    case "text":
      return renderGrowthReport(growth, { top, style: "terminal" });
    case "markdown":
      return renderGrowthReport(growth, { top, style: "markdown" });
    case "csv":
      return renderGrowthReport(growth, { top, style: "csv" });
    case "json":
      return renderJson(buildGrowthJson(growth, top));
    default:
      throw usageError(`--growth writes text, markdown, csv or json, not ${format}`, "for a graph of what grew, compare two dumps: --base FIRST LAST --format svg");
  }
}
