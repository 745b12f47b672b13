// The build-id of an ELF file read from its first bytes only: the ELF header, the program
// headers and the PT_NOTE segments (a few KiB, even for a 100 MB binary). Used to record
// and check which build of an object a profile was taken from.
import { NT_GNU_BUILD_ID, PT_NOTE } from "./constants.js";
import { ByteReader } from "./byte-reader.js";
import { hasElfMagic } from "./parse-elf.js";
import { readNotes } from "./notes.js";
import { readFileRange, withOpenFile } from "./read-elf-file.js";

/** Note segments larger than this are damage, not build-ids. */
const MAX_NOTE_BYTES = 1 << 20;
const MAX_PROGRAM_HEADERS = 4096;

/**
 * NT_GNU_BUILD_ID as lower-case hex; undefined when the file has none, is not ELF or
 * cannot be read.
 */
export function readBuildIdFromFile(path: string): string | undefined {
  try {
    return withOpenFile(path, (fd) => readBuildId(fd, path));
  } catch {
    return undefined;
  }
}

function readBuildId(fd: number, path: string): string | undefined {
  const head = readFileRange(fd, 0, 64);
  if (!hasElfMagic(head) || head.length < 64) return undefined;
  const is64 = head[4] === 2;
  const header = new ByteReader(head, path, head[5] === 1, is64);
  const tableOffset = header.word(is64 ? 0x20 : 0x1c);
  const entrySize = header.u16(is64 ? 0x36 : 0x2a);
  const count = header.u16(is64 ? 0x38 : 0x2c);
  if (count === 0 || count > MAX_PROGRAM_HEADERS || entrySize < (is64 ? 56 : 32)) return undefined;
  const table = new ByteReader(readFileRange(fd, tableOffset, count * entrySize), path, header.littleEndian, is64);
  for (let index = 0; index < count; index++) {
    const at = index * entrySize;
    if (table.u32(at) !== PT_NOTE) continue;
    const offset = is64 ? table.u64(at + 8) : table.u32(at + 4);
    const size = is64 ? table.u64(at + 32) : table.u32(at + 16);
    const align = is64 ? table.u64(at + 48) : table.u32(at + 28);
    if (size > MAX_NOTE_BYTES) continue;
    const notes = new ByteReader(readFileRange(fd, offset, size), path, header.littleEndian, is64);
    const note = readNotes(notes, 0, notes.length, align).find((candidate) => candidate.owner === "GNU" && candidate.type === NT_GNU_BUILD_ID);
    if (note !== undefined) return notes.buffer.toString("hex", note.descOffset, note.descOffset + note.descSize);
  }
  return undefined;
}
