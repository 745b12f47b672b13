// GitHub Actions workflow commands (`::error file=…,line=…::message`), printed when
// GITHUB_ACTIONS=true so a regression shows on the pull request's checks page: one error
// on each growing allocation site whose source file is in the checkout, one on the
// command for the verdict itself, and a warning for each warning of the gate.
import { isAbsolute, relative } from "node:path";
import { formatCommandLine } from "../core/shell-words.js";
import type { GateResult } from "./evaluate-gate.js";
import type { GrowingSite } from "./growing-sites.js";
import type { MetricName } from "./metrics.js";
import { summarizeVerdict } from "./render-gate.js";

export interface AnnotationInput {
  result: GateResult;
  command: readonly string[];
  /** The allocation sites that grew, and the metric they explain. */
  growth: { sites: readonly GrowingSite[]; metric: MetricName } | undefined;
  warnings: readonly string[];
  /** The checkout (GITHUB_WORKSPACE, else the current folder): annotated paths are relative to it. */
  workspace: string;
}

const TITLE = "allocrun ci";

/** Message text: %, CR and LF are the only characters the runner decodes. */
const escapeData = (text: string) => text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
/** Property values also may not hold the separators , and :. */
const escapeProperty = (text: string) => escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");

function command(kind: "error" | "warning", properties: Record<string, string | number>, message: string): string {
  const list = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(",");
  return `::${kind} ${list}::${escapeData(message)}`;
}

/** A site's file as a path inside the workspace, or undefined when it is elsewhere (a system library). */
function fileInWorkspace(file: string, workspace: string): string | undefined {
  if (file === "") return undefined;
  if (!isAbsolute(file)) return file;
  const inside = relative(workspace, file);
  return inside.startsWith("..") || isAbsolute(inside) ? undefined : inside;
}

export function renderGithubAnnotations({ result, command: argv, growth, warnings, workspace }: AnnotationInput): string {
  const lines: string[] = [];
  if (result.verdict === "regression") {
    for (const site of growth?.sites ?? []) {
      const file = fileInWorkspace(site.file, workspace);
      if (file === undefined || site.line === 0) continue;
      lines.push(command("error", { file, line: site.line, title: `${TITLE}: ${growth?.metric} grew here` }, `${site.name} ${site.change} since the baseline`));
    }
    lines.push(command("error", { title: `${TITLE}: memory regression` }, `${summarizeVerdict(result)} (command: ${formatCommandLine(argv)})`));
  } else if (result.verdict === "inconclusive") {
    lines.push(command("warning", { title: `${TITLE}: inconclusive` }, summarizeVerdict(result)));
  }
  for (const warning of warnings) lines.push(command("warning", { title: TITLE }, warning));
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
