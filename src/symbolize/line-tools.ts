// File:line and inlined frames from DWARF through one batch process per object:
// binutils addr2line (`-a -f -C -i`, profile-formats.md §6.3) or llvm-symbolizer
// (JSON output, §6.4). addr2line is preferred because jeprof and google-pprof use it,
// so function names (glibc's `__GI___libc_free`, not `cfree`) agree with theirs.
import { runBatch } from "./batch-process.js";

export type LineToolKind = "addr2line" | "llvm-symbolizer";

export interface LineTool {
  kind: LineToolKind;
  path: string;
}

/** One source-level frame; innermost (inlined callee) first in a list. */
export interface ToolFrame {
  /** Demangled function name; undefined when the tool did not know it. */
  function: string | undefined;
  /** "" when unknown. */
  file: string;
  /** 0 when unknown. */
  line: number;
}

const hex = (value: number) => `0x${value.toString(16)}`;

/** Frames for each vaddr, or undefined when the tool failed (callers fall back to symbols). */
export async function symbolizeWithLineTool(tool: LineTool, objectPath: string, vaddrs: readonly number[]): Promise<Map<number, ToolFrame[]> | undefined> {
  if (vaddrs.length === 0) return new Map();
  const input = `${vaddrs.map(hex).join("\n")}\n`;
  if (tool.kind === "addr2line") {
    const { stdout, failed } = await runBatch(tool.path, ["-e", objectPath, "-a", "-f", "-C", "-i"], input);
    return failed ? undefined : parseAddr2lineOutput(stdout, vaddrs);
  }
  const args = [`--obj=${objectPath}`, "--output-style=JSON", "--functions=linkage", "--demangle", "--inlines"];
  const { stdout, failed } = await runBatch(tool.path, args, input);
  return failed ? undefined : parseLlvmSymbolizerJson(stdout, vaddrs);
}

function parseFileLine(text: string): { file: string; line: number } {
  // "dir/file.c:123", "file.c:123 (discriminator 2)", "??:0", "file.c:?"
  const match = /^(.*):(\d+|\?)(?: \(discriminator \d+\))?$/.exec(text.trim());
  if (!match) return { file: "", line: 0 };
  const file = match[1] === "??" ? "" : (match[1] as string);
  return { file, line: match[2] === "?" ? 0 : Number(match[2]) };
}

/**
 * addr2line -a prints each address back (`0x%016x`), then function / file:line pairs,
 * innermost first. The echoed address, compared with the one sent, frames the variable
 * number of pairs.
 */
export function parseAddr2lineOutput(stdout: string, vaddrs: readonly number[]): Map<number, ToolFrame[]> | undefined {
  const lines = stdout.split("\n");
  const result = new Map<number, ToolFrame[]>();
  let at = 0;
  for (let index = 0; index < vaddrs.length; index++) {
    const vaddr = vaddrs[index] as number;
    const echoed = lines[at];
    if (echoed === undefined || !/^0x[0-9a-f]+$/.test(echoed) || parseInt(echoed, 16) !== vaddr) return undefined;
    at++;
    const next = vaddrs[index + 1];
    const frames: ToolFrame[] = [];
    while (at + 1 < lines.length) {
      const candidate = lines[at] as string;
      if (next !== undefined && /^0x[0-9a-f]+$/.test(candidate) && parseInt(candidate, 16) === next) break;
      if (next === undefined && candidate === "") break;
      const name = candidate === "??" ? undefined : candidate;
      frames.push({ function: name, ...parseFileLine(lines[at + 1] as string) });
      at += 2;
    }
    result.set(vaddr, frames);
  }
  return result;
}

interface LlvmSymbol {
  FunctionName?: string;
  FileName?: string;
  Line?: number;
}

/** llvm-symbolizer JSON: exactly one line per address, `Symbol[]` innermost first. */
export function parseLlvmSymbolizerJson(stdout: string, vaddrs: readonly number[]): Map<number, ToolFrame[]> | undefined {
  const lines = stdout.split("\n").filter((line) => line.trim() !== "");
  if (lines.length < vaddrs.length) return undefined;
  const result = new Map<number, ToolFrame[]>();
  try {
    vaddrs.forEach((vaddr, index) => {
      const record = JSON.parse(lines[index] as string) as { Symbol?: LlvmSymbol[]; Error?: unknown };
      // A missing or unreadable object still exits 0, with an Error record per address.
      if (record.Error !== undefined) throw new Error("llvm-symbolizer error");
      const frames = (record.Symbol ?? []).map((symbol) => ({
        function: symbol.FunctionName ? symbol.FunctionName : undefined,
        file: symbol.FileName ?? "",
        line: symbol.Line ?? 0,
      }));
      result.set(vaddr, frames);
    });
  } catch {
    return undefined;
  }
  return result;
}
