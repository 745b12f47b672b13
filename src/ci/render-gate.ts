// The gate's verdict for people: one table (metric, baseline, now, change, limit, verdict)
// built once and written as aligned text for the terminal or as Markdown for a pull
// request or GITHUB_STEP_SUMMARY; the two differ only in row syntax.
import { formatCommandLine } from "../core/shell-words.js";
import type { Painter } from "../core/terminal.js";
import { cell, renderTable, type Column, type Table } from "../report/table.js";
import { formatChange, formatLimitPercent, formatMetricValue } from "./format-metric.js";
import type { GateResult, MetricVerdict, MetricVerdictName } from "./evaluate-gate.js";

const VERDICT_WORDS: Record<MetricVerdictName, string> = { pass: "ok", improved: "improved", inconclusive: "inconclusive", regression: "REGRESSION" };

/** What the gate was run on, for the line under the table. */
export interface GateContext {
  command: string[];
  allocator: string;
  /** How the deterministic metrics were counted, when any were gated. */
  deterministicSource: string | undefined;
  noisyRuns: number | undefined;
  baselineFile: string | undefined;
}

const COLUMNS: Column[] = [
  { header: "metric", align: "left" },
  { header: "baseline", align: "right" },
  { header: "now", align: "right" },
  { header: "change", align: "right" },
  { header: "limit", align: "left" },
  { header: "verdict", align: "left" },
];

/** The table; `verdictText` lets the terminal colour the verdict column. */
function buildGateTable(result: GateResult, verdictText: (m: MetricVerdict) => string = (m) => VERDICT_WORDS[m.verdict]): Table {
  return {
    columns: COLUMNS,
    rows: result.metrics.map((m) => [
      cell(m.metric),
      cell(m.baseline === undefined ? "—" : formatMetricValue(m.metric, m.baseline), m.baseline ?? ""),
      cell(formatMetricValue(m.metric, m.current), m.current),
      cell(m.changeFraction === undefined ? "—" : formatChange(m.changeFraction), m.changeFraction ?? ""),
      cell(describeLimit(m)),
      cell(verdictText(m), m.verdict),
    ]),
  };
}

export function describeLimit(m: MetricVerdict): string {
  const parts: string[] = [];
  if (m.maxIncreaseFraction !== undefined) parts.push(`+${formatLimitPercent(m.maxIncreaseFraction)}`);
  if (m.budget !== undefined) parts.push(`≤ ${formatMetricValue(m.metric, m.budget)}`);
  return parts.join(", ");
}

/** The sentence that ends the report: what failed and by how much, or that all passed. */
export function summarizeVerdict(result: GateResult): string {
  const named = (verdict: MetricVerdictName) => result.metrics.filter((m) => m.verdict === verdict);
  const regressions = named("regression");
  if (regressions.length > 0) return `memory regression: ${regressions.map((m) => `${m.metric} ${m.reason}`).join("; ")}`;
  const inconclusive = named("inconclusive");
  if (inconclusive.length > 0) return `no regression found, but ${inconclusive.map((m) => m.metric).join(", ")} ${inconclusive.length > 1 ? "were" : "was"} too noisy to judge: ${inconclusive.map((m) => m.reason).join("; ")}`;
  return `pass: ${result.metrics.length} metric${result.metrics.length === 1 ? "" : "s"} within limits`;
}

function describeContext(context: GateContext): string[] {
  const lines = [`command: ${formatCommandLine(context.command)}`];
  const parts = [`allocator: ${context.allocator}`];
  if (context.deterministicSource) parts.push(`counted by ${context.deterministicSource}`);
  if (context.noisyRuns !== undefined) parts.push(`noisy metrics: median of ${context.noisyRuns} run${context.noisyRuns === 1 ? "" : "s"}`);
  lines.push(parts.join("; "));
  if (context.baselineFile) lines.push(`baseline: ${context.baselineFile}`);
  return lines;
}

export function renderGateText(result: GateResult, context: GateContext, paint: Painter): string {
  const colour = (m: MetricVerdict) => {
    const word = VERDICT_WORDS[m.verdict];
    if (m.verdict === "regression") return paint.red(paint.bold(word));
    if (m.verdict === "inconclusive") return paint.yellow(word);
    return m.verdict === "improved" ? paint.green(word) : word;
  };
  const table = buildGateTable(result, colour);
  const lines = [renderTable({ ...table, columns: table.columns.map((column) => ({ ...column, header: paint.bold(column.header) })) }, "terminal").trimEnd()];
  for (const m of result.metrics) if (m.verdict !== "pass") lines.push(`  ${m.metric}: ${m.reason}`);
  lines.push(...describeContext(context).map((line) => paint.dim(line)));
  const verdictLine = summarizeVerdict(result);
  lines.push(result.verdict === "regression" ? paint.red(verdictLine) : result.verdict === "inconclusive" ? paint.yellow(verdictLine) : paint.green(verdictLine));
  return `${lines.join("\n")}\n`;
}

const MARKDOWN_ICONS: Record<GateResult["verdict"], string> = { pass: "✅ pass", inconclusive: "⚠️ inconclusive", regression: "❌ memory regression" };

export function renderGateMarkdown(result: GateResult, context: GateContext): string {
  const lines = [`### allocrun ci: ${MARKDOWN_ICONS[result.verdict]}`, "", renderTable(buildGateTable(result), "markdown").trimEnd(), ""];
  for (const m of result.metrics) if (m.verdict !== "pass") lines.push(`- **${m.metric}**: ${m.reason}`);
  lines.push(...describeContext(context).map((line) => `- ${line.replace(/^command: (.*)$/, "command: `$1`")}`));
  lines.push("", summarizeVerdict(result), "");
  return `${lines.join("\n")}\n`;
}
