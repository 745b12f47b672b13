// Reads, symbolizes and trims profiles for analysis: the I/O half of `allocrun analyze`
// and of the automatic analysis after `allocrun run`. One symbolizer serves all the
// profiles, so a base profile or a series opens each binary once. A profile inside a run
// folder is checked against the builds recorded there (objects.json).
import { dirname } from "node:path";
import { readProfileFile } from "../profile/read-profile.js";
import { dropAllocatorFrames } from "../symbolize/allocator-frames.js";
import { readRecordedObjects } from "../symbolize/recorded-objects.js";
import { createSymbolizer, type SymbolizeOptions } from "../symbolize/symbolize-profile.js";
import type { PreparedProfile } from "./analysis.js";

export async function loadPreparedProfiles(paths: readonly string[], options: SymbolizeOptions, onProgress?: (message: string) => void): Promise<PreparedProfile[]> {
  const symbolizer = createSymbolizer(options);
  const prepared: PreparedProfile[] = [];
  for (const [index, path] of paths.entries()) {
    onProgress?.(`reading and symbolizing ${path}${paths.length > 1 ? ` (${index + 1}/${paths.length})` : ""}`);
    const profile = await readProfileFile(path);
    const recorded = readRecordedObjects(dirname(path));
    const symbolized = await symbolizer.symbolize(profile, recorded.size > 0 ? recorded : undefined);
    prepared.push({ source: path, profile: dropAllocatorFrames(symbolized.profile), unsymbolizedObjects: symbolized.unsymbolizedObjects });
  }
  return prepared;
}
