// What to tell the user about objects whose code could not be named: which package's debug
// symbols to install, or how to build their own code so it can be symbolized.
import { runBatch } from "./batch-process.js";

export type UnsymbolizedReason = "stripped" | "missing" | "unreadable" | "changed";

export interface UnsymbolizedObject {
  /** The path the profile named. */
  path: string;
  reason: UnsymbolizedReason;
  /** How many distinct addresses in it stayed unnamed. */
  addresses: number;
  /** One line: what to install or change. */
  hint: string;
}

/** Debian package owning each path, with one dpkg-query call for all of them. */
export async function findOwningPackages(paths: readonly string[]): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  if (paths.length === 0) return owners;
  // Debian 12 is usr-merged, but dpkg still registers many libraries under /lib.
  const originalOf = new Map<string, string>();
  for (const path of paths) {
    originalOf.set(path, path);
    if (path.startsWith("/usr/lib/")) originalOf.set(path.slice(4), path);
  }
  // Exit status 1 only means some paths belong to no package; the others are still listed.
  const { stdout } = await runBatch("dpkg-query", ["-S", ...originalOf.keys()], "");
  for (const line of stdout.split("\n")) {
    // "libstdc++6:amd64: /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30"
    const match = /^([^:\s,]+)(?::[a-z0-9]+)?(?:, [^:]+)*: (.+)$/.exec(line);
    const original = match ? originalOf.get(match[2] as string) : undefined;
    if (match && original !== undefined) owners.set(original, match[1] as string);
  }
  return owners;
}

export function hintFor(reason: UnsymbolizedReason, packageName: string | undefined): string {
  if (reason === "missing") return "the file is not on this machine: pass --binary PATH for the program (or copy the library to the same path)";
  if (reason === "changed") return "the file was rebuilt since it was profiled, so its names would be wrong; pass the build that ran with --binary PATH";
  if (reason === "unreadable") return "the file is not a readable ELF object; check the path and permissions";
  if (packageName !== undefined) return `install debug symbols: apt install ${packageName}-dbgsym (debian-debug archive) or ${packageName}-dbg where it exists`;
  return "build it with -g and do not strip it (or keep a debug file: objcopy --only-keep-debug, under /usr/lib/debug/.build-id/)";
}

/** Below this share of a profile's total, an object's unnamed frames do not earn a hint. */
export const MEANINGFUL_SHARE = 0.02;

/**
 * The objects worth a hint: those whose unnamed frames carry at least MEANINGFUL_SHARE of
 * the total (libstdc++'s 173 KiB of static initialisation in a 100 MiB heap does not).
 * `heldBy` maps an object's file name to the value of the stacks with its unnamed frames.
 */
export function keepMeaningfulObjects(objects: readonly UnsymbolizedObject[], heldBy: ReadonlyMap<string, number>, total: number): UnsymbolizedObject[] {
  if (total <= 0) return [...objects];
  return objects.filter((object) => {
    const held = heldBy.get(object.path.slice(object.path.lastIndexOf("/") + 1));
    // "missing" objects are found by path, not by frames: always worth saying.
    return held === undefined || Math.abs(held) >= total * MEANINGFUL_SHARE;
  });
}
