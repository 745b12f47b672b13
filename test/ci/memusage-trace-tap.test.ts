// libmemusage's trace read through a named pipe must give the same final heap figure as
// the same trace written to a regular file (where libmemusage can seek back and the
// last record is simply the last call's).
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { MEMUSAGE_RECORD_BYTES, openMemusageTraceTap, readLiveBytesFromTraceTail } from "../../src/ci/memusage-trace-tap.js";
import { locateLibrary } from "../../src/detect/index.js";
import { parseMemusageSummary } from "../../src/stats/index.js";
import { buildExample } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";

/** Scratch folders, removed after this file's tests. */
const scratchDirs = useTempDirs();

const memusage = locateLibrary("memusage").path;
const scratch = () => scratchDirs.makeSync("allocrun-trace-");

function record(heap: number, stack: number): Buffer {
  const buffer = Buffer.alloc(MEMUSAGE_RECORD_BYTES);
  buffer.writeBigUInt64LE(BigInt(heap), 0);
  buffer.writeBigUInt64LE(BigInt(stack), 8);
  return buffer;
}

describe("reading bytes live at exit from a piped trace's tail", () => {
  it("takes the record before the two header records libmemusage appends at exit", () => {
    const tail = Buffer.concat([record(16848, 0), record(0, 128790), record(128744, 64)]);
    expect(readLiveBytesFromTraceTail(tail, 128744)).toBe(16848);
  });

  it("declines a tail whose last record does not repeat the summary's heap peak", () => {
    const tail = Buffer.concat([record(16848, 0), record(0, 128790), record(128744, 64)]);
    expect(readLiveBytesFromTraceTail(tail, 99)).toBeUndefined();
  });

  it("declines a trace shorter than three records (the program never opened the pipe)", () => {
    expect(readLiveBytesFromTraceTail(Buffer.alloc(0), 0)).toBeUndefined();
    expect(readLiveBytesFromTraceTail(record(0, 0), 0)).toBeUndefined();
  });
});

describe("the trace tap on a real program under libmemusage", () => {
  it("finds the same final heap as a trace written to a regular file, for workload and for churn", async () => {
    for (const [name, args] of [["workload", []], ["churn", ["2", "20000", "100"]]] as const) {
      const program = buildExample(name);
      const dir = scratch();
      const fileTrace = join(dir, "trace.dat");
      const base = { ...process.env, LD_PRELOAD: memusage, MEMUSAGE_NO_TIMER: "1" };
      const direct = spawnSync(program, [...args], { env: { ...base, MEMUSAGE_OUTPUT: fileTrace }, encoding: "utf8" });
      expect(direct.status).toBe(0);
      const file = readFileSync(fileTrace);
      const expected = Number(file.readBigUInt64LE(file.length - MEMUSAGE_RECORD_BYTES));

      const tap = openMemusageTraceTap(join(dir, "trace.fifo"));
      const child = spawn(program, [...args], { env: { ...base, MEMUSAGE_OUTPUT: tap.path }, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      await once(child, "close");
      const tail = await tap.finish();
      const summary = parseMemusageSummary(stderr);
      expect(summary).toBeDefined();
      expect(readLiveBytesFromTraceTail(tail, summary!.heapPeakBytes)).toBe(expected);
      expect(expected).toBeGreaterThan(0);
    }
  });

  it("returns an empty tail when nothing wrote to the pipe", async () => {
    const tap = openMemusageTraceTap(join(scratch(), "unused.fifo"));
    expect((await tap.finish()).length).toBe(0);
  });
});
