// The --allocator value of the live-process commands (dump, prof, stats, watch).
import { usageError } from "../core/errors.js";

export type AllocatorOption = "jemalloc" | "tcmalloc" | "rjem";

/** --allocator: which allocator to talk to when a process has several. */
export function parseAllocatorOption(value: string | undefined): AllocatorOption | undefined {
  if (value === undefined) return undefined;
  if (value === "jemalloc" || value === "tcmalloc" || value === "rjem") return value;
  throw usageError(`unknown --allocator "${value}"`, "choose jemalloc, tcmalloc or rjem (Rust tikv-jemallocator's _rjem_ jemalloc)");
}
