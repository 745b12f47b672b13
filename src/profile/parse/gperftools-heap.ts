// gperftools heap profiles (profile-formats.md §2): "heap profile: n: s [n: s] @ <type>[/<period>]"
// then one "n: s [n: s] @ addresses" bucket per line and the process maps. The same text
// layout carries HEAPPROFILE dumps (exact), tcmalloc's sampled GetHeapSample output
// (heap_v2/R, one line per sampled object) and older remote profiles (heap/P); the type
// after "@" decides how the counts are un-sampled, as in jeprof and pprof.
import { ProfileBuilder } from "../builder.js";
import { parseMaps } from "../maps.js";
import type { Profile } from "../model.js";
import {
  ALLOC_OBJECTS,
  ALLOC_SPACE,
  DEFAULT_HEAP_PERIOD_BYTES,
  INUSE_OBJECTS,
  INUSE_SPACE,
  SPACE_PERIOD,
  poissonScale,
  v1Scale,
} from "./heap-sampling.js";
import { malformedLine } from "./malformed.js";
import { LineCursor, NumberList, expectChar, scanAddresses, scanCountPairs, tokenAt } from "./text-scan.js";

/** How a gperftools heap profile starts. */
export const GPERFTOOLS_HEAP_MAGIC = "heap profile:";
// The lenient header regex of jeprof/pprof (one line, so no per-line cost).
const HEADER = /^heap profile:\s*(\d+):\s*(\d+)\s*\[\s*(\d+):\s*(\d+)\]\s*(?:@\s*([^/\s]*)(?:\/(\d+))?)?/;
const HINT = "the gperftools heap profile is damaged or cut short; capture it again";
/** "%d" counters wrap past 2^31 in long runs; a negative count is the wrapped value. */
const INT32_WRAP = 2 ** 32;

type Scaling = { kind: "none" } | { kind: "poisson" | "v1"; periodBytes: number };

/** A gperftools heap profile, or undefined when `text` is not one. */
export function parseGperftoolsHeap(text: string, fileName: string): Profile | undefined {
  const lines = new LineCursor(text);
  const comments: string[] = [];
  let header: string | undefined;
  // "%" command lines (and blank lines) may precede the header.
  while ((header = lines.next()) !== undefined) {
    if (header.startsWith("%")) collectCommand(header, comments);
    else if (header.trim() !== "") break;
  }
  if (header === undefined || !header.startsWith(GPERFTOOLS_HEAP_MAGIC)) return undefined;
  const fail = (problem: string, line: string | undefined, lineNumber = lines.lineNumber) =>
    malformedLine(fileName, lineNumber, problem, line, HINT);

  const match = HEADER.exec(header);
  if (!match) throw fail('expected "heap profile: <n>: <bytes> [<n>: <bytes>] @ <type>"', header);
  if (match[6] !== undefined && !Number.isSafeInteger(Number(match[6]))) throw fail("the sampling period is too large", header);
  const scaling = decideScaling(match);

  const builder = new ProfileBuilder(4);
  const counts = [0, 0, 0, 0];
  const addresses = new NumberList();
  let wrappedCounters = false;
  let mapsText = "";
  let sawMaps = false;
  let line: string | undefined;
  while ((line = lines.next()) !== undefined) {
    if (line.startsWith("MAPPED_LIBRARIES:") || line.startsWith("--- Memory map:")) {
      mapsText = lines.rest();
      sawMaps = true;
      break;
    }
    if (line.startsWith("%")) {
      collectCommand(line, comments);
      continue;
    }
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue; // Go's legacy layout has "# ..." lines
    let i = scanCountPairs(line, 0, counts);
    if (i >= 0) i = expectChar(line, i, "@");
    if (i < 0) throw fail('expected "<n>: <bytes> [<n>: <bytes>] @ 0x<address> ..."', line);
    const bad = scanAddresses(line, i, addresses);
    if (bad >= 0) throw fail("expected a hex address in the stack", tokenAt(line, bad));
    for (let k = 0; k < 4; k++) {
      const count = counts[k] as number;
      if (count >= 0) continue;
      if (count < -INT32_WRAP / 2) throw fail("a count is negative beyond what a wrapped 32-bit counter gives", line);
      counts[k] = count + INT32_WRAP;
      wrappedCounters = true;
    }
    builder.addSample(addresses.items, true, unsample(counts, scaling), addresses.length);
  }

  if (wrappedCounters) comments.push("some counters wrapped past 2^31 in the file and were corrected by 2^32");
  if (!sawMaps) comments.push("the file has no MAPPED_LIBRARIES section: addresses cannot be placed in objects");
  const maps = parseMaps(mapsText);
  if (maps.ignoredLineCount > 0) comments.push(`${maps.ignoredLineCount} line(s) of the maps section were not maps lines`);
  const profile = builder.build(
    {
      format: "gperftools-heap",
      sampleTypes: [ALLOC_OBJECTS, ALLOC_SPACE, INUSE_OBJECTS, INUSE_SPACE],
      defaultSampleType: INUSE_SPACE.type,
      periodType: SPACE_PERIOD,
      period: scaling.kind === "none" ? 1 : scaling.periodBytes,
      comments,
    },
    maps.mappings,
    undefined,
    true,
  );
  return profile;
}

function collectCommand(line: string, comments: string[]): void {
  const warning = /^%warn\s*(.*)$/.exec(line);
  if (warning) comments.push(`warning: ${warning[1] ?? ""}`);
}

/** The decision table of profile-formats.md §2.3 (jeprof's ReadThreadedHeapProfile). */
function decideScaling(header: RegExpExecArray): Scaling {
  const [, inuseObjects, inuseBytes, allocObjects, allocBytes, type, periodText] = header;
  const period = periodText ? Number(periodText) : 0;
  if (type === undefined || type === "") {
    const looksSampled = inuseObjects === allocObjects && inuseBytes === allocBytes;
    return looksSampled ? { kind: "v1", periodBytes: DEFAULT_HEAP_PERIOD_BYTES } : { kind: "none" };
  }
  if (type === "heapprofile" || !type.includes("heap")) return { kind: "none" };
  if (type.includes("_v2")) return { kind: "poisson", periodBytes: period || DEFAULT_HEAP_PERIOD_BYTES };
  return { kind: "v1", periodBytes: period / 2 || DEFAULT_HEAP_PERIOD_BYTES };
}

/** Raw "inuse [alloc]" counts to values in sample-type order, each pair scaled on its own. */
function unsample(counts: number[], scaling: Scaling): number[] {
  const [inuseObjects = 0, inuseBytes = 0, allocObjects = 0, allocBytes = 0] = counts;
  let inuse = 1;
  let alloc = 1;
  if (scaling.kind !== "none") {
    const scale = scaling.kind === "poisson" ? poissonScale : v1Scale;
    inuse = scale(inuseObjects, inuseBytes, scaling.periodBytes);
    alloc = scale(allocObjects, allocBytes, scaling.periodBytes);
  }
  return [allocObjects * alloc, allocBytes * alloc, inuseObjects * inuse, inuseBytes * inuse];
}
