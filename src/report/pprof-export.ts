// `--format pprof`: the analysed profile as gzipped profile.proto for `go tool pprof`,
// Pyroscope or speedscope (profile-formats.md §4). Symbolized locations, allocator frames
// already dropped, every sample type of the source, values rounded so that each type's
// total stays exact. With a base profile the base samples are added negated and labelled
// pprof::base=true — exactly what `pprof -diff_base` does — so every view shows NEW − OLD
// and percentages relate to the base total.
import { gzipSync } from "node:zlib";
import { Function as PprofFunction, Label, Line, Location, Mapping, Profile as PprofProfile, Sample, StringTable, ValueType } from "pprof-format";
import type { PreparedProfile } from "../analysis/analysis.js";
import type { Profile } from "../profile/model.js";
import { roundPreservingSum } from "./values.js";
import { forEachSample, sampleCount, valuesOf } from "../profile/sample-columns.js";

export interface PprofExportOptions {
  /** Sample type pprof shows by default. */
  defaultSampleType: string;
  base?: PreparedProfile;
}

class PprofWriter {
  readonly strings = new StringTable();
  readonly mappings: Mapping[] = [];
  readonly locations: Location[] = [];
  readonly functions: PprofFunction[] = [];
  /**
   * Samples encoded as they are added (Profile field 2 records): a million pprof-format
   * Sample objects held until one encode() took gigabytes. Protocol buffers take fields
   * in any order, so these follow the rest of the profile.
   */
  readonly encodedSamples = new ChunkedBytes();

  /**
   * Adds one profile's tables (ids shifted past what is there) and its samples times
   * `sign`, with values in the order of `types` (0 where the profile lacks a type).
   */
  add(profile: Profile, sign: 1 | -1, types: readonly string[]): void {
    const mappingBase = this.mappings.length;
    const locationBase = this.locations.length;
    const functionBase = this.functions.length;
    const mappingIds = new Map<number, number>();
    profile.mappings.forEach((mapping, index) => {
      mappingIds.set(mapping.id, mappingBase + index + 1);
      this.mappings.push(
        new Mapping({
          id: mappingBase + index + 1,
          memoryStart: mapping.start,
          memoryLimit: mapping.limit,
          fileOffset: mapping.offset,
          filename: this.strings.dedup(mapping.file),
          buildId: this.strings.dedup(mapping.buildId ?? ""),
          hasFunctions: profile.functions.length > 0,
          hasFilenames: profile.functions.some((fn) => fn.filename !== ""),
          hasLineNumbers: profile.functions.some((fn) => fn.filename !== ""),
          hasInlineFrames: profile.locations.some((location) => location.lines.length > 1),
        }),
      );
    });
    const functionIds = new Map<number, number>();
    profile.functions.forEach((fn, index) => {
      functionIds.set(fn.id, functionBase + index + 1);
      this.functions.push(
        new PprofFunction({
          id: functionBase + index + 1,
          name: this.strings.dedup(fn.name),
          systemName: this.strings.dedup(fn.systemName),
          filename: this.strings.dedup(fn.filename),
        }),
      );
    });
    const locationIds = new Map<number, number>();
    profile.locations.forEach((location, index) => {
      locationIds.set(location.id, locationBase + index + 1);
      this.locations.push(
        new Location({
          id: locationBase + index + 1,
          mappingId: mappingIds.get(location.mappingId) ?? 0,
          // pprof's convention: return addresses already adjusted to the call instruction.
          address: location.isReturnAddress && location.address > 0 ? location.address - 1 : location.address,
          line: location.lines.map((line) => new Line({ functionId: functionIds.get(line.functionId) ?? 0, line: line.line })),
        }),
      );
    });
    const columns = types.map((type) => {
      const column = profile.sampleTypes.findIndex((candidate) => candidate.type === type);
      return roundPreservingSum(column === -1 ? new Array<number>(sampleCount(profile)).fill(0) : valuesOf(profile, column).map((value) => value * sign));
    });
    // One sample at a time: a million stacks as Sample objects would be ~320 MB at once.
    forEachSample(profile, (sample, row) => {
      const labels: Label[] = [];
      for (const [key, num] of Object.entries(sample.numLabels ?? {})) labels.push(new Label({ key: this.strings.dedup(key), num: Math.round(num) }));
      for (const [key, str] of Object.entries(sample.labels ?? {})) labels.push(new Label({ key: this.strings.dedup(key), str: this.strings.dedup(str) }));
      // pprof's own -diff_base marks base samples this way; percentages then relate to the base.
      if (sign === -1) labels.push(new Label({ key: this.strings.dedup("pprof::base"), str: this.strings.dedup("true") }));
      const encoded = new Sample({
        locationId: sample.locationIds.map((id) => locationIds.get(id) ?? 0),
        value: columns.map((column) => column[row] as number),
        label: labels,
      }).encode();
      this.encodedSamples.appendField(SAMPLE_FIELD, encoded);
    });
  }
}

/** Gzipped profile.proto bytes. */
export function encodePprof(prepared: PreparedProfile, options: PprofExportOptions): Buffer {
  const { profile } = prepared;
  const writer = new PprofWriter();
  const valueType = (type: { type: string; unit: string }) => new ValueType({ type: writer.strings.dedup(type.type), unit: writer.strings.dedup(type.unit) });
  const sampleType = profile.sampleTypes.map(valueType);
  const types = profile.sampleTypes.map((type) => type.type);
  writer.add(profile, 1, types);
  if (options.base !== undefined) writer.add(options.base.profile, -1, types);
  const comments = [...profile.comments, `allocrun: ${profile.format} profile ${prepared.source}${options.base ? ` minus ${options.base.source}` : ""}`];
  const encoded = new PprofProfile({
    sampleType,
    mapping: writer.mappings,
    location: writer.locations,
    function: writer.functions,
    stringTable: writer.strings,
    periodType: profile.periodType ? valueType(profile.periodType) : undefined,
    period: Math.round(profile.period),
    durationNanos: profile.durationNanos ?? 0,
    comment: comments.map((text) => writer.strings.dedup(text)),
    defaultSampleType: writer.strings.dedup(options.defaultSampleType),
  }).encode();
  return gzipSync(Buffer.concat([encoded, ...writer.encodedSamples.chunks()]));
}

/** Profile.sample: field 2, length-delimited. */
const SAMPLE_FIELD = (2 << 3) | 2;
const CHUNK_BYTES = 1 << 20;

/** Length-delimited protobuf fields written into 1 MiB buffers. */
class ChunkedBytes {
  private readonly filled: Buffer[] = [];
  private current = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  appendField(tag: number, bytes: Uint8Array): void {
    // Tag, varint length (at most 10 bytes), bytes.
    const needed = 11 + bytes.length;
    if (this.used + needed > this.current.length) {
      this.filled.push(this.current.subarray(0, this.used));
      this.current = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, needed));
      this.used = 0;
    }
    this.current[this.used++] = tag;
    let length = bytes.length;
    while (length > 127) {
      this.current[this.used++] = (length & 127) | 128;
      length >>>= 7;
    }
    this.current[this.used++] = length;
    this.current.set(bytes, this.used);
    this.used += bytes.length;
  }

  chunks(): Buffer[] {
    return [...this.filled, this.current.subarray(0, this.used)];
  }
}
