// The run's preflight (src/run/preflight.ts) on real programs: one test per pitfall row
// and per case where LD_PRELOAD cannot work, each next to a demonstration that the
// pitfall is real on this machine (the loader or the allocator really behaves so).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AllocrunError } from "../../src/core/errors.js";
import type { AllocatorName } from "../../src/core/allocators.js";
import { parseLoaderPreloadErrors } from "../../src/detect/index.js";
import { parseConfReply } from "../../src/doctor/machine/jemalloc-profiling.js";
import { gatherTarget, runTargetChecks } from "../../src/detect/target/index.js";
import { checkLibraryFitsTarget, checkTarget } from "../../src/run/preflight.js";
import { buildExample } from "../helpers/examples.js";
import { whyNo32BitExecution } from "../helpers/machine-capabilities.js";
import {
  buildGoProgram, buildPrefixedJemalloc, JEMALLOC_LIBRARY, JEMALLOC_STATIC_ARCHIVE, makeOwnedCopy, makeSharedTempDir, NOBODY,
  PREFIXED_JEMALLOC_SKIP_REASON, TCMALLOC_LIBRARY, TCMALLOC_MINIMAL_STATIC_ARCHIVE, whyNoMuslCompiler,
} from "./helpers/programs.js";

const MUSL_SPECS = "/usr/lib/x86_64-linux-musl/musl-gcc.specs";

/** The AllocrunError checkTarget throws, or a failed expectation when it does not throw. */
function refusal(program: string, allocator: AllocatorName, options: Parameters<typeof checkTarget>[2] = {}): AllocrunError {
  try {
    checkTarget(program, allocator, options);
  } catch (error) {
    expect(error).toBeInstanceOf(AllocrunError);
    return error as AllocrunError;
  }
  throw new Error(`checkTarget accepted ${program} for ${allocator}`);
}

/** Runs a program with extra environment; returns its stderr and status. */
function runWith(program: string, env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
  const result = spawnSync(program, [], { env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], timeout: 30_000 });
  return { status: result.status, stderr: result.stderr };
}

const JEMALLOC_STATS = { LD_PRELOAD: JEMALLOC_LIBRARY, MALLOC_CONF: "stats_print:true,stats_print_opts:gmdablxeh" };
const printsJemallocStats = (stderr: string): boolean => stderr.includes("___ Begin jemalloc statistics ___");

describe("a dynamically linked program", () => {
  it("is accepted under jemalloc without warnings, and its ELF file is returned", () => {
    const program = buildExample("leak");
    const report = checkTarget(program, "jemalloc");
    expect(report.warnings).toEqual([]);
    expect(report.elf?.interpreter).toBe("/lib64/ld-linux-x86-64.so.2");
    expect(report.executedElf).toBe(report.elf);
    // The control for the demonstrations below: here the preload works.
    expect(printsJemallocStats(runWith(program, JEMALLOC_STATS).stderr)).toBe(true);
  });
});

describe("static binaries (no PT_INTERP)", () => {
  it("refuses --jemalloc for a -static binary with a one-line reason and the fix", () => {
    const program = buildExample("leak", { flags: ["-static"] });
    const error = refusal(program, "jemalloc");
    expect(error.kind).toBe("environment");
    expect(error.message).toBe(`${program} is statically linked: LD_PRELOAD cannot replace its allocator`);
    expect(error.hint).toBe("link it dynamically; --glibc still measures it");
    expect(printsJemallocStats(runWith(program, JEMALLOC_STATS).stderr)).toBe(false);
  });

  it("refuses --tcmalloc for a -static-pie binary too, although it is ET_DYN with a dynamic section", () => {
    const program = buildExample("leak", { flags: ["-static-pie"] });
    const error = refusal(program, "tcmalloc");
    expect(error.message).toContain("is statically linked (static-pie): LD_PRELOAD cannot replace its allocator");
    expect(printsJemallocStats(runWith(program, JEMALLOC_STATS).stderr)).toBe(false);
  });

  it("lets --glibc measure a static binary without a warning", () => {
    const report = checkTarget(buildExample("leak", { flags: ["-static"] }), "glibc");
    expect(report.warnings).toEqual([]);
    expect(report.elf?.isStatic).toBe(true);
  });
});

describe("symbols (the 'no symbols' row)", () => {
  it("warns about a stripped program only when the run writes profiles, naming -g", () => {
    const stripped = buildExample("leak", { strip: true });
    expect(checkTarget(stripped, "jemalloc").warnings).toEqual([]);
    const [warning, ...rest] = checkTarget(stripped, "jemalloc", { profiling: true, family: "debian" }).warnings;
    expect(rest).toEqual([]);
    expect(warning).toContain("is stripped (no .symtab): profiles can name only its exported (.dynsym) functions");
    expect(warning).toContain("rebuild it with -g and without -s/strip");
    expect(warning).toContain("-dbgsym");
  });

  it("says nothing about an unstripped program with debug info", () => {
    expect(checkTarget(buildExample("leak"), "jemalloc", { profiling: true }).warnings).toEqual([]);
  });
});

describe("set-user-ID and set-group-ID programs (secure execution)", () => {
  let directory: string;
  beforeAll(() => {
    directory = makeSharedTempDir("allocrun-setid-");
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it.skipIf(process.getuid?.() !== 0)("refuses --jemalloc for a program that is set-user-ID to another user, and the loader really ignores the preload", () => {
    const copy = makeOwnedCopy(buildExample("leak"), directory, "setuid-nobody", NOBODY, 0o4755);
    const error = refusal(copy, "jemalloc");
    expect(error.kind).toBe("environment");
    expect(error.message).toBe(`${copy} is set-user-ID (owner uid ${NOBODY.uid}): the loader ignores LD_PRELOAD for it`);
    expect(error.hint).toContain("chmod u-s,g-s");
    expect(printsJemallocStats(runWith(copy, JEMALLOC_STATS).stderr)).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)("refuses --mimalloc for a program that is set-group-ID to another group", () => {
    const copy = makeOwnedCopy(buildExample("leak"), directory, "setgid-nogroup", { uid: 0, gid: NOBODY.gid }, 0o2755);
    expect(refusal(copy, "mimalloc").message).toContain(`is set-group-ID (group gid ${NOBODY.gid})`);
    expect(printsJemallocStats(runWith(copy, JEMALLOC_STATS).stderr)).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)("accepts a set-user-ID program run by its own owner, where the loader honours the preload", () => {
    const copy = makeOwnedCopy(buildExample("leak"), directory, "setuid-root", { uid: 0, gid: 0 }, 0o4755);
    expect(checkTarget(copy, "jemalloc").warnings).toEqual([]);
    expect(printsJemallocStats(runWith(copy, JEMALLOC_STATS).stderr)).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)("warns --glibc runs of a set-user-ID program that malloc tunables are filtered", () => {
    const copy = makeOwnedCopy(buildExample("leak"), directory, "setuid-nobody-glibc", NOBODY, 0o4755);
    const [warning] = checkTarget(copy, "glibc").warnings;
    expect(warning).toContain("glibc ignores malloc tunables (GLIBC_TUNABLES, MALLOC_*) for it");
  });
});

describe("Go programs", () => {
  it("refuses --jemalloc for a pure-Go (static) binary and points to net/http/pprof", () => {
    const program = buildGoProgram("hello", { cgo: false });
    const error = refusal(program, "jemalloc");
    expect(error.message).toMatch(/is a Go program \(go1\.\d+[.\d]*\) without cgo \(statically linked\): LD_PRELOAD cannot reach it$/);
    expect(error.hint).toContain("net/http/pprof");
  });

  it("warns that a cgo binary shows only C allocations and never writes exit-time output, which is what happens", () => {
    const program = buildGoProgram("cgo-hello", { cgo: true });
    const [warning, ...rest] = checkTarget(program, "jemalloc").warnings;
    expect(rest).toEqual([]);
    expect(warning).toContain("jemalloc sees only cgo (C) allocations, and exit-time stats and profiles are never written (Go skips atexit)");
    expect(warning).toContain("net/http/pprof");
    const run = runWith(program, JEMALLOC_STATS);
    expect(run.status).toBe(0);
    expect(printsJemallocStats(run.stderr)).toBe(false);
  });
});

describe("allocators built into the program (the 'Rust build not affected' row)", () => {
  const staticJemallocFlags = ["-Wl,--whole-archive", JEMALLOC_STATIC_ARCHIVE, "-Wl,--no-whole-archive", "-lstdc++", "-lm", "-ldl"];

  it("refuses --tcmalloc for a program with Debian's static jemalloc linked in, which really bypasses the preload", () => {
    const program = buildExample("leak", { flags: staticJemallocFlags });
    const error = refusal(program, "tcmalloc");
    expect(error.message).toBe(`${program} defines its own malloc (statically linked jemalloc): LD_PRELOAD cannot replace it, its malloc comes first in symbol lookup`);
    // tcmalloc is loaded but serves almost nothing: the program's ~30 MiB go to its own jemalloc.
    const stats = runWith(program, { LD_PRELOAD: TCMALLOC_LIBRARY, MALLOCSTATS: "1" }).stderr;
    const inUse = Number(/MALLOC:\s+(\d+) \(.*\) Bytes in use by application/.exec(stats)?.[1]);
    expect(inUse).toBeLessThan(1 << 20);
  });

  it("warns --jemalloc that the preloaded copy goes unused while MALLOC_CONF still reaches the built-in one", () => {
    const [warning] = checkTarget(buildExample("leak", { flags: staticJemallocFlags }), "jemalloc").warnings;
    expect(warning).toContain("the preloaded jemalloc is not used; the built-in copy serves every allocation");
    expect(warning).toContain("MALLOC_CONF reaches it");
  });

  it("names a statically linked tcmalloc by its strings, as --jemalloc cannot replace it either", () => {
    const program = buildExample("leak", { flags: ["-Wl,--whole-archive", TCMALLOC_MINIMAL_STATIC_ARCHIVE, "-Wl,--no-whole-archive", "-lstdc++", "-lm"] });
    expect(refusal(program, "jemalloc").message).toContain("defines its own malloc (statically linked tcmalloc)");
  });

  describe("a jemalloc embedded with the _rjem_ prefix, as tikv-jemallocator builds it", () => {
    let archive: string | undefined;
    beforeAll(() => {
      archive = buildPrefixedJemalloc();
    }, 180_000);
    const flags = () => ["-Wl,--whole-archive", archive as string, "-Wl,--no-whole-archive", "-lm", "-ldl"];

    it("warns that LD_PRELOAD reaches only the C allocations and names _RJEM_MALLOC_CONF, stripped or not", (context) => {
      if (archive === undefined) context.skip(PREFIXED_JEMALLOC_SKIP_REASON);
      for (const strip of [false, true]) {
        const program = buildExample("rjem-prefixed", { flags: flags(), strip });
        const underTcmalloc = checkTarget(program, "tcmalloc");
        expect(underTcmalloc.warnings).toHaveLength(1);
        expect(underTcmalloc.warnings[0]).toContain("embeds jemalloc with the _rjem_ prefix (Rust tikv-jemallocator): tcmalloc reaches only its C allocations");
        expect(underTcmalloc.warnings[0]).toContain("_RJEM_MALLOC_CONF");
        // Under --jemalloc the run itself moves the options to _RJEM_MALLOC_CONF, and says so.
        const underJemalloc = checkTarget(program, "jemalloc");
        expect(underJemalloc.embedsRjemJemalloc).toBe(true);
        expect(underJemalloc.warnings).toEqual([expect.stringMatching(/embeds jemalloc with the _rjem_ prefix .*allocrun sets its options in _RJEM_MALLOC_CONF$/)]);
      }
    });

    it("is found by its _rjem_ symbols too when doctor reads the whole file", (context) => {
      if (archive === undefined) context.skip(PREFIXED_JEMALLOC_SKIP_REASON);
      const program = buildExample("rjem-prefixed", { flags: flags() });
      const gathered = gatherTarget(program, { shownName: "./rjem", depth: "whole", pathVariable: undefined, runner: { uid: 0, gid: 0 } });
      if (gathered.kind !== "elf") throw new Error(`not read as ELF: ${gathered.kind}`);
      expect(gathered.facts.content.mentionsSymbol("_rjem_malloc")).toBe(true);
      const findings = runTargetChecks(gathered.facts, { allocator: undefined, profiling: true, family: "debian" });
      expect(findings.filter((finding) => finding.severity !== "ok").map((finding) => [finding.id, finding.severity])).toEqual([
        ["target.embedded-jemalloc", "warning"],
        ["target.embedded-jemalloc-profiling", "warning"],
      ]);
    });

    it("warns a profiling run that the embedded copy lacks heap profiling, as its own reply confirms", (context) => {
      if (archive === undefined) context.skip(PREFIXED_JEMALLOC_SKIP_REASON);
      const program = buildExample("rjem-prefixed", { flags: flags() });
      const warnings = checkTarget(program, "jemalloc", { profiling: true }).warnings;
      expect(warnings.some((warning) => warning.includes("lacks heap profiling"))).toBe(true);
      const reply = runWith(program, { _RJEM_MALLOC_CONF: "prof:true" }).stderr;
      expect(reply).toContain("<jemalloc>: Invalid conf pair: prof:true");
      expect(parseConfReply(reply, "prof:true")).toBe("rejected");
      // Plain MALLOC_CONF does not reach it at all.
      expect(runWith(program, { MALLOC_CONF: "prof:true" }).stderr).not.toContain("<jemalloc>");
    });
  });
});

describe("programs linked against an allocator", () => {
  const linkedFlags = ["-Wl,--no-as-needed", "-ljemalloc"];

  it("warns --tcmalloc runs of a program that needs libjemalloc.so.2 that both allocators initialize", () => {
    const [warning, ...rest] = checkTarget(buildExample("leak", { flags: linkedFlags }), "tcmalloc").warnings;
    expect(rest).toEqual([]);
    expect(warning).toContain("is linked against libjemalloc.so.2: tcmalloc serves malloc/free, but jemalloc initializes too");
    expect(warning).toContain("compare with --jemalloc");
  });

  it("warns --glibc runs that the program still runs on jemalloc, and is silent for --jemalloc", () => {
    const program = buildExample("leak", { flags: linkedFlags });
    expect(checkTarget(program, "glibc").warnings[0]).toContain("is linked against libjemalloc.so.2: --glibc still runs it on jemalloc");
    expect(checkTarget(program, "jemalloc").warnings).toEqual([]);
  });

  it.skipIf(!existsSync("/usr/bin/redis-server"))("names the jemalloc API Debian's redis-server calls, which stays with its own jemalloc", () => {
    const [warning] = checkTarget("/usr/bin/redis-server", "tcmalloc").warnings;
    expect(warning).toContain("its calls to mallctl, nallocx, malloc_stats_print still reach jemalloc");
  });
});

describe("library and program mismatches (checkLibraryFitsTarget)", () => {
  it("refuses a glibc-built jemalloc for a musl program, which would kill it (exit 127)", (context) => {
    const reason = whyNoMuslCompiler() ?? (existsSync(MUSL_SPECS) ? undefined : `${MUSL_SPECS} missing`);
    if (reason !== undefined) context.skip(reason);
    const program = buildExample("leak", { flags: ["-specs", MUSL_SPECS] });
    const report = checkTarget(program, "jemalloc");
    expect(report.executedElf?.interpreter).toBe("/lib/ld-musl-x86_64.so.1");
    let error: unknown;
    try {
      checkLibraryFitsTarget(report.executedElf!, JEMALLOC_LIBRARY, "./leak-musl");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AllocrunError);
    expect((error as AllocrunError).message).toBe(`./leak-musl runs on musl (/lib/ld-musl-x86_64.so.1) but ${JEMALLOC_LIBRARY} is built for glibc: preloading it kills the program`);
    expect(runWith(program, { LD_PRELOAD: JEMALLOC_LIBRARY }).status).toBe(127);
  });

  it("refuses a 64-bit jemalloc for a 32-bit program, which the loader would skip as 'wrong ELF class'", (context) => {
    // The loader's own verdict is part of the test: the program must really run.
    const reason = whyNo32BitExecution();
    if (reason !== undefined) context.skip(reason);
    const program = buildExample("leak", { flags: ["-m32"] });
    const elf = checkTarget(program, "jemalloc").executedElf!;
    expect(() => checkLibraryFitsTarget(elf, JEMALLOC_LIBRARY)).toThrow(
      `${program} is 32-bit x86 but ${JEMALLOC_LIBRARY} is 64-bit x86-64: the loader would skip it ("wrong ELF class: ELFCLASS64")`,
    );
    const run = runWith(program, { LD_PRELOAD: JEMALLOC_LIBRARY });
    expect(run.status).toBe(0);
    expect(parseLoaderPreloadErrors(run.stderr)).toEqual([{ library: JEMALLOC_LIBRARY, reason: "wrong ELF class: ELFCLASS64" }]);
  });

  it("accepts the host library for a host program", () => {
    const elf = checkTarget(buildExample("leak"), "jemalloc").executedElf!;
    expect(() => checkLibraryFitsTarget(elf, JEMALLOC_LIBRARY)).not.toThrow();
  });
});

describe("scripts and other files", () => {
  let directory: string;
  beforeAll(() => {
    directory = makeSharedTempDir("allocrun-scripts-");
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const writeExecutable = (name: string, text: string): string => {
    const path = join(directory, name);
    writeFileSync(path, text);
    chmodSync(path, 0o755);
    return path;
  };

  it("checks a script's interpreter instead of the script, and returns no ELF for the script itself", () => {
    const script = writeExecutable("run.sh", "#!/bin/sh\necho hi\n");
    const report = checkTarget(script, "jemalloc");
    expect(report.elf).toBeUndefined();
    expect(report.executedElf?.interpreter).toBeDefined();
  });

  it("refuses a script whose interpreter is a static binary, naming both", () => {
    const interpreter = buildExample("leak", { flags: ["-static"] });
    const script = writeExecutable("static-interpreter", `#!${interpreter}\n`);
    expect(refusal(script, "jemalloc").message).toBe(`the interpreter ${interpreter} of ${script} is statically linked: LD_PRELOAD cannot replace its allocator`);
  });

  it("follows #!/usr/bin/env NAME along PATH", () => {
    const interpreter = buildExample("leak", { flags: ["-static"] });
    const script = writeExecutable("env-script", "#!/usr/bin/env -S leak-static --flag\n");
    // A PATH entry holding a copy of the static program under the name the script asks for.
    const bin = makeSharedTempDir("allocrun-path-");
    try {
      makeOwnedCopy(interpreter, bin, "leak-static", { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }, 0o755);
      expect(refusal(script, "jemalloc", { pathVariable: bin }).message).toContain(`the interpreter ${join(bin, "leak-static")} of ${script}`);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("leaves files that are neither ELF nor scripts to the program launch", () => {
    const text = writeExecutable("plain.txt", "echo not a script\n");
    expect(checkTarget(text, "jemalloc")).toEqual({ elf: undefined, executedElf: undefined, warnings: [], embedsRjemJemalloc: false });
  });
});
