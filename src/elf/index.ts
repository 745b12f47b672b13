// Native ELF reading: pure functions over a Buffer, plus readElfFile for the file system.
export type { ElfClassBits, ElfEndianness, ElfFile, ElfIdentity, ElfType, ProgramHeader, SectionHeader } from "./types.js";
export * from "./constants.js";
export { parseElf, parseElfIdentity, hasElfMagic, ELF_IDENTITY_BYTES } from "./parse-elf.js";
export { elfMachineName, EM_386, EM_AARCH64, EM_ARM, EM_RISCV, EM_X86_64 } from "./machine.js";
export { fileOffsetToVaddr, vaddrToFileOffset } from "./address.js";
export { readFunctionSymbols, findSymbol, hasSymbolNamed, FunctionSymbolIndex, type FunctionSymbol, type SymbolBinding } from "./symbols.js";
export { findPreloadMismatches, isPreloadable, loaderFamily, type LoaderFamily, type PreloadMismatch } from "./loader.js";
export { containsAscii, containsCString } from "./strings.js";
export { readElfFile, readElfFileForSymbols, readElfIdentity, readSectionContents, type LoadedElf } from "./read-elf-file.js";
export { readFunctionRanges, findFunctionStart, type FunctionRanges, type SectionBytes } from "./eh-frame.js";
export { readBuildIdFromFile } from "./read-build-id.js";
