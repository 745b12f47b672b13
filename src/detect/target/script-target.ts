// "#!" scripts: the checks apply to the interpreter, and a preload reaches every process
// the script starts, not only the one the user cares about.
import { finding, type Finding } from "../finding.js";
import { planPreloads, type CheckPlan, type TargetFacts } from "./target-facts.js";

export function checkScriptTarget(target: TargetFacts, plan: CheckPlan): Finding[] {
  if (target.script === undefined) return [];
  const preload = planPreloads(plan) ? "; the preload also reaches every program it starts" : "";
  return [finding("target.script", "info", `${target.shownName} is a script run by ${target.script.interpreter}${preload}`, "to measure one program, run it directly rather than through the script")];
}
