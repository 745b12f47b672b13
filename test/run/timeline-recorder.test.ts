import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MemorySample } from "../../src/run/sampler.js";
import { TIMELINE_HEADER, TimelineRecorder } from "../../src/run/timeline-recorder.js";
import { useTempDirs } from "../helpers/temp-dir.js";
import { seededRandom } from "../helpers/seeded-random.js";

const temps = useTempDirs();

function readRows(path: string): MemorySample[] {
  const [header, ...rows] = readFileSync(path, "utf8").trim().split("\n");
  expect(`${header}\n`).toBe(TIMELINE_HEADER);
  return rows.map((row) => {
    const [tMs, rssBytes, pssBytes, hwmBytes, processes] = row.split(",");
    const sample: MemorySample = { tMs: Number(tMs), rssBytes: Number(rssBytes), processes: Number(processes) };
    if (pssBytes !== "") sample.pssBytes = Number(pssBytes);
    if (hwmBytes !== "") sample.hwmBytes = Number(hwmBytes);
    return sample;
  });
}

describe("TimelineRecorder", () => {
  it("keeps every sample of a short run, in memory and in the file, in order", async () => {
    const path = join(await temps.make(), "timeline.csv");
    const recorder = new TimelineRecorder({ maxPoints: 1000, path });
    const samples: MemorySample[] = Array.from({ length: 300 }, (_, index) => ({ tMs: index * 20, rssBytes: 1000 + (index % 7), hwmBytes: 2000, processes: 1 }));
    samples[5]!.pssBytes = 900;
    for (const sample of samples) recorder.add(sample);
    const timeline = recorder.finish();
    expect(timeline).toMatchObject({ samples: 300, windowSamples: 1, minRssBytes: 1000, maxRssBytes: 1006 });
    expect(timeline.points).toEqual(samples);
    expect(readRows(path)).toEqual(samples);
  });

  it("keeps a 1-hour run at 20 ms (180 000 samples, synthetic clock) within its budget: bounded memory and file, exact summary, extremes kept", async () => {
    const directory = await temps.make();
    const path = join(directory, "timeline.csv");
    const maxPoints = 2000;
    const recorder = new TimelineRecorder({ maxPoints, path });
    const random = seededRandom(14);
    const count = 180_000;
    const spikeAt = 123_457;
    const dipAt = 77_777;
    let sum = 0;
    let mostRetained = 0;
    for (let index = 0; index < count; index++) {
      let rssBytes = 100_000_000 + Math.floor(random() * 1_000_000) + (index % 5000) * 1000;
      if (index === spikeAt) rssBytes = 900_000_000;
      if (index === dipAt) rssBytes = 1_000;
      sum += rssBytes;
      recorder.add({ tMs: index * 20, rssBytes, hwmBytes: 900_000_000, processes: 1 });
      mostRetained = Math.max(mostRetained, recorder.retainedPoints());
    }
    const timeline = recorder.finish();
    // Memory: never more than the budget (plus the window being filled).
    expect(mostRetained).toBeLessThanOrEqual(maxPoints + 2);
    expect(timeline.points.length).toBeLessThanOrEqual(maxPoints);
    expect(timeline.points.length).toBeGreaterThan(maxPoints / 4);
    // The summary covers every sample, not only the kept ones.
    expect(timeline.samples).toBe(count);
    expect(timeline.meanRssBytes).toBe(Math.round(sum / count));
    expect(timeline.maxRssBytes).toBe(900_000_000);
    expect(timeline.minRssBytes).toBe(1_000);
    expect(timeline.windowSamples).toBeGreaterThanOrEqual(count / maxPoints);
    // Thinning keeps the peak and the trough, at their own times, in time order.
    expect(timeline.points).toContainEqual(expect.objectContaining({ tMs: spikeAt * 20, rssBytes: 900_000_000 }));
    expect(timeline.points).toContainEqual(expect.objectContaining({ tMs: dipAt * 20, rssBytes: 1_000 }));
    for (let index = 1; index < timeline.points.length; index++) expect(timeline.points[index]!.tMs).toBeGreaterThan(timeline.points[index - 1]!.tMs);
    // The file: the same kept rows, no leftover temp file from its rewrites.
    expect(readRows(path)).toEqual(timeline.points);
    expect(readdirSync(directory)).toEqual(["timeline.csv"]);
  });

  it("still summarises every sample when the file cannot be written, and says why", async () => {
    const path = join(await temps.make(), "missing-folder", "timeline.csv");
    const recorder = new TimelineRecorder({ maxPoints: 10, path });
    for (let index = 0; index < 100; index++) recorder.add({ tMs: index, rssBytes: index, processes: 1 });
    const timeline = recorder.finish();
    expect(recorder.error()).toMatch(/ENOENT/);
    expect(timeline).toMatchObject({ samples: 100, minRssBytes: 0, maxRssBytes: 99 });
    expect(timeline.points.length).toBeLessThanOrEqual(10);
    expect(existsSync(path)).toBe(false);
  });
});
