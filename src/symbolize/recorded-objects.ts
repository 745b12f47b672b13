// objects.json in a run folder: which build of each mapped object the program ran with
// (build-id, size, mtime), recorded right after it exited. At analysis an object whose
// file has changed since (the program was rebuilt) must not lend its names to the old
// addresses: they would point into different code. Format (schemaVersion 1):
//   { "schemaVersion": 1, "objects": [ { "path", "buildId"?, "bytes", "mtimeMs" } ] }
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const RECORDED_OBJECTS_FILE = "objects.json";

export interface RecordedObject {
  /** The path the process mapped. */
  path: string;
  /** NT_GNU_BUILD_ID as lower-case hex, when the object has one. */
  buildId?: string;
  bytes: number;
  mtimeMs: number;
}

export interface RecordedObjects {
  schemaVersion: 1;
  objects: RecordedObject[];
}

/** The objects recorded in `directory`, by path; empty when there is no (valid) objects.json. */
export function readRecordedObjects(directory: string): Map<string, RecordedObject> {
  try {
    const parsed = JSON.parse(readFileSync(join(directory, RECORDED_OBJECTS_FILE), "utf8")) as Partial<RecordedObjects>;
    if (parsed.schemaVersion !== 1 || !Array.isArray(parsed.objects)) return new Map();
    return new Map(parsed.objects.filter((object) => typeof object?.path === "string").map((object) => [object.path, object]));
  } catch {
    return new Map();
  }
}

/** What the file now on disk is, as far as a recorded object can be compared with it. */
export interface CurrentObject {
  buildId: string | undefined;
  bytes: number;
  mtimeMs: number;
}

/**
 * Why `current` is not the build that was recorded, or undefined when it is (or nothing
 * can tell). Build-ids decide when both sides have one; without them a file read from the
 * recorded path must still have the recorded size and modification time. `isSamePath`
 * is false for a file found elsewhere (--binary, a moved program): its mtime differs anyway.
 */
export function describeChange(recorded: RecordedObject, current: CurrentObject, isSamePath: boolean): string | undefined {
  if (recorded.buildId !== undefined && current.buildId !== undefined) {
    return recorded.buildId === current.buildId ? undefined : `build-id ${recorded.buildId.slice(0, 12)}… when profiled, ${current.buildId.slice(0, 12)}… now`;
  }
  if (!isSamePath) return undefined;
  if (recorded.bytes !== current.bytes || recorded.mtimeMs !== current.mtimeMs) {
    return `${recorded.bytes} bytes, modified ${new Date(recorded.mtimeMs).toISOString()} when profiled; ${current.bytes} bytes, modified ${new Date(current.mtimeMs).toISOString()} now`;
  }
  return undefined;
}
