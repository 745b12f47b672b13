// Human forms of metric values and limits, shared by the terminal table, the Markdown
// summary and JUnit messages.
import { formatBytes, formatDurationMs, formatPercent } from "../core/units.js";
import { METRICS, type MetricName } from "./metrics.js";

/** 1234567 → "1,234,567"; bytes and durations in their usual units. */
export function formatMetricValue(metric: MetricName, value: number): string {
  switch (METRICS[metric].unit) {
    case "bytes":
      return formatBytes(value);
    case "seconds":
      return formatDurationMs(value * 1000);
    case "count":
      return Math.round(value).toLocaleString("en-US");
  }
}

/** A relative change for display: "+10.0%", "-3.2%", "0.0%", or "new" from zero. */
export function formatChange(changeFraction: number | undefined): string {
  if (changeFraction === undefined) return "";
  if (changeFraction === Infinity) return "new";
  if (changeFraction === 0) return "0.0%";
  return formatPercent(changeFraction);
}

/** "5%" without a needless ".0". */
export function formatLimitPercent(fraction: number): string {
  const percent = Math.round(fraction * 1000) / 10;
  return `${percent}%`;
}
