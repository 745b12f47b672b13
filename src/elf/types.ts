// The data parseElf returns. Field names follow the ELF specification (p_filesz → filesz)
// so they stay searchable next to readelf output. Addresses and sizes are plain numbers.

export type ElfClassBits = 32 | 64;
export type ElfEndianness = "little" | "big";
export type ElfType = "rel" | "exec" | "dyn" | "core" | "unknown";

/** What the first 64 bytes tell: enough to match a library against a program. */
export interface ElfIdentity {
  fileName: string;
  bits: ElfClassBits;
  endianness: ElfEndianness;
  /** e_ident[EI_OSABI]: 0 System V, 3 GNU/Linux. */
  osAbi: number;
  type: ElfType;
  machine: number;
  /** Short architecture name: "x86-64", "AArch64", "x86". */
  machineName: string;
  /** e_flags: processor-specific (ARM float ABI, RISC-V float ABI). */
  flags: number;
}

export interface ProgramHeader {
  /** p_type: see PT_* in constants.ts. */
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  /** p_flags: PF_X 1, PF_W 2, PF_R 4. */
  flags: number;
  align: number;
}

export interface SectionHeader {
  name: string;
  /** sh_type: see SHT_* in constants.ts. */
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export interface ElfFile extends ElfIdentity {
  entry: number;
  programHeaders: ProgramHeader[];
  sections: SectionHeader[];
  /** PT_INTERP: the dynamic loader path, e.g. "/lib64/ld-linux-x86-64.so.2". */
  interpreter: string | undefined;
  /** DT_NEEDED entries in order. */
  needed: string[];
  soname: string | undefined;
  /** DT_RUNPATH, else DT_RPATH. */
  runpath: string | undefined;
  /** DT_FLAGS_1 (0 when absent). */
  flags1: number;
  /** DF_1_PIE set: a position-independent executable (static-pie included). */
  isPie: boolean;
  /** NT_GNU_BUILD_ID as lower-case hex. */
  buildId: string | undefined;
  /** Built by the Go toolchain (.note.go.buildid, .go.buildinfo or .gopclntab). */
  isGo: boolean;
  /** "go1.19.8" when .go.buildinfo is readable. */
  goVersion: string | undefined;
  /** A .symtab section is present (not stripped). */
  hasSymtab: boolean;
  /** A .debug_info (or compressed .zdebug_info) section is present. */
  hasDebugInfo: boolean;
  /**
   * An executable the kernel starts without ld.so (no PT_INTERP): `-static` and
   * `-static-pie`. Shared libraries are never static, even though they lack PT_INTERP.
   */
  isStatic: boolean;
}
