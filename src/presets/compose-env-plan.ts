// Composes presets, short flags, --conf, -e and --env-file into one EnvPlan, in the order
// the user gave them, merging by meaning: allocator options key by key (later wins, first
// position kept), LD_PRELOAD as a de-duplicated list with the allocator first, any other
// variable later-wins. A user's own MALLOC_CONF / GLIBC_TUNABLES / LD_PRELOAD is parsed
// and merged the same way, never pasted over what the presets set.
import { closeSync, openSync, readSync } from "node:fs";
import type { AllocatorName, LibraryName } from "../core/allocators.js";
import { inputError, usageError } from "../core/errors.js";
import { packagePath } from "../core/package-root.js";
import type { PresetCatalog } from "./catalog.js";
import { findClosestNames, joinAlternatives } from "../core/closest-names.js";
import { checkConfKey, describeReplacedInherited, listCarrierVariable, normalizeConfKey, parseConfText, readConfVariable, type ConfEntries } from "./conf-dialects.js";
import { presetFitsAllocator, resolveFlagPreset } from "./flag-presets.js";
import { describeReplacedProfPrefix, PROF_PREFIX } from "./replaced-prof-prefix.js";
import type { ArtifactHint, Preset, ShortFlag } from "./preset.js";

/** One step of composition, in the order the user typed it. */
export type CompositionStep =
  | { kind: "preset"; name: string }
  | { kind: "flag"; flag: ShortFlag }
  | { kind: "conf"; text: string }
  | { kind: "env"; text: string }
  | { kind: "env-file"; path: string };

export interface EnvPlan {
  allocator: AllocatorName;
  /** Presets in the order they were applied (extended ones before those extending them). */
  presetsApplied: string[];
  /** Logical libraries to preload, the allocator's own first. */
  preload: LibraryName[];
  /** Library paths the user preloaded through -e LD_PRELOAD=..., after ours. */
  extraPreloadPaths: string[];
  /** Allocator options, normalized keys (glibc: full tunable names; mimalloc/tcmalloc: lower case without prefix). */
  conf: ConfEntries;
  /** Other variables; values may contain {out} and {prog}. */
  env: Record<string, string>;
  artifactHints: ArtifactHint[];
  /** Things that will not fail the run but probably are mistakes (unknown option names). */
  warnings: string[];
}

export interface ComposeOptions {
  /** Apply the allocator's base preset (named like the allocator) first. Default true. */
  withBasePreset?: boolean;
  /**
   * The caller's environment: its MALLOC_CONF / GLIBC_TUNABLES, which the run's own would
   * replace whole, is kept key by key under what the command line sets.
   */
  inheritedEnv?: NodeJS.ProcessEnv;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function composeEnvPlan(catalog: PresetCatalog, allocator: AllocatorName, steps: readonly CompositionStep[], options: ComposeOptions = {}): EnvPlan {
  const builder = new PlanBuilder(catalog, allocator);
  const base = options.withBasePreset === false ? undefined : catalog.find(allocator);
  if (base) builder.applyPreset(base, []);
  const carrier = listCarrierVariable(allocator);
  const inherited = carrier === undefined ? undefined : options.inheritedEnv?.[carrier];
  if (carrier !== undefined && inherited !== undefined) builder.applyInherited(carrier, inherited);
  for (const step of steps) builder.applyStep(step);
  builder.noteReplacedInherited();
  return builder.plan;
}

class PlanBuilder {
  readonly plan: EnvPlan;

  constructor(
    private readonly catalog: PresetCatalog,
    private readonly allocator: AllocatorName,
  ) {
    this.plan = {
      allocator,
      presetsApplied: [],
      preload: allocator === "glibc" ? [] : [allocator],
      extraPreloadPaths: [],
      conf: [],
      env: {},
      artifactHints: [],
      warnings: [],
    };
  }

  applyStep(step: CompositionStep): void {
    switch (step.kind) {
      case "preset":
        return this.applyPreset(this.catalog.get(step.name), []);
      case "flag":
        return this.applyPreset(resolveFlagPreset(this.catalog, this.allocator, step.flag), []);
      case "conf":
        for (const [key, value] of parseConfText(this.allocator, step.text, `--conf "${step.text}"`)) this.setConf(key, value, `--conf "${step.text}"`);
        return;
      case "env": {
        const at = step.text.indexOf("=");
        const name = at > 0 ? step.text.slice(0, at) : "";
        if (!ENV_NAME.test(name)) throw usageError(`-e "${step.text}": expected NAME=VALUE`, "for example -e MALLOC_ARENA_MAX=2");
        return this.setVariable(name, step.text.slice(at + 1), `-e ${name}`);
      }
      case "env-file":
        for (const [name, value] of Object.entries(readEnvFile(step.path))) {
          if (!ENV_NAME.test(name)) throw inputError(`--env-file ${step.path}: "${name}" is not a valid variable name`, "names are letters, digits and _, not starting with a digit");
          this.setVariable(name, value, `--env-file ${step.path}: ${name}`);
        }
        return;
    }
  }

  /** Applies a preset after the presets it extends; a preset already applied is skipped, so later settings are not undone. */
  applyPreset(preset: Preset, extendedBy: readonly Preset[]): void {
    if (this.plan.presetsApplied.includes(preset.name)) return;
    if (!presetFitsAllocator(preset, this.allocator)) throw this.wrongAllocatorError(preset, extendedBy);
    const chain = [...extendedBy, preset];
    preset.extends.forEach((name, index) => {
      const cycleStart = chain.findIndex((link) => link.name === name);
      if (cycleStart >= 0) {
        const cycle = [...chain.slice(cycleStart).map((link) => link.name), name].join(" → ");
        throw inputError(`${preset.file}: field "extends[${index}]" makes a cycle: ${cycle}`, "remove one of the extends");
      }
      const parent = this.catalog.find(name);
      if (!parent) {
        const close = findClosestNames(name, this.catalog.names());
        throw inputError(`${preset.file}: field "extends[${index}]" names an unknown preset "${name}"`, close.length ? `did you mean ${close.join(", ")}?` : "`allocrun presets` lists the presets");
      }
      this.applyPreset(parent, chain);
    });
    for (const [key, value] of preset.conf) {
      const normalized = normalizeConfKey(this.allocator, key);
      if (normalized === undefined) throw inputError(`${preset.file}: field "conf.${key}" is not a valid ${this.allocator} option name`, "option names are letters, digits and _");
      this.setConf(normalized, value);
    }
    for (const [name, value] of preset.env) this.setVariable(name, value, `${preset.file}: env.${name}`, false);
    for (const library of preset.preload) if (!this.plan.preload.includes(library)) this.plan.preload.push(library);
    for (const hint of preset.artifacts) {
      if (!this.plan.artifactHints.some((known) => known.kind === hint.kind && known.glob === hint.glob)) this.plan.artifactHints.push(hint);
    }
    this.plan.presetsApplied.push(preset.name);
  }

  /** Options the caller's environment already sets; a command-line setting that differs is said in a warning. */
  private readonly inheritedConf = new Map<string, string>();

  applyInherited(name: string, value: string): void {
    const source = `${name} in your environment`;
    let conf: ConfEntries | undefined;
    try {
      conf = readConfVariable(this.allocator, name, value, source);
    } catch {
      return; // not ours to judge: the allocator itself complains about its malformed variable
    }
    for (const [key, confValue] of conf ?? []) {
      this.setConf(key, confValue, source);
      this.inheritedConf.set(key, confValue);
    }
  }

  /** Says which of the caller's own options the command line set otherwise (prof_prefix has its own warning). */
  noteReplacedInherited(): void {
    for (const [key, inherited] of this.inheritedConf) {
      const value = this.plan.conf.find(([known]) => known === key)?.[1];
      if (key !== PROF_PREFIX && value !== undefined && value !== inherited) this.plan.warnings.push(describeReplacedInherited(this.allocator, key, inherited, value));
    }
  }

  /** `userSource` names where the user gave this option; presets give none. */
  private setConf(key: string, value: string, userSource?: string): void {
    const existing = this.plan.conf.find(([known]) => known === key);
    if (key === PROF_PREFIX) this.noteProfPrefix(existing?.[1], value, userSource);
    if (existing) existing[1] = value;
    else this.plan.conf.push([key, value]);
    const warning = checkConfKey(this.allocator, key);
    if (warning && !this.plan.warnings.includes(warning)) this.plan.warnings.push(warning);
  }

  /** Where the user's own prof_prefix came from, until a preset replaces it (said in a warning). */
  private userProfPrefixSource: string | undefined;

  private noteProfPrefix(previous: string | undefined, value: string, userSource: string | undefined): void {
    if (userSource !== undefined) {
      this.userProfPrefixSource = userSource;
      return;
    }
    if (this.userProfPrefixSource === undefined || previous === undefined || previous === value) return;
    this.plan.warnings.push(describeReplacedProfPrefix(previous, this.userProfPrefixSource, value));
    this.userProfPrefixSource = undefined;
  }

  /** A variable by meaning: LD_PRELOAD extends the list, the allocator's option variables merge key by key. */
  private setVariable(name: string, value: string, source: string, isUsers = true): void {
    if (name === "LD_PRELOAD") {
      for (const path of value.split(/[\s:]+/)) {
        if (path !== "" && !this.plan.extraPreloadPaths.includes(path)) this.plan.extraPreloadPaths.push(path);
      }
      return;
    }
    const conf = readConfVariable(this.allocator, name, value, source);
    if (conf) {
      for (const [key, confValue] of conf) this.setConf(key, confValue, isUsers ? source : undefined);
      return;
    }
    this.plan.env[name] = value;
  }

  private wrongAllocatorError(preset: Preset, extendedBy: readonly Preset[]) {
    const via = extendedBy.length ? ` (extended by "${extendedBy[extendedBy.length - 1]?.name}")` : "";
    const own = this.catalog
      .all()
      .filter((other) => other.allocators.includes(this.allocator) && other.name !== this.allocator)
      .map((other) => other.name);
    const choose = joinAlternatives(preset.allocators.map((name) => `--${name}`));
    return usageError(
      `preset "${preset.name}"${via} is for ${preset.allocators.join(", ")}, not ${this.allocator}`,
      `use ${choose}${own.length ? `, or a ${this.allocator} preset: ${own.join(", ")}` : ""}`,
    );
  }
}

/** Variables of a dotenv file, parsed by the dotenv package (loaded only when a file is given). */
function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readBoundedText(path, MAX_ENV_FILE_BYTES);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EFBIG" ? `larger than ${MAX_ENV_FILE_BYTES / 1024 / 1024} MiB, not a dotenv file` : (error as Error).message;
    throw inputError(`--env-file ${path}: ${reason}`, "check the path (relative paths start at the current directory)", error);
  }
  // node:module is fetched here, not imported: loading it costs the run path ~0.3 ms.
  const dotenv = process.getBuiltinModule("node:module").createRequire(packagePath("package.json"))("dotenv") as typeof import("dotenv");
  return dotenv.parse(text);
}

/** A dotenv file is small; /dev/zero or a mistyped log file must not be read forever. */
const MAX_ENV_FILE_BYTES = 1024 * 1024;

/** Reads a file, or a pipe such as `<(vault read …)`, failing with EFBIG past `limit` bytes. */
function readBoundedText(path: string, limit: number): string {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (let read = 1; read > 0 && length <= limit; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > limit) throw Object.assign(new Error("file too large"), { code: "EFBIG" });
    return buffer.toString("utf8", 0, length);
  } finally {
    closeSync(fd);
  }
}
