// What `allocrun presets` and `allocrun presets show NAME` print: one row per preset, and
// for one preset everything it sets once its extends are resolved.
import type { AllocatorName } from "../core/allocators.js";
import type { PresetCatalog } from "./catalog.js";
import { composeEnvPlan, type EnvPlan } from "./compose-env-plan.js";
import type { Preset, PresetOrigin, ShortFlag } from "./preset.js";
import { renderPlanVariables } from "./render-environment.js";

export interface PresetRow {
  name: string;
  /** Empty = any allocator. */
  allocators: AllocatorName[];
  flag: ShortFlag | undefined;
  description: string;
  file: string;
  origin: PresetOrigin;
  /** Files of the same name this one replaces (e.g. the shipped preset a user file overrides). */
  overrides: string[];
}

export function listPresets(catalog: PresetCatalog): PresetRow[] {
  return catalog.all().map((preset) => ({
    name: preset.name,
    allocators: preset.allocators,
    flag: preset.flag,
    description: preset.description,
    file: preset.file,
    origin: preset.origin,
    overrides: catalog.shadowedFiles(preset.name),
  }));
}

export interface PresetDescription {
  preset: Preset;
  /** The allocator the plan was composed for. */
  allocator: AllocatorName;
  /** The preset alone (without the allocator's base preset), extends resolved. */
  plan: EnvPlan;
  /** The variables it sets, with symbolic library paths (<jemalloc>) and {out}/{prog} left in. */
  variables: Record<string, string>;
  overrides: string[];
}

/** For an allocator-neutral preset the plan is composed for `allocator` (default glibc). */
export function describePreset(catalog: PresetCatalog, name: string, allocator?: AllocatorName): PresetDescription {
  const preset = catalog.get(name);
  const chosen = allocator ?? preset.allocators[0] ?? "glibc";
  const plan = composeEnvPlan(catalog, chosen, [{ kind: "preset", name }], { withBasePreset: false });
  const variables = renderPlanVariables(plan, {
    libraryPath: (library) => `<${library}>`,
    placeholders: { "{out}": "{out}", "{prog}": "{prog}" },
  });
  return { preset, allocator: chosen, plan, variables, overrides: catalog.shadowedFiles(name) };
}
