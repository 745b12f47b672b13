// Hand-written scanning for the line-oriented profile formats: one pass over the text,
// no regular expression per line (profiles can hold hundreds of thousands of stacks).

/** The next part of a text read in parts, or undefined at its end. */
export type TextChunks = () => string | undefined;

/**
 * Walks a text line by line, keeping the 1-based number of the last line returned. The hot
 * loops use advance() and scan `text` between lineStart and lineEnd in place: slicing
 * millions of lines out of a large profile costs more than reading them. Given `more`, the
 * text arrives in parts: `text` is then the part holding the current line (re-read it after
 * each advance), and a million-stack profile's 160 MB are never in memory at once.
 */
export class LineCursor {
  private position = 0;
  lineNumber = 0;
  /** Bounds of the current line in the text, without "\n" or "\r\n". */
  lineStart = 0;
  lineEnd = 0;

  constructor(
    private current: string,
    private more?: TextChunks,
  ) {}

  /** The text, or with parts the part, that holds the current line. */
  get text(): string {
    return this.current;
  }

  /** Moves to the next line; false at the end of the text. */
  advance(): boolean {
    let end = this.current.indexOf("\n", this.position);
    // A line cut by the end of a part continues in the next: carry it over.
    while (end === -1 && this.more !== undefined) {
      const next = this.more();
      if (next === undefined) {
        this.more = undefined;
        break;
      }
      const searchFrom = this.current.length - this.position;
      this.current = this.current.slice(this.position) + next;
      this.position = 0;
      end = this.current.indexOf("\n", searchFrom);
    }
    if (this.position >= this.current.length) return false;
    if (end === -1) end = this.current.length;
    this.lineStart = this.position;
    this.position = end + 1;
    if (end > this.lineStart && this.current.charCodeAt(end - 1) === 0x0d) end--;
    this.lineEnd = end;
    this.lineNumber++;
    return true;
  }

  /** The current line as a string. */
  line(): string {
    return this.text.slice(this.lineStart, this.lineEnd);
  }

  /** The next line without "\n" or "\r\n", or undefined at the end of the text. */
  next(): string | undefined {
    return this.advance() ? this.line() : undefined;
  }

  /** Everything after the last line returned (the remaining parts too). */
  rest(): string {
    let rest = this.current.slice(this.position);
    for (let next = this.more?.(); next !== undefined; next = this.more?.()) rest += next;
    this.more = undefined;
    return rest;
  }
}

const SPACE = 0x20;
const TAB = 0x09;
const ZERO = 0x30;
const NINE = 0x39;
const MINUS = 0x2d;
const LOWER_X = 0x78;
/** 2^64 has 20 digits: longer numbers are damage, not data. */
const MAX_DECIMAL_DIGITS = 20;
/** 64-bit addresses. */
const MAX_HEX_DIGITS = 16;

export function skipSpaces(line: string, index: number, end = line.length): number {
  let i = index;
  while (i < end) {
    const c = line.charCodeAt(i);
    if (c !== SPACE && c !== TAB) break;
    i++;
  }
  return i;
}

/**
 * Scans an optionally negative decimal integer at `index` (after spaces). Stores it in
 * `scanned.value` and returns the index after it, or -1 when there is no number there.
 * Scanning stops at `end` (the end of the line within a larger text).
 */
export function scanInteger(line: string, index: number, scanned: { value: number }, end = line.length): number {
  let i = skipSpaces(line, index, end);
  const negative = i < end && line.charCodeAt(i) === MINUS;
  if (negative) i++;
  const first = i;
  let value = 0;
  while (i < end) {
    const c = line.charCodeAt(i);
    if (c < ZERO || c > NINE) break;
    value = value * 10 + (c - ZERO);
    i++;
  }
  if (i === first || i - first > MAX_DECIMAL_DIGITS) return -1;
  scanned.value = negative ? -value : value;
  return i;
}

/** Index after `char` (one character, after optional spaces), or -1. */
export function expectChar(line: string, index: number, char: string, end = line.length): number {
  return expectCode(line, index, char.charCodeAt(0), end);
}

function expectCode(line: string, index: number, code: number, end: number): number {
  const i = skipSpaces(line, index, end);
  return i < end && line.charCodeAt(i) === code ? i + 1 : -1;
}

const scratch = { value: 0 };
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** What precedes the 2nd, 3rd and 4th number of "n: s [n: s]". */
const PAIR_SEPARATORS = [COLON, OPEN_BRACKET, COLON];

/**
 * Scans the "n: s [n: s]" counts shared by jemalloc and gperftools heap lines into
 * out[0..3] = in-use objects, in-use bytes, alloc objects, alloc bytes. Returns the index
 * after "]" or -1.
 */
export function scanCountPairs(line: string, index: number, out: number[], end = line.length): number {
  // Separators by code, not a pattern of strings: two of these lines per stack.
  const scanned = scratch;
  let i = scanInteger(line, index, scanned, end);
  if (i < 0) return -1;
  out[0] = scanned.value;
  for (let k = 1; k < 4; k++) {
    i = expectCode(line, i, PAIR_SEPARATORS[k - 1] as number, end);
    if (i >= 0) i = scanInteger(line, i, scanned, end);
    if (i < 0) return -1;
    out[k] = scanned.value;
  }
  return expectCode(line, i, CLOSE_BRACKET, end);
}

/** A reusable list of numbers (a stack's addresses): filled in place, never reallocated per line. */
export class NumberList {
  items = new Float64Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.items.length) {
      const bigger = new Float64Array(2 * this.items.length);
      bigger.set(this.items);
      this.items = bigger;
    }
    this.items[this.length++] = value;
  }
}

/**
 * Scans whitespace-separated hex addresses ("0x" optional) from `index` to the end of the
 * line into `out` (cleared first). Returns -1, or the index of the first token that is not
 * a hex address.
 */
export function scanAddresses(line: string, index: number, out: NumberList, end = line.length): number {
  out.length = 0;
  let i = skipSpaces(line, index, end);
  while (i < end) {
    const tokenStart = i;
    if (i + 1 < end && line.charCodeAt(i) === ZERO && (line.charCodeAt(i + 1) | 0x20) === LOWER_X) i += 2;
    const first = i;
    // Two signed 32-bit halves, made unsigned only at the end: the loop stays in small
    // integers (an unsigned half above 2^31 would be a heap number on every digit).
    let high = 0;
    let low = 0;
    while (i < end) {
      const c = line.charCodeAt(i);
      const digit = c < 128 ? (HEX_DIGITS[c] as number) : -1;
      if (digit < 0) break;
      high = (high << 4) | (low >>> 28);
      low = (low << 4) | digit;
      i++;
    }
    const c = i < end ? line.charCodeAt(i) : SPACE;
    if (i === first || i - first > MAX_HEX_DIGITS || (c !== SPACE && c !== TAB)) return tokenStart;
    out.push((high >>> 0) * 4294967296 + (low >>> 0));
    i = skipSpaces(line, i, end);
  }
  return -1;
}

/** The whitespace-delimited token starting at `index`. */
export function tokenAt(line: string, index: number, lineEnd = line.length): string {
  let end = index;
  while (end < lineEnd && line.charCodeAt(end) !== SPACE && line.charCodeAt(end) !== TAB) end++;
  return line.slice(index, end);
}

/** Value of each ASCII hex digit, -1 for every other character below 128. */
const HEX_DIGITS = Int8Array.from({ length: 128 }, (_, c) => {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 && c >= 0x41 ? lower - 0x61 + 10 : -1;
});

/** A line quoted for an error message, shortened so one damaged line cannot flood stderr. */
export function quoteLine(line: string): string {
  const shown = line.length > 80 ? `${line.slice(0, 77)}...` : line;
  return JSON.stringify(shown);
}
