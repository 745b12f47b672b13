// The pitfall "fragmentation persists": after a --stats run allocrun compares what the
// allocator holds with what the program uses, shows the figures, and names the preset
// that returns the difference — and the named preset really makes the finding go away.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildExample } from "../helpers/examples.js";
import { runCli } from "../helpers/cli.js";
import { useTempDirs } from "../helpers/temp-dir.js";

/** Scratch folders, removed after this file's tests. */
const scratchDirs = useTempDirs();

interface Manifest {
  warnings: string[];
  allocatorStats: Record<string, Record<string, number>> | null;
  artifacts: Array<{ path: string; kind: string }>;
}

async function runWithStats(args: string[]): Promise<Manifest & { runDir: string }> {
  const out = join(scratchDirs.makeSync("allocrun-frag-"), "run");
  const result = await runCli([...args.slice(0, -2), "--stats", "-q", "-o", out, "--", ...args.slice(-2)]);
  expect(result.exitCode).toBe(0);
  return { ...(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as Manifest), runDir: out };
}

const fragmentationWarnings = (manifest: Manifest) => manifest.warnings.filter((warning) => /holds|keeps|far above/.test(warning));

describe("fragmentation that persists, found from the allocator's own statistics", () => {
  // The two jemalloc runs, made once and side by side: each test below then makes at most
  // one more call, which keeps every test short on a loaded machine.
  let plain: Manifest & { runDir: string };
  let tuned: Manifest & { runDir: string };
  beforeAll(async () => {
    const holes = buildExample("holes");
    [plain, tuned] = await Promise.all([
      runWithStats(["--jemalloc", holes, "32"]),
      runWithStats(["--jemalloc", "--preset", "jemalloc-return-memory", holes, "32"]),
    ]);
  }, 120_000);

  it("names jemalloc-return-memory when jemalloc keeps freed pages", () => {
    expect(plain.allocatorStats?.jemalloc?.allocatedBytes).toBeGreaterThan(16 * 1024 * 1024);
    expect(plain.artifacts).toContainEqual(expect.objectContaining({ path: "stats.stderr.log", kind: "stats" }));
    expect(fragmentationWarnings(plain)).toEqual([expect.stringMatching(/^jemalloc holds .* resident for .* of live data.*--preset jemalloc-return-memory/)]);
  });

  it("finds nothing once the jemalloc-return-memory preset is applied", () => {
    expect(fragmentationWarnings(tuned)).toEqual([]);
  });

  it("tells the same from the run folder alone with `allocrun doctor RUN-DIR` (a warning: exit 0)", async () => {
    const doctor = await runCli(["doctor", plain.runDir]);
    expect(doctor.exitCode).toBe(0);
    expect(doctor.stdout).toMatch(/^run$/m);
    expect(doctor.stdout).toMatch(/jemalloc holds .* resident/);
    expect(doctor.stdout).toMatch(/jemalloc-return-memory/);
  });

  it("reports the tuned run folder as fine in `allocrun doctor RUN-DIR --json`", async () => {
    const doctorTuned = await runCli(["doctor", tuned.runDir, "--json"]);
    const findings = (JSON.parse(doctorTuned.stdout) as { findings: Array<{ id: string; severity: string }> }).findings;
    expect(findings).toContainEqual({ id: "run.fragmentation", severity: "ok", what: expect.any(String), fix: null });
  });

  it("names tcmalloc-return-memory when tcmalloc keeps a freed peak in its page heap", async () => {
    const peak = buildExample("peak");
    const [plain, tuned] = await Promise.all([
      runWithStats(["--tcmalloc", peak, "64"]),
      runWithStats(["--tcmalloc", "--preset", "tcmalloc-return-memory", peak, "64"]),
    ]);
    expect(fragmentationWarnings(plain)).toEqual([expect.stringMatching(/^tcmalloc keeps .*page heap.*tcmalloc-return-memory/)]);
    expect(fragmentationWarnings(tuned)).toEqual([]);
  });

  it("compares glibc's live-heap peak (libmemusage) with peak RSS for a fragmenting program, not for one that frees cleanly", async () => {
    const [fragmented, clean] = await Promise.all([
      runWithStats(["--glibc", buildExample("holes"), "32"]),
      runWithStats(["--glibc", buildExample("peak"), "32"]),
    ]);
    expect(fragmentationWarnings(fragmented)).toEqual([expect.stringMatching(/far above glibc's live-heap peak.*glibc-arena-max-2/)]);
    expect(fragmentationWarnings(clean)).toEqual([]);
  });
});
