// The bin entry as a shell runs it (through its #! line): Node must not act on the user's
// flags (Node 20 reads --env-file anywhere in argv) nor on the caller's NODE_OPTIONS,
// which still reaches the wrapped program untouched.
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CLI } from "../helpers/cli.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temps = useTempDirs();
// The #! line finds `node` on PATH: make it this test's node.
const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ""}`;
const runBin = (args: string[], env: Record<string, string> = {}) =>
  execa(CLI, args, { reject: false, stdin: "ignore", env: { PATH, ...env }, extendEnv: false });

/** A --require hook that leaves a file behind if any Node process loads it. */
function makeMarkerHook(dir: string): { hook: string; marker: string } {
  const marker = join(dir, "hook-ran");
  const hook = join(dir, "hook.cjs");
  writeFileSync(hook, `require("node:fs").writeFileSync(${JSON.stringify(marker)}, String(process.pid));\n`);
  return { hook, marker };
}

describe("bin/allocrun.js started through its #! line", () => {
  it("runs nothing from NODE_OPTIONS=--require in an --env-file, and the program gets the variable", async () => {
    const dir = await temps.make();
    const { hook, marker } = makeMarkerHook(dir);
    const envFile = join(dir, "vars.env");
    writeFileSync(envFile, `NODE_OPTIONS=--require ${hook}\n`);
    const result = await runBin(["--glibc", "-q", "-o", join(dir, "run"), "--env-file", envFile, "--", "sh", "-c", 'printf %s "$NODE_OPTIONS"']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`--require ${hook}`);
    expect(existsSync(marker)).toBe(false);
  });

  it("gives allocrun's own one-line error for a missing --env-file", async () => {
    const dir = await temps.make();
    const result = await runBin(["--glibc", "-q", "-o", join(dir, "run"), "--env-file", join(dir, "missing.env"), "--", "true"]);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/^allocrun: --env-file .*missing\.env: no such file — check the path/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("refuses an endless --env-file such as /dev/zero with one line", async () => {
    const dir = await temps.make();
    const result = await runBin(["--glibc", "-q", "-o", join(dir, "run"), "--env-file", "/dev/zero", "--", "true"]);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/^allocrun: --env-file \/dev\/zero: larger than 1 MiB, not a dotenv file/);
  });

  it("passes --env-file among the program's own arguments (no -- before the program) to the program", async () => {
    const dir = await temps.make();
    const result = await runBin(["--glibc", "-q", "-o", join(dir, "run"), "echo", "--env-file", join(dir, "missing.env"), "--env-file=x"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`--env-file ${join(dir, "missing.env")} --env-file=x`);
  });

  it("keeps the caller's NODE_OPTIONS out of allocrun and hands it to the program untouched", async () => {
    const dir = await temps.make();
    const { hook, marker } = makeMarkerHook(dir);
    const callerOptions = `--require ${hook}`;
    const result = await runBin(["--glibc", "-q", "-o", join(dir, "run"), "--", "sh", "-c", 'printf "%s|%s" "$NODE_OPTIONS" "${ALLOCRUN_CALLER_NODE_OPTIONS-unset}"'], { NODE_OPTIONS: callerOptions });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`${callerOptions}|unset`);
    expect(existsSync(marker)).toBe(false);
  });

  it("leaves NODE_OPTIONS unset for the program when the caller had none", async () => {
    const dir = await temps.make();
    const result = await runBin(["--glibc", "-q", "-o", join(dir, "run"), "--", "sh", "-c", 'printf %s "${NODE_OPTIONS-unset}"']);
    expect(result.stdout).toBe("unset");
  });
});
