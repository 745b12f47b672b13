// `allocrun env [options]`: the environment a run would set, for a shell, a systemd
// unit or a Dockerfile. Profile paths point into --out (default: the current folder).
import { resolve } from "node:path";
import { usageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { ENV_OPTION_SPECS, parseEnvArguments } from "../run-options.js";
import { formatOptionHelp } from "../../core/option-table.js";
import type { CommandSurface } from "../command-table.js";
import { prepareRun } from "../../run/prepare-run.js";
import { formatEnvironment, renderEnvironment } from "../../presets/index.js";

export const formatEnvHelp = (): string => `Usage: allocrun env [options]

Prints the variables a run with these options would set (LD_PRELOAD, MALLOC_CONF, ...),
without running anything.

Careful: \`eval "$(allocrun env --jemalloc --prof)"\` in an interactive shell preloads the
allocator into every later command of that shell — each \`ls\` or \`git\` then writes a heap
profile into the current folder. Scope it to one program instead:

  ( eval "$(allocrun env --jemalloc --prof)"; exec ./server --port 8080 )
  allocrun env --jemalloc --prof --format systemd   # Environment= lines for one unit
  allocrun env --jemalloc --prof --format docker    # ENV lines for one image
  allocrun env --jemalloc --prof --format dotenv > jemalloc.env   # docker run --env-file

or simply run it through allocrun: allocrun --jemalloc --prof -- ./server.

Options:
${formatOptionHelp(ENV_OPTION_SPECS)}
`;

export const surface: CommandSurface = { options: ENV_OPTION_SPECS, help: formatEnvHelp };

export default async function env(args: string[]): Promise<number> {
  const options = parseEnvArguments(args);
  if (options.help) {
    process.stdout.write(formatEnvHelp());
    return ExitCode.ok;
  }
  if (options.command.length > 0) throw usageError(`allocrun env takes no program (got "${options.command[0]}")`, "run it with allocrun [options] -- PROGRAM, or use --dry-run");
  const cwd = process.cwd();
  const prepared = prepareRun({ allocator: options.allocator ?? "glibc", steps: options.steps, libraryPath: options.libraryPath, env: process.env, cwd, program: undefined });
  const vars = renderEnvironment(prepared.plan, { libraryPaths: prepared.libraryPaths, outDir: resolve(cwd, options.outDir ?? ".") });
  process.stdout.write(formatEnvironment(vars, options.envFormat));
  for (const warning of prepared.warnings) process.stderr.write(`allocrun: warning: ${warning}\n`);
  return ExitCode.ok;
}
