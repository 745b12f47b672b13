// `allocrun presets` lists every preset with one line each; `allocrun presets show NAME`
// prints what one sets (extends resolved, library paths symbolic).
import { usageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { alignColumns, painterFor } from "../../core/terminal.js";
import { isAllocatorName, unknownAllocatorError, type AllocatorName } from "../../core/allocators.js";
import { describePreset, listPresets, listPresetSearchDirs, loadPresetCatalog, formatEnvironment } from "../../presets/index.js";
import { formatOptionHelp, helpOption, parseOptionTable, type OptionSpec } from "../../core/option-table.js";
import type { CommandSurface } from "../command-table.js";

const USAGE = "usage: allocrun presets [--json] | allocrun presets show NAME [--allocator NAME]";

interface PresetsOptions {
  json: boolean;
  allocator: AllocatorName | undefined;
  help: boolean;
}

export const PRESETS_OPTION_SPECS: OptionSpec<PresetsOptions>[] = [
  { names: ["--json"], description: "machine-readable output", apply: (o) => (o.json = true) },
  {
    names: ["-a", "--allocator"],
    value: "NAME",
    description: "with show: what the preset sets for this allocator",
    apply: (o, v, f) => {
      if (!isAllocatorName(v)) throw unknownAllocatorError(v, f);
      o.allocator = v;
    },
  },
  helpOption(),
];

export const formatPresetsHelp = (): string => `Usage:
  allocrun presets [--json]                       list every preset, one line each
  allocrun presets show NAME [--allocator NAME]   what one preset sets (extends resolved)

Options:
${formatOptionHelp(PRESETS_OPTION_SPECS)}
`;

export const surface: CommandSurface = { options: PRESETS_OPTION_SPECS, help: formatPresetsHelp };

export default async function presets(args: string[]): Promise<number> {
  const options: PresetsOptions = { json: false, allocator: undefined, help: false };
  const rest = parseOptionTable(PRESETS_OPTION_SPECS, args, options, "allocrun presets", "operands");
  const { json, allocator } = options;
  if (options.help) {
    process.stdout.write(formatPresetsHelp());
    return ExitCode.ok;
  }
  const catalog = loadPresetCatalog({ cwd: process.cwd(), env: process.env });
  if (rest.length === 0) return printList(catalog, json);
  if (rest[0] !== "show" || rest[1] === undefined || rest.length > 2) throw usageError(`unexpected arguments: ${rest.join(" ")}`, USAGE);
  const description = describePreset(catalog, rest[1], allocator);
  if (json) {
    process.stdout.write(`${JSON.stringify({ name: description.preset.name, description: description.preset.description, file: description.preset.file, allocator: description.allocator, variables: description.variables, overrides: description.overrides }, null, 2)}\n`);
    return ExitCode.ok;
  }
  const paint = painterFor(process.stdout);
  process.stdout.write(`${paint.bold(description.preset.name)} — ${description.preset.description}\n${paint.dim(description.preset.file)}\n\n`);
  process.stdout.write(formatEnvironment(description.variables, "dotenv"));
  for (const note of description.preset.notes ?? []) process.stdout.write(`\n${paint.dim(`note: ${note}`)}`);
  if ((description.preset.notes ?? []).length > 0) process.stdout.write("\n");
  return ExitCode.ok;
}

function printList(catalog: ReturnType<typeof loadPresetCatalog>, json: boolean): number {
  const rows = listPresets(catalog);
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return ExitCode.ok;
  }
  const paint = painterFor(process.stdout);
  const table = [["NAME", "ALLOCATOR", "FLAG", "DESCRIPTION"].map(paint.bold)];
  for (const row of rows) {
    table.push([row.name, row.allocators.join(",") || "any", row.flag ? `--${row.flag}` : "", row.description]);
  }
  process.stdout.write(`${alignColumns(table).join("\n")}\n\n`);
  const dirs = listPresetSearchDirs({ cwd: process.cwd(), env: process.env });
  process.stdout.write(paint.dim(`searched (later wins): ${dirs.map((entry) => entry.dir).join(", ")}\n`));
  return ExitCode.ok;
}
