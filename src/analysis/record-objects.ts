// Right after the program exits: which build of each object its profiles map, written to
// objects.json in the run folder (format: symbolize/recorded-objects.ts), so a later
// analysis can tell when a binary was rebuilt since. Reads only the profiles' tails (their
// memory maps come last) and each object's headers, never a whole binary. Loaded lazily.
import { closeSync, fstatSync, openSync, readSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readBuildIdFromFile } from "../elf/index.js";
import { parseMaps } from "../profile/maps.js";
import { RECORDED_OBJECTS_FILE, type RecordedObject, type RecordedObjects } from "../symbolize/recorded-objects.js";
import { isSpecialMapping } from "../symbolize/object-paths.js";

/** Maps sections are a few KiB to a few hundred; the tail read covers them generously. */
const TAIL_BYTES = 4 << 20;
const MAPS_MARKER = "MAPPED_LIBRARIES:";

/** The executable objects a profile's memory map names (heap text or CPU binary alike). */
function mappedObjectPaths(profilePath: string): string[] {
  const fd = openSync(profilePath, "r");
  let tail: string;
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    tail = buffer.toString("latin1");
  } finally {
    closeSync(fd);
  }
  const marker = tail.lastIndexOf(MAPS_MARKER);
  const { mappings } = parseMaps(marker >= 0 ? tail.slice(marker + MAPS_MARKER.length) : tail);
  return mappings.filter((mapping) => mapping.isExecutable && !isSpecialMapping(mapping.file) && !mapping.file.endsWith(" (deleted)")).map((mapping) => mapping.file);
}

function describeObject(path: string): RecordedObject | undefined {
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return undefined;
    const buildId = readBuildIdFromFile(path);
    return { path, ...(buildId === undefined ? {} : { buildId }), bytes: stats.size, mtimeMs: stats.mtimeMs };
  } catch {
    return undefined;
  }
}

/**
 * Writes objects.json for the objects mapped in `profilePaths`; an existing file is kept.
 * Returns whether it wrote one.
 */
export function recordMappedObjects(runDir: string, profilePaths: readonly string[]): boolean {
  const paths = new Set<string>();
  for (const profile of profilePaths) {
    try {
      for (const path of mappedObjectPaths(profile)) paths.add(path);
    } catch {
      // An unreadable profile records nothing; the analysis will say what is wrong with it.
    }
  }
  const objects = [...paths].sort().flatMap((path) => describeObject(path) ?? []);
  if (objects.length === 0) return false;
  const recorded: RecordedObjects = { schemaVersion: 1, objects };
  try {
    writeFileSync(join(runDir, RECORDED_OBJECTS_FILE), `${JSON.stringify(recorded, null, 2)}\n`, { flag: "wx" });
    return true;
  } catch {
    return false;
  }
}
