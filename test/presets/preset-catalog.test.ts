import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALLOCATOR_NAMES } from "../../src/core/allocators.js";
import {
  composeEnvPlan,
  describePreset,
  listPresets,
  listPresetSearchDirs,
  loadPresetCatalog,
  renderEnvironment,
  SHIPPED_PRESETS_DIR,
} from "../../src/presets/index.js";
import { REPO_ROOT } from "../helpers/examples.js";
import { catchError, loadTempCatalog, makeTempLayout, writePresets } from "./temp-preset-dirs.js";

const LIBRARY_PATHS = {
  jemalloc: "/lib/libjemalloc.so.2",
  tcmalloc: "/lib/libtcmalloc.so.4",
  "tcmalloc-minimal": "/lib/libtcmalloc_minimal.so.4",
  mimalloc: "/lib/libmimalloc.so.2",
  profiler: "/lib/libprofiler.so.0",
  memusage: "/lib/libmemusage.so",
};

describe("shipped presets", () => {
  const catalog = loadPresetCatalog({ home: "/nonexistent-home", cwd: "/nonexistent-cwd", env: {} });

  it("are found in presets/ at the package root", () => {
    expect(SHIPPED_PRESETS_DIR).toBe(join(REPO_ROOT, "presets") + "/");
  });

  it("include a base preset for every allocator and the presets the short flags need", () => {
    const names = catalog.names();
    for (const allocator of ALLOCATOR_NAMES) expect(names).toContain(allocator);
    expect(names).toEqual(
      expect.arrayContaining([
        "jemalloc-prof", "jemalloc-leak", "jemalloc-stats", "jemalloc-periodic",
        "tcmalloc-heap-profile", "tcmalloc-heap-check", "tcmalloc-stats", "tcmalloc-periodic",
        "cpu-profile", "mimalloc-stats", "glibc-arena-max-2", "glibc-memusage",
      ]),
    );
  });

  it("all validate, compose for each allocator they name, and render with absolute profile paths", () => {
    for (const preset of catalog.all()) {
      for (const allocator of preset.allocators.length ? preset.allocators : ALLOCATOR_NAMES) {
        const plan = composeEnvPlan(catalog, allocator, [{ kind: "preset", name: preset.name }]);
        expect(plan.warnings, `${preset.name} under ${allocator}`).toEqual([]);
        const variables = renderEnvironment(plan, { libraryPaths: LIBRARY_PATHS, outDir: "/runs/1", programPath: "/bin/leak" });
        for (const value of Object.values(variables)) expect(value).not.toMatch(/\{(out|prog)\}/);
      }
    }
  });

  it("have one-line descriptions and unique flags per allocator", () => {
    const seen = new Set<string>();
    for (const row of listPresets(catalog)) {
      expect(row.description.length, row.name).toBeLessThan(120);
      if (!row.flag) continue;
      for (const allocator of row.allocators.length ? row.allocators : ["any"]) {
        const key = `${allocator} --${row.flag}`;
        expect(seen.has(key), key).toBe(false);
        seen.add(key);
      }
    }
  });

  it("show what a preset sets after its extends", () => {
    const description = describePreset(catalog, "jemalloc-periodic");
    expect(description.plan.presetsApplied).toEqual(["jemalloc-prof", "jemalloc-periodic"]);
    expect(description.variables).toEqual({
      LD_PRELOAD: "<jemalloc>",
      MALLOC_CONF: "prof:true,prof_final:true,prof_prefix:{out}/jeprof,lg_prof_sample:17,lg_prof_interval:26",
      ALLOCRUN_PEAK_PREFIX: "{out}/peak",
    });
    expect(describePreset(catalog, "cpu-profile", "mimalloc").variables).toEqual({ LD_PRELOAD: "<mimalloc> <profiler>", CPUPROFILE: "{out}/cpu.prof" });
    expect(describePreset(catalog, "glibc-arena-max-2").variables).toEqual({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2" });
  });
});

describe("preset search paths", () => {
  it("search shipped, then ~/.config, then the project, then extra folders", () => {
    const dirs = listPresetSearchDirs({ home: "/h", cwd: "/p", env: {}, extraDirs: ["/x"] });
    expect(dirs).toEqual([
      { dir: SHIPPED_PRESETS_DIR, origin: "shipped" },
      { dir: "/h/.config/allocrun/presets", origin: "user" },
      { dir: "/p/.allocrun/presets", origin: "project" },
      { dir: "/x", origin: "extra" },
    ]);
  });

  it("respect an absolute XDG_CONFIG_HOME and ignore a relative one", () => {
    expect(listPresetSearchDirs({ home: "/h", cwd: "/p", env: { XDG_CONFIG_HOME: "/xdg" } })[1]?.dir).toBe("/xdg/allocrun/presets");
    expect(listPresetSearchDirs({ home: "/h", cwd: "/p", env: { XDG_CONFIG_HOME: "xdg" } })[1]?.dir).toBe("/h/.config/allocrun/presets");
  });

  it("let a user preset override a shipped one, and a project preset override both", () => {
    const layout = makeTempLayout();
    writePresets(layout.userDir, { "jemalloc-prof": { description: "user prof", allocator: "jemalloc", flag: "prof", conf: { prof: true, lg_prof_sample: 21 } } });
    let catalog = loadTempCatalog(layout);
    expect(composeEnvPlan(catalog, "jemalloc", [{ kind: "flag", flag: "prof" }]).conf).toEqual([
      ["prof", "true"],
      ["lg_prof_sample", "21"],
    ]);
    const row = listPresets(catalog).find((r) => r.name === "jemalloc-prof");
    expect(row).toMatchObject({ origin: "user", file: join(layout.userDir, "jemalloc-prof.json"), overrides: [join(SHIPPED_PRESETS_DIR, "jemalloc-prof.json")] });

    writePresets(layout.projectDir, { "jemalloc-prof": { description: "project prof", allocator: "jemalloc", flag: "prof", conf: { prof: true, lg_prof_sample: 15 } } });
    catalog = loadTempCatalog(layout);
    expect(composeEnvPlan(catalog, "jemalloc", [{ kind: "preset", name: "jemalloc-prof" }]).conf).toContainEqual(["lg_prof_sample", "15"]);
    expect(catalog.shadowedFiles("jemalloc-prof")).toEqual([join(SHIPPED_PRESETS_DIR, "jemalloc-prof.json"), join(layout.userDir, "jemalloc-prof.json")]);
  });

  it("apply a user's base preset whenever that allocator is chosen", () => {
    const layout = makeTempLayout();
    writePresets(layout.userDir, { jemalloc: { description: "my jemalloc defaults", allocator: "jemalloc", conf: { background_thread: true } } });
    const plan = composeEnvPlan(loadTempCatalog(layout), "jemalloc", [{ kind: "flag", flag: "stats" }]);
    expect(plan.presetsApplied).toEqual(["jemalloc", "jemalloc-stats"]);
    expect(plan.conf[0]).toEqual(["background_thread", "true"]);
  });

  it("prefer the user's own preset for a short flag over the shipped one", () => {
    const layout = makeTempLayout();
    writePresets(layout.userDir, { "my-stats": { description: "short stats", allocator: "jemalloc", flag: "stats", conf: { stats_print: true } } });
    expect(composeEnvPlan(loadTempCatalog(layout), "jemalloc", [{ kind: "flag", flag: "stats" }]).presetsApplied).toEqual(["jemalloc", "my-stats"]);
  });

  it("suggest close names and say where presets are searched for an unknown preset", () => {
    const layout = makeTempLayout();
    const error = catchError(() => loadTempCatalog(layout).get("jemalloc-prf"));
    expect(error.kind).toBe("usage");
    expect(error.message).toBe('unknown preset "jemalloc-prf"');
    expect(error.hint).toMatch(/^did you mean jemalloc-prof\? presets are searched in /);
    expect(error.hint).toContain(layout.userDir);
    expect(error.hint).toContain(layout.projectDir);
  });
});
