// A one-line progress bar for terminals; elsewhere (CI logs, pipes) it stays silent so
// logs are not filled with carriage returns.
import type { CompareProgress } from "./run-compare.js";

export interface ProgressDisplay {
  update(progress: CompareProgress): void;
  /** Removes the bar so the next line starts clean. */
  clear(): void;
}

const BAR_WIDTH = 24;

export function formatProgressLine(progress: CompareProgress): string {
  const filled = Math.round((BAR_WIDTH * (progress.done - 1)) / progress.total);
  const bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
  const what = progress.phase === "measured" ? `run ${progress.iteration}` : progress.phase === "warmup" ? `warm-up ${progress.iteration}` : "statistics run";
  return `[${bar}] ${progress.done}/${progress.total} ${progress.variant} ${what}`;
}

export function createProgressDisplay(stream: NodeJS.WriteStream, enabled: boolean): ProgressDisplay {
  if (!enabled || !stream.isTTY) return { update: () => undefined, clear: () => undefined };
  let shown = false;
  return {
    update(progress) {
      const columns = stream.columns || 80;
      stream.write(`\r\x1b[2K${formatProgressLine(progress).slice(0, columns - 1)}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write("\r\x1b[2K");
      shown = false;
    },
  };
}
