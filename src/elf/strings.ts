// Byte-string searches over a binary, for fingerprints such as jemalloc's "heap_v2/%"
// (profiling compiled in) or "_RJEM_MALLOC_CONF" (tikv-jemallocator). Buffer.indexOf is a
// native search; these stay fast on 100 MB binaries.

/** True when `text` occurs anywhere in the bytes. */
export function containsAscii(buffer: Buffer, text: string): boolean {
  return buffer.indexOf(text, 0, "latin1") >= 0;
}

/**
 * True when `text` occurs as a whole NUL-terminated C string, not merely inside a longer
 * one ("MALLOC_CONF" as a string, not the tail of "_RJEM_MALLOC_CONF"). Linkers merge
 * string tails, so a string the program uses may exist only as the end of a longer one.
 */
export function containsCString(buffer: Buffer, text: string): boolean {
  const needle = Buffer.from(`\0${text}\0`, "latin1");
  return buffer.indexOf(needle) >= 0;
}
