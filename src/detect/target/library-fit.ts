// distro-paths.md §5.4, §5.5: the preloaded library must match the program's ELF class
// and machine (else the loader prints "wrong ELF class" and runs the program without
// it) and its C library (a glibc library in a musl program is fatal: exit 127).
import { findPreloadMismatches, loaderFamily, type ElfFile } from "../../elf/index.js";
import { finding, type Finding } from "../finding.js";

export interface LibraryUnderTest {
  path: string;
  elf: ElfFile;
  /** How to get a fitting build on this distribution, e.g. the i386 package. */
  installHint?: string;
}

export const describeAbi = (elf: Pick<ElfFile, "bits" | "machineName">): string => `${elf.bits}-bit ${elf.machineName}`;

/** What ld.so prints for the mismatch (distro-paths.md §5.5): a wrong machine reads as a missing file. */
export function loaderComplaint(target: ElfFile, library: ElfFile): string {
  return target.bits !== library.bits ? `"wrong ELF class: ELFCLASS${library.bits}"` : `"cannot open shared object file"`;
}

/** `shownName` names the program in messages ("./prog"). */
export function checkLibraryFit(shownName: string, target: ElfFile, library: LibraryUnderTest): Finding[] {
  const findings: Finding[] = [];
  const mismatches = findPreloadMismatches(target, library.elf);
  if (mismatches.includes("abi")) {
    findings.push(
      finding(
        "target.library-abi",
        "blocking",
        `${shownName} is ${describeAbi(target)} but ${library.path} is ${describeAbi(library.elf)}: the loader would skip it (${loaderComplaint(target, library.elf)})`,
        library.installHint ?? `install the ${describeAbi(target)} build of the library, or pass --lib PATH`,
      ),
    );
  }
  if (mismatches.includes("libc")) {
    const programLibc = loaderFamily(target);
    const libraryLibc = loaderFamily(library.elf);
    findings.push(
      finding(
        "target.library-libc",
        "blocking",
        `${shownName} runs on ${programLibc} (${target.interpreter ?? "no loader"}) but ${library.path} is built for ${libraryLibc}: preloading it kills the program`,
        library.installHint ?? `use a ${programLibc} build of the library (on Alpine: apk add it), or pass --lib PATH`,
      ),
    );
  }
  return findings;
}
