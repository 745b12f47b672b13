// `allocrun analyze` on pprof files (the built CLI): every output format, --base and
// --growth work on profile.proto input exactly as on the native formats it was made from.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseProfile } from "../../src/profile/read-profile.js";
import { runCli } from "../helpers/cli.js";
import { fixturePath } from "./fixtures.js";
import { useTempDirs } from "../helpers/temp-dir.js";

/** Scratch folders, removed after this file's tests. */
const scratchDirs = useTempDirs();

const scratch = () => scratchDirs.makeSync("allocrun-pprof-cli-");
const cache = scratch();
const analyze = (...args: string[]) => runCli(["analyze", ...args, "--no-cache"], { env: { XDG_CACHE_HOME: cache } });
const TCMALLOC_SERIES = [1, 2, 3, 4, 5].map((i) => fixturePath(`leak.tcmalloc.000${i}.heap`));

/** The five tcmalloc dumps exported by allocrun as .pb.gz files, oldest first. */
let pprofSeries: string[] = [];

beforeAll(async () => {
  const directory = scratch();
  pprofSeries = await Promise.all(
    TCMALLOC_SERIES.map(async (heap, index) => {
      const output = join(directory, `leak.${index + 1}.pb.gz`);
      const result = await analyze(heap, "-o", output);
      if (result.exitCode !== 0) throw new Error(result.stderr);
      return output;
    }),
  );
});

describe("allocrun analyze PROFILE.pb.gz", () => {
  it("reports the same top sites as the gperftools dump it was exported from", async () => {
    const [fromPprof, fromHeap] = await Promise.all([analyze(pprofSeries[4] as string), analyze(TCMALLOC_SERIES[4] as string)]);
    expect(fromPprof.exitCode).toBe(0);
    expect(fromPprof.stdout).toMatch(/^Total: 31\.4 MiB inuse_space \(32902336 bytes\) in \d+ stacks — leak\.5\.pb\.gz/);
    const body = (text: string) => text.slice(text.indexOf("\n"));
    expect(body(fromPprof.stdout)).toBe(body(fromHeap.stdout));
  });

  it.each([
    ["json", (out: string) => expect((JSON.parse(out) as { top: { function: string }[] }).top[0]?.function).toBe("leaf_alloc")],
    ["collapsed", (out: string) => expect(out).toMatch(/;leaf_alloc \d+\n/)],
    ["svg", (out: string) => expect(out).toContain("leaf_alloc")],
    ["dot", (out: string) => expect(out).toMatch(/^digraph/)],
    ["markdown", (out: string) => expect(out).toContain("| flat | flat% |")],
    ["csv", (out: string) => expect(out).toMatch(/leaf_alloc/)],
  ])("renders --format %s", async (format, check) => {
    const result = await analyze(pprofSeries[4] as string, "--format", format);
    expect(result.exitCode).toBe(0);
    check(result.stdout);
  });

  it("writes pprof again from pprof input, with the same totals", async () => {
    const output = join(scratch(), "again.pb.gz");
    expect((await analyze(pprofSeries[4] as string, "-o", output)).exitCode).toBe(0);
    const again = parseProfile(readFileSync(output), output);
    const original = parseProfile(readFileSync(pprofSeries[4] as string), "original");
    expect(again.samples.reduce((sum, sample) => sum + (sample.values[3] ?? 0), 0)).toBe(original.samples.reduce((sum, sample) => sum + (sample.values[3] ?? 0), 0));
  });

  it("shows what grew between two pprof files with --base", async () => {
    const result = await analyze(pprofSeries[4] as string, "--base", pprofSeries[2] as string);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/change \+10\.0 MiB — leak\.5\.pb\.gz vs leak\.3\.pb\.gz/);
    expect(result.stdout).toMatch(/\+10\.0 MiB\s+46\.8%\s+31\.2 MiB\s+21\.2 MiB\s+leaf_alloc/);
  });

  it("ranks growth across a pprof series exactly as across the original dumps", async () => {
    const [fromPprof, fromHeap] = await Promise.all([analyze(...pprofSeries, "--growth"), analyze(...TCMALLOC_SERIES, "--growth")]);
    expect(fromPprof.exitCode).toBe(0);
    expect(fromPprof.stdout).toMatch(/\+5\.67 MiB\s+1\.00\s+\S+\s+8\.00 MiB\s+31\.2 MiB\s+leaf_alloc/);
    expect(fromPprof.stdout).toBe(fromHeap.stdout);
  });

  it("refuses --base of another profile format", async () => {
    const result = await analyze(pprofSeries[4] as string, "--base", TCMALLOC_SERIES[2] as string);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--base is a gperftools-heap profile but");
  });
});
