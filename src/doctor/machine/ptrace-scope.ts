// Yama's kernel.yama.ptrace_scope decides whether allocrun may attach to a running
// program (live-process dumps through gdb): 0 any own process, 1 only descendants,
// 2 only with CAP_SYS_PTRACE, 3 never (until reboot).
import { readFileSync } from "node:fs";
import { finding, type Finding } from "../../detect/finding.js";

export const PTRACE_SCOPE_PATH = "/proc/sys/kernel/yama/ptrace_scope";

export function readPtraceScope(path = PTRACE_SCOPE_PATH): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** `scope` is the file's content, undefined when Yama is absent; `uid` is who runs allocrun. */
export function checkPtraceScope(scope: string | undefined, uid: number): Finding[] {
  const id = "machine.ptrace-scope";
  if (scope === undefined) return [finding(id, "ok", "no Yama ptrace restrictions: attaching to running programs is allowed")];
  const root = uid === 0;
  switch (scope) {
    case "0":
      return [finding(id, "ok", "ptrace_scope 0: attaching to your running programs is allowed")];
    case "1":
      return root
        ? [finding(id, "ok", "ptrace_scope 1, but root may attach to any running program")]
        : [finding(id, "info", "ptrace_scope 1: attaching works only for programs allocrun starts, not ones already running", "to attach to a running program: sudo sysctl kernel.yama.ptrace_scope=0 (until reboot), or run as root")];
    case "2":
      return root
        ? [finding(id, "ok", "ptrace_scope 2: only root may attach to running programs (you are root)")]
        : [finding(id, "warning", "ptrace_scope 2: only root may attach to running programs", "run live-process commands as root, or: sudo sysctl kernel.yama.ptrace_scope=1")];
    case "3":
      return [finding(id, "warning", "ptrace_scope 3: attaching to running programs is disabled until reboot", "set kernel.yama.ptrace_scope=1 in /etc/sysctl.d/ and reboot")];
    default:
      return [finding(id, "info", `ptrace_scope has an unexpected value "${scope}"`)];
  }
}
