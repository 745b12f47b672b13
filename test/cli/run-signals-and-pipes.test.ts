// How allocrun ends, as the shell around it sees it: the program's fatal signal is
// re-raised (a `for` loop stops on one Ctrl-C), and a closed stderr pipe changes nothing.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CLI, runCli } from "../helpers/cli.js";
import { buildExample } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temps = useTempDirs();

describe("allocrun run: ending like the program", () => {
  it("dies of SIGINT itself after finalising the run, so one Ctrl-C stops a shell for loop", async () => {
    const dir = await temps.make();
    const loop = 'for i in 1 2; do "$1" "$2" --glibc -q -o "$4/run$i" -- "$3" 5; echo "after run $i"; done';
    // detached: bash leads its own process group, like a terminal's foreground job.
    const shell = execa("bash", ["-c", loop, "bash", process.execPath, CLI, buildExample("sleeper"), dir], { detached: true, reject: false });
    await new Promise<void>((resolve) => {
      shell.stdout?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("ready")) resolve();
      });
    });
    process.kill(-shell.pid!, "SIGINT"); // what the terminal does on Ctrl-C
    const result = await shell;
    expect(result.stdout).not.toContain("after run");
    expect(result.signal).toBe("SIGINT");
    expect(JSON.parse(readFileSync(join(dir, "run1", "manifest.json"), "utf8"))).toMatchObject({ signal: "SIGINT", exitCode: null });
    expect(existsSync(join(dir, "run2"))).toBe(false);
  });

  it("exits 130 when the program exits 130 without a signal", async () => {
    const out = join(await temps.make(), "run");
    const result = await runCli(["--glibc", "-q", "-o", out, "--", "sh", "-c", "exit 130"]);
    expect(result.signal).toBeUndefined();
    expect(result.exitCode).toBe(130);
  });
});

describe("allocrun run: a closed stderr pipe", () => {
  it("passes the program's status through when the reader of `2>&1 |` is gone before the summary", async () => {
    const dir = await temps.make();
    // `true` exits at once; the program outlives it, so every word allocrun says hits EPIPE.
    const pipeline = '"$1" "$2" --glibc -o "$3/run" -- sh -c "sleep 1; exit 7" 2>&1 | true; echo "status ${PIPESTATUS[0]}"';
    const result = await execa("bash", ["-c", pipeline, "bash", process.execPath, CLI, dir], { reject: false });
    expect(result.stdout.trim()).toBe("status 7");
    expect(result.stderr).toBe("");
    expect(existsSync(join(dir, "run", "manifest.json"))).toBe(true);
  });
});
