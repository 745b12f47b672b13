// pprof's profile.proto (profile-formats.md §4), gzipped (.pb.gz, what Go's net/http/pprof
// and `go tool pprof -proto` write) or raw. The tables map one to one onto the shared
// model; ids are renumbered 1..n. Locations arrive already symbolized (their `lines` are
// filled in), which by the model's convention tells the symbolizer to keep them, and their
// addresses are already call-site addresses (pprof subtracts 1 from return addresses),
// so none is marked as a return address.
import { gunzipSync } from "node:zlib";
import { Profile as PprofProfile } from "pprof-format";
import type { FunctionInfo, Location, Mapping, Profile, Sample, ValueType } from "../model.js";
import { malformedAtOffset } from "./malformed.js";

const HINT = "the pprof profile is damaged or cut short; fetch or export it again";
/** Field 1 (sample_type), wire type 2: how every encoder we know starts a profile. */
const RAW_PROTOBUF_FIRST_BYTE = 0x0a;

type Numeric = number | bigint;

/** A pprof profile, or undefined when `data` is neither gzip nor a plausible raw profile.proto. */
export function parsePprof(data: Uint8Array, fileName: string): Profile | undefined {
  if (isGzip(data)) return parseGzipped(data, fileName);
  // A raw protobuf has no magic number: guess only from the first tag, and decline
  // (so the text parsers get their turn) unless it decodes into a consistent profile.
  if (data[0] !== RAW_PROTOBUF_FIRST_BYTE) return undefined;
  let decoded: PprofProfile;
  try {
    decoded = PprofProfile.decode(data);
  } catch {
    return undefined;
  }
  return describeInconsistency(decoded) === undefined ? toModel(decoded) : undefined;
}

function isGzip(data: Uint8Array): boolean {
  return data.byteLength >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/**
 * What a gzipped profile may decompress to: profile.proto compresses 3–10×, so 100× its
 * size (at least 16 MiB, at most 1 GiB) is generous for a real one and stops a gzip bomb
 * (up to ~1000×) after a fraction of a second instead of filling memory.
 */
export function maxDecompressedBytes(compressedBytes: number): number {
  return Math.min(1024 * 1024 * 1024, Math.max(16 * 1024 * 1024, 100 * compressedBytes));
}

function parseGzipped(data: Uint8Array, fileName: string): Profile {
  let raw: Buffer;
  const limit = maxDecompressedBytes(data.byteLength);
  try {
    // zlib stops inflating as soon as the output passes the limit.
    raw = gunzipSync(data, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw malformedAtOffset(fileName, 0, `gzip data that decompresses to more than ${Math.round(limit / 1024 / 1024)} MiB, over 100 times its size: not a profile`, `if it really is one, decompress it yourself (gunzip -k ${fileName}) and analyze that file`);
    }
    throw malformedAtOffset(fileName, 0, `gzip data that does not decompress (${(error as Error).message})`, HINT);
  }
  const head = raw.subarray(0, 16).toString("latin1");
  if (head.startsWith("heap_v2/") || head.startsWith("heap profile:") || head.startsWith("%")) {
    throw malformedAtOffset(fileName, 0, "a gzipped text heap profile, not pprof protobuf", `decompress it first: gunzip -k ${fileName}`);
  }
  let decoded: PprofProfile;
  try {
    decoded = PprofProfile.decode(raw);
  } catch (error) {
    throw malformedAtOffset(fileName, 0, `gzipped data that is not a pprof profile.proto (${(error as Error).message})`, HINT);
  }
  const problem = describeInconsistency(decoded);
  if (problem !== undefined) throw malformedAtOffset(fileName, 0, `not a valid pprof profile: ${problem}`, HINT);
  return toModel(decoded);
}

const toNumber = (value: Numeric | undefined): number => (value === undefined ? 0 : Number(value));

/** What makes the decoded message not a profile pprof would accept, or undefined. */
function describeInconsistency(profile: PprofProfile): string | undefined {
  const strings = profile.stringTable.strings;
  if (strings.length === 0 || strings[0] !== "") return 'string_table[0] is not ""';
  const isString = (index: Numeric | undefined) => toNumber(index) >= 0 && toNumber(index) < strings.length;
  if (profile.sampleType.length === 0) return "no sample_type";
  if (!profile.sampleType.every((type) => isString(type.type) && isString(type.unit))) return "a sample_type names a string outside string_table";
  if (profile.sampleType.some((type) => strings[toNumber(type.type)] === "")) return "a sample_type has no name";
  const locationIds = new Set(profile.location.map((location) => toNumber(location.id)));
  const functionIds = new Set(profile.function.map((fn) => toNumber(fn.id)));
  if (locationIds.has(0) || functionIds.has(0)) return "a location or function has id 0";
  for (const sample of profile.sample) {
    if (sample.value.length !== profile.sampleType.length) return `a sample has ${sample.value.length} values for ${profile.sampleType.length} sample types`;
    if (!sample.locationId.every((id) => locationIds.has(toNumber(id)))) return "a sample refers to a location that does not exist";
  }
  for (const location of profile.location) {
    if (!location.line.every((line) => functionIds.has(toNumber(line.functionId)))) return "a location refers to a function that does not exist";
  }
  if (!profile.function.every((fn) => isString(fn.name) && isString(fn.systemName) && isString(fn.filename))) return "a function names a string outside string_table";
  if (!profile.mapping.every((mapping) => isString(mapping.filename) && isString(mapping.buildId))) return "a mapping names a string outside string_table";
  return undefined;
}

/** Dense 1..n ids for one table, keyed by the file's ids. */
function renumber(ids: Numeric[]): Map<number, number> {
  return new Map(ids.map((id, index) => [toNumber(id), index + 1]));
}

function toModel(source: PprofProfile): Profile {
  const strings = source.stringTable.strings;
  const text = (index: Numeric | undefined) => strings[toNumber(index)] ?? "";
  const valueType = (type: { type: Numeric; unit: Numeric }): ValueType => ({ type: text(type.type), unit: text(type.unit) });

  const mappingIds = renumber(source.mapping.map((mapping) => mapping.id));
  const functionIds = renumber(source.function.map((fn) => fn.id));
  const locationIds = renumber(source.location.map((location) => location.id));

  const mappings = source.mapping.map((mapping, index): Mapping => {
    const buildId = text(mapping.buildId);
    return {
      id: index + 1,
      start: toNumber(mapping.memoryStart),
      limit: toNumber(mapping.memoryLimit),
      offset: toNumber(mapping.fileOffset),
      file: text(mapping.filename),
      ...(buildId === "" ? {} : { buildId: buildId.toLowerCase() }),
      // pprof keeps only the mappings code runs from.
      isExecutable: true,
    };
  });
  const functions = source.function.map((fn, index): FunctionInfo => {
    const name = text(fn.name);
    const systemName = text(fn.systemName);
    return { id: index + 1, name: name || systemName, systemName: systemName || name, filename: text(fn.filename) };
  });
  const locations = source.location.map((location, index): Location => ({
    id: index + 1,
    mappingId: mappingIds.get(toNumber(location.mappingId)) ?? 0,
    address: toNumber(location.address),
    isReturnAddress: false,
    lines: location.line.map((line) => ({ functionId: functionIds.get(toNumber(line.functionId)) as number, line: toNumber(line.line) })),
  }));
  const samples = source.sample.map((sample): Sample => {
    const converted: Sample = {
      locationIds: sample.locationId.map((id) => locationIds.get(toNumber(id)) as number),
      values: sample.value.map(toNumber),
    };
    for (const label of sample.label) {
      const key = text(label.key);
      if (toNumber(label.str) !== 0) (converted.labels ??= {})[key] = text(label.str);
      else (converted.numLabels ??= {})[key] = toNumber(label.num);
    }
    return converted;
  });

  const sampleTypes = source.sampleType.map(valueType);
  // pprof shows the last sample type when the file names none.
  const defaultSampleType = text(source.defaultSampleType) || (sampleTypes[sampleTypes.length - 1] as ValueType).type;
  const durationNanos = toNumber(source.durationNanos);
  return {
    format: "pprof",
    sampleTypes,
    defaultSampleType,
    samples,
    locations,
    functions,
    mappings,
    ...(source.periodType === undefined ? {} : { periodType: valueType(source.periodType) }),
    period: toNumber(source.period) || 1,
    ...(durationNanos > 0 ? { durationNanos } : {}),
    comments: source.comment.map(text),
  };
}
