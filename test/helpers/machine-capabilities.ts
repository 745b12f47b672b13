// What this machine can do that some tests need, probed once per test file: a test that
// needs a capability skips with the reason where it is missing, instead of failing.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Set to 1 to act as if 32-bit programs could not run here (to check the skip path). */
export const PRETEND_NO_32BIT_EXECUTION = "ALLOCRUN_TEST_PRETEND_NO_32BIT_EXEC";

interface ThirtyTwoBitProbe {
  /** Why `gcc -m32` cannot link a program, or undefined. */
  compile: string | undefined;
  /** Why a linked 32-bit program cannot run, or undefined. */
  execute: string | undefined;
}

let probed: ThirtyTwoBitProbe | undefined;

function probeThirtyTwoBit(): ThirtyTwoBitProbe {
  if (probed) return probed;
  const directory = mkdtempSync(join(tmpdir(), "allocrun-m32-"));
  try {
    const program = join(directory, "probe");
    const built = spawnSync("gcc", ["-m32", "-x", "c", "-o", program, "-"], { input: "int main(void){return 0;}\n" });
    if (built.error !== undefined || built.status !== 0) {
      const reason = "gcc -m32 cannot link: install gcc-multilib";
      return (probed = { compile: reason, execute: reason });
    }
    const ran = spawnSync(program, []);
    // ENOEXEC (Exec format error): a kernel without IA-32 emulation (CONFIG_IA32_EMULATION).
    const execute = ran.error !== undefined || ran.status !== 0 ? `this kernel cannot run 32-bit programs (${ran.error?.message ?? `exit ${ran.status}`})` : undefined;
    return (probed = { compile: undefined, execute });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Why `gcc -m32` cannot link here, or undefined. */
export function whyNo32BitCompiler(): string | undefined {
  return probeThirtyTwoBit().compile;
}

/** Why a 32-bit program cannot be built and run here, or undefined. */
export function whyNo32BitExecution(): string | undefined {
  if (process.env[PRETEND_NO_32BIT_EXECUTION] === "1") return `32-bit execution disabled by ${PRETEND_NO_32BIT_EXECUTION}=1`;
  return probeThirtyTwoBit().execute;
}

export interface TinyFilesystem {
  /** The mount point, an empty folder. */
  path: string;
  /** Unmounts and removes the mount point. */
  remove(): void;
}

/** A tmpfs of `sizeKib` mounted on a fresh folder, or why that cannot be done here. */
export function mountTinyTmpfs(sizeKib: number): TinyFilesystem | { reason: string } {
  if (process.getuid?.() !== 0) return { reason: "mounting a tmpfs needs root" };
  const path = mkdtempSync(join(tmpdir(), "allocrun-tinyfs-"));
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKib}k`, "tmpfs", path], { encoding: "utf8" });
  if (mounted.error !== undefined || mounted.status !== 0) {
    rmSync(path, { recursive: true, force: true });
    return { reason: `cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || "").trim()})` };
  }
  return {
    path,
    remove() {
      spawnSync("umount", [path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Fills the filesystem holding `folder` with one file until no byte fits. */
export function fillFilesystem(folder: string): void {
  spawnSync("dd", ["if=/dev/zero", `of=${join(folder, "filler")}`, "bs=4k"], { stdio: "ignore" });
}
