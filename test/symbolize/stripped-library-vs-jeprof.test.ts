// The case where jeprof is wrong and allocrun is right: allocations made in a stripped
// shared library, in a function that is not exported. jeprof falls back to `nm -D` and
// names the nearest exported symbol; allocrun finds no symbol containing the address and
// says libdemo.so+0x…, listing the library as lacking symbols.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeProfile } from "../../src/analysis/analysis.js";
import { loadPreparedProfiles } from "../../src/analysis/load-profile.js";
import { findTool } from "../../src/detect/find-tool.js";
import { compile } from "./synthetic-profiles.js";

const JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
const JEPROF = findTool("jeprof", process.env.PATH ?? "");

const LIBRARY_SOURCE = `#include <stdlib.h>
#include <string.h>
void *exported_decoy(size_t n) { return calloc(1, n); }
__attribute__((noinline, visibility("hidden"))) void *hidden_alloc(size_t n) { void *p = malloc(n); memset(p, 1, n); return p; }
void *exported_entry(size_t n) { return hidden_alloc(n); }
`;

const PROGRAM_SOURCE = `#include <stdlib.h>
void *exported_entry(size_t n);
void *kept[64];
int main(void) { for (int i = 0; i < 64; i++) kept[i] = exported_entry(1 << 20); return kept[7] == NULL; }
`;

describe.skipIf(!existsSync(JEMALLOC) || JEPROF === undefined)("a stripped library under real jemalloc profiling", () => {
  it("is named libdemo.so+0x… by allocrun while jeprof names an unrelated exported function", async () => {
    const library = compile("libdemo.c", LIBRARY_SOURCE, ["-shared", "-fPIC", "-O1", "-fno-toplevel-reorder"]);
    execFileSync("strip", ["--strip-all", library]);
    const directory = join(library, "..");
    const program = compile("main.c", PROGRAM_SOURCE, ["-O1", `-Wl,-rpath,${directory}`], [library]);
    execFileSync(program, [], {
      env: { ...process.env, LD_PRELOAD: JEMALLOC, MALLOC_CONF: `prof:true,prof_final:true,lg_prof_sample:0,prof_prefix:${join(directory, "jeprof")}` },
    });
    const heap = readdirSync(directory).find((name) => name.endsWith(".f.heap"));
    expect(heap).toBeDefined();
    const heapPath = join(directory, heap as string);

    const [prepared] = await loadPreparedProfiles([heapPath], { searchPath: process.env.PATH ?? "", suggestPackages: false });
    if (prepared === undefined) throw new Error("no profile");
    const analysis = analyzeProfile(prepared, "inuse_space");
    const top = analysis.rows[0];
    expect(top?.fn.name).toMatch(/^libdemo\.so\+0x[0-9a-f]+$/);
    expect(top?.flat).toBeGreaterThanOrEqual(64 << 20);
    expect(analysis.unsymbolizedObjects.map((object) => object.path)).toContain(library);
    // The caller is the program's main: the stack above the unnamed frame is intact.
    expect(analysis.rows.find((row) => row.fn.name === "main")?.cum).toBeGreaterThanOrEqual(64 << 20);

    const jeprof = execFileSync(JEPROF as string, ["--text", "--show_bytes", program, heapPath], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const theirTop = jeprof.split("\n").find((line) => /^\s*\d+\s+\S+%/.test(line)) ?? "";
    expect(theirTop).toMatch(/exported_decoy/);
  });
});
