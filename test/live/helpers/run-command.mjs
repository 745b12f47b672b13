// Runs one live-process command (dump, prof, stats, watch) from the built dist/ as the CLI
// entry does: its exit code, and an AllocrunError printed as one line with exit 2.
// Usage: ALLOCRUN_DIST=<repo>/dist node run-command.mjs COMMAND ARGS...
const [command, ...args] = process.argv.slice(2);
const dist = process.env.ALLOCRUN_DIST;
const { default: run } = await import(`${dist}/cli/commands/${command}.js`);
const { isAllocrunError, formatErrorLine } = await import(`${dist}/core/errors.js`);
try {
  process.exitCode = await run(args);
} catch (error) {
  if (!isAllocrunError(error)) throw error;
  process.stderr.write(`${formatErrorLine(error)}\n`);
  process.exitCode = 2;
}
