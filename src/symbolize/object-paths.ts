// Which file on this machine stands for each mapped object. Profiles name the paths of the
// machine and checkout that produced them; `--binary` replaces the main program (a moved
// or rebuilt binary), and a mapping whose file is gone is matched by basename.
import { existsSync } from "node:fs";
import { basename } from "node:path";
import type { Mapping } from "../profile/model.js";

export interface ObjectPathOptions {
  /** `--binary`: replaces the mapping with the same basename, else the first executable one. */
  binary?: string;
  /** Files offered for mappings whose path does not exist, matched by basename. */
  candidates?: string[];
}

const DELETED_SUFFIX = " (deleted)";

/** True for mappings with no file behind them: anonymous memory, [heap], [vdso]... */
export function isSpecialMapping(file: string): boolean {
  return file === "" || file.startsWith("[") || file.startsWith("//anon") || file.startsWith("/dev/") || file.startsWith("/memfd:");
}

/**
 * Path to read for each mapping id (undefined: nothing to read). A path that no longer
 * exists is returned as is; the symbolizer reports it as missing.
 */
export function resolveObjectPaths(mappings: readonly Mapping[], options: ObjectPathOptions): Map<number, string | undefined> {
  const result = new Map<number, string | undefined>();
  const overridden = options.binary === undefined ? undefined : fileReplacedByBinary(mappings, options.binary);
  const byBasename = new Map<string, string>();
  for (const candidate of [...(options.candidates ?? []), ...(options.binary ? [options.binary] : [])]) byBasename.set(basename(candidate), candidate);
  for (const mapping of mappings) {
    if (isSpecialMapping(mapping.file)) {
      result.set(mapping.id, undefined);
      continue;
    }
    if (overridden !== undefined && mapping.file === overridden) {
      result.set(mapping.id, options.binary);
      continue;
    }
    const isStale = mapping.file.endsWith(DELETED_SUFFIX);
    const file = isStale ? mapping.file.slice(0, -DELETED_SUFFIX.length) : mapping.file;
    if (!isStale && existsSync(file)) {
      result.set(mapping.id, file);
      continue;
    }
    result.set(mapping.id, byBasename.get(basename(file)) ?? file);
  }
  return result;
}

function fileReplacedByBinary(mappings: readonly Mapping[], binary: string): string | undefined {
  const name = basename(binary);
  const sameName = mappings.find((mapping) => !isSpecialMapping(mapping.file) && basename(mapping.file.replace(DELETED_SUFFIX, "")) === name);
  if (sameName !== undefined) return sameName.file;
  return mappings.find((mapping) => mapping.isExecutable && !isSpecialMapping(mapping.file))?.file;
}
