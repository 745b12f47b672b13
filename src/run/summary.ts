// The few lines allocrun prints on stderr after a run: enough to know what happened and
// where the files are, short enough not to bury the program's own output.
import { relative } from "node:path";
import { alignColumns, type Painter } from "../core/terminal.js";
import { formatBytes, formatDurationMs } from "../core/units.js";
import type { RunManifest } from "./manifest.js";

/** peakRssBytes is the largest single process (wait4): say so when it was not the program itself. */
function describeProgramPeak(manifest: RunManifest, paint: Painter): string {
  const own = manifest.programPeakRssBytes;
  if (own === null || own === undefined || own >= manifest.peakRssBytes) return "";
  return paint.dim(` largest single process (wait4); the program itself ${formatBytes(own)}`);
}

/** `heapLine`: what the heap held at its peak and at exit, from the analysis of a heap profile. */
export function formatRunSummary(manifest: RunManifest, runDir: string, cwd: string, paint: Painter, heapLine?: string): string {
  const { allocator } = manifest;
  const allocatorLine = allocator.library
    ? `${allocator.name} ${paint.dim(allocator.library)} ${allocator.verified ? paint.green(`(verified: ${allocator.verifiedBy})`) : paint.yellow("(NOT verified)")}`
    : allocator.name;
  const status =
    manifest.signal !== null
      ? paint.red(`killed by ${manifest.signal}`)
      : manifest.exitCode === 0
        ? "exit 0"
        : paint.red(`exit ${manifest.exitCode}`);
  const method = manifest.peakRssMethod === "wait4-rusage" ? "" : paint.dim(" (sampled)");
  const rows: string[][] = [
    ["allocator", allocatorLine],
    ["status", `${status}, wall ${formatDurationMs(manifest.wallSeconds * 1000)}, user ${formatDurationMs(manifest.userSeconds * 1000)}, sys ${formatDurationMs(manifest.sysSeconds * 1000)}`],
    ["peak RSS", `${formatBytes(manifest.peakRssBytes)}${method}${describeProgramPeak(manifest, paint)}`],
  ];
  if (heapLine !== undefined) rows.push(["heap", heapLine]);
  // What the program produced comes first; allocrun's own derived files after it.
  const derived = new Set(["timeline", "analysis", "flamegraph"]);
  const shown = [...manifest.artifacts.filter((a) => !derived.has(a.kind)), ...manifest.artifacts.filter((a) => derived.has(a.kind) && a.kind !== "timeline")];
  if (shown.length > 0) {
    const listed = shown.slice(0, 4).map((artifact) => `${artifact.path} (${formatBytes(artifact.bytes)})`);
    if (shown.length > 4) listed.push(`+${shown.length - 4} more`);
    rows.push(["artifacts", listed.join(", ")]);
  }
  const shownDir = relative(cwd, runDir);
  rows.push(["run folder", shownDir && !shownDir.startsWith("..") ? shownDir : runDir]);
  if (!allocator.verified && allocator.reason && !manifest.warnings.includes(allocator.reason)) rows.push(["warning", paint.yellow(allocator.reason)]);
  for (const warning of manifest.warnings) rows.push(["warning", paint.yellow(warning)]);
  const lines = alignColumns(rows.map(([label, value]) => [label ?? "", value ?? ""]));
  return `${paint.bold("allocrun")}\n${lines.map((line) => `  ${line}`).join("\n")}\n`;
}
