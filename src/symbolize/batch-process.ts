// Runs one helper process (addr2line, llvm-symbolizer, c++filt, dpkg-query) over a whole
// batch: write every input line, close stdin, read everything. One process per object,
// never one per address. Plain node:child_process, not execa: importing execa costs
// 0.2–0.3 s, more than most helpers take to run.
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
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let startError: Error | undefined;
    const child = spawn(command, args, { env: { ...process.env, LC_ALL: "C" }, stdio: ["pipe", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    // It never started: say why where the stderr would be.
    child.on("error", (error) => (startError ??= error));
    // A helper that exits before reading all its input makes writing fail (EPIPE): its
    // exit status decides whether the result counts.
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
    child.on("close", (code, signal) => {
      if (startError !== undefined) resolve({ stdout: "", stderr: String(startError), failed: true });
      else resolve({ stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8"), failed: code !== 0 || signal !== null });
    });
  });
}
