// The CI examples in examples/ci/ must work as written: their build line and every
// `allocrun ci` command in them run here, in a scratch checkout, through the real CLI.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { EXAMPLES_DIR } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";

/** Scratch folders, removed after this file's tests. */
const scratchDirs = useTempDirs();

interface ExampleCommands {
  build: string;
  /** The baseline command the file's header tells users to run once. */
  recordBaseline: string[];
  /** Every `allocrun ci` a job runs, in file order. */
  gates: string[][];
}

function readExampleCommands(file: string): ExampleCommands {
  const lines = readFileSync(join(EXAMPLES_DIR, "ci", file), "utf8").split("\n");
  const words = (command: string) => command.trim().split(/\s+/).slice(1); // without "allocrun"
  const build = lines.map((line) => /(?:run: |- )(mkdir -p build && gcc .*)$/.exec(line)?.[1]).find(Boolean);
  const recordBaseline = lines.map((line) => /^#\s+(allocrun ci --update-baseline .*)$/.exec(line)?.[1]).find(Boolean);
  const gates = lines.flatMap((line) => {
    const command = /^\s*(?:run: |- )(allocrun ci .*)$/.exec(line)?.[1];
    return command ? [words(command)] : [];
  });
  if (!build || !recordBaseline) throw new Error(`${file}: no build line or baseline command found`);
  return { build, recordBaseline: words(recordBaseline), gates };
}

describe("the CI examples", () => {
  for (const file of ["github-actions.yml", "gitlab-ci.yml"]) {
    it(`runs every allocrun ci command of ${file} successfully in a fresh checkout`, async () => {
      const commands = readExampleCommands(file);
      expect(commands.gates.length).toBeGreaterThan(0);
      const checkout = scratchDirs.makeSync("allocrun-ci-example-");
      mkdirSync(join(checkout, "examples"));
      copyFileSync(join(EXAMPLES_DIR, "workload.c"), join(checkout, "examples", "workload.c"));
      execFileSync("sh", ["-c", commands.build], { cwd: checkout });
      const env = { NO_COLOR: "1" };
      const baseline = await runCli(commands.recordBaseline, { cwd: checkout, env });
      expect(baseline.exitCode, baseline.stderr).toBe(0);
      for (const gate of commands.gates) {
        const result = await runCli(gate, { cwd: checkout, env });
        expect(result.exitCode, `${gate.join(" ")}\n${result.stdout}${result.stderr}`).toBe(0);
      }
      expect(existsSync(join(checkout, "allocrun-report", "verdict.json"))).toBe(true);
      expect(readFileSync(join(checkout, "allocrun-junit.xml"), "utf8")).toMatch(/<testsuite name="allocrun ci" tests="2" failures="0"/);
    });
  }
});
