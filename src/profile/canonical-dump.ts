// A deterministic text rendering of a Profile: the golden-file format of the parser tests
// and a readable way to see what a parser produced. Samples are sorted by stack (raw
// addresses, leaf first), values rounded to 3 decimals.
import type { Location, Profile } from "./model.js";
import { totalValues } from "./totals.js";

export function dumpProfileCanonically(profile: Profile): string {
  const out: string[] = [];
  const types = profile.sampleTypes.map((t) => `${t.type}/${t.unit}`).join(" ");
  out.push(`format: ${profile.format}`);
  out.push(`sample types: ${types} (default ${profile.defaultSampleType})`);
  const periodUnit = profile.periodType ? ` ${profile.periodType.type}/${profile.periodType.unit}` : "";
  out.push(`period: ${formatValue(profile.period)}${periodUnit}`);
  if (profile.durationNanos !== undefined) out.push(`duration: ${formatValue(profile.durationNanos)} ns`);
  out.push(`totals: ${formatValues(totalValues(profile))}`);
  for (const comment of profile.comments) out.push(`comment: ${comment}`);
  for (const thread of profile.threads ?? []) {
    const name = thread.name === undefined ? "" : ` ${JSON.stringify(thread.name)}`;
    out.push(`thread ${thread.id}${name}: ${formatValues(thread.values)}`);
  }

  const locations = new Map(profile.locations.map((l) => [l.id, l]));
  const stackText = (ids: number[]) => ids.map((id) => formatAddress(locations.get(id))).join(" ");
  const rows = profile.samples.map((sample) => {
    const labels = [
      ...Object.entries(sample.numLabels ?? {}).map(([key, value]) => ` ${key}=${formatValue(value)}`),
      ...Object.entries(sample.labels ?? {}).map(([key, value]) => ` ${key}=${JSON.stringify(value)}`),
    ]
      .sort()
      .join("");
    return { stack: stackText(sample.locationIds), text: `${formatValues(sample.values)}${labels}` };
  });
  rows.sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : a.text < b.text ? -1 : 1));
  out.push(`samples: ${rows.length} (addresses leaf first; "!" marks an interrupted PC, not a return address)`);
  for (const row of rows) out.push(`  ${row.text} @ ${row.stack}`);

  const locationsPerMapping = new Map<number, number>();
  for (const location of profile.locations) {
    locationsPerMapping.set(location.mappingId, (locationsPerMapping.get(location.mappingId) ?? 0) + 1);
  }
  out.push(`mappings: ${profile.mappings.length} (locations outside any: ${locationsPerMapping.get(0) ?? 0})`);
  for (const m of profile.mappings) {
    const buildId = m.buildId ? ` build-id=${m.buildId}` : "";
    const used = locationsPerMapping.get(m.id) ?? 0;
    out.push(
      `  ${m.id} ${hex(m.start)}-${hex(m.limit)} off=${hex(m.offset)} ${m.isExecutable ? "x" : "-"} ${m.file}${buildId} locations=${used}`,
    );
  }
  out.push(...dumpSymbols(profile));
  return `${out.join("\n")}\n`;
}

/** Symbolized locations only (parsers leave lines empty; the symbolizer fills them). */
function dumpSymbols(profile: Profile): string[] {
  const functions = new Map(profile.functions.map((f) => [f.id, f]));
  const symbolized = profile.locations.filter((l) => l.lines.length > 0).sort((a, b) => a.address - b.address);
  if (symbolized.length === 0) return [];
  const out = [`symbols: ${symbolized.length}`];
  for (const location of symbolized) {
    const frames = location.lines.map((line) => {
      const fn = functions.get(line.functionId);
      return `${fn?.name ?? "?"} ${fn?.filename ?? "?"}:${line.line}`;
    });
    out.push(`  ${formatAddress(location)}: ${frames.join("; ")}`);
  }
  return out;
}

function formatAddress(location: Location | undefined): string {
  if (!location) return "?";
  return `${hex(location.address)}${location.isReturnAddress ? "" : "!"}`;
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

function formatValues(values: number[]): string {
  return values.map(formatValue).join(" ");
}

function formatValue(value: number): string {
  const rounded = Math.round(value * 1000) / 1000;
  return String(rounded === 0 ? 0 : rounded);
}
