// Is heap profiling compiled into this jemalloc (allocator-knobs.md §1.4)? Two answers
// that must agree: the library's bytes (heap_v2/% and MAPPED_LIBRARIES: exist only in
// --enable-prof builds) and the library's own reply to MALLOC_CONF=prof:true, asked
// with confirm_conf:true so that an accepted pair is echoed as "-- Set conf value".
import { tmpdir } from "node:os";
import { execaSync } from "execa";
import type { DistroFamily } from "../../detect/index.js";
import { finding, type Finding } from "../../detect/finding.js";
import { JEMALLOC_PROFILING_STRINGS } from "../../detect/jemalloc-fingerprints.js";


export function hasProfilingStrings(libraryBytes: Buffer): boolean {
  return JEMALLOC_PROFILING_STRINGS.every((text) => libraryBytes.indexOf(text, 0, "latin1") >= 0);
}

/** What jemalloc said about one "key:value" pair of MALLOC_CONF. */
export type ConfReply = "accepted" | "rejected" | "silent";

/**
 * Reads jemalloc's stderr for `pair` ("prof:true"): "<jemalloc>: Invalid conf pair:
 * prof:true" means the option does not exist in this build; "<jemalloc>: -- Set conf
 * value: prof:true" (confirm_conf:true) means it was taken. Silence: jemalloc was not
 * loaded, or ignored MALLOC_CONF (secure execution).
 */
export function parseConfReply(stderrText: string, pair: string): ConfReply {
  const lines = stderrText.split("\n").map((line) => line.replace(/\r$/, ""));
  if (lines.some((line) => line === `<jemalloc>: Invalid conf pair: ${pair}` || line === `<jemalloc>: Invalid conf value: ${pair}`)) return "rejected";
  if (lines.some((line) => line === `<jemalloc>: -- Set conf value: ${pair}`)) return "accepted";
  return "silent";
}

export interface ConfProbe {
  /** A small dynamically linked program that exits at once (`true`). */
  program: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs `probe.program` with the library preloaded and MALLOC_CONF=<pairs>,confirm_conf:true
 * and returns jemalloc's stderr. jemalloc reads its configuration in a constructor, so a
 * program that never calls malloc still gets an answer.
 */
export function askJemalloc(libraryPath: string, pairs: readonly string[], probe: ConfProbe): string {
  const result = execaSync(probe.program, [], {
    cwd: tmpdir(),
    env: { ...probe.env, LD_PRELOAD: libraryPath, MALLOC_CONF: [...pairs, "confirm_conf:true"].join(",") },
    extendEnv: false,
    stdio: ["ignore", "ignore", "pipe"],
    timeout: 10_000,
    reject: false,
  });
  return result.stderr ?? "";
}

/** How to get a jemalloc with profiling on each family (distro-paths.md §2). */
const PROFILING_BUILD_HINTS: Partial<Record<DistroFamily, string>> = {
  debian: "Debian enables profiling only on amd64 and i386: build jemalloc with ./configure --enable-prof and pass it with --lib PATH",
  fedora: "Fedora builds jemalloc without --enable-prof: build it with ./configure --enable-prof and pass it with --lib PATH",
  nix: "nixpkgs enables profiling by default: use nixpkgs' jemalloc (nix-build '<nixpkgs>' -A jemalloc) with --lib PATH",
};
const GENERIC_PROFILING_HINT = "build jemalloc with ./configure --enable-prof and pass it with --lib PATH (or ALLOCRUN_JEMALLOC_LIB)";

export interface ProfilingVerdict {
  /** null when the two answers were inconclusive. */
  profiling: boolean | null;
  finding: Finding;
}

/** Combines the static answer and the library's reply into one finding. */
export function judgeJemallocProfiling(libraryPath: string, hasStrings: boolean, reply: ConfReply, family: DistroFamily): ProfilingVerdict {
  const fix = PROFILING_BUILD_HINTS[family] ?? GENERIC_PROFILING_HINT;
  if (reply === "rejected") {
    return {
      profiling: false,
      finding: finding("allocator.jemalloc.profiling", "warning", `${libraryPath} was built without --enable-prof: it answers "Invalid conf pair: prof:true", so no heap profiles`, fix),
    };
  }
  if (reply === "accepted" && hasStrings) {
    return { profiling: true, finding: finding("allocator.jemalloc.profiling", "ok", `${libraryPath} has heap profiling compiled in (prof:true accepted)`) };
  }
  if (reply === "silent" && !hasStrings) {
    return { profiling: false, finding: finding("allocator.jemalloc.profiling", "warning", `${libraryPath} has no heap_v2 profiling code (and gave no reply to prof:true)`, fix) };
  }
  return {
    profiling: null,
    finding: finding(
      "allocator.jemalloc.profiling",
      "info",
      `${libraryPath}: profiling support unclear (profiling strings ${hasStrings ? "present" : "absent"}, prof:true ${reply})`,
      "try a short run with --jemalloc and heap profiling; the run reports missing profiles",
    ),
  };
}
