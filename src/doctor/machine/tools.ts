// External analysis tools: allocrun needs none of them to analyse profiles, but some make
// reports richer (file:line, graphs), and users ask for the classic analysers by name.
import { findTool, toolVersion } from "../../detect/find-tool.js";
import { installHint, packageFor, TOOL_NAMES, type DistroFamily, type OsRelease, type ToolName } from "../../detect/index.js";
import { finding, type Finding, type Severity } from "../../detect/finding.js";

export interface ToolInfo {
  name: ToolName;
  path: string | null;
  version: string | null;
  /** The package that provides it on this distribution. */
  package: string | null;
}

/** What each tool is for, and how much its absence matters. */
const TOOL_ROLES: Record<ToolName, { role: string; missing: Severity }> = {
  jeprof: { role: "jemalloc's own analyser; allocrun reads heap_v2 files itself and does not need it", missing: "info" },
  "google-pprof": { role: "gperftools' analyser; allocrun reads gperftools profiles itself and does not need it", missing: "info" },
  go: { role: "`go tool pprof` for Go programs and pprof exports", missing: "info" },
  addr2line: { role: "file:line locations in reports (binutils)", missing: "warning" },
  "llvm-symbolizer": { role: "file:line locations, used when addr2line is missing", missing: "info" },
  gdb: { role: "dumps from already running programs", missing: "info" },
  dot: { role: "call-graph rendering (graphviz)", missing: "info" },
};

export interface ToolLookup {
  find(name: ToolName): string | undefined;
  version(path: string): string | undefined;
}

export const systemToolLookup = (env: NodeJS.ProcessEnv): ToolLookup => ({
  find: (name) => findTool(name, env.PATH ?? ""),
  version: (path) => toolVersion(path, env),
});

export function inspectTools(lookup: ToolLookup, family: DistroFamily, os: OsRelease | undefined): { tools: ToolInfo[]; findings: Finding[] } {
  const tools: ToolInfo[] = [];
  const findings: Finding[] = [];
  for (const name of TOOL_NAMES) {
    const path = lookup.find(name);
    const packageName = packageFor(name, family, os) ?? null;
    tools.push({ name, path: path ?? null, version: path === undefined ? null : (lookup.version(path) ?? null), package: packageName });
    if (path === undefined) {
      const { role, missing } = TOOL_ROLES[name];
      findings.push(finding(`tool.${name}`, missing, `${name} not found: ${role}`, installHint(name, family, os)));
    }
  }
  return { tools, findings };
}
