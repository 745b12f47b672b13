// manifest.json: what a run was and what it produced. Documented in the README;
// bump MANIFEST_SCHEMA_VERSION on any incompatible change of these keys.
import { join } from "node:path";
import { writeJsonAtomic } from "../core/atomic-write.js";
import type { AllocatorStatsFound } from "../stats/index.js";
import type { ProcessRecord } from "./process-evidence.js";
import type { RunConditions } from "./run-conditions.js";
import { MANIFEST_FILE, type ManifestSeenByAnalysis } from "../core/run-folder-contract.js";

export const MANIFEST_SCHEMA_VERSION = 1;
export { MANIFEST_FILE, type Artifact, type ArtifactKind } from "../core/run-folder-contract.js";

export type VerificationMethod = "maps" | "artifacts" | "not-needed" | "none";

export interface AllocatorRecord {
  name: string;
  /** Absolute path of the preloaded library; null for glibc. */
  library: string | null;
  /** The library's own version ("5.3.0-0-g…" for jemalloc, "2.10" for gperftools); null for glibc or when it does not say. */
  version: string | null;
  /** True only when allocrun saw the library in effect (maps or its own output) in every
   * process that did measurable work. */
  verified: boolean;
  verifiedBy: VerificationMethod;
  /** Why it is not verified, or why it did not take effect. */
  reason?: string;
}

export interface RunManifest extends ManifestSeenByAnalysis {
  schemaVersion: number;
  tool: { name: "allocrun"; version: string };
  /** argv of the program as the user gave it. */
  command: string[];
  cwd: string;
  allocator: AllocatorRecord;
  presets: string[];
  /** Only the variables allocrun set (presets, flags, -e, --env-file); values of variables
   * other than allocator, profiler and locale ones are "<set>" unless --record-env. */
  env: Record<string, string>;
  /** What changes memory use that allocrun did not set; null where not measured (live dumps). */
  conditions: RunConditions | null;
  wallSeconds: number;
  userSeconds: number;
  sysSeconds: number;
  exitCode: number | null;
  /** The largest single process among the program and the children it waited for
   * (ru_maxrss of wait4), not a sum over processes. */
  peakRssBytes: number;
  /** wait4-rusage: kernel's ru_maxrss of the program; sampled-vmhwm: polled VmHWM (may miss short peaks). */
  peakRssMethod: string;
  /** The program's own main process: its VmHWM (ru_maxrss when it started no children); null when not seen. */
  programPeakRssBytes: number | null;
  /** Highest sum of RSS over the program and its descendants seen by sampling. */
  treePeakRssBytes: number | null;
  meanRssBytes: number | null;
  sampleIntervalMs: number;
  /** Every process the run saw (the native launcher's census); null without the launcher. */
  processes: ProcessRecord[] | null;
  /** What the allocator printed about itself at exit (--stats presets), parsed; else null. */
  allocatorStats: AllocatorStatsFound | null;
  warnings: string[];
  host: { os: string; kernel: string; arch: string; cpus: number };
}

export function writeManifest(runDir: string, manifest: RunManifest): void {
  writeJsonAtomic(join(runDir, MANIFEST_FILE), manifest);
}
