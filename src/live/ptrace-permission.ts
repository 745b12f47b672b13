// May allocrun attach to the process? Decided before attaching where the answer is
// certain (Yama's ptrace_scope, another user's process), and explained after the kernel
// said EPERM (a container without CAP_SYS_PTRACE, a debugger already attached).
import { environmentError, type AllocrunError } from "../core/errors.js";

export interface PtraceContext {
  pid: number;
  /** Content of /proc/sys/kernel/yama/ptrace_scope; undefined without Yama. */
  scope: string | undefined;
  /** Who runs allocrun. */
  uid: number;
  /** Who owns the process. */
  targetUid: number;
}

const AS_ROOT = "run it as root (sudo allocrun ...)";

/** The refusal that is certain before trying, or undefined when attaching may work. */
export function predictPtraceRefusal(context: PtraceContext): AllocrunError | undefined {
  const { pid, scope, uid, targetUid } = context;
  if (scope === "3") {
    return environmentError(`attaching to process ${pid} is impossible: kernel.yama.ptrace_scope is 3 (no ptrace until reboot)`, "set kernel.yama.ptrace_scope=1 in /etc/sysctl.d/ and reboot");
  }
  if (uid === 0) return undefined;
  if (scope === "2") {
    return environmentError(`only root may attach to process ${pid}: kernel.yama.ptrace_scope is 2`, `${AS_ROOT}, or sudo sysctl kernel.yama.ptrace_scope=1`);
  }
  if (targetUid !== uid) {
    return environmentError(`process ${pid} belongs to another user (uid ${targetUid}); you are uid ${uid}`, `run allocrun as that user, or ${AS_ROOT}`);
  }
  return undefined;
}

/** Why the kernel refused PTRACE_ATTACH, with the fix. `tracerPid` is from /proc/PID/status. */
export function explainPtraceDenied(context: PtraceContext, tracerPid: number): AllocrunError {
  const predicted = predictPtraceRefusal(context);
  if (predicted !== undefined) return predicted;
  const { pid, scope, uid } = context;
  if (tracerPid !== 0) {
    return environmentError(`process ${pid} is already being traced by process ${tracerPid} (a debugger or strace)`, `detach that one first (kill or quit process ${tracerPid}'s debugger)`);
  }
  if (scope === "1" && uid !== 0) {
    return environmentError(`the kernel refused to attach to process ${pid}: kernel.yama.ptrace_scope 1 allows it only for a debugger's own children`, `${AS_ROOT}, or sudo sysctl kernel.yama.ptrace_scope=0 (until reboot)`);
  }
  return environmentError(
    `the kernel refused to attach to process ${pid} (ptrace: Operation not permitted)`,
    "inside a container attaching needs CAP_SYS_PTRACE (docker run --cap-add=SYS_PTRACE); a set-user-ID program can only be attached as root",
  );
}
