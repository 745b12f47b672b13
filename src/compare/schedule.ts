// The order of runs: warm-up rounds, then measured rounds, each round running every
// variant once (A B C D A B C D ...), so slow drift on a busy machine (thermal, page
// cache, a neighbour's job) lands on all variants alike instead of on the last one.
// With a noise check, every measured round ends with a second run of the baseline (its
// A/A copy), so the baseline's drift against itself is measured under the same load.
// One statistics run per variant closes the comparison: allocator statistics change
// what is measured (libmemusage wraps every allocation), so they get runs of their own.

export type RunPhase = "warmup" | "measured" | "noise" | "stats";

export interface PlannedRun {
  variantIndex: number;
  phase: RunPhase;
  /** 1-based within the variant and phase. */
  iteration: number;
}

export interface SchedulePlan {
  variantCount: number;
  warmup: number;
  runs: number;
  /** Variants that get a statistics run at the end. */
  statsVariants: readonly number[];
  /** The baseline, run once more per measured round as its own A/A copy; undefined: no copy. */
  noiseCopyOf?: number;
}

export function planRuns(plan: SchedulePlan): PlannedRun[] {
  const order: PlannedRun[] = [];
  const rounds = (phase: RunPhase, count: number) => {
    for (let iteration = 1; iteration <= count; iteration++) {
      for (let variantIndex = 0; variantIndex < plan.variantCount; variantIndex++) order.push({ variantIndex, phase, iteration });
      if (phase === "measured" && plan.noiseCopyOf !== undefined) order.push({ variantIndex: plan.noiseCopyOf, phase: "noise", iteration });
    }
  };
  rounds("warmup", plan.warmup);
  rounds("measured", plan.runs);
  for (const variantIndex of plan.statsVariants) order.push({ variantIndex, phase: "stats", iteration: 1 });
  return order;
}
