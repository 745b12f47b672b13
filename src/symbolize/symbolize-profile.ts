// Names every location of a profile: address → mapping → object file → ELF vaddr (through
// PT_LOAD, profile-formats.md §6.2) → function (exact symbol containment) and, where DWARF
// exists, file:line and inlined frames from one addr2line/llvm-symbolizer batch per object.
// Return addresses are looked up at pc − 1 (§6.1). Results are cached per object on disk.
import { basename } from "node:path";
import { findTool } from "../detect/find-tool.js";
import type { FunctionInfo, Line, Location, Profile } from "../profile/model.js";
import { demangleNames } from "./demangle.js";
import { shortenFunctionName, stripRustHash, stripSymbolVersion } from "./function-names.js";
import { symbolizeWithLineTool, type LineTool, type ToolFrame } from "./line-tools.js";
import { ObjectFile } from "./object-file.js";
import { describeChange, type RecordedObject } from "./recorded-objects.js";
import { resolveObjectPaths, type ObjectPathOptions } from "./object-paths.js";
import { SymbolCache, statStamp, type CachedFrame, type CachedFrames } from "./symbol-cache.js";
import { findOwningPackages, hintFor, type UnsymbolizedObject, type UnsymbolizedReason } from "./unsymbolized-hints.js";
import { isAllocrunError } from "../core/errors.js";
import { copyProfile } from "../profile/sample-columns.js";

export type LineToolChoice = "auto" | "addr2line" | "llvm-symbolizer" | "none";

export interface SymbolizeOptions extends ObjectPathOptions {
  /** PATH used to find addr2line / llvm-symbolizer / c++filt. */
  searchPath: string;
  /** Cache directory ($XDG_CACHE_HOME/allocrun); undefined disables caching. */
  cacheDirectory?: string;
  /** Root of separate debug files, /usr/lib/debug by default. */
  debugRoot?: string;
  lineTool?: LineToolChoice;
  /** Use c++filt when installed (default) or only the native demangler. */
  demangler?: "auto" | "native";
  /** Look up Debian packages for objects without symbols (one dpkg-query call). */
  suggestPackages?: boolean;
  /** The builds the program ran with (a run folder's objects.json), by mapped path. */
  recordedObjects?: ReadonlyMap<string, RecordedObject>;
}

export interface SymbolizedProfile {
  /** The same profile with every location's lines and the functions filled in. */
  profile: Profile;
  /** Objects whose addresses stayed unnamed, with how to get their symbols. */
  unsymbolizedObjects: UnsymbolizedObject[];
  /** Which file was read for each mapping id (after --binary and remapping). */
  objectPaths: Map<number, string | undefined>;
  /** The DWARF tool used, if any. */
  lineTool: LineTool | undefined;
}

/** A location's lookup: which object, at which vaddr (already pc − 1 for return addresses). */
interface Lookup {
  object: ObjectFile;
  vaddr: number;
}

/** What one object yielded before demangling: raw frames per vaddr. */
interface RawResolution {
  object: ObjectFile;
  /** Frames computed now (cache misses). */
  frames: Map<number, ToolFrame[]>;
  /** The object's cache entry as read (hits). */
  cached: CachedFrames;
  /** Names from the symbol table that still need demangling. */
  needsDemangling: Set<string>;
}

function chooseLineTool(choice: LineToolChoice, searchPath: string): LineTool | undefined {
  const order: LineTool["kind"][] = choice === "auto" ? ["addr2line", "llvm-symbolizer"] : choice === "none" ? [] : [choice];
  for (const kind of order) {
    const path = findTool(kind, searchPath);
    if (path !== undefined) return { kind, path };
  }
  return undefined;
}

function backendName(object: ObjectFile, tool: LineTool | undefined): string {
  const dwarf = object.meta.hasDebugInfo && tool !== undefined ? tool.kind : "symtab";
  return `${object.symbolKey}.${dwarf}${object.meta.debugFile !== undefined ? "+dbg" : ""}`;
}

/** Symbolizes one profile; use createSymbolizer to share opened objects across several. */
export async function symbolizeProfile(profile: Profile, options: SymbolizeOptions): Promise<SymbolizedProfile> {
  return createSymbolizer(options).symbolize(profile);
}

export interface Symbolizer {
  /** `recordedObjects` (a run folder's objects.json) replaces the one in the options. */
  symbolize(profile: Profile, recordedObjects?: ReadonlyMap<string, RecordedObject>): Promise<SymbolizedProfile>;
}

/** A symbolizer that opens each object once, for a profile and its base or a whole series. */
export function createSymbolizer(options: SymbolizeOptions): Symbolizer {
  const cache = new SymbolCache(options.cacheDirectory);
  const tool = chooseLineTool(options.lineTool ?? "auto", options.searchPath);
  const objects = new Map<string, ObjectFile | UnsymbolizedReason>();
  const openObject = (path: string): ObjectFile | UnsymbolizedReason => {
    let object = objects.get(path);
    if (object === undefined) {
      try {
        object = ObjectFile.open(path, cache, options.debugRoot) ?? "missing";
      } catch (error) {
        if (!isAllocrunError(error)) throw error;
        object = "unreadable";
      }
      objects.set(path, object);
    }
    return object;
  };
  return {
    symbolize: (profile, recordedObjects) => symbolizeWith(profile, recordedObjects === undefined ? options : { ...options, recordedObjects }, cache, tool, openObject),
  };
}

async function symbolizeWith(
  profile: Profile,
  options: SymbolizeOptions,
  cache: SymbolCache,
  tool: LineTool | undefined,
  openObject: (path: string) => ObjectFile | UnsymbolizedReason,
): Promise<SymbolizedProfile> {
  const objectPaths = resolveObjectPaths(profile.mappings, options);
  const mappings = new Map(profile.mappings.map((mapping) => [mapping.id, mapping]));

  const lookups = new Map<number, Lookup>();
  const failedObjects = new Map<string, FailureEntry>();
  /** Labels of addresses in objects rebuilt since the profile: named by file offset only. */
  const staleLabels = new Map<number, string>();
  const changes = new Map<number, string | undefined>();
  for (const location of profile.locations) {
    // Already symbolized where the profile was made (pprof from Go): kept as it is.
    if (location.lines.length > 0) continue;
    const mapping = mappings.get(location.mappingId) ?? profile.mappings.find((m) => location.address >= m.start && location.address < m.limit);
    const path = mapping === undefined ? undefined : objectPaths.get(mapping.id);
    if (mapping === undefined || path === undefined) continue;
    const object = openObject(path);
    if (typeof object === "string") {
      noteFailure(failedObjects, mapping.file, object, location.address);
      continue;
    }
    if (!changes.has(mapping.id)) changes.set(mapping.id, changeSinceProfiled(options.recordedObjects?.get(mapping.file), object, path === mapping.file));
    const change = changes.get(mapping.id);
    if (change !== undefined) {
      const fileOffset = location.address - mapping.start + mapping.offset;
      staleLabels.set(location.id, `${basename(mapping.file)}+0x${fileOffset.toString(16)}`);
      noteFailure(failedObjects, mapping.file, "changed", location.address, path, change);
      continue;
    }
    const vaddr = object.fileOffsetToVaddr(location.address - mapping.start + mapping.offset);
    if (vaddr === undefined) continue;
    lookups.set(location.id, { object, vaddr: location.isReturnAddress ? vaddr - 1 : vaddr });
  }

  // Objects without a symbol table may need a debug-package hint, asked of dpkg below.
  const symbolless = new Set([...lookups.values()].filter(({ object }) => !object.meta.hasSymtab).map(({ object }) => object.path));

  const byObject = new Map<ObjectFile, Set<number>>();
  for (const { object, vaddr } of lookups.values()) {
    let set = byObject.get(object);
    if (set === undefined) byObject.set(object, (set = new Set()));
    set.add(vaddr);
  }
  const resolutions = await resolveObjects([...byObject].map(([object, vaddrs]) => startObject(object, [...vaddrs].sort((a, b) => a - b), cache, tool)));
  const rawNames = new Set<string>();
  for (const resolution of resolutions) for (const name of resolution.needsDemangling) rawNames.add(name);
  const cxxfilt = options.demangler === "native" ? undefined : findTool("c++filt", options.searchPath);
  const demangled = await demangleNames(rawNames, cxxfilt);

  const resolved = new Map<ObjectFile, Map<number, CachedFrame[]>>();
  for (const resolution of resolutions) {
    const { cached } = resolution;
    let changed = false;
    const frames = new Map<number, CachedFrame[]>();
    for (const [key, hit] of Object.entries(cached)) frames.set(parseInt(key, 16), hit);
    for (const [vaddr, raw] of resolution.frames) {
      const key = vaddr.toString(16);
      const finished = raw.map((frame): CachedFrame => [displayName(frame.function ?? "??", demangled), frame.file, frame.line]);
      frames.set(vaddr, finished);
      cached[key] = finished;
      changed = true;
    }
    if (changed) cache.writeFrames(backendName(resolution.object, tool), cached);
    resolved.set(resolution.object, frames);
  }

  const built = buildSymbolizedTables(profile, lookups, resolved, mappings, failedObjects, staleLabels);
  // Only for objects that left addresses unnamed: dpkg-query reads the whole package
  // database (~40 ms), for nothing when .dynsym named every address.
  const hinted = [...failedObjects].map(([path, entry]) => entry.objectPath ?? path).filter((path) => symbolless.has(path));
  const owners = options.suggestPackages === false || hinted.length === 0 ? new Map<string, string>() : await lookUpOwners([...new Set(hinted)], cache);
  const unsymbolizedObjects = describeFailures(failedObjects, owners);
  return { profile: built, unsymbolizedObjects, objectPaths, lineTool: tool };
}

/** Unnamed addresses of one object, keyed by the path the profile named. */
interface FailureEntry {
  reason: UnsymbolizedReason;
  addresses: Set<number>;
  /** The file actually read, when there was one (remapped paths differ). */
  objectPath?: string;
  /** What changed, for objects rebuilt since the profile. */
  detail?: string;
}

function noteFailure(failures: Map<string, FailureEntry>, path: string, reason: UnsymbolizedReason, address: number, objectPath?: string, detail?: string): void {
  let entry = failures.get(path);
  if (entry === undefined) failures.set(path, (entry = { reason, addresses: new Set(), objectPath, detail }));
  entry.addresses.add(address);
}

/** Why the file read for a mapping is not the build the program ran with, if it is not. */
function changeSinceProfiled(recorded: RecordedObject | undefined, object: ObjectFile, isSamePath: boolean): string | undefined {
  if (recorded === undefined) return undefined;
  return describeChange(recorded, { buildId: object.meta.buildId, bytes: object.stamp.size, mtimeMs: object.stamp.mtimeMs }, isSamePath);
}

function displayName(name: string, demangled: Map<string, string>): string {
  const unversioned = stripSymbolVersion(name);
  // addr2line -C keeps Rust's legacy hash segment; c++filt output is already stripped.
  return shortenFunctionName(stripRustHash(demangled.get(unversioned) ?? unversioned));
}

/** An object whose cache misses are being resolved: the DWARF tool may be running. */
interface PendingObject {
  object: ObjectFile;
  cached: CachedFrames;
  missing: number[];
  fromTool: Promise<Map<number, ToolFrame[]> | undefined> | undefined;
}

/** Reads the object's cache entry and starts its DWARF tool for the misses. */
function startObject(object: ObjectFile, vaddrs: number[], cache: SymbolCache, tool: LineTool | undefined): PendingObject {
  const cached: CachedFrames = cache.readFrames(backendName(object, tool));
  const missing = vaddrs.filter((vaddr) => cached[vaddr.toString(16)] === undefined);
  const described = tool === undefined ? [] : missing.filter((vaddr) => object.hasDwarfFor(vaddr));
  return { object, cached, missing, fromTool: tool !== undefined && described.length > 0 ? symbolizeWithLineTool(tool, object.dwarfPath, described) : undefined };
}

/**
 * Frames for the cache misses of every object. All DWARF tools are started first, so
 * reading the symbol tables (synchronous) overlaps with them.
 */
async function resolveObjects(pending: PendingObject[]): Promise<RawResolution[]> {
  const symbols = pending.map(({ object, missing }) => new Map(missing.map((vaddr) => [vaddr, object.findFunctionSymbol(vaddr)])));
  return Promise.all(
    pending.map(async ({ object, cached, missing, fromTool }, index) => {
      const frames = new Map<number, ToolFrame[]>();
      const needsDemangling = new Set<string>();
      const toolFrames = await fromTool;
      for (const vaddr of missing) {
        const chain = toolFrames?.get(vaddr) ?? [];
        const outer = chain[chain.length - 1];
        // DWARF answered (a function with a source file): trust its names and inline chain.
        if (outer !== undefined && outer.function !== undefined && outer.file !== "") {
          frames.set(vaddr, chain.map((frame) => ({ ...frame, function: frame.function ?? "??" })));
          continue;
        }
        const symbol = symbols[index]?.get(vaddr);
        if (symbol === undefined) {
          frames.set(vaddr, []);
          continue;
        }
        needsDemangling.add(stripSymbolVersion(symbol.name));
        frames.set(vaddr, [{ function: symbol.name, file: "", line: 0 }]);
      }
      return { object, frames, cached, needsDemangling };
    }),
  );
}

function buildSymbolizedTables(
  profile: Profile,
  lookups: Map<number, Lookup>,
  resolved: Map<ObjectFile, Map<number, CachedFrame[]>>,
  mappings: Map<number, Profile["mappings"][number]>,
  failures: Map<string, FailureEntry>,
  staleLabels: Map<number, string>,
): Profile {
  const functions: FunctionInfo[] = [];
  const functionIds = new Map<string, number>();
  const functionId = (name: string, filename: string): number => {
    const key = `${name}\0${filename}`;
    let id = functionIds.get(key);
    if (id === undefined) {
      id = functions.length + 1;
      functionIds.set(key, id);
      functions.push({ id, name, systemName: name, filename });
    }
    return id;
  };
  const givenFunctions = new Map(profile.functions.map((fn) => [fn.id, fn]));
  const locations = profile.locations.map((location): Location => {
    if (location.lines.length > 0) {
      const lines = location.lines.map((line) => {
        const fn = givenFunctions.get(line.functionId);
        return { functionId: functionId(fn?.name ?? "??", fn?.filename ?? ""), line: line.line };
      });
      return { ...location, lines };
    }
    const lookup = lookups.get(location.id);
    const frames = lookup === undefined ? undefined : resolved.get(lookup.object)?.get(lookup.vaddr);
    let lines: Line[];
    if (frames !== undefined && frames.length > 0) {
      lines = frames.map(([name, file, line]) => ({ functionId: functionId(name, file), line }));
    } else {
      const mapping = mappings.get(location.mappingId);
      const label =
        lookup !== undefined
          ? `${basename(mapping?.file ?? lookup.object.path)}+0x${unnamedFunctionStart(lookup).toString(16)}`
          : (staleLabels.get(location.id) ?? `0x${location.address.toString(16)}`);
      // Objects with a full symbol table are not "missing symbols" (a PLT stub, a gap).
      if (lookup !== undefined && mapping !== undefined && !lookup.object.meta.hasSymtab) {
        noteFailure(failures, mapping.file, "stripped", location.address, lookup.object.path);
      }
      lines = [{ functionId: functionId(label, ""), line: 0 }];
    }
    return { ...location, lines };
  });
  return copyProfile(profile, { locations, functions });
}

/** Where an unnamed address's function starts by the unwind tables, else the address itself:
 * one row per function of a stripped object instead of one per address. */
function unnamedFunctionStart({ object, vaddr }: Lookup): number {
  return object.findUnwindFunctionStart(vaddr) ?? vaddr;
}

function describeFailures(failures: Map<string, FailureEntry>, owners: Map<string, string>): UnsymbolizedObject[] {
  const paths = [...failures.keys()].sort();
  return paths.map((path) => {
    const { reason, addresses, objectPath, detail } = failures.get(path) as FailureEntry;
    const hint = hintFor(reason, owners.get(objectPath ?? path));
    return { path, reason, addresses: addresses.size, hint: detail === undefined ? hint : `${detail}: ${hint}` };
  });
}

/** Owning packages, from the cache while the files are unchanged, else one dpkg-query. */
async function lookUpOwners(paths: string[], cache: SymbolCache): Promise<Map<string, string>> {
  const known = cache.readPackageOwners();
  const stampOf = (path: string) => {
    const stamp = statStamp(path);
    return stamp === undefined ? "" : `${stamp.size}:${stamp.mtimeMs}:${stamp.ino}`;
  };
  const unknown = paths.filter((path) => known[path]?.stamp !== stampOf(path));
  if (unknown.length > 0) {
    const found = await findOwningPackages(unknown);
    for (const path of unknown) known[path] = { stamp: stampOf(path), owner: found.get(path) ?? null };
    cache.writePackageOwners(known);
  }
  const owners = new Map<string, string>();
  for (const path of paths) {
    const owner = known[path]?.owner;
    if (owner) owners.set(path, owner);
  }
  return owners;
}
