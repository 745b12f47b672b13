// The short flags (--prof, --stats, ...) are presets chosen by meaning: the preset of the
// chosen allocator that declares the flag. When the allocator has nothing of the kind,
// the error says which allocator and flag would do it instead.
import { ALLOCATOR_NAMES, type AllocatorName } from "../core/allocators.js";
import { usageError } from "../core/errors.js";
import type { PresetCatalog } from "./catalog.js";
import { joinAlternatives } from "../core/closest-names.js";
import type { Preset, PresetOrigin, ShortFlag } from "./preset.js";

/** Flags that ask for the same thing; the first is preferred. jemalloc's heap profile is prof, gperftools' is heap-profile. */
const FLAG_SYNONYMS: Record<ShortFlag, ShortFlag[]> = {
  prof: ["prof", "heap-profile"],
  "heap-profile": ["heap-profile", "prof"],
  stats: ["stats"],
  "leak-check": ["leak-check"],
  "cpu-prof": ["cpu-prof"],
  periodic: ["periodic"],
};

const CAPABILITY: Record<ShortFlag, string> = {
  prof: "heap profiler",
  "heap-profile": "heap profiler",
  stats: "exit statistics",
  "leak-check": "leak checker",
  "cpu-prof": "CPU profiler",
  periodic: "periodic heap dumps",
};

const ORIGIN_RANK: Record<PresetOrigin, number> = { shipped: 0, user: 1, project: 2, extra: 3 };

export function presetFitsAllocator(preset: Preset, allocator: AllocatorName): boolean {
  return preset.allocators.length === 0 || preset.allocators.includes(allocator);
}

/** The preset that implements `--<flag>` for this allocator; a usage error naming alternatives if none does. */
export function resolveFlagPreset(catalog: PresetCatalog, allocator: AllocatorName, flag: ShortFlag): Preset {
  const presets = catalog.all();
  const found = findFlagPreset(presets, allocator, flag);
  if (found) return found;
  const alternatives = ALLOCATOR_NAMES.filter((other) => other !== allocator).flatMap((other) => {
    const preset = findFlagPreset(presets, other, flag);
    return preset ? [`--${other} --${preset.flag}`] : [];
  });
  if (alternatives.length === 0) {
    throw usageError(`no preset implements --${flag}`, `write one with "flag": "${flag}" (see \`allocrun presets\`)`);
  }
  throw usageError(`${allocator} has no ${CAPABILITY[flag]}: use ${joinAlternatives(alternatives)}`, `or drop --${flag}; \`allocrun presets\` lists what each allocator offers`);
}

function findFlagPreset(presets: readonly Preset[], allocator: AllocatorName, flag: ShortFlag): Preset | undefined {
  for (const wanted of FLAG_SYNONYMS[flag]) {
    const candidates = presets.filter((preset) => preset.flag === wanted && presetFitsAllocator(preset, allocator));
    // A preset made for this allocator beats an allocator-neutral one; then the user's own beat shipped ones.
    candidates.sort(
      (a, b) =>
        Number(b.allocators.length > 0) - Number(a.allocators.length > 0) ||
        ORIGIN_RANK[b.origin] - ORIGIN_RANK[a.origin] ||
        a.name.localeCompare(b.name),
    );
    if (candidates[0]) return candidates[0];
  }
  return undefined;
}
