// The run folder is where capture and analysis meet: the part of manifest.json that the
// analysis side reads is declared here, below both, so neither imports the other.

export const MANIFEST_FILE = "manifest.json";

export type ArtifactKind =
  | "jemalloc-heap"
  | "gperftools-heap"
  | "gperftools-cpu"
  | "pprof"
  | "stats"
  | "stderr"
  | "timeline"
  | "analysis"
  | "flamegraph"
  | "heap-check"
  | "objects"
  | "other";

export interface Artifact {
  /** Relative to the run folder. */
  path: string;
  kind: ArtifactKind;
  bytes: number;
  /** Process that wrote it, when the file name tells. */
  pid?: number;
  /** True when the process that wrote it was not the launched program (a child). */
  fromChildProcess?: boolean;
}

/** What analysis reads of manifest.json; run/manifest.ts's RunManifest is the whole record. */
export interface ManifestSeenByAnalysis {
  /** The executable that ran (PATH resolved). */
  program: string;
  startedAt: string;
  signal: string | null;
  artifacts: Artifact[];
}
