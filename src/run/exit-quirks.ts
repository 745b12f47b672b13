// Explains missing or empty profiles by the way the program ended: allocators write
// their final output from atexit handlers, which a signal or _exit() skips.
import type { EnvPlan } from "../presets/index.js";
import type { LaunchResult } from "./launcher.js";
import type { Artifact } from "./manifest.js";
import { PEAK_DUMP_NAME } from "./peak-capture.js";

export interface ExitQuirkInput {
  plan: EnvPlan;
  launch: LaunchResult;
  artifacts: Artifact[];
}

export function describeExitQuirks({ plan, launch, artifacts }: ExitQuirkInput): string[] {
  const warnings: string[] = [];
  const diedOfSignal = launch.signal !== null;
  for (const hint of plan.artifactHints) {
    if (hint.optional) continue;
    // A peak dump (written while the program ran) does not stand in for the exit profile.
    const produced = artifacts.filter((artifact) => artifact.kind === hint.kind && !PEAK_DUMP_NAME.test(artifact.path));
    if (produced.length > 0) {
      if (hint.kind === "gperftools-cpu" && produced.every((artifact) => artifact.bytes === 0)) {
        warnings.push(
          diedOfSignal
            ? `the CPU profile is empty because the program died of ${launch.signal}: gperftools writes it at exit; let the program exit normally (or set CPUPROFILESIGNAL)`
            : "the CPU profile is empty: the program may have exited through _exit() or before the first sample",
        );
      }
      continue;
    }
    if (diedOfSignal) {
      warnings.push(`no ${hint.kind} file: the program died of ${launch.signal}, and the allocator writes it at exit; use a periodic preset or let the program exit normally`);
    } else if (launch.execError === undefined) {
      warnings.push(`no ${hint.kind} file was written: the program may have exited through _exit(), be a Go program, or ignore LD_PRELOAD (see allocrun doctor)`);
    }
  }
  return warnings;
}
