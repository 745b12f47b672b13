// The exit status of `allocrun compare`: 0 when the comparison could be made; otherwise
// the program's own failure, so that a script sees why (as `run` passes it through).
import { constants } from "node:os";
import type { CompareReport, RunRecord } from "./report-model.js";

/** timeout(1)'s status for a command it had to stop. */
export const TIMED_OUT_STATUS = 124;

/** What a shell would report for this run: its exit status, 128+N for signal N, 124 when timed out. */
export function statusOfRun(run: RunRecord): number {
  if (run.timedOut) return TIMED_OUT_STATUS;
  if (run.signal) return 128 + ((constants.signals as Record<string, number>)[run.signal] ?? 0);
  return run.exitCode !== null && run.exitCode !== 0 ? run.exitCode : 1;
}

export interface CompareFailure {
  status: number;
  /** One line for stderr. */
  message: string;
}

/** Null when the report holds a comparison; else the failure to exit with. */
export function describeCompareFailure(report: CompareReport): CompareFailure | null {
  const measured = report.results.flatMap((result) => result.runs);
  const firstFailed = (runs: readonly RunRecord[]) => runs.find((run) => !run.ok);
  if (report.stopped?.reason === "timeout") return { status: TIMED_OUT_STATUS, message: report.stopped.detail };
  if (report.stopped?.reason === "program-failed") {
    const run = firstFailed(report.results.flatMap((result) => [...result.warmupRuns, ...result.runs]));
    return { status: run ? statusOfRun(run) : 1, message: report.stopped.detail };
  }
  if (report.stopped) return null;
  if (measured.length > 0 && measured.every((run) => !run.ok)) {
    const run = measured[0] as RunRecord;
    return { status: statusOfRun(run), message: `every measured run failed (${run.failure}, first in ${run.folder}): nothing to compare` };
  }
  const baseline = report.results.find((result) => result.variant === report.baseline);
  const baselineFailure = baseline && baseline.runs.length > 0 && baseline.runs.every((run) => !run.ok) ? baseline.runs[0] : undefined;
  if (baselineFailure) {
    return { status: statusOfRun(baselineFailure), message: `every run of the baseline ${report.baseline} failed (${baselineFailure.failure}): no variant could be compared with it` };
  }
  return null;
}
