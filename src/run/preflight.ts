// The target checks (src/detect/target, shared with `allocrun doctor`), run before a
// program starts: refuse where the run could not mean what the user asked (a preloaded
// allocator that the loader would ignore or that would kill the program), warn where it
// means less. On the hot path: node builtins only, and only the ELF headers are read
// (positioned reads).
import type { AllocatorName } from "../core/allocators.js";
import { environmentError } from "../core/errors.js";
import { distroFamily, readOsRelease } from "../detect/index.js";
import { defaultElfFactsCache } from "../detect/elf-facts-cache.js";
import type { ElfFile } from "../elf/index.js";
import type { Finding } from "../detect/finding.js";
import { checkLibraryFit } from "../detect/target/library-fit.js";
import { gatherTarget } from "../detect/target/gather-target.js";
import { readElfHeaders } from "../detect/target/read-elf-headers.js";
import { runTargetChecks } from "../detect/target/index.js";

export interface TargetReport {
  /** The program's ELF file; undefined for "#!" scripts and files that are not ELF. */
  elf: ElfFile | undefined;
  /** The ELF file the kernel runs: the program, or a script's interpreter. Choose library ABIs by this one. */
  executedElf: ElfFile | undefined;
  /** One line each: "what — what to do". */
  warnings: string[];
  /** The program's heap is a jemalloc built in with the _rjem_ prefix (Rust tikv-jemallocator). */
  embedsRjemJemalloc: boolean;
}

export interface PreflightOptions {
  /** The run writes heap or CPU profiles: a stripped program is worth a warning. */
  profiling?: boolean;
  /** The allocator library when already known (`--lib`); see also checkLibraryFitsTarget. */
  libraryPath?: string;
  /** How messages name the program (default: programPath). */
  shownName?: string;
  /** Distribution family for install hints ("debian", "fedora", ...); default: read /etc/os-release. */
  family?: string;
  /** PATH for `#!/usr/bin/env NAME` (default: process.env.PATH). */
  pathVariable?: string;
}

/**
 * Throws an AllocrunError of kind "environment" (exit 125) when the run could not mean
 * what the user asked; returns the warnings otherwise.
 */
export function checkTarget(programPath: string, allocator: AllocatorName, options: PreflightOptions = {}): TargetReport {
  const shownName = options.shownName ?? programPath;
  const gathered = gatherTarget(programPath, {
    shownName,
    depth: "headers",
    pathVariable: options.pathVariable ?? process.env.PATH,
    runner: { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 },
    elfFacts: defaultElfFactsCache(),
  });
  if (gathered.kind !== "elf") return { elf: undefined, executedElf: undefined, warnings: [], embedsRjemJemalloc: false };
  const { facts } = gathered;
  const findings = runTargetChecks(facts, { allocator, profiling: options.profiling ?? false, family: options.family ?? distroFamily(readOsRelease()) });
  gathered.saveFacts();
  if (options.libraryPath !== undefined && allocator !== "glibc") findings.push(...libraryFindings(shownName, facts.elf, options.libraryPath));
  throwIfBlocking(findings);
  const embedsRjemJemalloc = findings.some((finding) => finding.id === "target.embedded-jemalloc");
  if (embedsRjemJemalloc && allocator === "jemalloc") {
    // prepare-run gives the jemalloc options to _RJEM_MALLOC_CONF: say that instead of the advice.
    const index = findings.findIndex((finding) => finding.id === "target.embedded-jemalloc");
    findings[index] = { id: "target.embedded-jemalloc", severity: "warning", what: `${shownName} embeds jemalloc with the _rjem_ prefix (Rust tikv-jemallocator): allocrun sets its options in _RJEM_MALLOC_CONF` };
  }
  return {
    elf: facts.script === undefined ? facts.elf : undefined,
    executedElf: facts.elf,
    warnings: warningLines(findings),
    embedsRjemJemalloc,
  };
}

/** What the target checks say about an executable the run saw a child process run, after
 * the fact: nothing is refused any more, so nothing throws. Undefined when it is not ELF
 * or cannot be read (gone, another user's). */
export function inspectObservedExecutable(path: string, allocator: AllocatorName, shownName: string): { elf: ElfFile; findings: Finding[] } | undefined {
  try {
    const gathered = gatherTarget(path, {
      shownName,
      depth: "headers",
      pathVariable: undefined,
      runner: { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 },
      elfFacts: defaultElfFactsCache(),
    });
    if (gathered.kind !== "elf") return undefined;
    const findings = runTargetChecks(gathered.facts, { allocator, profiling: false, family: undefined });
    gathered.saveFacts();
    return { elf: gathered.facts.elf, findings };
  } catch {
    return undefined;
  }
}

/**
 * For prepare-run once the allocator library is located: throws (kind "environment")
 * when `libraryPath` cannot be preloaded into the program `elf` (ELF class, machine or
 * C library differ). Pass TargetReport.executedElf.
 */
export function checkLibraryFitsTarget(elf: ElfFile, libraryPath: string, shownName: string = elf.fileName): void {
  throwIfBlocking(libraryFindings(shownName, elf, libraryPath));
}

function libraryFindings(shownName: string, elf: ElfFile, libraryPath: string): Finding[] {
  const library = defaultElfFactsCache().open(libraryPath);
  const libraryElf = library.elf(() => readElfHeaders(libraryPath).elf);
  library.save();
  return checkLibraryFit(shownName, elf, { path: libraryPath, elf: libraryElf });
}

function throwIfBlocking(findings: readonly Finding[]): void {
  const blocking = findings.find((finding) => finding.severity === "blocking");
  if (blocking !== undefined) throw environmentError(blocking.what, blocking.fix);
}

function warningLines(findings: readonly Finding[]): string[] {
  return findings.filter((finding) => finding.severity === "warning").map((finding) => (finding.fix === undefined ? finding.what : `${finding.what} — ${finding.fix}`));
}
