// Reads one preset file and checks every field, so a mistake is reported with the file
// and the field (or the line and column for broken JSON) instead of surfacing later as
// a mysterious environment.
import { ALLOCATOR_NAMES, HELPER_LIBRARY_NAMES, isAllocatorName, type AllocatorName, type HelperLibraryName } from "../core/allocators.js";
import { inputError, type AllocrunError } from "../core/errors.js";
import { findClosestNames } from "../core/closest-names.js";
import { PLACEHOLDERS, SHORT_FLAGS, isShortFlag, type ArtifactHint, type Preset, type PresetOrigin, type ShortFlag } from "./preset.js";

const FIELDS = ["description", "allocator", "flag", "extends", "conf", "env", "preload", "artifacts", "notes"] as const;
const ARTIFACT_FIELDS = ["kind", "glob", "optional"] as const;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FORMAT_HINT = "the preset format is described in presets/README.md of allocrun";

export interface PresetSource {
  name: string;
  file: string;
  origin: PresetOrigin;
}

/** Parses and validates the text of a preset file; throws an input error naming file and field. */
export function parsePresetText(text: string, source: PresetSource): Preset {
  const fail = (field: string, problem: string): AllocrunError => inputError(`${source.file}: field "${field}" ${problem}`, FORMAT_HINT);
  const json = parseJsonWithPosition(text, source.file);
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw inputError(`${source.file}: a preset must be a JSON object ({"description": ...})`, FORMAT_HINT);
  }
  const record = json as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if ((FIELDS as readonly string[]).includes(key)) continue;
    const close = findClosestNames(key, FIELDS, 1);
    throw inputError(`${source.file}: unknown field "${key}"${close.length ? ` (did you mean "${close[0]}"?)` : ""}`, `known fields: ${FIELDS.join(", ")}`);
  }

  const description = record.description;
  if (typeof description !== "string" || description.trim() === "") throw fail("description", "is required and must be a non-empty string");
  if (/[\r\n]/.test(description)) throw fail("description", "must be one line (put details in \"notes\")");

  const allocators = readAllocators(record.allocator, fail);
  const conf = readScalarMap(record.conf, "conf", fail);
  if (conf.length > 0 && allocators.length === 0) throw fail("conf", "needs the \"allocator\" field: option names mean something only for one allocator");
  const env = readScalarMap(record.env, "env", fail);
  for (const [name] of env) {
    if (!ENV_NAME.test(name)) throw fail(`env.${name}`, "is not a valid environment variable name (letters, digits, _)");
  }

  return {
    name: source.name,
    file: source.file,
    origin: source.origin,
    description: description.trim(),
    allocators,
    flag: readFlag(record.flag, fail),
    extends: readStringList(record.extends, "extends", fail),
    conf,
    env,
    preload: readStringList(record.preload, "preload", fail).map((name, index) => {
      if ((HELPER_LIBRARY_NAMES as readonly string[]).includes(name)) return name as HelperLibraryName;
      throw fail(`preload[${index}]`, `must be one of ${HELPER_LIBRARY_NAMES.join(", ")} (the allocator's own library is preloaded by choosing the allocator), got "${name}"`);
    }),
    artifacts: readArtifacts(record.artifacts, fail),
    notes: readStringList(record.notes, "notes", fail),
  };
}

type Fail = (field: string, problem: string) => AllocrunError;

function readAllocators(value: unknown, fail: Fail): AllocatorName[] {
  if (value === undefined) return [];
  const names = typeof value === "string" ? [value] : value;
  if (!Array.isArray(names) || names.length === 0) throw fail("allocator", `must be an allocator name or a list of them (${ALLOCATOR_NAMES.join(", ")})`);
  return names.map((name, index) => {
    if (typeof name === "string" && isAllocatorName(name)) return name;
    const field = typeof value === "string" ? "allocator" : `allocator[${index}]`;
    const close = typeof name === "string" ? findClosestNames(name, ALLOCATOR_NAMES, 1) : [];
    throw fail(field, `must be one of ${ALLOCATOR_NAMES.join(", ")}, got ${JSON.stringify(name)}${close.length ? ` (did you mean "${close[0]}"?)` : ""}`);
  });
}

function readFlag(value: unknown, fail: Fail): ShortFlag | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && isShortFlag(value)) return value;
  throw fail("flag", `must be one of ${SHORT_FLAGS.join(", ")}, got ${JSON.stringify(value)}`);
}

function readStringList(value: unknown, field: string, fail: Fail): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw fail(field, "must be a list of strings");
  return value.map((item, index) => {
    if (typeof item !== "string" || item === "") throw fail(`${field}[${index}]`, "must be a non-empty string");
    return item;
  });
}

/** An object whose values are strings, numbers or booleans, kept in file order as strings. */
function readScalarMap(value: unknown, field: string, fail: Fail): Array<[string, string]> {
  if (value === undefined) return [];
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw fail(field, "must be an object of NAME: value");
  return Object.entries(value).map(([key, item]): [string, string] => {
    const path = `${field}.${key}`;
    if (key.trim() === "") throw fail(path, "has an empty name");
    if (typeof item !== "string" && typeof item !== "number" && typeof item !== "boolean") {
      throw fail(path, "must be a string (numbers and true/false are accepted too)");
    }
    const text = String(item);
    checkPlaceholders(text, path, fail);
    return [key, text];
  });
}

function checkPlaceholders(text: string, field: string, fail: Fail): void {
  for (const match of text.matchAll(/\{[A-Za-z_]+\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(match[0])) {
      throw fail(field, `uses the unknown placeholder ${match[0]} (known: ${PLACEHOLDERS.join(", ")})`);
    }
  }
}

function readArtifacts(value: unknown, fail: Fail): ArtifactHint[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw fail("artifacts", "must be a list of {\"kind\", \"glob\"} objects");
  return value.map((item: unknown, index): ArtifactHint => {
    const path = `artifacts[${index}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw fail(path, "must be an object with \"kind\" and \"glob\"");
    const hint = item as Record<string, unknown>;
    for (const key of Object.keys(hint)) {
      if (!(ARTIFACT_FIELDS as readonly string[]).includes(key)) throw fail(`${path}.${key}`, `is not a known field (known: ${ARTIFACT_FIELDS.join(", ")})`);
    }
    if (typeof hint.kind !== "string" || !/^[a-z][a-z0-9-]*$/.test(hint.kind)) throw fail(`${path}.kind`, "must be a kebab-case string such as \"jemalloc-heap\"");
    if (typeof hint.glob !== "string" || hint.glob === "" || hint.glob.includes("/")) throw fail(`${path}.glob`, "must be a file name pattern inside the run folder, such as \"jeprof.*.heap\"");
    if (hint.optional !== undefined && typeof hint.optional !== "boolean") throw fail(`${path}.optional`, "must be true or false");
    return { kind: hint.kind, glob: hint.glob, optional: hint.optional === true };
  });
}

/** JSON.parse, with the error turned into "file:line:column: message". */
function parseJsonWithPosition(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : text.length;
    const { line, column } = locateOffset(text, offset);
    const reason = message.replace(/\s*in JSON at position \d+.*$/, "").replace(/\s*\(line \d+ column \d+\)$/, "");
    throw inputError(`${file}:${line}:${column}: malformed JSON: ${reason}`, FORMAT_HINT, error);
  }
}

function locateOffset(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { line, column };
}
