// launchProgram with real programs from examples/, through the native launcher and
// (where the behaviour is shared) spawned straight from node.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLauncher, launchProgram, type LaunchRequest } from "../../src/run/launcher.js";
import { buildExample, REPO_ROOT } from "../helpers/examples.js";

const JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
const JEMALLOC_STATS_BEGIN = "___ Begin jemalloc statistics ___";

let launcher: string;
let scratch: string;

beforeAll(() => {
  const built = ensureLauncher();
  if (!built) throw new Error("the native launcher could not be built (is gcc installed?)");
  launcher = built;
  scratch = mkdtempSync(join(tmpdir(), "allocrun-launcher-test-"));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function request(file: string, args: string[], extra: Partial<LaunchRequest> = {}): LaunchRequest {
  return {
    file,
    argv: [file, ...args],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    cwd: REPO_ROOT,
    sampleIntervalMs: 20,
    stdio: "ignore",
    launcherPath: launcher,
    ...extra,
  };
}

/** examples/peak built at -O0: at -O1 gcc deletes its malloc/touch/free as dead code. */
const buildPeak = (): string => buildExample("peak", { flags: ["-O0"] });

/** KiB that /usr/bin/time -f %M reports for the program (ru_maxrss of wait4). */
function timeMaxRssKib(file: string, args: string[]): number {
  const result = spawnSync("/usr/bin/time", ["-f", "%M", file, ...args], { encoding: "utf8" });
  const lines = result.stderr.trim().split("\n");
  return Number(lines[lines.length - 1]);
}

const modes = [
  { name: "through the launcher", launcherPath: () => launcher },
  { name: "spawned from node", launcherPath: () => null },
];

describe.each(modes)("launchProgram $name", ({ launcherPath }) => {
  it("passes the program's exit code through (peak 8 early 3 exits 3)", async () => {
    const result = await launchProgram(request(buildPeak(), ["8", "early", "3"], { launcherPath: launcherPath() }));
    expect(result.exitCode).toBe(3);
    expect(result.signal).toBeNull();
    expect(result.execError).toBeUndefined();
    expect(result.pid).toBeGreaterThan(0);
  });

  it("reports the name and number of the signal that killed the program", async () => {
    const sleeper = buildExample("sleeper");
    const result = await launchProgram(
      request(sleeper, ["30"], { launcherPath: launcherPath(), onStart: (pid) => process.kill(pid, "SIGKILL") }),
    );
    expect(result).toMatchObject({ exitCode: null, signal: "SIGKILL", signalNumber: 9 });
  });

  it("maps a missing program to exit code 127 with ENOENT", async () => {
    const missing = join(scratch, "does-not-exist");
    const result = await launchProgram(request(missing, [], { launcherPath: launcherPath() }));
    expect(result.exitCode).toBe(127);
    expect(result.execError?.code).toBe("ENOENT");
    expect(result.execError?.message).toContain(missing);
  });

  it("maps a program without execute permission to exit code 126 with EACCES", async () => {
    const notExecutable = join(scratch, "not-executable");
    copyFileSync(buildPeak(), notExecutable);
    chmodSync(notExecutable, 0o644);
    const result = await launchProgram(request(notExecutable, [], { launcherPath: launcherPath() }));
    expect(result.exitCode).toBe(126);
    expect(result.execError?.code).toBe("EACCES");
  });

  it("runs a script without #! with /bin/sh, as execvp does: arguments, LD_PRELOAD and status pass through", async () => {
    const script = join(scratch, `no-hashbang-${launcherPath() ? "launcher" : "direct"}`);
    writeFileSync(script, 'printf "%s|%s|%s" "$0" "$*" "$LD_PRELOAD"\nexit 3\n', { mode: 0o755 });
    const result = await launchProgram(
      request(script, ["a b", "c"], { launcherPath: launcherPath(), env: { PATH: "/usr/bin:/bin", LD_PRELOAD: JEMALLOC }, stdio: { stdout: "capture" } }),
    );
    expect(result.execError).toBeUndefined();
    expect(result.exitCode).toBe(3);
    expect(result.stdout?.toString()).toBe(`${script}|a b c|${JEMALLOC}`);
  });

  it("rejects with the missing working directory named in the hint", async () => {
    const cwd = join(scratch, "no-such-directory");
    const launch = launchProgram(request(buildPeak(), ["1"], { launcherPath: launcherPath(), cwd }));
    await expect(launch).rejects.toMatchObject({ kind: "environment", hint: `the working directory ${cwd} does not exist` });
  });

  it("rejects with an input error when the stdin file does not exist", async () => {
    const stdinFile = join(scratch, "no-such-input");
    const launch = launchProgram(request(buildPeak(), ["1"], { launcherPath: launcherPath(), stdinFile }));
    await expect(launch).rejects.toMatchObject({ kind: "input", message: expect.stringContaining(stdinFile) });
  });

  it("waits for the program before rethrowing an error thrown by onStart", async () => {
    const thrown = new Error("from onStart");
    let started: (pid: number) => void = () => {};
    const startedPid = new Promise<number>((resolve) => (started = resolve));
    const launch = launchProgram(
      request(buildExample("sleeper"), ["30"], {
        launcherPath: launcherPath(),
        onStart: (pid) => {
          started(pid);
          throw thrown;
        },
      }),
    );
    const pid = await startedPid;
    expect(() => process.kill(pid, 0)).not.toThrow(); // the throw did not end the run
    process.kill(pid, "SIGKILL");
    await expect(launch).rejects.toBe(thrown);
  });

  it("feeds stdin from a file and captures stdout and stderr byte for byte", async () => {
    const input = readFileSync(buildPeak()); // binary bytes, NULs included
    const inputFile = join(scratch, "input.bin");
    writeFileSync(inputFile, input);
    const result = await launchProgram(
      request("/bin/sh", ["-c", 'cat; cat "$0" >&2', inputFile], {
        launcherPath: launcherPath(),
        stdinFile: inputFile,
        stdio: { stdout: "capture", stderr: "capture" },
      }),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout?.equals(input)).toBe(true);
    expect(result.stderr?.equals(input)).toBe(true);
  });

  it("writes the program's output to files when asked", async () => {
    const out = join(scratch, "out.txt");
    const err = join(scratch, "err.txt");
    const result = await launchProgram(
      request("/bin/sh", ["-c", "printf 'to out\\n'; printf 'to err\\n' >&2"], {
        launcherPath: launcherPath(),
        stdio: { stdout: { file: out }, stderr: { file: err } },
      }),
    );
    expect(result.exitCode).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("to out\n");
    expect(readFileSync(err, "utf8")).toBe("to err\n");
  });

  it("samples a timeline whose RSS covers the child processes too", async () => {
    const peak = buildPeak();
    const timelinePath = join(scratch, `timeline-${launcherPath() ? "launcher" : "direct"}.csv`);
    const result = await launchProgram(
      // peak stays alive ~100 ms after its peak: many 5 ms samples see both processes.
      request("/bin/sh", ["-c", `${peak} 32 early & wait`], { launcherPath: launcherPath(), sampleIntervalMs: 5, timelinePath }),
    );
    expect(result.exitCode).toBe(0);
    const { points } = result.timeline;
    expect(points.length).toBeGreaterThan(0);
    expect(result.timeline.samples).toBe(points.length); // a short run keeps every sample
    expect(Math.max(...points.map((sample) => sample.processes))).toBe(2);
    expect(result.treePeakRssBytes).toBe(Math.max(...points.map((sample) => sample.rssBytes)));
    const rows = readFileSync(timelinePath, "utf8").trim().split("\n");
    expect(rows[0]).toBe("t_ms,rss_bytes,pss_bytes,hwm_bytes,processes");
    expect(rows.length - 1).toBe(points.length);
  });
});

describe("launchProgram through the launcher", () => {
  // (Spawned from node, libuv's execvp hands such a file to /bin/sh instead; the launcher
  // does so only for text, see the script test above.)
  it("maps a file that is no executable format to exit code 126 with ENOEXEC", async () => {
    const junk = join(scratch, "junk");
    writeFileSync(junk, "\x7fELG not a program\n", { mode: 0o755 });
    const result = await launchProgram(request(junk, []));
    expect(result.exitCode).toBe(126);
    expect(result.execError?.code).toBe("ENOEXEC");
  });

  it("keeps an ELF file for another machine at 126 with ENOEXEC instead of handing it to /bin/sh", async () => {
    const foreign = join(scratch, "foreign-elf");
    const elf = readFileSync(buildPeak());
    elf.writeUInt16LE(0x53, 18); // e_machine: Atmel AVR, which no Linux host runs
    writeFileSync(foreign, elf, { mode: 0o755 });
    const result = await launchProgram(request(foreign, []));
    expect(result.exitCode).toBe(126);
    expect(result.execError?.code).toBe("ENOEXEC");
  });
});

describe("launchProgram's peak RSS", () => {
  for (const when of ["late", "early"]) {
    it(`agrees with /usr/bin/time -f %M within 1% for peak 64 ${when}`, async () => {
      const peak = buildPeak();
      const reference = timeMaxRssKib(peak, ["64", when]);
      const result = await launchProgram(request(peak, ["64", when]));
      expect(result.peakRssMethod).toBe("wait4-rusage");
      expect(reference).toBeGreaterThan(64 * 1024);
      expect(Math.abs(result.peakRssBytes / 1024 - reference) / reference).toBeLessThan(0.01);
    });
  }

  it("is the sampled VmHWM, and says so, without the launcher", async () => {
    const result = await launchProgram(request(buildPeak(), ["16", "early"], { launcherPath: null }));
    expect(result.peakRssMethod).toBe("sampled-vmhwm");
    // The peak is touched before the 100 ms pause, so the sampler cannot miss it here.
    expect(result.peakRssBytes).toBeGreaterThan(16 * 1024 * 1024);
  });

  it("reports CPU and wall time from the launcher", async () => {
    // Enough work that the kernel's tick-based split cannot leave both user and sys at 0.
    const result = await launchProgram(request(buildExample("churn"), ["2", "1000000"]));
    expect(result.userSeconds + result.sysSeconds).toBeGreaterThan(0.01);
    expect(result.wallSeconds).toBeGreaterThan(0);
    expect(Date.parse(result.startedAt)).not.toBeNaN();
  });
});

describe("the program's LD_PRELOAD", () => {
  /** A dynamically linked launcher would load LD_PRELOAD itself if it got it unrenamed. */
  function buildDynamicLauncher(): string {
    const output = join(scratch, "allocrun-launch-dynamic");
    execFileSync("gcc", ["-O2", "-o", output, ...["launch.c", "process-census.c"].map((name) => join(REPO_ROOT, "native", name))]);
    return output;
  }

  const preloadEnv = { PATH: "/usr/bin:/bin", LD_PRELOAD: JEMALLOC, MALLOC_CONF: "stats_print:true" };

  it.each([
    { build: "installed", launcherPath: () => launcher },
    { build: "dynamically linked", launcherPath: buildDynamicLauncher },
  ])("reaches the program but not the $build launcher: one jemalloc stats block", async ({ launcherPath }) => {
    const result = await launchProgram(
      request(buildPeak(), ["1", "early"], { env: preloadEnv, launcherPath: launcherPath(), stdio: { stderr: "capture" } }),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr?.toString().split(JEMALLOC_STATS_BEGIN).length).toBe(2);
  });

  it("prints two stats blocks when handed to a dynamic launcher directly (the check can fail)", () => {
    const output = spawnSync(buildDynamicLauncher(), [buildPeak(), "peak", "1", "early"], {
      env: preloadEnv,
      stdio: ["ignore", "ignore", "pipe", "pipe"],
      encoding: "utf8",
    });
    expect(output.stderr.split(JEMALLOC_STATS_BEGIN).length).toBe(3);
  });

  it("arrives as LD_PRELOAD, without allocrun's variable", async () => {
    const result = await launchProgram(
      request("/bin/sh", ["-c", 'printf "%s|%s" "$LD_PRELOAD" "${ALLOCRUN_TARGET_LD_PRELOAD-unset}"'], {
        env: { LD_PRELOAD: JEMALLOC },
        stdio: { stdout: "capture" },
      }),
    );
    expect(result.stdout?.toString()).toBe(`${JEMALLOC}|unset`);
  });
});

describe("the launched program's signal state", () => {
  it("starts with default dispositions and an empty mask even when the launcher inherited ignored signals", async () => {
    const wrapper = join(scratch, "ignoring-wrapper.sh");
    writeFileSync(wrapper, `#!/bin/sh\ntrap '' INT QUIT TERM USR1\nexec ${launcher} "$@"\n`, { mode: 0o755 });
    const result = await launchProgram(
      request("/bin/grep", ["-E", "^Sig(Blk|Ign):", "/proc/self/status"], { launcherPath: wrapper, stdio: { stdout: "capture" } }),
    );
    expect(result.stdout?.toString()).toBe("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
  });
});

describe("the launcher's status file", () => {
  /** Runs `run` with TMPDIR set to `directory` (os.tmpdir() reads it on every call). */
  async function withTmpdir<T>(directory: string, run: () => Promise<T>): Promise<T> {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = directory;
    try {
      return await run();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  }

  it("delivers the pid while the program runs (it is sampled) and leaves nothing in TMPDIR", async () => {
    const tmp = mkdtempSync(join(scratch, "tmpdir-"));
    const result = await withTmpdir(tmp, () => launchProgram(request("/bin/sleep", ["0.3"])));
    expect(result.exitCode).toBe(0);
    expect(result.pid).toBeGreaterThan(0);
    expect(result.timeline.samples).toBeGreaterThanOrEqual(3);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("goes to the run folder when TMPDIR cannot take it, and leaves nothing there either", async () => {
    const runFolder = mkdtempSync(join(scratch, "run-"));
    const timelinePath = join(runFolder, "timeline.csv");
    const result = await withTmpdir(join(scratch, "no-such-tmpdir"), () => launchProgram(request("/bin/true", [], { timelinePath })));
    expect(result.exitCode).toBe(0);
    expect(readdirSync(runFolder)).toEqual(["timeline.csv"]);
  });

  it("is an environment error naming TMPDIR when no folder takes it", async () => {
    const launch = withTmpdir(join(scratch, "no-such-tmpdir"), () => launchProgram(request("/bin/true", [])));
    await expect(launch).rejects.toMatchObject({ kind: "environment", message: expect.stringContaining("no-such-tmpdir (ENOENT)"), hint: "set TMPDIR to a writable folder" });
  });
});
