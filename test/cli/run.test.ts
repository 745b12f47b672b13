import { copyFileSync, readdirSync, readFileSync, writeFileSync, mkdirSync, chmodSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { buildExample } from "../helpers/examples.js";
import { CLI, runCli } from "../helpers/cli.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temps = useTempDirs();
const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));

describe("allocrun run: allocators really take effect", () => {
  const cases: Array<[string, RegExp]> = [
    ["--jemalloc", /libjemalloc\.so\.2/],
    ["--tcmalloc", /libtcmalloc\.so\.4/],
    ["--tcmalloc-minimal", /libtcmalloc_minimal\.so\.4/],
    ["--mimalloc", /libmimalloc\.so\.2/],
  ];
  for (const [flag, library] of cases) {
    it(`shows the library in /proc/self/maps of cat for ${flag}`, async () => {
      const out = join(await temps.make(), "run");
      const result = await runCli([flag, "-q", "-o", out, "--", "cat", "/proc/self/maps"]);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(library);
      const manifest = readManifest(out);
      expect(manifest.allocator.name).toBe(flag.slice(2));
      expect(manifest.allocator.library).toMatch(library);
    });
  }

  it("records glibc runs as glibc with no preload", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--glibc", "-q", "-o", out, "--", "cat", "/proc/self/maps"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toMatch(/jemalloc|tcmalloc|mimalloc/);
    expect(readManifest(out).env.LD_PRELOAD).toBeUndefined();
  });

  it("verifies the preload from the maps of a program that lives long enough", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--jemalloc", "-q", "-o", out, "--", buildExample("peak"), "16"]);
    expect(result.exitCode).toBe(0);
    const manifest = readManifest(out);
    expect(manifest.allocator).toMatchObject({ verified: true, verifiedBy: "maps" });
  });
});

describe("allocrun run: exit status, signals and the manifest", () => {
  it("exits with the program's own exit code and records it", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--jemalloc", "-q", "-o", out, "--", buildExample("peak"), "8", "early", "3"]);
    expect(result.exitCode).toBe(3);
    const manifest = readManifest(out);
    expect(manifest).toMatchObject({ schemaVersion: 1, exitCode: 3, signal: null });
    expect(manifest.peakRssBytes).toBeGreaterThan(8 * 1024 * 1024);
    // The built CLI must find its native launcher (a bundling mistake once lost it).
    expect(manifest.peakRssMethod).toBe("wait4-rusage");
    for (const key of ["command", "cwd", "allocator", "env", "startedAt", "wallSeconds", "userSeconds", "sysSeconds", "peakRssMethod", "artifacts", "warnings"]) {
      expect(manifest).toHaveProperty(key);
    }
  });

  it("exits 128+N when the program dies of signal N", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--glibc", "-q", "-o", out, "--", "sh", "-c", "kill -SEGV $$"]);
    expect(result.exitCode).toBe(139);
    expect(readManifest(out)).toMatchObject({ exitCode: null, signal: "SIGSEGV" });
  });

  it("forwards SIGINT to the program and still writes the manifest", async () => {
    const out = join(await temps.make(), "run");
    const child = execa(process.execPath, [CLI, "--jemalloc", "-q", "-o", out, "--", buildExample("sleeper"), "20", "handle"], { reject: false });
    await new Promise<void>((resolve) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("ready")) resolve();
      });
    });
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(42);
    expect(String(result.stderr)).toContain("caught signal 2");
    expect(readManifest(out).exitCode).toBe(42);
  });

  it("passes stdout and stderr of the program through unchanged", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--mimalloc", "-q", "-o", out, "--", "sh", "-c", "printf 'out\\n'; printf 'err\\n' >&2"]);
    expect(result.stdout).toBe("out");
    expect(result.stderr).toBe("err");
  });
});

describe("allocrun run: profiles land in the run folder", () => {
  it("writes a jemalloc heap profile and lists it in the manifest", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--jemalloc", "--prof", "--no-analyze", "-o", out, "--", buildExample("leak")]);
    expect(result.exitCode).toBe(0);
    const manifest = readManifest(out);
    const heaps = manifest.artifacts.filter((a: { kind: string }) => a.kind === "jemalloc-heap");
    expect(heaps.length).toBeGreaterThan(0);
    expect(manifest.env.MALLOC_CONF).toContain(`prof_prefix:${out}/`);
    expect(result.stderr).toContain("allocator");
  });

  it("keeps the caller's own MALLOC_CONF options beside the profiling ones", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--jemalloc", "--prof", "--no-analyze", "-o", out, "--", "sh", "-c", 'echo "$MALLOC_CONF"'], { env: { MALLOC_CONF: "narenas:3,lg_prof_sample:20" } });
    expect(result.exitCode, result.stderr).toBe(0);
    // The program sees one MALLOC_CONF with both: jemalloc reads no other.
    expect(result.stdout.trim().split(",")).toEqual(expect.arrayContaining(["narenas:3", "prof:true", `prof_prefix:${out}/jeprof`, "lg_prof_sample:17"]));
    expect(result.stderr).toContain("your MALLOC_CONF sets lg_prof_sample:20; this run uses lg_prof_sample:17");
    expect(readManifest(out).env.MALLOC_CONF).toBe(result.stdout.trim());
  });

  it("writes gperftools heap profiles for --tcmalloc --heap-profile even when the program changes directory", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--tcmalloc", "--heap-profile", "--no-analyze", "-q", "-o", out, "--", "sh", "-c", `cd / && exec ${buildExample("leak")}`]);
    expect(result.exitCode).toBe(0);
    const kinds = readManifest(out).artifacts.map((a: { kind: string }) => a.kind);
    expect(kinds).toContain("gperftools-heap");
  });

  it("warns when child processes of a wrapper wrote profiles of their own", async () => {
    const out = join(await temps.make(), "run");
    const leak = buildExample("leak");
    const result = await runCli(["--jemalloc", "--prof", "--no-analyze", "-q", "-o", out, "--", "sh", "-c", `${leak}; ${leak}`]);
    expect(result.exitCode).toBe(0);
    const manifest = readManifest(out);
    // Each child wrote its exit dump and its peak dump (peak.<pid>.heap).
    const fromChildren = manifest.artifacts.filter((a: { fromChildProcess?: boolean }) => a.fromChildProcess).map((a: { path: string }) => a.path);
    expect(fromChildren.filter((path: string) => path.startsWith("jeprof."))).toHaveLength(2);
    expect(fromChildren.filter((path: string) => path.startsWith("peak."))).toHaveLength(2);
    expect(manifest.warnings.join("\n")).toMatch(/2 child processes wrote profiles/);
  });

  it("explains a missing final dump when the program dies of a signal", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--jemalloc", "--prof", "--no-analyze", "-o", out, "--", "sh", "-c", "kill -TERM $$"]);
    expect(result.signal).toBe("SIGTERM");
    expect(readManifest(out).warnings.join("\n")).toMatch(/died of SIGTERM/);
  });

  it("adds the CPU profiler with --cpu-prof to any allocator", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--jemalloc", "--cpu-prof", "--no-analyze", "-q", "-o", out, "--", buildExample("churn"), "2", "200000"]);
    expect(result.exitCode).toBe(0);
    const manifest = readManifest(out);
    expect(manifest.env.LD_PRELOAD).toMatch(/libjemalloc\.so\.2.*libprofiler\.so\.0/);
    expect(manifest.artifacts.map((a: { kind: string }) => a.kind)).toContain("gperftools-cpu");
  });

  it("prints mimalloc statistics with --mimalloc --stats", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--mimalloc", "--stats", "-q", "-o", out, "--", buildExample("leak")]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("heap stats");
  });

  it("gives concurrent runs different folders", async () => {
    const cwd = await temps.make();
    const runs = await Promise.all([1, 2, 3].map(() => runCli(["--glibc", "-q", "--", "true"], { cwd })));
    expect(runs.map((r) => r.exitCode)).toEqual([0, 0, 0]);
    expect(readdirSync(join(cwd, "allocrun-out"))).toHaveLength(3);
  });
});

describe("allocrun run: parallel runs given the same -o", () => {
  // Exactly one run owns the folder; the others stop before their program starts.
  async function raceForFolder(out: string) {
    const runs = await Promise.all(
      Array.from({ length: 10 }, () => runCli(["--jemalloc", "--prof", "--no-analyze", "-q", "-o", out, "--", buildExample("leak")])),
    );
    const winners = runs.filter((run) => run.exitCode === 0);
    const losers = runs.filter((run) => run.exitCode !== 0);
    expect(winners).toHaveLength(1);
    expect(losers.map((run) => run.exitCode)).toEqual(Array(9).fill(125));
    for (const loser of losers) {
      expect(loser.stderr.trim().split("\n")).toHaveLength(1);
      expect(loser.stderr).toMatch(/already holds files \(or another allocrun run took it just now\)/);
    }
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { artifacts: { path: string; pid?: number; fromChildProcess?: boolean }[]; warnings: string[] };
    const heaps = manifest.artifacts.filter((artifact) => artifact.path.endsWith(".heap"));
    expect(heaps.length).toBeGreaterThan(0);
    // One program's profiles only: every heap file names the same pid, the launched one.
    expect(new Set(heaps.map((artifact) => artifact.pid)).size).toBe(1);
    expect(heaps.every((artifact) => artifact.fromChildProcess === false)).toBe(true);
    expect(manifest.warnings.join("\n")).not.toMatch(/child process/);
    const onDisk = readdirSync(out).filter((name) => name !== "manifest.json" && !name.startsWith("."));
    expect(manifest.artifacts.map((artifact) => artifact.path).sort()).toEqual(onDisk.sort());
  }

  it("lets exactly one of 10 runs own an existing empty folder; the others exit 125", async () => {
    await raceForFolder(await temps.make());
  });

  it("lets exactly one of 10 runs create a new folder; the others exit 125", async () => {
    await raceForFolder(join(await temps.make(), "new-run"));
  });
});

describe("allocrun run: the ELF facts it keeps between runs (src/detect/elf-facts-cache.ts)", () => {
  it("refuses a program rewritten as a static binary at the same path after a run that cached it as dynamic", async () => {
    const cacheHome = await temps.make();
    const env = { XDG_CACHE_HOME: cacheHome };
    const program = join(await temps.make(), "prog");
    copyFileSync(buildExample("leak"), program);
    const first = await runCli(["--jemalloc", "-q", "-o", join(cacheHome, "run-1"), "--", program], { env });
    expect(first.exitCode).toBe(0);
    expect(readdirSync(join(cacheHome, "allocrun")).filter((name) => name.startsWith("elf-facts-"))).toHaveLength(1);
    copyFileSync(buildExample("leak", { flags: ["-static"] }), program); // the same inode, rewritten
    const second = await runCli(["--jemalloc", "-q", "-o", join(cacheHome, "run-2"), "--", program], { env });
    expect(second.exitCode).toBe(125);
    expect(second.stderr).toContain(`${program} is statically linked`);
  });
});

describe("allocrun run: bad input gets one clear line and a distinct exit code", () => {
  it('exits 125 and suggests "jemalloc" for --allocator jemaloc', async () => {
    const result = await runCli(["--allocator", "jemaloc", "--", "true"]);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/unknown allocator "jemaloc".*did you mean "jemalloc"/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exits 125 for an unknown preset and names where presets are searched", async () => {
    const result = await runCli(["--jemalloc", "--preset", "no-such-preset", "--", "true"]);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/no-such-preset/);
  });

  it("exits 127 for a program that does not exist", async () => {
    const result = await runCli(["--glibc", "--", "./definitely-not-here"]);
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toMatch(/definitely-not-here/);
  });

  it("exits 126 for a file that is not executable", async () => {
    const dir = await temps.make();
    const file = join(dir, "script.sh");
    writeFileSync(file, "#!/bin/sh\necho hi\n");
    chmodSync(file, 0o644);
    const result = await runCli(["--glibc", "--", file]);
    expect(result.exitCode).toBe(126);
    expect(result.stderr).toMatch(/chmod \+x/);
  });

  it("exits 125 when the out folder cannot be written", async () => {
    const result = await runCli(["--glibc", "-o", "/proc/allocrun-cannot-write-here", "--", "true"]);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/run folder|-o/);
  });

  it("refuses a non-empty out folder and leaves its files alone", async () => {
    const dir = await temps.make();
    writeFileSync(join(dir, "precious.heap"), "keep me");
    const result = await runCli(["--glibc", "-o", dir, "--", "true"]);
    expect(result.exitCode).toBe(125);
    expect(readFileSync(join(dir, "precious.heap"), "utf8")).toBe("keep me");
    expect(existsSync(join(dir, "manifest.json"))).toBe(false);
  });

  it("names the file and field of a malformed preset", async () => {
    const cwd = await temps.make();
    mkdirSync(join(cwd, ".allocrun", "presets"), { recursive: true });
    writeFileSync(join(cwd, ".allocrun", "presets", "broken.json"), JSON.stringify({ description: "x", conf: { prof: 1 } }));
    const result = await runCli(["--jemalloc", "--preset", "broken", "--", "true"], { cwd });
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/broken\.json/);
    expect(result.stderr).toMatch(/conf/);
  });

  it("rejects a malformed --conf", async () => {
    const result = await runCli(["--jemalloc", "--conf", "prof", "--", "true"]);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/--conf/);
  });

  it("reports a missing allocator library with the fix", async () => {
    const result = await runCli(["--jemalloc", "--", "true"], { env: { ALLOCRUN_JEMALLOC_LIB: "/nonexistent/libjemalloc.so.2" } });
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/ALLOCRUN_JEMALLOC_LIB/);
  });

  it("explains a combination that cannot work", async () => {
    const result = await runCli(["--mimalloc", "--prof", "--", "true"]);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/--jemalloc --prof|--tcmalloc/);
  });
});

describe("allocrun env and --dry-run", () => {
  it("prints export lines a shell can eval", async () => {
    const cwd = await temps.make();
    const printed = await runCli(["env", "--jemalloc", "--prof"], { cwd });
    expect(printed.exitCode).toBe(0);
    const shell = await execa("bash", ["-c", `eval "$(${process.execPath} ${CLI} env --jemalloc --prof)"; printf '%s\\n%s' "$LD_PRELOAD" "$MALLOC_CONF"`], { cwd });
    const [preload, conf] = shell.stdout.split("\n");
    expect(preload).toMatch(/libjemalloc\.so\.2$/);
    expect(conf).toContain("prof:true");
    expect(conf).toContain(`prof_prefix:${cwd}/`);
  });

  it("prints the environment and command on --dry-run and runs nothing", async () => {
    const cwd = await temps.make();
    const result = await runCli(["--tcmalloc", "--heap-profile", "--dry-run", "--", "touch", "should-not-exist"], { cwd });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/HEAPPROFILE=/);
    expect(result.stdout).toMatch(/touch should-not-exist/);
    expect(existsSync(join(cwd, "should-not-exist"))).toBe(false);
    expect(existsSync(join(cwd, "allocrun-out"))).toBe(false);
  });
});
