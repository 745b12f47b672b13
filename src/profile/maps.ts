// /proc/<pid>/maps text, as copied into profiles, to Mapping[]. Accepts the kernel layout
// (jemalloc's MAPPED_LIBRARIES), gperftools' printf layout (same fields, dev 00:00), pprof's
// "cooked" lines `start-end: /path [(@offset)] [build-id]`, and `name=value` lines that
// define `$name` for the following paths (the `build=` convention of profile servers).
import type { Mapping } from "./model.js";

export interface ParsedMaps {
  /** Sorted by start, ids 1..n. Anonymous lines are left out (nothing to symbolize). */
  mappings: Mapping[];
  /** Non-empty lines that were not maps lines (pprof ignores them too). */
  ignoredLineCount: number;
}

// No lazy group before a trailing `\s*$`: that backtracks quadratically on long lines of
// spaces. Paths and values are captured greedily and trimmed in code.
const KERNEL_LINE = /^\s*([0-9a-f]+)-([0-9a-f]+)\s+([-rwxsp]{4})\s+([0-9a-f]+)\s+[0-9a-f]+:[0-9a-f]+\s+\d+(?:\s(.*))?$/i;
const COOKED_LINE = /^\s*(?:0x)?([0-9a-f]+)-(?:0x)?([0-9a-f]+):\s(.*)$/i;
const HEX = /^[0-9a-f]+$/i;
const ASSIGNMENT_LINE = /^\s*([A-Za-z_][\w.-]*)\s*=(.*)$/;

type MappingFields = Omit<Mapping, "id">;

export function parseMaps(text: string): ParsedMaps {
  const found: MappingFields[] = [];
  const substitutions: [string, string][] = [];
  let ignoredLineCount = 0;
  for (const rawLine of text.split("\n")) {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === "") continue;
    const fields = parseMapsLine(line);
    if (fields === undefined) {
      const assignment = ASSIGNMENT_LINE.exec(line);
      if (assignment) substitutions.unshift([`$${assignment[1]}`, (assignment[2] ?? "").trim()]);
      else ignoredLineCount++;
      continue;
    }
    if (fields === "anonymous" || fields === "unsafe") continue;
    fields.file = substitute(fields.file, substitutions);
    found.push(fields);
  }
  return { mappings: sortAndNumber(found), ignoredLineCount };
}

function parseMapsLine(line: string): MappingFields | "anonymous" | "unsafe" | undefined {
  const kernel = KERNEL_LINE.exec(line);
  if (kernel) {
    const [, start, limit, perms, offset, rest] = kernel as unknown as [string, string, string, string, string, string?];
    const file = rest?.trim();
    if (!file) return "anonymous";
    return toFields(start, limit, offset, file, perms[2] === "x", undefined);
  }
  const cooked = COOKED_LINE.exec(line);
  if (cooked) {
    const [, start, limit, rest] = cooked as unknown as [string, string, string, string];
    const tail = parseCookedTail(rest);
    return tail && toFields(start, limit, tail.offset, tail.file, true, tail.buildId);
  }
  return undefined;
}

/** "path [(@offset)] [build-id]" after "start-end: ". */
function parseCookedTail(rest: string): { file: string; offset: string; buildId?: string } | undefined {
  const [file, ...extras] = rest.trim().split(/\s+/);
  if (!file) return undefined;
  let offset = "0";
  const offsetToken = /^\(@([0-9a-f]+)\)$/i.exec(extras[0] ?? "");
  if (offsetToken) {
    offset = offsetToken[1] as string;
    extras.shift();
  }
  const buildId = extras.shift();
  if (extras.length > 0 || (buildId !== undefined && !HEX.test(buildId))) return undefined;
  return buildId === undefined ? { file, offset } : { file, offset, buildId: buildId.toLowerCase() };
}

function toFields(
  startHex: string,
  limitHex: string,
  offsetHex: string,
  file: string,
  isExecutable: boolean,
  buildId: string | undefined,
): MappingFields | "unsafe" {
  const start = parseInt(startHex, 16);
  const limit = parseInt(limitHex, 16);
  const offset = parseInt(offsetHex, 16);
  // Kernel-only ranges ([vsyscall] at 0xffffffffff600000) cannot be held exactly in a number
  // and never contain user code worth symbolizing.
  if (!Number.isSafeInteger(limit) || !Number.isSafeInteger(offset) || limit <= start) return "unsafe";
  const fields: MappingFields = { start, limit, offset, file, isExecutable };
  if (buildId !== undefined) fields.buildId = buildId;
  return fields;
}

function substitute(file: string, substitutions: [string, string][]): string {
  let result = file;
  for (const [token, value] of substitutions) result = result.split(token).join(value);
  return result;
}

function sortAndNumber(usable: MappingFields[]): Mapping[] {
  usable.sort((a, b) => a.start - b.start || a.limit - b.limit);
  const mappings: Mapping[] = [];
  for (const fields of usable) {
    const previous = mappings[mappings.length - 1];
    if (previous && previous.start === fields.start && previous.limit === fields.limit && previous.file === fields.file) {
      continue; // the same line twice (e.g. maps appended by two writers)
    }
    mappings.push({ id: mappings.length + 1, ...fields });
  }
  return mappings;
}

/** The mapping containing `address` (start <= address < limit), by binary search over sorted starts. */
export function findMapping(mappings: readonly Mapping[], address: number): Mapping | undefined {
  let low = 0;
  let high = mappings.length - 1;
  let candidate: Mapping | undefined;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const mapping = mappings[middle] as Mapping;
    if (mapping.start <= address) {
      candidate = mapping;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return candidate !== undefined && address < candidate.limit ? candidate : undefined;
}
