// Allocators compiled into the program itself (allocator-knobs.md §1.5). Two kinds:
// - prefixed copies (Rust tikv-jemallocator `_rjem_`, the mimalloc crate `mi_`) serve the
//   Rust heap beside libc malloc: LD_PRELOAD reaches only the C allocations;
// - unprefixed copies define malloc in the executable, which comes first in symbol
//   lookup, so a preloaded allocator is never called at all.
import { finding, type Finding } from "../finding.js";
import { JEMALLOC_PROFILING_STRINGS } from "../jemalloc-fingerprints.js";
import { allocatorWords, planPreloads, targetWords, type CheckPlan, type TargetContent, type TargetFacts } from "./target-facts.js";

type EmbeddedName = "jemalloc" | "tcmalloc" | "mimalloc";

/** Found in stripped binaries too (allocator-knobs.md §1.5, verified). */
const RJEM_CONF_VARIABLE = "_RJEM_MALLOC_CONF";
const JEMALLOC_MESSAGE_PREFIX = "<jemalloc>: ";
/** mimalloc's option warnings ("environment option \"mimalloc_%s\" …"), 1.x and 2.x. */
const MIMALLOC_OPTION_FORMAT = "mimalloc_%s";
const TCMALLOC_VARIABLE = "TCMALLOC_RELEASE_RATE";

/** Functions that are never aliases of malloc, so readFunctionSymbols keeps their names. */
const IDENTITY_FUNCTIONS: Record<EmbeddedName, string> = { jemalloc: "mallctl", tcmalloc: "tc_version", mimalloc: "mi_version" };
const IDENTITY_STRINGS: Record<EmbeddedName, string> = { jemalloc: JEMALLOC_MESSAGE_PREFIX, tcmalloc: TCMALLOC_VARIABLE, mimalloc: MIMALLOC_OPTION_FORMAT };

function identifyUnprefixed(content: TargetContent): EmbeddedName | undefined {
  const names = Object.keys(IDENTITY_FUNCTIONS) as EmbeddedName[];
  const byFunction = names.find((name) => content.definesFunction(IDENTITY_FUNCTIONS[name]));
  if (byFunction !== undefined) return byFunction;
  const strings = content.findStrings(names.map((name) => IDENTITY_STRINGS[name]));
  return names.find((name) => strings.has(IDENTITY_STRINGS[name]));
}

export function checkEmbeddedAllocator(target: TargetFacts, plan: CheckPlan): Finding[] {
  const { content, elf } = target;
  // Static binaries and Go binaries are explained by their own checks.
  if (elf.isStatic || elf.isGo) return [];
  const name = targetWords(target);
  if (content.definesFunction("malloc")) return unprefixedFindings(target, plan, identifyUnprefixed(content));
  const strings = content.findStrings([RJEM_CONF_VARIABLE, MIMALLOC_OPTION_FORMAT]);
  const findings: Finding[] = [];
  if (strings.has(RJEM_CONF_VARIABLE) || content.mentionsSymbol("_rjem_malloc") || content.mentionsSymbol("_rjem_mallocx")) {
    findings.push(
      finding(
        "target.embedded-jemalloc",
        "warning",
        `${name} embeds jemalloc with the _rjem_ prefix (Rust tikv-jemallocator): ${planPreloads(plan) ? `${allocatorWords(plan)} reaches only its C allocations` : "its Rust heap stays on that jemalloc"}`,
        "configure the embedded copy with _RJEM_MALLOC_CONF (e.g. prof:true,prof_final:true) instead of LD_PRELOAD; it ignores MALLOC_CONF",
      ),
    );
    if (plan.profiling) findings.push(embeddedProfilingFinding(target, "tikv-jemallocator's \"profiling\" feature"));
  }
  if (strings.has(MIMALLOC_OPTION_FORMAT) || content.definesFunction("mi_version")) {
    findings.push(
      finding(
        "target.embedded-mimalloc",
        "warning",
        `${name} embeds mimalloc (e.g. the Rust mimalloc crate): ${planPreloads(plan) ? `${allocatorWords(plan)} reaches only the allocations that bypass it` : "the allocations it serves stay on it"}`,
        "read the embedded copy's own statistics with MIMALLOC_SHOW_STATS=1 (it reads MIMALLOC_* variables)",
      ),
    );
  }
  return findings;
}

function unprefixedFindings(target: TargetFacts, plan: CheckPlan, embedded: EmbeddedName | undefined): Finding[] {
  const name = targetWords(target);
  const which = embedded === undefined ? "an allocator" : embedded;
  const what = `${name} defines its own malloc (statically linked ${which})`;
  const id = "target.embedded-allocator";
  let result: Finding;
  if (!planPreloads(plan)) {
    result = finding(id, "warning", `${what}: --glibc measures that allocator, not glibc's`, "link the program against libc malloc to measure glibc");
  } else if (plan.allocator !== undefined && embedded !== undefined && plan.allocator.startsWith(embedded)) {
    result = finding(id, "warning", `${what}: the preloaded ${plan.allocator} is not used; the built-in copy serves every allocation`, `its own settings still apply${embedded === "jemalloc" ? " (MALLOC_CONF reaches it)" : ""}`);
  } else {
    result = finding(id, "blocking", `${what}: LD_PRELOAD cannot replace it, its malloc comes first in symbol lookup`, "measure it as built with --glibc, or link the allocator dynamically");
  }
  const findings = [result];
  if (embedded === "jemalloc" && plan.profiling) findings.push(embeddedProfilingFinding(target, "--enable-prof"));
  return findings;
}

function embeddedProfilingFinding(target: TargetFacts, howToEnable: string): Finding {
  const found = target.content.findStrings(JEMALLOC_PROFILING_STRINGS);
  const name = targetWords(target);
  return JEMALLOC_PROFILING_STRINGS.every((text) => found.has(text))
    ? finding("target.embedded-jemalloc-profiling", "ok", `the jemalloc inside ${name} has heap profiling compiled in`)
    : finding("target.embedded-jemalloc-profiling", "warning", `the jemalloc inside ${name} lacks heap profiling (no heap_v2 support compiled in)`, `rebuild it with ${howToEnable}`);
}
