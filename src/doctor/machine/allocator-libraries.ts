// Each allocator on this machine: where its library is, which version, and whether it
// can write heap profiles. glibc malloc is libc itself.
import { readFileSync } from "node:fs";
import { ALLOCATOR_NAMES, HELPER_LIBRARY_NAMES, type AllocatorName, type LibraryName } from "../../core/allocators.js";
import { isAllocrunError } from "../../core/errors.js";
import { locateLibrary, type DistroFamily } from "../../detect/index.js";
import { finding, type Finding } from "../../detect/finding.js";
import { askJemalloc, hasProfilingStrings, judgeJemallocProfiling, parseConfReply, type ConfProbe } from "./jemalloc-profiling.js";
import { readLibraryVersion } from "../../detect/library-version.js";

export interface AllocatorInfo {
  name: AllocatorName;
  /** Real path of the library; null when not installed. */
  library: string | null;
  version: string | null;
  /** Can write heap profiles; null when unknown. */
  profiling: boolean | null;
}

export interface AllocatorInspection {
  allocators: AllocatorInfo[];
  findings: Finding[];
}

/** libc as mapped into this very process (node links it): glibc's libc.so.6, or musl's loader. */
export function findOwnLibc(mapsText: string): string | undefined {
  for (const line of mapsText.split("\n")) {
    const path = /\s(\/\S*(?:\/libc\.so\.6|\/libc-[\d.]+\.so|\/ld-musl-[^/\s]+\.so\.1))$/.exec(line)?.[1];
    if (path !== undefined) return path;
  }
  return undefined;
}

function readBytes(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function inspectGlibc(): AllocatorInfo {
  const maps = readBytes("/proc/self/maps")?.toString("utf8") ?? "";
  const library = findOwnLibc(maps);
  const bytes = library === undefined ? undefined : readBytes(library);
  const version = library === undefined || bytes === undefined ? undefined : readLibraryVersion("glibc", library, bytes);
  // glibc has no heap profiler; memusage gives totals and a histogram only.
  return { name: "glibc", library: library ?? null, version: version ?? null, profiling: false };
}

/** Whether a library can write heap profiles, apart from jemalloc (asked separately). */
const HEAP_PROFILING: Record<Exclude<AllocatorName, "glibc" | "jemalloc">, boolean> = {
  // libtcmalloc has the heap profiler (HEAPPROFILE); the minimal variant ignores it.
  tcmalloc: true,
  "tcmalloc-minimal": false,
  mimalloc: false,
};

const HELPER_ROLES: Record<(typeof HELPER_LIBRARY_NAMES)[number], string> = {
  profiler: "CPU profiles (gperftools libprofiler)",
  memusage: "glibc malloc totals (memusage)",
};

export function inspectAllocators(env: NodeJS.ProcessEnv, family: DistroFamily, probe: ConfProbe): AllocatorInspection {
  const allocators: AllocatorInfo[] = [];
  const findings: Finding[] = [];
  for (const name of ALLOCATOR_NAMES) {
    if (name === "glibc") {
      allocators.push(inspectGlibc());
      continue;
    }
    const library = locate(name, env, findings);
    if (library === undefined) {
      allocators.push({ name, library: null, version: null, profiling: null });
      continue;
    }
    const bytes = readBytes(library) ?? Buffer.alloc(0);
    let profiling: boolean | null;
    if (name === "jemalloc") {
      const reply = parseConfReply(askJemalloc(library, ["prof:true", "prof_active:false"], probe), "prof:true");
      const verdict = judgeJemallocProfiling(library, hasProfilingStrings(bytes), reply, family);
      profiling = verdict.profiling;
      findings.push(verdict.finding);
    } else {
      profiling = HEAP_PROFILING[name];
    }
    allocators.push({ name, library, version: readLibraryVersion(name, library, bytes) ?? null, profiling });
  }
  for (const helper of HELPER_LIBRARY_NAMES) {
    const library = locate(helper, env, findings);
    if (library !== undefined) findings.push(finding(`library.${helper}`, "ok", `${HELPER_ROLES[helper]}: ${library}`));
  }
  return { allocators, findings };
}

/** The library's real path, or undefined with a finding that says how to install it. */
function locate(name: LibraryName, env: NodeJS.ProcessEnv, findings: Finding[]): string | undefined {
  try {
    return locateLibrary(name, {}, env).path;
  } catch (error) {
    if (!isAllocrunError(error)) throw error;
    findings.push(finding(`library.${name}`, "warning", error.message, error.hint));
    return undefined;
  }
}
