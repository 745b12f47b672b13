// distro-paths.md §5.4, §5.5: the preloaded library must match the program's ELF class
// and machine (else the loader prints "wrong ELF class" and runs the program without
// it) and its C library (a glibc library in a musl program is fatal: exit 127).
import { loaderFamily, type ElfFile } from "../../elf/index.js";
import { finding, type Finding } from "../finding.js";

export interface LibraryUnderTest {
  path: string;
  elf: ElfFile;
  /** How to get a fitting build on this distribution, e.g. the i386 package. */
  installHint?: string;
}

const describeAbi = (elf: ElfFile): string => `${elf.bits}-bit ${elf.machineName}`;

/** `shownName` names the program in messages ("./prog"). */
export function checkLibraryFit(shownName: string, target: ElfFile, library: LibraryUnderTest): Finding[] {
  const findings: Finding[] = [];
  if (target.bits !== library.elf.bits || target.machine !== library.elf.machine) {
    findings.push(
      finding(
        "target.library-abi",
        "blocking",
        `${shownName} is ${describeAbi(target)} but ${library.path} is ${describeAbi(library.elf)}: the loader would skip it ("wrong ELF class")`,
        library.installHint ?? `install the ${describeAbi(target)} build of the library, or pass --lib PATH`,
      ),
    );
  }
  const programLibc = loaderFamily(target);
  const libraryLibc = loaderFamily(library.elf);
  if (programLibc !== "unknown" && libraryLibc !== "unknown" && programLibc !== libraryLibc) {
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
