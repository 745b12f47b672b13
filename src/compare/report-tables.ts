// The tables of a compare report, as cells: shared by the terminal, Markdown and HTML.
import { formatBytes, formatDurationMs, formatPercent } from "../core/units.js";
import { METRICS, type CompareReport, type MetricKey, type MetricResult, type VariantResult } from "./report-model.js";
import type { Table } from "./table-writer.js";

export function formatMetricValue(key: MetricKey, value: number): string {
  return key.endsWith("Bytes") ? formatBytes(value) : formatDurationMs(value * 1000);
}

export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(Math.abs(ratio - 1) < 0.05 ? 3 : 2)}×`;
}

const VERDICT_WORDS: Partial<Record<MetricResult["verdict"], string>> = {
  "no-significant-difference": "no significant difference",
  "insufficient-data": "insufficient data",
  "allocator-footprint": "library footprint (Go)",
};

export function formatVerdict(verdict: MetricResult["verdict"]): string {
  return VERDICT_WORDS[verdict] ?? verdict;
}

function formatSpread(metric: MetricResult): string {
  return metric.spread.relativeMad === null ? "" : ` ±${(metric.spread.relativeMad * 100).toFixed(1)}%`;
}

/** Medians per variant; peak, mean RSS and wall carry their relative MAD. */
export function buildMedianTable(report: CompareReport): Table {
  const withSpread = new Set<MetricKey>(["peakRssBytes", "meanRssBytes", "wallSeconds"]);
  return {
    columns: [
      { title: "variant", align: "left" },
      { title: "ok runs", align: "right" },
      ...METRICS.map((m) => ({ title: m.title, align: "right" as const })),
    ],
    rows: report.results.map((result) => [
      result.variant === report.baseline ? `${result.variant} (baseline)` : result.variant,
      `${result.runs.length - result.failedRuns}/${result.runs.length}`,
      ...METRICS.map(({ key }) => {
        const metric = result[key];
        if (!metric) return "—";
        return formatMetricValue(key, metric.median) + (withSpread.has(key) ? formatSpread(metric) : "");
      }),
    ]),
  };
}

/** Index of the verdict in buildVerdictTable's rows (colour is applied there). */
export const VERDICT_COLUMN = 7;

/** One row per variant and metric against the baseline: ratio, change, interval, p, verdict. */
export function buildVerdictTable(report: CompareReport): Table {
  const rows: string[][] = [];
  for (const result of report.results) {
    if (result.variant === report.baseline) continue;
    METRICS.forEach(({ key, title }, index) => {
      const metric = result[key];
      rows.push([
        index === 0 ? result.variant : "",
        title,
        metric?.ratio != null ? formatRatio(metric.ratio) : "—",
        metric?.ratio != null ? formatPercent(metric.ratio - 1) : "—",
        metric?.ci ? `${metric.ci.low.toFixed(3)}–${metric.ci.high.toFixed(3)}` : "—",
        metric?.adjustedPValue != null ? formatPValue(metric.adjustedPValue) : "—",
        metric?.noiseFloor != null ? `±${(metric.noiseFloor * 100).toFixed(1)}%` : "—",
        metric ? formatVerdict(metric.verdict) : "no successful runs",
      ]);
    });
  }
  return {
    columns: [
      { title: "variant", align: "left" },
      { title: "metric", align: "left" },
      { title: "ratio", align: "right" },
      { title: "change", align: "right" },
      { title: "CI", align: "right" },
      { title: "p (Holm)", align: "right" },
      { title: "noise floor", align: "right" },
      { title: "verdict", align: "left" },
    ],
    rows,
  };
}

/** The reason behind each verdict that has one: "jemalloc wall: +3.1% is within the noise floor …". */
export function listVerdictReasons(report: CompareReport): string[] {
  return report.results.flatMap((result) =>
    METRICS.flatMap(({ key, title }) => {
      const reason = result[key]?.verdictReason;
      return reason && result.variant !== report.baseline ? [`${result.variant} ${title}: ${reason}`] : [];
    }),
  );
}

/** One line on the machine's load during the compare, e.g. "others used 1.0 of 2 cores; load average 1.9–3.1". */
export function describeMachineLoad(report: CompareReport): string {
  const { machine } = report;
  const parts = [`${machine.cores} core${machine.cores === 1 ? "" : "s"}`];
  if (machine.othersCpuCores !== null) parts.push(`other processes used ${machine.othersCpuCores.toFixed(2)} cores`);
  if (machine.stealFraction) parts.push(`steal ${(machine.stealFraction * 100).toFixed(1)}%`);
  if (machine.loadAverage) parts.push(`load average ${machine.loadAverage.min.toFixed(2)}–${machine.loadAverage.max.toFixed(2)}`);
  return `Machine: ${parts.join("; ")}${machine.timeVerdictsReliable ? "" : " (busy: time verdicts are less reliable)"}.`;
}

function formatPValue(p: number): string {
  return p < 0.001 ? "<0.001" : p.toFixed(3);
}

/** The confidence levels the intervals reached, e.g. "96.8%" (several when run counts differ). */
export function describeIntervalLevels(report: CompareReport): string {
  const levels = new Set<string>();
  for (const result of report.results) for (const { key } of METRICS) if (result[key]?.ci) levels.add(`${((result[key]?.ci?.level ?? 0) * 100).toFixed(1)}%`);
  return [...levels].join(", ");
}

export function hasBreakdown(report: CompareReport): boolean {
  return report.results.some((result) => result.breakdown);
}

/** Where the peak went, per variant with allocator statistics. */
export function buildBreakdownTable(report: CompareReport): Table {
  const bytes = (value: number | null) => (value === null ? "—" : formatBytes(value));
  return {
    columns: [
      { title: "variant", align: "left" },
      { title: "peak RSS", align: "right" },
      { title: "live heap", align: "right" },
      { title: "allocator overhead", align: "right" },
      { title: "rest of RSS", align: "right" },
      { title: "from", align: "left" },
    ],
    rows: report.results.flatMap((result: VariantResult) => {
      const b = result.breakdown;
      if (!b) return [];
      const overhead = b.unattributedBytes !== null ? `${bytes(b.unattributedBytes)} (with rest)` : bytes(b.overheadBytes);
      const rest = b.unattributedBytes !== null ? "(in overhead)" : bytes(b.restBytes);
      return [[result.variant, bytes(b.peakRssBytes), bytes(b.liveHeapBytes), overhead, rest, `${b.source}, ${b.moment === "exit" ? "at exit" : "peak"}`]];
    }),
  };
}

/** Raw figures of every measured run, for the CSV and HTML appendix. */
export function buildRunsTable(report: CompareReport): Table {
  return {
    columns: [
      { title: "variant", align: "left" },
      { title: "run", align: "right" },
      { title: "status", align: "left" },
      ...METRICS.map((m) => ({ title: m.key, align: "right" as const })),
      { title: "folder", align: "left" },
    ],
    rows: report.results.flatMap((result) =>
      result.runs.map((run) => [
        result.variant,
        String(run.iteration),
        run.ok ? "ok" : (run.failure ?? "failed"),
        ...METRICS.map(({ key }) => (run[key] === null ? "" : String(run[key]))),
        run.folder,
      ]),
    ),
  };
}
