// The habits every command-line user has: --version, help per command, usage on no
// arguments, did-you-mean for commands and options, one error style, completion, man page.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isAllocrunError } from "../../src/core/errors.js";
import { COMMANDS, commandOf } from "../../src/cli/command-table.js";
import { CLI, runCli } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temps = useTempDirs();
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

/** Runs a command in this process and returns what it printed on stdout. */
async function captureStdout(name: string, args: string[]): Promise<{ code: number; stdout: string }> {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  const entry = COMMANDS.find((command) => command.name === name)!;
  const code = await commandOf(await entry.load())(args);
  return { code, stdout: chunks.join("") };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("every command", () => {
  it.each(COMMANDS.map((command) => command.name))("%s --help prints its own usage and exits 0", async (name) => {
    const { code, stdout } = await captureStdout(name, ["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage:/);
    // Its own help, not the overview (run and help print the overview).
    if (name !== "run" && name !== "help") expect(stdout).toContain(`allocrun ${name}`);
    expect(stdout).toMatch(/-h, --help/);
  });

  it.each(COMMANDS.map((command) => command.name))("%s answers an unknown option in the one error style", async (name) => {
    const entry = COMMANDS.find((command) => command.name === name)!;
    const error: unknown = await commandOf(await entry.load())(["--hepl"]).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isAllocrunError(error)).toBe(true);
    const helpCommand = name === "run" ? "allocrun" : `allocrun ${name}`;
    expect(error).toMatchObject({ kind: "usage", message: "unknown option --hepl", hint: `did you mean --help? (see ${helpCommand} --help)` });
  });
});

describe("the allocrun command line", () => {
  it("prints its version with --version and -V", async () => {
    for (const flag of ["--version", "-V"]) {
      const result = await runCli([flag]);
      expect(result).toMatchObject({ exitCode: 0, stdout: `allocrun ${VERSION}` });
    }
  });

  it("prints the usage, not an error, when called with no arguments (exit 2: nothing ran)", async () => {
    const result = await runCli([]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toMatch(/^Usage:\n {2}allocrun \[run\] \[options\]/m);
    expect(result.stderr).toBe("");
  });

  it("help COMMAND prints what COMMAND --help prints", async () => {
    const [viaHelp, viaFlag] = await Promise.all([runCli(["help", "compare"]), runCli(["compare", "--help"])]);
    expect(viaHelp.exitCode).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toMatch(/^Usage: allocrun compare/);
  });

  it("suggests the command for a mistyped one instead of running it as a program", async () => {
    const result = await runCli(["comapre", "--runs", "3", "--", "true"]);
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toBe("allocrun: comapre is neither an allocrun command nor a program — did you mean allocrun compare? (see allocrun help)");
    expect((await runCli(["analyse", "x.heap"])).stderr).toMatch(/did you mean allocrun analyze\?/);
  });

  it("still runs a real program whose name is close to a command", async () => {
    const bin = await temps.make();
    writeFileSync(join(bin, "comapre"), "#!/bin/sh\necho ran-comapre\n");
    chmodSync(join(bin, "comapre"), 0o755);
    const result = await runCli(["--dry-run", "comapre"], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^comapre$/m);
  });

  it("exits 2 for a bad option of a command and 125 for one of a run, with the same line", async () => {
    const [analyze, run] = await Promise.all([runCli(["analyze", "--fromat", "json", "x"]), runCli(["--jemaloc", "--", "true"])]);
    expect(analyze).toMatchObject({ exitCode: 2, stderr: "allocrun: unknown option --fromat — did you mean --format? (see allocrun analyze --help)" });
    expect(run).toMatchObject({ exitCode: 125, stderr: "allocrun: unknown option --jemaloc — did you mean --jemalloc? (see allocrun --help)" });
  });
});

describe("shell completion", () => {
  it("writes a bash script that bash accepts and that completes commands and a command's options", async () => {
    const script = (await runCli(["completion", "bash"])).stdout;
    const dir = await temps.make();
    const path = join(dir, "allocrun.bash");
    writeFileSync(path, script);
    expect(spawnSync("bash", ["-n", path]).status).toBe(0);
    const complete = (words: string[]) =>
      execFileSync("bash", ["-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _allocrun; printf '%s\\n' "\${COMPREPLY[@]}"`, "bash", path, ...words], { encoding: "utf8" })
        .split("\n")
        .filter(Boolean);
    expect(complete(["allocrun", "comp"])).toEqual(["compare", "completion"]);
    expect(complete(["allocrun", "compare", "--ru"])).toEqual(["--runs"]);
    expect(complete(["allocrun", "--jem"])).toEqual(["--jemalloc"]);
    expect(complete(["allocrun", "dump", "--al"])).toEqual(["--allocator"]);
  });

  it.each(["zsh", "fish"])("writes a %s script naming every command", async (shell) => {
    const result = await runCli(["completion", shell]);
    expect(result.exitCode).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(command.name);
  });

  it("refuses an unknown shell in the one error style", async () => {
    expect(await runCli(["completion", "tcsh"])).toMatchObject({ exitCode: 2, stderr: 'allocrun: completion takes bash, zsh or fish, not "tcsh" — allocrun completion bash' });
  });
});

describe("the man page", () => {
  const page = join(REPO_ROOT, "dist", "man", "allocrun.1");

  it("is generated at build time with every command's help", () => {
    expect(existsSync(page), "dist/man/allocrun.1 missing: run npm run build").toBe(true);
    const text = readFileSync(page, "utf8");
    expect(text).toMatch(new RegExp(`^\\.TH ALLOCRUN 1 "" "allocrun ${VERSION.replaceAll(".", "\\.")}"`));
    for (const command of COMMANDS.filter((entry) => entry.name !== "help")) expect(text).toContain(`.SS ${command.name}\n`);
    expect(text).toContain("\\-\\-max\\-increase");
  });

  it.skipIf(spawnSync("groff", ["--version"]).error !== undefined)("renders without a groff warning (skipped: groff is not installed)", () => {
    const result = spawnSync("groff", ["-man", "-Tutf8", "-ww", "-z", page], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
  });
});

// CLI is imported to document that these tests need the built dist/.
void CLI;
