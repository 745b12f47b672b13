// Which allocator a running process uses, from its memory maps (a shared libjemalloc or
// libtcmalloc) and its executable's symbol table (a jemalloc compiled in, such as Rust's
// tikv-jemallocator with the _rjem_ prefix), and how to recognise that allocator's code
// on a thread's stack.
import { basename } from "node:path";
import { environmentError } from "../core/errors.js";
import { hasSymbolNamed, readElfFile } from "../elf/index.js";
import { parseMaps } from "../profile/maps.js";
import type { LiveProcess } from "./live-process.js";

export type LiveAllocatorKind = "jemalloc" | "tcmalloc";

export interface LiveAllocator {
  kind: LiveAllocatorKind;
  /** The shared library, or the executable that has the allocator compiled in. */
  path: string;
  isEmbedded: boolean;
  /** Prefix of its public functions: "" or "_rjem_" (tikv-jemallocator). */
  symbolPrefix: string;
  /** tcmalloc_minimal has no heap profiler; jemalloc says at run time (config.prof). */
  hasHeapProfiler: boolean;
  /** Executable address ranges of a shared allocator library, [start, end). */
  codeRanges: Array<[number, number]>;
  /** Function names of an embedded allocator (its code shares the executable's ranges). */
  functionNamePattern: string | null;
  /** For messages: "jemalloc (libjemalloc.so.2)". */
  description: string;
}

const SHARED_LIBRARIES: Array<{ pattern: RegExp; kind: LiveAllocatorKind; hasHeapProfiler: boolean }> = [
  { pattern: /^libjemalloc\.so/, kind: "jemalloc", hasHeapProfiler: true },
  { pattern: /^libtcmalloc(_and_profiler|_debug)?\.so/, kind: "tcmalloc", hasHeapProfiler: true },
  { pattern: /^libtcmalloc_minimal(_debug)?\.so/, kind: "tcmalloc", hasHeapProfiler: false },
];

const OTHER_ALLOCATORS: Array<[RegExp, string]> = [
  [/^libmimalloc/, "mimalloc"],
  [/^libhoard/, "Hoard"],
  [/^librpmalloc/, "rpmalloc"],
  [/^libsnmalloc/, "snmalloc"],
];

/** Everything jemalloc compiled in without a prefix defines (its internals are je_*). */
const UNPREFIXED_JEMALLOC_NAMES = "^(je_|mallctl|mallocx|rallocx|xallocx|sallocx|dallocx|sdallocx|nallocx|malloc|calloc|realloc|free|posix_memalign|aligned_alloc|memalign|valloc|malloc_usable_size)";

const sharedDescription = (kind: LiveAllocatorKind, hasHeapProfiler: boolean, path: string) =>
  `${kind === "tcmalloc" && !hasHeapProfiler ? "tcmalloc_minimal" : kind} (${basename(path)})`;

/** Allocators present in the process, the one to talk to first. */
export function findLiveAllocators(process: LiveProcess): LiveAllocator[] {
  const found: LiveAllocator[] = [...findEmbeddedJemalloc(process)];
  const mappings = parseMaps(process.mapsText).mappings;
  for (const { pattern, kind, hasHeapProfiler } of SHARED_LIBRARIES) {
    const code = mappings.filter((mapping) => mapping.isExecutable && pattern.test(basename(mapping.file)));
    const path = code[0]?.file;
    if (path === undefined || found.some((allocator) => allocator.path === path)) continue;
    found.push({
      kind,
      path,
      isEmbedded: false,
      symbolPrefix: "",
      hasHeapProfiler,
      codeRanges: code.filter((mapping) => mapping.file === path).map((mapping) => [mapping.start, mapping.limit]),
      functionNamePattern: null,
      description: sharedDescription(kind, hasHeapProfiler, path),
    });
  }
  return found;
}

/** A jemalloc linked into the executable itself: _rjem_-prefixed (Rust) or plain. */
function findEmbeddedJemalloc(process: LiveProcess): LiveAllocator[] {
  let loaded;
  try {
    loaded = readElfFile(`/proc/${process.pid}/exe`);
  } catch {
    return [];
  }
  const exe = process.exe.replace(/ \(deleted\)$/, "");
  const { elf, buffer } = loaded;
  const embedded = (symbolPrefix: string, functionNamePattern: string, description: string): LiveAllocator => ({
    kind: "jemalloc", path: exe, isEmbedded: true, symbolPrefix, hasHeapProfiler: true, codeRanges: [], functionNamePattern, description,
  });
  if (hasSymbolNamed(elf, buffer, "_rjem_mallctl")) {
    return [embedded("_rjem_", "^_rjem_", `jemalloc compiled into ${basename(exe)} with the _rjem_ prefix (Rust tikv-jemallocator)`)];
  }
  // A program linked against libjemalloc.so references mallctl too; only a definition counts.
  if (hasSymbolNamed(elf, buffer, "je_malloc_default")) {
    return [embedded("", UNPREFIXED_JEMALLOC_NAMES, `jemalloc compiled into ${basename(exe)}`)];
  }
  return [];
}

/** What else the process allocates with, for the refusal message. */
function describeOtherAllocator(process: LiveProcess): string {
  const files = parseMaps(process.mapsText).mappings.map((mapping) => basename(mapping.file));
  for (const [pattern, name] of OTHER_ALLOCATORS) if (files.some((file) => pattern.test(file))) return name;
  return "glibc malloc (or an allocator allocrun does not know)";
}

export interface AllocatorChoice {
  /** jemalloc, tcmalloc, or the prefixed jemalloc ("rjem"). */
  preferred?: "jemalloc" | "tcmalloc" | "rjem";
  /** What the command needs to do, for the message when no allocator fits. */
  purpose: string;
}

/** The allocator to control, or an environment error that says what to do instead. */
export function chooseLiveAllocator(process: LiveProcess, choice: AllocatorChoice): LiveAllocator {
  const found = findLiveAllocators(process);
  const matches = (allocator: LiveAllocator) =>
    choice.preferred === undefined ||
    (choice.preferred === "rjem" ? allocator.symbolPrefix === "_rjem_" : allocator.kind === choice.preferred && allocator.symbolPrefix === "");
  const chosen = found.find(matches);
  if (chosen !== undefined) return chosen;
  const who = `process ${process.pid} (${process.name})`;
  if (found.length > 0) {
    throw environmentError(
      `${who} has no ${choice.preferred} allocator; it uses ${found.map((allocator) => allocator.description).join(", ")}`,
      "drop --allocator, or name one of those",
    );
  }
  throw environmentError(
    `${who} uses ${describeOtherAllocator(process)}: allocrun can ${choice.purpose} only for jemalloc and tcmalloc`,
    "start it under a profiling allocator: allocrun --jemalloc --prof --conf prof_active:false -- PROGRAM (then allocrun prof PID on / allocrun dump PID), or allocrun --tcmalloc --prof -- PROGRAM",
  );
}
