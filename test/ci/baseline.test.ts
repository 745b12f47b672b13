import { describe, expect, it } from "vitest";
import { AllocrunError } from "../../src/core/errors.js";
import { BASELINE_SCHEMA_VERSION, createBaseline, listBaselineDifferences, parseBaseline, type Baseline } from "../../src/ci/baseline.js";
import { summarizeSamples } from "../../src/ci/sample-summary.js";

const host = { os: "Debian GNU/Linux 12 (bookworm)", kernel: "6.1.0", arch: "x64", cpus: 2 };

function sampleBaseline(): Baseline {
  return createBaseline({
    toolVersion: "0.1.0",
    createdAt: "2026-01-01T00:00:00.000Z",
    command: ["./build/tool", "--bench"],
    allocator: { name: "glibc", library: null },
    environment: host,
    runs: 5,
    metrics: {
      alloc_count: { ...summarizeSamples([4003]), source: "glibc libmemusage" },
      peak_rss: { ...summarizeSamples([100, 104, 102, 101, 99]), source: "wait4 ru_maxrss, median of 5" },
    },
  });
}

function inputErrorOf(text: string): AllocrunError {
  try {
    parseBaseline(text, "baseline.json");
  } catch (error) {
    if (error instanceof AllocrunError) return error;
    throw error;
  }
  throw new Error("expected an input error");
}

describe("the baseline file", () => {
  it("survives a round trip through JSON unchanged", () => {
    const baseline = sampleBaseline();
    expect(parseBaseline(JSON.stringify(baseline, null, 2), "baseline.json")).toEqual(baseline);
  });

  it("records per metric the value, its spread, kind and unit, plus allocator, command and environment", () => {
    const baseline = sampleBaseline();
    expect(baseline.schemaVersion).toBe(BASELINE_SCHEMA_VERSION);
    expect(baseline.metrics.peak_rss).toMatchObject({ kind: "noisy", unit: "bytes", value: 101, min: 99, max: 104, samples: [100, 104, 102, 101, 99] });
    expect(baseline.metrics.peak_rss?.spreadFraction).toBeCloseTo(5 / 101);
    expect(baseline.metrics.alloc_count).toMatchObject({ kind: "deterministic", unit: "count", value: 4003, spreadFraction: 0 });
    expect(baseline.allocator).toEqual({ name: "glibc", library: null });
    expect(baseline.command).toEqual(["./build/tool", "--bench"]);
    expect(baseline.environment).toEqual(host);
  });

  it("refuses text that is not JSON, naming the file and the way out", () => {
    const error = inputErrorOf("{ not json");
    expect(error.kind).toBe("input");
    expect(error.message).toMatch(/^baseline\.json is not valid JSON/);
    expect(error.hint).toMatch(/--update-baseline/);
  });

  it("refuses a baseline from a newer allocrun", () => {
    const text = JSON.stringify({ ...sampleBaseline(), schemaVersion: BASELINE_SCHEMA_VERSION + 1 });
    expect(inputErrorOf(text).message).toMatch(/newer than this allocrun understands/);
  });

  it("names the field that is wrong", () => {
    const broken = sampleBaseline() as unknown as { metrics: { alloc_count: { value: unknown } } };
    broken.metrics.alloc_count.value = "many";
    expect(inputErrorOf(JSON.stringify(broken)).message).toBe("baseline.json: metrics.alloc_count.value must be a number ≥ 0");
    expect(inputErrorOf(JSON.stringify({ ...sampleBaseline(), metrics: { rss: {} } })).message).toBe("baseline.json: metrics.rss is not a metric allocrun knows");
    expect(inputErrorOf(JSON.stringify({ ...sampleBaseline(), allocator: { name: "jemaloc" } })).message).toBe("baseline.json: allocator.name is not a known allocator");
  });
});

describe("differences from the baseline's setting", () => {
  const same = { command: ["./build/tool", "--bench"], allocatorLibrary: null, environment: host, gatesNoisyMetrics: true };

  it("finds none when nothing changed", () => {
    expect(listBaselineDifferences(sampleBaseline(), same)).toEqual([]);
  });

  it("warns about another command or library", () => {
    const differences = listBaselineDifferences(sampleBaseline(), { ...same, command: ["./build/tool"], allocatorLibrary: "/opt/lib/libjemalloc.so.2" });
    expect(differences).toHaveLength(2);
    expect(differences[0]).toMatch(/command differs/);
    expect(differences[1]).toMatch(/none → \/opt\/lib\/libjemalloc\.so\.2/);
  });

  it("warns about another machine only when noisy metrics are gated", () => {
    const elsewhere = { ...same, environment: { ...host, cpus: 8 } };
    expect(listBaselineDifferences(sampleBaseline(), elsewhere)[0]).toMatch(/cpus 2 → 8/);
    expect(listBaselineDifferences(sampleBaseline(), { ...elsewhere, gatesNoisyMetrics: false })).toEqual([]);
  });
});
