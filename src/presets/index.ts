// The preset system's public surface: find presets, compose them with flags into an
// EnvPlan, render the variables, print them. Only node: builtins are imported (run path).
export { SHORT_FLAGS, isShortFlag, type ShortFlag, type Preset, type PresetOrigin, type ArtifactHint } from "./preset.js";
export { loadPresetCatalog, listPresetSearchDirs, PresetCatalog, SHIPPED_PRESETS_DIR, type PresetCatalogOptions, type PresetSearchDir } from "./catalog.js";
export { composeEnvPlan, type CompositionStep, type EnvPlan, type ComposeOptions } from "./compose-env-plan.js";
export { resolveFlagPreset } from "./flag-presets.js";
export { renderEnvironment, type RenderOptions } from "./render-environment.js";
export { ENVIRONMENT_FORMATS, formatEnvironment, quoteForShell, type EnvironmentFormat } from "./format-environment.js";
export { listPresets, describePreset, type PresetRow, type PresetDescription } from "./describe-presets.js";
export { isMemoryVariable, isLocaleVariable, redactVariables, REDACTED_VALUE } from "./memory-variables.js";
