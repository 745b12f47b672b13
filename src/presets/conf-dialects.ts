// How each allocator spells its options: which variable carries them, how pairs are
// written, and how a user's own MALLOC_CONF / GLIBC_TUNABLES / MIMALLOC_* / TCMALLOC_*
// variable is read back into options, so everything merges key by key.
import type { AllocatorName } from "../core/allocators.js";
import { usageError } from "../core/errors.js";
import { findClosestNames } from "../core/closest-names.js";
import { GLIBC_MALLOC_TUNABLES, JEMALLOC_OPTIONS, MIMALLOC_OPTIONS, TCMALLOC_OPTIONS } from "./known-options.js";

export type ConfEntries = Array<[string, string]>;

interface ConfDialect {
  /** The variable(s) that carry the options, for messages. */
  carrier: string;
  /** A --conf example in this dialect. */
  example: string;
  /** Separators between pairs in one text, and between key and value. */
  listSeparator: string | undefined;
  pairSeparator: RegExp;
  /** How one pair is written, for messages. */
  pairShape: string;
  /** How allocrun writes one option: "key:value" (jemalloc) or "key=value". */
  writePair(key: string, value: string): string;
  keyPattern: RegExp;
  normalizeKey(key: string): string;
  /** The option text carried by this variable, if it carries options for this allocator. */
  readVariable(name: string, value: string): string | undefined;
  /** Characters a value must not contain once written into the carrier. */
  forbiddenInValue: string | undefined;
  render(conf: ConfEntries): Record<string, string>;
  /** A warning for an option name the allocator does not know, if it can tell. */
  checkKey(key: string): string | undefined;
}

/** One variable per option: PREFIX_<NAME>, as mimalloc and tcmalloc read them. */
function prefixedVariableDialect(prefix: string, example: string, known: readonly string[], what: string): ConfDialect {
  return {
    carrier: `${prefix}<NAME> variables`,
    example,
    listSeparator: undefined,
    pairSeparator: /=/,
    pairShape: "KEY=VALUE",
    writePair: (key, value) => `${key}=${value}`,
    keyPattern: /^[A-Za-z0-9_]+$/,
    normalizeKey: (key) => key.replace(new RegExp(`^${prefix}`, "i"), "").toLowerCase(),
    readVariable: (name, value) => (name.toUpperCase().startsWith(prefix) && name.length > prefix.length ? `${name}=${value}` : undefined),
    forbiddenInValue: undefined,
    render: (conf) => Object.fromEntries(conf.map(([key, value]) => [`${prefix}${key.toUpperCase()}`, value])),
    checkKey: (key) => warnUnknown(key, known, what),
  };
}

const tcmallocDialect = prefixedVariableDialect("TCMALLOC_", "release_rate=0", TCMALLOC_OPTIONS, "TCMALLOC_ option");

const DIALECTS: Record<AllocatorName, ConfDialect> = {
  jemalloc: {
    carrier: "MALLOC_CONF",
    example: "lg_prof_sample:19",
    listSeparator: ",",
    pairSeparator: /[:=]/,
    pairShape: "KEY:VALUE or KEY=VALUE",
    writePair: (key, value) => `${key}:${value}`,
    keyPattern: /^[A-Za-z0-9_]+$/,
    normalizeKey: (key) => key,
    readVariable: (name, value) => (name === "MALLOC_CONF" ? value : undefined),
    forbiddenInValue: ",",
    render: (conf) => renderOneVariable("MALLOC_CONF", conf.map(([key, value]) => DIALECTS.jemalloc.writePair(key, value)).join(",")),
    checkKey: (key) => warnUnknown(key, JEMALLOC_OPTIONS, "jemalloc option"),
  },
  glibc: {
    carrier: "GLIBC_TUNABLES",
    example: "arena_max=2",
    listSeparator: ":",
    pairSeparator: /=/,
    pairShape: "KEY=VALUE",
    writePair: (key, value) => `${key}=${value}`,
    keyPattern: /^[A-Za-z0-9_.]+$/,
    // A bare name is a malloc tunable; a dotted one (glibc.mem.tagging) is kept as written.
    normalizeKey: (key) => (key.includes(".") ? key : `glibc.malloc.${key}`),
    readVariable: (name, value) => (name === "GLIBC_TUNABLES" ? value : undefined),
    forbiddenInValue: ":",
    render: (conf) => renderOneVariable("GLIBC_TUNABLES", conf.map(([key, value]) => DIALECTS.glibc.writePair(key, value)).join(":")),
    checkKey: (key) => (key.startsWith("glibc.malloc.") ? warnUnknown(key.slice("glibc.malloc.".length), GLIBC_MALLOC_TUNABLES, "glibc.malloc tunable") : undefined),
  },
  mimalloc: prefixedVariableDialect("MIMALLOC_", "show_stats=1", MIMALLOC_OPTIONS, "MIMALLOC_ option"),
  tcmalloc: tcmallocDialect,
  "tcmalloc-minimal": tcmallocDialect,
};

/** One variable carrying every option, set only when there is at least one. */
function renderOneVariable(name: string, value: string): Record<string, string> {
  return value === "" ? {} : { [name]: value };
}

function warnUnknown(key: string, known: readonly string[], what: string): string | undefined {
  if (known.includes(key)) return undefined;
  const close = findClosestNames(key, known, 1);
  return `"${key}" is not a known ${what}${close.length ? `: did you mean "${close[0]}"?` : ""} (the allocator ignores unknown options)`;
}

/**
 * Reads option text in the allocator's dialect ("prof:true,lg_prof_sample:17" for
 * jemalloc, "arena_max=2:mmap_threshold=1048576" for glibc, "show_stats=1" for mimalloc).
 * `source` names where the text came from (e.g. `--conf "prof"`) for the error message.
 */
export function parseConfText(allocator: AllocatorName, text: string, source: string): ConfEntries {
  const dialect = DIALECTS[allocator];
  const pieces = dialect.listSeparator === undefined ? [text] : text.split(dialect.listSeparator).filter((piece) => piece !== "");
  if (pieces.length === 0) throw malformedConf(allocator, source);
  return pieces.map((piece): [string, string] => {
    const at = piece.search(dialect.pairSeparator);
    const key = at > 0 ? piece.slice(0, at).trim() : "";
    if (!dialect.keyPattern.test(key)) throw malformedConf(allocator, source);
    return [dialect.normalizeKey(key), piece.slice(at + 1)];
  });
}

function malformedConf(allocator: AllocatorName, source: string) {
  const dialect = DIALECTS[allocator];
  return usageError(`${source}: expected ${dialect.pairShape} for ${allocator} (${dialect.carrier})`, `for example --conf ${dialect.example}`);
}

/** Normalizes an option name as a preset wrote it (e.g. glibc "arena_max" → "glibc.malloc.arena_max"); undefined if it cannot be one. */
export function normalizeConfKey(allocator: AllocatorName, key: string): string | undefined {
  const dialect = DIALECTS[allocator];
  return dialect.keyPattern.test(key) ? dialect.normalizeKey(key) : undefined;
}

/** If this variable carries allocator options (MALLOC_CONF under jemalloc...), its options; else undefined. */
export function readConfVariable(allocator: AllocatorName, name: string, value: string, source: string): ConfEntries | undefined {
  const text = DIALECTS[allocator].readVariable(name, value);
  return text === undefined ? undefined : parseConfText(allocator, text, source);
}

/**
 * The variable that carries every option of this allocator in one list (MALLOC_CONF,
 * GLIBC_TUNABLES), which a run's own setting would replace whole; undefined where each
 * option is a variable of its own (MIMALLOC_*, TCMALLOC_*: inherited as they are).
 */
export function listCarrierVariable(allocator: AllocatorName): string | undefined {
  const dialect = DIALECTS[allocator];
  return dialect.listSeparator === undefined ? undefined : dialect.carrier;
}

/** The warning for an option of the caller's environment that the command line sets otherwise. */
export function describeReplacedInherited(allocator: AllocatorName, key: string, inherited: string, value: string): string {
  const dialect = DIALECTS[allocator];
  const pair = (v: string) => dialect.writePair(key, v);
  return `your ${dialect.carrier} sets ${pair(inherited)}; this run uses ${pair(value)} (--conf ${pair(inherited)} at the end of the options keeps yours)`;
}

export function checkConfKey(allocator: AllocatorName, key: string): string | undefined {
  return DIALECTS[allocator].checkKey(key);
}

/** The variables that carry these options; values must already have placeholders expanded. */
export function renderConfVariables(allocator: AllocatorName, conf: ConfEntries): Record<string, string> {
  const dialect = DIALECTS[allocator];
  const forbidden = dialect.forbiddenInValue;
  for (const [key, value] of conf) {
    if (forbidden !== undefined && value.includes(forbidden)) {
      throw usageError(
        `the ${allocator} option ${key} = "${value}" contains "${forbidden}", which ${dialect.carrier} cannot carry`,
        "choose a run folder (--out) and option values without it",
      );
    }
  }
  return dialect.render(conf);
}
