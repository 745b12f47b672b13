// gperftools CPU profiles (profile-formats.md §3): native-word binary — header
// [0, 3, 0, period_us, 0], records [count, depth, pc...], the end record [0, 1, 0], then
// /proc/self/maps as text. Word size and byte order are detected as pprof does.
import { ProfileBuilder } from "../builder.js";
import { parseMaps } from "../maps.js";
import type { Profile, ValueType } from "../model.js";
import { malformedAtOffset } from "./malformed.js";

const SAMPLES: ValueType = { type: "samples", unit: "count" };
const CPU: ValueType = { type: "cpu", unit: "nanoseconds" };
const HEADER_WORDS = 5;
const HINT =
  "the gperftools CPU profile is damaged or cut short (a process killed by a signal leaves an empty or partial file); capture it again";

interface WordReader {
  size: 4 | 8;
  littleEndian: boolean;
}

/** pprof's detection order; a layout matches when the first three words are 0, 3, 0. */
const LAYOUTS: WordReader[] = [
  { size: 4, littleEndian: true },
  { size: 4, littleEndian: false },
  { size: 8, littleEndian: true },
  { size: 8, littleEndian: false },
];

/** A gperftools CPU profile, or undefined when `data` does not start with its header. */
export function parseGperftoolsCpu(data: Uint8Array, fileName: string): Profile | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const layout = LAYOUTS.find((candidate) => startsWithHeader(view, candidate));
  if (!layout) return undefined;
  const fail = (byteOffset: number, problem: string) => malformedAtOffset(fileName, byteOffset, problem, HINT);
  const word = (byteOffset: number) => readWord(view, byteOffset, layout);
  const wordsLeft = (byteOffset: number) => Math.floor((data.byteLength - byteOffset) / layout.size);

  if (wordsLeft(0) < HEADER_WORDS) throw fail(data.byteLength, "the file ends inside the header");
  const periodMicros = word(3 * layout.size);
  if (periodMicros === 0) throw fail(3 * layout.size, "the sampling period is 0 microseconds");

  const builder = new ProfileBuilder(2);
  const periodNanos = periodMicros * 1000;
  const pcs: number[] = [];
  let offset = HEADER_WORDS * layout.size;
  for (;;) {
    if (wordsLeft(offset) < 2) throw fail(offset, "the file ends before the end-of-data record");
    const count = word(offset);
    const depth = word(offset + layout.size);
    offset += 2 * layout.size;
    // Also bounds the loop below: a damaged depth word cannot make us read past the file.
    if (depth > wordsLeft(offset)) throw fail(offset - layout.size, `stack depth ${depth} runs past the end of the file`);
    pcs.length = depth;
    for (let i = 0; i < depth; i++) pcs[i] = word(offset + i * layout.size);
    offset += depth * layout.size;
    if (count === 0 && depth === 1 && pcs[0] === 0) break;
    // pc[0] is the interrupted instruction, the rest are return addresses; evicted
    // duplicates of a stack are summed by the builder.
    builder.addSample(pcs, false, [count, count * periodNanos]);
  }

  const maps = parseMaps(new TextDecoder().decode(data.subarray(offset)));
  const comments =
    maps.ignoredLineCount > 0 ? [`${maps.ignoredLineCount} line(s) after the samples were not maps lines`] : [];
  return builder.build(
    { format: "gperftools-cpu", sampleTypes: [SAMPLES, CPU], defaultSampleType: CPU.type, periodType: CPU, period: periodNanos, comments },
    maps.mappings,
  );
}

function startsWithHeader(view: DataView, layout: WordReader): boolean {
  if (view.byteLength < 3 * layout.size) return false;
  return readWord(view, 0, layout) === 0 && readWord(view, layout.size, layout) === 3 && readWord(view, 2 * layout.size, layout) === 0;
}

/** One unsigned word as a number (exact below 2^53, which covers user-space addresses). */
function readWord(view: DataView, byteOffset: number, { size, littleEndian }: WordReader): number {
  if (size === 4) return view.getUint32(byteOffset, littleEndian);
  const low = view.getUint32(byteOffset + (littleEndian ? 0 : 4), littleEndian);
  const high = view.getUint32(byteOffset + (littleEndian ? 4 : 0), littleEndian);
  return high * 2 ** 32 + low;
}
