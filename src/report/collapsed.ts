// Folded stacks for flamegraph.pl and speedscope (profile-formats.md §5): root first,
// frames joined by ";", one space, an integer weight. Equal stacks are merged; ";" and line
// breaks inside names are replaced so they cannot split a frame or a line. With a base
// profile each line carries two weights, "OLD NEW" (flamegraph.pl's difffolded input).
import type { Analysis } from "../analysis/analysis.js";
import { shareFunctionIds, type StackTable } from "../analysis/stack-table.js";
import { mixHash, SequenceIndex } from "../profile/address-table.js";
import { roundPreservingSum } from "./values.js";

export function sanitizeFrameName(name: string): string {
  return name.replace(/;/g, ":").replace(/[\r\n]+/g, " ");
}

const NO_STACK = "[no stack]";

/**
 * Stacks merged by their line of names: entry e stands for every stack (of any of the
 * tables) whose frames read as the same names, with each table's summed weight. An entry
 * is held as one representative stack, not as the joined string.
 */
class FoldedStacks {
  /** Sanitized names; `nameIds[t][f]` is function f of table t's. */
  readonly names: string[];
  readonly nameIds: number[][];
  readonly entryTable: number[] = [];
  readonly entryStack: number[] = [];
  readonly weights: number[][];
  private readonly index = new SequenceIndex();

  constructor(readonly tables: readonly StackTable[]) {
    const shared = shareFunctionIds(tables, (fn) => sanitizeFrameName(fn.name));
    this.nameIds = shared.ids;
    this.names = shared.refs.map((fn) => sanitizeFrameName(fn.name));
    this.names.push(NO_STACK);
    this.weights = tables.map(() => []);
    tables.forEach((table, t) => {
      for (let s = 0; s < table.stackCount; s++) this.add(t, s);
    });
  }

  get entryCount(): number {
    return this.entryStack.length;
  }

  /** Frame count of stack s of table t. */
  depth(t: number, s: number): number {
    const table = this.tables[t] as StackTable;
    return (table.stackStarts[s + 1] as number) - (table.stackStarts[s] as number);
  }

  /** The name id of stack s of table t, `fromRoot` frames below its root. */
  nameAt(t: number, s: number, fromRoot: number): number {
    const table = this.tables[t] as StackTable;
    const frame = table.stackFrames[(table.stackStarts[s + 1] as number) - 1 - fromRoot] as number;
    return (this.nameIds[t] as number[])[table.frameFunctions[frame] as number] as number;
  }

  private add(t: number, s: number): void {
    const depth = this.depth(t, s);
    let hash = 0x811c9dc5 ^ depth;
    for (let i = 0; i < depth; i++) hash = Math.imul(hash ^ this.nameAt(t, s, i), 0x01000193);
    hash = mixHash(hash);
    const isSame = (entry: number) => {
      const t2 = this.entryTable[entry] as number;
      const s2 = this.entryStack[entry] as number;
      if (this.depth(t2, s2) !== depth) return false;
      for (let i = 0; i < depth; i++) if (this.nameAt(t2, s2, i) !== this.nameAt(t, s, i)) return false;
      return true;
    };
    let entry = this.index.find(hash, isSame);
    if (entry === -1) {
      entry = this.entryCount;
      this.entryTable.push(t);
      this.entryStack.push(s);
      for (const weights of this.weights) weights.push(0);
      this.index.add(hash, entry);
    }
    const weights = this.weights[t] as number[];
    weights[entry] = (weights[entry] as number) + ((this.tables[t] as StackTable).values[s] as number);
  }

  /** Name id i (from the root) of entry e's line, or -1 past its end; an empty stack reads "[no stack]". */
  private lineNameAt(entry: number, i: number): number {
    const t = this.entryTable[entry] as number;
    const s = this.entryStack[entry] as number;
    const depth = this.depth(t, s);
    if (depth === 0) return i === 0 ? this.names.length - 1 : -1;
    return i < depth ? this.nameAt(t, s, i) : -1;
  }

  /** The order of the joined lines as strings (code units), compared name by name. */
  readonly compare = (a: number, b: number): number => {
    for (let i = 0; ; i++) {
      const x = this.lineNameAt(a, i);
      const y = this.lineNameAt(b, i);
      if (x === y) {
        if (x === -1) return 0;
        continue;
      }
      if (x === -1) return -1;
      if (y === -1) return 1;
      const nameA = this.names[x] as string;
      const nameB = this.names[y] as string;
      if (nameA === nameB) continue;
      // A name that is a prefix of the other continues with ";" or ends its line.
      if (nameB.startsWith(nameA)) return this.lineNameAt(a, i + 1) === -1 ? -1 : SEMICOLON - nameB.charCodeAt(nameA.length);
      if (nameA.startsWith(nameB)) return this.lineNameAt(b, i + 1) === -1 ? 1 : nameA.charCodeAt(nameB.length) - SEMICOLON;
      return nameA < nameB ? -1 : 1;
    }
  };

  /** The UTF-8 size of entry e's line of names, given each name's. */
  lineBytes(entry: number, nameBytes: readonly number[]): number {
    let size = 0;
    for (let i = 0; ; i++) {
      const name = this.lineNameAt(entry, i);
      if (name === -1) return size;
      size += (i === 0 ? 0 : 1) + (nameBytes[name] as number);
    }
  }

  /** Entry e's line of names, root first. */
  line(entry: number): string {
    let line = "";
    for (let i = 0; ; i++) {
      const name = this.lineNameAt(entry, i);
      if (name === -1) return line;
      line += i === 0 ? this.names[name] : `;${this.names[name]}`;
    }
  }
}

const SEMICOLON = 0x3b;

/**
 * Folded lines, sorted, with integer weights that keep each total: "a;b;c W" (or "a;b;c
 * OLD NEW" against a base). Built as bytes of the exact final size: for a million stacks
 * the text is hundreds of megabytes, and a string of it plus the lines would double that.
 */
export function renderCollapsedBytes(analysis: Analysis): Buffer {
  const tables = analysis.base === undefined ? [analysis.stacks] : [analysis.stacks, analysis.base.stacks];
  const folded = new FoldedStacks(tables);
  const order = Array.from({ length: folded.entryCount }, (_, entry) => entry).sort(folded.compare);
  const rounded = folded.weights.map((weights) => roundPreservingSum(order.map((entry) => weights[entry] as number)));
  // Columns: the base's weights first ("OLD NEW"), as flamegraph.pl's difffolded reads them.
  const columns = rounded.length === 1 ? rounded : [rounded[1] as number[], rounded[0] as number[]];
  const nameBytes = folded.names.map((name) => Buffer.byteLength(name));
  const kept = (k: number) => columns.some((column) => (column[k] as number) > 0);
  let size = 0;
  order.forEach((entry, k) => {
    if (!kept(k)) return;
    size += folded.lineBytes(entry, nameBytes);
    for (const column of columns) size += 1 + String(column[k]).length;
    size += 1;
  });
  const bytes = Buffer.allocUnsafe(size);
  let offset = 0;
  order.forEach((entry, k) => {
    if (!kept(k)) return;
    offset += bytes.write(`${folded.line(entry)} ${columns.map((column) => column[k]).join(" ")}\n`, offset);
  });
  return bytes;
}

export function renderCollapsed(analysis: Analysis): string {
  return renderCollapsedBytes(analysis).toString("utf8");
}
