// Profiles need names: a stripped binary (no .symtab) names only the functions it exports
// through .dynsym, and without DWARF there are no file:line locations.
import { finding, type Finding } from "../finding.js";
import { targetWords, type CheckPlan, type TargetFacts } from "./target-facts.js";

/** Where this distribution keeps debug symbols for packaged programs. */
const DEBUG_PACKAGE_HINTS: Record<string, string> = {
  debian: "install its -dbgsym package (debian-debug / ddebs archive)",
  fedora: "run `dnf debuginfo-install` for its package",
  suse: "install its -debuginfo package (zypper)",
  arch: "set DEBUGINFOD_URLS (Arch ships debug info through debuginfod)",
  alpine: "install its -dbg package (apk)",
};

function rebuildOrInstall(plan: CheckPlan, rebuild: string): string {
  const packaged = plan.family === undefined ? undefined : DEBUG_PACKAGE_HINTS[plan.family];
  return packaged === undefined ? rebuild : `${rebuild}, or for a packaged program ${packaged}`;
}

export function checkDebugSymbols(target: TargetFacts, plan: CheckPlan): Finding[] {
  const { elf } = target;
  // Go keeps function names in .gopclntab even when stripped; `go tool pprof` reads them.
  if (!plan.profiling || elf.isGo) return [];
  const name = targetWords(target);
  if (target.separateDebugFile !== undefined) {
    return [finding("target.symbols", "ok", `${name} has separate debug symbols in ${target.separateDebugFile}`)];
  }
  if (!elf.hasSymtab) {
    // A static program has no .dynsym to fall back on.
    const names = elf.isStatic ? "profiles cannot name any of its functions (a static program has no .dynsym)" : "profiles can name only its exported (.dynsym) functions";
    return [finding("target.symbols", "warning", `${name} is stripped (no .symtab): ${names}`, rebuildOrInstall(plan, "rebuild it with -g and without -s/strip"))];
  }
  if (!elf.hasDebugInfo) {
    return [finding("target.debug-info", "info", `${name} has function names but no debug info (.debug_info): no file:line in reports`, rebuildOrInstall(plan, "rebuild it with -g"))];
  }
  return [finding("target.symbols", "ok", `${name} has symbols and debug info`)];
}
