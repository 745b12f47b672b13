// The pprof reader on real files: allocrun's own `--format pprof` export read back, and what
// Go's `go tool pprof -proto` writes for a gperftools heap profile (symbolized by Go).
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadPreparedProfiles } from "../../src/analysis/load-profile.js";
import { AllocrunError } from "../../src/core/errors.js";
import type { Profile } from "../../src/profile/model.js";
import { parsePprof } from "../../src/profile/parse/pprof.js";
import { parseProfile } from "../../src/profile/read-profile.js";
import { totalValues } from "../../src/profile/totals.js";
import { encodePprof } from "../../src/report/pprof-export.js";
import { PROFILE_FIXTURES_DIR, fixturePath, readFixture } from "./fixtures.js";
import { useTempDirs } from "../helpers/temp-dir.js";

/** Scratch folders, removed after this file's tests. */
const scratchDirs = useTempDirs();

const LEAK = join(PROFILE_FIXTURES_DIR, "bin", "leak");
const hasGo = spawnSync("go", ["version"]).status === 0;

/** Totals by sample type name, so profiles with differently ordered types compare. */
function totalsByType(profile: Profile): Record<string, number> {
  const totals = totalValues(profile);
  return Object.fromEntries(profile.sampleTypes.map((type, index) => [type.type, totals[index] as number]));
}

function functionNamesOf(profile: Profile): Set<string> {
  return new Set(profile.functions.map((fn) => fn.name));
}

function errorOf(action: () => unknown): AllocrunError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AllocrunError);
    return error as AllocrunError;
  }
  throw new Error("expected an AllocrunError");
}

/** `go tool pprof -proto` of the tcmalloc fixture, symbolized with its binary. */
function goPprofProto(heapFixture: string): Buffer {
  return execFileSync("go", ["tool", "pprof", "-proto", LEAK, fixturePath(heapFixture)], {
    env: { ...process.env, HOME: scratchDirs.makeSync("allocrun-go-home-"), PPROF_TMPDIR: scratchDirs.makeSync("allocrun-pprof-") },
    stdio: ["ignore", "pipe", "ignore"],
  });
}

describe("parsePprof", () => {
  it("reads back allocrun's own --format pprof export with the same totals and function names", async () => {
    const [prepared] = await loadPreparedProfiles([fixturePath("leak.jemalloc.f.heap")], { searchPath: process.env.PATH ?? "", binary: LEAK });
    if (prepared === undefined) throw new Error("no profile");
    const exported = encodePprof(prepared, { defaultSampleType: "inuse_space" });
    const readBack = parseProfile(exported, "leak.pb.gz");

    expect(readBack.format).toBe("pprof");
    expect(readBack.defaultSampleType).toBe("inuse_space");
    expect(readBack.sampleTypes).toEqual(prepared.profile.sampleTypes);
    // The export rounds each value so that every type's total stays exact.
    const expected = Object.fromEntries(Object.entries(totalsByType(prepared.profile)).map(([type, total]) => [type, Math.round(total)]));
    expect(totalsByType(readBack)).toEqual(expected);
    expect(functionNamesOf(readBack)).toEqual(functionNamesOf(prepared.profile));
    expect(readBack.comments.some((comment) => comment.includes("jemalloc-heap profile"))).toBe(true);
  });

  it.skipIf(!hasGo)("reads go tool pprof -proto output: totals equal the gperftools parser's, Go's symbols are kept", () => {
    const heap = parseProfile(readFixture("leak.tcmalloc.0005.heap"), "leak.tcmalloc.0005.heap");
    const pprof = parseProfile(goPprofProto("leak.tcmalloc.0005.heap"), "leak.pb.gz");

    expect(pprof.format).toBe("pprof");
    expect(pprof.sampleTypes.map((type) => `${type.type}/${type.unit}`)).toEqual(["alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"]);
    expect(pprof.defaultSampleType).toBe("inuse_space");
    expect(pprof.periodType).toEqual({ type: "space", unit: "bytes" });
    expect(totalsByType(pprof)).toEqual(totalsByType(heap));

    const leaf = pprof.functions.find((fn) => fn.name === "leaf_alloc");
    expect(leaf?.filename).toMatch(/examples\/leak\.c$/);
    const leafLocation = pprof.locations.find((location) => location.lines.some((line) => line.functionId === leaf?.id));
    expect(leafLocation?.lines).toEqual([{ functionId: leaf?.id, line: 20 }]);
    // pprof stores call-site addresses: nothing is adjusted again by the symbolizer.
    expect(pprof.locations.every((location) => !location.isReturnAddress)).toBe(true);
    // Go had no symbols for libc here: those locations stay empty for allocrun's symbolizer.
    const libc = pprof.mappings.find((mapping) => mapping.file.endsWith("/libc.so.6"));
    expect(pprof.locations.filter((location) => location.mappingId === libc?.id).every((location) => location.lines.length === 0)).toBe(true);
    expect(pprof.samples.every((sample) => sample.numLabels?.bytes !== undefined)).toBe(true);
  });

  it.skipIf(!hasGo)("reads a raw (not gzipped) profile.proto too", () => {
    const raw = gunzipSync(goPprofProto("leak.tcmalloc.0003.heap"));
    const fromRaw = parseProfile(raw, "leak.pb");
    const fromText = parseProfile(readFixture("leak.tcmalloc.0003.heap"), "leak.tcmalloc.0003.heap");
    expect(fromRaw.format).toBe("pprof");
    expect(totalsByType(fromRaw)).toEqual(totalsByType(fromText));
  });

  it("declines text profiles and data that does not start like a profile.proto", () => {
    expect(parsePprof(readFixture("leak.jemalloc.f.heap"), "x.heap")).toBeUndefined();
    expect(parsePprof(readFixture("churn.cpu.prof"), "x.prof")).toBeUndefined();
    expect(parsePprof(new Uint8Array([0x0a, 0xff, 0xff, 0xff]), "x.pb")).toBeUndefined();
  });

  it("fails gzip data that does not decompress, naming the file and offset", () => {
    const error = errorOf(() => parsePprof(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), "heap.pb.gz"));
    expect(error.kind).toBe("input");
    expect(error.message).toMatch(/^heap\.pb\.gz: at byte offset 0: gzip data that does not decompress/);
  });

  it("tells to gunzip a gzipped text heap profile", () => {
    const error = errorOf(() => parseProfile(gzipSync(readFixture("leak.tcmalloc.0001.heap")), "leak.heap.gz"));
    expect(error.message).toContain("a gzipped text heap profile, not pprof protobuf");
    expect(error.hint).toBe("decompress it first: gunzip -k leak.heap.gz");
  });

  it("fails gzipped protobuf that is not a consistent profile", () => {
    // Field 1 holding an empty sample_type.
    const error = errorOf(() => parseProfile(gzipSync(Buffer.from([0x0a, 0x00])), "odd.pb.gz"));
    expect(error.message).toBe("odd.pb.gz: at byte offset 0: not a valid pprof profile: a sample_type has no name");
  });
});
