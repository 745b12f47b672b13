// Finding the shared library to preload (distro-paths.md §4): --lib, then
// ALLOCRUN_<NAME>_LIB, then `ldconfig -p`, then the family's library directories.
// Every candidate is checked (ELF, shared object, class/machine/libc of the program)
// before it is trusted. The core works on a SystemView so per-distribution behaviour
// is testable with sample texts; locateLibrary wraps it for this machine.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename } from "node:path";
import type { LibraryName } from "../core/allocators.js";
import { environmentError, inputError, isAllocrunError } from "../core/errors.js";
import { findPreloadMismatches, loaderFamily } from "../elf/loader.js";
import { elfMachineName } from "../elf/machine.js";
import { hasElfMagic, parseElf } from "../elf/parse-elf.js";
import type { ElfFile, ElfIdentity } from "../elf/types.js";
import { parseLdconfigCache, readLdconfigCache, selectLdconfigEntries, type LdconfigEntry } from "./ldconfig.js";
import { readLdSoCache } from "./ld-so-cache.js";
import { defaultElfFactsCache, type ElfFactsCache } from "./elf-facts-cache.js";
import { hostElfMachine, multiarchTriplet, multiarchTripletForElf } from "./multiarch.js";
import { distroFamily, parseOsRelease, readOsRelease, type DistroFamily, type OsRelease } from "./os-release.js";
import { installHint, LIBRARY_SONAMES, libraryEnvVariable } from "./packages.js";
import { homeDirectory } from "../core/lazy-builtins.js";

/** Everything locateLibraryIn needs to know about a machine. */
export interface SystemView {
  /** Parsed /etc/os-release, or its text; undefined when absent. */
  osRelease: OsRelease | string | undefined;
  /** Output of `ldconfig -p`, or undefined when there is no ldconfig (musl, NixOS). Called lazily. */
  ldconfigText: string | undefined | (() => string | undefined);
  /** The loader cache already parsed (what `ldconfig -p` lists); preferred over ldconfigText. */
  ldconfigEntries?: (sonames: readonly string[]) => LdconfigEntry[] | undefined;
  fileExists(path: string): boolean;
  realpath(path: string): string;
  /** The whole file, or undefined when it cannot be read. */
  readFile(path: string): Buffer | undefined;
  /** node's process.arch of the host ("x64", "arm64"). */
  arch: string;
  /** The environment the program will run with (ALLOCRUN_*_LIB, LD_LIBRARY_PATH). */
  env: Record<string, string | undefined>;
  homeDir: string | undefined;
  /** Headers of candidates kept from earlier runs (the machine's view); absent: always parse. */
  elfFacts?: ElfFactsCache;
}

export type TargetElf = ElfIdentity & Partial<Pick<ElfFile, "interpreter" | "needed">>;

export interface LocateLibraryOptions {
  /** A path the user gave explicitly (--lib PATH). */
  explicitPath?: string;
  /** The option the explicit path came from, for messages. Default "--lib". */
  explicitFlag?: string;
  /** The program the library will be preloaded into: class, machine and libc must match. */
  target?: TargetElf;
}

export type LibrarySource = "flag" | "env" | "ldconfig" | "search-path";

export interface LibraryLocation {
  name: LibraryName;
  /** Real path (symlinks resolved): what /proc/<pid>/maps will show. */
  path: string;
  soname: string;
  source: LibrarySource;
}

type Expectation = { bits: 32 | 64; machine: number; flags: number; target: TargetElf | undefined };
type Verdict = { ok: true; elf: ElfFile } | { ok: false; reason: string };

const describeArch = (bits: number, machine: number): string => `${bits}-bit ${elfMachineName(machine)}`;

/** Why a file cannot be preloaded into the expected program, or the parsed library. */
function checkCandidate(view: SystemView, path: string, expected: Expectation | undefined): Verdict {
  const facts = view.elfFacts?.open(path);
  const known = facts?.knownElf();
  const verdict = known === undefined ? readCandidate(view, path) : { ok: true as const, elf: known };
  if (!verdict.ok) return verdict;
  if (known === undefined && facts !== undefined) {
    facts.rememberElf(verdict.elf);
    facts.save();
  }
  return matchCandidate(verdict.elf, expected);
}

function readCandidate(view: SystemView, path: string): Verdict {
  const buffer = view.readFile(path);
  if (buffer === undefined) return { ok: false, reason: "cannot be read" };
  if (!hasElfMagic(buffer)) return { ok: false, reason: "is not an ELF file" };
  let elf: ElfFile;
  try {
    elf = parseElf(buffer, path);
  } catch (error) {
    if (isAllocrunError(error)) return { ok: false, reason: "is a damaged ELF file" };
    throw error;
  }
  return { ok: true, elf };
}

function matchCandidate(elf: ElfFile, expected: Expectation | undefined): Verdict {
  if (elf.type !== "dyn") return { ok: false, reason: "is not a shared library" };
  if (expected === undefined) return { ok: true, elf };
  const program = { bits: expected.bits, machine: expected.machine, interpreter: expected.target?.interpreter, needed: expected.target?.needed ?? [] };
  const mismatches = findPreloadMismatches(program, elf);
  if (mismatches.includes("abi")) {
    const whose = expected.target === undefined ? "this machine" : "the program";
    return { ok: false, reason: `is a ${describeArch(elf.bits, elf.machine)} library but ${whose} is ${describeArch(expected.bits, expected.machine)}` };
  }
  if (mismatches.includes("libc")) {
    return { ok: false, reason: `is built for ${loaderFamily(elf)} but the program uses ${loaderFamily(program)}` };
  }
  return { ok: true, elf };
}

function expectationFor(view: SystemView, target: TargetElf | undefined): Expectation | undefined {
  if (target !== undefined) return { bits: target.bits, machine: target.machine, flags: target.flags, target };
  const host = hostElfMachine(view.arch);
  return host === undefined ? undefined : { ...host, target: undefined };
}

/** Library directories to probe, most specific first, without duplicates. */
export function librarySearchDirectories(family: DistroFamily, view: Pick<SystemView, "arch" | "env" | "homeDir">, target?: ElfIdentity): string[] {
  const bits = target?.bits ?? hostElfMachine(view.arch)?.bits ?? 64;
  const triplet = target === undefined ? multiarchTriplet(view.arch) : multiarchTripletForElf(target);
  const lib64 = bits === 64 ? ["/usr/lib64", "/lib64"] : ["/usr/lib", "/lib"];
  const byFamily: Record<DistroFamily, string[]> = {
    debian: [
      ...(triplet === undefined ? [] : [`/usr/lib/${triplet}`, `/lib/${triplet}`]),
      // Debian's amd64 packages for i386 and x32 programs (libc6-i386, libc6-x32).
      ...(triplet === "i386-linux-gnu" ? ["/usr/lib32", "/lib32"] : triplet === "x86_64-linux-gnux32" ? ["/usr/libx32", "/libx32"] : []),
    ],
    fedora: lib64,
    suse: lib64,
    arch: bits === 64 ? ["/usr/lib"] : ["/usr/lib32"],
    alpine: ["/usr/lib", "/lib"],
    nix: [
      ...(view.homeDir === undefined ? [] : [`${view.homeDir}/.nix-profile/lib`]),
      "/run/current-system/sw/lib",
    ],
    unknown: [],
  };
  const everything = [...byFamily.debian, ...lib64, "/usr/lib", "/lib", ...byFamily.nix];
  const home = view.homeDir === undefined ? [] : [`${view.homeDir}/.linuxbrew/lib`];
  const directories = [
    ...(view.env.LD_LIBRARY_PATH ?? "").split(":").filter((entry) => entry.startsWith("/")),
    ...(family === "unknown" ? everything : byFamily[family]),
    ...(bits === 64 && (family === "fedora" || family === "suse") ? ["/usr/local/lib64"] : []),
    "/usr/local/lib",
    "/home/linuxbrew/.linuxbrew/lib",
    ...home,
  ];
  return [...new Set(directories)];
}

function osReleaseOf(view: SystemView): OsRelease | undefined {
  return typeof view.osRelease === "string" ? parseOsRelease(view.osRelease) : view.osRelease;
}

/** A path the user named (flag or variable): it must exist and be a usable library. */
function locateExplicit(view: SystemView, name: LibraryName, path: string, source: "flag" | "env", option: string, expected: Expectation | undefined): LibraryLocation {
  const given = source === "flag" ? `${option} ${path}` : `${option}=${path}`;
  const hint = source === "flag" ? `pass the path of ${LIBRARY_SONAMES[name][0]}` : `fix or unset ${option}`;
  if (!view.fileExists(path)) throw inputError(`${given}: no such file`, hint);
  const verdict = checkCandidate(view, path, expected);
  if (!verdict.ok) throw inputError(`${given}: the file ${verdict.reason}`, hint);
  return { name, path: view.realpath(path), soname: verdict.elf.soname ?? basename(path), source };
}

/** The pure core of locateLibrary: every fact about the machine comes from `view`. */
export function locateLibraryIn(view: SystemView, name: LibraryName, options: LocateLibraryOptions = {}): LibraryLocation {
  const expected = expectationFor(view, options.target);
  if (options.explicitPath !== undefined) {
    return locateExplicit(view, name, options.explicitPath, "flag", options.explicitFlag ?? "--lib", expected);
  }
  const variable = libraryEnvVariable(name);
  const fromEnv = view.env[variable];
  if (fromEnv !== undefined && fromEnv !== "") return locateExplicit(view, name, fromEnv, "env", variable, expected);

  const sonames = LIBRARY_SONAMES[name];
  const rejected: string[] = [];
  const accept = (path: string, soname: string, source: LibrarySource): LibraryLocation | undefined => {
    if (!view.fileExists(path)) return undefined;
    const verdict = checkCandidate(view, path, expected);
    if (verdict.ok) return { name, path: view.realpath(path), soname, source };
    rejected.push(`${path} ${verdict.reason}`);
    return undefined;
  };

  const ldconfigText = view.ldconfigEntries === undefined ? (typeof view.ldconfigText === "function" ? view.ldconfigText() : view.ldconfigText) : undefined;
  const entries = view.ldconfigEntries?.(LIBRARY_SONAMES[name]) ?? (ldconfigText === undefined ? undefined : parseLdconfigCache(ldconfigText));
  if (entries !== undefined) {
    for (const soname of sonames) {
      const usable = selectLdconfigEntries(entries, soname, expected);
      for (const entry of usable) {
        const found = accept(entry.path, soname, "ldconfig");
        if (found) return found;
      }
      // Copies for other ABIs (a 64-bit library for a 32-bit program) explain a failure.
      for (const entry of entries) {
        if (entry.soname !== soname || usable.includes(entry) || !view.fileExists(entry.path)) continue;
        const verdict = checkCandidate(view, entry.path, expected);
        rejected.push(`${entry.path} ${verdict.ok ? `is listed for another ABI (${entry.abi ?? entry.type})` : verdict.reason}`);
      }
    }
  }

  const os = osReleaseOf(view);
  const family = distroFamily(os);
  const directories = librarySearchDirectories(family, view, options.target);
  for (const soname of sonames) {
    for (const directory of directories) {
      const found = accept(`${directory}/${soname}`, soname, "search-path");
      if (found) return found;
    }
  }

  const wanted = sonames.join(" or ");
  const hint = installHint(name, family, os);
  if (rejected.length > 0) {
    const program = expected === undefined ? "" : ` for ${describeArch(expected.bits, expected.machine)}`;
    throw environmentError(`${name} is not installed${program} (no usable ${wanted}: ${[...new Set(rejected)].join("; ")})`, hint);
  }
  throw environmentError(`${name} is not installed (no ${wanted} found)`, hint);
}

function parseTextCache(text: string | undefined): LdconfigEntry[] | undefined {
  return text === undefined ? undefined : parseLdconfigCache(text);
}

function readFileOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** A SystemView of this machine; os-release and `ldconfig -p` are read on first use. */
export function createSystemView(env: NodeJS.ProcessEnv = process.env): SystemView {
  let osRelease: OsRelease | undefined | null = null;
  let ldconfigText: string | undefined | null = null;
  return {
    get osRelease() {
      if (osRelease === null) osRelease = readOsRelease();
      return osRelease;
    },
    ldconfigText: () => {
      if (ldconfigText === null) ldconfigText = readLdconfigCache(env);
      return ldconfigText;
    },
    // Reading /etc/ld.so.cache spares a process start; `ldconfig -p` stays the fallback.
    ldconfigEntries: (sonames) => readLdSoCache(undefined, sonames) ?? parseTextCache(readLdconfigCache(env)),
    fileExists: (path) => existsSync(path),
    realpath: (path) => realpathSync(path),
    readFile: readFileOrUndefined,
    arch: process.arch,
    env,
    homeDir: homeDirectory(),
    elfFacts: defaultElfFactsCache(env),
  };
}

/** Finds `name` on this machine. Throws an AllocrunError whose hint names the install command. */
export function locateLibrary(name: LibraryName, options: LocateLibraryOptions = {}, env: NodeJS.ProcessEnv = process.env): LibraryLocation {
  return locateLibraryIn(createSystemView(env), name, options);
}
