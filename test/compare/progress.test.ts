import { describe, expect, it } from "vitest";
import { createProgressDisplay, estimateRemainingMs, formatProgressLine } from "../../src/compare/progress.js";

/** A terminal-like stream: what a TTY stderr offers the display. */
function terminal(): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY: true, columns: 200, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe("compare progress", () => {
  it("estimates the time left from the mean of the runs finished so far", () => {
    expect(estimateRemainingMs(0, 0, 10)).toBeUndefined();
    expect(estimateRemainingMs(4000, 2, 10)).toBe(16_000);
  });

  it("shows no ETA before the first run ends, then the time left on a terminal", () => {
    let clock = 0;
    const { stream, written } = terminal();
    const display = createProgressDisplay(stream, true, () => clock);
    const at = (done: number) => ({ done, total: 12, variant: "jemalloc", phase: "measured" as const, iteration: done });
    display.update(at(1));
    clock = 5000;
    display.update(at(2));
    clock = 10_000;
    display.update(at(3));
    expect(written[0]).toMatch(/ 1\/12 jemalloc run 1$/);
    expect(written[1]).toMatch(/ 2\/12 jemalloc run 2, about 55\.0 s left$/);
    expect(written[2]).toMatch(/ 3\/12 jemalloc run 3, about 50\.0 s left$/);
  });

  it("stays silent when the stream is not a terminal", () => {
    const written: string[] = [];
    const display = createProgressDisplay({ isTTY: false, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream, true);
    display.update({ done: 1, total: 2, variant: "glibc", phase: "warmup", iteration: 1 });
    expect(written).toEqual([]);
    expect(formatProgressLine({ done: 1, total: 2, variant: "glibc", phase: "warmup", iteration: 1 })).toBe("[------------------------] 1/2 glibc warm-up 1");
  });
});
