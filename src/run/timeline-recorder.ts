// Keeps a memory timeline of any length within a fixed budget, in memory and on disk.
//
// Every sample updates a running summary (count, mean, min, max). The samples themselves
// are kept in windows: one sample per window at first, so a short run keeps all of them;
// once `maxPoints` would be exceeded, neighbouring windows are merged in pairs and the
// window length doubles. A window keeps only its lowest- and highest-RSS samples (in time
// order), so peaks and troughs survive any amount of thinning. A week at 20 ms thus costs
// what a few minutes cost: at most `maxPoints` samples in memory and rows in the file.
//
// The CSV file is appended as windows close and rewritten (temp file + rename) when the
// windows merge: about log2(samples / maxPoints) rewrites of at most maxPoints rows.
import { closeSync, openSync, renameSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import type { MemorySample } from "./sampler.js";

export interface RecordedTimeline {
  /** Samples taken, all of them (whether or not kept in `points`). */
  samples: number;
  /** Mean RSS over every sample; null without samples. */
  meanRssBytes: number | null;
  minRssBytes: number | null;
  maxRssBytes: number | null;
  /** Samples per window of `points`: 1 while every sample is kept. */
  windowSamples: number;
  /** The kept samples in time order: all of them, or the lowest and highest of each window. */
  points: MemorySample[];
}

export interface TimelineRecorderOptions {
  /** Upper bound of kept samples (and file rows); even, at least 4. */
  maxPoints: number;
  /** The CSV file to keep in step with `points`. */
  path?: string;
}

/** 20 000 rows: full resolution for ~6.7 minutes at 20 ms, under 1 MB of CSV. */
export const DEFAULT_MAX_TIMELINE_POINTS = 20_000;

export const TIMELINE_HEADER = "t_ms,rss_bytes,pss_bytes,hwm_bytes,processes\n";
const FLUSH_ROWS = 50;

interface Window {
  low: MemorySample;
  high: MemorySample;
}

export class TimelineRecorder {
  readonly #maxWindows: number;
  readonly #path: string | undefined;
  readonly #windows: Window[] = [];
  #open: Window | undefined;
  #openCount = 0;
  #windowSamples = 1;
  #samples = 0;
  #rssSum = 0;
  #minRss = Infinity;
  #maxRss = -Infinity;
  #fd: number | undefined;
  #pending = "";
  #pendingRows = 0;
  #error: string | undefined;

  /** Creates the file, if asked for, right away; a failure is kept for error(). */
  constructor(options: TimelineRecorderOptions) {
    this.#maxWindows = Math.max(2, Math.floor(options.maxPoints / 2));
    this.#path = options.path;
    if (this.#path !== undefined) {
      try {
        this.#fd = openSync(this.#path, "w");
        writeSync(this.#fd, TIMELINE_HEADER);
      } catch (error) {
        this.#fail(error);
      }
    }
  }

  add(sample: MemorySample): void {
    this.#samples++;
    this.#rssSum += sample.rssBytes;
    if (sample.rssBytes < this.#minRss) this.#minRss = sample.rssBytes;
    if (sample.rssBytes > this.#maxRss) this.#maxRss = sample.rssBytes;
    if (this.#open === undefined) this.#open = { low: sample, high: sample };
    else this.#open = mergeWindows(this.#open, { low: sample, high: sample });
    if (++this.#openCount < this.#windowSamples) return;
    this.#closeWindow();
  }

  /** Closes the last, partial window and the file. */
  finish(): RecordedTimeline {
    if (this.#open !== undefined) this.#closeWindow();
    this.#flush();
    if (this.#fd !== undefined) {
      closeSync(this.#fd);
      this.#fd = undefined;
    }
    const hasSamples = this.#samples > 0;
    return {
      samples: this.#samples,
      meanRssBytes: hasSamples ? Math.round(this.#rssSum / this.#samples) : null,
      minRssBytes: hasSamples ? this.#minRss : null,
      maxRssBytes: hasSamples ? this.#maxRss : null,
      windowSamples: this.#windowSamples,
      points: this.#windows.flatMap(pointsOf),
    };
  }

  /** Why the file could not be written (the summary and points are complete). */
  error(): string | undefined {
    return this.#error;
  }

  /** Samples held in memory now (the budget a test checks). */
  retainedPoints(): number {
    return this.#windows.length * 2 + (this.#open ? 2 : 0);
  }

  #closeWindow(): void {
    const window = this.#open!;
    this.#open = undefined;
    this.#openCount = 0;
    if (this.#windows.length >= this.#maxWindows) {
      this.#windows.push(window);
      this.#halve();
      return;
    }
    this.#windows.push(window);
    for (const point of pointsOf(window)) this.#queueRow(point);
  }

  /** Merges neighbouring windows in pairs and rewrites the file to match. */
  #halve(): void {
    const merged: Window[] = [];
    for (let index = 0; index < this.#windows.length; index += 2) {
      const first = this.#windows[index]!;
      const second = this.#windows[index + 1];
      merged.push(second === undefined ? first : mergeWindows(first, second));
    }
    this.#windows.splice(0, this.#windows.length, ...merged);
    this.#windowSamples *= 2;
    this.#rewriteFile();
  }

  #rewriteFile(): void {
    if (this.#fd === undefined || this.#path === undefined) return;
    this.#pending = "";
    this.#pendingRows = 0;
    closeSync(this.#fd);
    this.#fd = undefined;
    const temporary = `${this.#path}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, TIMELINE_HEADER + this.#windows.flatMap(pointsOf).map(csvRow).join(""));
      renameSync(temporary, this.#path);
      this.#fd = openSync(this.#path, "a");
    } catch (error) {
      removeQuietly(temporary);
      this.#fail(error);
    }
  }

  #queueRow(sample: MemorySample): void {
    if (this.#fd === undefined) return;
    this.#pending += csvRow(sample);
    if (++this.#pendingRows >= FLUSH_ROWS) this.#flush();
  }

  #flush(): void {
    if (this.#fd === undefined || this.#pending === "") return;
    try {
      writeSync(this.#fd, this.#pending);
    } catch (error) {
      this.#fail(error);
    }
    this.#pending = "";
    this.#pendingRows = 0;
  }

  /** A failing file must not stop the sampling of a program that is already running. */
  #fail(error: unknown): void {
    this.#error ??= (error as Error).message;
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function mergeWindows(first: Window, second: Window): Window {
  return {
    low: second.low.rssBytes < first.low.rssBytes ? second.low : first.low,
    high: second.high.rssBytes > first.high.rssBytes ? second.high : first.high,
  };
}

function pointsOf(window: Window): MemorySample[] {
  if (window.low === window.high) return [window.low];
  return window.low.tMs <= window.high.tMs ? [window.low, window.high] : [window.high, window.low];
}

function csvRow(sample: MemorySample): string {
  return `${sample.tMs},${sample.rssBytes},${sample.pssBytes ?? ""},${sample.hwmBytes ?? ""},${sample.processes}\n`;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // never created
  }
}
