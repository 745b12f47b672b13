// Everything that happens before a program starts: choose the allocator, compose the
// environment from presets and flags, find the libraries, and check the target. Shared
// by run, env, compare and ci so they all mean the same thing by the same flags.
import type { AllocatorName, LibraryName } from "../core/allocators.js";
import { usageError } from "../core/errors.js";
import { loadPresetCatalog, composeEnvPlan, renderEnvironment, type CompositionStep, type EnvPlan } from "../presets/index.js";
import { rjemEnvironmentFor } from "../presets/rjem-conf.js";
import { locateLibrary } from "../detect/index.js";
import { checkTarget, type TargetReport } from "./preflight.js";
import { probeJemallocConf } from "./jemalloc-conf-probe.js";

export interface PrepareRequest {
  allocator: AllocatorName;
  steps: CompositionStep[];
  /** `--lib PATH` for the allocator's own library. */
  libraryPath: string | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Resolved program path; undefined for `allocrun env`. */
  program: string | undefined;
}

export interface PreparedRun {
  allocator: AllocatorName;
  plan: EnvPlan;
  /** Absolute paths of every library the plan preloads. */
  libraryPaths: Partial<Record<LibraryName, string>>;
  /** The allocator's own library (null for glibc). */
  allocatorLibrary: string | null;
  target: TargetReport | undefined;
  warnings: string[];
}

/**
 * The variables a run sets on the program. A Rust program with an embedded _rjem_ jemalloc
 * reads _RJEM_MALLOC_CONF, not MALLOC_CONF: under --jemalloc its options go there too.
 */
export function renderProgramVariables(prepared: PreparedRun, outDir: string, programPath: string | undefined): Record<string, string> {
  const vars = renderEnvironment(prepared.plan, { libraryPaths: prepared.libraryPaths, outDir, programPath });
  return prepared.allocator === "jemalloc" && prepared.target?.embedsRjemJemalloc ? rjemEnvironmentFor(vars) : vars;
}

export function prepareRun(request: PrepareRequest): PreparedRun {
  const catalog = loadPresetCatalog({ cwd: request.cwd, env: request.env });
  const plan = composeEnvPlan(catalog, request.allocator, request.steps, { inheritedEnv: request.env });
  const profiling = plan.artifactHints.some((hint) => hint.kind.endsWith("-heap") || hint.kind.endsWith("-cpu"));
  if (request.libraryPath !== undefined && request.allocator === "glibc") {
    throw usageError("--lib has no meaning with --glibc (glibc's malloc is not preloaded)", "choose the allocator the library belongs to, e.g. --jemalloc --lib PATH");
  }
  // A run that sets nothing cannot fail to take effect: skip the checks (start-up cost).
  const setsNothing = plan.preload.length === 0 && plan.conf.length === 0 && Object.keys(plan.env).length === 0 && plan.extraPreloadPaths.length === 0;
  const target = request.program && !setsNothing ? checkTarget(request.program, request.allocator, { profiling }) : undefined;
  const libraryPaths: Partial<Record<LibraryName, string>> = {};
  for (const name of plan.preload) {
    const explicitPath = isAllocatorLibrary(name, request.allocator) ? request.libraryPath : undefined;
    // Given the program's ELF, the locator only accepts a library of its class, machine and C library.
    libraryPaths[name] = locateLibrary(name, { explicitPath, target: target?.executedElf }, request.env).path;
  }
  const allocatorLibrary = request.allocator === "glibc" ? null : (libraryPaths[request.allocator as LibraryName] ?? null);
  const confWarnings = request.program !== undefined && allocatorLibrary !== null ? checkUserJemallocConf(request, plan, libraryPaths, allocatorLibrary) : [];
  return {
    allocator: request.allocator,
    plan,
    libraryPaths,
    allocatorLibrary,
    target,
    warnings: [...plan.warnings, ...confWarnings, ...(target?.warnings ?? [])],
  };
}

/**
 * Options the user typed (--conf, -e, --env-file, a preset of theirs, their own MALLOC_CONF) go past jemalloc once
 * before the run; the shipped flag presets are known good and cost nothing.
 */
function checkUserJemallocConf(request: PrepareRequest, plan: EnvPlan, libraryPaths: Partial<Record<LibraryName, string>>, library: string): string[] {
  if (request.allocator !== "jemalloc" || plan.conf.length === 0 || (request.steps.every((step) => step.kind === "flag") && request.env.MALLOC_CONF === undefined)) return [];
  const mallocConf = renderEnvironment(plan, { libraryPaths, outDir: "/nonexistent-allocrun-probe" }).MALLOC_CONF;
  return mallocConf === undefined ? [] : probeJemallocConf(library, mallocConf);
}

function isAllocatorLibrary(name: LibraryName, allocator: AllocatorName): boolean {
  return name === allocator;
}
