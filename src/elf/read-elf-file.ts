// The only part of src/elf that touches the file system: read a file and parse it.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { inputError, isAllocrunError } from "../core/errors.js";
import { ELF_IDENTITY_BYTES, parseElf, parseElfIdentity } from "./parse-elf.js";
import type { ElfFile, ElfIdentity } from "./types.js";

export interface LoadedElf {
  elf: ElfFile;
  /** The whole file; pass it to readFunctionSymbols / containsAscii. */
  buffer: Buffer;
}

function readFailed(path: string, error: unknown) {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable" : code === "EISDIR" ? "is a directory" : `cannot be read (${code ?? String(error)})`;
  return inputError(`${path} ${reason}`, "check the path", error);
}

export function readElfFile(path: string): LoadedElf {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (error) {
    throw readFailed(path, error);
  }
  return { elf: parseElf(buffer, path), buffer };
}

/** Reads only the first 64 bytes: class, byte order, type, machine. */
export function readElfIdentity(path: string): ElfIdentity {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw readFailed(path, error);
  }
  try {
    const head = Buffer.alloc(ELF_IDENTITY_BYTES);
    const length = readSync(fd, head, 0, head.length, 0);
    return parseElfIdentity(head.subarray(0, length), path);
  } catch (error) {
    if (isAllocrunError(error)) throw error;
    throw readFailed(path, error);
  } finally {
    closeSync(fd);
  }
}
