// distro-paths.md §5.6: a program linked against an allocator (Debian's redis-server
// needs libjemalloc.so.2). A preloaded allocator still wins malloc/free, but the linked
// one initializes too, and calls to its own API (mallctl, nallocx…) still reach it.
import { finding, type Finding } from "../finding.js";
import { planPreloads, targetWords, type CheckPlan, type TargetFacts } from "./target-facts.js";

const LINKED_ALLOCATORS: { pattern: RegExp; name: "jemalloc" | "tcmalloc" | "mimalloc" }[] = [
  { pattern: /^libjemalloc\.so/, name: "jemalloc" },
  { pattern: /^libtcmalloc(_minimal|_and_profiler|_debug|_minimal_debug)?\.so/, name: "tcmalloc" },
  { pattern: /^libmimalloc(-[a-z]+)?\.so/, name: "mimalloc" },
];

/** jemalloc's non-standard API: a preloaded tcmalloc or mimalloc does not define these. */
const JEMALLOC_API = ["mallctl", "mallctlbymib", "mallctlnametomib", "mallocx", "rallocx", "xallocx", "sallocx", "dallocx", "sdallocx", "nallocx", "malloc_stats_print"];

export function checkLinkedAllocator(target: TargetFacts, plan: CheckPlan): Finding[] {
  const name = targetWords(target);
  const findings: Finding[] = [];
  for (const library of target.elf.needed) {
    const linked = LINKED_ALLOCATORS.find(({ pattern }) => pattern.test(library))?.name;
    if (linked === undefined) continue;
    const what = `${name} is linked against ${library}`;
    if (!planPreloads(plan)) {
      findings.push(finding("target.linked-allocator", "warning", `${what}: --glibc still runs it on ${linked}`, `to measure glibc malloc, rebuild it without ${linked}`));
    } else if (plan.allocator !== undefined && plan.allocator.startsWith(linked)) {
      findings.push(finding("target.linked-allocator", "info", `${what}: it already uses ${linked}; preloading it changes nothing but the settings`));
    } else {
      const api = linked === "jemalloc" ? JEMALLOC_API.filter((symbol) => target.content.mentionsSymbol(symbol)) : [];
      const stays = api.length > 0 ? `; its calls to ${api.join(", ")} still reach ${linked}` : "";
      const preloaded = plan.allocator ?? "a preloaded allocator";
      findings.push(
        finding(
          "target.linked-allocator",
          "warning",
          `${what}: ${preloaded} serves malloc/free, but ${linked} initializes too${stays}`,
          `compare with --${linked}, what it runs on in production`,
        ),
      );
    }
  }
  return findings;
}
