// A self-contained interactive flame graph (one SVG file, inline script, nothing fetched):
// click a frame to zoom, "Search" (or Ctrl-F) to highlight matching frames, hover for
// details. Labels and colours are laid out here, so the file is readable as a static image
// too (a CI artifact viewer that strips scripts still shows the graph). With a base
// profile it is a differential graph: frame width is old + new, red means growth, blue
// shrinkage, white no change. Drawn root first under the title (an icicle, as pprof's web
// view): a deep graph then opens on its widest frames, not on empty space above the
// flame. The width follows the window (width 100% over a fixed viewBox); the script keeps
// the height in proportion.
import type { Analysis } from "../analysis/analysis.js";
import { buildCallTree, sortedChildren, type CallTreeNode } from "../analysis/call-tree.js";
import { formatDelta, formatValue } from "./values.js";

const WIDTH = 1200;
const FRAME_HEIGHT = 16;
const PAD_TOP = 44;
const PAD_BOTTOM = 28;
const PAD_SIDE = 10;
const FONT_SIZE = 11;
const CHAR_WIDTH = FONT_SIZE * 0.59;
const MIN_WIDTH_PX = 0.1;

export interface FlameGraphOptions {
  title?: string;
}

interface PlacedFrame {
  node: CallTreeNode;
  depth: number;
  /** Left edge and width in the weight space [0, rootWeight). */
  start: number;
  weight: number;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** Deterministic colour from a name: warm hues for CPU, greens for memory (flamegraph.pl's "hot"/"mem"). */
function paletteColour(name: string, isMemory: boolean): string {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) >>> 0;
  const a = (hash % 1000) / 1000;
  const b = ((hash >>> 10) % 1000) / 1000;
  if (isMemory) return `rgb(${Math.round(40 + 60 * b)},${Math.round(160 + 60 * a)},${Math.round(40 + 60 * b)})`;
  return `rgb(${Math.round(205 + 50 * a)},${Math.round(230 * b)},${Math.round(55 * a)})`;
}

/** White for no change, towards red for growth and blue for shrinkage. */
function diffColour(delta: number, maxAbsDelta: number): string {
  const strength = maxAbsDelta === 0 ? 0 : Math.min(1, Math.abs(delta) / maxAbsDelta);
  const fade = Math.round(255 * (1 - 0.8 * strength));
  return delta > 0 ? `rgb(255,${fade},${fade})` : delta < 0 ? `rgb(${fade},${fade},255)` : "rgb(250,250,250)";
}

function fitLabel(name: string, widthPx: number): string {
  const fits = Math.floor((widthPx - 6) / CHAR_WIDTH);
  if (fits < 3) return "";
  return name.length <= fits ? name : `${name.slice(0, fits - 2)}..`;
}

function placeFrames(root: CallTreeNode, weightOf: (node: CallTreeNode) => number, minWeight: number): PlacedFrame[] {
  const placed: PlacedFrame[] = [];
  const visit = (node: CallTreeNode, depth: number, start: number) => {
    let offset = start;
    for (const child of sortedChildren(node)) {
      const weight = weightOf(child);
      if (weight >= minWeight) {
        placed.push({ node: child, depth, start: offset, weight });
        visit(child, depth + 1, offset);
      }
      offset += weight;
    }
  };
  visit(root, 0, 0);
  return placed;
}

export function renderFlameGraphSvg(analysis: Analysis, options: FlameGraphOptions = {}): string {
  const isDiff = analysis.base !== undefined;
  const weightOf = (node: CallTreeNode) => (isDiff ? Math.abs(node.value) + Math.abs(node.baseValue) : node.value);
  const usable = WIDTH - 2 * PAD_SIDE;
  const minWeightOf = (rootWeight: number) => (rootWeight > 0 ? MIN_WIDTH_PX / (usable / rootWeight) : Infinity);
  // Only frames of at least MIN_WIDTH_PX are drawn: the tree need not go below them.
  const root = buildCallTree(analysis.stacks, analysis.base?.stacks, (top) => minWeightOf(weightOf(top)));
  const rootWeight = weightOf(root);
  const scale = rootWeight > 0 ? usable / rootWeight : 0;
  const frames = rootWeight > 0 ? placeFrames(root, weightOf, minWeightOf(rootWeight)) : [];
  const maxDepth = frames.reduce((deepest, frame) => Math.max(deepest, frame.depth), 0);
  const height = PAD_TOP + (maxDepth + 2) * FRAME_HEIGHT + PAD_BOTTOM;
  const { unit, type } = analysis.sampleType;
  const isMemory = unit === "bytes" || type.endsWith("_objects");
  let maxAbsDelta = 0;
  if (isDiff) for (const frame of frames) maxAbsDelta = Math.max(maxAbsDelta, Math.abs(frame.node.value - frame.node.baseValue));

  const title = options.title ?? (isDiff ? `Differential flame graph: ${type}` : `Flame graph: ${type}`);
  const subtitle = isDiff
    ? `width = base + new; red = grew, blue = shrank · total ${formatValue(analysis.total, unit)} (base ${formatValue(analysis.base?.stacks.total ?? 0, unit)})`
    : `total ${formatValue(analysis.total, unit)} · click to zoom, Ctrl-F to search`;
  const out: string[] = [];
  out.push(`<?xml version="1.0" standalone="no"?>\n`);
  out.push(`<svg version="1.1" width="100%" height="${height}" viewBox="0 0 ${WIDTH} ${height}" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" data-total="${rootWeight}" data-unit="${escapeXml(unit)}">\n`);
  out.push(`<style>text{font-family:Verdana,sans-serif;font-size:${FONT_SIZE}px;fill:#000}.f rect{stroke:#fff;stroke-width:0.5}.f:hover rect{stroke:#000}.f text{pointer-events:none}.hidden{display:none}#title{font-size:16px}.ui{cursor:pointer;fill:#335}</style>\n`);
  out.push(`<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#f8f8f8"/>\n`);
  out.push(`<text id="title" x="${WIDTH / 2}" y="20" text-anchor="middle">${escapeXml(title)}</text>\n`);
  out.push(`<text id="subtitle" x="${WIDTH / 2}" y="36" text-anchor="middle">${escapeXml(subtitle)}</text>\n`);
  out.push(`<text id="reset" class="ui hidden" x="${PAD_SIDE}" y="20">Reset zoom</text>\n`);
  out.push(`<text id="search" class="ui" x="${WIDTH - PAD_SIDE - 120}" y="20">Search</text>\n`);
  out.push(`<text id="matched" x="${WIDTH - PAD_SIDE - 200}" y="${height - 10}"></text>\n`);
  out.push(`<text id="details" x="${PAD_SIDE}" y="${height - 10}"> </text>\n`);
  out.push(`<g id="frames">\n`);
  const topY = PAD_TOP;
  for (const frame of frames) {
    const { node } = frame;
    const name = node.fn?.name ?? "";
    const x = PAD_SIDE + frame.start * scale;
    const width = frame.weight * scale;
    const y = topY + frame.depth * FRAME_HEIGHT;
    const detail = isDiff
      ? `${name} — new ${formatValue(node.value, unit)}, base ${formatValue(node.baseValue, unit)}, change ${formatDelta(node.value - node.baseValue, unit)}`
      : `${name} — ${formatValue(node.value, unit)} (${((node.value / analysis.total) * 100).toFixed(2)}%)`;
    const where = node.fn && node.fn.file !== "" ? ` · ${node.fn.file}` : node.fn && node.fn.object !== "" ? ` · ${node.fn.object}` : "";
    const fill = isDiff ? diffColour(node.value - node.baseValue, maxAbsDelta) : paletteColour(name, isMemory);
    out.push(
      `<g class="f" data-x="${frame.start}" data-w="${frame.weight}" data-d="${frame.depth}">` +
        `<title>${escapeXml(detail + where)}</title>` +
        `<rect x="${x.toFixed(2)}" y="${y}" width="${width.toFixed(2)}" height="${FRAME_HEIGHT - 1}" fill="${fill}" data-fill="${fill}"/>` +
        `<text x="${(x + 3).toFixed(2)}" y="${y + FRAME_HEIGHT - 4}">${escapeXml(fitLabel(name, width))}</text></g>\n`,
    );
  }
  out.push(`</g>\n`);
  out.push(`<script type="text/ecmascript"><![CDATA[\n${flameGraphScript({ pad: PAD_SIDE, usable, charWidth: CHAR_WIDTH, width: WIDTH, height })}\n]]></script>\n`);
  out.push(`</svg>\n`);
  return out.join("");
}

/** The inline script: zoom, search, details. Plain ES5-level DOM code, no dependencies. */
function flameGraphScript(layout: { pad: number; usable: number; charWidth: number; width: number; height: number }): string {
  return `(function () {
  var svg = document.documentElement, total = +svg.getAttribute("data-total");
  var L = ${JSON.stringify(layout)};
  var frames = Array.prototype.slice.call(document.querySelectorAll("g.f"));
  var details = document.getElementById("details"), matched = document.getElementById("matched");
  var reset = document.getElementById("reset"), searchButton = document.getElementById("search");
  // width="100%" scales the drawing to the window; the height follows in proportion.
  function fitHeight() { svg.setAttribute("height", Math.ceil(L.height * svg.getBoundingClientRect().width / L.width)); }
  fitHeight(); window.addEventListener("resize", fitHeight);
  function nameOf(g) { var t = g.querySelector("title").textContent; var i = t.indexOf(" \\u2014 "); return i < 0 ? t : t.slice(0, i); }
  function fit(name, w) { var n = Math.floor((w - 6) / L.charWidth); if (n < 3) return ""; return name.length <= n ? name : name.slice(0, n - 2) + ".."; }
  function place(g, x, w) {
    var r = g.querySelector("rect"), t = g.querySelector("text");
    r.setAttribute("x", x.toFixed(2)); r.setAttribute("width", w.toFixed(2));
    t.setAttribute("x", (x + 3).toFixed(2)); t.textContent = fit(nameOf(g), w);
  }
  function zoom(target) {
    var tx = +target.getAttribute("data-x"), tw = +target.getAttribute("data-w"), td = +target.getAttribute("data-d");
    var s = L.usable / tw;
    frames.forEach(function (g) {
      var x = +g.getAttribute("data-x"), w = +g.getAttribute("data-w"), d = +g.getAttribute("data-d");
      var inside = x >= tx - 1e-9 && x + w <= tx + tw + 1e-9;
      var ancestor = d < td && x <= tx + 1e-9 && x + w >= tx + tw - 1e-9;
      if (inside && d >= td) { g.classList.remove("hidden"); g.style.opacity = ""; place(g, L.pad + (x - tx) * s, w * s); }
      else if (ancestor) { g.classList.remove("hidden"); g.style.opacity = "0.6"; place(g, L.pad, L.usable); }
      else g.classList.add("hidden");
    });
    reset.classList.remove("hidden");
  }
  function unzoom() {
    var s = L.usable / total;
    frames.forEach(function (g) { g.classList.remove("hidden"); g.style.opacity = ""; place(g, L.pad + +g.getAttribute("data-x") * s, +g.getAttribute("data-w") * s); });
    reset.classList.add("hidden");
  }
  function search(term) {
    var re; try { re = new RegExp(term); } catch (e) { return; }
    var spans = [];
    frames.forEach(function (g) {
      var r = g.querySelector("rect"), hit = term !== "" && re.test(nameOf(g));
      r.setAttribute("fill", hit ? "rgb(230,0,230)" : r.getAttribute("data-fill"));
      if (hit) spans.push([+g.getAttribute("data-x"), +g.getAttribute("data-w")]);
    });
    // Matched share: union of matching spans, so nested matches are not counted twice.
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var sum = 0, end = -1;
    spans.forEach(function (s) { var a = Math.max(s[0], end), b = s[0] + s[1]; if (b > a) { sum += b - a; end = b; } });
    matched.textContent = term === "" ? "" : "Matched: " + (total ? (100 * sum / total).toFixed(1) : "0") + "%";
    searchButton.textContent = term === "" ? "Search" : "Clear search";
  }
  frames.forEach(function (g) {
    g.addEventListener("click", function () { zoom(g); });
    g.addEventListener("mouseover", function () { details.textContent = g.querySelector("title").textContent; });
    g.addEventListener("mouseout", function () { details.textContent = " "; });
  });
  reset.addEventListener("click", unzoom);
  searchButton.addEventListener("click", function () {
    if (searchButton.textContent !== "Search") { search(""); return; }
    var term = window.prompt("Search for (regular expression):", ""); if (term) search(term);
  });
  window.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "f") { e.preventDefault(); var term = window.prompt("Search for (regular expression):", ""); if (term) search(term); }
    if (e.key === "Escape") { unzoom(); search(""); }
  });
})();`;
}
