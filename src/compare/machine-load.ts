// How busy the machine was while a compare ran, from /proc: the 1-minute load average
// before every run, and the CPU that other processes used over the whole compare (all
// busy CPU time in /proc/stat minus the compared programs' and allocrun's own), plus the
// time a hypervisor stole. Time figures taken on a busy machine drift with the neighbours.
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { median } from "./statistics.js";
import type { MachineLoad } from "./report-model.js";

/** /proc/stat counts in USER_HZ, 100 on every Linux ABI node runs on. */
const TICKS_PER_SECOND = 100;
/** Others using this share of the cores (or this much steal) make time verdicts unreliable. */
const BUSY_SHARE = 0.25;
const STEAL_SHARE = 0.05;

interface CpuTicks {
  busy: number;
  total: number;
  steal: number;
}

/** The aggregate "cpu" line of /proc/stat; undefined where it cannot be read. */
export function parseCpuTicks(statText: string): CpuTicks | undefined {
  const line = statText.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return undefined;
  // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait, steal };
}

function readTicks(): CpuTicks | undefined {
  try {
    return parseCpuTicks(readFileSync("/proc/stat", "utf8"));
  } catch {
    return undefined;
  }
}

function readLoadAverage(): number | undefined {
  try {
    const first = Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
    return Number.isFinite(first) ? first : undefined;
  } catch {
    return undefined;
  }
}

export interface LoadRecorder {
  /** Before each run: the load average now. */
  sample(): void;
  /** The CPU seconds a compared program used (user + sys), not counted as others' load. */
  addProgramCpu(seconds: number): void;
  finish(): MachineLoad;
}

export function recordMachineLoad(): LoadRecorder {
  const cores = cpus().length || 1;
  const start = readTicks();
  const ownStart = process.cpuUsage();
  const loads: number[] = [];
  let programCpuSeconds = 0;
  return {
    sample() {
      const load = readLoadAverage();
      if (load !== undefined) loads.push(load);
    },
    addProgramCpu(seconds) {
      programCpuSeconds += seconds;
    },
    finish() {
      const end = readTicks();
      const own = process.cpuUsage(ownStart);
      let othersCpuCores: number | null = null;
      let stealFraction: number | null = null;
      if (start && end && end.total > start.total) {
        const elapsedCoreSeconds = (end.total - start.total) / TICKS_PER_SECOND;
        const busySeconds = (end.busy - start.busy) / TICKS_PER_SECOND;
        const ownSeconds = (own.user + own.system) / 1e6;
        othersCpuCores = Math.max(0, ((busySeconds - programCpuSeconds - ownSeconds) / elapsedCoreSeconds) * cores);
        stealFraction = (end.steal - start.steal) / (end.total - start.total);
      }
      const loadAverage = loads.length ? { min: Math.min(...loads), median: median(loads), max: Math.max(...loads) } : null;
      return describeLoad({ cores, loadAverage, othersCpuCores, stealFraction });
    },
  };
}

/** Adds the verdict on reliability and its warning to the measured figures. */
export function describeLoad(figures: Omit<MachineLoad, "timeVerdictsReliable" | "warning">): MachineLoad {
  const reasons: string[] = [];
  const { cores, othersCpuCores, stealFraction } = figures;
  if (othersCpuCores !== null && othersCpuCores >= BUSY_SHARE * cores) reasons.push(`other processes used ${othersCpuCores.toFixed(1)} of ${cores} cores`);
  if (stealFraction !== null && stealFraction >= STEAL_SHARE) reasons.push(`the hypervisor stole ${(stealFraction * 100).toFixed(0)}% of the CPU time`);
  const warning = reasons.length
    ? `the machine was busy during the compare (${reasons.join("; ")}): time figures drift with that load, so time differences must also clear the measured noise floor; compare on an idle machine for firm time verdicts`
    : null;
  return { ...figures, timeVerdictsReliable: warning === null, warning };
}
