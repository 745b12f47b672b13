// The variant syntax of `allocrun compare -a`: a comma-separated list, each variant an
// allocator followed by "+"-joined modifiers:
//   glibc                           the allocator with its defaults
//   glibc+arena_max=2               +KEY=VALUE: an allocator option (like --conf KEY=VALUE)
//   jemalloc+narenas=1+dirty_decay_ms=0
//   tcmalloc+stats                  +FLAG: a short preset flag (prof, stats, leak-check, ...)
//   glibc+glibc-arena-max-2         +NAME: a preset by name (like --preset NAME)
// The variant's label is its text, so "glibc" and "glibc+arena_max=2" are told apart in
// every table. Values cannot contain "+" or ",".
import { ALLOCATOR_NAMES, isAllocatorName, unknownAllocatorError, type AllocatorName } from "../core/allocators.js";
import { usageError } from "../core/errors.js";
import { isShortFlag, type CompositionStep } from "../presets/index.js";

export interface Variant {
  /** As typed, e.g. "jemalloc+narenas=1"; unique within a comparison. */
  label: string;
  allocator: AllocatorName;
  steps: CompositionStep[];
}

/** The allocators compare tries when -a is not given, in this order. */
export const DEFAULT_VARIANT_ALLOCATORS: readonly AllocatorName[] = ["glibc", "jemalloc", "tcmalloc", "mimalloc"];

export function parseVariant(text: string): Variant {
  const label = text.trim();
  const [head, ...modifiers] = label.split("+");
  const allocator = (head ?? "").trim();
  if (allocator === "") throw usageError(`variant "${text}" has no allocator`, `start each variant with one of ${ALLOCATOR_NAMES.join(", ")}`);
  if (!isAllocatorName(allocator)) throw unknownAllocatorError(allocator, "-a");
  const steps = modifiers.map((modifier) => parseModifier(modifier.trim(), label));
  return { label, allocator, steps };
}

function parseModifier(modifier: string, label: string): CompositionStep {
  if (modifier === "") throw usageError(`variant "${label}" has an empty "+" modifier`, "write +KEY=VALUE for an option or +NAME for a preset");
  const equals = modifier.indexOf("=");
  if (equals === 0) throw usageError(`variant "${label}": "+${modifier}" has no option name before "="`, "write +KEY=VALUE, e.g. jemalloc+narenas=1");
  if (equals > 0) return { kind: "conf", text: modifier };
  if (isShortFlag(modifier)) return { kind: "flag", flag: modifier };
  return { kind: "preset", name: modifier };
}

/** Parses every -a value (each may hold several comma-separated variants); labels must be unique. */
export function parseVariantList(values: readonly string[]): Variant[] {
  const variants = values
    .flatMap((value) => value.split(","))
    .map((text) => text.trim())
    .filter((text) => text !== "")
    .map(parseVariant);
  const seen = new Set<string>();
  for (const variant of variants) {
    if (seen.has(variant.label)) throw usageError(`variant "${variant.label}" is listed twice`, "each variant runs once per round; use --runs for more runs");
    seen.add(variant.label);
  }
  return variants;
}

/**
 * Folder names for the variants' runs: the label with anything unsafe in a path
 * replaced, numbered when two labels end up alike.
 */
export function assignFolderNames(labels: readonly string[]): string[] {
  const used = new Set<string>();
  return labels.map((label) => {
    const base = label.replace(/[^A-Za-z0-9._+=-]+/g, "_").replace(/^\.+/, "_").slice(0, 80) || "variant";
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}~${n}`;
    used.add(name);
    return name;
  });
}
