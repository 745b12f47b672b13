// A jemalloc configured as tikv-jemallocator's "profiling" feature configures it
// (--with-jemalloc-prefix=_rjem_ --with-private-namespace=_rjem_ --enable-prof), built once
// from Debian's librust-jemalloc-sys-dev source into test/.build (about 30 s on two cores),
// and examples/longrun linked against it with every malloc call renamed to _rjem_malloc:
// a stand-in for a Rust program whose heap is the embedded jemalloc.
import { buildExample } from "../../helpers/examples.js";
import { buildRjemJemallocArchive, findJemallocSysCrate, RJEM_SOURCE_SKIP_REASON } from "../../helpers/rjem-jemalloc.js";

/** Why the profiling _rjem_ jemalloc cannot be built here, or undefined. */
export function whyNoRjemSource(): string | undefined {
  return findJemallocSysCrate() === undefined ? RJEM_SOURCE_SKIP_REASON : undefined;
}

/** longrun whose allocations all go to the embedded, prefixed, profiling jemalloc. */
export function buildRjemLongrun(): string {
  const archive = buildRjemJemallocArchive({ profiling: true }) as string;
  const renamed = ["malloc", "calloc", "realloc", "free"].map((name) => `-D${name}=_rjem_${name}`);
  // The archive is listed before the source: --whole-archive makes the linker keep it all.
  return buildExample("longrun", { flags: [...renamed, "-Wl,--whole-archive", archive, "-Wl,--no-whole-archive", "-lm", "-ldl"] });
}
