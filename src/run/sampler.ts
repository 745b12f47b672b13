// Samples the memory of a running program and its descendant processes.
//
// Every interval: VmRSS of each process in the tree (found through
// /proc/<pid>/task/<tid>/children), summed; VmHWM of the main process. Now and then: PSS
// of the tree from smaps_rollup, which walks every page table and holds the program's
// mmap lock while it does, so it is read at most PSS_DUTY_FRACTION of the time and at
// most every PSS_MIN_SAMPLES_APART samples.
//
// Timeline file (optional), CSV with a header line:
//   t_ms        milliseconds since the program started (from allocrun's clock)
//   rss_bytes   VmRSS summed over the process tree (shared pages counted once per process)
//   pss_bytes   PSS summed over the tree; empty on samples where it was not read
//   hwm_bytes   VmHWM of the main process so far
//   processes   processes in the tree at that moment
import { closeSync, openSync, writeSync } from "node:fs";
import { performance } from "node:perf_hooks";
import {
  appendChildPids,
  readProcessCpuSeconds,
  readProcessMemory,
  readProcessPssBytes,
  type ProcessCpuSeconds,
} from "./proc-reader.js";

export interface MemorySample {
  /** Milliseconds since the program started. */
  tMs: number;
  /** VmRSS summed over the program and its descendants. */
  rssBytes: number;
  /** PSS summed over the tree, on the samples where it was read. */
  pssBytes?: number;
  /** VmHWM of the main process so far. */
  hwmBytes?: number;
  /** Processes in the tree. */
  processes: number;
}

export interface SamplerOptions {
  intervalMs: number;
  /** performance.now() at program start; sample times are relative to it. */
  originMs: number;
  /** Streams the timeline to this CSV file as it is sampled. */
  timelinePath?: string;
  /** Also read CPU times of the main process (when nothing better will report them). */
  readCpuTimes?: boolean;
}

export interface SamplerSummary {
  timeline: MemorySample[];
  /** Largest tree RSS seen; 0 without samples. */
  treePeakRssBytes: number;
  /** Largest VmHWM of the main process seen; 0 without samples. */
  mainPeakHwmBytes: number;
  /** Whether smaps_rollup could be read at least once. */
  pssAvailable: boolean;
  /** Why the timeline file could not be written (the in-memory timeline is complete). */
  timelineError?: string;
  /** Last CPU times read of the main process (only with readCpuTimes). */
  cpu?: ProcessCpuSeconds;
  /** Time spent sampling, for overhead measurements. */
  cost: { samples: number; sampleMs: number; pssReads: number; pssMs: number };
}

export const DEFAULT_SAMPLE_INTERVAL_MS = 20;
const PSS_DUTY_FRACTION = 0.01;
const PSS_MIN_SAMPLES_APART = 5;
const MAX_TREE_PROCESSES = 4096;
const TIMELINE_FLUSH_SAMPLES = 50;
const TIMELINE_HEADER = "t_ms,rss_bytes,pss_bytes,hwm_bytes,processes\n";

export class MemorySampler {
  readonly #pid: number;
  readonly #options: SamplerOptions;
  readonly #timeline: MemorySample[] = [];
  readonly #tree: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #timelineFd: number | undefined;
  #timelineError: string | undefined;
  #pendingCsv = "";
  #treePeakRssBytes = 0;
  #mainPeakHwmBytes = 0;
  #pssAvailable = false;
  #pssEnabled = true;
  #nextPssSample = 0;
  #cpu: ProcessCpuSeconds | undefined;
  readonly #cost = { samples: 0, sampleMs: 0, pssReads: 0, pssMs: 0 };

  /** Creates the timeline file, if one is asked for, right away. */
  constructor(pid: number, options: SamplerOptions) {
    this.#pid = pid;
    this.#options = options;
    if (options.timelinePath !== undefined) {
      // A failing timeline file must not take down the run of a program that is already going.
      try {
        this.#timelineFd = openSync(options.timelinePath, "w");
        writeSync(this.#timelineFd, TIMELINE_HEADER);
      } catch (error) {
        this.#timelineError = (error as Error).message;
      }
    }
  }

  /** Takes a first sample now, then one every interval until stop(). */
  start(): void {
    this.sample();
    this.#timer = setInterval(() => this.sample(), Math.max(1, this.#options.intervalMs));
    // The program's own handle keeps node alive; the sampler must not.
    this.#timer.unref();
  }

  stop(): SamplerSummary {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#timelineFd !== undefined) {
      this.#flushTimeline();
      closeSync(this.#timelineFd);
      this.#timelineFd = undefined;
    }
    return {
      timeline: this.#timeline,
      treePeakRssBytes: this.#treePeakRssBytes,
      mainPeakHwmBytes: this.#mainPeakHwmBytes,
      pssAvailable: this.#pssAvailable,
      ...(this.#timelineError === undefined ? {} : { timelineError: this.#timelineError }),
      ...(this.#cpu ? { cpu: this.#cpu } : {}),
      cost: { ...this.#cost },
    };
  }

  /** One sample of the whole tree; skipped silently when the main process is gone. */
  sample(): void {
    const began = performance.now();
    const main = readProcessMemory(this.#pid);
    if (main === undefined) return;
    if (this.#options.readCpuTimes) this.#cpu = readProcessCpuSeconds(this.#pid) ?? this.#cpu;

    const readPss = this.#pssEnabled && this.#cost.samples >= this.#nextPssSample;
    const pssBegan = performance.now();
    let pssBytes = readPss ? this.#readPss(this.#pid) : undefined;

    const tree = this.#tree;
    tree.length = 0;
    appendChildPids(this.#pid, main.threads, tree);
    let rssBytes = main.rssBytes;
    let processes = 1;
    for (let index = 0; index < tree.length && index < MAX_TREE_PROCESSES; index++) {
      const pid = tree[index]!;
      const memory = readProcessMemory(pid);
      if (memory === undefined) continue;
      rssBytes += memory.rssBytes;
      processes++;
      if (pssBytes !== undefined) pssBytes += this.#readPss(pid) ?? 0;
      appendChildPids(pid, memory.threads, tree);
    }
    const ended = performance.now();
    if (readPss) this.#schedulePss(ended - pssBegan);

    const sample: MemorySample = { tMs: Math.round((began - this.#options.originMs) * 10) / 10, rssBytes, processes };
    if (pssBytes !== undefined) sample.pssBytes = pssBytes;
    sample.hwmBytes = main.hwmBytes;
    this.#record(sample);
    this.#cost.samples++;
    this.#cost.sampleMs += ended - began;
  }

  #readPss(pid: number): number | undefined {
    const pss = readProcessPssBytes(pid);
    if (pss !== undefined) this.#pssAvailable = true;
    else if (pid === this.#pid) this.#pssEnabled = false; // no smaps_rollup here: stop trying
    return pss;
  }

  /** Next PSS read after enough samples that reading it stays under the duty fraction.
   * (The cost measured includes the RSS reads of the tree, an upper bound.) */
  #schedulePss(elapsedMs: number): void {
    this.#cost.pssReads++;
    this.#cost.pssMs += elapsedMs;
    const samplesApart = Math.ceil(elapsedMs / (PSS_DUTY_FRACTION * this.#options.intervalMs));
    this.#nextPssSample = this.#cost.samples + Math.max(PSS_MIN_SAMPLES_APART, samplesApart);
  }

  #record(sample: MemorySample): void {
    this.#timeline.push(sample);
    if (sample.rssBytes > this.#treePeakRssBytes) this.#treePeakRssBytes = sample.rssBytes;
    if ((sample.hwmBytes ?? 0) > this.#mainPeakHwmBytes) this.#mainPeakHwmBytes = sample.hwmBytes ?? 0;
    if (this.#timelineFd === undefined) return;
    this.#pendingCsv += `${sample.tMs},${sample.rssBytes},${sample.pssBytes ?? ""},${sample.hwmBytes ?? ""},${sample.processes}\n`;
    if (this.#timeline.length % TIMELINE_FLUSH_SAMPLES === 0) this.#flushTimeline();
  }

  #flushTimeline(): void {
    if (this.#timelineFd === undefined || this.#pendingCsv === "") return;
    try {
      writeSync(this.#timelineFd, this.#pendingCsv);
    } catch (error) {
      this.#timelineError ??= (error as Error).message;
    }
    this.#pendingCsv = "";
  }
}
