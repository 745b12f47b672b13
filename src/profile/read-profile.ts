// Format sniffing: each parser either declines a file (undefined: not its format) or
// parses it, throwing an input error when the file is its format but broken.
import { closeSync, openSync, readSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { inputError } from "../core/errors.js";
import type { Profile } from "./model.js";
import { parseGperftoolsCpu } from "./parse/gperftools-cpu.js";
import { GPERFTOOLS_HEAP_MAGIC, parseGperftoolsHeap } from "./parse/gperftools-heap.js";
import { JEMALLOC_HEAP_MAGIC, parseJemallocHeap } from "./parse/jemalloc-heap.js";
import { parsePprof } from "./parse/pprof.js";

type BinaryParser = (data: Uint8Array, fileName: string) => Profile | undefined;
type TextParser = (text: string, fileName: string) => Profile | undefined;

// Binary formats first: their magic numbers are cheap to test and never occur in text.
// The pprof reader takes gzip (1f 8b) and declines raw data unless it starts like a
// profile.proto and decodes into a consistent one, so text profiles still reach their parsers.
const BINARY_PARSERS: BinaryParser[] = [parseGperftoolsCpu, parsePprof];
const TEXT_PARSERS: TextParser[] = [parseJemallocHeap, parseGperftoolsHeap];

/** The profile in `data`, whatever format allocrun knows it in. `fileName` is for messages. */
export function parseProfile(data: Uint8Array, fileName: string): Profile {
  if (data.byteLength === 0) {
    throw inputError(
      `${fileName} is empty`,
      "the profiled program probably died of a signal before the profile was written (SIGTERM/SIGKILL write no profile)",
    );
  }
  for (const parse of BINARY_PARSERS) {
    const profile = parse(data, fileName);
    if (profile) return profile;
  }
  return parseProfileText(new TextDecoder().decode(data), fileName);
}

function parseProfileText(text: string, fileName: string): Profile {
  for (const parse of TEXT_PARSERS) {
    const profile = parse(text, fileName);
    if (profile) return profile;
  }
  throw inputError(
    `${fileName} is not a heap or CPU profile allocrun knows (jemalloc heap_v2, gperftools heap/CPU, pprof)`,
    "pass a file written by jemalloc (prof_prefix), gperftools (HEAPPROFILE / CPUPROFILE) or pprof",
  );
}

/** Reads and parses a profile file; a missing or unreadable file is an input error. */
export async function readProfileFile(path: string): Promise<Profile> {
  let kind: ProfileFileKind;
  try {
    kind = await profileFileKind(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  // A jemalloc profile is parsed as it is read, a part at a time: a million stacks are
  // 160 MB of text, which would sit beside the parsed stacks.
  if (kind === "jemalloc") return parseJemallocFileInParts(path);
  let data: Buffer | string;
  try {
    // Another text profile is read straight into a string: holding its bytes too while
    // parsing would double the peak memory of a big one.
    data = kind === "text" ? await readFile(path, "utf8") : await readFile(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  return typeof data === "string" ? parseProfileText(data, path) : parseProfile(data, path);
}

function unreadable(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a directory" : "cannot be read";
  return inputError(`profile ${path} ${reason}`, "check the path", error);
}

/** Read at a time from a jemalloc profile: large enough that a part costs one read. */
const PART_BYTES = 4 << 20;

function parseJemallocFileInParts(path: string): Profile {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const decoder = new StringDecoder("utf8");
    const buffer = Buffer.allocUnsafe(PART_BYTES);
    let ended = false;
    const more = (): string | undefined => {
      if (ended) return undefined;
      let read: number;
      try {
        read = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        throw unreadable(path, error);
      }
      if (read > 0) return decoder.write(buffer.subarray(0, read));
      ended = true;
      const tail = decoder.end();
      return tail === "" ? undefined : tail;
    };
    const profile = parseJemallocHeap(more() ?? "", path, more);
    if (profile === undefined) throw unreadable(path, undefined); // its head said heap_v2 a moment ago
    return profile;
  } finally {
    closeSync(fd);
  }
}

type ProfileFileKind = "jemalloc" | "text" | "binary";

/** What the head of the file says: jemalloc heap_v2, another text format (gperftools heap), else binary. */
async function profileFileKind(path: string): Promise<ProfileFileKind> {
  const file = await open(path, "r");
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const text = head.toString("latin1", 0, bytesRead);
    if (text.startsWith(JEMALLOC_HEAP_MAGIC)) return "jemalloc";
    return text.startsWith(GPERFTOOLS_HEAP_MAGIC) ? "text" : "binary";
  } finally {
    await file.close();
  }
}
