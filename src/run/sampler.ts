// Samples the memory of a running program and its descendant processes.
//
// Every interval: VmRSS of each process in the tree, summed; VmHWM of the main process.
// Two reads are spread out so that each takes at most a small fraction of the time:
//  - finding the tree (/proc/<pid>/task/<tid>/children for every thread of every process:
//    a 64-thread program costs ~65 reads); between searches the last tree is re-read;
//  - PSS from smaps_rollup, which walks every page table of the process and holds its
//    mmap lock meanwhile (~3 ms for 300 MiB, measured with bench/measure-overhead.mjs),
//    stalling the program's page faults: at most 0.1% of the time, and at most every
//    PSS_MIN_SAMPLES_APART samples (at 0.5% and every 10th sample the bench showed 5–9%
//    slower wall time on the 256–300 MiB examples).
//
// Samples are not all kept: src/run/timeline-recorder.ts keeps a summary of every sample
// and at most maxTimelinePoints of them (the lowest and highest of each window once a run
// is long), in memory and in the timeline file alike.
//
// Timeline file (optional), CSV with a header line, one row per kept sample:
//   t_ms        milliseconds since the program started (from allocrun's clock)
//   rss_bytes   VmRSS summed over the process tree (shared pages counted once per process)
//   pss_bytes   PSS summed over the tree; empty on samples where it was not read
//   hwm_bytes   VmHWM of the main process so far
//   processes   processes in the tree at that moment
import {
  appendChildPids,
  readProcessCpuSeconds,
  readProcessMemory,
  readProcessPssBytes,
  type ProcessCpuSeconds,
} from "./proc-reader.js";
import { DEFAULT_MAX_TIMELINE_POINTS, TimelineRecorder, type RecordedTimeline } from "./timeline-recorder.js";
import { monotonicMs } from "../core/monotonic-ms.js";

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
  /** monotonicMs() at program start; sample times are relative to it. */
  originMs: number;
  /** Streams the timeline to this CSV file as it is sampled. */
  timelinePath?: string;
  /** Samples kept in memory and rows in the file at most (DEFAULT_MAX_TIMELINE_POINTS). */
  maxTimelinePoints?: number;
  /** Also read CPU times of the main process (when nothing better will report them). */
  readCpuTimes?: boolean;
}

export interface SamplerSummary {
  timeline: RecordedTimeline;
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
  /** Time spent sampling, for overhead measurements: wall time (inflated when the machine
   * is busy) and CPU time of node while sampling. */
  cost: SamplerCost;
}

export interface SamplerCost {
  samples: number;
  sampleMs: number;
  sampleCpuMs: number;
  pssReads: number;
  pssMs: number;
  pssCpuMs: number;
}

export const NO_SAMPLER_COST: SamplerCost = { samples: 0, sampleMs: 0, sampleCpuMs: 0, pssReads: 0, pssMs: 0, pssCpuMs: 0 };

export const DEFAULT_SAMPLE_INTERVAL_MS = 20;
const PSS_DUTY_FRACTION = 0.001;
const PSS_MIN_SAMPLES_APART = 50;
const DISCOVERY_DUTY_FRACTION = 0.005;
/** One slow search (the machine was busy) must not hide new children for long. */
const DISCOVERY_MAX_SAMPLES_APART = 10;
const MAX_TREE_PROCESSES = 4096;

export class MemorySampler {
  readonly #pid: number;
  readonly #options: SamplerOptions;
  readonly #timeline: TimelineRecorder;
  readonly #tree: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #treePeakRssBytes = 0;
  #mainPeakHwmBytes = 0;
  #pssAvailable = false;
  #pssEnabled = true;
  readonly #pssSchedule: DutySchedule;
  readonly #discoverySchedule: DutySchedule;
  #samples = 0;
  #sampleMs = 0;
  #sampleCpuMs = 0;
  #pssCpuMs = 0;
  #cpu: ProcessCpuSeconds | undefined;

  /** Creates the timeline file, if one is asked for, right away. */
  constructor(pid: number, options: SamplerOptions) {
    this.#pid = pid;
    this.#options = options;
    this.#pssSchedule = new DutySchedule(PSS_DUTY_FRACTION, options.intervalMs, PSS_MIN_SAMPLES_APART, Infinity);
    this.#discoverySchedule = new DutySchedule(DISCOVERY_DUTY_FRACTION, options.intervalMs, 1, DISCOVERY_MAX_SAMPLES_APART);
    this.#timeline = new TimelineRecorder({
      maxPoints: options.maxTimelinePoints ?? DEFAULT_MAX_TIMELINE_POINTS,
      ...(options.timelinePath === undefined ? {} : { path: options.timelinePath }),
    });
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
    const timeline = this.#timeline.finish();
    const timelineError = this.#timeline.error();
    return {
      timeline,
      treePeakRssBytes: this.#treePeakRssBytes,
      mainPeakHwmBytes: this.#mainPeakHwmBytes,
      pssAvailable: this.#pssAvailable,
      ...(timelineError === undefined ? {} : { timelineError }),
      ...(this.#cpu ? { cpu: this.#cpu } : {}),
      cost: {
        samples: this.#samples,
        sampleMs: this.#sampleMs,
        sampleCpuMs: this.#sampleCpuMs,
        pssReads: this.#pssSchedule.reads,
        pssMs: this.#pssSchedule.spentMs,
        pssCpuMs: this.#pssCpuMs,
      },
    };
  }

  /** One sample of the whole tree; skipped silently when the main process is gone. */
  sample(): void {
    const began = monotonicMs();
    const cpuBefore = process.cpuUsage();
    const main = readProcessMemory(this.#pid);
    if (main === undefined) return;
    if (this.#options.readCpuTimes) this.#cpu = readProcessCpuSeconds(this.#pid) ?? this.#cpu;
    const readPss = this.#pssEnabled && this.#pssSchedule.isDue(this.#samples);
    const discover = this.#discoverySchedule.isDue(this.#samples);
    let pssMs = 0;
    let discoveryMs = 0;
    const timed = (action: () => void): number => {
      const start = monotonicMs();
      action();
      return monotonicMs() - start;
    };

    let pssBytes: number | undefined;
    // CPU of the PSS reads, for the cost report, approximated by the whole walk of this sample.
    const pssCpuBefore = readPss ? process.cpuUsage() : undefined;
    if (readPss) pssMs += timed(() => (pssBytes = this.#readPss(this.#pid)));
    // Descendants, found now (appended while walking) or known from the last search.
    const tree = this.#tree;
    if (discover) {
      tree.length = 0;
      discoveryMs += timed(() => appendChildPids(this.#pid, main.threads, tree));
    }
    let rssBytes = main.rssBytes;
    let processes = 1;
    for (let index = 0; index < tree.length && index < MAX_TREE_PROCESSES; index++) {
      const pid = tree[index]!;
      const memory = readProcessMemory(pid);
      if (memory === undefined) continue; // exited since the search
      rssBytes += memory.rssBytes;
      processes++;
      if (pssBytes !== undefined) pssMs += timed(() => (pssBytes! += this.#readPss(pid) ?? 0));
      if (discover) discoveryMs += timed(() => appendChildPids(pid, memory.threads, tree));
    }
    if (readPss) {
      this.#pssSchedule.record(this.#samples, pssMs);
      const pssCpu = process.cpuUsage(pssCpuBefore);
      this.#pssCpuMs += (pssCpu.user + pssCpu.system) / 1000;
    }
    if (discover) this.#discoverySchedule.record(this.#samples, discoveryMs);

    const sample: MemorySample = { tMs: Math.round((began - this.#options.originMs) * 10) / 10, rssBytes, processes };
    if (pssBytes !== undefined) sample.pssBytes = pssBytes;
    sample.hwmBytes = main.hwmBytes;
    this.#record(sample);
    this.#samples++;
    this.#sampleMs += monotonicMs() - began;
    const cpu = process.cpuUsage(cpuBefore);
    this.#sampleCpuMs += (cpu.user + cpu.system) / 1000;
  }

  #readPss(pid: number): number | undefined {
    const pss = readProcessPssBytes(pid);
    if (pss !== undefined) this.#pssAvailable = true;
    else if (pid === this.#pid) this.#pssEnabled = false; // no smaps_rollup here: stop trying
    return pss;
  }

  #record(sample: MemorySample): void {
    this.#timeline.add(sample);
    if (sample.rssBytes > this.#treePeakRssBytes) this.#treePeakRssBytes = sample.rssBytes;
    if ((sample.hwmBytes ?? 0) > this.#mainPeakHwmBytes) this.#mainPeakHwmBytes = sample.hwmBytes ?? 0;
  }

  /** Samples held in memory now (bounded by maxTimelinePoints). */
  retainedSamples(): number {
    return this.#timeline.retainedPoints();
  }
}

/** Spaces out a costly read: after one that took t ms, the next comes after enough
 * samples that the read stays under `fraction` of the time (within minApart..maxApart). */
class DutySchedule {
  reads = 0;
  spentMs = 0;
  #nextSample = 0;

  constructor(
    readonly fraction: number,
    readonly intervalMs: number,
    readonly minApart: number,
    readonly maxApart: number,
  ) {}

  isDue(sampleIndex: number): boolean {
    return sampleIndex >= this.#nextSample;
  }

  record(sampleIndex: number, elapsedMs: number): void {
    this.reads++;
    this.spentMs += elapsedMs;
    const apart = Math.ceil(elapsedMs / (this.fraction * this.intervalMs));
    this.#nextSample = sampleIndex + Math.min(this.maxApart, Math.max(this.minApart, apart));
  }
}
