// The pitfall "fragmentation persists": after a --stats run allocrun compares what the
// allocator holds with what the program uses, shows the figures, and names the preset
// that returns the difference — and the named preset really makes the finding go away.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildExample } from "../helpers/examples.js";
import { runCli } from "../helpers/cli.js";

interface Manifest {
  warnings: string[];
  allocatorStats: Record<string, Record<string, number>> | null;
  artifacts: Array<{ path: string; kind: string }>;
}

async function runWithStats(args: string[]): Promise<Manifest & { runDir: string }> {
  const out = join(mkdtempSync(join(tmpdir(), "allocrun-frag-")), "run");
  const result = await runCli([...args.slice(0, -2), "--stats", "-q", "-o", out, "--", ...args.slice(-2)]);
  expect(result.exitCode).toBe(0);
  return { ...(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as Manifest), runDir: out };
}

const fragmentationWarnings = (manifest: Manifest) => manifest.warnings.filter((warning) => /holds|keeps|far above/.test(warning));

describe("fragmentation that persists, found from the allocator's own statistics", () => {
  it("names jemalloc-return-memory when jemalloc keeps freed pages, and the preset removes the finding", async () => {
    const holes = buildExample("holes");
    const plain = await runWithStats(["--jemalloc", holes, "32"]);
    expect(plain.allocatorStats?.jemalloc?.allocatedBytes).toBeGreaterThan(16 * 1024 * 1024);
    expect(plain.artifacts).toContainEqual(expect.objectContaining({ path: "stats.stderr.log", kind: "stats" }));
    expect(fragmentationWarnings(plain)).toEqual([expect.stringMatching(/^jemalloc holds .* resident for .* of live data.*--preset jemalloc-return-memory/)]);
    const tuned = await runWithStats(["--jemalloc", "--preset", "jemalloc-return-memory", holes, "32"]);
    expect(fragmentationWarnings(tuned)).toEqual([]);

    // `allocrun doctor RUN-DIR` tells the same from the folder alone (a warning: exit 0).
    const doctor = await runCli(["doctor", plain.runDir]);
    expect(doctor.exitCode).toBe(0);
    expect(doctor.stdout).toMatch(/^run$/m);
    expect(doctor.stdout).toMatch(/jemalloc holds .* resident/);
    expect(doctor.stdout).toMatch(/jemalloc-return-memory/);
    const doctorTuned = await runCli(["doctor", tuned.runDir, "--json"]);
    const findings = (JSON.parse(doctorTuned.stdout) as { findings: Array<{ id: string; severity: string }> }).findings;
    expect(findings).toContainEqual({ id: "run.fragmentation", severity: "ok", what: expect.any(String), fix: null });
  });

  it("names tcmalloc-return-memory when tcmalloc keeps a freed peak in its page heap", async () => {
    const peak = buildExample("peak");
    const plain = await runWithStats(["--tcmalloc", peak, "64"]);
    expect(fragmentationWarnings(plain)).toEqual([expect.stringMatching(/^tcmalloc keeps .*page heap.*tcmalloc-return-memory/)]);
    const tuned = await runWithStats(["--tcmalloc", "--preset", "tcmalloc-return-memory", peak, "64"]);
    expect(fragmentationWarnings(tuned)).toEqual([]);
  });

  it("compares glibc's live-heap peak (libmemusage) with peak RSS for a fragmenting program, not for one that frees cleanly", async () => {
    const fragmented = await runWithStats(["--glibc", buildExample("holes"), "32"]);
    expect(fragmentationWarnings(fragmented)).toEqual([expect.stringMatching(/far above glibc's live-heap peak.*glibc-arena-max-2/)]);
    const clean = await runWithStats(["--glibc", buildExample("peak"), "32"]);
    expect(fragmentationWarnings(clean)).toEqual([]);
  });
});
