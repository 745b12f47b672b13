// mimalloc's exit statistics (`MIMALLOC_SHOW_STATS=1`, also printed with MIMALLOC_VERBOSE=1).
// Amounts are printed with one truncated decimal ("20.3 MiB"), so byte figures here are
// approximate. The column names are read from the header line because mimalloc 2.1+
// prints other columns than 2.0 ("peak total current block total#" instead of
// "peak total freed current unit count").

export interface MimallocStatRow {
  /** Values by column name as printed in the header ("peak", "total", "freed", "current", ...). */
  values: Record<string, number>;
  /** "ok", "not all freed!", or null when the row has no status. */
  status: string | null;
}

export interface MimallocProcessLine {
  userSeconds: number;
  systemSeconds: number;
  pageFaults: number;
  /** Peak resident set of the process (getrusage), approximate. */
  peakRssBytes: number;
  /** Peak committed memory of the process, approximate; null when not printed. */
  peakCommitBytes: number | null;
}

export interface MimallocStats {
  columns: string[];
  /** Table rows by label; indented "-name" rows are qualified by the row above: "segments.abandoned". */
  rows: Record<string, MimallocStatRow>;
  /** Single-value rows: "pages.extended", "mmaps", "commits", "searches" (average), "numa nodes". */
  counters: Record<string, number>;
  reservedPeakBytes: number | null;
  committedPeakBytes: number | null;
  committedCurrentBytes: number | null;
  elapsedSeconds: number | null;
  process: MimallocProcessLine | null;
}

// Not anchored to a line start: jemalloc's JSON report, when both are preloaded, ends
// without a newline and this header follows on the same line.
const HEADER = /heap stats:((?:[ \t]+\S+)+)[ \t]*$/m;
const ROW = /^\s*(-?[a-z][a-z ]*?):(.*)$/i;
const AMOUNT = /(-?\d+(?:\.\d+)?)(?: (B|[KMGT]iB|[KMGT])(?=\s|$))?/g;
const STATUS = /\s(ok|not all freed!)\s*$/;

const UNIT_FACTORS: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  // Counts are scaled in thousands.
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/** "20.3 MiB" → 21285683 (rounded); "542" → 542. */
export function parseMimallocAmount(text: string): number | undefined {
  const match = /^\s*(-?\d+(?:\.\d+)?)(?: (B|[KMGT]iB|[KMGT]))?\s*$/.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (UNIT_FACTORS[match[2] ?? "B"] ?? 1));
}

/** The first mimalloc statistics report in `text`; undefined when there is none. */
export function parseMimallocStats(text: string): MimallocStats | undefined {
  const header = HEADER.exec(text);
  if (!header) return undefined;
  const columns = (header[1] as string).trim().split(/\s+/);
  const rows: Record<string, MimallocStatRow> = {};
  const counters: Record<string, number> = {};
  let elapsedSeconds: number | null = null;
  let process: MimallocProcessLine | null = null;
  let parent = "";
  const lines = text.slice(header.index + header[0].length).split("\n");
  for (const line of lines) {
    if (line.trim() === "") {
      if (process) break;
      continue;
    }
    const row = ROW.exec(line);
    if (!row) break;
    const rawLabel = row[1] as string;
    const rest = row[2] as string;
    if (rawLabel === "process") {
      process = parseProcessLine(rest);
      break;
    }
    if (rawLabel === "elapsed") {
      elapsedSeconds = parseFloat(rest);
      continue;
    }
    const label = rawLabel.startsWith("-") ? `${parent}.${rawLabel.slice(1)}` : rawLabel;
    if (!rawLabel.startsWith("-")) parent = rawLabel;
    const status = STATUS.exec(rest);
    const figures = [...(status ? rest.slice(0, status.index) : rest).matchAll(AMOUNT)].map((m) =>
      Math.round(Number(m[1]) * (UNIT_FACTORS[m[2] ?? "B"] ?? 1)),
    );
    if (figures.length === 1 && !status) counters[label] = figures[0] as number;
    else if (figures.length > 1) {
      const values: Record<string, number> = {};
      figures.forEach((value, i) => (values[columns[i] ?? `column${i + 1}`] = value));
      rows[label] = { values, status: status?.[1] ?? null };
    }
  }
  return {
    columns,
    rows,
    counters,
    reservedPeakBytes: rows.reserved?.values.peak ?? null,
    committedPeakBytes: rows.committed?.values.peak ?? null,
    committedCurrentBytes: rows.committed?.values.current ?? null,
    elapsedSeconds,
    process,
  };
}

function parseProcessLine(text: string): MimallocProcessLine | null {
  const field = (name: string) => new RegExp(`${name}: ([^,]+)`).exec(text)?.[1];
  const user = field("user");
  const system = field("system");
  const faults = field("faults");
  const rss = field("rss");
  const commit = field("commit");
  if (user === undefined || system === undefined || faults === undefined || rss === undefined) return null;
  const peakRssBytes = parseMimallocAmount(rss);
  if (peakRssBytes === undefined) return null;
  const peakCommitBytes = commit === undefined ? null : (parseMimallocAmount(commit) ?? null);
  return {
    userSeconds: parseFloat(user),
    systemSeconds: parseFloat(system),
    pageFaults: Number(faults),
    peakRssBytes,
    peakCommitBytes,
  };
}
