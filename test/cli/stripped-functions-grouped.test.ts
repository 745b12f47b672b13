// A stripped program profiled under real jemalloc: its functions have no names, but the
// unwind tables (.eh_frame, kept by strip) still say where each starts, so the analysis
// shows one row per function, program+0xSTART, whatever the number of call sites in it.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temps = useTempDirs();
const JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";

// alloc_a allocates at two call sites, alloc_b at one; every allocation is sampled.
const SOURCE = `#include <stdlib.h>
#include <string.h>
void *volatile kept[3];
__attribute__((noinline)) void alloc_a(size_t n) { kept[0] = malloc(n); memset(kept[0], 1, n); kept[1] = malloc(n * 2); }
__attribute__((noinline)) void alloc_b(size_t n) { kept[2] = calloc(1, n); }
int main(void) { alloc_a(100000); alloc_b(300000); return 0; }
`;

describe.skipIf(!existsSync(JEMALLOC))("a stripped program under jemalloc --prof", () => {
  it("has one row per function, named by the start nm gives for the unstripped build", async () => {
    const directory = await temps.make();
    const program = join(directory, "twofuncs");
    execFileSync("gcc", ["-O1", "-o", program, "-x", "c", "-"], { input: SOURCE, stdio: ["pipe", "ignore", "inherit"] });
    const nm = execFileSync("nm", ["--defined-only", program], { encoding: "utf8" });
    const startOf = (name: string) => `twofuncs+0x${parseInt(new RegExp(`^([0-9a-f]+) T ${name}$`, "m").exec(nm)?.[1] ?? "NaN", 16).toString(16)}`;
    execFileSync("strip", ["--strip-all", program]);

    const out = join(directory, "run");
    const env = { XDG_CACHE_HOME: join(directory, "cache") };
    const run = await runCli(["--jemalloc", "--prof", "--conf", "lg_prof_sample:0", "--no-analyze", "-q", "-o", out, "--", program], { env });
    expect(run.exitCode).toBe(0);
    const analysis = await runCli(["analyze", out, "--format", "json", "--top", "50"], { env });
    expect(analysis.exitCode).toBe(0);
    const { top } = JSON.parse(analysis.stdout) as { top: { function: string; flat: number }[] };
    const rows = top.filter((row) => row.function.startsWith("twofuncs+0x") && row.flat > 0);
    // Flat bytes land in the functions that called malloc: alloc_a's two sites fold into one row.
    expect(rows.map((row) => row.function).sort()).toEqual([startOf("alloc_a"), startOf("alloc_b")].sort());
    const flatOf = (label: string) => rows.find((row) => row.function === label)?.flat ?? 0;
    expect(flatOf(startOf("alloc_a"))).toBeGreaterThanOrEqual(300000);
    expect(flatOf(startOf("alloc_b"))).toBeGreaterThanOrEqual(300000);
  });
});
