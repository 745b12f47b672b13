// `allocrun doctor PROGRAM`: the target checks of a run (for any preloaded allocator),
// read from the whole file, plus whether this machine's allocator libraries fit it.
import type { AllocatorName, LibraryName } from "../core/allocators.js";
import { isAllocrunError } from "../core/errors.js";
import { locateLibrary, multiarchTripletForElf, packageFor, type DistroFamily, type OsRelease } from "../detect/index.js";
import { findPreloadMismatches, loaderFamily, type ElfFile, type PreloadMismatch } from "../elf/index.js";
import { finding, type Finding } from "../detect/finding.js";
import type { AllocatorInfo } from "./machine/allocator-libraries.js";
import { getcapInstallHint, readFileCapabilities } from "./file-capabilities.js";
import { gatherTarget, runTargetChecks, readElfHeaders, type TargetFacts } from "../detect/target/index.js";
import { describeAbi, loaderComplaint } from "../detect/target/library-fit.js";

/** The program facts in --json; names follow the ELF file (interpreter = PT_INTERP). */
export interface ProgramInfo {
  path: string;
  /** For "#!" scripts: the interpreter whose ELF file the rest describes. */
  scriptInterpreter: string | null;
  bits: 32 | 64;
  machine: string;
  type: string;
  interpreter: string | null;
  libc: string;
  needed: string[];
  isStatic: boolean;
  isPie: boolean;
  isGo: boolean;
  goVersion: string | null;
  hasSymtab: boolean;
  hasDebugInfo: boolean;
  buildId: string | null;
}

export interface ProgramContext {
  env: NodeJS.ProcessEnv;
  family: DistroFamily;
  os: OsRelease | undefined;
  runner: { uid: number; gid: number };
  /** The machine's allocators (host ABI), from the allocators section. */
  allocators: readonly AllocatorInfo[];
}

export function inspectProgram(path: string, shownName: string, context: ProgramContext): { program: ProgramInfo | null; findings: Finding[] } {
  const gathered = gatherTarget(path, {
    shownName,
    depth: "whole",
    pathVariable: context.env.PATH,
    runner: context.runner,
    readFileCapabilities: (file) => readFileCapabilities(file, context.env),
  });
  if (gathered.kind === "not-elf") {
    return { program: null, findings: [finding("target.not-elf", "blocking", `${shownName} is neither an ELF program nor a "#!" script`, "pass the compiled program itself")] };
  }
  if (gathered.kind === "script-without-elf-interpreter") {
    return { program: null, findings: [finding("target.script", "blocking", `${shownName} is a script whose interpreter was not found (or is not an ELF program)`, "check its first line (#!) and PATH")] };
  }
  const { facts } = gathered;
  const findings = runTargetChecks(facts, { allocator: undefined, profiling: true, family: context.family });
  if (facts.hasFileCapabilities === undefined) {
    findings.push(finding("target.capabilities", "info", "file capabilities not checked: neither getcap nor getfattr is installed", getcapInstallHint(context.family)));
  }
  findings.push(...checkAllocatorsFit(facts, context));
  return { program: describeProgram(facts), findings };
}

function describeProgram(facts: TargetFacts): ProgramInfo {
  const { elf } = facts;
  return {
    path: facts.script?.path ?? facts.path,
    scriptInterpreter: facts.script?.interpreter ?? null,
    bits: elf.bits,
    machine: elf.machineName,
    type: elf.type,
    interpreter: elf.interpreter ?? null,
    libc: loaderFamily(elf),
    needed: elf.needed,
    isStatic: elf.isStatic,
    isPie: elf.isPie,
    isGo: elf.isGo,
    goVersion: elf.goVersion ?? null,
    hasSymtab: elf.hasSymtab,
    hasDebugInfo: elf.hasDebugInfo,
    buildId: elf.buildId ?? null,
  };
}

/**
 * The machine's libraries are built for the host; a 32-bit or musl program needs others.
 * One finding per kind of mismatch, naming every allocator it affects.
 */
function checkAllocatorsFit(facts: TargetFacts, context: ProgramContext): Finding[] {
  const { elf } = facts;
  // Static programs cannot take a preload at all (static-binary.ts says so).
  if (elf.isStatic) return [];
  const unfit: Record<PreloadMismatch, { name: AllocatorName; library: ElfFile }[]> = { abi: [], libc: [] };
  for (const allocator of context.allocators) {
    if (allocator.name === "glibc" || allocator.library === null) continue;
    const library = readElfHeaders(allocator.library).elf;
    const mismatches = findPreloadMismatches(elf, library);
    // A fitting build may be installed beside the host one (e.g. /usr/lib/i386-linux-gnu).
    if (mismatches.length === 0 || hasFittingLibrary(allocator.name as LibraryName, elf, context.env)) continue;
    for (const mismatch of mismatches) unfit[mismatch].push({ name: allocator.name, library });
  }
  const findings: Finding[] = [];
  const name = facts.script === undefined ? facts.shownName : `the interpreter ${facts.path} of ${facts.shownName}`;
  const first = unfit.abi[0];
  if (first !== undefined) {
    const names = unfit.abi.map((entry) => entry.name);
    findings.push(
      finding(
        "target.library-abi",
        "blocking",
        `${name} is ${describeAbi(elf)} but the ${names.join(", ")} ${names.length > 1 ? "libraries here are" : "library here is"} ${describeAbi(first.library)}: the loader would skip ${names.length > 1 ? "them" : "it"} (${loaderComplaint(elf, first.library)})`,
        abiInstallHint(elf, names, context),
      ),
    );
  }
  const firstLibc = unfit.libc[0];
  if (firstLibc !== undefined) {
    const names = unfit.libc.map((entry) => entry.name);
    const programLibc = loaderFamily(elf);
    findings.push(
      finding(
        "target.library-libc",
        "blocking",
        `${name} runs on ${programLibc} (${elf.interpreter ?? "no loader"}) but the ${names.join(", ")} ${names.length > 1 ? "libraries here are" : "library here is"} built for ${loaderFamily(firstLibc.library)}: preloading kills the program`,
        `use ${programLibc} builds of the allocators (as Alpine ships them) with --lib PATH, or a ${loaderFamily(firstLibc.library)} build of the program`,
      ),
    );
  }
  return findings;
}

function hasFittingLibrary(name: LibraryName, elf: ElfFile, env: NodeJS.ProcessEnv): boolean {
  try {
    locateLibrary(name, { target: elf }, env);
    return true;
  } catch (error) {
    if (isAllocrunError(error)) return false;
    throw error;
  }
}

/** Debian architecture names for multiarch triplets (for "libjemalloc2:i386"). */
const DEBIAN_ARCHITECTURES: Record<string, string> = {
  "x86_64-linux-gnu": "amd64", "i386-linux-gnu": "i386", "x86_64-linux-gnux32": "x32", "aarch64-linux-gnu": "arm64",
  "arm-linux-gnueabihf": "armhf", "arm-linux-gnueabi": "armel", "powerpc64le-linux-gnu": "ppc64el", "s390x-linux-gnu": "s390x", "riscv64-linux-gnu": "riscv64",
};

function abiInstallHint(elf: ElfFile, names: readonly AllocatorName[], context: ProgramContext): string {
  const triplet = multiarchTripletForElf(elf);
  const architecture = triplet === undefined ? undefined : DEBIAN_ARCHITECTURES[triplet];
  const packages = [...new Set(names.flatMap((name) => packageFor(name as LibraryName, context.family, context.os) ?? []))];
  if (context.family === "debian" && architecture !== undefined && packages.length > 0) {
    return `install the ${architecture} builds: dpkg --add-architecture ${architecture} && apt update && apt install ${packages.map((name) => `${name}:${architecture}`).join(" ")}`;
  }
  return `install ${describeAbi(elf)} builds of ${names.join(", ")} and pass one with --lib PATH`;
}
