// distro-paths.md §5.1: a set-user-ID or set-group-ID program that changes the runner's
// identity, or a file with capabilities, runs in secure-execution mode (AT_SECURE): the
// loader ignores LD_PRELOAD paths, jemalloc ignores MALLOC_CONF, gperftools ignores
// HEAPPROFILE/CPUPROFILE, and glibc filters malloc tunables.
import { finding, type Finding } from "../finding.js";
import { planPreloads, targetWords, type CheckPlan, type TargetFacts } from "./target-facts.js";

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

/** The identity change that triggers secure execution, as words; undefined when none. */
function identityChange(target: TargetFacts): string | undefined {
  const { file, runner } = target;
  const changes: string[] = [];
  if ((file.mode & S_ISUID) !== 0 && file.uid !== runner.uid) changes.push(`set-user-ID (owner uid ${file.uid})`);
  if ((file.mode & S_ISGID) !== 0 && file.gid !== runner.gid) changes.push(`set-group-ID (group gid ${file.gid})`);
  return changes.length === 0 ? undefined : changes.join(" and ");
}

export function checkSecureExecution(target: TargetFacts, plan: CheckPlan): Finding[] {
  const name = targetWords(target);
  const findings: Finding[] = [];
  const change = identityChange(target);
  if (change !== undefined) {
    findings.push(
      planPreloads(plan)
        ? finding("target.setuid", "blocking", `${name} is ${change}: the loader ignores LD_PRELOAD for it`, "run a copy without the set-ID bit (cp, then chmod u-s,g-s), or measure it with --glibc")
        : finding("target.setuid", "warning", `${name} is ${change}: glibc ignores malloc tunables (GLIBC_TUNABLES, MALLOC_*) for it`, "run a copy without the set-ID bit (cp, then chmod u-s,g-s) to tune it"),
    );
  } else if ((target.file.mode & (S_ISUID | S_ISGID)) !== 0) {
    findings.push(finding("target.setuid", "info", `${name} has a set-ID bit but runs as its owner here: LD_PRELOAD works for you, not for other users`));
  }
  // Root already holds every capability; file capabilities change nothing for it.
  if (target.hasFileCapabilities === true && target.runner.uid !== 0) {
    findings.push(
      planPreloads(plan)
        ? finding("target.capabilities", "blocking", `${name} has file capabilities (security.capability): the loader ignores LD_PRELOAD for it`, "run a copy without capabilities (cp drops them; or setcap -r on a copy)")
        : finding("target.capabilities", "warning", `${name} has file capabilities (security.capability): glibc ignores malloc tunables for it`, "run a copy without capabilities (cp drops them) to tune it"),
    );
  }
  return findings;
}
