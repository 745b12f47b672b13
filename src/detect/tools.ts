// The external analysis tools allocrun knows by name (doctor lists them; packages.ts maps
// them to distro packages). Finding and running them: find-tool.ts (not on the run path).
export const TOOL_NAMES = ["jeprof", "google-pprof", "addr2line", "llvm-symbolizer", "gdb", "go", "dot"] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export function isToolName(value: string): value is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(value);
}
