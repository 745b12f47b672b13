// The compare report for people: the terminal version and the Markdown version share
// the same sections and tables; only the table syntax and emphasis differ.
import { formatCommandLine } from "../core/shell-words.js";
import { relative } from "node:path";
import type { Painter } from "../core/terminal.js";
import { METRICS, type CompareReport } from "./report-model.js";
import { buildBreakdownTable, buildMedianTable, buildVerdictTable, describeIntervalLevels, describeMachineLoad, hasBreakdown, listVerdictReasons, VERDICT_COLUMN } from "./report-tables.js";
import { renderMarkdownTable, renderTextTable, type Table } from "./table-writer.js";

interface Syntax {
  table(table: Table, kind: "verdict" | "other"): string;
  heading(text: string): string;
  emphasis(text: string): string;
  code(text: string): string;
}

function describeSettings(report: CompareReport, code: (text: string) => string): string {
  const s = report.settings;
  const parts = [
    `${s.runs} measured run${s.runs === 1 ? "" : "s"} per variant after ${s.warmup} warm-up${s.warmup === 1 ? "" : "s"}, interleaved`,
    `baseline ${report.baseline}`,
  ];
  if (s.prepare) parts.push(`prepare ${code(s.prepare)}`);
  if (s.input) parts.push(`stdin from ${code(s.input)}`);
  return parts.join("; ");
}

function renderSections(report: CompareReport, syntax: Syntax, shownFolder: string): string {
  const out: string[] = [];
  out.push(syntax.heading(`allocrun compare: ${syntax.code(formatCommandLine(report.command))}`));
  out.push(`${describeSettings(report, syntax.code)}. Raw figures: ${syntax.code(shownFolder)}`);
  out.push(describeMachineLoad(report));
  if (report.stopped) out.push(syntax.emphasis(`Partial report: stopped after ${report.stopped.runsDone} of ${report.stopped.runsPlanned} runs (${report.stopped.detail}).`));
  out.push("");
  out.push(syntax.table(buildMedianTable(report), "other"));
  out.push("± is the median absolute deviation relative to the median.");
  if (report.results.length > 1) {
    out.push("");
    const levels = describeIntervalLevels(report);
    out.push(syntax.heading(`Against ${report.baseline}`));
    out.push(
      `ratio = variant median / baseline median; CI: exact Hodges–Lehmann interval${levels ? ` (${levels})` : ""}; p: exact Mann–Whitney U test, two-sided, ` +
        `Holm-corrected over all ${countTests(report)} test${countTests(report) === 1 ? "" : "s"}; a difference counts only when its interval clears the noise floor ` +
        `(the largest of ${(report.settings.minEffect * 100).toFixed(0)}%, twice the runs' scatter${report.noise ? `, and the baseline against its own interleaved copy` : ""}).`,
    );
    out.push(syntax.table(buildVerdictTable(report), "verdict"));
    for (const reason of listVerdictReasons(report)) out.push(`- ${reason}`);
  }
  if (hasBreakdown(report)) {
    out.push("");
    out.push(syntax.heading("Where the peak memory went"));
    out.push("From one extra run per variant with the allocator's own statistics; peak RSS is the median of the measured runs. Figures \"at exit\" are the allocator's state when the program ended.");
    out.push(syntax.table(buildBreakdownTable(report), "other"));
    for (const result of report.results) if (result.breakdown?.note) out.push(`${result.variant}: ${result.breakdown.note}`);
  }
  const failures = report.results.flatMap((result) => result.runs.filter((run) => !run.ok).map((run) => `${result.variant} run ${run.iteration}: ${run.failure} (${run.folder})`));
  if (failures.length) {
    out.push("");
    out.push(syntax.heading("Failed runs (left out of every figure)"));
    for (const failure of failures) out.push(`- ${failure}`);
  }
  const notes = [...report.notes, ...report.results.flatMap((result) => result.notes.map((note) => `${result.variant}: ${note}`))];
  if (notes.length) {
    out.push("");
    for (const note of notes) out.push(`note: ${note}`);
  }
  out.push("");
  if (report.pareto.length) out.push(`Pareto front (no other variant has both lower peak RSS and lower wall time): ${report.pareto.join(", ")}`);
  out.push(syntax.emphasis(report.recommendation.text));
  return out.join("\n") + "\n";
}

function countTests(report: CompareReport): number {
  return report.results.reduce((count, result) => count + METRICS.filter(({ key }) => result[key]?.pValue != null).length, 0);
}

export function renderTerminalReport(report: CompareReport, paint: Painter, cwd: string): string {
  return renderSections(
    report,
    {
      table: (table, kind) =>
        renderTextTable(table, (cell, _row, column) => {
          if (kind !== "verdict" || column !== VERDICT_COLUMN) return cell;
          return cell === "better" ? paint.green(cell) : cell === "worse" ? paint.red(cell) : cell === "inconclusive" ? paint.yellow(cell) : paint.dim(cell);
        }),
      heading: (text) => paint.bold(text),
      emphasis: (text) => paint.bold(text),
      code: (text) => text,
    },
    relative(cwd, report.compareFolder) || ".",
  );
}

export function renderMarkdownReport(report: CompareReport): string {
  return renderSections(
    report,
    {
      table: (table) => `\n${renderMarkdownTable(table)}\n`,
      heading: (text) => `### ${text}`,
      emphasis: (text) => `**${text}**`,
      code: (text) => `\`${text.replace(/`/g, "'")}\``,
    },
    report.compareFolder,
  );
}
