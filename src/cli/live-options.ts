// Flags shared by the live-process commands (dump, prof, stats, watch).
import { parseAllocatorOption, type AllocatorOption } from "../live/command-args.js";
import type { OptionSpec } from "../core/option-table.js";

export interface LiveOptions {
  allocator: AllocatorOption | undefined;
  help: boolean;
}

/** `-a, --allocator NAME`: the same letter as `run -a` and `compare -a`. */
export function liveAllocatorOption<T extends LiveOptions>(description = "jemalloc, tcmalloc or rjem (Rust's _rjem_ jemalloc), when the\nprocess has several"): OptionSpec<T> {
  return { names: ["-a", "--allocator"], value: "NAME", description, apply: (o, v) => (o.allocator = parseAllocatorOption(v)) };
}
