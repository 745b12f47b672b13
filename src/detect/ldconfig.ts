// `ldconfig -p`: the loader cache listing (distro-paths.md §3). Absent on musl and NixOS.
import { childProcess } from "../core/lazy-builtins.js";
import { accessSync, constants, statSync } from "node:fs";
import { EM_386, EM_AARCH64, EM_ARM, EM_RISCV, EM_X86_64 } from "../elf/machine.js";
import type { ElfIdentity } from "../elf/types.js";

export interface LdconfigEntry {
  soname: string;
  /** "libc6" (also "libc5", "ELF"). */
  type: string;
  /** ABI token: "x86-64", "x32", "AArch64", "64bit", "hard-float"…; undefined = base 32-bit ABI. */
  abi: string | undefined;
  /** Set for glibc-hwcaps variants that only load on CPUs with that capability. */
  hwcap: string | undefined;
  path: string;
}

const ENTRY = /^\t(\S+) \(([^)]*)\) => (.+)$/;

export function parseLdconfigCache(text: string): LdconfigEntry[] {
  const entries: LdconfigEntry[] = [];
  for (const line of text.split("\n")) {
    const match = ENTRY.exec(line.replace(/\r$/, ""));
    if (!match) continue;
    const [type = "", ...details] = (match[2] as string).split(",").map((part) => part.trim());
    let abi: string | undefined;
    let hwcap: string | undefined;
    for (const detail of details) {
      if (detail.startsWith("hwcap:")) hwcap = detail.slice("hwcap:".length).trim().replace(/^"|"$/g, "");
      else if (!detail.startsWith("OS ABI:") && abi === undefined) abi = detail;
    }
    entries.push({ soname: match[1] as string, type, abi, hwcap, path: match[3] as string });
  }
  return entries;
}

const EM_PPC64 = 21;
const EM_S390 = 22;
const EM_SPARCV9 = 43;
const EM_MIPS = 8;
const EM_IA_64 = 50;
const EF_ARM_ABI_FLOAT_HARD = 0x400;
const EF_RISCV_FLOAT_ABI_DOUBLE = 0x4;

/**
 * The ABI tokens ldconfig prints for libraries a binary of this class/machine can load
 * (glibc elf/ldconfig.c print_entry); undefined in the list stands for "no token".
 * Returns undefined for machines whose tokens are not known: then any entry is a candidate
 * and the ELF check of the file decides.
 */
export function ldconfigAbisFor(identity: Pick<ElfIdentity, "bits" | "machine" | "flags">): (string | undefined)[] | undefined {
  switch (identity.machine) {
    case EM_X86_64: return [identity.bits === 64 ? "x86-64" : "x32"];
    case EM_386: return [undefined];
    case EM_AARCH64: return ["AArch64"];
    case EM_ARM: return (identity.flags & EF_ARM_ABI_FLOAT_HARD) !== 0 ? ["hard-float"] : [undefined, "soft-float"];
    case EM_IA_64: return ["IA-64"];
    case EM_PPC64: case EM_S390: case EM_SPARCV9: case EM_MIPS:
      return identity.bits === 64 ? ["64bit"] : [undefined];
    case EM_RISCV: return (identity.flags & EF_RISCV_FLOAT_ABI_DOUBLE) !== 0 ? ["double-float"] : ["soft-float"];
    default: return undefined;
  }
}

/**
 * Entries for one soname that a binary of this class/machine can load, plain entries
 * before glibc-hwcaps variants. Without an identity, every entry for the soname.
 */
export function selectLdconfigEntries(
  entries: readonly LdconfigEntry[],
  soname: string,
  identity: Pick<ElfIdentity, "bits" | "machine" | "flags"> | undefined,
): LdconfigEntry[] {
  const abis = identity === undefined ? undefined : ldconfigAbisFor(identity);
  return entries
    .filter((entry) => entry.soname === soname && (abis === undefined || abis.includes(entry.abi)))
    .sort((a, b) => Number(a.hwcap !== undefined) - Number(b.hwcap !== undefined));
}

const LDCONFIG_CANDIDATES = ["/sbin/ldconfig", "/usr/sbin/ldconfig"];

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The text of `ldconfig -p`, or undefined when ldconfig is missing or fails (musl, NixOS). */
export function readLdconfigCache(env: NodeJS.ProcessEnv = process.env): string | undefined {
  // sbin first: a normal user's PATH often lacks it. Otherwise the spawn looks the bare
  // name up in env.PATH itself (this runs on the `run` path: no which/execa here).
  const ldconfig = LDCONFIG_CANDIDATES.find(isExecutableFile) ?? "ldconfig";
  try {
    return childProcess().execFileSync(ldconfig, ["-p"], {
      encoding: "utf8", env: { ...process.env, PATH: env.PATH }, stdio: ["ignore", "pipe", "ignore"], maxBuffer: 16 * 1024 * 1024,
    });
  } catch {
    return undefined;
  }
}
