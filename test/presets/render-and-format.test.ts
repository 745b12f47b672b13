import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import type { AllocatorName } from "../../src/core/allocators.js";
import { composeEnvPlan, formatEnvironment, loadPresetCatalog, renderEnvironment, type CompositionStep } from "../../src/presets/index.js";
import { catchError } from "./temp-preset-dirs.js";

const dotenv = createRequire(import.meta.url)("dotenv") as typeof import("dotenv");
const catalog = loadPresetCatalog({ home: "/nonexistent-home", cwd: "/nonexistent-cwd", env: {} });
const LIBRARY_PATHS = { jemalloc: "/lib/libjemalloc.so.2", mimalloc: "/lib/libmimalloc.so.2", tcmalloc: "/lib/libtcmalloc.so.4", profiler: "/lib/libprofiler.so.0", memusage: "/lib/libmemusage.so" };

function render(allocator: AllocatorName, steps: CompositionStep[], outDir = "/runs/r1", programPath?: string) {
  return renderEnvironment(composeEnvPlan(catalog, allocator, steps), { libraryPaths: LIBRARY_PATHS, outDir, programPath });
}

describe("renderEnvironment", () => {
  it("sets LD_PRELOAD (allocator, helpers, user paths), MALLOC_CONF and the rest with {out} filled in", () => {
    const variables = render("jemalloc", [
      { kind: "flag", flag: "prof" },
      { kind: "flag", flag: "cpu-prof" },
      { kind: "env", text: "LD_PRELOAD=/opt/extra.so /lib/libprofiler.so.0" },
    ]);
    expect(variables).toEqual({
      LD_PRELOAD: "/lib/libjemalloc.so.2 /lib/libprofiler.so.0 /opt/extra.so",
      MALLOC_CONF: "prof:true,prof_final:true,prof_prefix:/runs/r1/jeprof,lg_prof_sample:17",
      CPUPROFILE: "/runs/r1/cpu.prof",
      ALLOCRUN_PEAK_PREFIX: "/runs/r1/peak",
    });
  });

  it("writes glibc tunables as GLIBC_TUNABLES and preloads nothing for plain glibc", () => {
    expect(render("glibc", [{ kind: "conf", text: "arena_max=2:mmap_threshold=65536" }])).toEqual({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=65536" });
  });

  it("writes mimalloc and tcmalloc options as one variable each", () => {
    expect(render("mimalloc", [{ kind: "flag", flag: "stats" }, { kind: "conf", text: "verbose=1" }])).toEqual({
      LD_PRELOAD: "/lib/libmimalloc.so.2",
      MIMALLOC_SHOW_STATS: "1",
      MIMALLOC_VERBOSE: "1",
    });
    expect(render("tcmalloc", [{ kind: "conf", text: "release_rate=0" }, { kind: "flag", flag: "leak-check" }])).toEqual({
      LD_PRELOAD: "/lib/libtcmalloc.so.4",
      TCMALLOC_RELEASE_RATE: "0",
      HEAPCHECK: "normal",
      HEAP_CHECK_DUMP_DIRECTORY: "/runs/r1",
      PPROF_PATH: "/usr/bin/google-pprof",
    });
  });

  it("fills {prog} with the program's file name, and leaves such variables out without a program", () => {
    expect(render("glibc", [{ kind: "flag", flag: "stats" }], "/runs/r1", "/usr/local/bin/my-server")).toEqual({ LD_PRELOAD: "/lib/libmemusage.so", MEMUSAGE_PROG_NAME: "my-server" });
    expect(render("glibc", [{ kind: "flag", flag: "stats" }])).toEqual({ LD_PRELOAD: "/lib/libmemusage.so" });
  });

  it("refuses a run folder that MALLOC_CONF cannot carry, and library paths LD_PRELOAD would split", () => {
    const comma = catchError(() => render("jemalloc", [{ kind: "flag", flag: "prof" }], "/runs/a,b"));
    expect(comma).toMatchObject({ kind: "usage", message: 'the jemalloc option prof_prefix = "/runs/a,b/jeprof" contains ",", which MALLOC_CONF cannot carry' });
    const plan = composeEnvPlan(catalog, "jemalloc", []);
    const spaced = catchError(() => renderEnvironment(plan, { libraryPaths: { jemalloc: "/my libs/libjemalloc.so.2" }, outDir: "/runs/r1" }));
    expect(spaced.message).toBe('cannot preload "/my libs/libjemalloc.so.2": LD_PRELOAD splits paths at spaces and colons');
  });

  it("says which library is missing when detection gave no path for it", () => {
    const plan = composeEnvPlan(catalog, "mimalloc", [{ kind: "flag", flag: "cpu-prof" }]);
    const error = catchError(() => renderEnvironment(plan, { libraryPaths: { mimalloc: "/lib/libmimalloc.so.2" }, outDir: "/runs/r1" }));
    expect(error).toMatchObject({ kind: "environment", message: "no profiler library was found to preload" });
  });

  it("insists on an absolute run folder, since allocators resolve relative prefixes at dump time", () => {
    expect(catchError(() => render("jemalloc", [], "runs/r1")).message).toContain("absolute outDir");
  });
});

const NASTY_VALUES: Record<string, string> = {
  PLAIN: "/runs/r1/jeprof",
  SPACES: "  two  spaces  ",
  SINGLE: "it's 'quoted'",
  DOUBLE: 'say "hi"',
  BACKTICK: "run `id` now",
  DOLLAR: "$HOME ${PATH} $(id)",
  BACKSLASH: "C:\\path\\n\\r\\",
  NEWLINES: "line one\nline two\n",
  HASH: "# not a comment",
  MIXED: `'"\`$\\ \n;|&<>*?~!`,
  EMPTY: "",
  UNICODE: "héllo ✓",
};

describe("formatEnvironment", () => {
  it("writes shell exports that bash reads back exactly, whatever the value", () => {
    const script = formatEnvironment(NASTY_VALUES, "shell");
    for (const [name, value] of Object.entries(NASTY_VALUES)) {
      const echoed = execFileSync("bash", ["-c", `eval "$1"; printf %s "$${name}"`, "bash", script], { encoding: "utf8" });
      expect(echoed, name).toBe(value);
    }
  });

  it("writes export lines, one per variable", () => {
    expect(formatEnvironment({ A: "1", B: "it's" }, "shell")).toBe("export A='1'\nexport B='it'\\''s'\n");
  });

  it("writes dotenv that the dotenv package parses back exactly", () => {
    const { MIXED: _mixed, ...representable } = NASTY_VALUES;
    const withCarriageReturn = { ...representable, CR: "a\rb\r\n" };
    expect(dotenv.parse(formatEnvironment(withCarriageReturn, "dotenv"))).toEqual(withCarriageReturn);
  });

  it("refuses dotenv for a value no dotenv quoting can hold, and points to another format", () => {
    expect(catchError(() => formatEnvironment({ MIXED: NASTY_VALUES.MIXED as string }, "dotenv"))).toMatchObject({ kind: "usage", hint: "use --format shell or --format json" });
  });

  it("writes a systemd unit's Environment= lines: C escapes in the quotes, % doubled", () => {
    expect(formatEnvironment({ MALLOC_CONF: "prof:true,prof_prefix:/srv/out/jeprof", ODD: 'say "hi" \\ 100%\n' }, "systemd")).toBe(
      'Environment="MALLOC_CONF=prof:true,prof_prefix:/srv/out/jeprof"\nEnvironment="ODD=say \\"hi\\" \\\\ 100%%\\n"\n',
    );
  });

  it("writes a Dockerfile's ENV lines with $ escaped, and refuses a value spanning lines", () => {
    expect(formatEnvironment({ LD_PRELOAD: "/usr/lib/libjemalloc.so.2", ODD: 'a"$HOME\\' }, "docker")).toBe('ENV LD_PRELOAD="/usr/lib/libjemalloc.so.2"\nENV ODD="a\\"\\$HOME\\\\"\n');
    expect(catchError(() => formatEnvironment({ NEWLINES: "a\nb" }, "docker"))).toMatchObject({ kind: "usage", hint: "use --format dotenv with docker run --env-file" });
  });

  it("writes JSON", () => {
    expect(JSON.parse(formatEnvironment(NASTY_VALUES, "json"))).toEqual(NASTY_VALUES);
  });

  it("refuses variable names a shell cannot assign", () => {
    expect(catchError(() => formatEnvironment({ "A-B": "1" }, "shell")).message).toBe('"A-B" cannot be written as a shell variable');
  });
});
