// Live allocator statistics as data (one figure per line, units in the names of the JSON
// keys) and as the table `allocrun stats PID` prints.
import { formatBytes } from "../core/units.js";

export interface LiveStatsFigure {
  /** The allocator's own name for it (jemalloc stats.<name>, tcmalloc's label shortened). */
  name: string;
  bytes: number;
  meaning: string;
}

export interface LiveStats {
  allocator: string;
  version: string | null;
  figures: LiveStatsFigure[];
  notes: string[];
}

export interface LiveStatsReport extends LiveStats {
  schemaVersion: 1;
  pid: number;
  processName: string;
  /** VmRSS of the process when the figures were read, for comparison. */
  processRssBytes: number | null;
}

export function renderLiveStatsText(report: LiveStatsReport): string {
  const version = report.version === null ? "" : ` ${report.version}`;
  const lines = [`${report.allocator}${version} in process ${report.pid} (${report.processName})`];
  const rows: Array<[string, number, string]> = report.figures.map((figure) => [figure.name, figure.bytes, figure.meaning]);
  if (report.processRssBytes !== null) rows.push(["process rss", report.processRssBytes, "VmRSS from /proc: all memory of the process"]);
  const nameWidth = Math.max(...rows.map(([name]) => name.length));
  const sizes = rows.map(([, bytes]) => formatBytes(bytes));
  const sizeWidth = Math.max(...sizes.map((size) => size.length));
  const exactWidth = Math.max(...rows.map(([, bytes]) => String(bytes).length));
  rows.forEach(([name, bytes, meaning], index) => {
    lines.push(`  ${name.padEnd(nameWidth)}  ${(sizes[index] as string).padStart(sizeWidth)}  ${String(bytes).padStart(exactWidth)} B  ${meaning}`);
  });
  for (const note of report.notes) lines.push(`  ${note}`);
  return `${lines.join("\n")}\n`;
}

/** JSON with the figures as <name>Bytes keys. */
export function renderLiveStatsJson(report: LiveStatsReport): string {
  const camel = (name: string) => name.replace(/[- ](\w)/g, (_, letter: string) => letter.toUpperCase());
  const figures = Object.fromEntries(report.figures.map((figure) => [`${camel(figure.name)}Bytes`, figure.bytes]));
  const json = {
    schemaVersion: report.schemaVersion,
    pid: report.pid,
    processName: report.processName,
    allocator: report.allocator,
    version: report.version,
    stats: figures,
    processRssBytes: report.processRssBytes,
    notes: report.notes,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
