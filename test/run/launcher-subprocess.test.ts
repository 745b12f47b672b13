// launchProgram in a node process of its own, as the CLI runs it: signals sent while it
// runs must reach the program exactly once and must not kill allocrun's node process;
// inherited standard streams must pass through untouched.
//
// Signals to "allocrun" need a node process of its own, and a child node cannot import
// TypeScript (Node 20 has no type stripping) while dist/ may be stale or absent. So
// beforeAll compiles src/run/launcher.ts and its imports with tsc into a temp dir, and a
// tiny driver.mjs there calls launchProgram and writes the result to a JSON file.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLauncher } from "../../src/run/launcher.js";
import { buildExample, REPO_ROOT } from "../helpers/examples.js";

const DRIVER = `
import { readFileSync, writeFileSync } from "node:fs";
import { launchProgram } from "./run/launcher.js";
const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const result = await launchProgram({
  file: config.file, argv: config.argv, env: process.env, cwd: process.cwd(),
  sampleIntervalMs: 20, launcherPath: config.launcherPath,
});
const listeners = ["SIGINT", "SIGTERM", "SIGHUP"].map((signal) => process.listenerCount(signal));
writeFileSync(config.resultPath, JSON.stringify({ ...result, timeline: undefined, listeners }));
`;

/** Counts the SIGINTs it gets: waits for the first, then a second for duplicates. */
const SIGCOUNT_C = `
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
static volatile sig_atomic_t count;
static void on_int(int signo) { (void)signo; count++; }
int main(void) {
  struct sigaction action = {0};
  action.sa_handler = on_int;
  sigaction(SIGINT, &action, NULL);
  printf("ready\\n");
  fflush(stdout);
  while (!count) usleep(10000);
  for (int i = 0; i < 100; i++) usleep(10000);
  printf("count %d\\n", (int)count);
  return 0;
}
`;

let scratch: string;
let launcher: string;
let sigcount: string;
let driver: string;

beforeAll(() => {
  launcher = ensureLauncher() ?? "";
  if (!launcher) throw new Error("the native launcher could not be built (is gcc installed?)");
  scratch = mkdtempSync(join(tmpdir(), "allocrun-signals-test-"));
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [
    tsc, "--ignoreConfig", "--outDir", scratch, "--rootDir", join(REPO_ROOT, "src"),
    "--module", "NodeNext", "--moduleResolution", "NodeNext", "--target", "ES2023",
    "--skipLibCheck", "--types", "node", join(REPO_ROOT, "src", "run", "launcher.ts"),
  ]);
  driver = join(scratch, "driver.mjs");
  writeFileSync(driver, DRIVER);
  writeFileSync(join(scratch, "sigcount.c"), SIGCOUNT_C);
  sigcount = join(scratch, "sigcount");
  execFileSync("gcc", ["-O1", "-o", sigcount, join(scratch, "sigcount.c")]);
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface DriverResult {
  exitCode: number | null;
  signal: string | null;
  forwardedSignals: string[];
  listeners: number[];
}

interface DriverRun {
  child: ChildProcess;
  /** Resolves once the program printed "ready" (through allocrun's inherited stdout). */
  ready: Promise<void>;
  /** Resolves when the driver exits: its exit code, the program's output, the result. */
  done: Promise<{ code: number | null; stdout: Buffer; stderr: Buffer; result: DriverResult | undefined }>;
}

let runs = 0;

/** Runs launchProgram in a separate node process, optionally through a wrapper command. */
function startDriver(file: string, args: string[], options: { direct?: boolean; detached?: boolean; wrap?: (command: string[]) => string[] } = {}): DriverRun {
  const resultPath = join(scratch, `result-${++runs}.json`);
  const configPath = join(scratch, `config-${runs}.json`);
  const config = { file, argv: [file, ...args], launcherPath: options.direct ? null : launcher, resultPath };
  writeFileSync(configPath, JSON.stringify(config));
  const command = [process.execPath, driver, configPath];
  const [executable, ...rest] = options.wrap ? options.wrap(command) : command;
  const child = spawn(executable!, rest, { stdio: ["pipe", "pipe", "pipe"], detached: options.detached ?? false });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const ready = new Promise<void>((resolve) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout.push(chunk);
      if (Buffer.concat(stdout).includes("ready")) resolve();
    });
  });
  child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
  const done: DriverRun["done"] = new Promise((resolve) => {
    child.on("close", (code) => {
      const result = existsSync(resultPath) ? (JSON.parse(readFileSync(resultPath, "utf8")) as DriverResult) : undefined;
      resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), result });
    });
  });
  return { child, ready, done };
}

describe.each([
  { mode: "through the launcher", direct: false },
  { mode: "spawned from node", direct: true },
])("SIGTERM sent to allocrun's node process, $mode", ({ direct }) => {
  it("is forwarded: sleeper with handle exits 42 and allocrun lives on to report it", async () => {
    const run = startDriver(buildExample("sleeper"), ["30", "handle"], { direct });
    await run.ready;
    run.child.kill("SIGTERM");
    const { code, stderr, result } = await run.done;
    expect(code).toBe(0);
    expect(stderr.toString()).toContain("sleeper: caught signal 15");
    expect(result).toMatchObject({ exitCode: 42, signal: null, forwardedSignals: ["SIGTERM"] });
    expect(result?.listeners).toEqual([0, 0, 0]);
  });

  it("is reported as the program's death when it does not handle it", async () => {
    const run = startDriver(buildExample("sleeper"), ["30"], { direct });
    await run.ready;
    run.child.kill("SIGTERM");
    const { code, result } = await run.done;
    expect(code).toBe(0);
    expect(result).toMatchObject({ exitCode: null, signal: "SIGTERM", forwardedSignals: ["SIGTERM"] });
  });
});

describe("SIGINT while the program runs through the launcher", () => {
  it("reaches the program once when sent to allocrun's node process alone", async () => {
    const run = startDriver(sigcount, []);
    await run.ready;
    run.child.kill("SIGINT");
    const { stdout, result } = await run.done;
    expect(stdout.toString()).toContain("count 1\n");
    expect(result?.forwardedSignals).toEqual(["SIGINT"]);
  });

  it("reaches the program once when sent to the whole process group (node relays it too)", async () => {
    const run = startDriver(sigcount, [], { detached: true });
    await run.ready;
    process.kill(-run.child.pid!, "SIGINT");
    const { code, stdout, result } = await run.done;
    expect(code).toBe(0);
    expect(stdout.toString()).toContain("count 1\n");
    expect(result?.forwardedSignals).toEqual([]);
  });

  it("reaches the program once when typed as Ctrl-C on a terminal", async () => {
    // script(1) runs the driver on a new pseudo-terminal; the ^C byte written to its
    // input makes the terminal signal its foreground process group.
    const run = startDriver(sigcount, [], { wrap: (command) => ["script", "-qfec", command.join(" "), "/dev/null"] });
    await run.ready;
    run.child.stdin!.write("\x03");
    const { stdout, result } = await run.done;
    expect(stdout.toString()).toContain("count 1");
    expect(result?.forwardedSignals).toEqual([]);
  });
});

describe.each([
  { mode: "through the launcher", direct: false },
  { mode: "spawned from node", direct: true },
])("inherited standard streams, $mode", ({ direct }) => {
  it("carry the program's stdin, stdout and stderr byte for byte", async () => {
    const input = readFileSync(buildExample("peak")); // binary bytes, NULs included
    const run = startDriver("/bin/sh", ["-c", "cat; printf 'to stderr\\0\\377' >&2"], { direct });
    run.child.stdin!.end(input);
    const { code, stdout, stderr, result } = await run.done;
    expect(code).toBe(0);
    expect(result?.exitCode).toBe(0);
    expect(stdout.equals(input)).toBe(true);
    expect(stderr.equals(Buffer.from("to stderr\0\xff", "latin1"))).toBe(true);
  });
});
