import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AllocatorName } from "../../src/core/allocators.js";
import { composeEnvPlan, loadPresetCatalog, type CompositionStep, type ShortFlag } from "../../src/presets/index.js";
import { catchError, loadTempCatalog, makeTempLayout, writePresets } from "./temp-preset-dirs.js";

const catalog = loadPresetCatalog({ home: "/nonexistent-home", cwd: "/nonexistent-cwd", env: {} });
const compose = (allocator: AllocatorName, ...steps: CompositionStep[]) => composeEnvPlan(catalog, allocator, steps);
const flag = (name: ShortFlag): CompositionStep => ({ kind: "flag", flag: name });

describe("short flags", () => {
  const expected: Array<[AllocatorName, ShortFlag, string]> = [
    ["jemalloc", "prof", "jemalloc-prof"],
    ["jemalloc", "heap-profile", "jemalloc-prof"],
    ["jemalloc", "leak-check", "jemalloc-leak"],
    ["jemalloc", "stats", "jemalloc-stats"],
    ["jemalloc", "periodic", "jemalloc-periodic"],
    ["jemalloc", "cpu-prof", "cpu-profile"],
    ["tcmalloc", "prof", "tcmalloc-heap-profile"],
    ["tcmalloc", "heap-profile", "tcmalloc-heap-profile"],
    ["tcmalloc", "leak-check", "tcmalloc-heap-check"],
    ["tcmalloc", "stats", "tcmalloc-stats"],
    ["tcmalloc", "periodic", "tcmalloc-periodic"],
    ["tcmalloc", "cpu-prof", "cpu-profile"],
    ["tcmalloc-minimal", "stats", "tcmalloc-stats"],
    ["tcmalloc-minimal", "cpu-prof", "cpu-profile"],
    ["mimalloc", "stats", "mimalloc-stats"],
    ["mimalloc", "cpu-prof", "cpu-profile"],
    ["glibc", "stats", "glibc-memusage"],
    ["glibc", "cpu-prof", "cpu-profile"],
  ];
  it.each(expected)("map %s --%s to the preset %s", (allocator, name, preset) => {
    const applied = compose(allocator, flag(name)).presetsApplied;
    expect(applied[0]).toBe(allocator);
    expect(applied.at(-1)).toBe(preset);
  });

  const impossible: Array<[AllocatorName, ShortFlag, string]> = [
    ["mimalloc", "prof", "mimalloc has no heap profiler: use --jemalloc --prof or --tcmalloc --heap-profile"],
    ["glibc", "heap-profile", "glibc has no heap profiler: use --jemalloc --prof or --tcmalloc --heap-profile"],
    ["tcmalloc-minimal", "prof", "tcmalloc-minimal has no heap profiler: use --jemalloc --prof or --tcmalloc --heap-profile"],
    ["glibc", "leak-check", "glibc has no leak checker: use --jemalloc --leak-check or --tcmalloc --leak-check"],
    ["mimalloc", "periodic", "mimalloc has no periodic heap dumps: use --jemalloc --periodic or --tcmalloc --periodic"],
  ];
  it.each(impossible)("refuse %s --%s and say what to use instead", (allocator, name, message) => {
    const error = catchError(() => compose(allocator, flag(name)));
    expect(error.kind).toBe("usage");
    expect(error.message).toBe(message);
  });
});

describe("composition", () => {
  it("applies the base preset first, then the steps in the order given, later values winning in place", () => {
    const plan = compose(
      "jemalloc",
      flag("prof"),
      { kind: "conf", text: "lg_prof_sample:19" },
      flag("stats"),
      { kind: "conf", text: "stats_print_opts=J,narenas:2" },
    );
    expect(plan.presetsApplied).toEqual(["jemalloc", "jemalloc-prof", "jemalloc-stats"]);
    expect(plan.conf).toEqual([
      ["prof", "true"],
      ["prof_final", "true"],
      ["prof_prefix", "{out}/jeprof"],
      ["lg_prof_sample", "19"],
      ["stats_print", "true"],
      ["stats_print_opts", "J"],
      ["narenas", "2"],
    ]);
  });

  it("lets a later preset override an earlier --conf", () => {
    const plan = compose("jemalloc", { kind: "conf", text: "lg_prof_sample:19" }, flag("prof"));
    expect(plan.conf).toContainEqual(["lg_prof_sample", "17"]);
  });

  it("does not re-apply a preset reached again through extends, so later settings survive", () => {
    const plan = compose("jemalloc", flag("prof"), { kind: "conf", text: "lg_prof_sample:19" }, flag("leak-check"));
    expect(plan.presetsApplied).toEqual(["jemalloc", "jemalloc-prof", "jemalloc-leak"]);
    expect(plan.conf).toContainEqual(["lg_prof_sample", "19"]);
    expect(plan.conf).toContainEqual(["prof_leak", "true"]);
  });

  it("merges a user's -e MALLOC_CONF key by key instead of replacing the presets' options", () => {
    const plan = compose("jemalloc", flag("prof"), { kind: "env", text: "MALLOC_CONF=lg_prof_sample:20,background_thread:true" });
    expect(plan.conf).toEqual([
      ["prof", "true"],
      ["prof_final", "true"],
      ["prof_prefix", "{out}/jeprof"],
      ["lg_prof_sample", "20"],
      ["background_thread", "true"],
    ]);
    // The peak-capture prefix (src/run/peak-capture.ts) is the only other variable.
    expect(plan.env).toEqual({ ALLOCRUN_PEAK_PREFIX: "{out}/peak" });
  });

  it("keeps LD_PRELOAD a list without duplicates, the allocator library first", () => {
    const plan = compose(
      "jemalloc",
      { kind: "env", text: "LD_PRELOAD=/opt/a.so:/opt/b.so" },
      flag("cpu-prof"),
      { kind: "env", text: "LD_PRELOAD=/opt/b.so /opt/c.so" },
      flag("cpu-prof"),
    );
    expect(plan.preload).toEqual(["jemalloc", "profiler"]);
    expect(plan.extraPreloadPaths).toEqual(["/opt/a.so", "/opt/b.so", "/opt/c.so"]);
  });

  it("reads glibc tunables with or without the glibc.malloc. prefix, and a user's GLIBC_TUNABLES", () => {
    const plan = compose(
      "glibc",
      { kind: "preset", name: "glibc-arena-max-2" },
      { kind: "conf", text: "glibc.malloc.mmap_threshold=1048576" },
      { kind: "env", text: "GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.mem.tagging=0" },
    );
    expect(plan.conf).toEqual([
      ["glibc.malloc.arena_max", "1"],
      ["glibc.malloc.mmap_threshold", "1048576"],
      ["glibc.mem.tagging", "0"],
    ]);
  });

  it("reads mimalloc and tcmalloc options as their variables", () => {
    expect(compose("mimalloc", flag("stats"), { kind: "env", text: "MIMALLOC_SHOW_STATS=0" }, { kind: "conf", text: "MIMALLOC_VERBOSE=1" }).conf).toEqual([
      ["show_stats", "0"],
      ["verbose", "1"],
    ]);
    const tcmalloc = compose("tcmalloc-minimal", { kind: "conf", text: "release_rate=0" }, { kind: "env", text: "TCMALLOC_RELEASE_RATE=5" }, flag("stats"));
    expect(tcmalloc.conf).toEqual([["release_rate", "5"]]);
    expect(tcmalloc.env).toEqual({ MALLOCSTATS: "1" });
  });

  it("keeps other variables later-wins, and MALLOC_CONF as a plain variable when jemalloc is not the allocator", () => {
    const plan = compose("tcmalloc", flag("prof"), { kind: "env", text: "HEAPPROFILE=/tmp/h" }, { kind: "env", text: "MALLOC_CONF=prof:true" }, { kind: "env", text: "EMPTY=" });
    expect(plan.env).toMatchObject({ HEAPPROFILE: "/tmp/h", MALLOC_CONF: "prof:true", EMPTY: "" });
  });

  it("warns about an unknown jemalloc option and suggests the right name", () => {
    const plan = compose("jemalloc", { kind: "conf", text: "prof_fianl:true" }, { kind: "env", text: "MALLOC_CONF=prof_fianl:false" });
    expect(plan.warnings).toEqual(['"prof_fianl" is not a known jemalloc option: did you mean "prof_final"? (the allocator ignores unknown options)']);
    expect(compose("glibc", { kind: "conf", text: "arena_mx=2" }).warnings).toEqual([
      '"arena_mx" is not a known glibc.malloc tunable: did you mean "arena_max"? (the allocator ignores unknown options)',
    ]);
  });

  it("warns about unknown tcmalloc and mimalloc option names too, and not about known ones", () => {
    expect(compose("tcmalloc", { kind: "conf", text: "relase_rate=0" }).warnings).toEqual([
      '"relase_rate" is not a known TCMALLOC_ option: did you mean "release_rate"? (the allocator ignores unknown options)',
    ]);
    expect(compose("mimalloc", { kind: "env", text: "MIMALLOC_SHOW_STAT=1" }).warnings).toEqual([
      '"show_stat" is not a known MIMALLOC_ option: did you mean "show_stats"? (the allocator ignores unknown options)',
    ]);
    expect(compose("tcmalloc-minimal", { kind: "conf", text: "TCMALLOC_AGGRESSIVE_DECOMMIT=1" }, { kind: "conf", text: "max_total_thread_cache_bytes=1" }).warnings).toEqual([]);
    expect(compose("mimalloc", { kind: "conf", text: "purge_delay=0" }, { kind: "conf", text: "reset_delay=0" }).warnings).toEqual([]);
  });

  it("says when --prof replaces the user's own prof_prefix, and not when the user's comes last", () => {
    const replaced = compose("jemalloc", { kind: "conf", text: "prof_prefix:/var/tmp/mine" }, flag("prof"));
    expect(replaced.warnings).toEqual([
      'your prof_prefix "/var/tmp/mine" (--conf "prof_prefix:/var/tmp/mine") is replaced by "{out}/jeprof": allocrun writes profiles into the run folder (-o DIR chooses it)',
    ]);
    const fromEnvFlag = compose("jemalloc", { kind: "env", text: "MALLOC_CONF=prof:true,prof_prefix:mine" }, flag("prof"));
    expect(fromEnvFlag.warnings).toEqual([expect.stringContaining('your prof_prefix "mine" (-e MALLOC_CONF)')]);
    expect(compose("jemalloc", flag("prof"), { kind: "conf", text: "prof_prefix:/var/tmp/mine" }).warnings).toEqual([]);
    expect(compose("jemalloc", flag("prof")).warnings).toEqual([]);
  });

  it("keeps the caller's own MALLOC_CONF / GLIBC_TUNABLES key by key under the command line's, and says what it replaces", () => {
    const inheriting = (allocator: AllocatorName, inheritedEnv: NodeJS.ProcessEnv, ...steps: CompositionStep[]) => composeEnvPlan(catalog, allocator, steps, { inheritedEnv });
    const jemalloc = inheriting("jemalloc", { MALLOC_CONF: "narenas:3,background_thread:true,lg_prof_sample:20,prof_prefix:/srv/prof/app" }, flag("prof"));
    expect(Object.fromEntries(jemalloc.conf)).toMatchObject({ narenas: "3", background_thread: "true", prof: "true", prof_prefix: "{out}/jeprof", lg_prof_sample: "17" });
    expect(jemalloc.warnings).toEqual([
      'your prof_prefix "/srv/prof/app" (MALLOC_CONF in your environment) is replaced by "{out}/jeprof": allocrun writes profiles into the run folder (-o DIR chooses it)',
      "your MALLOC_CONF sets lg_prof_sample:20; this run uses lg_prof_sample:17 (--conf lg_prof_sample:20 at the end of the options keeps yours)",
    ]);
    // The caller's value wins over the allocator's base preset, and a --conf given last over --prof.
    const kept = inheriting("jemalloc", { MALLOC_CONF: "lg_prof_sample:20" }, flag("prof"), { kind: "conf", text: "lg_prof_sample:20" });
    expect(Object.fromEntries(kept.conf).lg_prof_sample).toBe("20");
    expect(kept.warnings).toEqual([]);
    const glibc = inheriting("glibc", { GLIBC_TUNABLES: "glibc.pthread.rseq=0:glibc.malloc.arena_max=8" }, { kind: "conf", text: "arena_max=2" });
    expect(glibc.conf).toEqual([["glibc.pthread.rseq", "0"], ["glibc.malloc.arena_max", "2"]]);
    // Another allocator's variable is not this run's business, nor one jemalloc would reject itself.
    expect(inheriting("mimalloc", { MALLOC_CONF: "narenas:3" }).conf).toEqual(compose("mimalloc").conf);
    expect(inheriting("jemalloc", { MALLOC_CONF: ",,:" }, flag("prof")).warnings).toEqual([]);
  });

  it("refuses malformed --conf and -e values, naming the flag and the value", () => {
    const conf = catchError(() => compose("jemalloc", { kind: "conf", text: "prof" }));
    expect(conf).toMatchObject({ kind: "usage", message: '--conf "prof": expected KEY:VALUE or KEY=VALUE for jemalloc (MALLOC_CONF)', hint: "for example --conf lg_prof_sample:19" });
    expect(catchError(() => compose("glibc", { kind: "conf", text: "=2" })).message).toBe('--conf "=2": expected KEY=VALUE for glibc (GLIBC_TUNABLES)');
    expect(catchError(() => compose("glibc", { kind: "env", text: "NOVALUE" })).message).toBe('-e "NOVALUE": expected NAME=VALUE');
    expect(catchError(() => compose("jemalloc", { kind: "env", text: "MALLOC_CONF=prof" })).message).toBe('-e MALLOC_CONF: expected KEY:VALUE or KEY=VALUE for jemalloc (MALLOC_CONF)');
  });

  it("refuses a preset made for another allocator and names the allocator's own presets", () => {
    const error = catchError(() => compose("tcmalloc", { kind: "preset", name: "jemalloc-prof" }));
    expect(error.kind).toBe("usage");
    expect(error.message).toBe('preset "jemalloc-prof" is for jemalloc, not tcmalloc');
    expect(error.hint).toContain("use --jemalloc, or a tcmalloc preset: tcmalloc-heap-check, tcmalloc-heap-profile");
  });

  it("refuses a user preset that extends a preset of another allocator", () => {
    const layout = makeTempLayout();
    writePresets(layout.projectDir, { mixed: { description: "x", extends: ["jemalloc-stats"] } });
    const error = catchError(() => composeEnvPlan(loadTempCatalog(layout), "mimalloc", [{ kind: "preset", name: "mixed" }]));
    expect(error.message).toBe('preset "jemalloc-stats" (extended by "mixed") is for jemalloc, not mimalloc');
  });

  it("collects the artifact hints of the presets applied, once each", () => {
    const plan = compose("jemalloc", flag("periodic"), flag("leak-check"), flag("cpu-prof"));
    expect(plan.artifactHints).toEqual([
      { kind: "jemalloc-heap", glob: "jeprof.*.heap", optional: false },
      { kind: "jemalloc-heap", glob: "peak.*.heap", optional: true },
      { kind: "gperftools-cpu", glob: "cpu.prof*", optional: false },
    ]);
  });
});

describe("--env-file", () => {
  it("reads a dotenv file in place, merging by meaning like -e", () => {
    const layout = makeTempLayout();
    const file = join(layout.root, "run.env");
    writeFileSync(file, "# comment\nMALLOC_CONF=narenas:1\nGREETING=\"two\\nlines\"\nexport QUOTED='a # not a comment'\nLD_PRELOAD=/opt/x.so\n");
    const plan = compose("jemalloc", { kind: "conf", text: "narenas:4" }, { kind: "env-file", path: file }, { kind: "env", text: "QUOTED=last" });
    expect(plan.conf).toEqual([["narenas", "1"]]);
    expect(plan.env).toEqual({ GREETING: "two\nlines", QUOTED: "last" });
    expect(plan.extraPreloadPaths).toEqual(["/opt/x.so"]);
  });

  it("reports a missing file as an input error naming it", () => {
    const error = catchError(() => compose("glibc", { kind: "env-file", path: "/nonexistent/run.env" }));
    expect(error).toMatchObject({ kind: "input", message: "--env-file /nonexistent/run.env: no such file" });
  });
});
