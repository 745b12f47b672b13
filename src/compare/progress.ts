// A one-line progress bar for terminals, with the time left estimated from the runs done
// so far; elsewhere (CI logs, pipes) it stays silent so logs are not filled with carriage
// returns.
import { formatDurationMs } from "../core/units.js";
import type { CompareProgress } from "./run-compare.js";

export interface ProgressDisplay {
  update(progress: CompareProgress): void;
  /** Removes the bar so the next line starts clean. */
  clear(): void;
}

const BAR_WIDTH = 24;

/** `etaMs`: the estimated time left, undefined until a run has finished. */
export function formatProgressLine(progress: CompareProgress, etaMs?: number): string {
  const filled = Math.round((BAR_WIDTH * (progress.done - 1)) / progress.total);
  const bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
  const what = progress.phase === "measured" ? `run ${progress.iteration}` : progress.phase === "warmup" ? `warm-up ${progress.iteration}` : "statistics run";
  const eta = etaMs === undefined ? "" : `, about ${formatDurationMs(Math.round(etaMs / 1000) * 1000)} left`;
  return `[${bar}] ${progress.done}/${progress.total} ${progress.variant} ${what}${eta}`;
}

/**
 * Time left after `finished` of `total` runs took `elapsedMs`: the mean run so far times
 * the runs still to go (runs interleave variants, so the mean mixes them fairly).
 */
export function estimateRemainingMs(elapsedMs: number, finished: number, total: number): number | undefined {
  if (finished < 1) return undefined;
  return (elapsedMs / finished) * (total - finished);
}

export function createProgressDisplay(stream: NodeJS.WriteStream, enabled: boolean, now: () => number = () => performance.now()): ProgressDisplay {
  if (!enabled || !stream.isTTY) return { update: () => undefined, clear: () => undefined };
  let shown = false;
  let startedMs: number | undefined;
  return {
    update(progress) {
      startedMs ??= now();
      const eta = estimateRemainingMs(now() - startedMs, progress.done - 1, progress.total);
      const columns = stream.columns || 80;
      stream.write(`\r\x1b[2K${formatProgressLine(progress, eta).slice(0, columns - 1)}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write("\r\x1b[2K");
      shown = false;
    },
  };
}
