// The doctor report for people (grouped, aligned, coloured on a terminal) and for
// programs (--json with stable keys).
import { alignColumns, type Painter } from "../core/terminal.js";
import type { DoctorReport } from "./collect-report.js";
import { sortBySeverity, type Finding, type Severity } from "../detect/finding.js";
import type { AllocatorInfo } from "./machine/allocator-libraries.js";
import type { ToolInfo } from "./machine/tools.js";

const SECTION_PREFIXES: { title: string; prefixes: string[] }[] = [
  { title: "machine", prefixes: ["machine."] },
  { title: "allocators", prefixes: ["allocator.", "library."] },
  { title: "tools", prefixes: ["tool."] },
  { title: "program", prefixes: ["target."] },
  { title: "run", prefixes: ["run."] },
];

const LABEL_WIDTH = "blocking".length;

function paintSeverity(severity: Severity, painter: Painter): string {
  const label = severity.padEnd(LABEL_WIDTH);
  switch (severity) {
    case "ok": return painter.green(label);
    case "info": return painter.dim(label);
    case "warning": return painter.yellow(label);
    case "blocking": return painter.bold(painter.red(label));
  }
}

function renderFindings(findings: readonly Finding[], painter: Painter): string[] {
  const indent = " ".repeat(2 + LABEL_WIDTH + 2);
  return findings.flatMap((finding) => [
    `  ${paintSeverity(finding.severity, painter)}  ${finding.what}`,
    ...(finding.fix === undefined ? [] : [`${indent}${painter.dim("→")} ${finding.fix}`]),
  ]);
}

/** "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c" → "5.3.0-0-g54eaed1d" on screen. */
const shortenGitHashes = (text: string): string => text.replace(/-g([0-9a-f]{8})[0-9a-f]{8,32}\b/g, "-g$1");

function profilingLabel(profiling: boolean | null): string {
  if (profiling === null) return "heap profiles: unknown";
  return profiling ? "heap profiles" : "no heap profiles";
}

function allocatorRows(allocators: readonly AllocatorInfo[], painter: Painter): string[] {
  const rows = allocators.map((allocator) =>
    allocator.library === null
      ? [allocator.name, painter.yellow("not installed"), "", ""]
      : [allocator.name, allocator.library, shortenGitHashes(allocator.version ?? ""), profilingLabel(allocator.profiling)],
  );
  return alignColumns(rows).map((line) => `  ${line.trimEnd()}`);
}

function toolRows(tools: readonly ToolInfo[], painter: Painter): string[] {
  const rows = tools.map((tool) => [tool.name, tool.path ?? painter.dim("not found"), shortenGitHashes(tool.version ?? ""), tool.package === null ? "" : painter.dim(tool.package)]);
  return alignColumns(rows).map((line) => `  ${line.trimEnd()}`);
}

function summaryLine(findings: readonly Finding[], painter: Painter): string {
  const count = (severity: Severity) => findings.filter((finding) => finding.severity === severity).length;
  const blocking = count("blocking");
  const warnings = count("warning");
  const warningText = `${warnings} warning${warnings === 1 ? "" : "s"}`;
  if (blocking === 0) return painter.green(`no blocking problems`) + ` (${warningText})`;
  return painter.red(`${blocking} blocking problem${blocking === 1 ? "" : "s"}`) + `, ${warningText}`;
}

export function renderDoctorText(report: DoctorReport, painter: Painter, programName?: string): string {
  const lines: string[] = [];
  for (const { title, prefixes } of SECTION_PREFIXES) {
    const findings = sortBySeverity(report.findings.filter((finding) => prefixes.some((prefix) => finding.id.startsWith(prefix))));
    if ((title === "program" && report.program === null && findings.length === 0) || (title === "run" && findings.length === 0)) continue;
    lines.push(painter.bold(title === "program" && programName !== undefined ? `program ${programName}` : title));
    if (title === "allocators") lines.push(...allocatorRows(report.allocators, painter));
    if (title === "tools") lines.push(...toolRows(report.tools, painter));
    lines.push(...renderFindings(findings, painter), "");
  }
  lines.push(summaryLine(report.findings, painter));
  return `${lines.join("\n")}\n`;
}

/** Key order and presence are part of the format: `fix` is null rather than absent. */
export function renderDoctorJson(report: DoctorReport): string {
  const document = {
    schemaVersion: report.schemaVersion,
    machine: report.machine,
    allocators: report.allocators.map(({ name, library, version, profiling }) => ({ name, library, version, profiling })),
    tools: report.tools.map(({ name, path, version, package: packageName }) => ({ name, path, version, package: packageName })),
    program: report.program,
    findings: report.findings.map(({ id, severity, what, fix }) => ({ id, severity, what, fix: fix ?? null })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
