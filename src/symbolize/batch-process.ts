// Runs one helper process (addr2line, llvm-symbolizer, c++filt) over a whole batch: write
// every input line, close stdin, read everything. One process per object, never one per
// address. node:child_process only: this code runs right after `allocrun run`.
import { spawn } from "node:child_process";

export interface BatchResult {
  stdout: string;
  /** Non-zero exit, a signal or a spawn failure: the output is then not trusted. */
  failed: boolean;
  stderr: string;
}

/** Feeds `input` to `command args` and collects its output. Never rejects. */
export function runBatch(command: string, args: string[], input: string): Promise<BatchResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    // EPIPE when the helper dies early; its exit status reports the failure.
    child.stdin.on("error", () => undefined);
    child.on("error", (error) => resolve({ stdout: "", stderr: String(error), failed: true }));
    child.on("close", (code, signal) => {
      resolve({
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        failed: code !== 0 || signal !== null,
      });
    });
    child.stdin.end(input);
  });
}
