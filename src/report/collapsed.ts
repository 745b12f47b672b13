// Folded stacks for flamegraph.pl and speedscope (profile-formats.md §5): root first,
// frames joined by ";", one space, an integer weight. Equal stacks are merged; ";" and line
// breaks inside names are replaced so they cannot split a frame or a line. With a base
// profile each line carries two weights, "OLD NEW" (flamegraph.pl's difffolded input).
import type { Analysis } from "../analysis/analysis.js";
import { shareFunctionIds, type StackTable } from "../analysis/stack-table.js";
import type { FunctionRef } from "../analysis/stacks.js";
import { mixHash, SequenceIndex } from "../profile/address-table.js";
import { roundPreservingSum } from "./values.js";

export function sanitizeFrameName(name: string): string {
  return name.replace(/;/g, ":").replace(/[\r\n]+/g, " ");
}

const NO_STACK = "[no stack]";
const SEMICOLON = 0x3b;

/**
 * Stacks merged by their line of names: entry e stands for every stack (of any of the
 * tables) whose frames read as the same names, with each table's summed weight. Names are
 * numbered in string order, and each entry's line is kept as those numbers (root first)
 * rather than as the joined string.
 */
class FoldedStacks {
  /** Distinct sanitized names in string order; a name's id is its index. */
  readonly names: string[];
  /** Whether the name is a proper prefix of another (then ids alone cannot order lines). */
  private readonly isPrefix: Uint8Array;
  /** `nameIds[t][f]`: the name id of function f of table t. */
  private readonly nameIds: number[][];
  private readonly entryTable: number[] = [];
  private readonly entryStack: number[] = [];
  readonly weights: number[][];
  private readonly index = new SequenceIndex();
  /** Entry e's line is lineNames[lineStarts[e] .. lineStarts[e + 1]), root first. */
  private lineNames = new Int32Array(0);
  private lineStarts = new Uint32Array(1);

  constructor(private readonly tables: readonly StackTable[]) {
    const shared = shareFunctionIds(tables, (fn) => sanitizeFrameName(fn.name));
    this.names = [...new Set([...shared.refs.map((fn) => sanitizeFrameName(fn.name)), NO_STACK])].sort();
    const idOf = new Map(this.names.map((name, id) => [name, id]));
    this.isPrefix = Uint8Array.from(this.names, (name, id) => (this.names[id + 1]?.startsWith(name) ? 1 : 0));
    this.nameIds = shared.ids.map((ids) => ids.map((id) => idOf.get(sanitizeFrameName((shared.refs[id] as FunctionRef).name)) as number));
    this.weights = tables.map(() => []);
    tables.forEach((table, t) => {
      for (let s = 0; s < table.stackCount; s++) this.add(t, s);
    });
    this.writeLines(idOf.get(NO_STACK) as number);
  }

  get entryCount(): number {
    return this.entryStack.length;
  }

  /** Frame count of stack s of table t. */
  private depth(t: number, s: number): number {
    const table = this.tables[t] as StackTable;
    return (table.stackStarts[s + 1] as number) - (table.stackStarts[s] as number);
  }

  /** The name id of stack s of table t, `fromRoot` frames below its root. */
  private nameAt(t: number, s: number, fromRoot: number): number {
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

  /** Every entry's line as name ids, root first; an empty stack reads "[no stack]". */
  private writeLines(noStack: number): void {
    let total = 0;
    for (let e = 0; e < this.entryCount; e++) total += Math.max(1, this.depth(this.entryTable[e] as number, this.entryStack[e] as number));
    this.lineNames = new Int32Array(total);
    this.lineStarts = new Uint32Array(this.entryCount + 1);
    let next = 0;
    for (let e = 0; e < this.entryCount; e++) {
      const t = this.entryTable[e] as number;
      const s = this.entryStack[e] as number;
      const depth = this.depth(t, s);
      if (depth === 0) this.lineNames[next++] = noStack;
      for (let i = 0; i < depth; i++) this.lineNames[next++] = this.nameAt(t, s, i);
      this.lineStarts[e + 1] = next;
    }
  }

  /** The order of the joined lines as strings (code units), compared name by name. */
  readonly compare = (a: number, b: number): number => {
    const { lineNames, lineStarts } = this;
    const endA = lineStarts[a + 1] as number;
    const endB = lineStarts[b + 1] as number;
    for (let i = lineStarts[a] as number, j = lineStarts[b] as number; ; i++, j++) {
      if (i === endA) return j === endB ? 0 : -1;
      if (j === endB) return 1;
      const x = lineNames[i] as number;
      const y = lineNames[j] as number;
      if (x === y) continue;
      // Ids follow string order, unless the smaller name is a prefix of the larger: its
      // line then continues with ";" or ends there.
      if (this.isPrefix[Math.min(x, y)] === 0) return x - y;
      const nameA = this.names[x] as string;
      const nameB = this.names[y] as string;
      if (nameB.startsWith(nameA)) return i + 1 === endA ? -1 : SEMICOLON - nameB.charCodeAt(nameA.length);
      if (nameA.startsWith(nameB)) return j + 1 === endB ? 1 : nameA.charCodeAt(nameB.length) - SEMICOLON;
      return x - y;
    }
  };

  /** The UTF-8 size of entry e's line of names, given each name's. */
  lineBytes(entry: number, nameBytes: readonly number[]): number {
    const start = this.lineStarts[entry] as number;
    const end = this.lineStarts[entry + 1] as number;
    let size = end - start - 1;
    for (let i = start; i < end; i++) size += nameBytes[this.lineNames[i] as number] as number;
    return size;
  }

  /** Entry e's line of names, root first. */
  line(entry: number): string {
    const start = this.lineStarts[entry] as number;
    const end = this.lineStarts[entry + 1] as number;
    let line = this.names[this.lineNames[start] as number] as string;
    for (let i = start + 1; i < end; i++) line += `;${this.names[this.lineNames[i] as number]}`;
    return line;
  }
}

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
  // Lines are gathered into ~64 KiB strings: one write per line would cost more than the text.
  let chunk = "";
  order.forEach((entry, k) => {
    if (!kept(k)) return;
    chunk += `${folded.line(entry)} ${columns.length === 1 ? (columns[0] as number[])[k] : `${(columns[0] as number[])[k]} ${(columns[1] as number[])[k]}`}\n`;
    if (chunk.length < 1 << 16) return;
    offset += bytes.write(chunk, offset);
    chunk = "";
  });
  bytes.write(chunk, offset);
  return bytes;
}

export function renderCollapsed(analysis: Analysis): string {
  return renderCollapsedBytes(analysis).toString("utf8");
}
