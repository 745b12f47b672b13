// `allocrun help` / `allocrun --help`: the whole surface on one screen.
import { formatRunOptionHelp } from "../run-options.js";

/** Built on demand: formatting the option table is work a plain run does not need. */
export const generalHelp = (): string => `allocrun — run native programs under jemalloc, tcmalloc, mimalloc or glibc malloc;
measure, profile and compare their memory.

Usage:
  allocrun [options] [--] PROGRAM [ARGS...]     run PROGRAM (the default command)
  allocrun env [options]                        print the environment a run would set
  allocrun presets [show NAME]                  list presets, or show what one sets
  allocrun analyze RUN-DIR|PROFILE [options]    top table, diff, growth, flame graph, pprof
  allocrun compare [options] -- PROGRAM ...     A/B/C/D of RSS and time across allocators
  allocrun ci --baseline FILE [options] -- ...  memory-regression gate
  allocrun doctor [PROGRAM|RUN-DIR]             explain why a setup will not work
  allocrun dump PID | prof PID on|off           heap dump / profiling toggle of a running program
  allocrun stats PID | watch PID --every 60s    live allocator statistics / periodic dumps

Run options:
${formatRunOptionHelp()}

Exit status of a run: the program's own; 128+N when it died of signal N; 125 when
allocrun could not run it, 126 when it is not executable, 127 when it is not found.
Other commands: 0 ok, 1 a verdict failed (ci, doctor), 2 usage or input error.
Run \`allocrun COMMAND --help\` for a command's own options.
`;

export default async function help(): Promise<number> {
  process.stdout.write(generalHelp());
  return 0;
}
