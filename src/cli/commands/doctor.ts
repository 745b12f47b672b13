// `allocrun doctor [PROGRAM] [--json]`: this machine's allocators and tools, and what
// would go wrong running PROGRAM under a preloaded allocator. Exit 0 when nothing is
// blocking, 1 when something is (the verdict the user asked for), 2 for usage errors.
import { usageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { painterFor } from "../../core/terminal.js";
import { collectDoctorReport } from "../../doctor/collect-report.js";
import { isBlocking } from "../../detect/finding.js";
import { renderDoctorJson, renderDoctorText } from "../../doctor/render-report.js";
import { resolveProgram } from "../../run/resolve-program.js";
import { checkRunFolder, isRunFolder, readRunFolderManifest } from "../../doctor/run/run-folder-findings.js";
import { formatOptionHelp, helpOption, parseOptionTable, type OptionSpec } from "../../core/option-table.js";
import type { CommandSurface } from "../command-table.js";

interface DoctorOptions {
  json: boolean;
  help: boolean;
}

export const DOCTOR_OPTION_SPECS: OptionSpec<DoctorOptions>[] = [
  { names: ["--json"], description: "one JSON document on stdout (keys: schemaVersion, machine, allocators,\ntools, program, findings)", apply: (o) => (o.json = true) },
  helpOption(),
];

export const formatDoctorHelp = (): string => `Usage: allocrun doctor [PROGRAM | RUN-DIR] [--json]

Checks this machine (distribution, allocator libraries and their versions, whether
jemalloc can write heap profiles, analysis tools, the output folder) and, given a
PROGRAM, everything that would keep a preloaded allocator from working on it: static
linking, set-user-ID bits and file capabilities, Go, allocators built into it or linked
against it, 32/64-bit and musl/glibc mismatches, missing symbols.

Given a RUN-DIR (a folder written by allocrun run), it checks that run's program and
what the run tells: whether the allocator really took effect, and — for --stats runs —
whether the allocator kept much more memory than the program used (fragmentation that
persists), naming the preset that returns it.

Each finding says what is wrong and what to do on this distribution.

Options:
${formatOptionHelp(DOCTOR_OPTION_SPECS)}

Exit status: 0 nothing blocking, 1 a blocking problem was found, 2 usage error.
`;

function parseDoctorArguments(args: string[]): { json: boolean; help: boolean; program: string | undefined } {
  const values: DoctorOptions = { json: false, help: false };
  const positionals = parseOptionTable(DOCTOR_OPTION_SPECS, args, values, "allocrun doctor", "operands");
  if (positionals.length > 1) throw usageError(`doctor takes one PROGRAM (got ${positionals.length} arguments)`, "its arguments do not matter to the checks: pass the program alone");
  return { json: values.json, help: values.help, program: positionals[0] };
}

export const surface: CommandSurface = { options: DOCTOR_OPTION_SPECS, help: formatDoctorHelp };

export default async function doctor(args: string[]): Promise<number> {
  const options = parseDoctorArguments(args);
  if (options.help) {
    process.stdout.write(formatDoctorHelp());
    return ExitCode.ok;
  }
  const cwd = process.cwd();
  const manifest = options.program !== undefined && isRunFolder(options.program) ? readRunFolderManifest(options.program) : undefined;
  const programName = manifest ? manifest.program : options.program;
  const program = programName === undefined ? undefined : { path: resolveProgram(programName, cwd, process.env.PATH), shownName: programName };
  const report = collectDoctorReport({ program, env: process.env, cwd });
  if (manifest) report.findings.push(...checkRunFolder(manifest));
  process.stdout.write(options.json ? renderDoctorJson(report) : renderDoctorText(report, painterFor(process.stdout), programName));
  return report.findings.some(isBlocking) ? ExitCode.verdictFailed : ExitCode.ok;
}
