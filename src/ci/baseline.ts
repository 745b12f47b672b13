// The baseline file: what the gate compares against, meant to be committed next to the
// code. JSON, documented in examples/ci/README.md;
// bump BASELINE_SCHEMA_VERSION on any incompatible change of these keys.
import { formatCommandLine } from "../core/shell-words.js";
import { inputError } from "../core/errors.js";
import { isAllocatorName, type AllocatorName } from "../core/allocators.js";
import { isMetricName, METRICS, type MetricKind, type MetricName, type MetricUnit } from "./metrics.js";
import type { SampleSummary } from "./sample-summary.js";

export const BASELINE_SCHEMA_VERSION = 1;

/** One metric as measured: the gated figure, its spread over the runs and how it was counted. */
export interface MetricMeasurement extends SampleSummary {
  /** How the figure was obtained, e.g. "libmemusage" or "wait4 ru_maxrss". */
  source: string;
}

export type MeasuredMetrics = Partial<Record<MetricName, MetricMeasurement>>;

export interface BaselineMetric extends MetricMeasurement {
  /** Repeated from the metric catalogue so the committed file reads on its own. */
  kind: MetricKind;
  unit: MetricUnit;
}

export interface HostDescription {
  os: string;
  kernel: string;
  arch: string;
  cpus: number;
}

export interface Baseline {
  schemaVersion: number;
  tool: { name: "allocrun"; version: string };
  createdAt: string;
  /** argv of the program as given after `--`. */
  command: string[];
  allocator: { name: AllocatorName; library: string | null };
  /** The machine the baseline was measured on: noisy metrics are only comparable on a similar one. */
  environment: HostDescription;
  /** Plain runs behind each noisy metric's median. */
  runs: number;
  metrics: Partial<Record<MetricName, BaselineMetric>>;
  /** A heap profile saved with the baseline (path relative to the baseline file), for naming growing sites. */
  profile?: { path: string; format: string };
}

export interface BaselineDraft {
  toolVersion: string;
  createdAt: string;
  command: string[];
  allocator: { name: AllocatorName; library: string | null };
  environment: HostDescription;
  runs: number;
  metrics: MeasuredMetrics;
  profile?: { path: string; format: string };
}

export function createBaseline(draft: BaselineDraft): Baseline {
  const metrics: Baseline["metrics"] = {};
  for (const [name, measured] of Object.entries(draft.metrics) as Array<[MetricName, MetricMeasurement]>) {
    metrics[name] = { kind: METRICS[name].kind, unit: METRICS[name].unit, ...measured };
  }
  const baseline: Baseline = {
    schemaVersion: BASELINE_SCHEMA_VERSION,
    tool: { name: "allocrun", version: draft.toolVersion },
    createdAt: draft.createdAt,
    command: draft.command,
    allocator: draft.allocator,
    environment: draft.environment,
    runs: draft.runs,
    metrics,
  };
  if (draft.profile) baseline.profile = draft.profile;
  return baseline;
}

/** Validates a baseline file's text; every problem names the file and the field. */
export function parseBaseline(text: string, file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw inputError(`${file} is not valid JSON (${(error as Error).message})`, "restore it from version control or recreate it with --update-baseline", error);
  }
  const root = requireObject(data, file, "the top level");
  const version = root.schemaVersion;
  if (typeof version !== "number") throw malformed(file, "schemaVersion", "is missing");
  if (version > BASELINE_SCHEMA_VERSION) {
    throw inputError(`${file} has schemaVersion ${version}, newer than this allocrun understands (${BASELINE_SCHEMA_VERSION})`, "upgrade allocrun, or recreate the baseline with --update-baseline");
  }
  if (version < 1) throw malformed(file, "schemaVersion", `is ${version}`);
  const allocator = requireObject(root.allocator, file, "allocator");
  if (typeof allocator.name !== "string" || !isAllocatorName(allocator.name)) throw malformed(file, "allocator.name", "is not a known allocator");
  const environment = requireObject(root.environment, file, "environment");
  const tool = root.tool === undefined ? {} : requireObject(root.tool, file, "tool");
  const metricsObject = requireObject(root.metrics, file, "metrics");
  const metrics: Baseline["metrics"] = {};
  for (const [name, value] of Object.entries(metricsObject)) {
    if (!isMetricName(name)) throw malformed(file, `metrics.${name}`, "is not a metric allocrun knows");
    metrics[name] = parseBaselineMetric(value, file, name);
  }
  const baseline: Baseline = {
    schemaVersion: version,
    tool: { name: "allocrun", version: typeof tool.version === "string" ? tool.version : "unknown" },
    createdAt: typeof root.createdAt === "string" ? root.createdAt : "",
    command: requireStringArray(root.command, file, "command"),
    allocator: { name: allocator.name, library: typeof allocator.library === "string" ? allocator.library : null },
    environment: {
      os: typeof environment.os === "string" ? environment.os : "unknown",
      kernel: typeof environment.kernel === "string" ? environment.kernel : "unknown",
      arch: typeof environment.arch === "string" ? environment.arch : "unknown",
      cpus: typeof environment.cpus === "number" ? environment.cpus : 0,
    },
    runs: typeof root.runs === "number" ? root.runs : 1,
    metrics,
  };
  if (root.profile !== undefined) {
    const profile = requireObject(root.profile, file, "profile");
    if (typeof profile.path !== "string" || typeof profile.format !== "string") throw malformed(file, "profile", "needs a path and a format");
    baseline.profile = { path: profile.path, format: profile.format };
  }
  return baseline;
}

function parseBaselineMetric(value: unknown, file: string, name: MetricName): BaselineMetric {
  const field = `metrics.${name}`;
  const object = requireObject(value, file, field);
  const number = (key: string): number => {
    const entry = object[key];
    if (typeof entry !== "number" || !Number.isFinite(entry) || entry < 0) throw malformed(file, `${field}.${key}`, "must be a number ≥ 0");
    return entry;
  };
  const gated = number("value");
  const samples = Array.isArray(object.samples) && object.samples.every((s) => typeof s === "number") ? (object.samples as number[]) : [gated];
  return {
    kind: METRICS[name].kind,
    unit: METRICS[name].unit,
    value: gated,
    min: typeof object.min === "number" ? object.min : gated,
    max: typeof object.max === "number" ? object.max : gated,
    spreadFraction: object.spreadFraction === undefined ? 0 : number("spreadFraction"),
    samples,
    source: typeof object.source === "string" ? object.source : "unknown",
  };
}

function requireObject(value: unknown, file: string, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw malformed(file, field, "must be an object");
  return value as Record<string, unknown>;
}

function requireStringArray(value: unknown, file: string, field: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) throw malformed(file, field, "must be a list of strings");
  return value as string[];
}

function malformed(file: string, field: string, problem: string) {
  return inputError(`${file}: ${field} ${problem}`, "fix the field, or recreate the baseline with --update-baseline");
}

export interface CurrentSetting {
  command: string[];
  allocatorLibrary: string | null;
  environment: HostDescription;
  /** Whether noisy metrics are gated: only they depend on the machine. */
  gatesNoisyMetrics: boolean;
}

/** What differs from the baseline's setting and may explain a change; warnings, not errors. */
export function listBaselineDifferences(baseline: Baseline, current: CurrentSetting): string[] {
  const differences: string[] = [];
  if (baseline.command.join("\0") !== current.command.join("\0")) {
    differences.push(`the command differs from the baseline's (${formatCommandLine(baseline.command)})`);
  }
  if (baseline.allocator.library !== current.allocatorLibrary) {
    differences.push(`the allocator library differs from the baseline's (${baseline.allocator.library ?? "none"} → ${current.allocatorLibrary ?? "none"})`);
  }
  if (current.gatesNoisyMetrics) {
    const keys: Array<keyof HostDescription> = ["os", "kernel", "arch", "cpus"];
    const changed = keys.filter((key) => baseline.environment[key] !== current.environment[key]);
    if (changed.length > 0) {
      const detail = changed.map((key) => `${key} ${baseline.environment[key]} → ${current.environment[key]}`).join(", ");
      differences.push(`this machine differs from the baseline's (${detail}): RSS and time may differ for that reason alone`);
    }
  }
  return differences;
}
