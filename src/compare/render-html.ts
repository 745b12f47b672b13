// --export-html: one self-contained file (inline CSS, SVG and a few lines of script; no
// network), readable offline and attachable to a ticket. Pure: report in, text out.
import { formatCommandLine } from "../core/shell-words.js";
import { formatBytes, formatDurationMs } from "../core/units.js";
import type { CompareReport, RunTimeline } from "./report-model.js";
import { buildBreakdownTable, buildMedianTable, buildRunsTable, buildVerdictTable, describeIntervalLevels, hasBreakdown, VERDICT_COLUMN } from "./report-tables.js";
import { PALETTE, chooseByteTickUnit, escapeXml, renderLineChart, renderScatterChart, renderStackedBars, thinSeries, type BarSegment } from "./svg-charts.js";
import type { Table } from "./table-writer.js";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.35rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f3f3f3;padding:0 .25rem;border-radius:3px}
table{border-collapse:collapse;margin:.6rem 0;font-variant-numeric:tabular-nums}
th,td{padding:.25rem .6rem;border-bottom:1px solid #e4e4e4;text-align:left}th{background:#fafafa}
td.right,th.right{text-align:right}
.better{color:#0a7a32;font-weight:600}.worse{color:#b3261e;font-weight:600}.neutral{color:#666}
.recommendation{font-size:1.05rem;font-weight:600;background:#f1f7ff;border-left:4px solid #0072B2;padding:.6rem .8rem}
.chart{width:100%;max-width:760px;height:auto;display:block}
.chart .grid{stroke:#eee}.chart .plot{fill:none;stroke:#bbb}.chart .tick{font-size:11px;fill:#555}
.chart .axis-title{font-size:12px;fill:#333}.chart .point-label{font-size:12px}
.chart .frontier{stroke:#333;stroke-dasharray:5 4;stroke-width:1.5}
.chart .hidden{display:none}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1rem;margin:.4rem 0;padding:0;list-style:none}
.legend li{cursor:pointer;user-select:none}.legend li.off{opacity:.35}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:.35rem;vertical-align:-1px}
.seg-live{fill:#0072B2}.seg-overhead{fill:#D55E00}.seg-rest{fill:#999}.seg-unattributed{fill:#E69F00}
.note{color:#555}
`;

// Legend items toggle their line; the attribute set at the end tells tests the script ran to completion.
const SCRIPT = `
(function () {
  document.querySelectorAll(".legend [data-toggle]").forEach(function (item) {
    item.addEventListener("click", function () {
      var index = item.getAttribute("data-toggle");
      document.querySelectorAll('#rss-timeline .series[data-series="' + index + '"]').forEach(function (g) { g.classList.toggle("hidden"); });
      item.classList.toggle("off");
    });
  });
  document.documentElement.setAttribute("data-charts-ready", String(document.querySelectorAll("svg.chart").length));
})();
`;

function renderHtmlTable(table: Table, cellClass?: (cell: string, column: number) => string | undefined): string {
  const head = table.columns.map((c) => `<th${c.align === "right" ? ' class="right"' : ""}>${escapeXml(c.title)}</th>`).join("");
  const rows = table.rows.map(
    (row) =>
      `<tr>${row
        .map((cell, i) => {
          const classes = [table.columns[i]?.align === "right" ? "right" : "", cellClass?.(cell, i) ?? ""].filter(Boolean).join(" ");
          return `<td${classes ? ` class="${classes}"` : ""}>${escapeXml(cell)}</td>`;
        })
        .join("")}</tr>`,
  );
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length] as string;
}

function renderTimelineSection(report: CompareReport, timelines: ReadonlyMap<string, RunTimeline>): string {
  const series = report.results.flatMap((result, index) => {
    const timeline = timelines.get(result.variant);
    if (!timeline || timeline.points.length === 0) return [];
    const run = result.runs.find((r) => r.iteration === timeline.iteration);
    const marker = run && { x: run.wallSeconds * 1000, y: run.peakRssBytes, title: `${result.variant}: peak RSS ${formatBytes(run.peakRssBytes)} (${run.peakRssMethod}), at any time up to the exit` };
    const points = thinSeries(timeline.points.map((p) => ({ x: p.tMs, y: p.rssBytes })), 600);
    return [{ label: result.variant, color: colorOf(index), points, ...(marker ? { marker } : {}) }];
  });
  if (series.length === 0) return `<p class="note">No RSS samples were taken (every run was shorter than the sampling interval of ${report.settings.sampleIntervalMs} ms).</p>`;
  const legend = report.results
    .map((result, index) => (timelines.get(result.variant)?.points.length ? `<li data-toggle="${series.findIndex((s) => s.label === result.variant)}"><span class="swatch" style="background:${colorOf(index)}"></span>${escapeXml(result.variant)}</li>` : ""))
    .join("");
  const chart = renderLineChart("rss-timeline", "RSS over time, median run of each variant", series, { title: "time since start", format: (ms) => formatDurationMs(ms) }, {
    title: "RSS (program and children)",
    format: formatBytes,
    tickUnit: chooseByteTickUnit(Math.max(...series.flatMap((s) => s.points.map((p) => p.y)))),
  });
  return `<ul class="legend">${legend}</ul>${chart}<p class="note">For each variant, the measured run with the median peak RSS; sampled every ${report.settings.sampleIntervalMs} ms. The hollow dot at the end of each line is that run's exact peak RSS from the kernel, which sampling can miss. Click a name to hide or show its line.</p>`;
}

function renderScatterSection(report: CompareReport): string {
  const front = new Set(report.pareto);
  const points = report.results.flatMap((result, index) =>
    result.peakRssBytes && result.wallSeconds ? [{ label: result.variant, color: colorOf(index), x: result.wallSeconds.median, y: result.peakRssBytes.median, onFrontier: front.has(result.variant) }] : [],
  );
  if (points.length === 0) return `<p class="note">No successful runs to plot.</p>`;
  const chart = renderScatterChart("tradeoff", "Median peak RSS against median wall time", points, { title: "wall time (median)", format: (s) => formatDurationMs(s * 1000) }, {
    title: "peak RSS (median)",
    format: formatBytes,
    tickUnit: chooseByteTickUnit(Math.max(...points.map((p) => p.y))),
  });
  const named = report.pareto.length ? `Pareto front (no other variant is both smaller and faster): <strong>${report.pareto.map(escapeXml).join(", ")}</strong>.` : "";
  return `${chart}<p>${named} Lower left is better on both; points on the dashed line are the trade-off choices.</p>`;
}

function renderBreakdownSection(report: CompareReport): string {
  if (!hasBreakdown(report)) return "";
  const rows = report.results.flatMap((result) => {
    const b = result.breakdown;
    if (!b) return [];
    const segments: BarSegment[] = [];
    if (b.liveHeapBytes !== null) segments.push({ label: "live heap", value: b.liveHeapBytes, className: "seg-live" });
    if (b.overheadBytes !== null) segments.push({ label: "allocator overhead", value: Math.max(0, b.overheadBytes), className: "seg-overhead" });
    if (b.restBytes !== null) segments.push({ label: "rest of RSS", value: b.restBytes, className: "seg-rest" });
    if (b.unattributedBytes !== null) segments.push({ label: "overhead and rest (not separable)", value: b.unattributedBytes, className: "seg-unattributed" });
    return segments.length ? [{ label: result.variant, segments }] : [];
  });
  const bars = rows.length ? renderStackedBars("breakdown", "Where the peak memory went", rows, formatBytes) : "";
  const legend =
    '<ul class="legend"><li><span class="swatch" style="background:#0072B2"></span>live heap</li><li><span class="swatch" style="background:#D55E00"></span>allocator overhead</li>' +
    '<li><span class="swatch" style="background:#999"></span>rest of RSS</li><li><span class="swatch" style="background:#E69F00"></span>overhead and rest together</li></ul>';
  const notes = report.results.filter((r) => r.breakdown?.note).map((r) => `<li>${escapeXml(`${r.variant}: ${r.breakdown?.note}`)}</li>`);
  return (
    `<h2>Where the peak memory went</h2><p>From one extra run per variant with the allocator's own statistics; peak RSS is the median of the measured runs. Figures "at exit" are the allocator's state when the program ended.</p>` +
    legend +
    bars +
    renderHtmlTable(buildBreakdownTable(report)) +
    (notes.length ? `<ul class="note">${notes.join("")}</ul>` : "")
  );
}

export function renderHtmlReport(report: CompareReport, timelines: ReadonlyMap<string, RunTimeline>): string {
  const verdictClass = (cell: string, column: number) => (column !== VERDICT_COLUMN ? undefined : cell === "better" ? "better" : cell === "worse" ? "worse" : "neutral");
  const levels = describeIntervalLevels(report);
  const failures = report.results.flatMap((r) => r.runs.filter((run) => !run.ok).map((run) => `<li>${escapeXml(`${r.variant} run ${run.iteration}: ${run.failure} (${run.folder})`)}</li>`));
  const notes = [...report.notes, ...report.results.flatMap((r) => r.notes.map((n) => `${r.variant}: ${n}`))];
  const s = report.settings;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>allocrun compare: ${escapeXml(formatCommandLine(report.command))}</title>
<style>${STYLE}</style></head>
<body>
<h1>allocrun compare: <code>${escapeXml(formatCommandLine(report.command))}</code></h1>
<p class="note">${s.runs} measured runs per variant after ${s.warmup} warm-up${s.warmup === 1 ? "" : "s"}, interleaved; baseline <strong>${escapeXml(report.baseline)}</strong>; started ${escapeXml(report.startedAt)}; raw figures in <code>${escapeXml(report.compareFolder)}</code>.</p>
<p class="recommendation" id="recommendation">${escapeXml(report.recommendation.text)}</p>
<h2>Medians</h2>
${renderHtmlTable(buildMedianTable(report))}
<p class="note">± is the median absolute deviation relative to the median.</p>
${
  report.results.length > 1
    ? `<h2>Against ${escapeXml(report.baseline)}</h2>
<p class="note">ratio = variant median / baseline median; CI: exact Hodges–Lehmann interval${levels ? ` (${escapeXml(levels)})` : ""}; p: exact Mann–Whitney U test, two-sided; differences under ${(s.minEffect * 100).toFixed(0)}% count as none.</p>
${renderHtmlTable(buildVerdictTable(report), verdictClass)}`
    : ""
}
<h2>RSS over time</h2>
${renderTimelineSection(report, timelines)}
<h2>Peak RSS against wall time</h2>
${renderScatterSection(report)}
${renderBreakdownSection(report)}
${failures.length ? `<h2>Failed runs (left out of every figure)</h2><ul>${failures.join("")}</ul>` : ""}
${notes.length ? `<h2>Notes</h2><ul>${notes.map((n) => `<li>${escapeXml(n)}</li>`).join("")}</ul>` : ""}
<h2>Every measured run</h2>
${renderHtmlTable(buildRunsTable(report))}
<script>${SCRIPT}</script>
</body></html>
`;
}
