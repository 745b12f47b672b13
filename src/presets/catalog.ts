// Finds preset files. Shipped presets come first, then the user's
// (~/.config/allocrun/presets), then the project's (./.allocrun/presets), then any extra
// directories; a later file replaces an earlier one of the same name. Only the directory
// listings are read up front; a file is parsed when its preset is first asked for.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { inputError, usageError } from "../core/errors.js";
import { findClosestNames } from "../core/closest-names.js";
import { homeDirectory } from "../core/lazy-builtins.js";
import { packagePath } from "../core/package-root.js";
import { parsePresetText, type PresetSource } from "./parse-preset.js";
import type { Preset, PresetOrigin } from "./preset.js";

/** presets/ at the package root: src/presets/catalog.ts and dist/presets/catalog.js both sit two levels below it. */
export const SHIPPED_PRESETS_DIR = `${packagePath("presets")}/`;

export interface PresetCatalogOptions {
  /** Directory whose .allocrun/presets is searched (default: process.cwd()). */
  cwd?: string;
  /** Home directory (default: $HOME, else os.homedir()). */
  home?: string;
  /** Environment for XDG_CONFIG_HOME (default: process.env). */
  env?: Record<string, string | undefined>;
  /** More directories, searched last (they win over all others). */
  extraDirs?: string[];
  /** Replaces the shipped directory (tests). */
  shippedDir?: string;
}

export interface PresetSearchDir {
  dir: string;
  origin: PresetOrigin;
}

interface CatalogEntry extends PresetSource {
  /** Files of the same name this one replaces, lowest precedence first. */
  shadowed: string[];
}

export class PresetCatalog {
  private readonly parsed = new Map<string, Preset>();

  constructor(
    /** Searched directories, lowest precedence first. */
    readonly searchDirs: readonly PresetSearchDir[],
    private readonly entries: ReadonlyMap<string, CatalogEntry>,
  ) {}

  /** All preset names, sorted. */
  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** The preset of this name, or undefined; throws an input error if its file is malformed. */
  find(name: string): Preset | undefined {
    const cached = this.parsed.get(name);
    if (cached) return cached;
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    const preset = parsePresetText(readPresetFile(entry.file), entry);
    this.parsed.set(name, preset);
    return preset;
  }

  /** The preset of this name; an unknown name is a usage error suggesting close names. */
  get(name: string): Preset {
    const preset = this.find(name);
    if (preset) return preset;
    const close = findClosestNames(name, this.entries.keys());
    const suggestion = close.length > 0 ? `did you mean ${close.join(", ")}? ` : "";
    throw usageError(`unknown preset "${name}"`, `${suggestion}presets are searched in ${this.searchDirs.map((d) => d.dir).join(", ")}; \`allocrun presets\` lists them`);
  }

  /** Every preset, parsed, sorted by name. */
  all(): Preset[] {
    return this.names().map((name) => this.get(name));
  }

  /** The files a preset of this name replaces (same name in directories searched earlier). */
  shadowedFiles(name: string): string[] {
    return [...(this.entries.get(name)?.shadowed ?? [])];
  }
}

/** Lists the preset directories (missing ones are fine) and indexes their .json files by name. */
export function loadPresetCatalog(options: PresetCatalogOptions = {}): PresetCatalog {
  const searchDirs = listPresetSearchDirs(options);
  const entries = new Map<string, CatalogEntry>();
  for (const { dir, origin } of searchDirs) {
    for (const fileName of listJsonFiles(dir)) {
      const name = fileName.slice(0, -".json".length);
      const file = join(dir, fileName);
      const previous = entries.get(name);
      const shadowed = previous ? [...previous.shadowed, previous.file] : [];
      entries.set(name, { name, file, origin, shadowed });
    }
  }
  return new PresetCatalog(searchDirs, entries);
}

export function listPresetSearchDirs(options: PresetCatalogOptions = {}): PresetSearchDir[] {
  const env = options.env ?? process.env;
  const home = options.home ?? homeDirectory();
  const cwd = options.cwd ?? process.cwd();
  // XDG says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME;
  const configHome = xdg && isAbsolute(xdg) ? xdg : join(home, ".config");
  return [
    { dir: options.shippedDir ?? SHIPPED_PRESETS_DIR, origin: "shipped" },
    { dir: join(configHome, "allocrun", "presets"), origin: "user" },
    { dir: join(cwd, ".allocrun", "presets"), origin: "project" },
    ...(options.extraDirs ?? []).map((dir): PresetSearchDir => ({ dir, origin: "extra" })),
  ];
}

function listJsonFiles(dir: string): string[] {
  // Most search directories do not exist: a failed readdir builds an error with its stack.
  if (!existsSync(dir)) return [];
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && entry.name.endsWith(".json") && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw inputError(`cannot read the preset directory ${dir}: ${(error as Error).message}`, "fix its permissions or remove it", error);
  }
}

function readPresetFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw inputError(`cannot read the preset file ${file}: ${(error as Error).message}`, "fix its permissions or remove it", error);
  }
}
