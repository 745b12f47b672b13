// Translation between file offsets and ELF virtual addresses through the PT_LOAD segments
// (profile-formats.md §6.2). Never assume p_vaddr == p_offset: libjemalloc's RW segment
// has p_offset 0xc6520 and p_vaddr 0xc7520.
import { PT_LOAD } from "./constants.js";
import type { ProgramHeader } from "./types.js";

type WithSegments = { programHeaders: readonly ProgramHeader[] };

/** The vaddr a file offset is loaded at, or undefined when no PT_LOAD covers it. */
export function fileOffsetToVaddr(elf: WithSegments, fileOffset: number): number | undefined {
  for (const segment of elf.programHeaders) {
    if (segment.type !== PT_LOAD) continue;
    if (fileOffset >= segment.offset && fileOffset < segment.offset + segment.filesz) {
      return fileOffset - segment.offset + segment.vaddr;
    }
  }
  return undefined;
}

/** The file offset holding a vaddr, or undefined when it is not backed by file bytes (.bss). */
export function vaddrToFileOffset(elf: WithSegments, vaddr: number): number | undefined {
  for (const segment of elf.programHeaders) {
    if (segment.type !== PT_LOAD) continue;
    if (vaddr >= segment.vaddr && vaddr < segment.vaddr + segment.filesz) {
      return vaddr - segment.vaddr + segment.offset;
    }
  }
  return undefined;
}
