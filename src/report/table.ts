// The one table writer behind terminal, Markdown and CSV output: the same header and
// cells, only the row syntax differs. CSV gets each cell's raw value (plain numbers) so
// spreadsheets can compute with it; the other styles show the human text.
import { alignColumns } from "../core/terminal.js";

export type TableStyle = "terminal" | "markdown" | "csv";

export interface Cell {
  text: string;
  /** Machine value for CSV; defaults to text. */
  raw?: string | number;
}

export interface Column {
  header: string;
  /** Key used as the CSV header (snake_case); defaults to header. */
  key?: string;
  align: "left" | "right";
}

export interface Table {
  columns: Column[];
  rows: Cell[][];
}

export const cell = (text: string, raw?: string | number): Cell => (raw === undefined ? { text } : { text, raw });

export function renderTable(table: Table, style: TableStyle, indent = ""): string {
  if (style === "csv") return renderCsv(table);
  if (style === "markdown") return renderMarkdown(table);
  const right = new Set(table.columns.flatMap((column, index) => (column.align === "right" ? [index] : [])));
  const lines = alignColumns([table.columns.map((column) => column.header), ...table.rows.map((row) => row.map((c) => c.text))], right);
  return lines.map((line) => `${indent}${line.trimEnd()}\n`).join("");
}

function renderMarkdown(table: Table): string {
  const escape = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const header = `| ${table.columns.map((column) => escape(column.header)).join(" | ")} |`;
  const rule = `|${table.columns.map((column) => (column.align === "right" ? "---:" : ":---")).join("|")}|`;
  const rows = table.rows.map((row) => `| ${row.map((c) => escape(c.text)).join(" | ")} |`);
  return `${[header, rule, ...rows].join("\n")}\n`;
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function renderCsv(table: Table): string {
  const header = table.columns.map((column) => csvField(column.key ?? column.header)).join(",");
  const rows = table.rows.map((row) => row.map((c) => csvField(c.raw ?? c.text)).join(","));
  return `${[header, ...rows].join("\n")}\n`;
}
