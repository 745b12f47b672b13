// Debian multiarch triplets (distro-paths.md §1): the directory name under /usr/lib that
// holds a given architecture's libraries. Derived from node's process.arch, `uname -m`
// or a target ELF's machine, so no subprocess is needed.
import { EM_386, EM_AARCH64, EM_ARM, EM_RISCV, EM_X86_64 } from "../elf/machine.js";
import type { ElfIdentity } from "../elf/types.js";

const TRIPLET_OF_ARCH: Record<string, string> = {
  // process.arch names
  x64: "x86_64-linux-gnu", arm64: "aarch64-linux-gnu", ia32: "i386-linux-gnu", arm: "arm-linux-gnueabihf",
  ppc64: "powerpc64le-linux-gnu", s390x: "s390x-linux-gnu", riscv64: "riscv64-linux-gnu", loong64: "loongarch64-linux-gnu",
  // uname -m names
  x86_64: "x86_64-linux-gnu", aarch64: "aarch64-linux-gnu", i386: "i386-linux-gnu", i686: "i386-linux-gnu",
  armv7l: "arm-linux-gnueabihf", ppc64le: "powerpc64le-linux-gnu", loongarch64: "loongarch64-linux-gnu",
};

/** "x64" or "x86_64" → "x86_64-linux-gnu"; undefined for architectures Debian does not ship. */
export function multiarchTriplet(arch: string): string | undefined {
  return TRIPLET_OF_ARCH[arch];
}

const EM_PPC64 = 21;
const EM_S390 = 22;
const EF_ARM_ABI_FLOAT_HARD = 0x400;
const EF_RISCV_FLOAT_ABI_DOUBLE = 0x4;

/** The triplet a target binary's libraries live under (an -m32 program: i386-linux-gnu). */
export function multiarchTripletForElf(identity: ElfIdentity): string | undefined {
  switch (identity.machine) {
    case EM_X86_64: return identity.bits === 64 ? "x86_64-linux-gnu" : "x86_64-linux-gnux32";
    case EM_386: return "i386-linux-gnu";
    case EM_AARCH64: return "aarch64-linux-gnu";
    case EM_ARM: return (identity.flags & EF_ARM_ABI_FLOAT_HARD) !== 0 ? "arm-linux-gnueabihf" : "arm-linux-gnueabi";
    case EM_PPC64: return identity.endianness === "little" ? "powerpc64le-linux-gnu" : "powerpc64-linux-gnu";
    case EM_S390: return identity.bits === 64 ? "s390x-linux-gnu" : undefined;
    case EM_RISCV: return identity.bits === 64 ? "riscv64-linux-gnu" : undefined;
    default: return undefined;
  }
}

/** ELF class, machine and float-ABI flags of code built for node's process.arch (the host). */
export function hostElfMachine(arch: string): Pick<ElfIdentity, "bits" | "machine" | "flags"> | undefined {
  const table: Record<string, Pick<ElfIdentity, "bits" | "machine" | "flags">> = {
    x64: { bits: 64, machine: EM_X86_64, flags: 0 },
    arm64: { bits: 64, machine: EM_AARCH64, flags: 0 },
    ia32: { bits: 32, machine: EM_386, flags: 0 },
    // Node's 32-bit ARM builds are hard-float (armhf); RISC-V Linux is lp64d.
    arm: { bits: 32, machine: EM_ARM, flags: EF_ARM_ABI_FLOAT_HARD },
    ppc64: { bits: 64, machine: EM_PPC64, flags: 0 },
    s390x: { bits: 64, machine: EM_S390, flags: 0 },
    riscv64: { bits: 64, machine: EM_RISCV, flags: EF_RISCV_FLOAT_ABI_DOUBLE },
  };
  return table[arch];
}
