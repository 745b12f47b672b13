// Where the growth came from: under an allocator that profiles (jemalloc, tcmalloc), the
// exact heap profile of the gated run against the allocation sites saved with the
// baseline, as a Markdown table of the top changes and a differential flame graph: files
// a CI job can upload. Built from the analysis module's diff and reports.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { analyzeProfile, type PreparedProfile } from "../analysis/analysis.js";
import { diffProfiles } from "../analysis/diff.js";
import { loadPreparedProfiles } from "../analysis/load-profile.js";
import { asStackTable } from "../analysis/stack-table.js";
import { extractStacks } from "../analysis/stacks.js";
import type { FunctionRow } from "../analysis/function-table.js";
import { writeFileAtomic } from "../core/atomic-write.js";
import { sampleTypeIndex } from "../profile/model.js";
import { renderFlameGraphSvg } from "../report/flame-svg.js";
import { renderTextReport } from "../report/text-report.js";
import { formatDelta, formatValue } from "../report/values.js";
import { defaultCacheDirectory } from "../core/cache-directory.js";
import type { MetricName } from "./metrics.js";
import { createSiteSnapshot, readSnapshotStacks } from "./site-snapshot.js";

/** What a snapshot keeps: enough to explain alloc_count, alloc_bytes and live_at_exit. */
const SNAPSHOT_SAMPLE_TYPES = ["alloc_objects", "alloc_space", "inuse_space"];
const TOP_ROWS = 10;

/** The profile view that explains a metric's growth. */
export function sampleTypeForMetric(metric: MetricName): string {
  if (metric === "alloc_count") return "alloc_objects";
  if (metric === "live_at_exit") return "inuse_space";
  return "alloc_space";
}

export interface ProfileOfRun {
  /** The heap profile written at exit by the exact run. */
  path: string;
  /** The program, offered to the symbolizer. */
  program: string;
  env: NodeJS.ProcessEnv;
}

async function prepareProfile(run: ProfileOfRun): Promise<PreparedProfile> {
  const [prepared] = await loadPreparedProfiles([run.path], {
    searchPath: run.env.PATH ?? "",
    cacheDirectory: defaultCacheDirectory(run.env),
    candidates: [run.program],
  });
  if (!prepared) throw new Error(`no profile read from ${run.path}`);
  return prepared;
}

/** Symbolizes the run's profile and saves its allocation sites at `snapshotPath`. */
export async function saveSiteSnapshot(run: ProfileOfRun, snapshotPath: string): Promise<void> {
  const { profile } = await prepareProfile(run);
  const stacks = SNAPSHOT_SAMPLE_TYPES.filter((type) => sampleTypeIndex(profile, type) >= 0).map((type) => extractStacks(profile, type));
  mkdirSync(dirname(snapshotPath), { recursive: true });
  writeFileAtomic(snapshotPath, `${JSON.stringify(createSiteSnapshot(stacks))}\n`);
}

export interface GrowingSitesReport {
  /** Files written, relative to outDir. */
  files: string[];
  /** The Markdown table, for the job summary. */
  markdown: string;
  /** A few "function +change unit" lines for the terminal. */
  topGrowth: string[];
  /** The same sites with their source position, for annotations; file "" when unknown. */
  sites: GrowingSite[];
  /** The metric whose growth the sites explain. */
  metric: MetricName;
  /** False when there was no saved snapshot: the files then show the current sites only. */
  comparedWithBaseline: boolean;
}

export interface GrowingSite {
  name: string;
  file: string;
  /** 0 when unknown. */
  line: number;
  /** "+400 allocations", "+12 KiB". */
  change: string;
}

/** A count says what it counts: "+400 allocations", not "+400". */
function withUnit(text: string, sampleType: string): string {
  if (sampleType.endsWith("_objects")) return `${text} ${sampleType.startsWith("alloc") ? "allocations" : "objects"}`;
  return text;
}

export async function reportGrowingSites(run: ProfileOfRun, snapshotPath: string | undefined, metric: MetricName, outDir: string): Promise<GrowingSitesReport> {
  const sampleType = sampleTypeForMetric(metric);
  const current = await prepareProfile(run);
  const analysis = analyzeProfile(current, sampleType);
  const base = snapshotPath ? readSnapshotStacks(readFileSync(snapshotPath, "utf8"), snapshotPath, sampleType) : undefined;
  if (base) analysis.base = { source: snapshotPath as string, stacks: asStackTable(base), diff: diffProfiles(analysis.stacks, base) };
  const name = base ? "growing-sites" : "allocation-sites";
  const title = base ? `What grew since the baseline (${sampleType})` : `Allocation sites (${sampleType}); the baseline saved none to compare with`;
  const markdown = `**${title}**\n\n${renderTextReport(analysis, { top: TOP_ROWS, style: "markdown", withCumTable: false })}`;
  writeFileSync(join(outDir, `${name}.md`), markdown);
  writeFileSync(join(outDir, `${name}.svg`), renderFlameGraphSvg(analysis, { title }));
  const unit = analysis.sampleType.unit;
  const site = (row: FunctionRow, change: string): GrowingSite => ({ name: row.fn.name, file: row.fn.file, line: row.line, change: withUnit(change, sampleType) });
  const sites = base
    ? (analysis.base?.diff.rows ?? []).filter((row) => row.deltaFlat > 0).slice(0, 3).map((row) => site(row, formatDelta(row.deltaFlat, unit)))
    : analysis.rows.slice(0, 3).map((row) => site(row, formatValue(row.flat, unit)));
  const topGrowth = sites.map((entry) => `${entry.name} ${entry.change}`);
  return { files: [`${name}.md`, `${name}.svg`], markdown, topGrowth, sites, metric, comparedWithBaseline: base !== undefined };
}
