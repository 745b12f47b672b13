// Every check about one program, in the order doctor prints them. They live below both
// users: `allocrun run` applies them through src/run/preflight.ts, doctor through
// src/doctor/program-report.ts.
import type { Finding } from "../finding.js";
import { checkDebugSymbols } from "./debug-symbols.js";
import { checkEmbeddedAllocator } from "./embedded-allocator.js";
import { checkGoBinary } from "./go-binary.js";
import { checkLinkedAllocator } from "./linked-allocator.js";
import { checkScriptTarget } from "./script-target.js";
import { checkSecureExecution } from "./secure-execution.js";
import { checkStaticBinary } from "./static-binary.js";
import type { CheckPlan, TargetFacts } from "./target-facts.js";

const TARGET_CHECKS: ((target: TargetFacts, plan: CheckPlan) => Finding[])[] = [
  checkScriptTarget,
  checkStaticBinary,
  checkGoBinary,
  checkSecureExecution,
  checkEmbeddedAllocator,
  checkLinkedAllocator,
  checkDebugSymbols,
];

export function runTargetChecks(target: TargetFacts, plan: CheckPlan): Finding[] {
  return TARGET_CHECKS.flatMap((check) => check(target, plan));
}

export { checkLibraryFit, type LibraryUnderTest } from "./library-fit.js";
export { gatherTarget, type GatherOptions, type GatheredTarget } from "./gather-target.js";
export { readElfHeaders } from "./read-elf-headers.js";
export type { CheckPlan, TargetFacts } from "./target-facts.js";
