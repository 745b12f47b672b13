// jemalloc heap_v2 profiles (profile-formats.md §1.2): a header with process and thread
// totals, one "@ addresses" block per stack with its all-threads "t*" line and per-thread
// lines, then the process maps. Every count/bytes pair is un-sampled with the Poisson
// factor for R = 2^lg_prof_sample, line by line, as jeprof does.
import { ProfileBuilder } from "../builder.js";
import { parseMaps, type ParsedMaps } from "../maps.js";
import type { Profile, ThreadTotals, ValueType } from "../model.js";
import {
  ALLOC_OBJECTS,
  ALLOC_SPACE,
  INUSE_OBJECTS,
  INUSE_SPACE,
  SPACE_PERIOD,
  poissonScale,
} from "./heap-sampling.js";
import { malformedLine } from "./malformed.js";
import { LineCursor, NumberList, expectChar, scanAddresses, scanCountPairs, scanInteger, skipSpaces, tokenAt, type TextChunks } from "./text-scan.js";

/** How a jemalloc heap profile starts. */
export const JEMALLOC_HEAP_MAGIC = "heap_v2/";
const HINT =
  "the jemalloc heap profile is damaged or cut short (a process killed while dumping leaves a partial file); capture it again";
const ALL_THREADS = -1;
const AT = 0x40;
const STAR = 0x2a;

/**
 * A jemalloc heap_v2 profile, or undefined when `text` is not one. With `more`, `text` is
 * the file's first part and `more` gives the others (see LineCursor).
 */
export function parseJemallocHeap(text: string, fileName: string, more?: TextChunks): Profile | undefined {
  let head = text;
  while (head.length < JEMALLOC_HEAP_MAGIC.length && more !== undefined) {
    const next = more();
    if (next === undefined) break;
    head += next;
  }
  if (!head.startsWith(JEMALLOC_HEAP_MAGIC)) return undefined;
  return new JemallocHeapParser(head, fileName, more).parse();
}

class JemallocHeapParser {
  private readonly lines: LineCursor;
  private readonly builder = new ProfileBuilder(4);
  private periodBytes = 0;
  private hasAccumulated = false;
  private readonly threads = new Map<number, ThreadTotals>();
  /** The last thread line parsed: its thread (ALL_THREADS for "t*") and raw counts. */
  private lineThread = ALL_THREADS;
  private readonly lineCounts = [0, 0, 0, 0];
  private readonly scaled = [0, 0, 0, 0];
  private readonly scanned = { value: 0 };

  constructor(
    text: string,
    private readonly fileName: string,
    more: TextChunks | undefined,
  ) {
    this.lines = new LineCursor(text, more);
  }

  parse(): Profile {
    this.periodBytes = this.parsePeriod(this.lines.next() ?? "");
    this.parseThreadLine(this.requireLine("the process totals line"), ALL_THREADS);
    const addresses = new NumberList();
    let awaitingStackCounts = false;
    let inStacks = false;
    let mapsText: string | undefined;
    let mapsLineNumber = 0;
    // Lines are scanned in place (text, lineStart, lineEnd); only rare lines are sliced.
    while (this.lines.advance()) {
      const { text, lineStart: start, lineEnd: end } = this.lines;
      if (awaitingStackCounts) {
        // The line after "@ ..." holds the stack's all-threads counts.
        this.parseThreadLine(text, ALL_THREADS, start, end);
        this.builder.addSample(addresses.items, true, this.unsample(this.lineCounts), addresses.length);
        awaitingStackCounts = false;
        continue;
      }
      if (start === end) continue;
      if (text.charCodeAt(start) === AT) {
        const bad = scanAddresses(text, start + 1, addresses, end);
        if (bad >= 0) throw this.fail(this.lines.lineNumber, "expected a hex address in the stack", tokenAt(text, bad, end));
        awaitingStackCounts = inStacks = true;
        continue;
      }
      if (text.startsWith("MAPPED_LIBRARIES:", start)) {
        mapsLineNumber = this.lines.lineNumber;
        mapsText = detached(this.lines.rest());
        break;
      }
      const countsEnd = this.parseThreadLine(text, "any-thread", start, end);
      const restStart = skipSpaces(text, countsEnd, end);
      if (inStacks) this.addToThread(restStart === end ? "" : text.slice(restStart, end));
      else this.nameThread(text.slice(restStart, end));
    }
    if (awaitingStackCounts) {
      throw this.fail(this.lines.lineNumber + 1, 'a stack ends without its "t*:" counts line', undefined);
    }
    if (mapsText === undefined) {
      throw this.fail(this.lines.lineNumber + 1, "the file ends before its MAPPED_LIBRARIES: section", undefined);
    }
    this.checkNoProfileLinesIn(mapsText, mapsLineNumber);
    const maps = parseMaps(mapsText);
    if (maps.mappings.length === 0) {
      throw this.fail(mapsLineNumber, "MAPPED_LIBRARIES: lists no mapped file (the file was cut short), so no address can be placed in a program or library", undefined);
    }
    return this.build(maps);
  }

  private parsePeriod(header: string): number {
    const scanned = { value: 0 };
    const end = scanInteger(header, JEMALLOC_HEAP_MAGIC.length, scanned);
    if (end !== header.trimEnd().length || scanned.value < 1) {
      throw this.fail(1, 'expected "heap_v2/<sampling period in bytes>"', header);
    }
    // jemalloc writes 2^lg_prof_sample (lg_prof_sample <= 63); anything else is a damaged
    // header. Number() rounds long digit strings correctly, so 2^63 reads back exactly.
    const period = Number(header.slice(JEMALLOC_HEAP_MAGIC.length, end));
    if (!Number.isInteger(Math.log2(period)) || period > 2 ** 63) {
      throw this.fail(1, "the sampling period is not a power of two up to 2^63 (jemalloc writes 2^lg_prof_sample)", header);
    }
    return period;
  }

  /** A stack or thread line after MAPPED_LIBRARIES: means that header line is stray, not the end of the stacks. */
  private checkNoProfileLinesIn(mapsText: string, mapsLineNumber: number): void {
    const found = /^(?:@ |\s*t(?:\*|\d+): )/m.exec(mapsText);
    if (!found) return;
    const lineNumber = mapsLineNumber + 1 + countNewlines(mapsText, found.index);
    const lineEnd = mapsText.indexOf("\n", found.index);
    const line = mapsText.slice(found.index, lineEnd === -1 ? undefined : lineEnd);
    throw this.fail(lineNumber, `a profile line after the MAPPED_LIBRARIES: of line ${mapsLineNumber}, which is stray or misplaced`, line);
  }

  private requireLine(what: string): string {
    const line = this.lines.next();
    if (line === undefined) throw this.fail(this.lines.lineNumber + 1, `the file ends before ${what}`, undefined);
    return line;
  }

  /**
   * "  t*: n: s [n: s]" or "  t<id>: n: s [n: s][ name]" (in `text` from `start` to `end`)
   * into lineThread and lineCounts; returns the index after the counts.
   */
  private parseThreadLine(text: string, expected: typeof ALL_THREADS | "any-thread", start = 0, end = text.length): number {
    let i = expectChar(text, start, "t", end);
    let thread = ALL_THREADS;
    if (i >= 0 && i < end && text.charCodeAt(i) === STAR) i++;
    else if (i >= 0) {
      i = scanInteger(text, i, this.scanned, end);
      thread = this.scanned.value;
      if (thread < 0) i = -1;
    }
    if (i >= 0 && (expected === ALL_THREADS) !== (thread === ALL_THREADS)) i = -1;
    if (i >= 0) i = expectChar(text, i, ":", end);
    const counts = this.lineCounts;
    if (i >= 0) i = scanCountPairs(text, i, counts, end);
    const negative = counts[0]! < 0 || counts[1]! < 0 || counts[2]! < 0 || counts[3]! < 0;
    if (i < 0 || negative) {
      const shape = expected === ALL_THREADS ? '"t*: <objects>: <bytes> [<objects>: <bytes>]"' : 'a "t<thread>:" counts line';
      throw this.fail(this.lines.lineNumber, `expected ${shape}`, text.slice(start, end));
    }
    if (counts[2] !== 0 || counts[3] !== 0) this.hasAccumulated = true;
    this.lineThread = thread;
    return i;
  }

  /** Values in the order alloc_objects, alloc_space, inuse_objects, inuse_space. */
  private unsample(counts: number[]): number[] {
    const [inuseObjects = 0, inuseBytes = 0, allocObjects = 0, allocBytes = 0] = counts;
    const inuse = poissonScale(inuseObjects, inuseBytes, this.periodBytes);
    const alloc = poissonScale(allocObjects, allocBytes, this.periodBytes);
    this.scaled[0] = allocObjects * alloc;
    this.scaled[1] = allocBytes * alloc;
    this.scaled[2] = inuseObjects * inuse;
    this.scaled[3] = inuseBytes * inuse;
    return this.scaled;
  }

  private thread(id: number): ThreadTotals {
    let totals = this.threads.get(id);
    if (!totals) {
      totals = { id, values: [0, 0, 0, 0] };
      this.threads.set(id, totals);
    }
    return totals;
  }

  /** Header thread lines only register and name threads: their totals are one unbias over mixed sizes. */
  private nameThread(name: string): void {
    const totals = this.thread(this.lineThread);
    if (name !== "") totals.name = detached(name);
  }

  /** A stack's per-thread line adds to that thread's totals. */
  private addToThread(rest: string): void {
    if (rest !== "") throw this.fail(this.lines.lineNumber, "unexpected text after a stack's thread counts", rest);
    const totals = this.thread(this.lineThread);
    const values = this.unsample(this.lineCounts);
    for (let i = 0; i < 4; i++) totals.values[i] = (totals.values[i] as number) + (values[i] as number);
  }

  private build(maps: ParsedMaps): Profile {
    const comments =
      maps.ignoredLineCount > 0 ? [`${maps.ignoredLineCount} line(s) of MAPPED_LIBRARIES were not maps lines`] : [];
    // Without prof_accum every "[n: s]" pair is zero: keep only the in-use sample types.
    const kept = this.hasAccumulated ? [0, 1, 2, 3] : [2, 3];
    const threads = [...this.threads.values()].sort((a, b) => a.id - b.id);
    for (const thread of threads) thread.values = kept.map((column) => thread.values[column] as number);
    const profile = this.builder.build(
      {
        format: "jemalloc-heap",
        sampleTypes: kept.map((column) => [ALLOC_OBJECTS, ALLOC_SPACE, INUSE_OBJECTS, INUSE_SPACE][column] as ValueType),
        defaultSampleType: INUSE_SPACE.type,
        periodType: SPACE_PERIOD,
        period: this.periodBytes,
        comments,
        threads,
      },
      maps.mappings,
      kept,
      true,
    );
    return profile;
  }

  private fail(lineNumber: number, problem: string, line: string | undefined): Error {
    return malformedLine(this.fileName, lineNumber, problem, line, HINT);
  }
}

/**
 * A copy of a slice that does not point into the file's text: V8 keeps a whole parent
 * string alive for any slice of it, and mapping paths and thread names outlive parsing
 * (a million-stack profile's text is 160 MB).
 */
function detached(slice: string): string {
  return Buffer.from(slice, "utf8").toString("utf8");
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) count++;
  return count;
}
