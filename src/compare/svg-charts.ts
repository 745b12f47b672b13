// Inline SVG charts for the HTML report: no library, no network, readable markup.
// Every mark carries a <title>, so hovering shows its figures even without script.

export interface Series {
  label: string;
  color: string;
  points: Array<{ x: number; y: number }>;
  /** A hollow dot drawn with the line (e.g. the exact peak, which sampling may miss). */
  marker?: { x: number; y: number; title: string };
}

export interface Axis {
  title: string;
  format: (value: number) => string;
  /** Ticks are round multiples in this unit (1048576 puts them at whole MiB); default 1. */
  tickUnit?: number;
}

/** The binary unit (B, KiB, MiB, GiB) in which `maxBytes` reads as at least 1, for round byte ticks. */
export function chooseByteTickUnit(maxBytes: number): number {
  let unit = 1;
  while (unit * 1024 <= maxBytes && unit < 1024 ** 4) unit *= 1024;
  return unit;
}

export interface ScatterPoint {
  label: string;
  color: string;
  x: number;
  y: number;
  /** Drawn larger, and joined by the frontier line. */
  onFrontier: boolean;
}

const WIDTH = 760;
const HEIGHT = 360;
const MARGIN = { top: 16, right: 24, bottom: 48, left: 84 };

/** Okabe–Ito colours, distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"];

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** About `count` round tick values covering [low, high]. */
export function chooseTicks(low: number, high: number, count = 5): number[] {
  if (!(high > low)) return [low];
  const rough = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((f) => f * magnitude >= rough) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

/** Keeps at most `limit` points, taking each bucket's highest value so peaks survive. */
export function thinSeries(points: ReadonlyArray<{ x: number; y: number }>, limit: number): Array<{ x: number; y: number }> {
  if (points.length <= limit) return [...points];
  const bucket = points.length / limit;
  const kept: Array<{ x: number; y: number }> = [];
  for (let i = 0; i < limit; i++) {
    const slice = points.slice(Math.floor(i * bucket), Math.floor((i + 1) * bucket));
    const highest = slice.reduce((best, p) => (p.y > best.y ? p : best), slice[0] as { x: number; y: number });
    kept.push(highest);
  }
  return kept;
}

interface Frame {
  sx: (x: number) => number;
  sy: (y: number) => number;
  axes: string;
}

function drawFrame(xRange: [number, number], yRange: [number, number], xAxis: Axis, yAxis: Axis): Frame {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const [x0, x1] = xRange[1] > xRange[0] ? xRange : [xRange[0] - 1, xRange[0] + 1];
  const [y0, y1] = yRange[1] > yRange[0] ? yRange : [yRange[0] - 1, yRange[0] + 1];
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * plotWidth;
  const sy = (y: number) => MARGIN.top + plotHeight - ((y - y0) / (y1 - y0)) * plotHeight;
  const parts: string[] = [];
  const ticksOf = (axis: Axis, low: number, high: number) => {
    const unit = axis.tickUnit ?? 1;
    return chooseTicks(low / unit, high / unit).map((tick) => tick * unit);
  };
  for (const tick of ticksOf(yAxis, y0, y1)) {
    const y = sy(tick).toFixed(1);
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(yAxis.format(tick))}</text>`);
  }
  for (const tick of ticksOf(xAxis, x0, x1)) {
    const x = sx(tick).toFixed(1);
    parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${escapeXml(xAxis.format(tick))}</text>`);
  }
  parts.push(`<rect class="plot" x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}"/>`);
  parts.push(`<text class="axis-title" x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 8}" text-anchor="middle">${escapeXml(xAxis.title)}</text>`);
  parts.push(
    `<text class="axis-title" transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yAxis.title)}</text>`,
  );
  return { sx, sy, axes: parts.join("") };
}

function svgOpen(id: string, title: string): string {
  return `<svg id="${id}" class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(title)}" xmlns="http://www.w3.org/2000/svg">`;
}

/** A line per series; y starts at 0 so heights compare honestly. */
export function renderLineChart(id: string, title: string, series: readonly Series[], xAxis: Axis, yAxis: Axis): string {
  const all = series.flatMap((s) => (s.marker ? [...s.points, s.marker] : s.points));
  const xMax = Math.max(1, ...all.map((p) => p.x));
  const yMax = Math.max(1, ...all.map((p) => p.y)) * 1.05;
  const frame = drawFrame([0, xMax], [0, yMax], xAxis, yAxis);
  const lines = series.map((s, index) => {
    const path = s.points.map((p) => `${frame.sx(p.x).toFixed(1)},${frame.sy(p.y).toFixed(1)}`).join(" ");
    const peak = s.points.reduce((best, p) => (p.y > best ? p.y : best), 0);
    const marker = s.marker
      ? `<circle class="marker" cx="${frame.sx(s.marker.x).toFixed(1)}" cy="${frame.sy(s.marker.y).toFixed(1)}" r="4" fill="#fff" stroke="${s.color}" stroke-width="2"><title>${escapeXml(s.marker.title)}</title></circle>`
      : "";
    return (
      `<g class="series" data-series="${index}"><title>${escapeXml(`${s.label}: highest sample ${yAxis.format(peak)}`)}</title>` +
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${path}"/>${marker}</g>`
    );
  });
  return `${svgOpen(id, title)}${frame.axes}${lines.join("")}</svg>`;
}

/** Labelled points; the frontier points are joined in x order. Axes start at 0. */
export function renderScatterChart(id: string, title: string, points: readonly ScatterPoint[], xAxis: Axis, yAxis: Axis): string {
  const xMax = Math.max(...points.map((p) => p.x), 0) * 1.15 || 1;
  const yMax = Math.max(...points.map((p) => p.y), 0) * 1.15 || 1;
  const frame = drawFrame([0, xMax], [0, yMax], xAxis, yAxis);
  const frontier = points.filter((p) => p.onFrontier).sort((a, b) => a.x - b.x);
  const frontierPath = frontier.map((p) => `${frame.sx(p.x).toFixed(1)},${frame.sy(p.y).toFixed(1)}`).join(" ");
  const marks = points.map((p, index) => {
    const x = frame.sx(p.x).toFixed(1);
    const y = frame.sy(p.y).toFixed(1);
    // Labels of points in the right half go to their left, so they stay inside the chart.
    const onRight = Number(x) > (MARGIN.left + WIDTH - MARGIN.right) / 2;
    const labelX = (Number(x) + (onRight ? -10 : 10)).toFixed(1);
    return (
      `<g class="point" data-series="${index}"><title>${escapeXml(`${p.label}: ${xAxis.format(p.x)}, ${yAxis.format(p.y)}${p.onFrontier ? " (Pareto front)" : ""}`)}</title>` +
      `<circle cx="${x}" cy="${y}" r="${p.onFrontier ? 7 : 5}" fill="${p.color}"${p.onFrontier ? ' stroke="#000" stroke-width="1.5"' : ""}/>` +
      `<text class="point-label" x="${labelX}" y="${(Number(y) - 8).toFixed(1)}" text-anchor="${onRight ? "end" : "start"}">${escapeXml(p.label)}</text></g>`
    );
  });
  const line = frontier.length > 1 ? `<polyline class="frontier" fill="none" points="${frontierPath}"/>` : "";
  return `${svgOpen(id, title)}${frame.axes}${line}${marks.join("")}</svg>`;
}

export interface BarSegment {
  label: string;
  value: number;
  className: string;
}

/** Horizontal stacked bars on one scale, one per row. */
export function renderStackedBars(id: string, title: string, rows: ReadonlyArray<{ label: string; segments: BarSegment[] }>, format: (value: number) => string): string {
  const rowHeight = 30;
  const labelWidth = 190;
  const barWidth = WIDTH - labelWidth - MARGIN.right;
  const height = rows.length * rowHeight + 10;
  const max = Math.max(1, ...rows.map((row) => row.segments.reduce((sum, s) => sum + s.value, 0)));
  const body = rows.map((row, r) => {
    let x = labelWidth;
    const y = 5 + r * rowHeight;
    const bars = row.segments.map((segment) => {
      const w = (segment.value / max) * barWidth;
      const rect = `<rect class="${segment.className}" x="${x.toFixed(1)}" y="${y}" width="${Math.max(0, w).toFixed(1)}" height="${rowHeight - 8}"><title>${escapeXml(`${row.label} — ${segment.label}: ${format(segment.value)}`)}</title></rect>`;
      x += w;
      return rect;
    });
    return `<text class="tick" x="${labelWidth - 8}" y="${y + (rowHeight - 8) / 2}" text-anchor="end" dominant-baseline="middle">${escapeXml(row.label)}</text>${bars.join("")}`;
  });
  return `<svg id="${id}" class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeXml(title)}" xmlns="http://www.w3.org/2000/svg">${body.join("")}</svg>`;
}
