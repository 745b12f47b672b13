// distro-paths.md §5.2: without PT_INTERP the kernel starts the program without ld.so,
// and LD_PRELOAD is silently ignored. `-static-pie` binaries are ET_DYN but equally so.
import { finding, type Finding } from "../finding.js";
import { planPreloads, targetWords, type CheckPlan, type TargetFacts } from "./target-facts.js";

export function checkStaticBinary(target: TargetFacts, plan: CheckPlan): Finding[] {
  const { elf } = target;
  // Go binaries get their own, more useful explanation (go-binary.ts).
  if (!elf.isStatic || elf.isGo) return [];
  const how = elf.isPie ? "statically linked (static-pie)" : "statically linked";
  const name = targetWords(target);
  if (!planPreloads(plan)) {
    return [finding("target.static", "info", `${name} is ${how}: it runs on the malloc it was built with`, "the run measures its memory as built")];
  }
  return [finding("target.static", "blocking", `${name} is ${how}: LD_PRELOAD cannot replace its allocator`, "link it dynamically; --glibc still measures it")];
}
