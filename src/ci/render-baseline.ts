// What --update-baseline recorded, for people: one row per metric.
import { formatCommandLine } from "../core/shell-words.js";
import { alignColumns, type Painter } from "../core/terminal.js";
import type { Baseline, BaselineMetric } from "./baseline.js";
import { formatLimitPercent, formatMetricValue } from "./format-metric.js";
import { METRIC_NAMES } from "./metrics.js";

export function renderBaselineText(baseline: Baseline, shownPath: string, paint: Painter): string {
  const rows = METRIC_NAMES.flatMap((name) => {
    const metric = baseline.metrics[name] as BaselineMetric | undefined;
    if (!metric) return [];
    const spread = metric.kind === "deterministic" ? "exact" : `±${formatLimitPercent(metric.spreadFraction)} over ${metric.samples.length}`;
    return [[name, formatMetricValue(name, metric.value), spread, metric.source]];
  });
  const lines = alignColumns([["metric", "value", "spread", "measured by"].map((h) => paint.bold(h)), ...rows], new Set([1]));
  lines.push(paint.dim(`command: ${formatCommandLine(baseline.command)}; allocator: ${baseline.allocator.name}`));
  lines.push(paint.green(`baseline written to ${shownPath}: commit it so that later gates compare against it`));
  return `${lines.join("\n")}\n`;
}
