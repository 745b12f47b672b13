// compare takes standard input from any file that is not a folder (a device such as
// /dev/null, a FIFO), explains a static program's missing statistics by its link, and
// passes on that a script's static child was not run under the allocator.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildExample } from "../helpers/examples.js";
import { useTempDirs } from "../helpers/temp-dir.js";

const temp = useTempDirs();

describe("compare --input and its notes", () => {
  let staticPeak: string;
  beforeAll(() => {
    staticPeak = buildExample("peak", { flags: ["-static"] });
  });

  it("accepts /dev/null as --input and explains a static program's missing statistics by its static link", async () => {
    const out = join(await temp.make(), "cmp");
    const result = await runCli(["compare", "--runs", "1", "--warmup", "0", "--input", "/dev/null", "-a", "glibc", "-o", out, "--", staticPeak, "4"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toContain("statically linked: the statistics library cannot be preloaded into it");
    expect(output).not.toContain("exit handlers");
  });

  it("notes once per variant, without run-specific pids, that a script's static child ran on its own allocator", async () => {
    const out = join(await temp.make(), "cmp");
    const result = await runCli(["compare", "--runs", "2", "--warmup", "0", "--no-breakdown", "-a", "glibc,jemalloc", "-o", out, "--", "sh", "-c", `${staticPeak} 8; true`]);
    expect(result.exitCode, result.stderr).toBe(0);
    const notes = (result.stdout + result.stderr).split("\n").filter((line) => line.includes("is static: it ran on its own allocator"));
    expect(notes).toEqual([expect.stringMatching(/^note: jemalloc: peak-\w+ is static: it ran on its own allocator$/)]);
  });

  it("refuses a folder as --input with exit 2", async () => {
    const folder = await temp.make();
    const result = await runCli(["compare", "--runs", "1", "--input", folder, "-a", "glibc", "--", staticPeak, "4"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("is a folder");
  });
});
