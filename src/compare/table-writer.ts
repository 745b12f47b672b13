// One table model, three syntaxes: aligned text for the terminal, Markdown for pull
// requests, CSV for spreadsheets. Renderers decide the cells; these only lay them out.
import { alignColumns, type Painter } from "../core/terminal.js";

export interface TableColumn {
  title: string;
  align: "left" | "right";
}

export interface Table {
  columns: TableColumn[];
  rows: string[][];
}

/** Aligned columns; `paint` may colour a cell after alignment widths are known (escapes do not count). */
export function renderTextTable(table: Table, paint?: (text: string, row: number, column: number) => string): string {
  const right = new Set(table.columns.flatMap((column, i) => (column.align === "right" ? [i] : [])));
  const header = table.columns.map((column) => column.title);
  const body = table.rows.map((row, r) => row.map((cell, c) => (paint ? paint(cell, r, c) : cell)));
  return alignColumns([header, ...body], right)
    .map((line) => line.trimEnd())
    .join("\n");
}

export function renderMarkdownTable(table: Table): string {
  const escape = (cell: string) => cell.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\n/g, " ");
  const header = `| ${table.columns.map((column) => escape(column.title)).join(" | ")} |`;
  const rule = `|${table.columns.map((column) => (column.align === "right" ? "---:" : ":---")).join("|")}|`;
  const rows = table.rows.map((row) => `| ${row.map(escape).join(" | ")} |`);
  return [header, rule, ...rows].join("\n");
}

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled; CRLF line ends. */
export function renderCsvTable(table: Table): string {
  const field = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
  return [table.columns.map((column) => field(column.title)), ...table.rows.map((row) => row.map(field))].map((cells) => cells.join(",")).join("\r\n") + "\r\n";
}

export type { Painter };
