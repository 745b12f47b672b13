// e_machine numbers (ELF gABI, elf.h) and short names as users know the architectures.

export const EM_386 = 3;
export const EM_ARM = 40;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const EM_RISCV = 243;

const MACHINE_NAMES: Record<number, string> = {
  2: "SPARC",
  3: "x86",
  8: "MIPS",
  18: "SPARC32PLUS",
  20: "PowerPC",
  21: "PowerPC64",
  22: "S/390",
  40: "ARM",
  43: "SPARC V9",
  50: "IA-64",
  62: "x86-64",
  183: "AArch64",
  243: "RISC-V",
  247: "BPF",
  258: "LoongArch",
};

/** 62 → "x86-64"; unknown numbers → "machine 1234". */
export function elfMachineName(machine: number): string {
  return MACHINE_NAMES[machine] ?? `machine ${machine}`;
}
