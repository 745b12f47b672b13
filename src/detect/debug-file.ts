// Separate debug files (Debian -dbgsym/-dbg packages, `objcopy --only-keep-debug`), looked
// up the way gdb does: by build-id first, then by path under the debug root.
import { existsSync } from "node:fs";
import { join } from "node:path";

export const DEFAULT_DEBUG_ROOT = "/usr/lib/debug";

/** Candidate paths, most reliable first. */
export function debugFileCandidates(objectPath: string, buildId: string | undefined, debugRoot = DEFAULT_DEBUG_ROOT): string[] {
  const candidates: string[] = [];
  if (buildId !== undefined && buildId.length > 2) candidates.push(join(debugRoot, ".build-id", buildId.slice(0, 2), `${buildId.slice(2)}.debug`));
  if (objectPath.startsWith("/")) candidates.push(join(debugRoot, `${objectPath}.debug`), join(debugRoot, objectPath));
  return candidates;
}

/** The first existing debug file for the object, or undefined. */
export function findDebugFile(objectPath: string, buildId: string | undefined, debugRoot = DEFAULT_DEBUG_ROOT): string | undefined {
  return debugFileCandidates(objectPath, buildId, debugRoot).find((candidate) => existsSync(candidate));
}
