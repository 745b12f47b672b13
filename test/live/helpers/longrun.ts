// examples/longrun started for live-process tests: under `allocrun run` (the way users are
// told to start a program they want to dump later) or directly with an environment. The
// program prints its pid; `stop` sends SIGTERM and returns how it ended.
import { execa, type ResultPromise } from "execa";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { CLI } from "../../helpers/cli.js";
import { buildExample } from "../../helpers/examples.js";

export interface RunningLongrun {
  pid: number;
  /** SIGTERM, then the exit code and everything the program (and allocrun) printed. */
  stop(): Promise<{ exitCode: number | undefined; signal: string | undefined; stdout: string; stderr: string }>;
}

/** Seconds the program runs at most, if a test forgets to stop it; ticks of 20 ms, 256 KiB each. */
export const LONGRUN_ARGS = ["60", "20", "262144"];

export function longrunPath(flags: string[] = []): string {
  return buildExample("longrun", { flags });
}

/** Waits for "longrun: pid N running" on stdout. */
async function startAndReadPid(child: ResultPromise<{ buffer: false; reject: false; stdin: "ignore"; all: false }>): Promise<RunningLongrun> {
  let stdout = "";
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const pid = await new Promise<number>((resolve, reject) => {
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const match = /longrun: pid (\d+) running/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    void child.then(() => reject(new Error(`longrun ended before it started: ${stdout}${stderr}`)));
  });
  return {
    pid,
    async stop() {
      process.kill(pid, "SIGTERM");
      const result = await child;
      return { exitCode: result.exitCode, signal: result.signal, stdout, stderr };
    },
  };
}

/** `allocrun RUN-OPTIONS -o DIR -- longrun ...`; the pid is the program's. */
export function startUnderAllocrun(runOptions: string[], outDir: string, programFlags: string[] = []): Promise<RunningLongrun> {
  const child = execa(process.execPath, [CLI, ...runOptions, "-q", "-o", outDir, "--", longrunPath(programFlags), ...LONGRUN_ARGS], {
    buffer: false,
    reject: false,
    stdin: "ignore",
    all: false,
  });
  return startAndReadPid(child);
}

/** longrun started directly with these variables added to the environment. */
export function startWithEnvironment(env: Record<string, string>, programFlags: string[] = []): Promise<RunningLongrun> {
  const child = execa(longrunPath(programFlags), LONGRUN_ARGS, { buffer: false, reject: false, stdin: "ignore", all: false, env });
  return startAndReadPid(child);
}

/** A scratch folder per call, all removed after the test file. */
export function useScratch(): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const directory of made.splice(0)) rmSync(directory, { recursive: true, force: true });
  });
  return () => {
    const directory = mkdtempSync(join(tmpdir(), "allocrun-live-"));
    made.push(directory);
    return directory;
  };
}
