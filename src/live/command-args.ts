// Argument parsing shared by the live-process commands (dump, prof, stats, watch):
// node:util parseArgs, unknown options answered with the closest known one.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { usageError } from "../core/errors.js";
import { findClosestNames } from "../presets/closest-names.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

export function parseCommandArgs<T extends Options>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const flag = /'(-{1,2}[^']+)'/.exec(message)?.[1] ?? "";
    const close = findClosestNames(flag.replace(/^-+/, "").split("=")[0] ?? "", Object.keys(options), 1);
    throw usageError(`${command}: ${message.split(".")[0]}`, close.length > 0 ? `did you mean --${close[0]}? (allocrun ${command} --help)` : `see allocrun ${command} --help`);
  }
}

export const ALLOCATOR_OPTION = { allocator: { type: "string" } } as const;

export type AllocatorOption = "jemalloc" | "tcmalloc" | "rjem";

/** --allocator: which allocator to talk to when a process has several. */
export function parseAllocatorOption(value: string | undefined): AllocatorOption | undefined {
  if (value === undefined) return undefined;
  if (value === "jemalloc" || value === "tcmalloc" || value === "rjem") return value;
  throw usageError(`unknown --allocator "${value}"`, "choose jemalloc, tcmalloc or rjem (Rust tikv-jemallocator's _rjem_ jemalloc)");
}
