// jemalloc's exit statistics (`MALLOC_CONF=stats_print:true`): the JSON document
// (`stats_print_opts:J…`) or the text report's summary line. Both give the same six
// totals; the JSON also carries the version and the options in effect.
import { inputError } from "../core/errors.js";

export interface JemallocStats {
  format: "json" | "text";
  /** Bytes in live allocations (usable sizes). */
  allocatedBytes: number;
  /** Whole pages of active extents: allocated plus the unused rest of those pages. */
  activeBytes: number;
  metadataBytes: number;
  /** Upper bound of physically resident pages the allocator holds (data, metadata, dirty). */
  residentBytes: number;
  /** Bytes of active extents mapped (no fixed order with `resident`). */
  mappedBytes: number;
  /** Virtual memory kept instead of unmapped; not resident, not in `mapped`. */
  retainedBytes: number;
  /** "5.3.0-0-g54eaed1d…"; null when the report leaves it out (`g` in stats_print_opts). */
  version: string | null;
  /** `opt.narenas`, when reported. */
  narenas: number | null;
}

const JSON_START = '{"jemalloc":';
const SUMMARY_LINE =
  /^Allocated: (\d+), active: (\d+), metadata: (\d+)(?: \(n_thp \d+\))?, resident: (\d+), mapped: (\d+), retained: (\d+)/m;

/** The first jemalloc statistics report in `text` (JSON or text); undefined when there is none. */
export function parseJemallocStats(text: string): JemallocStats | undefined {
  const jsonAt = text.indexOf(JSON_START);
  const textAt = text.search(SUMMARY_LINE);
  if (jsonAt >= 0 && (textAt < 0 || jsonAt < textAt)) return parseJemallocStatsJson(text);
  if (textAt >= 0) return parseJemallocStatsText(text);
  return undefined;
}

/** The text report's "Allocated: …, resident: …" line; undefined when absent. */
export function parseJemallocStatsText(text: string): JemallocStats | undefined {
  const match = SUMMARY_LINE.exec(text);
  if (!match) return undefined;
  const [allocated, active, metadata, resident, mapped, retained] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const version = /^Version: "([^"]+)"$/m.exec(text)?.[1] ?? null;
  const narenas = /^ {2}opt\.narenas: (\d+)$/m.exec(text)?.[1];
  return {
    format: "text",
    allocatedBytes: allocated,
    activeBytes: active,
    metadataBytes: metadata,
    residentBytes: resident,
    mappedBytes: mapped,
    retainedBytes: retained,
    version,
    narenas: narenas === undefined ? null : Number(narenas),
  };
}

/**
 * The JSON report. It is one line without a newline, and other stderr output can follow
 * on the same line, so the object is cut out by brace matching (strings respected).
 */
export function parseJemallocStatsJson(text: string): JemallocStats | undefined {
  const start = text.indexOf(JSON_START);
  if (start < 0) return undefined;
  const end = findObjectEnd(text, start);
  if (end < 0) throw inputError("jemalloc JSON statistics are cut off (no closing brace)", "the program may have been killed while jemalloc was printing them");
  let document: unknown;
  try {
    document = JSON.parse(text.slice(start, end));
  } catch (error) {
    throw inputError(`jemalloc JSON statistics are malformed: ${(error as Error).message}`, undefined, error);
  }
  const root = (document as { jemalloc?: Record<string, unknown> }).jemalloc ?? {};
  const stats = root.stats as Record<string, unknown> | undefined;
  if (!stats) throw inputError('jemalloc JSON statistics have no "stats" object');
  const field = (name: string): number => {
    const value = stats[name];
    if (typeof value !== "number") throw inputError(`jemalloc JSON statistics lack stats.${name}`);
    return value;
  };
  const opt = root.opt as Record<string, unknown> | undefined;
  return {
    format: "json",
    allocatedBytes: field("allocated"),
    activeBytes: field("active"),
    metadataBytes: field("metadata"),
    residentBytes: field("resident"),
    mappedBytes: field("mapped"),
    retainedBytes: field("retained"),
    version: typeof root.version === "string" ? root.version : null,
    narenas: typeof opt?.narenas === "number" ? opt.narenas : null,
  };
}

/** Index just past the `}` that closes the object opened at `start`, or -1. */
function findObjectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{") depth++;
    else if (char === "}" && --depth === 0) return i + 1;
  }
  return -1;
}
