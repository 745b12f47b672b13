// Human formatting of profile values by unit: bytes as KiB/MiB, CPU time as ms/s, counts
// with thousands separators. Percentages of a total that may be zero.
import { formatBytes } from "../core/units.js";

export function formatValue(value: number, unit: string): string {
  if (unit === "bytes") return formatBytes(value);
  if (unit === "nanoseconds") return formatNanoseconds(value);
  return formatCount(value);
}

/** A signed change: "+1.5 MiB", "-3", "0 B". */
export function formatDelta(value: number, unit: string): string {
  const text = formatValue(value, unit);
  return value > 0 ? `+${text}` : text;
}

export function formatCount(value: number): string {
  const rounded = Math.round(value);
  return rounded.toLocaleString("en-US");
}

export function formatNanoseconds(value: number): string {
  const sign = value < 0 ? "-" : "";
  const ns = Math.abs(value);
  if (ns >= 1e9) return `${sign}${(ns / 1e9).toFixed(ns >= 1e11 ? 0 : 2)} s`;
  if (ns >= 1e6) return `${sign}${(ns / 1e6).toFixed(ns >= 1e8 ? 0 : 1)} ms`;
  if (ns >= 1e3) return `${sign}${(ns / 1e3).toFixed(1)} µs`;
  if (ns === 0) return "0";
  return `${sign}${Math.round(ns)} ns`;
}

export function percentOf(value: number, total: number): number {
  return total === 0 ? 0 : (value / total) * 100;
}

export function formatPercentOf(value: number, total: number): string {
  return `${percentOf(value, total).toFixed(1)}%`;
}

/** Rounds values to integers so that they still add up to the rounded sum (largest remainder). */
export function roundPreservingSum(values: readonly number[]): number[] {
  const floors = values.map((value) => Math.floor(value));
  const target = Math.round(values.reduce((sum, value) => sum + value, 0));
  let missing = target - floors.reduce((sum, value) => sum + value, 0);
  const order = values.map((value, index) => ({ index, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder);
  for (const { index } of order) {
    if (missing <= 0) break;
    floors[index] = (floors[index] as number) + 1;
    missing--;
  }
  return floors;
}
