import { describe, expect, it } from "vitest";
import { runBatch } from "../../src/symbolize/batch-process.js";

describe("runBatch", () => {
  it("feeds the whole input on stdin and returns the whole output, final newline included", async () => {
    const input = Array.from({ length: 5000 }, (_, index) => `0x${index.toString(16)}`).join("\n") + "\n";
    const result = await runBatch("cat", [], input);
    expect(result).toEqual({ stdout: input, stderr: "", failed: false });
  });

  it("runs the helper in the C locale so its messages can be parsed", async () => {
    const result = await runBatch("/bin/sh", ["-c", 'echo "$LC_ALL"'], "");
    expect(result.stdout).toBe("C\n");
  });

  it("marks a non-zero exit as failed and keeps its stderr", async () => {
    const result = await runBatch("/bin/sh", ["-c", "echo partial; echo 'bad object' >&2; exit 2"], "");
    expect(result).toEqual({ stdout: "partial\n", stderr: "bad object\n", failed: true });
  });

  it("resolves, failed, when the helper cannot be started", async () => {
    const result = await runBatch("/nonexistent/addr2line", [], "0x1\n");
    expect(result.failed).toBe(true);
    expect(result.stderr).toMatch(/ENOENT/);
  });

  it("resolves when the helper exits before reading all its input, judged by its exit status", async () => {
    const input = "x".repeat(1024 * 1024);
    await expect(runBatch("head", ["-c", "1"], input)).resolves.toEqual({ stdout: "x", stderr: "", failed: false });
    await expect(runBatch("/bin/sh", ["-c", "exit 3"], input)).resolves.toMatchObject({ failed: true });
  });
});
