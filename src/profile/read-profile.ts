// Format sniffing: each parser either declines a file (undefined: not its format) or
// parses it, throwing an input error when the file is its format but broken.
import { open, readFile } from "node:fs/promises";
import { inputError } from "../core/errors.js";
import type { Profile } from "./model.js";
import { parseGperftoolsCpu } from "./parse/gperftools-cpu.js";
import { parseGperftoolsHeap } from "./parse/gperftools-heap.js";
import { parseJemallocHeap } from "./parse/jemalloc-heap.js";
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
  let data: Buffer | string;
  try {
    // A text profile is read straight into a string: holding its bytes too while parsing
    // would double the peak memory of a big one.
    data = (await startsAsTextProfile(path)) ? await readFile(path, "utf8") : await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a directory" : "cannot be read";
    throw inputError(`profile ${path} ${reason}`, "check the path", error);
  }
  return typeof data === "string" ? parseProfileText(data, path) : parseProfile(data, path);
}

/** The headers of the text formats (jemalloc heap_v2, gperftools heap); the binary ones never start so. */
const TEXT_PROFILE_START = /^(heap_v2\/|heap profile:)/;

async function startsAsTextProfile(path: string): Promise<boolean> {
  const file = await open(path, "r");
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return TEXT_PROFILE_START.test(head.toString("latin1", 0, bytesRead));
  } finally {
    await file.close();
  }
}
