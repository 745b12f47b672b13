// Runs one helper process (addr2line, llvm-symbolizer, c++filt) over a whole batch: write
// every input line, close stdin, read everything. One process per object, never one per
// address. Uses execa: this is analysis code (after-run, analyze), never the launcher.
// Imported when a helper is first run: loading execa costs 0.2–0.3 s, and most analyses
// name every frame from the ELF symbol tables without any helper.

export interface BatchResult {
  stdout: string;
  /** Non-zero exit, a signal or a spawn failure: the output is then not trusted. */
  failed: boolean;
  stderr: string;
}

/** Feeds `input` to `command args` and collects its output. Never rejects. */
export async function runBatch(command: string, args: string[], input: string): Promise<BatchResult> {
  // A helper that dies early makes writing its stdin fail (EPIPE): execa leaves that to
  // the exit status, which marks the result failed.
  const { execa } = await import("execa");
  const result = await execa(command, args, { input, env: { LC_ALL: "C" }, stripFinalNewline: false, reject: false });
  // No exit code and no signal: it never started; say why where the stderr would be.
  const started = result.exitCode !== undefined || result.signal !== undefined;
  return { stdout: result.stdout, stderr: started ? result.stderr : String(result.cause), failed: result.failed };
}
