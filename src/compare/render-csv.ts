// --export-csv: one row per variant and metric, plain numbers (bytes, seconds), for
// spreadsheets and scripts. The per-run figures are in the JSON export.
import { METRICS, type CompareReport } from "./report-model.js";
import { renderCsvTable } from "./table-writer.js";

const COLUMNS = ["variant", "allocator", "metric", "n", "failed_runs", "median", "min", "max", "iqr", "mad", "relative_mad", "ratio", "ci_low", "ci_high", "ci_level", "p_value", "verdict", "adjusted_p_value", "noise_floor", "verdict_reason"];

export function renderCsvReport(report: CompareReport): string {
  const text = (value: number | null | undefined) => (value === null || value === undefined ? "" : String(value));
  const rows = report.results.flatMap((result) =>
    METRICS.map(({ key }) => {
      const m = result[key];
      return [
        result.variant,
        result.allocator,
        key,
        text(m?.n ?? 0),
        text(result.failedRuns),
        text(m?.median),
        text(m?.min),
        text(m?.max),
        text(m?.spread.iqr),
        text(m?.spread.mad),
        text(m?.spread.relativeMad),
        text(m?.ratio),
        text(m?.ci?.low),
        text(m?.ci?.high),
        text(m?.ci?.level),
        text(m?.pValue),
        m?.verdict ?? "insufficient-data",
        text(m?.adjustedPValue),
        text(m?.noiseFloor),
        m?.verdictReason ?? "",
      ];
    }),
  );
  return renderCsvTable({ columns: COLUMNS.map((title) => ({ title, align: "left" })), rows });
}
